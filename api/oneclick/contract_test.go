package oneclick

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type contract struct {
	c     *Client
	sb    *oneclicksb.Server
	url   string
	clock *clock
}

func newContract(t *testing.T, cfg oneclicksb.Config) *contract {
	t.Helper()
	clk := &clock{t: time.Date(2025, 10, 29, 0, 35, 59, 0, time.UTC)}
	cfg.Now = clk.Now
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = -1
	}
	sb, err := oneclicksb.New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(sb.Handler())
	tr := &http.Transport{}
	c, err := New(Config{BaseURL: ts.URL, APIKey: api.Secret(sb.APIKey()), HTTPClient: &http.Client{Transport: tr}, Timeout: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { tr.CloseIdleConnections(); ts.Close(); _ = sb.Close() })
	return &contract{c: c, sb: sb, url: ts.URL, clock: clk}
}

func TestContractAccount(t *testing.T) {
	k := newContract(t, oneclicksb.Config{Seed: 1})
	ctx := context.Background()
	v, err := k.c.Validate(ctx)
	require.NoError(t, err)
	assert.Equal(t, "+213665983439", v.Username)
	assert.True(t, v.Sandbox())
	assert.Equal(t, "READ-WRITE", v.APIKey.Scope)

	w, err := k.c.Wallets(ctx)
	require.NoError(t, err)
	require.Len(t, w, 1)
	assert.Equal(t, api.Wallet{Provider: api.ProviderOneClick, ID: "DZD", Currency: "DZD", Balance: oneclicksb.InitialBalance, Type: "PREPAID"}, w[0])

	txs, page, err := k.c.Transactions(ctx, "DZD", api.ListQuery{})
	require.NoError(t, err)
	require.Len(t, txs, 1)
	assert.Equal(t, api.TxCredit, txs[0].Kind)
	assert.Equal(t, "DEPOSIT", txs[0].RawType)
	assert.Equal(t, 1, page.TotalCount)
}

