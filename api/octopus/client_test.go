package octopus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

const voucherOrderJSON = `{"id":1234,"product_id":77,"product_name":"Steam $50","denomination":50,"quantity":2,
"amount":100.00,"discount":3.50,"client_reference":"order-abc","wallet_id":1,"status":"DELIVERED",
"base_currency":"USD","deduction_currency":"USD","created_at":"2026-05-01T12:00:00.123Z",
"vouchers":[{"card_number":"STEAM-XXXX-XXXX","pin_code":"1234","expires_at":"2027-06-01T00:00:00Z"},
{"card_number":"STEAM-YYYY-YYYY","pin_code":"5678","expires_at":"2027-06-01T00:00:00Z","claim_url":null}]}`

func TestNewRejectsBadConfig(t *testing.T) {
	ok := Config{BaseURL: "https://api.octopuscards.io", APIKey: "k", APISecret: "s"}
	_, err := New(ok)
	require.NoError(t, err)

	cases := map[string]func(*Config){
		"no key":             func(c *Config) { c.APIKey = "" },
		"no secret":          func(c *Config) { c.APISecret = "" },
		"no url":             func(c *Config) { c.BaseURL = "" },
		"bad url":            func(c *Config) { c.BaseURL = "://nope" },
		"no host":            func(c *Config) { c.BaseURL = "https://" },
		"ftp":                func(c *Config) { c.BaseURL = "ftp://api.octopuscards.io" },
		"plain http":         func(c *Config) { c.BaseURL = "http://api.octopuscards.io" },
		"plain http to lan":  func(c *Config) { c.BaseURL = "http://192.168.1.10:8080" },
		"credentials in url": func(c *Config) { c.BaseURL = "https://u:p@api.octopuscards.io" },
		"negative timeout":   func(c *Config) { c.Timeout = -time.Second },
	}
	for name, mod := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := ok
			mod(&cfg)
			c, err := New(cfg)
			require.Error(t, err)
			assert.Nil(t, c)
		})
	}
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:1/", "http://[::1]:9"} {
		cfg := ok
		cfg.BaseURL = u
		_, err := New(cfg)
		assert.NoError(t, err, u)
	}
}

func TestEnvelopeRawAndWrapped(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/orders/1", reply(200, voucherOrderJSON))
	f.handle("GET /api/v1/orders/2", reply(200, `{"success":true,"data":`+voucherOrderJSON+`}`))
	f.handle("GET /api/v1/countries", reply(200, `{"success":true,"data":[{"id":1,"name":"United States","alpha_2":"US","numeric_code":"840","extra":{"x":1}}]}`))
	f.handle("GET /api/v1/currencies", reply(200, `[{"id":1,"name":"US Dollar","currency":"USD","precision":2}]`))
	c := f.client(t)
	ctx := context.Background()

	raw, err := c.VoucherOrder(ctx, 1)
	require.NoError(t, err)
	wrapped, err := c.VoucherOrder(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, raw, wrapped)
	assert.Equal(t, Int(1234), raw.ID)
	require.Len(t, raw.Vouchers, 2)
	assert.Equal(t, "STEAM-XXXX-XXXX", string(raw.Vouchers[0].CardNumber))

	cs, err := c.Countries(ctx)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, "US", string(cs[0].Alpha2))
	assert.Equal(t, "840", string(cs[0].NumericCode))

	cur, err := c.Currencies(ctx)
	require.NoError(t, err)
	assert.Equal(t, "USD", cur[0].ISO())
}

func TestMalformedSuccessBodyIsDecodeError(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/orders/1", reply(200, `{"id":12,"status":`))
	f.handle("GET /api/v1/orders/2", reply(200, ``))
	f.handle("GET /api/v1/wallets", reply(200, `{"id":1}`))
	f.handle("GET /api/v1/orders/3", reply(200, `{"success":false,"error":{"name":"NotFoundError","code":"NOT_FOUND","message":"Order not found"}}`))
	c := f.client(t)
	for _, id := range []int64{1, 2} {
		_, err := c.VoucherOrder(context.Background(), id)
		assert.Equal(t, api.KindDecode, kindOf(t, err))
	}
	_, err := c.ListWallets(context.Background())
	assert.Equal(t, api.KindDecode, kindOf(t, err))
	_, err = c.VoucherOrder(context.Background(), 3)
	assert.Equal(t, api.KindNotFound, kindOf(t, err))
}

