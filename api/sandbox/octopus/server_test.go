package octopus

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestNewValidatesConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"public listen":  {Addr: "0.0.0.0:0"},
		"remote listen":  {Addr: "example.com:80"},
		"bad addr":       {Addr: "nonsense"},
		"remote webhook": {WebhookURL: "http://10.0.0.1/hook"},
		"bad webhook":    {WebhookURL: "ftp://127.0.0.1/x"},
		"negative scale": {TimeScale: -1},
		"bad share":      {Faults: Faults{Drop: 1.5}},
		"bad limits":     {Limits: &Limits{GET: -1}},
		"bad traffic":    {TrafficPerMinute: -2},
	} {
		_, err := New(cfg)
		assert.Error(t, err, name)
	}
	s, err := New(Config{Addr: "localhost:0", WebhookURL: "http://[::1]:9/x"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.Error(t, s.Start(), "closed servers do not restart")
}

func TestCredentialsStringHidesSecrets(t *testing.T) {
	s, err := New(Config{})
	require.NoError(t, err)
	defer s.Close()
	c := s.Credentials()
	assert.Equal(t, DemoAPISecret, c.APISecret)
	for _, out := range []string{c.String(), c.GoString()} {
		assert.NotContains(t, out, DemoAPISecret)
		assert.NotContains(t, out, DemoWebhookSecret)
	}
}

func TestChargesMaths(t *testing.T) {
	c := start(t, Config{})
	var q quote
	require.Equal(t, 200, c.call("POST", "/api/v1/products/1001/charges", map[string]any{"denomination": 50, "quantity": 5}, &q))
	assert.Equal(t, 250.00, q.NonDiscountedTotal)
	assert.Equal(t, 8.75, q.DiscountAmount)
	assert.Equal(t, 241.25, q.TotalAmount)
	assert.Equal(t, 3.5, q.Discount)
	assert.Equal(t, 0.00, q.GSTAmount)
	assert.Equal(t, 241.25, q.TotalPayable)
	require.NotNil(t, q.MaxQuantity)
	assert.Equal(t, maxVoucherQuantity, *q.MaxQuantity)
	assert.Nil(t, q.NetAmount)
	assert.Equal(t, "USD", q.ChargesDetails.DestinationCurrency)

	// Cross-currency: a GBP product paid from the EUR wallet.
	var fxq quote
	require.Equal(t, 200, c.call("POST", "/api/v1/products/1004/charges", map[string]any{"denomination": 50, "quantity": 5, "wallet_id": 2}, &fxq))
	assert.Equal(t, 243.75, fxq.TotalAmount)
	require.NotNil(t, fxq.ChargesDetails.ForexRate)
	assert.Equal(t, 1.17, *fxq.ChargesDetails.ForexRate)
	require.NotNil(t, fxq.NetAmount)
	assert.Equal(t, 285.19, *fxq.NetAmount)
	assert.Equal(t, 285.19, fxq.TotalPayable)
	assert.Equal(t, "GBP", fxq.ChargesDetails.SourceCurrency)
	assert.Equal(t, "EUR", fxq.ChargesDetails.DestinationCurrency)
	// The contract's own FX example: 241.25 GBP × 1.17 = 282.26 EUR.
	w := &wallet{ID: 2, code: "EUR"}
	assert.Equal(t, 282.26, *priceLocked(48.25, 5, 0, "GBP", w).NetAmount)

	var e quote
	require.Equal(t, 200, c.call("POST", "/api/v1/esim/charges", map[string]any{"product_id": 712, "amount": 4.5}, &e))
	assert.Equal(t, 4.5, e.NonDiscountedTotal)
	assert.Equal(t, 0.225, e.DiscountAmount)
	assert.Equal(t, 4.275, e.TotalAmount)
	assert.Equal(t, 5.0, e.Discount)
	assert.Equal(t, 4.275, e.TotalPayable)
	assert.Nil(t, e.MaxQuantity)

	var tq quote
	require.Equal(t, 200, c.call("POST", "/api/v1/topups/charges", map[string]any{"product_id": 4219, "amount": 500, "category": "Airtime"}, &tq))
	assert.Equal(t, int64(88101), tq.ChargesDetails.VariantID)
	assert.Equal(t, "INR", tq.ChargesDetails.SourceCurrency)
	assert.Equal(t, "USD", tq.ChargesDetails.DestinationCurrency, "no INR wallet: the default wallet pays")
	assert.NotNil(t, tq.NetAmount)

	var avail struct {
		IsAvailable bool `json:"is_available"`
	}
	require.Equal(t, 200, c.call("POST", "/api/v1/products/1001/availability", map[string]any{"denomination": 50, "quantity": 5}, &avail))
	assert.True(t, avail.IsAvailable)
	require.Equal(t, 200, c.call("POST", "/api/v1/products/1001/availability", map[string]any{"denomination": 51, "quantity": 5}, &avail))
	assert.False(t, avail.IsAvailable)
	var eb errBody
	assert.Equal(t, 400, c.call("POST", "/api/v1/products/0/charges", map[string]any{"denomination": 50, "quantity": 5}, &eb))
	assert.Equal(t, "Invalid product ID", eb.Error.Message)
}

func TestRateLimit(t *testing.T) {
	c := start(t, Config{Limits: &Limits{GET: 3, Create: 1}})
	for i := 0; i < 3; i++ {
		require.Equal(t, 200, c.call("GET", "/api/v1/countries", nil, nil))
	}
	resp, raw := c.do("GET", "/api/v1/currencies", nil)
	require.Equal(t, 429, resp.StatusCode)
	ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	require.NoError(t, err)
	assert.True(t, ra >= 1 && ra <= 60, "Retry-After %d", ra)
	var e errBody
	require.NoError(t, json.Unmarshal(raw, &e))
	assert.Equal(t, "TOO_MANY_REQUESTS", e.Error.Code)
	assert.Equal(t, "TooManyRequestsError", e.Error.Name)
	assert.Equal(t, "Rate limit exceeded. Retry after "+strconv.Itoa(ra)+" seconds.", e.Error.Message)

	// Create endpoints have their own budgets; charges are unlimited here.
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 5, 1, ""), nil))
	assert.Equal(t, 429, c.call("POST", "/api/v1/orders", voucherReq(1001, 5, 1, ""), nil))
	assert.Equal(t, 200, c.call("POST", "/api/v1/esim/orders", map[string]any{"product_id": 712, "amount": 4.5}, nil))
	assert.Equal(t, 200, c.call("POST", "/api/v1/products/1001/charges", map[string]any{"denomination": 5, "quantity": 1}, nil))
	st := c.s.Stats()
	assert.EqualValues(t, 2, st.TooMany)
	assert.EqualValues(t, 3, st.Requests[ClassGET])
	assert.EqualValues(t, 1, st.Requests[ClassCreateVoucher])
}

