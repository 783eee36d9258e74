package octopus

import "net/http"

type fault int

const (
	faultNone fault = iota
	faultMalformed
	faultDrop
)

// drawFaults decides, with the seeded source, what goes wrong with one
// /api/v1 request: an error before the handler, or damage after it.
func (s *Server) drawFaults() (*apiError, fault) {
	if s.outage.Load() {
		return errInternal("Internal server error (sandbox incident: outage)"), faultNone
	}
	f := s.cfg.Faults
	if f.ServerError == 0 && f.TooMany == 0 && f.Malformed == 0 && f.Drop == 0 {
		return nil, faultNone
	}
	switch x := s.faultRng.float(); {
	case x < f.ServerError:
		return errInternal("Internal server error"), faultNone
	case x < f.ServerError+f.TooMany:
		return errTooMany(1), faultNone
	}
	switch x := s.faultRng.float(); {
	case x < f.Drop:
		return nil, faultDrop
	case x < f.Drop+f.Malformed:
		return nil, faultMalformed
	}
	return nil, faultNone
}

// dropConnection closes the connection without any response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// The sanctioned way to abort a response net/http cannot hijack.
	panic(http.ErrAbortHandler)
}
