package oneclick

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type harness struct {
	t     *testing.T
	s     *Server
	ts    *httptest.Server
	clock *fakeClock
	hc    *http.Client
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	clk := &fakeClock{t: time.Date(2025, 10, 29, 0, 35, 59, 0, time.UTC)}
	if cfg.Now == nil {
		cfg.Now = clk.Now
	}
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = -1
	}
	s, err := New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(s.Handler())
	tr := &http.Transport{}
	h := &harness{t: t, s: s, ts: ts, clock: clk, hc: &http.Client{Transport: tr}}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		ts.Close()
		_ = s.Close()
	})
	return h
}

type resp struct {
	status int
	hdr    http.Header
	raw    []byte
	env    map[string]any
}

func (r resp) data() map[string]any { m, _ := r.env["data"].(map[string]any); return m }
func (r resp) errObj() map[string]any {
	m, _ := r.env["error"].(map[string]any)
	return m
}
func (r resp) code() string { c, _ := r.errObj()["code"].(string); return c }
func (r resp) details() map[string]any {
	m, _ := r.errObj()["details"].(map[string]any)
	return m
}

func (h *harness) doKey(method, path, key, body string) resp {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.ts.URL+path, rd)
	require.NoError(h.t, err)
	if key != "" {
		req.Header.Set("X-Access-Token", key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := h.hc.Do(req)
	require.NoError(h.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(h.t, err)
	r := resp{status: res.StatusCode, hdr: res.Header, raw: b}
	_ = json.Unmarshal(b, &r.env)
	return r
}

func (h *harness) do(method, path, body string) resp {
	h.t.Helper()
	return h.doKey(method, path, SandboxAPIKey, body)
}

func (h *harness) get(path string) resp { h.t.Helper(); return h.do("GET", path, "") }

func (h *harness) balance() float64 {
	h.t.Helper()
	r := h.get("/v3/account/balance")
	require.Equal(h.t, 200, r.status, string(r.raw))
	return r.data()["balance"].(float64)
}

func (h *harness) sendMobile(plan, msisdn string, amount int, ref string) resp {
	h.t.Helper()
	m := map[string]any{"plan_code": plan, "MSSIDN": msisdn, "amount": amount}
	if ref != "" {
		m["ref"] = ref
	}
	b, _ := json.Marshal(m)
	return h.do("POST", "/v3/mobile/send", string(b))
}

func (h *harness) mobileStatus(id string) map[string]any {
	h.t.Helper()
	r := h.get("/v3/mobile/check-id/" + id)
	require.Equal(h.t, 200, r.status, string(r.raw))
	return r.data()
}

func TestEnvelopeAndValidate(t *testing.T) {
	h := newHarness(t, Config{Seed: 1})
	r := h.get("/v3/validate")
	require.Equal(t, 200, r.status)
	assert.Equal(t, true, r.env["success"])
	assert.Regexp(t, `^req_\d+_[a-z0-9]+$`, r.env["requestId"])
	meta := r.env["meta"].(map[string]any)
	assert.Equal(t, "2025-10-29T00:35:59.000Z", meta["timestamp"])
	assert.Equal(t, Username, r.data()["username"])
	key := r.data()["apiKey"].(map[string]any)
	assert.Equal(t, "SANDBOX", key["type"])
	assert.Equal(t, true, key["isEnabled"])

	r = h.get("/v3/nope")
	assert.Equal(t, 404, r.status)
	assert.Equal(t, "NOT_FOUND", r.code())
	assert.Equal(t, false, r.env["success"])
	assert.NotEmpty(t, r.env["requestId"])
}

func TestMobileSuccessFlowAndBalance(t *testing.T) {
	h := newHarness(t, Config{Seed: 1})
	r := h.sendMobile("PREPAID_DJEZZY", "0778037340", 500, "")
	require.Equal(t, 200, r.status, string(r.raw))
	id := r.data()["topupId"].(string)
	assert.Regexp(t, `^[0-9a-f]{24}$`, id)
	assert.Regexp(t, `^API-\+213665983439-test-\d+-success$`, r.data()["topupRef"])
	assert.InDelta(t, InitialBalance-496.25, h.balance(), 0.001)

	st := h.mobileStatus(id)
	assert.Equal(t, "PENDING", st["status"])
	assert.Equal(t, "0778037340", st["MSSIDN"])
	assert.Equal(t, 500.0, st["topup_amount"])
	assert.Equal(t, 496.25, st["balance_amount"])
	h.clock.Advance(5 * time.Second)
	assert.Equal(t, "HANDLING", h.mobileStatus(id)["status"])
	h.clock.Advance(15 * time.Second)
	assert.Equal(t, "FULFILLED", h.mobileStatus(id)["status"])

	byRef := h.get("/v3/mobile/check-ref/" + r.data()["topupRef"].(string))
	require.Equal(t, 200, byRef.status)
	assert.Equal(t, id, byRef.data()["_id"])

	tx := h.get("/v3/account/transactions").data()["items"].([]any)
	require.Len(t, tx, 2)
	first := tx[0].(map[string]any)
	assert.Equal(t, "FLEXY", first["type"])
	assert.Equal(t, id, first["objid"])
	assert.Equal(t, InitialBalance, first["oldBalance"])
}

func TestMobileMagicNumbers(t *testing.T) {
	h := newHarness(t, Config{Seed: 2})
	refund := h.sendMobile("PREPAID_MOBILIS", NumberRefund, 1000, "")
	suggest := h.sendMobile("PREPAID_DJEZZY", NumberSuggest, 500, "")
	unknown := h.sendMobile("PREPAID_OOREDOO", NumberUnknown, 300, "")
	for _, r := range []resp{refund, suggest, unknown} {
		require.Equal(t, 200, r.status, string(r.raw))
	}
	assert.True(t, strings.HasSuffix(refund.data()["topupRef"].(string), "-refund"))
	assert.True(t, strings.HasSuffix(suggest.data()["topupRef"].(string), "-suggest"))
	before := h.balance()
	h.clock.Advance(20 * time.Second)

	rf := h.mobileStatus(refund.data()["topupId"].(string))
	assert.Equal(t, "REFUNDED", rf["status"])
	assert.Equal(t, 0.0, rf["balance_amount"])
	assert.NotEmpty(t, rf["refund_message"])
	assert.Nil(t, rf["suggested_offers"])

	sg := h.mobileStatus(suggest.data()["topupId"].(string))
	assert.Equal(t, "REFUNDED", sg["status"])
	assert.Equal(t, refundMessage, sg["refund_message"])
	offers := sg["suggested_offers"].([]any)
	require.Len(t, offers, 1)
	assert.Equal(t, "FACTURE_DJEZZY", offers[0].(map[string]any)["plan_code"])
	assert.Equal(t, 500.0, offers[0].(map[string]any)["amount"])

	// Both refunds came back; the uncertain one did not.
	assert.InDelta(t, before+960+496.25, h.balance(), 0.001)
	un := h.mobileStatus(unknown.data()["topupId"].(string))
	assert.Equal(t, "UNKNOWN_ERROR", un["status"])
	assert.NotEmpty(t, un["refund_message"])
	h.clock.Advance(2 * time.Hour)
	un = h.mobileStatus(unknown.data()["topupId"].(string))
	assert.Equal(t, "FULFILLED", un["status"])
	assert.Nil(t, un["refund_message"])

	types := map[string]int{}
	for _, it := range h.get("/v3/account/transactions").data()["items"].([]any) {
		types[it.(map[string]any)["type"].(string)]++
	}
	assert.Equal(t, 2, types["REFUND-FLEXY"])
	assert.Equal(t, 3, types["FLEXY"])
}

func TestMobileValidation(t *testing.T) {
	h := newHarness(t, Config{Seed: 3})
	cases := []struct {
		name, body   string
		status       int
		code, field  string
		msgSubstring string
	}{
		{"bad pattern", `{"plan_code":"PREPAID_DJEZZY","MSSIDN":"778037340","amount":500}`, 400, "ERR_VALIDATION", "MSSIDN", `body/MSSIDN must match pattern "^0[567][0-9]{8}$"`},
		{"plus213", `{"plan_code":"PREPAID_DJEZZY","MSSIDN":"+213778037340","amount":500}`, 400, "ERR_VALIDATION", "MSSIDN", "must match pattern"},
		{"number not string", `{"plan_code":"PREPAID_DJEZZY","MSSIDN":778037340,"amount":500}`, 400, "ERR_VALIDATION", "MSSIDN", "body/MSSIDN must be string"},
		{"missing plan", `{"MSSIDN":"0778037340","amount":500}`, 400, "ERR_VALIDATION", "plan_code", "required property 'plan_code'"},
		{"unknown plan", `{"plan_code":"NOPE","MSSIDN":"0778037340","amount":500}`, 400, "ERR_VALIDATION", "plan_code", "does not exist"},
		{"disabled plan", `{"plan_code":"PREPAID_PIXX","MSSIDN":"0778037340","amount":500}`, 400, "ERR_VALIDATION", "plan_code", "disabled"},
		{"operator mismatch", `{"plan_code":"PREPAID_MOBILIS","MSSIDN":"0778037340","amount":500}`, 400, "ERR_VALIDATION", "MSSIDN", "Djezzy number"},
		{"amount missing", `{"plan_code":"PREPAID_DJEZZY","MSSIDN":"0778037340"}`, 400, "ERR_VALIDATION", "amount", "required"},
		{"amount low", `{"plan_code":"PREPAID_DJEZZY","MSSIDN":"0778037340","amount":99}`, 400, "ERR_VALIDATION", "amount", "between 100 and 10000"},
		{"amount high", `{"plan_code":"PREPAID_MOBILIS","MSSIDN":"0661234567","amount":4000}`, 400, "ERR_VALIDATION", "amount", "between 40 and 3999"},
		{"amount float", `{"plan_code":"PREPAID_DJEZZY","MSSIDN":"0778037340","amount":500.5}`, 400, "ERR_VALIDATION", "amount", "must be integer"},
		{"not json", `{"plan_code":`, 400, "ERR_VALIDATION", "body", "body must be object"},
		{"balance", `{"plan_code":"GROS_MOBILIS","MSSIDN":"0661234567","amount":300000}`, 403, "INSUFFICIENT_BALANCE", "", "insufficient"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.do("POST", "/v3/mobile/send", c.body)
			require.Equal(t, c.status, r.status, string(r.raw))
			assert.Equal(t, c.code, r.code())
			assert.Contains(t, r.errObj()["message"], c.msgSubstring)
			if c.field != "" {
				assert.Equal(t, c.field, r.details()["field"])
			}
		})
	}
	d := h.do("POST", "/v3/mobile/send", cases[len(cases)-1].body).details()
	assert.Equal(t, 300000.0, d["required"])
	assert.Equal(t, InitialBalance, d["available"])
	// Nothing was created or debited by the rejected requests.
	assert.Equal(t, InitialBalance, h.balance())
	assert.Equal(t, 0.0, h.get("/v3/mobile/list").data()["pagination"].(map[string]any)["totalResults"])

	// A fixed plan ignores amount; an unknown prefix passes the operator check.
	r := h.do("POST", "/v3/mobile/send", `{"plan_code":"PIXX_500","MSSIDN":"0512345678","amount":3}`)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, 500.0, h.mobileStatus(r.data()["topupId"].(string))["topup_amount"])
}

