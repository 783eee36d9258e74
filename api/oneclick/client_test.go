package oneclick

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testKey = "ea27b376-9f5c-4b09-883f-1b96cd7b541c"

// fake serves one canned answer and records requests.
type fake struct {
	mu     sync.Mutex
	status int
	body   string
	header map[string]string
	reqs   []*http.Request
	bodies []string
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.bodies = append(f.bodies, string(b))
	status, body, hdr := f.status, f.body, f.header
	f.mu.Unlock()
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	if status == 0 {
		status = 200
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func newFake(t *testing.T, status int, body string) (*Client, *fake) {
	t.Helper()
	f := &fake{status: status, body: body}
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	var logs []string
	var mu sync.Mutex
	c, err := New(Config{BaseURL: ts.URL, APIKey: testKey, Timeout: 5 * time.Second, Logf: func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	require.NoError(t, err)
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range logs {
			assert.NotContains(t, l, testKey, "the key leaked into a log line")
		}
	})
	return c, f
}

func TestNewValidates(t *testing.T) {
	for _, c := range []Config{
		{BaseURL: "http://api.oneclickdz.com", APIKey: "k"},
		{BaseURL: "ftp://127.0.0.1", APIKey: "k"},
		{BaseURL: "::", APIKey: "k"},
		{BaseURL: "https://api.oneclickdz.com", APIKey: ""},
		{BaseURL: "https://api.oneclickdz.com", APIKey: "   "},
		{BaseURL: "https://api.oneclickdz.com", APIKey: "k", Timeout: -1},
	} {
		_, err := New(c)
		assert.Error(t, err, "%+v", c)
	}
	c, err := New(Config{BaseURL: "https://api.oneclickdz.com/", APIKey: testKey})
	require.NoError(t, err)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", c, c, c), testKey)
	_, err = New(Config{BaseURL: "http://127.0.0.1:9", APIKey: testKey})
	assert.NoError(t, err)
}

func TestRequestShape(t *testing.T) {
	c, f := newFake(t, 200, `{"success":true,"data":{"topupId":"6901616fe9e88196b4eb64b0","topupRef":"order-12345","newBalance":826.13},"meta":{"timestamp":"2025-10-29T00:35:59.454Z"},"requestId":"req_1730462400_abc123"}`)
	res, err := c.MobileSend(context.Background(), MobileSendRequest{PlanCode: "PREPAID_DJEZZY", MSISDN: "0778037340", Amount: 500, Ref: "order-12345"})
	require.NoError(t, err)
	assert.Equal(t, SendResult{TopupID: "6901616fe9e88196b4eb64b0", TopupRef: "order-12345", NewBalance: 826.13, HasNewBalance: true}, res)
	require.Len(t, f.reqs, 1)
	r := f.reqs[0]
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/v3/mobile/send", r.URL.Path)
	assert.Equal(t, testKey, r.Header.Get("X-Access-Token"))
	assert.Empty(t, r.Header.Get("Authorization"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"plan_code":"PREPAID_DJEZZY","MSSIDN":"0778037340","amount":500,"ref":"order-12345"}`, f.bodies[0])

	_, err = c.MobileCheckRef(context.Background(), "a/b c")
	require.Error(t, err) // the canned body has no _id: decode error, but the path was escaped
	assert.Equal(t, "/v3/mobile/check-ref/a%2Fb%20c", f.reqs[1].URL.EscapedPath())

	_, _, _ = c.MobileList(context.Background(), ListOptions{Page: 2, PageSize: 50, From: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 10, 31, 23, 59, 59, 0, time.UTC)})
	assert.Equal(t, "from=2025-10-01T00%3A00%3A00Z&page=2&pageSize=50&to=2025-10-31T23%3A59%3A59Z", f.reqs[2].URL.RawQuery)
}

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		header   map[string]string
		kind     api.ErrorKind
		field    string
		contains string
	}{
		{"validation", 400, `{"success":false,"error":{"code":"ERR_VALIDATION","message":"body/MSSIDN must match pattern \"^0[567][0-9]{8}$\"","details":{"field":"MSSIDN","value":"778037340"}},"requestId":"req_1_a"}`, nil, api.KindValidation, "MSSIDN", "must match pattern"},
		{"validation field from message", 400, `{"success":false,"error":{"code":"ERR_VALIDATION","message":"body/amount must be integer"}}`, nil, api.KindValidation, "amount", ""},
		{"validation required", 400, `{"success":false,"error":{"code":"ERR_VALIDATION","message":"body must have required property 'plan_code'"}}`, nil, api.KindValidation, "plan_code", ""},
		{"err phone", 400, `{"success":false,"error":{"code":"ERR_PHONE","message":"Invalid phone number for ADSL service","details":{"number":"123456","type":"ADSL","reason":"Number does not match required format"}}}`, nil, api.KindValidation, "number", "Invalid phone number"},
		{"invalid phone", 400, `{"success":false,"error":{"code":"INVALID_PHONE","message":"Invalid phone"}}`, nil, api.KindValidation, "number", ""},
		{"missing token", 401, `{"success":false,"error":{"code":"MISSING_ACCESS_TOKEN","message":"Access token is required"}}`, nil, api.KindAuth, "", "not retried"},
		{"invalid token", 401, `{"success":false,"error":{"code":"INVALID_ACCESS_TOKEN","message":"The provided access token is invalid","details":{"attemptsLeft":3}}}`, nil, api.KindAuth, "", "3 attempts left"},
		{"err auth", 401, `{"success":false,"error":{"code":"ERR_AUTH","message":"bad"}}`, nil, api.KindAuth, "", "15 minutes"},
		{"bare 401", 401, `Unauthorized`, nil, api.KindAuth, "", "not retried"},
		{"ip blocked", 403, `{"success":false,"error":{"code":"IP_BLOCKED","message":"Your IP has been temporarily blocked due to too many invalid attempts"}}`, nil, api.KindForbidden, "", "temporarily blocked"},
		{"whitelist 403", 403, `{"success":false,"error":{"code":"FORBIDDEN","message":"IP not allowed"}}`, nil, api.KindForbidden, "", ""},
		{"insufficient", 403, `{"success":false,"error":{"code":"INSUFFICIENT_BALANCE","message":"Your balance is insufficient for this operation","details":{"required":490,"available":100.5}}}`, nil, api.KindInsufficientFunds, "", "required 490 DZD, available 100.50 DZD"},
		{"no balance", 403, `{"success":false,"error":{"code":"NO_BALANCE","message":"x"}}`, nil, api.KindInsufficientFunds, "", ""},
		{"balance prose", 403, `{"success":false,"error":{"message":"Not enough balance"}}`, nil, api.KindInsufficientFunds, "", ""},
		{"duplicated ref", 403, `{"success":false,"error":{"code":"DUPLICATED_REF","message":"This reference ID is already in use"}}`, nil, api.KindDuplicateReference, "", ""},
		{"400 naming the ref", 400, `{"success":false,"error":{"code":"BAD_REQUEST","message":"ref already exists"}}`, nil, api.KindDuplicateReference, "", ""},
		{"400 reference used", 400, `{"success":false,"error":{"message":"This reference is already used"}}`, nil, api.KindDuplicateReference, "", ""},
		{"400 ref type is validation", 400, `{"success":false,"error":{"code":"ERR_VALIDATION","message":"body/ref must be string"}}`, nil, api.KindValidation, "ref", ""},
		{"not found", 404, `{"success":false,"error":{"code":"NOT_FOUND","message":"Top-up with reference 'order-12345' not found"}}`, nil, api.KindNotFound, "", "order-12345"},
		{"bare 404", 404, `<html>nope</html>`, nil, api.KindNotFound, "", ""},
		{"429 with retry-after", 429, `{"success":false,"error":{"code":"TOO_MANY_REQUESTS","message":"slow down"}}`, map[string]string{"Retry-After": "12"}, api.KindRateLimited, "", ""},
		{"429 without", 429, ``, nil, api.KindRateLimited, "", ""},
		{"500", 500, `{"success":false,"error":{"code":"INTERNAL_ERROR","message":"boom"},"requestId":"req_9_z"}`, nil, api.KindServer, "", "do not refund"},
		{"503 html", 503, `<html>down</html>`, nil, api.KindServer, "", ""},
		{"out of stock", 400, `{"success":false,"error":{"code":"OUT_OF_STOCK","message":"Product out of stock"}}`, nil, api.KindValidation, "typeId", ""},
		{"200 success false", 200, `{"success":false,"error":{"code":"NOT_FOUND","message":"gone"}}`, nil, api.KindNotFound, "", ""},
		{"200 success false prose", 200, `{"success":false,"error":"Product out of stock"}`, nil, api.KindValidation, "", "stock"},
		{"malformed 200", 200, `{"success":true,"data":{`, nil, api.KindDecode, "", ""},
		{"200 no data", 200, `{"success":true}`, nil, api.KindDecode, "", ""},
		{"200 html", 200, `<html></html>`, nil, api.KindDecode, "", ""},
		{"teapot", 418, `{}`, nil, api.KindUnknown, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, f := newFake(t, tc.status, tc.body)
			f.header = tc.header
			_, err := c.Balance(context.Background())
			require.Error(t, err)
			var e *api.Error
			require.True(t, errors.As(err, &e), "%T", err)
			assert.Equal(t, tc.kind, e.Kind, e.Error())
			assert.Equal(t, tc.field, e.Field)
			assert.Equal(t, api.ProviderOneClick, e.Provider)
			assert.Equal(t, "GET /v3/account/balance", e.Op)
			assert.Contains(t, e.Error(), tc.contains)
			assert.NotContains(t, e.Error(), testKey)
			if tc.status >= 400 {
				assert.Equal(t, tc.status, e.HTTPStatus)
			}
			if tc.name == "429 with retry-after" {
				assert.Equal(t, 12*time.Second, e.RetryAfter)
				assert.True(t, errors.Is(err, api.ErrRateLimited))
			}
			if tc.name == "500" {
				assert.Equal(t, "req_9_z", e.RequestID)
			}
			if tc.kind == api.KindAuth {
				assert.False(t, e.Kind.Retryable())
			}
		})
	}
}

func TestEnvelopeVariants(t *testing.T) {
	ctx := context.Background()
	t.Run("validate without meta", func(t *testing.T) {
		c, _ := newFake(t, 200, `{"success":true,"data":{"username":"+213665983439","apiKey":{"key":"`+testKey+`","isEnabled":true,"type":"SANDBOX","allowedips":[],"scope":"READ-WRITE"}}}`)
		v, err := c.Validate(ctx)
		require.NoError(t, err)
		assert.True(t, v.Sandbox())
		assert.Equal(t, "+213665983439", v.Username)
		assert.Equal(t, testKey, v.APIKey.Key.Reveal())
		assert.NotContains(t, fmt.Sprintf("%v %+v", v, v), testKey)
	})
	t.Run("balance without currency or requestId", func(t *testing.T) {
		c, _ := newFake(t, 200, `{"success":true,"data":{"balance":1326.13}}`)
		b, err := c.Balance(ctx)
		require.NoError(t, err)
		assert.Equal(t, Balance{Balance: 1326.13, Currency: "DZD"}, b)
	})
	t.Run("plans object", func(t *testing.T) {
		c, _ := newFake(t, 200, `{"success":true,"data":{"dynamicPlans":[{"code":"PREPAID_DJEZZY","name":"📱 PREPAID | عادي","operator":"Djezzy","cost":0.9925,"isEnabled":true,"min_amount":100,"max_amount":10000},{"code":"GROS_MOBILIS","name":"GROS","operator":"GMobilis","isEnabled":true,"min_amount":5000,"max_amount":300000}],"fixedPlans":[{"code":"PIXX_500","name":"Pixx 500 DA","operator":"Pixx","cost":0.97,"isEnabled":true,"amount":500}]}}`)
		p, err := c.MobilePlans(ctx)
		require.NoError(t, err)
		require.Len(t, p.Dynamic, 2)
		require.Len(t, p.Fixed, 1)
		assert.Equal(t, Plan{Code: "PREPAID_DJEZZY", Name: "📱 PREPAID | عادي", Operator: "Djezzy", Cost: 0.9925, Enabled: true, Dynamic: true, Min: 100, Max: 10000}, p.Dynamic[0])
		assert.Equal(t, 0.0, p.Dynamic[1].Cost)
		assert.Equal(t, 6000.0, p.Dynamic[1].Price(6000))
		assert.Equal(t, 485.0, p.Fixed[0].Price(0))
	})
	t.Run("plans bare list", func(t *testing.T) {
		c, _ := newFake(t, 200, `{"success":true,"data":[{"code":"A","min_amount":10,"max_amount":20},{"code":"B","amount":500}]}`)
		p, err := c.MobilePlans(ctx)
		require.NoError(t, err)
		assert.Equal(t, "A", p.Dynamic[0].Code)
		assert.Equal(t, "B", p.Fixed[0].Code)
		assert.True(t, p.Fixed[0].Enabled, "isEnabled absent means enabled")
	})
	t.Run("internet products object and bare", func(t *testing.T) {
		for _, body := range []string{
			`{"success":true,"data":{"products":[{"value":500,"cost":490,"available":true},{"value":1000,"cost":980,"available":false}],"type":"ADSL"}}`,
			`{"success":true,"data":[{"value":500,"cost":490,"available":true},{"value":1000,"cost":980,"available":false}]}`,
		} {
			c, f := newFake(t, 200, body)
			p, err := c.InternetProducts(ctx, "adsl")
			require.NoError(t, err)
			assert.Equal(t, []InternetProduct{{500, 490, true}, {1000, 980, false}}, p)
			assert.Equal(t, "type=ADSL", f.reqs[0].URL.RawQuery)
		}
	})
	t.Run("list items, topups, meta pagination, bare", func(t *testing.T) {
		item := `{"_id":"690161a3e9e88196b4eb6545","ref":"r1","status":"FULFILLED","type":"ADSL","number":"036362608","topup_amount":1000,"created_at":"2025-10-29T00:36:51.000Z","card_code":"123456789012","num_trans":"AT-2025-12345","date_traitement":"2025-10-29T00:37:10.000Z"}`
		for name, body := range map[string]string{
			"items":  `{"success":true,"data":{"items":[` + item + `],"pagination":{"page":1,"pageSize":20,"totalPages":10,"totalResults":195}}}`,
			"topups": `{"success":true,"data":{"topups":[` + item + `],"pagination":{"page":1,"pageSize":20,"totalPages":10,"totalResults":195}}}`,
			"meta":   `{"success":true,"data":{"items":[` + item + `]},"meta":{"pagination":{"page":1,"pageSize":20,"totalPages":10,"totalResults":195}}}`,
		} {
			c, _ := newFake(t, 200, body)
			l, p, err := c.InternetList(ctx, ListOptions{})
			require.NoError(t, err, name)
			require.Len(t, l, 1, name)
			assert.Equal(t, api.Page{Page: 1, PerPage: 20, TotalCount: 195, TotalPages: 10, Size: 1, HasMore: true}, p, name)
			assert.Equal(t, "123456789012", l[0].CardCode.Reveal())
			assert.NotContains(t, fmt.Sprintf("%v", l[0]), "123456789012")
		}
		c, _ := newFake(t, 200, `{"success":true,"data":[`+item+`]}`)
		l, p, err := c.InternetList(ctx, ListOptions{})
		require.NoError(t, err)
		assert.Len(t, l, 1)
		assert.False(t, p.HasMore)
	})
	t.Run("gift product with _id", func(t *testing.T) {
		c, _ := newFake(t, 200, `{"success":true,"data":{"_id":"507f1f77bcf86cd799439011","productTitle":"PlayStation Network","types":[{"_id":"type_001","name":"PSN 500 DA","price":490,"quantity":150}]}}`)
		p, err := c.GiftCheckProduct(ctx, "507f1f77bcf86cd799439011")
		require.NoError(t, err)
		assert.Equal(t, GiftProduct{ProductID: "507f1f77bcf86cd799439011", ProductTitle: "PlayStation Network", Types: []GiftType{{"type_001", "PSN 500 DA", 490, 150}}}, p)
	})
	t.Run("catalog meta totals", func(t *testing.T) {
		c, _ := newFake(t, 200, `{"success":true,"data":{"categories":[{"name":"Gaming Cards","products":[{"id":"507f1f77bcf86cd799439011","title":"PlayStation Network","enabled":true,"region":"dz"},{"id":"507f1f77bcf86cd799439012","title":"Google Play Gift Card","enabled":true}]},{"name":"Streaming Services","products":[{"id":"507f1f77bcf86cd799439014","title":"Netflix Gift Card","enabled":true}]}]},"meta":{"totalCategories":8,"totalProducts":127}}`)
		cat, err := c.GiftCatalog(ctx)
		require.NoError(t, err)
		assert.Equal(t, 8, cat.TotalCategories)
		assert.Equal(t, 127, cat.TotalProducts)
		assert.Equal(t, "dz", cat.Categories[0].Products[0].Region)
		ps, err := c.Products(ctx, api.VerticalGiftCard, "netflix")
		require.NoError(t, err)
		require.Len(t, ps, 1)
		assert.Equal(t, "Streaming Services", ps[0].Category)
	})
	t.Run("success and failure statuses spelled SUCCESS/FAILED", func(t *testing.T) {
		c, _ := newFake(t, 200, `{"success":true,"data":{"items":[{"_id":"a","status":"SUCCESS"},{"_id":"b","status":"FAILED"},{"_id":"c","status":"WEIRD"}]}}`)
		page, err := c.ListOrders(ctx, api.VerticalMobile, api.ListQuery{})
		require.NoError(t, err)
		require.Len(t, page.Orders, 3)
		assert.Equal(t, api.StatusDelivered, page.Orders[0].Status)
		assert.Equal(t, api.StatusRefunded, page.Orders[1].Status)
		assert.Equal(t, api.StatusUnknown, page.Orders[2].Status)
		assert.Equal(t, "WEIRD", page.Orders[2].StatusLabel())
		f, err := c.ListOrders(ctx, api.VerticalMobile, api.ListQuery{Status: "FULFILLED"})
		require.NoError(t, err)
		require.Len(t, f.Orders, 1)
		assert.Equal(t, "a", f.Orders[0].ID)
		f, err = c.ListOrders(ctx, api.VerticalMobile, api.ListQuery{Status: "refunded"})
		require.NoError(t, err)
		require.Len(t, f.Orders, 1)
		assert.Equal(t, "b", f.Orders[0].ID)
	})
}

func TestCreateNeverRetriedAndOutcomeUnknown(t *testing.T) {
	ctx := context.Background()
	// A server that reads the request and hangs up without answering.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	accepted := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			accepted++
			mu.Unlock()
			buf := make([]byte, 4096)
			_, _ = conn.Read(buf)
			_ = conn.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	c, err := New(Config{BaseURL: "http://" + ln.Addr().String(), APIKey: testKey, Timeout: 2 * time.Second})
	require.NoError(t, err)

	_, err = c.MobileSend(ctx, MobileSendRequest{PlanCode: "PREPAID_DJEZZY", MSISDN: "0778037340", Amount: 500, Ref: "r"})
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err), "%v", err)
	_, err = c.InternetSend(ctx, InternetSendRequest{Type: "ADSL", Number: "036362608", Value: 500})
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err))
	_, err = c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: "p", TypeID: "t", Quantity: 1})
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err))
	_, err = c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalMobile, VariantID: "PREPAID_DJEZZY", Recipient: "0778037340", Amount: 500})
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err))
	mu.Lock()
	assert.Equal(t, 4, accepted, "each create was sent exactly once")
	mu.Unlock()

	_, err = c.Balance(ctx)
	assert.Equal(t, api.KindNetwork, api.KindOf(err))

	// Nothing listening: the request was never written, so it is a plain network error.
	dead, err := New(Config{BaseURL: "http://127.0.0.1:1", APIKey: testKey})
	require.NoError(t, err)
	_, err = dead.MobileSend(ctx, MobileSendRequest{PlanCode: "PREPAID_DJEZZY", MSISDN: "0778037340", Amount: 500})
	assert.Equal(t, api.KindNetwork, api.KindOf(err))
}

func TestCreateTimeoutIsOutcomeUnknown(t *testing.T) {
	block := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(block); ts.Close() })
	// Long enough that the request is surely written before it expires: a
	// timeout before that would be a plain network error.
	c, err := New(Config{BaseURL: ts.URL, APIKey: testKey, Timeout: time.Second})
	require.NoError(t, err)
	_, err = c.GiftPlaceOrder(context.Background(), PlaceOrderRequest{ProductID: "p", TypeID: "t", Quantity: 1})
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err))
	_, err = c.GiftCheckOrder(context.Background(), "x")
	assert.Equal(t, api.KindNetwork, api.KindOf(err))
}

func TestCreateMalformedAnswerIsOutcomeUnknown(t *testing.T) {
	for _, body := range []string{`{"success":true,"data":{"topupI`, `{"success":true,"data":{"nothing":1}}`} {
		c, _ := newFake(t, 200, body)
		_, err := c.MobileSend(context.Background(), MobileSendRequest{PlanCode: "P", MSISDN: "0778037340", Amount: 100})
		assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err), body)
	}
}

func TestLocalValidationSendsNothing(t *testing.T) {
	c, f := newFake(t, 200, `{}`)
	ctx := context.Background()
	_, err := c.MobileSend(ctx, MobileSendRequest{PlanCode: "P", MSISDN: "+213778037340", Amount: 100})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, err = c.MobileSend(ctx, MobileSendRequest{MSISDN: "0778037340", Amount: 100})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, err = c.InternetSend(ctx, InternetSendRequest{Type: "ADSL", Number: "36362608", Value: 500})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, err = c.InternetSend(ctx, InternetSendRequest{Type: "5G", Number: "036362608", Value: 500})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, err = c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: "p", TypeID: "t"})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, _, err = c.MobileList(ctx, ListOptions{From: time.Now()})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, _, err = c.AccountTransactions(ctx, ListOptions{To: time.Now()})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, _, err = c.MobileList(ctx, ListOptions{PageSize: 101})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, err = c.MobileCheckID(ctx, " ")
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, err = c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalMobile, VariantID: "P", Recipient: "0778037340", Amount: 10.5})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, err = c.GetOrder(ctx, api.VerticalVoucher, "1")
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, _, err = c.Transactions(ctx, "USD", api.ListQuery{})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	assert.Empty(t, f.reqs)
}

