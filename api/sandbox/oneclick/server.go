package oneclick

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SandboxAPIKey is the fixed sandbox key (UUID-like, like the real ones).
const SandboxAPIKey = "5a4db0c1-c1d2-4e5f-8a9b-0c1cd25a4db0"

// Username is what /v3/validate reports for the sandbox key.
const Username = "+213665983439"

// InitialBalance is the DZD balance a new sandbox starts with.
const InitialBalance = 50000.0

// Config configures a sandbox server. The zero value is usable.
type Config struct {
	Addr          string  // listen address; default "127.0.0.1:0"; non-loopback hosts are rejected
	Seed          int64   // deterministic ids, codes, outcomes, traffic
	TimeScale     float64 // multiplies every simulated delay (1 = real; 0.01 = 100x faster); default 1
	RatePerMinute int     // requests per rolling minute per key before 429; default 120; <0 = unlimited
	// RateWindow is the rolling "minute" of RatePerMinute, real time
	// (default 1 minute); benchmarks of a compressed world scale it.
	RateWindow       time.Duration
	TrafficPerMinute float64       // background orders per real minute from "other channels"; 0 = none
	TrafficFor       time.Duration // background orders stop after this real time; 0 = never
	Faults           Faults
	Logf             func(format string, args ...any) // optional; never given secrets or card codes
	// Now replaces the clock (tests). Simulated delays are measured on it.
	Now func() time.Time
}

// Faults are injected on /v3/* only. Shares are probabilities in 0..1.
// Latency is added as given (it models the network; TimeScale does not
// shrink it). ServerError and TooMany answer before the handler runs (no side
// effects); Malformed and Drop happen after it ran, so a dropped send has
// still created the top-up (the lost-response case).
type Faults struct {
	Latency     time.Duration
	ServerError float64
	TooMany     float64
	Malformed   float64
	Drop        float64
}

// Transition is one status change of one order.
type Transition struct {
	Vertical string // "mobile" | "internet" | "giftcard"
	ID, Ref  string
	From, To string
	At       time.Time
}

// Server is a OneClickDz Flexy API v3 sandbox.
type Server struct {
	cfg   Config
	scale float64
	mux   *http.ServeMux

	mu        sync.Mutex
	rng       *rand.Rand
	st        *state
	reqTimes  []time.Time          // rate window
	fails     map[string]int       // invalid-key attempts per IP
	blocked   map[string]time.Time // IP → end of block
	incidents map[string]bool      // running incidents (incident.go)

	cbMu sync.Mutex
	cbs  []func(Transition)

	ln      net.Listener
	srv     *http.Server
	url     string
	done    chan struct{}
	wg      sync.WaitGroup
	started bool
	closed  bool
	once    sync.Once
}

// New validates cfg and builds a server; Start makes it listen.
func New(cfg Config) (*Server, error) {
	if cfg.TimeScale < 0 || math.IsNaN(cfg.TimeScale) || math.IsInf(cfg.TimeScale, 0) {
		return nil, errors.New("oneclick sandbox: TimeScale must be positive")
	}
	if cfg.TimeScale == 0 {
		cfg.TimeScale = 1
	}
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = 120
	}
	if cfg.TrafficPerMinute < 0 || math.IsNaN(cfg.TrafficPerMinute) || math.IsInf(cfg.TrafficPerMinute, 0) {
		return nil, errors.New("oneclick sandbox: TrafficPerMinute must not be negative")
	}
	if cfg.Faults.Latency < 0 {
		return nil, errors.New("oneclick sandbox: Faults.Latency must not be negative")
	}
	for _, p := range []float64{cfg.Faults.ServerError, cfg.Faults.TooMany, cfg.Faults.Malformed, cfg.Faults.Drop} {
		if p < 0 || p > 1 || math.IsNaN(p) {
			return nil, errors.New("oneclick sandbox: fault shares must be within 0..1")
		}
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("oneclick sandbox: address %q: %v", cfg.Addr, err)
	}
	if !isLoopback(host) {
		return nil, fmt.Errorf("oneclick sandbox: address %q is not a loopback address", cfg.Addr)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	seed := uint64(cfg.Seed)
	s := &Server{
		cfg:     cfg,
		scale:   cfg.TimeScale,
		rng:     rand.New(rand.NewPCG(seed, seed^0x0c1c4d2a5a4db0c1)),
		fails:   map[string]int{},
		blocked: map[string]time.Time{},
		done:    make(chan struct{}),
	}
	s.st = newState(s, cfg.Now())
	s.mux = s.routes()
	return s, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// APIKey returns the fixed sandbox key (SandboxAPIKey).
func (s *Server) APIKey() string { return SandboxAPIKey }

// Handler serves the API without listening (httptest, embedding). Orders
// advance lazily on each request; Start adds a ticker that advances them and
// fires OnTransition without requests.
func (s *Server) Handler() http.Handler { return s.mux }

// OnTransition registers fn; it is called for every status change, without
// locks held, one call at a time.
func (s *Server) OnTransition(fn func(Transition)) {
	if fn == nil {
		return
	}
	s.cbMu.Lock()
	s.cbs = append(s.cbs, fn)
	s.cbMu.Unlock()
}

// SetFaults replaces the injected faults at run time (invalid shares are
// clamped to 0..1).
func (s *Server) SetFaults(f Faults) {
	clamp := func(p float64) float64 {
		if math.IsNaN(p) || p < 0 {
			return 0
		}
		return min(p, 1)
	}
	f.ServerError, f.TooMany, f.Malformed, f.Drop = clamp(f.ServerError), clamp(f.TooMany), clamp(f.Malformed), clamp(f.Drop)
	f.Latency = max(f.Latency, 0)
	s.mu.Lock()
	s.cfg.Faults = f
	s.mu.Unlock()
}

// Start listens on cfg.Addr and serves until Close.
func (s *Server) Start() error {
	s.mu.Lock()
	if s.started || s.closed {
		s.mu.Unlock()
		return errors.New("oneclick sandbox: already started or closed")
	}
	s.started = true
	s.mu.Unlock()
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("oneclick sandbox: listen: %w", err)
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln)
	}()
	go s.ticker()
	if s.cfg.TrafficPerMinute > 0 {
		s.wg.Add(1)
		go s.traffic()
	}
	return nil
}