func TestContractMobile(t *testing.T) {
	k := newContract(t, oneclicksb.Config{Seed: 2})
	ctx := context.Background()

	plans, err := k.c.MobilePlans(ctx)
	require.NoError(t, err)
	dj, ok := plans.Find("PREPAID_DJEZZY")
	require.True(t, ok)
	assert.True(t, dj.Dynamic)
	_, ok = plans.Find("PIXX_500")
	assert.True(t, ok)

	q, err := k.c.Quote(ctx, api.OrderRequest{Vertical: api.VerticalMobile, VariantID: "PREPAID_DJEZZY", Recipient: "0778037340", Amount: 500})
	require.NoError(t, err)
	assert.Equal(t, 500.0, q.FaceValue)
	assert.Equal(t, 496.25, q.Total)
	assert.Equal(t, 3.75, q.Discount)
	_, err = k.c.Quote(ctx, api.OrderRequest{Vertical: api.VerticalMobile, VariantID: "PREPAID_MOBILIS", Recipient: "0778037340", Amount: 500})
	assert.Equal(t, api.KindValidation, api.KindOf(err), "operator mismatch caught before sending")
	_, err = k.c.Quote(ctx, api.OrderRequest{Vertical: api.VerticalMobile, VariantID: "PREPAID_DJEZZY", Amount: 50})
	assert.Equal(t, api.KindValidation, api.KindOf(err))

	// 0778037340 → FULFILLED via PENDING and HANDLING.
	o, err := k.c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalMobile, VariantID: "PREPAID_DJEZZY", Recipient: "0778037340", Amount: 500, ClientReference: "order-12345"})
	require.NoError(t, err)
	assert.Equal(t, api.StatusPending, o.Status)
	assert.Equal(t, "order-12345", o.ClientReference)
	assert.Equal(t, 496.25, o.Debited)
	assert.Regexp(t, `^[0-9a-f]{24}$`, o.ID)
	k.clock.Advance(5 * time.Second)
	o2, err := k.c.GetOrder(ctx, api.VerticalMobile, o.ID)
	require.NoError(t, err)
	assert.Equal(t, api.StatusProcessing, o2.Status)
	assert.Equal(t, "HANDLING", o2.RawStatus)
	k.clock.Advance(15 * time.Second)
	o3, found, err := k.c.FindByReference(ctx, api.VerticalMobile, "order-12345")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, api.StatusDelivered, o3.Status)
	assert.Equal(t, o.ID, o3.ID)

	// Duplicate ref → KindDuplicateReference, and check-ref finds the original.
	_, err = k.c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalMobile, VariantID: "PREPAID_DJEZZY", Recipient: "0778037340", Amount: 500, ClientReference: "order-12345"})
	assert.Equal(t, api.KindDuplicateReference, api.KindOf(err))
	found2, ok2, err := k.c.FindByReference(ctx, api.VerticalMobile, "order-12345")
	require.NoError(t, err)
	assert.True(t, ok2)
	assert.Equal(t, o.ID, found2.ID)
	_, ok2, err = k.c.FindByReference(ctx, api.VerticalMobile, "never-sent")
	require.NoError(t, err)
	assert.False(t, ok2)

	// Magic numbers, with auto refs.
	send := func(n string) SendResult {
		r, err := k.c.MobileSend(ctx, MobileSendRequest{PlanCode: "PREPAID_DJEZZY", MSISDN: n, Amount: 1000})
		require.NoError(t, err)
		return r
	}
	refund, suggest, unknown := send("0600000001"), send("0600000002"), send("0600000003")
	assert.Regexp(t, `^API-\+213665983439-test-\d+-refund$`, refund.TopupRef)
	assert.Regexp(t, `^API-\+213665983439-test-\d+-suggest$`, suggest.TopupRef)
	k.clock.Advance(20 * time.Second)

	rf, err := k.c.GetOrder(ctx, api.VerticalMobile, refund.TopupID)
	require.NoError(t, err)
	assert.Equal(t, api.StatusRefunded, rf.Status)
	assert.NotEmpty(t, rf.FailureReason)
	sg, err := k.c.GetOrder(ctx, api.VerticalMobile, suggest.TopupID)
	require.NoError(t, err)
	assert.Equal(t, api.StatusRefunded, sg.Status)
	assert.NotEmpty(t, sg.FailureReason)
	assert.Equal(t, []api.Offer{{Name: "📋 FACTURE | فاتورة", PlanCode: "FACTURE_DJEZZY", Amount: 500}}, sg.SuggestedOffers)
	un, err := k.c.GetOrder(ctx, api.VerticalMobile, unknown.TopupID)
	require.NoError(t, err)
	assert.Equal(t, api.StatusUncertain, un.Status)
	assert.False(t, un.Status.Failure())
	k.clock.Advance(2 * time.Hour)
	un, err = k.c.GetOrder(ctx, api.VerticalMobile, unknown.TopupID)
	require.NoError(t, err)
	assert.Equal(t, api.StatusDelivered, un.Status)

	// Listing, newest first, with a client-side status filter.
	page, err := k.c.ListOrders(ctx, api.VerticalMobile, api.ListQuery{PerPage: 2})
	require.NoError(t, err)
	assert.Len(t, page.Orders, 2)
	assert.Equal(t, unknown.TopupID, page.Orders[0].ID)
	assert.Equal(t, api.Page{Page: 1, PerPage: 2, TotalCount: 4, TotalPages: 2, Size: 2, HasMore: true}, page.Page)
	refunded, err := k.c.ListOrders(ctx, api.VerticalMobile, api.ListQuery{Status: "REFUNDED"})
	require.NoError(t, err)
	assert.Len(t, refunded.Orders, 2)
	from := k.clock.Now().Add(-time.Hour)
	l, _, err := k.c.MobileList(ctx, ListOptions{From: from, To: k.clock.Now()})
	require.NoError(t, err)
	assert.Empty(t, l, "everything was created more than an hour ago")

	// REFUND-FLEXY credits show up as credits.
	txs, _, err := k.c.Transactions(ctx, "", api.ListQuery{PerPage: 100})
	require.NoError(t, err)
	credits := 0
	for _, tx := range txs {
		if tx.RawType == "REFUND-FLEXY" {
			credits++
			assert.Equal(t, api.TxCredit, tx.Kind)
		}
	}
	assert.Equal(t, 2, credits)

	// Server-side validation surfaces as KindValidation with the field.
	_, err = k.c.MobileSend(ctx, MobileSendRequest{PlanCode: "PREPAID_DJEZZY", MSISDN: "0778037340", Amount: 50})
	var e *api.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, api.KindValidation, e.Kind)
	assert.Equal(t, "amount", e.Field)
	assert.Regexp(t, regexp.MustCompile(`^req_\d+_[a-z0-9]+$`), e.RequestID)
	_, err = k.c.MobileSend(ctx, MobileSendRequest{PlanCode: "GROS_MOBILIS", MSISDN: "0661234567", Amount: 300000})
	assert.Equal(t, api.KindInsufficientFunds, api.KindOf(err))
}

