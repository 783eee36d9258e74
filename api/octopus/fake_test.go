package octopus

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

const (
	testKey    = "key-SUPERSECRET-1234"
	testSecret = "secret-HUSHHUSH-5678"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fake is a small Octopus server: real auth (login, rotation, revocation)
// and per-route handlers set by each test.
type fake struct {
	t     *testing.T
	srv   *httptest.Server
	clock *clock
	ttl   time.Duration

	mu       sync.Mutex
	access   map[string]bool
	refresh  map[string]bool
	n        int
	routes   map[string]http.HandlerFunc
	hits     map[string]int
	reqIDs   []string
	bodies   map[string][]byte
	noEcho   bool
	refreshD time.Duration // delay in /auth/refresh, to make callers overlap

	logins, refreshes, logouts atomic.Int32
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, clock: newClock(), ttl: time.Hour,
		access: map[string]bool{}, refresh: map[string]bool{},
		routes: map[string]http.HandlerFunc{}, hits: map[string]int{}, bodies: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) client(t *testing.T, mod ...func(*Config)) *Client {
	cfg := Config{BaseURL: f.srv.URL, APIKey: testKey, APISecret: testSecret, Now: f.clock.Now, Timeout: 5 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	c.retryBase = time.Millisecond
	return c
}

func (f *fake) handle(route string, h http.HandlerFunc) {
	f.mu.Lock()
	f.routes[route] = h
	f.mu.Unlock()
}

// json replies with a fixed status and body.
func reply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func (f *fake) hitCount(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[route]
}

func (f *fake) lastBody(route string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[route]
}

func (f *fake) requestIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reqIDs...)
}

// revoke drops every token, as a server-side logout would.
func (f *fake) revoke(accessToo, refreshToo bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if accessToo {
		f.access = map[string]bool{}
	}
	if refreshToo {
		f.refresh = map[string]bool{}
	}
}

func apiError(w http.ResponseWriter, status int, name, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"name": name, "code": code, "message": msg}})
}

func (f *fake) issue(w http.ResponseWriter) {
	f.mu.Lock()
	f.n++
	acc, ref := fmt.Sprintf("acc-%d-TOKENVALUE", f.n), fmt.Sprintf("ref-%d-TOKENVALUE", f.n)
	f.access[acc] = true
	f.refresh[ref] = true
	f.mu.Unlock()
	now := f.clock.Now()
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "data": map[string]any{
		"access_token": acc, "refresh_token": ref,
		"access_expires_at":  now.Add(f.ttl).Format(time.RFC3339),
		"refresh_expires_at": now.Add(7 * 24 * time.Hour).Format(time.RFC3339Nano),
		"client_id":          42,
	}})
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("X-Request-Id")
	body, _ := io.ReadAll(r.Body)
	route := r.Method + " " + r.URL.Path
	f.mu.Lock()
	f.reqIDs = append(f.reqIDs, id)
	f.hits[route]++
	f.bodies[route] = body
	h := f.routes[route]
	noEcho := f.noEcho
	f.mu.Unlock()
	if !noEcho {
		w.Header().Set("X-Request-Id", "echo-"+id)
	}
	switch route {
	case "POST /auth/login":
		f.logins.Add(1)
		var in struct{ Username, Password string }
		_ = json.Unmarshal(body, &in)
		if in.Username == "" || in.Password == "" {
			apiError(w, 400, "ValidationException", "VALIDATION_FAILURE", "Username and password are required")
			return
		}
		if in.Username != testKey || in.Password != testSecret {
			apiError(w, 401, "UnauthorizedError", "UNAUTHORIZED", "Invalid credentials")
			return
		}
		f.issue(w)
		return
	case "POST /auth/refresh":
		f.refreshes.Add(1)
		if f.refreshD > 0 {
			time.Sleep(f.refreshD)
		}
		var in struct {
			RefreshToken string `json:"refresh_token"`
		}
		_ = json.Unmarshal(body, &in)
		f.mu.Lock()
		ok := f.refresh[in.RefreshToken]
		delete(f.refresh, in.RefreshToken) // rotation
		f.mu.Unlock()
		if !ok {
			apiError(w, 401, "UnauthorizedError", "UNAUTHORIZED", "Invalid token")
			return
		}
		f.issue(w)
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	valid := f.access[tok]
	f.mu.Unlock()
	if !valid {
		apiError(w, 401, "UnauthorizedError", "UNAUTHORIZED", "Invalid token")
		return
	}
	if route == "POST /auth/logout" {
		f.logouts.Add(1)
		f.revoke(true, true)
		_, _ = io.WriteString(w, `{"success":true,"data":{"message":"Successfully logged out"}}`)
		return
	}
	if h == nil {
		apiError(w, 404, "NotFoundError", "NOT_FOUND", "Not found")
		return
	}
	h(w, r)
}

func kindOf(t *testing.T, err error) api.ErrorKind {
	t.Helper()
	require.Error(t, err)
	var e *api.Error
	require.ErrorAs(t, err, &e)
	return e.Kind
}