func TestLimiterWindowSlides(t *testing.T) {
	l := newLimiter(0)
	t0 := time.Unix(1000, 0)
	_, ok1 := l.allow("k", 2, t0)
	_, ok2 := l.allow("k", 2, t0.Add(10*time.Second))
	wait, ok3 := l.allow("k", 2, t0.Add(20*time.Second))
	assert.True(t, ok1 && ok2)
	assert.False(t, ok3)
	assert.Equal(t, 40, wait)
	_, ok4 := l.allow("k", 2, t0.Add(61*time.Second))
	assert.True(t, ok4, "the first hit left the window")
}

// A compressed RateWindow (benchmarks of a compressed world) slides the same way.
func TestLimiterScaledWindow(t *testing.T) {
	l := newLimiter(3 * time.Second)
	t0 := time.Unix(1000, 0)
	_, ok1 := l.allow("k", 1, t0)
	_, ok2 := l.allow("k", 1, t0.Add(2*time.Second))
	_, ok3 := l.allow("k", 1, t0.Add(3*time.Second+time.Millisecond))
	assert.True(t, ok1)
	assert.False(t, ok2)
	assert.True(t, ok3, "the hit left the 3 s window")
}

type hookRecorder struct {
	mu     sync.Mutex
	fails  int // answer 500 this many times first
	bodies [][]byte
	heads  []http.Header
	calls  int
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	if h.calls <= h.fails {
		w.WriteHeader(500)
		return
	}
	h.bodies = append(h.bodies, body)
	h.heads = append(h.heads, r.Header.Clone())
}

