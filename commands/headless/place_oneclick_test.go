package headless

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/oneclick"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/engine/enginetest"
)

type ocEnv struct {
	srv     *oneclicksb.Server
	client  *oneclick.Client
	journal *engine.Journal
	deps    Deps
}

func newOCEnv(t *testing.T, drop bool) *ocEnv {
	t.Helper()
	srv, err := oneclicksb.New(oneclicksb.Config{Seed: 3, TimeScale: scale, RatePerMinute: -1})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Close() })
	var lose func(*http.Request) bool
	if drop { // placeOrder reaches the server, its answer is lost
		lose = func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/gift-cards/placeOrder") }
	}
	c, err := oneclick.New(oneclick.Config{BaseURL: srv.URL(), APIKey: api.Secret(srv.APIKey()), Timeout: 10 * time.Second,
		HTTPClient: &http.Client{Transport: enginetest.Transport(t, lose)}})
	require.NoError(t, err)
	return &ocEnv{srv: srv, client: c, journal: enginetest.Journal(t), deps: Deps{Catalog: c, Placer: c, Wallets: c.Wallets}}
}

func (e *ocEnv) run(t *testing.T, vertical string, args ...string) (int, Result, string) {
	t.Helper()
	o, err := ParsePlaceArgs(vertical, args)
	require.NoError(t, err)
	// Each run is a new process: a new engine over the same journal.
	eng, err := engine.New(engine.Config{Sources: []api.OrderSource{e.client}, Journal: e.journal, TimeScale: scale, WalletEvery: -1})
	require.NoError(t, err)
	e.deps.Engine = eng
	var out, errb bytes.Buffer
	code := Place(context.Background(), e.deps, o, &out, &errb)
	var res Result
	if out.Len() > 0 {
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		require.Len(t, lines, 1, "exactly one JSON object on stdout")
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &res), out.String())
		assert.Equal(t, code, res.ExitCode)
	}
	return code, res, errb.String()
}

func (e *ocEnv) count(t *testing.T, v api.Vertical) int {
	t.Helper()
	p, err := e.client.ListOrders(context.Background(), v, api.ListQuery{PerPage: 100})
	require.NoError(t, err)
	return len(p.Orders)
}

func TestPlaceMobileFulfilled(t *testing.T) {
	e := newOCEnv(t, false)
	code, res, stderr := e.run(t, "mobile", "--plan", "PREPAID_DJEZZY", "--phone", "0778037340", "--amount", "500",
		"--reference", "hl-m1", "--wait", "--timeout", "30s")
	require.Equal(t, ExitDelivered, code, stderr)
	assert.Equal(t, "delivered", res.Status)
	assert.Equal(t, "FULFILLED", res.RawStatus)
	assert.Equal(t, "hl-m1", res.ClientReference)
	assert.Equal(t, "0778037340", res.Recipient)
	assert.Equal(t, 500.0, res.Amount)
	require.NotNil(t, res.Quote)
	assert.InDelta(t, 496.25, res.Quote.TotalPayable, 1e-9, "500 × 0.9925")
	require.NotNil(t, res.Quote.BalanceAfter)
	assert.InDelta(t, oneclicksb.InitialBalance-496.25, *res.Quote.BalanceAfter, 1e-9)
	assert.Equal(t, 1, e.count(t, api.VerticalMobile))
}

func TestPlaceMobileRefundedWithOffers(t *testing.T) {
	e := newOCEnv(t, false)
	code, res, stderr := e.run(t, "mobile", "--plan", "PREPAID_DJEZZY", "--msisdn", oneclicksb.NumberSuggest, "--amount", "500", "--wait")
	require.Equal(t, ExitFailed, code, stderr)
	assert.Equal(t, "refunded", res.Status)
	assert.NotEmpty(t, res.FailureReason, "the refund_message")
	assert.True(t, res.IsUserFixable)
	require.NotEmpty(t, res.SuggestedOffers)
	assert.Equal(t, "FACTURE_DJEZZY", res.SuggestedOffers[0].PlanCode)
	assert.Equal(t, 500.0, res.SuggestedOffers[0].Amount)
}