func TestErrorCodesToKinds(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		kind   api.ErrorKind
		code   string
	}{
		{"validation", 400, `{"error":{"name":"ValidationException","code":"VALIDATION_FAILURE","message":"quantity must be >= 1"}}`, api.KindValidation, "VALIDATION_FAILURE"},
		{"duplicate", 400, `{"error":{"name":"BadRequestError","code":"BAD_REQUEST","message":"Duplicate client_reference"}}`, api.KindDuplicateReference, "BAD_REQUEST"},
		{"bad request", 400, `{"error":{"name":"BadRequestError","code":"BAD_REQUEST","message":"Invalid country ID"}}`, api.KindValidation, "BAD_REQUEST"},
		{"funds", 400, `{"error":{"name":"BadRequestError","code":"INSUFFICIENT_FUNDS","message":"Insufficient wallet balance"}}`, api.KindInsufficientFunds, "INSUFFICIENT_FUNDS"},
		{"forbidden", 403, `{"error":{"name":"ForbiddenError","code":"FORBIDDEN","message":"IP address not authorized"}}`, api.KindForbidden, "FORBIDDEN"},
		{"feature", 400, `{"error":{"name":"BadRequestError","code":"INVALID_FEATURE","message":"The requested feature is not enabled for this client"}}`, api.KindForbidden, "INVALID_FEATURE"},
		{"not found", 404, `{"error":{"name":"NotFoundError","code":"NOT_FOUND","message":"Order not found"}}`, api.KindNotFound, "NOT_FOUND"},
		{"rate", 429, `{"error":{"name":"TooManyRequestsError","code":"TOO_MANY_REQUESTS","message":"Rate limit exceeded. Retry after 12 seconds."}}`, api.KindRateLimited, "TOO_MANY_REQUESTS"},
		{"internal", 500, `{"error":{"name":"InternalServerError","code":"INTERNAL_SERVER_ERROR","message":"Failed to retrieve currencies"}}`, api.KindServer, "INTERNAL_SERVER_ERROR"},
		{"gateway html", 502, `<html>bad gateway</html>`, api.KindServer, ""},
		{"503 empty", 503, ``, api.KindServer, ""},
		{"malformed 400", 400, `{"error":`, api.KindDecode, ""},
		{"html 400", 400, `<html/>`, api.KindDecode, ""},
		{"429 no body", 429, ``, api.KindRateLimited, ""},
		{"unknown code 400", 400, `{"error":{"name":"X","code":"SOMETHING_NEW","message":"new"}}`, api.KindValidation, "SOMETHING_NEW"},
		{"error as string", 404, `{"error":"no such order"}`, api.KindNotFound, ""},
	}
	f := newFake(t)
	c := f.client(t)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := fmt.Sprintf("/api/v1/orders/%d", i+1)
			f.handle("GET "+path, reply(tc.status, tc.body))
			_, err := c.VoucherOrder(context.Background(), int64(i+1))
			var e *api.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.kind, e.Kind, e.Error())
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.status, e.HTTPStatus)
			assert.Equal(t, "GET "+path, e.Op)
			assert.NotEmpty(t, e.RequestID)
		})
	}
}

func TestRetryAfter(t *testing.T) {
	f := newFake(t)
	rate := `{"error":{"name":"TooManyRequestsError","code":"TOO_MANY_REQUESTS","message":"Rate limit exceeded. Retry after 12 seconds."}}`
	f.handle("GET /api/v1/orders/1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		reply(429, rate)(w, r)
	})
	f.handle("GET /api/v1/orders/2", reply(429, rate))
	f.handle("GET /api/v1/orders/3", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", f.clock.Now().Add(30*time.Second).UTC().Format(http.TimeFormat))
		reply(429, `{"error":{"code":"TOO_MANY_REQUESTS","message":"slow down"}}`)(w, r)
	})
	c := f.client(t)
	want := map[int64]time.Duration{1: 7 * time.Second, 2: 12 * time.Second, 3: 30 * time.Second}
	for id, d := range want {
		_, err := c.VoucherOrder(context.Background(), id)
		assert.Equal(t, api.KindRateLimited, kindOf(t, err))
		assert.Equal(t, d, api.RetryAfterOf(err), "order %d", id)
		assert.True(t, errors.Is(err, api.ErrRateLimited))
	}
}