func (h *hookRecorder) events() (out []map[string]any, heads []http.Header) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, b := range h.bodies {
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		out = append(out, m)
	}
	return out, append([]http.Header(nil), h.heads...)
}

func TestWebhooksSignedAndRetried(t *testing.T) {
	rec := &hookRecorder{fails: 3}
	hs := httptest.NewServer(rec)
	defer hs.Close()
	c := start(t, Config{WebhookURL: hs.URL})
	var o testOrder
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 10, 2, "hook-1"), &o))

	// Two events: wallet.debited and order.delivered; three failed attempts first.
	require.Eventually(t, func() bool { evs, _ := rec.events(); return len(evs) == 2 }, 5*time.Second, 5*time.Millisecond)
	evs, heads := rec.events()
	types := map[string]map[string]any{}
	for i, ev := range evs {
		h := heads[i]
		mac := hmac.New(sha256.New, []byte(DemoWebhookSecret))
		rec.mu.Lock()
		mac.Write(rec.bodies[i])
		rec.mu.Unlock()
		assert.Equal(t, hex.EncodeToString(mac.Sum(nil)), h.Get("X-Signature"))
		assert.Equal(t, ev["id"], h.Get("X-Event-ID"))
		assert.Equal(t, ev["type"], h.Get("X-Event-Type"))
		assert.NotEmpty(t, h.Get("X-Webhook-ID"))
		ts, err := strconv.ParseInt(h.Get("X-Timestamp"), 10, 64)
		require.NoError(t, err)
		assert.InDelta(t, time.Now().Unix(), ts, 60)
		assert.Empty(t, h.Get("X-OCTOPUS-WEBHOOK-TOKEN"), "the secret never travels in clear")
		types[ev["type"].(string)] = ev["data"].(map[string]any)
	}
	require.Contains(t, types, "order.delivered")
	require.Contains(t, types, "wallet.debited")
	assert.Equal(t, float64(o.ID), types["order.delivered"]["id"])
	assert.Equal(t, "hook-1", types["order.delivered"]["client_reference"])
	assert.Equal(t, float64(2), types["order.delivered"]["delivered_quantity"])
	assert.Equal(t, float64(1), types["wallet.debited"]["wallet_id"])
	assert.Equal(t, float64(o.ID), types["wallet.debited"]["order_id"])
	// The receiver has the bodies just before the sender counts them.
	require.Eventually(t, func() bool { return c.s.Stats().WebhooksSent == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.EqualValues(t, 3, c.s.Stats().WebhooksFailed)

	// A refund is a wallet.credited event.
	c.s.SetWebhook(hs.URL, "other-secret")
	require.Equal(t, 200, c.call("POST", "/api/v1/topups/orders", map[string]any{
		"product_id": 4218, "amount": 0.99, "input_data": map[string]string{"player_id": MagicPlayerFail}}, nil))
	require.Eventually(t, func() bool { evs, _ := rec.events(); return len(evs) == 4 }, 5*time.Second, 5*time.Millisecond)
	evs, heads = rec.events()
	var credited bool
	for i, ev := range evs[2:] {
		mac := hmac.New(sha256.New, []byte("other-secret"))
		rec.mu.Lock()
		mac.Write(rec.bodies[2+i])
		rec.mu.Unlock()
		assert.Equal(t, hex.EncodeToString(mac.Sum(nil)), heads[2+i].Get("X-Signature"))
		credited = credited || ev["type"] == "wallet.credited"
	}
	assert.True(t, credited)
}

func TestWebhookGivesUp(t *testing.T) {
	rec := &hookRecorder{fails: 1000}
	hs := httptest.NewServer(rec)
	defer hs.Close()
	c := start(t, Config{WebhookURL: hs.URL, WebhookAttempts: 3})
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 10, 1, ""), nil))
	require.Eventually(t, func() bool { return c.s.Stats().WebhooksAbandoned == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.EqualValues(t, 6, c.s.Stats().WebhooksFailed)
	rec.mu.Lock()
	assert.Equal(t, 6, rec.calls)
	rec.mu.Unlock()
}

func TestPaginationHeaders(t *testing.T) {
	c := start(t, Config{})
	resp, raw := c.do("GET", "/api/v1/products?limit=10&page=2", nil)
	require.Equal(t, 200, resp.StatusCode)
	var items []voucherProduct
	require.NoError(t, json.Unmarshal(raw, &items))
	n := len(voucherProducts)
	assert.Len(t, items, 10)
	assert.Equal(t, voucherProducts[10].ID, items[0].ID)
	h := resp.Header
	assert.Equal(t, "2", h.Get("X-Page"))
	assert.Equal(t, "10", h.Get("X-Per-Page"))
	assert.Equal(t, strconv.Itoa(n), h.Get("X-Total-Count"))
	assert.Equal(t, strconv.Itoa((n+9)/10), h.Get("X-Total-Pages"))
	assert.Equal(t, "10", h.Get("X-Page-Size"))
	assert.Equal(t, "true", h.Get("X-Has-More"))

	resp, raw = c.do("GET", "/api/v1/products?limit=10&page=4", nil)
	require.NoError(t, json.Unmarshal(raw, &items))
	assert.Len(t, items, n-30)
	assert.Equal(t, "false", resp.Header.Get("X-Has-More"))

	for i := 0; i < 7; i++ {
		require.Equal(t, 200, c.call("POST", "/api/v1/topups/orders", map[string]any{
			"product_id": 4218, "amount": 0.99, "input_data": map[string]string{"player_id": "123456"}}, nil))
	}
	resp, raw = c.do("GET", "/api/v1/topups/orders?per_page=3&page=3", nil)
	var orders []testOrder
	require.NoError(t, json.Unmarshal(raw, &orders))
	require.Len(t, orders, 1)
	assert.Equal(t, "1", resp.Header.Get("X-Page-Size"))
	assert.Equal(t, "3", resp.Header.Get("X-Total-Pages"))
	resp, raw = c.do("GET", "/api/v1/topups/orders?per_page=3", nil)
	assert.Equal(t, "true", resp.Header.Get("X-Has-More"), "page 1 of 3")
	require.NoError(t, json.Unmarshal(raw, &orders))
	assert.True(t, orders[0].ID > orders[1].ID && orders[1].ID > orders[2].ID, "newest first")

	var e errBody
	for _, p := range []string{"/api/v1/orders?limit=501", "/api/v1/topups/orders?per_page=0", "/api/v1/products?page=0",
		"/api/v1/transactions?wallet_id=0", "/api/v1/orders?status=WEIRD", "/api/v1/topups/orders?country=ind"} {
		assert.Equal(t, 400, c.call("GET", p, nil, &e), p)
		assert.Equal(t, "VALIDATION_FAILURE", e.Error.Code, p)
	}
}

func TestCatalogue(t *testing.T) {
	c := start(t, Config{})
	var us country
	require.Equal(t, 200, c.call("GET", "/api/v1/countries/1", nil, &us))
	assert.Equal(t, "US", us.Alpha2)
	var e errBody
	for _, p := range []string{"/api/v1/countries/0", "/api/v1/countries/2147483648", "/api/v1/countries/x"} {
		assert.Equal(t, 400, c.call("GET", p, nil, &e), p)
		assert.Equal(t, "Invalid country ID", e.Error.Message)
	}
	assert.Equal(t, 400, c.call("GET", "/api/v1/products?country_id=-1", nil, &e))
	assert.Equal(t, "Invalid country ID", e.Error.Message)
	var curs []currency
	require.Equal(t, 200, c.call("GET", "/api/v1/currencies", nil, &curs))
	assert.Equal(t, currency{1, "US Dollar", "USD", 2}, curs[0])
	assert.Equal(t, currency{2, "Euro", "EUR", 2}, curs[1])

	var gaming []voucherProduct
	require.Equal(t, 200, c.call("GET", "/api/v1/products?category=gaming&currency_id=1&search=steam", nil, &gaming))
	require.Len(t, gaming, 1)
	assert.Equal(t, int64(1001), gaming[0].ID)

	var tps []topupProductItem
	require.Equal(t, 200, c.call("GET", "/api/v1/topups/products?type=MOBILE", nil, &tps))
	for _, p := range tps {
		assert.Equal(t, "MOBILE", p.TopupType)
	}
	var pubg topupProduct
	require.Equal(t, 200, c.call("GET", "/api/v1/topups/products/4218", nil, &pubg))
	assert.Equal(t, "GLO", pubg.CountryCode)
	require.NotEmpty(t, pubg.InputFields)
	assert.Equal(t, "player_id", pubg.InputFields[0].Name)
	assert.True(t, pubg.InputFields[0].Required)
	var vars []topupVariant
	require.Equal(t, 200, c.call("GET", "/api/v1/topups/products/4219/variants", nil, &vars))
	cats := map[string]bool{}
	for _, v := range vars {
		cats[v.Category] = true
	}
	assert.Equal(t, map[string]bool{"Airtime": true, "Data": true, "Bundle": true}, cats)
	var hits []struct {
		ProductID  int64 `json:"product_id"`
		Identified bool
	}
	require.Equal(t, 200, c.call("POST", "/api/v1/topups/lookup", map[string]string{"mobile_number": "+918879685100"}, &hits))
	require.NotEmpty(t, hits)
	assert.Equal(t, int64(4219), hits[0].ProductID)
	assert.Equal(t, 400, c.call("POST", "/api/v1/topups/lookup", map[string]string{}, &e))
	assert.Equal(t, "mobile_number is required", e.Error.Message)

	var jp esimProduct
	require.Equal(t, 200, c.call("GET", "/api/v1/esim/products/712", nil, &jp))
	require.NotEmpty(t, jp.Variants)
	assert.Equal(t, esimVariant{ID: 5511, ESIMProductID: 712, Name: "Japan 1 GB / 7 days", Description: jp.Variants[0].Description,
		CurrencyCode: "USD", Amount: 4.50, DataAmountGB: 1, ValidityDays: 7, ClientDiscount: 5}, jp.Variants[0])
	var glo []esimProduct
	require.Equal(t, 200, c.call("GET", "/api/v1/esim/products?country_code=GLO", nil, &glo))
	assert.NotEmpty(t, glo)
	for _, p := range glo {
		assert.Equal(t, "GLO", p.CountryCode)
		assert.Empty(t, p.Variants)
	}
	var ws []wallet
	require.Equal(t, 200, c.call("GET", "/api/v1/wallets", nil, &ws))
	require.Len(t, ws, 2)
	for _, w := range ws {
		assert.Equal(t, "PREPAID", w.Type)
		assert.Equal(t, initialBalance, w.Amount)
	}
}

func TestNotificationEmail(t *testing.T) {
	c := start(t, Config{})
	var o testOrder
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 5, 1, ""), &o))
	var got testOrder
	require.Equal(t, 200, c.call("PATCH", path("/api/v1/orders/", o.ID)+"/notification-email", map[string]string{"email": "a@b.co"}, &got))
	require.NotNil(t, got.Email)
	assert.Equal(t, "a@b.co", *got.Email)
	assert.Equal(t, o.ID, got.ID)
	var e errBody
	assert.Equal(t, 400, c.call("PATCH", path("/api/v1/orders/", o.ID)+"/notification-email", map[string]string{"email": "not-an-email"}, &e))
	assert.Equal(t, "VALIDATION_FAILURE", e.Error.Code)
	var list []testOrder
	require.Equal(t, 200, c.call("GET", "/api/v1/orders", nil, &list))
	require.NotNil(t, list[0].Email)
	assert.Equal(t, "a@b.co", *list[0].Email)

	var tp, es testOrder
	require.Equal(t, 200, c.call("POST", "/api/v1/topups/orders", map[string]any{
		"product_id": 4218, "amount": 0.99, "input_data": map[string]string{"player_id": "123456"}}, &tp))
	require.Equal(t, 200, c.call("PATCH", path("/api/v1/topups/orders/", tp.ID)+"/notification-email", map[string]string{"email": "t@b.co"}, &got))
	assert.Equal(t, "t@b.co", *got.Email)
	require.Equal(t, 200, c.call("POST", "/api/v1/esim/orders", map[string]any{"product_id": 712, "amount": 4.5}, &es))
	require.Equal(t, 200, c.call("PATCH", path("/api/v1/esim/orders/", es.ID)+"/notification-email", map[string]string{"email": "e@b.co"}, &got))
	assert.Equal(t, "e@b.co", *got.Email)
	assert.Equal(t, 404, c.call("PATCH", "/api/v1/esim/orders/1/notification-email", map[string]string{"email": "e@b.co"}, &e))
}