func TestDuplicateRef(t *testing.T) {
	h := newHarness(t, Config{Seed: 4})
	require.Equal(t, 200, h.sendMobile("PREPAID_DJEZZY", "0778037340", 500, "order-12345").status)
	bal := h.balance()
	r := h.sendMobile("PREPAID_DJEZZY", "0778037340", 500, "order-12345")
	assert.Equal(t, 403, r.status)
	assert.Equal(t, "DUPLICATED_REF", r.code())
	assert.Equal(t, bal, h.balance())
	assert.Equal(t, "order-12345", h.get("/v3/mobile/check-ref/order-12345").data()["ref"])
	nf := h.get("/v3/mobile/check-ref/missing")
	assert.Equal(t, 404, nf.status)
	assert.Equal(t, "Top-up with reference 'missing' not found", nf.errObj()["message"])
}

func TestGetMenu(t *testing.T) {
	h := newHarness(t, Config{Seed: 5})
	r := h.sendMobile("GETMENU_Djezzy", "0778037340", 0, "")
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Equal(t, InitialBalance, h.balance())
	h.clock.Advance(time.Minute)
	st := h.mobileStatus(r.data()["topupId"].(string))
	assert.Equal(t, "FULFILLED", st["status"])
	assert.NotEmpty(t, st["suggested_offers"])
}