func TestValidationHelpers(t *testing.T) {
	for _, ok := range []string{"0778037340", "0550000000", "0661234567", "0600000001"} {
		assert.NoError(t, ValidMSISDN(ok), ok)
	}
	for _, bad := range []string{"778037340", "+213778037340", "0878037340", "077 803 7340", "07780373401", ""} {
		err := ValidMSISDN(bad)
		assert.Equal(t, api.KindValidation, api.KindOf(err), bad)
		var e *api.Error
		require.True(t, errors.As(err, &e))
		assert.Equal(t, "MSSIDN", e.Field)
	}
	assert.Equal(t, OperatorOoredoo, Operator("0551234567"))
	assert.Equal(t, OperatorOoredoo, Operator("0591234567"))
	assert.Equal(t, OperatorMobilis, Operator("0661234567"))
	assert.Equal(t, OperatorMobilis, Operator("0691234567"))
	assert.Equal(t, OperatorDjezzy, Operator("0771234567"))
	assert.Equal(t, OperatorDjezzy, Operator("0791234567"))
	assert.Equal(t, "", Operator("0600000001"))
	assert.Equal(t, "", Operator("0761234567"))
	assert.Equal(t, "", Operator("garbage"))

	djezzy := Plan{Code: "PREPAID_DJEZZY", Operator: "Djezzy", Enabled: true, Dynamic: true, Min: 100, Max: 10000, Cost: 0.9925}
	gros := Plan{Code: "GROS_MOBILIS", Operator: "GMobilis", Enabled: true, Dynamic: true, Min: 5000, Max: 300000}
	assert.NoError(t, CheckOperator(djezzy, "0778037340"))
	assert.Error(t, CheckOperator(djezzy, "0661234567"))
	assert.NoError(t, CheckOperator(gros, "0661234567"))
	assert.NoError(t, CheckOperator(djezzy, "0600000001"))

	assert.NoError(t, CheckPlanAmount(djezzy, 100))
	assert.NoError(t, CheckPlanAmount(djezzy, 10000))
	assert.Error(t, CheckPlanAmount(djezzy, 99))
	assert.Error(t, CheckPlanAmount(djezzy, 10001))
	assert.Error(t, CheckPlanAmount(djezzy, 150.5))
	assert.NoError(t, CheckPlanAmount(Plan{Code: "PIXX_500", Enabled: true, Amount: 500}, 0))
	assert.Error(t, CheckPlanAmount(Plan{Code: "X", Enabled: false, Amount: 500}, 0))
	assert.Equal(t, 496.25, djezzy.Price(500))

	for _, c := range []struct{ typ, n string }{{"ADSL", "036362608"}, {"ADSL", "031417237"}, {"ADSL", "021123456"}, {"4G", "213472731602"}, {"4g", "213472731602"}} {
		assert.NoError(t, ValidInternetNumber(c.typ, c.n), c)
	}
	for _, c := range []struct{ typ, n string }{{"ADSL", "36362608"}, {"ADSL", "0363626081"}, {"ADSL", "213636362608"}, {"4G", "+213636362608"}, {"4G", "036362608"}, {"FIBRE", "036362608"}} {
		assert.Error(t, ValidInternetNumber(c.typ, c.n), c)
	}
}