var ksuidRE = regexp.MustCompile(`^[0-9A-Za-z]{27}$`)

func TestRequestIDSentAndKept(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/orders/9", reply(404, `{"error":{"name":"NotFoundError","code":"NOT_FOUND","message":"Order not found"}}`))
	c := f.client(t)
	_, err := c.VoucherOrder(context.Background(), 9)
	var e *api.Error
	require.ErrorAs(t, err, &e)
	ids := f.requestIDs()
	require.Len(t, ids, 2) // login + the call
	seen := map[string]bool{}
	for _, id := range ids {
		assert.Regexp(t, ksuidRE, id)
		assert.False(t, seen[id], "ids are unique")
		seen[id] = true
	}
	assert.Equal(t, "echo-"+ids[1], e.RequestID, "the echoed id wins")
	assert.Contains(t, e.Error(), e.RequestID)

	f.mu.Lock()
	f.noEcho = true
	f.mu.Unlock()
	_, err = c.VoucherOrder(context.Background(), 9)
	require.ErrorAs(t, err, &e)
	ids = f.requestIDs()
	assert.Equal(t, ids[len(ids)-1], e.RequestID, "without an echo the sent id is kept")
}

func TestPaginationHeaders(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/topups/orders", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "PENDING", r.URL.Query().Get("status"))
		assert.Equal(t, "2", r.URL.Query().Get("page"))
		assert.Equal(t, "2", r.URL.Query().Get("per_page"))
		assert.Equal(t, "IND", r.URL.Query().Get("country"))
		h := w.Header()
		h.Set("X-Page", "2")
		h.Set("X-Per-Page", "2")
		h.Set("X-Total-Count", "5")
		h.Set("X-Total-Pages", "3")
		h.Set("X-Page-Size", "2")
		h.Set("X-Has-More", "true")
		reply(200, `[{"id":1,"status":"PENDING"},{"id":2,"status":"PENDING"}]`)(w, r)
	})
	f.handle("GET /api/v1/esim/orders", reply(200, `[{"id":3,"status":"DELIVERED"}]`))
	c := f.client(t)
	items, page, err := c.TopupOrders(context.Background(), TopupOrdersQuery{Status: "PENDING", Page: 2, PerPage: 2, Country: "ind"})
	require.NoError(t, err)
	assert.Len(t, items, 2)
	assert.Equal(t, api.Page{Page: 2, PerPage: 2, TotalCount: 5, TotalPages: 3, Size: 2, HasMore: true}, page)

	_, page, err = c.ESIMOrders(context.Background(), ESIMOrdersQuery{})
	require.NoError(t, err)
	assert.Equal(t, api.Page{Size: 1}, page, "no headers: only the size is known")
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/wallets", reply(200, `[]`))
	c := f.client(t)
	ctx := context.Background()
	_, err := c.ListWallets(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 1, f.logins.Load(), "login on first use")
	assert.EqualValues(t, 42, c.ClientID())

	f.clock.Add(54 * time.Minute)
	_, err = c.ListWallets(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 0, f.refreshes.Load(), "still more than 5 minutes left")

	f.clock.Add(2 * time.Minute) // 4 minutes left
	_, err = c.ListWallets(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 1, f.refreshes.Load())
	assert.EqualValues(t, 1, f.logins.Load())
	assert.Equal(t, 3, f.hitCount("GET /api/v1/wallets"), "no call was rejected")
}

func TestShortTTLRefreshesAt80Percent(t *testing.T) {
	f := newFake(t)
	f.ttl = 5 * time.Minute
	f.handle("GET /api/v1/wallets", reply(200, `[]`))
	c := f.client(t)
	ctx := context.Background()
	_, err := c.ListWallets(ctx)
	require.NoError(t, err)
	f.clock.Add(3*time.Minute + 50*time.Second)
	_, err = c.ListWallets(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 0, f.refreshes.Load())
	f.clock.Add(20 * time.Second) // past 4 minutes = 80%
	_, err = c.ListWallets(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 1, f.refreshes.Load())
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	f := newFake(t)
	f.refreshD = 30 * time.Millisecond
	f.handle("GET /api/v1/wallets", reply(200, `[]`))
	c := f.client(t)
	require.NoError(t, c.Login(context.Background()))
	f.clock.Add(58 * time.Minute)

	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.ListWallets(context.Background())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.EqualValues(t, 1, f.refreshes.Load(), "exactly one refresh")
	assert.EqualValues(t, 1, f.logins.Load())
}