// URL is the base URL once started ("" before).
func (s *Server) URL() string { return s.url }

// Close stops the listener and every goroutine Start began.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.done)
		if s.srv != nil {
			err = s.srv.Close()
		}
		s.wg.Wait()
	})
	return err
}

// Run starts a sandbox, prints the environment a client needs, and blocks
// until ctx ends.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	s, err := New(cfg)
	if err != nil {
		return err
	}
	if err := s.Start(); err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(out, "export ONECLICKDZ_BASE_URL=%s\n", s.URL())
	fmt.Fprintf(out, "export ONECLICKDZ_API_KEY=%s\n", s.APIKey())
	<-ctx.Done()
	return nil
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// ticker advances orders so OnTransition fires without requests.
func (s *Server) ticker() {
	defer s.wg.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.advance()
		}
	}
}

// advance moves every order to its state at the current time and fires the
// callbacks outside the lock.
func (s *Server) advance() {
	s.mu.Lock()
	trs := s.st.advance(s.cfg.Now())
	s.mu.Unlock()
	s.fire(trs)
}

func (s *Server) fire(trs []Transition) {
	if len(trs) == 0 {
		return
	}
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	for _, tr := range trs {
		for _, fn := range s.cbs {
			fn(tr)
		}
	}
}

// --- envelope -------------------------------------------------------------

const tsLayout = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

// requestID is req_<unix>_<alnum>; the caller holds mu.
func (s *Server) requestID(now time.Time) string {
	const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	for i := range b {
		b[i] = alnum[s.rng.IntN(len(alnum))]
	}
	return "req_" + strconv.FormatInt(now.Unix(), 10) + "_" + string(b)
}

// apiErr is a handler's failure, written in the standard error envelope.
type apiErr struct {
	status     int
	code, msg  string
	details    any
	retryAfter int
}

func (e *apiErr) Error() string { return e.code + ": " + e.msg }

func errValidation(field, value any, msg string) *apiErr {
	d := map[string]any{"field": field}
	if value != nil {
		d["value"] = value
	}
	return &apiErr{status: 400, code: "ERR_VALIDATION", msg: msg, details: d}
}

func errNotFound(msg string) *apiErr { return &apiErr{status: 404, code: "NOT_FOUND", msg: msg} }

// reply is a handler's success: data and extra meta fields.
type reply struct {
	data any
	meta map[string]any
}