func TestPlans(t *testing.T) {
	h := newHarness(t, Config{})
	d := h.get("/v3/mobile/plans").data()
	dyn := d["dynamicPlans"].([]any)
	fix := d["fixedPlans"].([]any)
	codes := map[string]map[string]any{}
	for _, p := range append(dyn, fix...) {
		m := p.(map[string]any)
		codes[m["code"].(string)] = m
	}
	for _, c := range []string{"PREPAID_DJEZZY", "PREPAID_MOBILIS", "PREPAID_OOREDOO", "GROS_MOBILIS", "MIX500_MOBILIS", "PIXX_500", "FACTURE_DJEZZY", "GETMENU_Mobilis", "GETMENU_Ooredoo", "GETMENU_Djezzy"} {
		assert.Contains(t, codes, c)
	}
	assert.NotContains(t, codes["GROS_MOBILIS"], "cost")
	assert.Equal(t, 40.0, codes["PREPAID_MOBILIS"]["min_amount"])
	assert.Equal(t, 500.0, codes["PIXX_500"]["amount"])
}

func TestInternetFlows(t *testing.T) {
	h := newHarness(t, Config{Seed: 6})
	p := h.get("/v3/internet/products?type=ADSL").data()
	assert.Equal(t, "ADSL", p["type"])
	assert.Len(t, p["products"], 3)
	assert.Equal(t, "ERR_VALIDATION", h.get("/v3/internet/products").code())
	assert.Equal(t, "ERR_VALIDATION", h.get("/v3/internet/products?type=5G").code())

	cn := h.get("/v3/internet/check-number?type=ADSL&number=036362608")
	require.Equal(t, 200, cn.status)
	assert.Equal(t, "ADSL", cn.data()["type"])
	assert.Equal(t, "4GLTE", h.get("/v3/internet/check-number?type=4G&number=213472731602").data()["type"])
	for _, q := range []string{"type=ADSL&number=36362608", "type=ADSL&number=0363626081", "type=ADSL&number=213636362608", "type=4G&number=%2B213636362608", "type=4G&number=036362608"} {
		r := h.get("/v3/internet/check-number?" + q)
		assert.Equal(t, 400, r.status, q)
		assert.Equal(t, "ERR_PHONE", r.code(), q)
		assert.Equal(t, "Number does not match required format", r.details()["reason"])
	}

	ok := h.do("POST", "/v3/internet/send", `{"type":"ADSL","number":"036362608","value":1000}`)
	require.Equal(t, 200, ok.status, string(ok.raw))
	assert.Regexp(t, `^API-\+213665983439-test-internet-\d+$`, ok.data()["topupRef"])
	q := h.do("POST", "/v3/internet/send", `{"type":"ADSL","number":"099999999","value":500,"ref":"q-1"}`)
	rf := h.do("POST", "/v3/internet/send", `{"type":"4G","number":"213999999998","value":500}`)
	require.Equal(t, 200, q.status)
	require.Equal(t, 200, rf.status)
	assert.InDelta(t, InitialBalance-980-490-490, h.balance(), 0.001)

	check := func(r resp) map[string]any {
		c := h.get("/v3/internet/check-id/" + r.data()["topupId"].(string))
		require.Equal(t, 200, c.status)
		return c.data()
	}
	c := check(ok)
	assert.Equal(t, "HANDLING", c["status"])
	assert.Nil(t, c["card_code"])
	h.clock.Advance(15 * time.Second)
	c = check(ok)
	assert.Equal(t, "FULFILLED", c["status"])
	assert.Regexp(t, `^\d{12}$`, c["card_code"])
	assert.Regexp(t, `^AT-\d{4}-\d{5}$`, c["num_trans"])
	assert.NotEmpty(t, c["date_traitement"])
	assert.Equal(t, 1000.0, c["topup_amount"])
	assert.Equal(t, "QUEUED", check(q)["status"])
	assert.Equal(t, "REFUNDED", check(rf)["status"])
	assert.InDelta(t, InitialBalance-980-490, h.balance(), 0.001)
	h.clock.Advance(24 * time.Hour)
	assert.Equal(t, "FULFILLED", check(q)["status"])
	assert.Equal(t, "q-1", h.get("/v3/internet/check-ref/q-1").data()["ref"])

	for _, c := range []struct{ body, code string }{
		{`{"type":"ADSL","number":"36362608","value":500}`, "ERR_PHONE"},
		{`{"type":"ADSL","number":"036362608","value":700}`, "ERR_VALIDATION"},
		{`{"type":"4G","number":"213472731602","value":3000}`, "OUT_OF_STOCK"},
		{`{"type":"XDSL","number":"036362608","value":500}`, "ERR_VALIDATION"},
		{`{"type":"ADSL","number":"036362608","value":500,"ref":"q-1"}`, "DUPLICATED_REF"},
	} {
		assert.Equal(t, c.code, h.do("POST", "/v3/internet/send", c.body).code(), c.body)
	}
	items := h.get("/v3/internet/list").data()["items"].([]any)
	assert.Len(t, items, 3)
}