func TestOrderMapping(t *testing.T) {
	created := time.Date(2025, 10, 29, 0, 35, 59, 378e6, time.UTC)
	m := MobileTopup{ID: "6901616fe9e88196b4eb64b0", Ref: "order-12345", Status: "REFUNDED", PlanCode: "PREPAID_DJEZZY",
		MSISDN: "0600000002", TopupAmount: 500, BalanceAmount: 0, CreatedAt: created, RefundMessage: "رسالة",
		SuggestedOffers: []SuggestedOffer{{"📋 FACTURE | فاتورة", "FACTURE_DJEZZY", 500}}}
	o := m.Order()
	assert.Equal(t, api.ProviderOneClick, o.Provider)
	assert.Equal(t, api.VerticalMobile, o.Vertical)
	assert.Equal(t, api.StatusRefunded, o.Status)
	assert.Equal(t, "REFUNDED", o.RawStatus)
	assert.Equal(t, "order-12345", o.ClientReference)
	assert.Equal(t, "PREPAID_DJEZZY", o.VariantName)
	assert.Equal(t, "0600000002", o.Recipient)
	assert.Equal(t, 500.0, o.Amount)
	assert.Equal(t, "DZD", o.Currency)
	assert.Equal(t, "رسالة", o.FailureReason)
	assert.Equal(t, []api.Offer{{Name: "📋 FACTURE | فاتورة", PlanCode: "FACTURE_DJEZZY", Amount: 500}}, o.SuggestedOffers)
	assert.Equal(t, created, o.CreatedAt)
	m.Status = "UNKNOWN_ERROR"
	assert.Equal(t, api.StatusUncertain, m.Order().Status)
	assert.False(t, m.Order().Status.Failure())

	done := time.Date(2025, 10, 29, 0, 37, 10, 0, time.UTC)
	it := InternetTopup{ID: "690161a3e9e88196b4eb6545", Ref: "r", Status: "FULFILLED", Type: "ADSL", Number: "036362608",
		TopupAmount: 1000, CardCode: "123456789012", NumTrans: "AT-2025-12345", DateTraitement: done}
	io := it.Order()
	assert.Equal(t, api.StatusDelivered, io.Status)
	assert.Equal(t, "ADSL", io.VariantName)
	assert.Equal(t, "036362608", io.Recipient)
	require.Len(t, io.Vouchers, 1)
	assert.Equal(t, "123456789012", io.Vouchers[0].CardNumber)
	assert.Equal(t, "AT-2025-12345", io.Vouchers[0].Reference)
	assert.Equal(t, done, io.CompletedAt)
	assert.NotContains(t, io.Vouchers[0].String(), "123456789012")
	it.Status, it.CardCode, it.NumTrans = "QUEUED", "", ""
	assert.Equal(t, api.StatusScheduled, it.Order().Status)
	assert.Empty(t, it.Order().Vouchers)

	g := GiftOrder{ID: "g1", Status: "PARTIALLY_FILLED", Product: "507f1f77bcf86cd799439011", Type: "TEST_PARTIAL", Quantity: 4,
		FulfilledQuantity: 2, FulfilledAmount: 980, PricePerCard: 490,
		Cards: []GiftCard{{"SANDBOX-CARD-1", "SANDBOX-1"}, {"SANDBOX-CARD-2", "SANDBOX-2"}}}
	gord := g.Order()
	assert.Equal(t, api.StatusPartial, gord.Status)
	assert.Equal(t, 4, gord.Quantity)
	assert.Equal(t, 2, gord.DeliveredQuantity)
	assert.Equal(t, 980.0, gord.Debited)
	assert.Equal(t, 980.0, gord.Refunded)
	assert.Equal(t, 490.0, gord.Denomination)
	assert.Equal(t, "507f1f77bcf86cd799439011", gord.ProductID)
	assert.Equal(t, "TEST_PARTIAL", gord.VariantID)
	assert.Equal(t, []api.Voucher{{CardNumber: "SANDBOX-CARD-1", Serial: "SANDBOX-1"}, {CardNumber: "SANDBOX-CARD-2", Serial: "SANDBOX-2"}}, gord.Vouchers)
	assert.Empty(t, gord.ClientReference)
	g.Status, g.FulfilledQuantity, g.FulfilledAmount, g.Cards = "REFUNDED", 0, 0, nil
	assert.Equal(t, 1960.0, g.Order().Refunded)
	g.PricePerCard = 0
	assert.Equal(t, 0.0, g.Order().Refunded, "unknown price: no refund claimed")
	assert.NotContains(t, fmt.Sprintf("%v %+v", GiftCard{"SANDBOX-CARD-9", "s"}, GiftCard{"SANDBOX-CARD-9", "s"}), "SANDBOX-CARD-9")

	for typ, kind := range map[string]api.TxKind{"FLEXY": api.TxDebit, "ADSL": api.TxDebit, "ORDER": api.TxDebit, "WITHDRAW": api.TxDebit,
		"REFUND-FLEXY": api.TxCredit, "REFUND-ADSL": api.TxCredit, "REFUND-ORDER": api.TxCredit, "DEPOSIT": api.TxCredit, "POINT-EXCHANGE": api.TxCredit} {
		tx := Transaction{ID: "t", Type: typ, Amount: 490, ObjID: "o", NewBalance: 10}.Transaction()
		assert.Equal(t, kind, tx.Kind, typ)
		assert.Equal(t, "o", tx.OrderID)
		assert.Equal(t, 10.0, tx.BalanceAfter)
	}
}

