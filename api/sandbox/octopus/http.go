package octopus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Request classes for rate limits and Stats.Requests.
const (
	ClassLogin          = "login"
	ClassRefresh        = "refresh"
	ClassLogout         = "logout"
	ClassGET            = "get"
	ClassCreateVoucher  = "create-voucher"
	ClassCreateTopup    = "create-topup"
	ClassCreateESIM     = "create-esim"
	ClassChargesVoucher = "charges-voucher"
	ClassChargesTopup   = "charges-topup"
	ClassChargesESIM    = "charges-esim"
	ClassOther          = "other" // availability, lookup, notification-email: not limited
)

// apiError is the contract's error body {"error":{name,code,message}}.
type apiError struct {
	status     int
	Name       string `json:"name"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	retryAfter int
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errValidation(format string, a ...any) *apiError {
	return &apiError{status: 400, Name: "ValidationException", Code: "VALIDATION_FAILURE", Message: fmt.Sprintf(format, a...)}
}

func errBadRequest(msg string) *apiError {
	return &apiError{status: 400, Name: "BadRequestError", Code: "BAD_REQUEST", Message: msg}
}

func errUnauthorized(msg string) *apiError {
	return &apiError{status: 401, Name: "UnauthorizedError", Code: "UNAUTHORIZED", Message: msg}
}

func errNotFound(msg string) *apiError {
	return &apiError{status: 404, Name: "NotFoundError", Code: "NOT_FOUND", Message: msg}
}

func errInsufficientFunds() *apiError {
	return &apiError{status: 400, Name: "BadRequestError", Code: "INSUFFICIENT_FUNDS", Message: "Insufficient wallet balance"}
}

func errInternal(msg string) *apiError {
	return &apiError{status: 500, Name: "InternalServerError", Code: "INTERNAL_SERVER_ERROR", Message: msg}
}

func errTooMany(seconds int) *apiError {
	return &apiError{status: 429, Name: "TooManyRequestsError", Code: "TOO_MANY_REQUESTS",
		Message: fmt.Sprintf("Rate limit exceeded. Retry after %d seconds.", seconds), retryAfter: seconds}
}

// reply is what a handler returns on success.
type reply struct {
	status int
	body   any
	page   *pageInfo
}

func ok(body any) (*reply, error) { return &reply{status: 200, body: body}, nil }

type handlerFunc func(r *http.Request) (*reply, error)

type ctxKey int

const clientKey ctxKey = 1

func clientOf(r *http.Request) int64 {
	id, _ := r.Context().Value(clientKey).(int64)
	return id
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	r := func(pattern, class string, authed bool, h handlerFunc) {
		mux.Handle(pattern, s.wrap(class, authed, h))
	}
	get := func(path string, h handlerFunc) { r("GET "+path, ClassGET, true, h) }

	r("POST /auth/login", ClassLogin, false, s.handleLogin)
	r("POST /auth/refresh", ClassRefresh, false, s.handleRefresh)
	r("POST /auth/logout", ClassLogout, true, s.handleLogout)

	get("/api/v1/countries", s.handleCountries)
	get("/api/v1/countries/{id}", s.handleCountry)
	get("/api/v1/currencies", s.handleCurrencies)
	get("/api/v1/currencies/{id}", s.handleCurrency)
	get("/api/v1/categories", s.handleCategories)
	get("/api/v1/categories/{id}", s.handleCategory)
	get("/api/v1/subcategories", s.handleSubcategories)
	get("/api/v1/subcategories/{id}", s.handleSubcategory)

	get("/api/v1/wallets", s.handleWallets)
	get("/api/v1/wallets/{id}", s.handleWallet)
	get("/api/v1/transactions", s.handleTransactions)
	get("/api/v1/transactions/{id}", s.handleTransaction)

	get("/api/v1/products", s.handleProducts)
	get("/api/v1/products/{id}", s.handleProduct)
	r("POST /api/v1/products/{id}/availability", ClassOther, true, s.handleAvailability)
	r("POST /api/v1/products/{id}/charges", ClassChargesVoucher, true, s.handleVoucherCharges)
	r("POST /api/v1/orders", ClassCreateVoucher, true, s.handleCreateVoucher)
	get("/api/v1/orders", s.listHandler(VerticalVoucher))
	get("/api/v1/orders/{id}", s.detailHandler(VerticalVoucher))
	r("PATCH /api/v1/orders/{id}/notification-email", ClassOther, true, s.emailHandler(VerticalVoucher))

	get("/api/v1/topups/products", s.handleTopupProducts)
	get("/api/v1/topups/products/{id}", s.handleTopupProduct)
	get("/api/v1/topups/products/{id}/variants", s.handleTopupVariants)
	get("/api/v1/topups/variants/{id}", s.handleTopupVariant)
	r("POST /api/v1/topups/lookup", ClassOther, true, s.handleTopupLookup)
	r("POST /api/v1/topups/charges", ClassChargesTopup, true, s.handleTopupCharges)
	r("POST /api/v1/topups/orders", ClassCreateTopup, true, s.handleCreateTopup)
	get("/api/v1/topups/orders", s.listHandler(VerticalTopup))
	get("/api/v1/topups/orders/{id}", s.detailHandler(VerticalTopup))
	r("PATCH /api/v1/topups/orders/{id}/notification-email", ClassOther, true, s.emailHandler(VerticalTopup))

	get("/api/v1/esim/products", s.handleESIMProducts)
	get("/api/v1/esim/products/{id}", s.handleESIMProduct)
	get("/api/v1/esim/products/{id}/variants", s.handleESIMVariants)
	get("/api/v1/esim/variants/{id}", s.handleESIMVariant)
	r("POST /api/v1/esim/charges", ClassChargesESIM, true, s.handleESIMCharges)
	r("POST /api/v1/esim/orders", ClassCreateESIM, true, s.handleCreateESIM)
	get("/api/v1/esim/orders", s.listHandler(VerticalESIM))
	get("/api/v1/esim/orders/{id}", s.detailHandler(VerticalESIM))
	r("PATCH /api/v1/esim/orders/{id}/notification-email", ClassOther, true, s.emailHandler(VerticalESIM))

	// Anything else, including a known path with the wrong method.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errNotFound("Route not found"))
	})
	return s.outer(mux)
}

// outer adds X-Request-Id to every response and turns a stray panic into a 500.
func (s *Server) outer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = s.newKSUID()
		}
		w.Header().Set("X-Request-Id", id)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logf("sandbox: handler panic on %s %s: %v", r.Method, r.URL.Path, v)
				writeError(w, errInternal("Internal server error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// newKSUID makes a 27-character base62 id whose first part grows with time,
// like a KSUID.
func (s *Server) newKSUID() string {
	ts := uint64(time.Now().Unix() - 1400000000)
	var head [6]byte
	for i := 5; i >= 0; i-- {
		head[i] = base62[ts%62]
		ts /= 62
	}
	return string(head[:]) + s.idRng.str(21, base62)
}

func (s *Server) wrap(class string, authed bool, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		isAPI := strings.HasPrefix(r.URL.Path, "/api/v1/")
		var post fault
		if isAPI {
			pre, p := s.drawFaults()
			post = p
			if !s.sleep(r.Context(), s.cfg.Faults.Latency) {
				return
			}
			if pre != nil {
				s.count(func(st *Stats) {
					st.FaultsInjected++
					if pre.status == 429 {
						st.TooMany++
					}
				})
				writeError(w, pre)
				return
			}
		}
		if authed {
			client, err := s.authenticate(r)
			if err != nil {
				writeError(w, err)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), clientKey, client))
		}
		if limit := s.limitFor(class); limit > 0 {
			if wait, allowed := s.rl.allow(s.rateKey(r, class), limit, time.Now()); !allowed {
				s.count(func(st *Stats) { st.TooMany++ })
				writeError(w, errTooMany(wait))
				return
			}
		}
		s.count(func(st *Stats) { st.Requests[class]++ })

		rep, err := h(r)
		status, body := 0, []byte(nil)
		var page *pageInfo
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				s.logf("sandbox: %s %s: %v", r.Method, r.URL.Path, err)
				ae = errInternal("Internal server error")
			}
			status, body = ae.status, mustJSON(map[string]any{"error": ae})
			if ae.retryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(ae.retryAfter))
			}
		} else {
			status, body, page = rep.status, mustJSON(rep.body), rep.page
		}
		if page != nil {
			page.setHeaders(w.Header())
		}
		switch post {
		case faultDrop:
			s.count(func(st *Stats) { st.FaultsInjected++ })
			dropConnection(w)
			return
		case faultMalformed:
			s.count(func(st *Stats) { st.FaultsInjected++ })
			body = body[:len(body)/2]
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

func (s *Server) limitFor(class string) int {
	switch class {
	case ClassLogin:
		return s.limits.Login
	case ClassRefresh:
		return s.limits.Refresh
	case ClassGET:
		return s.limits.GET
	case ClassCreateVoucher, ClassCreateTopup, ClassCreateESIM:
		return s.limits.Create
	case ClassChargesVoucher, ClassChargesTopup, ClassChargesESIM:
		return s.limits.Charges
	}
	return 0
}

// rateKey is per client: the token's client for API calls; before login the
// remote host stands in for the client.
func (s *Server) rateKey(r *http.Request, class string) string {
	if c := clientOf(r); c != 0 {
		return fmt.Sprintf("%d|%s", c, class)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return host + "|" + class
}

// sleep waits d unless the request or the server ends first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.ctx.Done():
		return false
	}
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_, _ = w.Write(mustJSON(map[string]any{"error": e}))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own types are marshalled; this is a programming error.
		return []byte(`{"error":{"name":"InternalServerError","code":"INTERNAL_SERVER_ERROR","message":"encoding failed"}}`)
	}
	return b
}

// decode reads a JSON body of at most 1 MiB into v.
func decode(r *http.Request, v any) error {
	body := http.MaxBytesReader(nil, r.Body, 1<<20)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		return errValidation("Invalid request body")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errValidation("Invalid request body")
	}
	return nil
}

// pathID parses {id}; what identifies the resource goes into the message.
func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 || id > 2147483647 {
		return 0, errBadRequest("Invalid " + what + " ID")
	}
	return id, nil
}

// --- pagination --------------------------------------------------------------

type pageInfo struct{ page, per, total, size int }

func (p *pageInfo) setHeaders(h http.Header) {
	pages := 0
	if p.per > 0 {
		pages = (p.total + p.per - 1) / p.per
	}
	h.Set("X-Page", strconv.Itoa(p.page))
	h.Set("X-Per-Page", strconv.Itoa(p.per))
	h.Set("X-Total-Count", strconv.Itoa(p.total))
	h.Set("X-Total-Pages", strconv.Itoa(pages))
	h.Set("X-Page-Size", strconv.Itoa(p.size))
	h.Set("X-Has-More", strconv.FormatBool(p.page*p.per < p.total))
}

// parsePage reads page and the size parameter (limit or per_page).
func parsePage(q url.Values, sizeName string, def, max int) (page, per int, err error) {
	page, per = 1, def
	if v := q.Get("page"); v != "" {
		page, err = strconv.Atoi(v)
		if err != nil || page < 1 || page > 1_000_000_000 {
			return 0, 0, errValidation("page must be between 1 and 1000000000")
		}
	}
	if v := q.Get(sizeName); v != "" {
		per, err = strconv.Atoi(v)
		if err != nil || per < 1 || per > max {
			return 0, 0, errValidation("%s must be between 1 and %d", sizeName, max)
		}
	}
	return page, per, nil
}

func paginate[T any](items []T, page, per int) *reply {
	total := len(items)
	start := (page - 1) * per
	if start > total || start < 0 {
		start = total
	}
	end := min(start+per, total)
	out := make([]T, end-start)
	copy(out, items[start:end])
	return &reply{status: 200, body: out, page: &pageInfo{page: page, per: per, total: total, size: len(out)}}
}

// optInt parses an optional positive integer query parameter.
func optInt(q url.Values, name string) (int64, bool, error) {
	v := q.Get(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, false, errValidation("%s must be a positive integer", name)
	}
	return n, true, nil
}