func (h *harness) placeGift(product, typ string, qty int) resp {
	b, _ := json.Marshal(map[string]any{"productId": product, "typeId": typ, "quantity": qty})
	return h.do("POST", "/v3/gift-cards/placeOrder", string(b))
}

func TestGiftCards(t *testing.T) {
	h := newHarness(t, Config{Seed: 7})
	cat := h.get("/v3/gift-cards/catalog")
	require.Equal(t, 200, cat.status)
	meta := cat.env["meta"].(map[string]any)
	assert.Equal(t, 3.0, meta["totalCategories"])
	assert.Equal(t, 7.0, meta["totalProducts"])
	assert.Len(t, cat.data()["categories"], 3)

	for _, path := range []string{"checkProduct", "check-product"} {
		p := h.get("/v3/gift-cards/" + path + "/" + PSNProductID)
		require.Equal(t, 200, p.status)
		assert.Equal(t, "PlayStation Network", p.data()["productTitle"])
		assert.Len(t, p.data()["types"], 5)
	}
	assert.Equal(t, 404, h.get("/v3/gift-cards/checkProduct/000000000000000000000000").status)

	partial := h.placeGift(PSNProductID, TypePartial, 4)
	require.Equal(t, 200, partial.status, string(partial.raw))
	refund := h.placeGift(PSNProductID, TypeRefund, 2)
	full := h.do("POST", "/v3/gift-cards/place-order", `{"productId":"`+PSNProductID+`","typeId":"type_001","quantity":2}`)
	require.Equal(t, 200, full.status, string(full.raw))
	assert.InDelta(t, InitialBalance-8*490, h.balance(), 0.001)

	order := func(r resp) map[string]any {
		c := h.get("/v3/gift-cards/checkOrder/" + r.data()["orderId"].(string))
		require.Equal(t, 200, c.status)
		return c.data()
	}
	o := order(partial)
	assert.Equal(t, "HANDLING", o["status"])
	assert.Nil(t, o["cards"])
	h.clock.Advance(10 * time.Second)
	o = order(partial)
	assert.Equal(t, "PARTIALLY_FILLED", o["status"])
	assert.Equal(t, 2.0, o["fulfilled_quantity"])
	assert.Equal(t, 980.0, o["fulfilled_amount"])
	assert.Equal(t, 490.0, o["price_per_card"])
	assert.Len(t, o["cards"], 2)
	r := order(refund)
	assert.Equal(t, "REFUNDED", r["status"])
	assert.Empty(t, r["cards"])
	f := h.get("/v3/gift-cards/check-order/" + full.data()["orderId"].(string)).data()
	assert.Equal(t, "FULFILLED", f["status"])
	cards := f["cards"].([]any)
	require.Len(t, cards, 2)
	assert.Equal(t, map[string]any{"value": "SANDBOX-CARD-1", "serial": "SANDBOX-1"}, cards[0])
	// 2 undelivered partial cards + 2 refunded cards came back.
	assert.InDelta(t, InitialBalance-4*490, h.balance(), 0.001)

	var refundOrders []map[string]any
	for _, it := range h.get("/v3/account/transactions").data()["items"].([]any) {
		if m := it.(map[string]any); m["type"] == "REFUND-ORDER" {
			refundOrders = append(refundOrders, m)
		}
	}
	require.Len(t, refundOrders, 2)
	ids := []any{refundOrders[0]["objid"], refundOrders[1]["objid"]}
	assert.Contains(t, ids, partial.data()["orderId"])

	list := h.get("/v3/gift-cards/list?pageSize=2")
	assert.Len(t, list.data()["items"], 2)
	assert.Equal(t, 2.0, list.data()["pagination"].(map[string]any)["totalPages"])

	for _, c := range []struct {
		typ    string
		qty    int
		status int
		code   string
		msg    string
	}{
		{"type_003", 1, 400, "OUT_OF_STOCK", "Product out of stock"},
		{"type_002", 88, 400, "ERR_VALIDATION", "must be <= 50"},
		{"type_001", 0, 400, "ERR_VALIDATION", "must be >= 1"},
		{"nope", 1, 400, "ERR_VALIDATION", "does not exist"},
	} {
		r := h.placeGift(PSNProductID, c.typ, c.qty)
		assert.Equal(t, c.status, r.status, c.typ)
		assert.Equal(t, c.code, r.code(), c.typ)
		assert.Contains(t, r.errObj()["message"], c.msg)
	}
	assert.Equal(t, "ERR_VALIDATION", h.placeGift("507f1f77bcf86cd799439017", "type_061", 1).code())
	assert.Equal(t, 404, h.placeGift("000000000000000000000000", "type_001", 1).status)
	stock := h.get("/v3/gift-cards/checkProduct/" + PSNProductID).data()["types"].([]any)[0].(map[string]any)
	assert.Equal(t, 148.0, stock["quantity"])
	r2 := h.placeGift("507f1f77bcf86cd799439012", "type_012", 10)
	require.Equal(t, 200, r2.status, string(r2.raw))
	r3 := h.placeGift("507f1f77bcf86cd799439012", "type_012", 3)
	assert.Equal(t, "OUT_OF_STOCK", r3.code())
	assert.Contains(t, r3.errObj()["message"], "only 2 left")
}