func TestConcurrentFirstUseLogsInOnce(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/wallets", reply(200, `[]`))
	c := f.client(t)
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.ListWallets(context.Background())
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, f.logins.Load())
}

func TestUnauthorizedRefreshesAndRetriesOnce(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/wallets", reply(200, `[{"id":1,"currency_id":1,"amount":10,"type":"PREPAID"}]`))
	c := f.client(t)
	require.NoError(t, c.Login(context.Background()))
	f.revoke(true, false) // access tokens revoked server side, refresh still valid

	ws, err := c.ListWallets(context.Background())
	require.NoError(t, err)
	assert.Len(t, ws, 1)
	assert.EqualValues(t, 1, f.refreshes.Load())
	assert.EqualValues(t, 1, f.logins.Load())
	assert.Equal(t, 2, f.hitCount("GET /api/v1/wallets"))
}

func TestSecondUnauthorizedSurfacesAsAuth(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/wallets", reply(401, `{"error":{"name":"UnauthorizedError","code":"UNAUTHORIZED","message":"Invalid token"}}`))
	c := f.client(t)
	_, err := c.ListWallets(context.Background())
	assert.Equal(t, api.KindAuth, kindOf(t, err))
	assert.True(t, errors.Is(err, api.ErrAuth))
	assert.Equal(t, 2, f.hitCount("GET /api/v1/wallets"), "one retry, no more")
	assert.EqualValues(t, 1, f.refreshes.Load())
}

func TestRefreshFailureFallsBackToLogin(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/wallets", reply(200, `[]`))
	c := f.client(t)
	require.NoError(t, c.Login(context.Background()))
	f.revoke(true, true)

	_, err := c.ListWallets(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 1, f.refreshes.Load())
	assert.EqualValues(t, 2, f.logins.Load())

	// And proactively: refresh token rejected at renewal time → login.
	f.revoke(false, true)
	f.clock.Add(59 * time.Minute)
	_, err = c.ListWallets(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, f.refreshes.Load())
	assert.EqualValues(t, 3, f.logins.Load())
}

func TestBadCredentialsAreAuthErrors(t *testing.T) {
	f := newFake(t)
	c := f.client(t, func(cfg *Config) { cfg.APISecret = "wrong-secret-value" })
	_, err := c.ListWallets(context.Background())
	var e *api.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, api.KindAuth, e.Kind)
	assert.Equal(t, "Invalid credentials", e.Message)
	assert.NotContains(t, err.Error(), "wrong-secret-value")
}

func TestLogoutForgetsTokens(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/wallets", reply(200, `[]`))
	c := f.client(t)
	require.NoError(t, c.Logout(context.Background()), "logout before login is a no-op")
	assert.EqualValues(t, 0, f.logouts.Load())
	require.NoError(t, c.Login(context.Background()))
	require.NoError(t, c.Logout(context.Background()))
	assert.EqualValues(t, 1, f.logouts.Load())
	_, err := c.ListWallets(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, f.logins.Load(), "logs in again after logout")
	assert.EqualValues(t, 0, f.refreshes.Load())
}