func TestRetryAfterForms(t *testing.T) {
	h := http.Header{}
	assert.Equal(t, time.Duration(0), retryAfter(h))
	h.Set("Retry-After", "3")
	assert.Equal(t, 3*time.Second, retryAfter(h))
	h.Set("Retry-After", "-3")
	assert.Equal(t, time.Duration(0), retryAfter(h))
	h.Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
	assert.InDelta(t, float64(time.Hour), float64(retryAfter(h)), float64(5*time.Second))
	h.Set("Retry-After", "soon")
	assert.Equal(t, time.Duration(0), retryAfter(h))
	assert.True(t, strings.HasPrefix(api.KindRateLimited.String(), "rate"))
}

// A 5xx answer to a create proves nothing about whether the order exists:
// it must read "outcome unknown", never a plain (retryable) server error.
func TestCreate5xxIsOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
	}{
		{500, `{"success":false,"error":{"code":"INTERNAL_ERROR","message":"boom"}}`},
		{502, `<html>bad gateway</html>`},
	} {
		c, f := newFake(t, tc.status, tc.body)
		ctx := context.Background()
		_, err := c.MobileSend(ctx, MobileSendRequest{PlanCode: "PREPAID_DJEZZY", MSISDN: "0778037340", Amount: 500, Ref: "r-5xx"})
		assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err), "%v", err)
		assert.Equal(t, tc.status, errHTTPStatus(err))
		_, err = c.InternetSend(ctx, InternetSendRequest{Type: "ADSL", Number: "036362608", Value: 500, Ref: "r-5xx-2"})
		assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err), "%v", err)
		_, err = c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: "p", TypeID: "t", Quantity: 1})
		assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err), "%v", err)
		assert.Len(t, f.bodies, 3, "each create sent exactly once")
		// A read is still a plain server error.
		_, err = c.Balance(ctx)
		assert.Equal(t, api.KindServer, api.KindOf(err))
	}
}

func errHTTPStatus(err error) int {
	var e *api.Error
	if errors.As(err, &e) {
		return e.HTTPStatus
	}
	return 0
}

// A Client value (not the pointer, whose String is safe) printed with %+v
// must not show the key: fmt does not call api.Secret's Format on an
// unexported field.
func TestClientValueNeverPrintsKey(t *testing.T) {
	c, err := New(Config{BaseURL: "http://127.0.0.1:1", APIKey: testKey})
	require.NoError(t, err)
	v := reflect.ValueOf(c).Elem()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, v), testKey, verb)
	}
	assert.NotContains(t, fmt.Sprintf("%+v", c), testKey)
}