func TestGiftInsufficientBalance(t *testing.T) {
	h := newHarness(t, Config{Seed: 8})
	r := h.placeGift("507f1f77bcf86cd799439014", "type_032", 5) // 27,500
	require.Equal(t, 200, r.status)
	r = h.placeGift("507f1f77bcf86cd799439013", "type_021", 10) // 27,500 > 22,500
	assert.Equal(t, 403, r.status)
	assert.Equal(t, "INSUFFICIENT_BALANCE", r.code())
	assert.Equal(t, "Not enough balance", r.errObj()["message"])
}

func TestListsPaginationAndDates(t *testing.T) {
	h := newHarness(t, Config{Seed: 9})
	var ids []string
	for i := range 5 {
		r := h.sendMobile("PREPAID_DJEZZY", "0778037340", 100+i, "")
		require.Equal(t, 200, r.status)
		ids = append(ids, r.data()["topupId"].(string))
		h.clock.Advance(time.Minute)
	}
	l := h.get("/v3/mobile/list?page=1&pageSize=2")
	items := l.data()["items"].([]any)
	require.Len(t, items, 2)
	assert.Equal(t, ids[4], items[0].(map[string]any)["_id"], "newest first")
	assert.Equal(t, map[string]any{"page": 1.0, "pageSize": 2.0, "totalPages": 3.0, "totalResults": 5.0}, l.data()["pagination"])
	assert.Len(t, h.get("/v3/mobile/list?page=3&pageSize=2").data()["items"], 1)
	assert.Len(t, h.get("/v3/mobile/list?page=9").data()["items"], 0)

	from := time.Date(2025, 10, 29, 0, 36, 30, 0, time.UTC).Format(time.RFC3339)
	to := time.Date(2025, 10, 29, 0, 38, 30, 0, time.UTC).Format(time.RFC3339)
	r := h.get("/v3/mobile/list?from=" + from + "&to=" + to)
	require.Equal(t, 200, r.status, string(r.raw))
	assert.Len(t, r.data()["items"], 2)

	for _, q := range []string{"page=0", "pageSize=101", "pageSize=x", "from=" + from, "to=" + to, "from=yesterday&to=" + to} {
		r := h.get("/v3/mobile/list?" + q)
		assert.Equal(t, 400, r.status, q)
		assert.Equal(t, "ERR_VALIDATION", r.code(), q)
	}
	assert.Equal(t, 400, h.get("/v3/account/transactions?from="+from).status)
	assert.Equal(t, 200, h.get("/v3/internet/list?from="+from).status)
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t, Config{RatePerMinute: 3})
	for range 3 {
		require.Equal(t, 200, h.get("/v3/account/balance").status)
	}
	h.clock.Advance(20 * time.Second)
	r := h.get("/v3/account/balance")
	assert.Equal(t, 429, r.status)
	assert.Equal(t, "TOO_MANY_REQUESTS", r.code())
	assert.Equal(t, "40", r.hdr.Get("Retry-After"))
	assert.Equal(t, false, r.env["success"])
	h.clock.Advance(40 * time.Second)
	assert.Equal(t, 200, h.get("/v3/account/balance").status)
}