func TestContractInternet(t *testing.T) {
	k := newContract(t, oneclicksb.Config{Seed: 3})
	ctx := context.Background()
	ps, err := k.c.Products(ctx, api.VerticalInternet, "")
	require.NoError(t, err)
	require.Len(t, ps, 2)
	assert.Equal(t, "ADSL", ps[0].ID)
	assert.Len(t, ps[0].Variants, 3)
	p4g, err := k.c.Product(ctx, api.VerticalInternet, "4G")
	require.NoError(t, err)
	assert.Equal(t, 0, p4g.Variants[len(p4g.Variants)-1].Stock, "3000 is out of stock")

	nc, err := k.c.InternetCheckNumber(ctx, "ADSL", "036362608")
	require.NoError(t, err)
	assert.Equal(t, "ADSL", nc.Type)
	assert.NotEmpty(t, nc.NCLI)
	nc, err = k.c.InternetCheckNumber(ctx, "4G", "213472731602")
	require.NoError(t, err)
	assert.Equal(t, "4GLTE", nc.Type)

	q, err := k.c.Quote(ctx, api.OrderRequest{Vertical: api.VerticalInternet, RecipientType: "ADSL", Recipient: "036362608", Amount: 1000})
	require.NoError(t, err)
	assert.Equal(t, 980.0, q.Total)
	_, err = k.c.Quote(ctx, api.OrderRequest{Vertical: api.VerticalInternet, RecipientType: "4G", Recipient: "213472731602", Amount: 3000})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, err = k.c.InternetSend(ctx, InternetSendRequest{Type: "4G", Number: "213472731602", Value: 3000})
	assert.Equal(t, api.KindValidation, api.KindOf(err), "server OUT_OF_STOCK")

	o, err := k.c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalInternet, RecipientType: "ADSL", Recipient: "036362608", Amount: 1000, ClientReference: "net-1"})
	require.NoError(t, err)
	assert.Equal(t, api.StatusProcessing, o.Status)
	assert.Empty(t, o.Vouchers)
	queued, err := k.c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalInternet, RecipientType: "ADSL", Recipient: "099999999", Amount: 500})
	require.NoError(t, err)
	assert.Regexp(t, `^API-\+213665983439-test-internet-\d+$`, queued.ClientReference)
	k.clock.Advance(15 * time.Second)

	done, found, err := k.c.FindByReference(ctx, api.VerticalInternet, "net-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, api.StatusDelivered, done.Status)
	require.Len(t, done.Vouchers, 1)
	assert.Regexp(t, `^\d{12}$`, done.Vouchers[0].CardNumber)
	assert.Regexp(t, `^AT-\d{4}-\d{5}$`, done.Vouchers[0].Reference)
	assert.Equal(t, k.clock.Now(), done.CompletedAt)
	qo, err := k.c.GetOrder(ctx, api.VerticalInternet, queued.ID)
	require.NoError(t, err)
	assert.Equal(t, api.StatusScheduled, qo.Status)
	assert.True(t, qo.Status.InFlight())
	k.clock.Advance(24 * time.Hour)
	qo, err = k.c.GetOrder(ctx, api.VerticalInternet, queued.ID)
	require.NoError(t, err)
	assert.Equal(t, api.StatusDelivered, qo.Status)

	_, err = k.c.InternetSend(ctx, InternetSendRequest{Type: "ADSL", Number: "036362608", Value: 500, Ref: "net-1"})
	assert.Equal(t, api.KindDuplicateReference, api.KindOf(err))
	_, found, err = k.c.FindByReference(ctx, api.VerticalInternet, "nope")
	require.NoError(t, err)
	assert.False(t, found)
	page, err := k.c.ListOrders(ctx, api.VerticalInternet, api.ListQuery{})
	require.NoError(t, err)
	assert.Len(t, page.Orders, 2)
}