func TestFaults(t *testing.T) {
	c := start(t, Config{Faults: Faults{ServerError: 1}})
	var e errBody
	assert.Equal(t, 500, c.call("GET", "/api/v1/countries", nil, &e))
	assert.Equal(t, "INTERNAL_SERVER_ERROR", e.Error.Code)
	assert.Equal(t, 200, c.call("POST", "/auth/login", map[string]string{"username": DemoAPIKey, "password": DemoAPISecret}, nil), "auth is exempt")

	c = start(t, Config{Faults: Faults{Malformed: 1}})
	resp, raw := c.do("GET", "/api/v1/countries", nil)
	assert.Equal(t, 200, resp.StatusCode)
	assert.False(t, json.Valid(raw), "truncated body")
	assert.NotEmpty(t, raw)

	c = start(t, Config{Faults: Faults{TooMany: 1}})
	resp, _ = c.do("GET", "/api/v1/countries", nil)
	assert.Equal(t, 429, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))

	c = start(t, Config{Faults: Faults{Drop: 1}})
	req, err := http.NewRequest("POST", c.base+"/api/v1/orders", bytes.NewBufferString(`{"product_id":1001,"denomination":5,"quantity":1,"client_reference":"lost-1"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+c.token)
	_, err = c.hc.Do(req)
	assert.Error(t, err, "connection dropped")
	// The order was still created: the lost-response case.
	c.s.mu.Lock()
	assert.Contains(t, c.s.byRef, "lost-1")
	c.s.mu.Unlock()
	assert.EqualValues(t, 1, c.s.Stats().FaultsInjected)
}

func TestHandlerWithHTTPTest(t *testing.T) {
	s, err := New(Config{TimeScale: fast})
	require.NoError(t, err)
	hs := httptest.NewServer(s.Handler())
	defer func() {
		hs.Close()
		require.NoError(t, s.Close())
	}()
	resp, err := http.Post(hs.URL+"/auth/login", "application/json", strings.NewReader(`{"username":"sandbox-demo-key","password":"sandbox-demo-secret"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	http.DefaultClient.CloseIdleConnections()
}

func TestTrafficAndCloseLeaveNothingRunning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	rec := &hookRecorder{fails: 1}
	hs := httptest.NewServer(rec)
	defer hs.Close()
	s, err := New(Config{TimeScale: fast, Seed: 7, TrafficPerMinute: 6000, WebhookURL: hs.URL})
	require.NoError(t, err)
	var mu sync.Mutex
	verts := map[string]int{}
	s.OnTransition(func(tr Transition) {
		mu.Lock()
		verts[tr.Vertical]++
		mu.Unlock()
	})
	require.NoError(t, s.Start())
	require.Eventually(t, func() bool {
		st := s.Stats()
		return st.Orders[VerticalVoucher] > 0 && st.Orders[VerticalTopup] > 0 && st.Orders[VerticalESIM] > 0 && st.WebhooksSent > 0
	}, 10*time.Second, 10*time.Millisecond)
	s.mu.Lock()
	for _, o := range s.orders[VerticalVoucher] {
		assert.True(t, strings.HasPrefix(o.ref, "shop-") || strings.HasPrefix(o.ref, "cancel-shop-"), o.ref)
	}
	s.mu.Unlock()
	require.NoError(t, s.Close())
	mu.Lock()
	assert.Positive(t, verts[VerticalTopup])
	mu.Unlock()
	hs.Close()
}

// Garbage in gives a JSON 400 everywhere and changes nothing.
func TestBadBodiesEverywhere(t *testing.T) {
	c := start(t, Config{})
	var o testOrder
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 5, 1, ""), &o))
	before := c.balance(1)
	paths := []string{
		"/auth/login", "/auth/refresh", "/api/v1/products/1001/availability", "/api/v1/products/1001/charges",
		"/api/v1/orders", "/api/v1/topups/lookup", "/api/v1/topups/charges", "/api/v1/topups/orders",
		"/api/v1/esim/charges", "/api/v1/esim/orders",
	}
	bodies := []string{"", "{", "[]", "null", `"x"`, "123", `{"product_id":"1001"}`, `{"amount":-1,"product_id":-5}`,
		`{"input_data":[1,2]}`, strings.Repeat("[", 10000), "{\"a\":1}{}"}
	for _, p := range paths {
		for _, b := range bodies {
			resp, raw := c.do("POST", p, b)
			var e errBody
			require.NoError(t, json.Unmarshal(raw, &e), "%s %q: %s", p, b, raw)
			assert.Contains(t, []int{400, 401, 404}, resp.StatusCode, "%s %q", p, b)
			assert.NotEmpty(t, e.Error.Code, "%s %q", p, b)
		}
	}
	resp, _ := c.do("PATCH", path("/api/v1/orders/", o.ID)+"/notification-email", "{")
	assert.Equal(t, 400, resp.StatusCode)
	resp, _ = c.do("GET", "/api/v1/orders?page=99999999999999999", nil)
	assert.Equal(t, 400, resp.StatusCode)
	resp, _ = c.do("DELETE", "/api/v1/orders", nil)
	assert.Equal(t, 404, resp.StatusCode)
	assert.InDelta(t, before, c.balance(1), 1e-9)
	var list []testOrder
	require.Equal(t, 200, c.call("GET", "/api/v1/orders", nil, &list))
	assert.Len(t, list, 1)
}