func TestAuthLockout(t *testing.T) {
	h := newHarness(t, Config{})
	r := h.doKey("GET", "/v3/account/balance", "", "")
	assert.Equal(t, 401, r.status)
	assert.Equal(t, "MISSING_ACCESS_TOKEN", r.code())
	for left := 4; left >= 1; left-- {
		r := h.doKey("GET", "/v3/account/balance", "ea27b376-9f5c-4b09-883f-1b96cd7b541c", "")
		require.Equal(t, 401, r.status)
		assert.Equal(t, "INVALID_ACCESS_TOKEN", r.code())
		assert.Equal(t, float64(left), r.details()["attemptsLeft"])
	}
	r = h.doKey("GET", "/v3/account/balance", "bad", "")
	assert.Equal(t, 403, r.status)
	assert.Equal(t, "IP_BLOCKED", r.code())
	assert.Contains(t, r.errObj()["message"], "temporarily blocked")
	// Even the right key is refused while blocked.
	assert.Equal(t, "IP_BLOCKED", h.get("/v3/account/balance").code())
	h.clock.Advance(15 * time.Minute)
	assert.Equal(t, 200, h.get("/v3/account/balance").status)
	assert.Equal(t, 4.0, h.doKey("GET", "/v3/validate", "bad", "").details()["attemptsLeft"])
}