func TestContractGiftCards(t *testing.T) {
	k := newContract(t, oneclicksb.Config{Seed: 4})
	ctx := context.Background()
	cat, err := k.c.GiftCatalog(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, cat.TotalCategories)
	assert.Equal(t, 7, cat.TotalProducts)
	all, err := k.c.Products(ctx, api.VerticalGiftCard, "")
	require.NoError(t, err)
	assert.Len(t, all, 7)

	psn, err := k.c.Product(ctx, api.VerticalGiftCard, oneclicksb.PSNProductID)
	require.NoError(t, err)
	assert.Equal(t, "PlayStation Network", psn.Name)
	require.Len(t, psn.Variants, 5)
	assert.Equal(t, api.Variant{ID: "type_001", Name: "PSN 500 DA", Currency: "DZD", Price: 490, Stock: 150, MaxQuantity: oneclicksb.MaxGiftQuantity}, psn.Variants[0])
	assert.True(t, psn.Enabled)
	assert.NotEmpty(t, psn.Category, "from the catalogue")

	q, err := k.c.Quote(ctx, api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: oneclicksb.PSNProductID, VariantID: "TEST_PARTIAL", Quantity: 4})
	require.NoError(t, err)
	assert.Equal(t, 1960.0, q.Total)
	_, err = k.c.Quote(ctx, api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: oneclicksb.PSNProductID, VariantID: "type_003", Quantity: 1})
	assert.Equal(t, api.KindValidation, api.KindOf(err))
	_, err = k.c.Quote(ctx, api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: oneclicksb.PSNProductID, VariantID: "type_002", Quantity: 88})
	assert.Equal(t, api.KindValidation, api.KindOf(err))

	// TEST_PARTIAL × 4 → PARTIALLY_FILLED with 2 cards and a REFUND-ORDER.
	before, err := k.c.Balance(ctx)
	require.NoError(t, err)
	partial, err := k.c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: oneclicksb.PSNProductID, VariantID: "TEST_PARTIAL", Quantity: 4})
	require.NoError(t, err)
	assert.Equal(t, api.StatusProcessing, partial.Status)
	assert.Empty(t, partial.ClientReference)
	refund, err := k.c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: oneclicksb.PSNProductID, VariantID: "TEST_REFUND", Quantity: 2})
	require.NoError(t, err)
	full, err := k.c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: oneclicksb.PSNProductID, VariantID: "type_001", Quantity: 1})
	require.NoError(t, err)
	k.clock.Advance(10 * time.Second)

	p, err := k.c.GetOrder(ctx, api.VerticalGiftCard, partial.ID)
	require.NoError(t, err)
	assert.Equal(t, api.StatusPartial, p.Status)
	assert.Equal(t, 4, p.Quantity)
	assert.Equal(t, 2, p.DeliveredQuantity)
	assert.Len(t, p.Vouchers, 2)
	assert.Equal(t, 980.0, p.Debited)
	assert.Equal(t, 980.0, p.Refunded)
	r, err := k.c.GetOrder(ctx, api.VerticalGiftCard, refund.ID)
	require.NoError(t, err)
	assert.Equal(t, api.StatusRefunded, r.Status)
	assert.Equal(t, 980.0, r.Refunded)
	assert.Empty(t, r.Vouchers)
	f, err := k.c.GetOrder(ctx, api.VerticalGiftCard, full.ID)
	require.NoError(t, err)
	assert.Equal(t, api.StatusDelivered, f.Status)
	assert.Equal(t, []api.Voucher{{CardNumber: "SANDBOX-CARD-1", Serial: "SANDBOX-1"}}, f.Vouchers)

	after, err := k.c.Balance(ctx)
	require.NoError(t, err)
	assert.InDelta(t, before.Balance-980-490, after.Balance, 0.001)
	txs, _, err := k.c.AccountTransactions(ctx, ListOptions{PageSize: 100})
	require.NoError(t, err)
	var refundOrders []Transaction
	for _, tx := range txs {
		if tx.Type == "REFUND-ORDER" {
			refundOrders = append(refundOrders, tx)
		}
	}
	require.Len(t, refundOrders, 2)
	assert.Contains(t, []string{refundOrders[0].ObjID, refundOrders[1].ObjID}, partial.ID)

	// Gift cards have no reference: one this client never placed cannot be
	// matched, and that is never reported as "not found".
	_, found, err := k.c.FindByReference(ctx, api.VerticalGiftCard, "anything")
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err))
	assert.False(t, found)

	list, err := k.c.ListOrders(ctx, api.VerticalGiftCard, api.ListQuery{Status: "PARTIALLY_FILLED"})
	require.NoError(t, err)
	require.Len(t, list.Orders, 1)
	assert.Equal(t, partial.ID, list.Orders[0].ID)

	_, err = k.c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: oneclicksb.PSNProductID, TypeID: "type_003", Quantity: 1})
	var e *api.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, api.KindValidation, e.Kind)
	assert.Contains(t, e.Message, "Product out of stock")
	_, err = k.c.GiftCheckOrder(ctx, "000000000000000000000000")
	assert.Equal(t, api.KindNotFound, api.KindOf(err))
	_, err = k.c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: "507f1f77bcf86cd799439013", TypeID: "type_021", Quantity: 20})
	assert.Equal(t, api.KindInsufficientFunds, api.KindOf(err))
}