// An eSIM create waiting out its 60 s in real time returns as soon as the
// server closes.
func TestCloseReleasesWaitingESIMHandler(t *testing.T) {
	s, err := New(Config{TimeScale: 1})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &client{t: t, s: s, base: s.URL(), hc: &http.Client{Transport: tr}}
	c.login()
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", c.base+"/api/v1/esim/orders", strings.NewReader(`{"product_id":999,"amount":1}`))
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := c.hc.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	require.Eventually(t, func() bool { return s.Stats().Orders[VerticalESIM] == 1 }, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, s.Close())
	select {
	case code := <-done:
		assert.Equal(t, 200, code, "the handler answered with the stored state")
	case <-time.After(5 * time.Second):
		t.Fatal("handler still waiting after Close")
	}
}

// TrafficFor ends the background orders; what was placed still advances.
func TestTrafficForStopsPlacing(t *testing.T) {
	s, err := New(Config{TimeScale: fast, Seed: 7, TrafficPerMinute: 6000, TrafficFor: 150 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	defer s.Close()
	total := func() (n int64) {
		for _, c := range s.Stats().Orders {
			n += c
		}
		return n
	}
	require.Eventually(t, func() bool { return total() > TrafficBurst }, 5*time.Second, 5*time.Millisecond,
		"orders arrive after the burst")
	time.Sleep(400 * time.Millisecond)
	after := total()
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, after, total(), "no order placed once the traffic ended")
}