func TestFaults(t *testing.T) {
	t.Run("server error has no side effect", func(t *testing.T) {
		h := newHarness(t, Config{Faults: Faults{ServerError: 1}})
		r := h.sendMobile("PREPAID_DJEZZY", "0778037340", 500, "x1")
		assert.Equal(t, 500, r.status)
		assert.Equal(t, "INTERNAL_ERROR", r.code())
		h.s.SetFaults(Faults{})
		assert.Equal(t, InitialBalance, h.balance())
	})
	t.Run("drop still creates", func(t *testing.T) {
		h := newHarness(t, Config{Faults: Faults{Drop: 1}})
		req, _ := http.NewRequest("POST", h.ts.URL+"/v3/mobile/send", strings.NewReader(`{"plan_code":"PREPAID_DJEZZY","MSSIDN":"0778037340","amount":500,"ref":"lost"}`))
		req.Header.Set("X-Access-Token", SandboxAPIKey)
		_, err := h.hc.Do(req)
		require.Error(t, err)
		h.s.SetFaults(Faults{})
		assert.Equal(t, 200, h.get("/v3/mobile/check-ref/lost").status)
	})
	t.Run("malformed", func(t *testing.T) {
		h := newHarness(t, Config{Faults: Faults{Malformed: 1}})
		r := h.get("/v3/account/balance")
		assert.Equal(t, 200, r.status)
		assert.Error(t, json.Unmarshal(r.raw, new(map[string]any)))
	})
	t.Run("too many", func(t *testing.T) {
		h := newHarness(t, Config{Faults: Faults{TooMany: 1}})
		r := h.get("/v3/account/balance")
		assert.Equal(t, 429, r.status)
		assert.Equal(t, "1", r.hdr.Get("Retry-After"))
	})
}