func TestPlaceMobileUnknownErrorIsExit3(t *testing.T) {
	e := newOCEnv(t, false)
	code, res, stderr := e.run(t, "mobile", "--plan", "PREPAID_DJEZZY", "--phone", oneclicksb.NumberUnknown, "--amount", "200", "--wait")
	require.Equal(t, ExitPartial, code, stderr)
	assert.Equal(t, "uncertain", res.Status)
	assert.Equal(t, "UNKNOWN_ERROR", res.RawStatus)
}

func TestPlaceMobileBadInputSendsNothing(t *testing.T) {
	e := newOCEnv(t, false)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--plan", "PREPAID_DJEZZY", "--phone", "0661234567", "--amount", "500"}, "--phone: 0661234567 is a Mobilis number"},
		{[]string{"--plan", "PREPAID_DJEZZY", "--phone", "0778037340", "--amount", "50"}, "--amount"},
		{[]string{"--plan", "PREPAID_DJEZZY", "--phone", "0778037340"}, "--amount"},
		{[]string{"--plan", "NOPE", "--phone", "0778037340", "--amount", "500"}, "--plan NOPE"},
		{[]string{"--plan", "PREPAID_PIXX", "--phone", "0778037340", "--amount", "500"}, "disabled"},
	}
	for _, c := range cases {
		code, _, stderr := e.run(t, "mobile", c.args...)
		assert.Equal(t, ExitBadInput, code, "%q", c.args)
		assert.Contains(t, stderr, c.want, "%q", c.args)
		assert.Contains(t, stderr, "nothing was sent", "%q", c.args)
	}
	assert.Zero(t, e.count(t, api.VerticalMobile))
}

func TestPlaceInternetRevealsTheCard(t *testing.T) {
	e := newOCEnv(t, false)
	code, res, stderr := e.run(t, "internet", "--type", "ADSL", "--number", "036362608", "--value", "1000", "--wait", "--reveal")
	require.Equal(t, ExitDelivered, code, stderr)
	assert.Equal(t, "delivered", res.Status)
	assert.Equal(t, "036362608", res.Recipient)
	require.Len(t, res.Vouchers, 1)
	real, err := e.client.GetOrder(context.Background(), api.VerticalInternet, res.ID)
	require.NoError(t, err)
	require.Len(t, real.Vouchers, 1)
	assert.Equal(t, real.Vouchers[0].CardNumber, res.Vouchers[0].CardNumber, "--reveal prints card_code")
	assert.NotEmpty(t, res.Vouchers[0].Reference, "num_trans")
	assert.True(t, res.Revealed)
	assert.InDelta(t, 980, res.Quote.TotalPayable, 1e-9)

	code, res, stderr = e.run(t, "internet", "--type", "4G", "--number", "213472731602", "--value", "500", "--wait")
	require.Equal(t, ExitDelivered, code, stderr)
	require.Len(t, res.Vouchers, 1)
	assert.Contains(t, res.Vouchers[0].CardNumber, "•", "masked without --reveal")
}

func TestPlaceInternetQueuedIsExit3(t *testing.T) {
	e := newOCEnv(t, false)
	code, res, stderr := e.run(t, "internet", "--type", "ADSL", "--number", oneclicksb.ADSLQueued, "--value", "500", "--wait")
	require.Equal(t, ExitPartial, code, stderr)
	assert.Equal(t, "scheduled", res.Status)
	assert.Equal(t, "QUEUED", res.RawStatus)
}

func TestPlaceInternetBadValue(t *testing.T) {
	e := newOCEnv(t, false)
	code, _, stderr := e.run(t, "internet", "--type", "ADSL", "--number", "036362608", "--value", "700")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, stderr, "--value: 700 DA is not a ADSL card")
	code, _, stderr = e.run(t, "internet", "--type", "4G", "--number", "213472731602", "--value", "3000")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, stderr, "out of stock")
	assert.Zero(t, e.count(t, api.VerticalInternet))
}