func writeJSON(w http.ResponseWriter, status int, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		status = 500
		b = []byte(`{"success":false,"error":{"code":"INTERNAL_ERROR","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return b
}

func okBody(r reply, now time.Time, rid string) map[string]any {
	meta := map[string]any{"timestamp": ts(now)}
	for k, v := range r.meta {
		meta[k] = v
	}
	return map[string]any{"success": true, "data": r.data, "meta": meta, "requestId": rid}
}

func errBody(e *apiErr, rid string) map[string]any {
	er := map[string]any{"code": e.code, "message": e.msg}
	if e.details != nil {
		er["details"] = e.details
	}
	return map[string]any{"success": false, "error": er, "requestId": rid}
}

// --- middleware -----------------------------------------------------------

type handlerFunc func(r *http.Request, now time.Time) (reply, *apiErr)

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// fault picks at most one injected fault for this request (under mu).
func (s *Server) fault() string {
	if s.incidents[IncidentOutage] {
		return "server"
	}
	f := s.cfg.Faults
	if f.ServerError == 0 && f.TooMany == 0 && f.Malformed == 0 && f.Drop == 0 {
		return ""
	}
	x := s.rng.Float64()
	for _, c := range []struct {
		p    float64
		name string
	}{{f.ServerError, "server"}, {f.TooMany, "toomany"}, {f.Malformed, "malformed"}, {f.Drop, "drop"}} {
		if x < c.p {
			return c.name
		}
		x -= c.p
	}
	return ""
}

// wrap runs auth, the rate limit and faults around a handler.
func (s *Server) wrap(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		d := s.cfg.Faults.Latency
		s.mu.Unlock()
		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-s.done:
				t.Stop()
				return
			}
		}
		s.mu.Lock()
		now := s.cfg.Now()
		trs := s.st.advance(now)
		rid := s.requestID(now)
		e := s.gate(r, now)
		fault := ""
		if e == nil {
			fault = s.fault()
			switch fault {
			case "server":
				e = &apiErr{status: 500, code: "INTERNAL_ERROR", msg: "Internal server error, contact support with the requestId"}
			case "toomany":
				e = &apiErr{status: 429, code: "TOO_MANY_REQUESTS", msg: "Too many requests, retry in 1 seconds", retryAfter: 1}
			}
		}
		var rep reply
		if e == nil {
			rep, e = h(r, now)
			trs = append(trs, s.st.flush()...)
		}
		s.mu.Unlock()
		s.fire(trs)

		status := 200
		var body map[string]any
		if e != nil {
			status = e.status
			body = errBody(e, rid)
			if e.retryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
			}
		} else {
			body = okBody(rep, now, rid)
		}
		s.logf("oneclick sandbox: %s %s → %d %s", r.Method, r.URL.Path, status, rid)
		switch fault {
		case "drop":
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					_ = c.Close()
					return
				}
			}
			return // no hijacker (a recorder): an empty response stands in for the drop
		case "malformed":
			b, _ := json.Marshal(body)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(status)
			_, _ = w.Write(b[:len(b)/2])
			return
		}
		writeJSON(w, status, body)
	}
}

// gate checks the IP block, the key and the rate limit (under mu).
func (s *Server) gate(r *http.Request, now time.Time) *apiErr {
	ip := clientIP(r)
	if until, ok := s.blocked[ip]; ok {
		if now.Before(until) {
			return blockedErr(until, now)
		}
		delete(s.blocked, ip)
		delete(s.fails, ip)
	}
	key := r.Header.Get("X-Access-Token")
	if key == "" {
		return &apiErr{status: 401, code: "MISSING_ACCESS_TOKEN", msg: "Access token is required"}
	}
	if key != SandboxAPIKey {
		s.fails[ip]++
		if s.fails[ip] >= 5 {
			until := now.Add(15 * time.Minute)
			s.blocked[ip] = until
			return blockedErr(until, now)
		}
		return &apiErr{status: 401, code: "INVALID_ACCESS_TOKEN", msg: "The provided access token is invalid",
			details: map[string]any{"attemptsLeft": 5 - s.fails[ip]}}
	}
	delete(s.fails, ip)
	if s.cfg.RatePerMinute > 0 {
		window := s.cfg.RateWindow
		if window <= 0 {
			window = time.Minute
		}
		cut := now.Add(-window)
		i := 0
		for i < len(s.reqTimes) && !s.reqTimes[i].After(cut) {
			i++
		}
		s.reqTimes = s.reqTimes[i:]
		if len(s.reqTimes) >= s.cfg.RatePerMinute {
			wait := int(math.Ceil(s.reqTimes[0].Add(window).Sub(now).Seconds()))
			wait = max(wait, 1)
			return &apiErr{status: 429, code: "TOO_MANY_REQUESTS",
				msg:     fmt.Sprintf("Too many requests, retry in %d seconds", wait),
				details: map[string]any{"limit": s.cfg.RatePerMinute, "window": "1m"}, retryAfter: wait}
		}
		s.reqTimes = append(s.reqTimes, now)
	}
	return nil
}

func blockedErr(until, now time.Time) *apiErr {
	return &apiErr{status: 403, code: "IP_BLOCKED", msg: "Your IP has been temporarily blocked due to too many invalid attempts",
		details: map[string]any{"blockedUntil": ts(until)}, retryAfter: int(math.Ceil(until.Sub(now).Seconds()))}
}