func TestContractRateLimitAndAuth(t *testing.T) {
	k := newContract(t, oneclicksb.Config{RatePerMinute: 2})
	ctx := context.Background()
	for range 2 {
		_, err := k.c.Balance(ctx)
		require.NoError(t, err)
	}
	_, err := k.c.Balance(ctx)
	var e *api.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, api.KindRateLimited, e.Kind)
	assert.Equal(t, 60*time.Second, e.RetryAfter)
	assert.Equal(t, "TOO_MANY_REQUESTS", e.Code)

	bad, err := New(Config{BaseURL: k.url, APIKey: "ea27b376-9f5c-4b09-883f-1b96cd7b541c"})
	require.NoError(t, err)
	_, err = bad.Balance(ctx)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, api.KindAuth, e.Kind)
	assert.Contains(t, e.Message, "4 attempts left")
	assert.NotContains(t, e.Error(), "ea27b376-9f5c-4b09-883f-1b96cd7b541c")
	for range 4 {
		_, err = bad.Balance(ctx)
	}
	assert.Equal(t, api.KindForbidden, api.KindOf(err), "the 5th failure blocks the IP")
}

func TestContractFaults(t *testing.T) {
	k := newContract(t, oneclicksb.Config{Faults: oneclicksb.Faults{Drop: 1}})
	ctx := context.Background()
	_, err := k.c.MobileSend(ctx, MobileSendRequest{PlanCode: "PREPAID_DJEZZY", MSISDN: "0778037340", Amount: 500, Ref: "lost-1"})
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err))
	k.sb.SetFaults(oneclicksb.Faults{})
	o, found, err := k.c.FindByReference(ctx, api.VerticalMobile, "lost-1")
	require.NoError(t, err)
	assert.True(t, found, "the lost send was placed; the ref finds it")
	assert.Equal(t, "lost-1", o.ClientReference)

	k.sb.SetFaults(oneclicksb.Faults{Malformed: 1})
	_, err = k.c.Balance(ctx)
	assert.Equal(t, api.KindDecode, api.KindOf(err))
	_, err = k.c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: oneclicksb.PSNProductID, TypeID: "type_001", Quantity: 1})
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err))
	k.sb.SetFaults(oneclicksb.Faults{ServerError: 1})
	_, err = k.c.Balance(ctx)
	assert.Equal(t, api.KindServer, api.KindOf(err))
}