func TestTimeoutIsNetworkError(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/wallets", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	c := f.client(t)
	require.NoError(t, c.Login(context.Background()))
	c.timeout = 50 * time.Millisecond
	_, err := c.ListWallets(context.Background())
	assert.Equal(t, api.KindNetwork, kindOf(t, err))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// hangUp reads the request, then drops the connection without a reply.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func TestCreateAfterDroppedConnectionIsOutcomeUnknown(t *testing.T) {
	f := newFake(t)
	f.handle("POST /api/v1/orders", hangUp)
	f.handle("POST /api/v1/topups/orders", reply(502, ``))
	f.handle("POST /api/v1/esim/orders", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	f.handle("POST /api/v1/products/1/charges", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	f.handle("GET /api/v1/orders/5", hangUp)
	c := f.client(t, func(cfg *Config) { cfg.GETRetries = 3 })
	ctx := context.Background()

	_, err := c.CreateVoucherOrder(ctx, CreateVoucherOrderRequest{ProductID: 1, Denomination: 50, Quantity: 1, ClientReference: "r1"})
	assert.Equal(t, api.KindOutcomeUnknown, kindOf(t, err))
	assert.True(t, errors.Is(err, api.ErrOutcomeUnknown))
	assert.Equal(t, 1, f.hitCount("POST /api/v1/orders"), "never resent")

	_, err = c.CreateTopupOrder(ctx, CreateTopupOrderRequest{ProductID: 4218, Amount: 0.99})
	assert.Equal(t, api.KindOutcomeUnknown, kindOf(t, err), "5xx on a create")
	assert.Equal(t, 1, f.hitCount("POST /api/v1/topups/orders"))

	// The eSIM create outlasts Config.Timeout (the server holds it up to 60 s);
	// the caller's context still bounds it, and a timeout after sending is unknown.
	c.timeout = 20 * time.Millisecond
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err = c.VoucherCharges(ctx, 1, VoucherChargesRequest{Denomination: 5, Quantity: 1})
	assert.Equal(t, api.KindNetwork, kindOf(t, err), "other calls keep Config.Timeout; a quote is not a create")
	_, err = c.CreateESIMOrder(short, CreateESIMOrderRequest{ProductID: 712, Amount: 4.5})
	assert.Equal(t, api.KindOutcomeUnknown, kindOf(t, err), "timeout after sending")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Error(t, short.Err(), "it was the caller's deadline, not Config.Timeout, that ended it")
	c.timeout = 5 * time.Second

	_, err = c.VoucherOrder(ctx, 5)
	assert.Equal(t, api.KindNetwork, kindOf(t, err), "a GET is just a network error")
	assert.Equal(t, 4, f.hitCount("GET /api/v1/orders/5"), "GETRetries applies to GETs")
}

type failingTransport struct {
	next http.RoundTripper
	fail string
}

func (t failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == t.fail {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return t.next.RoundTrip(r)
}

func TestCreateRefusedBeforeSendingIsNetwork(t *testing.T) {
	f := newFake(t)
	hc := &http.Client{Transport: failingTransport{next: http.DefaultTransport, fail: "/api/v1/orders"}}
	c := f.client(t, func(cfg *Config) { cfg.HTTPClient = hc })
	_, err := c.CreateVoucherOrder(context.Background(), CreateVoucherOrderRequest{ProductID: 1, Denomination: 5, Quantity: 1})
	assert.Equal(t, api.KindNetwork, kindOf(t, err))
}

func TestGETRetryIsOffByDefaultAndOnWhenAsked(t *testing.T) {
	f := newFake(t)
	var mu sync.Mutex
	calls := 0
	f.handle("GET /api/v1/wallets", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n%2 == 1 {
			reply(503, ``)(w, r)
			return
		}
		reply(200, `[]`)(w, r)
	})
	off := f.client(t)
	_, err := off.ListWallets(context.Background())
	assert.Equal(t, api.KindServer, kindOf(t, err))
	assert.Equal(t, 1, f.hitCount("GET /api/v1/wallets"))

	mu.Lock()
	calls = 0
	mu.Unlock()
	on := f.client(t, func(cfg *Config) { cfg.GETRetries = 2 })
	_, err = on.ListWallets(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 3, f.hitCount("GET /api/v1/wallets"))

	// Creates are never retried, even with GETRetries.
	f.handle("POST /api/v1/orders", reply(429, `{"error":{"code":"TOO_MANY_REQUESTS","message":"Retry after 1 seconds."}}`))
	_, err = on.CreateVoucherOrder(context.Background(), CreateVoucherOrderRequest{ProductID: 1, Denomination: 5, Quantity: 1})
	assert.Equal(t, api.KindRateLimited, kindOf(t, err), "a 429 proves nothing was created")
	assert.Equal(t, 1, f.hitCount("POST /api/v1/orders"))
}

func TestSecretsNeverShown(t *testing.T) {
	f := newFake(t)
	var logMu sync.Mutex
	var logs []string
	logf := func(format string, args ...any) {
		logMu.Lock()
		logs = append(logs, fmt.Sprintf(format, args...))
		logMu.Unlock()
	}
	f.handle("GET /api/v1/orders/1", reply(500, `{"error":{"name":"InternalServerError","code":"INTERNAL_SERVER_ERROR","message":"boom"}}`))
	f.handle("GET /api/v1/orders/2", hangUp)
	f.handle("POST /api/v1/orders", reply(400, `{"error":{"code":"VALIDATION_FAILURE","message":"bad"}}`))
	cfg := Config{BaseURL: f.srv.URL, APIKey: testKey, APISecret: testSecret, Now: f.clock.Now, Logf: logf}
	c, err := New(cfg)
	require.NoError(t, err)

	var texts []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		texts = append(texts, fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, c), fmt.Sprintf(verb, &cfg))
	}
	_, err = c.VoucherOrder(context.Background(), 1)
	require.Error(t, err)
	texts = append(texts, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	_, err = c.VoucherOrder(context.Background(), 2)
	require.Error(t, err)
	texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
	_, err = c.CreateVoucherOrder(context.Background(), CreateVoucherOrderRequest{ProductID: 1})
	require.Error(t, err)
	texts = append(texts, err.Error())
	bad := f.client(t, func(cfg *Config) { cfg.APIKey = "other-KEY-abcdef" })
	_, err = bad.ListWallets(context.Background())
	require.Error(t, err)
	texts = append(texts, err.Error())
	texts = append(texts, fmt.Sprintf("%+v", c), fmt.Sprintf("%v", c.tok), fmt.Sprintf("%+v", *c.tok), fmt.Sprintf("%#v", *c.tok))
	logMu.Lock()
	texts = append(texts, logs...)
	logMu.Unlock()
	require.NotEmpty(t, logs)

	for _, s := range texts {
		for _, secret := range []string{testKey, testSecret, "TOKENVALUE", "other-KEY-abcdef"} {
			assert.NotContains(t, s, secret)
		}
	}
}

func TestBadIDsSendNothing(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	ctx := context.Background()
	_, err := c.VoucherOrder(ctx, 0)
	assert.Equal(t, api.KindValidation, kindOf(t, err))
	_, err = c.GetOrder(ctx, api.VerticalTopup, "12abc")
	assert.Equal(t, api.KindValidation, kindOf(t, err))
	_, err = c.GetOrder(ctx, api.VerticalMobile, "12")
	assert.Equal(t, api.KindValidation, kindOf(t, err))
	_, err = c.SetNotificationEmail(ctx, api.VerticalESIM, "5", "not an email")
	assert.Equal(t, api.KindValidation, kindOf(t, err))
	_, _, err = c.ListTransactions(ctx, TransactionsQuery{WalletID: -1})
	assert.Equal(t, api.KindValidation, kindOf(t, err))
	assert.Empty(t, f.requestIDs(), "nothing was sent, not even a login")
}

func TestRequestIDShape(t *testing.T) {
	for range 50 {
		assert.Regexp(t, ksuidRE, newRequestID())
	}
	assert.NotEqual(t, newRequestID(), newRequestID())
}

func TestClassOf(t *testing.T) {
	cases := map[string]api.EndpointClass{
		"POST /auth/login":                            api.ClassAuth,
		"POST /auth/refresh":                          api.ClassAuth,
		"POST /api/v1/orders":                         api.ClassCreate,
		"POST /api/v1/topups/orders":                  api.ClassCreate,
		"POST /api/v1/esim/orders/":                   api.ClassCreate,
		"POST /api/v1/products/77/charges":            api.ClassCharges,
		"POST /api/v1/topups/charges":                 api.ClassCharges,
		"POST /api/v1/esim/charges?x=1":               api.ClassCharges,
		"GET /api/v1/orders":                          api.ClassGET,
		"GET /api/v1/orders?client_reference=a":       api.ClassGET,
		"GET /api/v1/esim/orders/9":                   api.ClassGET,
		"PATCH /api/v1/orders/9/notification-email":   api.ClassGET,
		"POST /api/v1/products/77/availability":       api.ClassGET,
		"get /api/v1/wallets":                         api.ClassGET,
		"POST /prefix/api/v1/orders":                  api.ClassCreate,
		"POST /api/v1/topups/lookup":                  api.ClassGET,
		"POST /api/v1/topups/orders/5/anything-else":  api.ClassGET,
		"POST /api/v1/orders/5/notification-email":    api.ClassGET,
		"POST /auth/logout":                           api.ClassAuth,
		"GET /auth/login":                             api.ClassGET,
		"POST /api/v1/esim/orders#frag":               api.ClassCreate,
		"POST /api/v1/products/77/charges/":           api.ClassCharges,
		"POST /api/v1/topups/orders?client_reference": api.ClassCreate,
	}
	for in, want := range cases {
		m, p, _ := strings.Cut(in, " ")
		assert.Equal(t, want, ClassOf(m, p), in)
	}
}