func TestPlaceGiftCardPartialFill(t *testing.T) {
	e := newOCEnv(t, false)
	code, res, stderr := e.run(t, "giftcard", "--product", oneclicksb.PSNProductID, "--type-id", "TEST_PARTIAL", "--quantity", "4",
		"--wait", "--reveal")
	require.Equal(t, ExitPartial, code, stderr)
	assert.Equal(t, "partial", res.Status)
	assert.Equal(t, "PARTIALLY_FILLED", res.RawStatus)
	assert.Equal(t, 4, res.Quantity)
	assert.Equal(t, 2, res.DeliveredQuantity)
	require.Len(t, res.Vouchers, 2)
	assert.True(t, strings.HasPrefix(res.Vouchers[0].CardNumber, "SANDBOX-CARD-"), "revealed")
	assert.NotEmpty(t, res.Vouchers[0].Serial)
	assert.Equal(t, 490.0, res.PricePerCard)
	assert.Equal(t, 980.0, res.Debited)
	assert.Equal(t, 980.0, res.Refunded)
	assert.InDelta(t, 1960, res.Quote.TotalPayable, 1e-9)
	assert.NotEmpty(t, res.ClientReference, "the journal key, though gift cards send none")
}

func TestPlaceGiftCardMaskedAndRefunded(t *testing.T) {
	e := newOCEnv(t, false)
	code, res, stderr := e.run(t, "giftcard", "--product", oneclicksb.PSNProductID, "--type-id", "type_001", "--quantity", "2", "--wait")
	require.Equal(t, ExitDelivered, code, stderr)
	require.Len(t, res.Vouchers, 2)
	assert.NotContains(t, res.Vouchers[0].CardNumber, "SANDBOX-CARD", "masked without --reveal")

	code, res, stderr = e.run(t, "giftcard", "--product", oneclicksb.PSNProductID, "--type-id", "TEST_REFUND", "--quantity", "2", "--wait")
	require.Equal(t, ExitFailed, code, stderr)
	assert.Equal(t, "refunded", res.Status)
	assert.Equal(t, 980.0, res.Refunded)
}

func TestPlaceGiftCardBadInput(t *testing.T) {
	e := newOCEnv(t, false)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--product", oneclicksb.PSNProductID, "--type-id", "type_001", "--quantity", "51"}, "--quantity: at most 50"},
		{[]string{"--product", oneclicksb.PSNProductID, "--type-id", "type_002", "--quantity", "88"}, "--quantity: only 87"},
		{[]string{"--product", oneclicksb.PSNProductID, "--type-id", "type_003"}, "--type-id: PSN 2000 DA is out of stock"},
		{[]string{"--product", oneclicksb.PSNProductID, "--type-id", "type_999"}, "--type-id"},
		{[]string{"--product", "507f1f77bcf86cd799439017", "--type-id", "x"}, "disabled"},
		{[]string{"--product", "000000000000000000000000", "--type-id", "type_001"}, "--product"},
	}
	for _, c := range cases {
		code, _, stderr := e.run(t, "giftcard", c.args...)
		assert.Equal(t, ExitBadInput, code, "%q: %s", c.args, stderr)
		assert.Contains(t, stderr, c.want, "%q", c.args)
	}
	assert.Zero(t, e.count(t, api.VerticalGiftCard))
}

func TestPlaceGiftCardDroppedIsFoundNeverResent(t *testing.T) {
	e := newOCEnv(t, true)
	code, res, stderr := e.run(t, "giftcard", "--product", oneclicksb.PSNProductID, "--type-id", "type_002", "--quantity", "3",
		"--wait", "--timeout", "30s")
	require.Equal(t, ExitDelivered, code, stderr)
	assert.Equal(t, "delivered", res.Status)
	assert.NotEmpty(t, res.ID)
	assert.Len(t, res.Vouchers, 3)
	assert.Equal(t, 1, e.count(t, api.VerticalGiftCard), "exactly one order")
}