func TestTimeScaleAndTransitions(t *testing.T) {
	h := newHarness(t, Config{TimeScale: 0.1})
	var mu sync.Mutex
	var got []Transition
	h.s.OnTransition(func(tr Transition) { mu.Lock(); got = append(got, tr); mu.Unlock() })
	r := h.sendMobile("PREPAID_DJEZZY", "0778037340", 500, "t-1")
	id := r.data()["topupId"].(string)
	h.clock.Advance(500 * time.Millisecond)
	assert.Equal(t, "HANDLING", h.mobileStatus(id)["status"])
	h.clock.Advance(1500 * time.Millisecond)
	assert.Equal(t, "FULFILLED", h.mobileStatus(id)["status"])
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 3)
	assert.Equal(t, Transition{Vertical: "mobile", ID: id, Ref: "t-1", From: "", To: "PENDING", At: got[0].At}, got[0])
	assert.Equal(t, "PENDING", got[1].From)
	assert.Equal(t, "HANDLING", got[1].To)
	assert.Equal(t, "FULFILLED", got[2].To)
	assert.Equal(t, got[0].At.Add(2*time.Second), got[2].At)
}

func TestDeterministicWithSeed(t *testing.T) {
	run := func() []string {
		h := newHarness(t, Config{Seed: 42})
		var out []string
		for _, n := range []string{"0778037340", "0661234567"} {
			out = append(out, h.sendMobile("PREPAID_DJEZZY", "0778037340", 500, "").data()["topupId"].(string), n)
		}
		r := h.do("POST", "/v3/internet/send", `{"type":"ADSL","number":"036362608","value":500}`)
		h.clock.Advance(time.Minute)
		out = append(out, h.get("/v3/internet/check-id/" + r.data()["topupId"].(string)).data()["card_code"].(string))
		return out
	}
	assert.Equal(t, run(), run())
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, c := range []Config{
		{Addr: "0.0.0.0:0"}, {Addr: "example.com:80"}, {Addr: "nonsense"}, {TimeScale: -1},
		{TrafficPerMinute: -1}, {Faults: Faults{Drop: 2}}, {Faults: Faults{Latency: -1}},
	} {
		_, err := New(c)
		assert.Error(t, err, "%+v", c)
	}
}

func TestStartTrafficCloseNoLeak(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s, err := New(Config{Seed: 11, TimeScale: 0.001, TrafficPerMinute: 6000})
	require.NoError(t, err)
	seen := make(chan Transition, 1000)
	s.OnTransition(func(tr Transition) {
		select {
		case seen <- tr:
		default:
		}
	})
	require.NoError(t, s.Start())
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.URL())
	// Traffic produces orders that reach a final state without requests.
	deadline := time.After(10 * time.Second)
	final := false
	for !final {
		select {
		case tr := <-seen:
			final = tr.To == "FULFILLED"
		case <-deadline:
			t.Fatal("no traffic transition reached FULFILLED")
		}
	}
	tr := &http.Transport{}
	req, _ := http.NewRequest("GET", s.URL()+"/v3/account/transactions", nil)
	req.Header.Set("X-Access-Token", s.APIKey())
	res, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	var env map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&env))
	res.Body.Close()
	tr.CloseIdleConnections()
	assert.Greater(t, len(env["data"].(map[string]any)["items"].([]any)), 1)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	assert.Error(t, s.Start())
}

func TestRunPrintsExports(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var buf bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(p) })
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Config{}, w) }()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Count(buf.String(), "\n") == 2
	}, 5*time.Second, 5*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	mu.Lock()
	defer mu.Unlock()
	assert.Regexp(t, `^export ONECLICKDZ_BASE_URL=http://127\.0\.0\.1:\d+\nexport ONECLICKDZ_API_KEY=`+SandboxAPIKey+`\n$`, buf.String())
	assert.Error(t, Run(context.Background(), Config{Addr: "10.0.0.1:0"}, io.Discard))
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TrafficFor ends the background orders; what was placed still advances.
func TestTrafficForStopsPlacing(t *testing.T) {
	s, err := New(Config{Seed: 11, TimeScale: 0.001, TrafficPerMinute: 6000, TrafficFor: 150 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, s.Start())
	defer s.Close()
	count := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.st.orders)
	}
	require.Eventually(t, func() bool { return count() > TrafficBurst }, 5*time.Second, 5*time.Millisecond,
		"orders arrive after the burst")
	time.Sleep(400 * time.Millisecond)
	after := count()
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, after, count(), "no order placed once the traffic ended")
}
