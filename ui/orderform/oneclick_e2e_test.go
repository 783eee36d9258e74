package orderform

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	ocspec "github.com/orderwatch/orderwatch/api/spec/oneclick"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/oneclick"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/engine/enginetest"
)

type ocE2E struct {
	srv    *oneclicksb.Server
	client *oneclick.Client
	engine *engine.Engine
}

func newOCE2E(t *testing.T, drop bool) *ocE2E {
	t.Helper()
	srv, err := oneclicksb.New(oneclicksb.Config{Seed: 21, TimeScale: e2eScale, RatePerMinute: -1})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Close() })
	var lose func(*http.Request) bool
	if drop { // placeOrder reaches the server, its reply is lost
		lose = func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/gift-cards/placeOrder") }
	}
	c, err := oneclick.New(oneclick.Config{BaseURL: srv.URL(), APIKey: api.Secret(srv.APIKey()), Timeout: 10 * time.Second,
		HTTPClient: &http.Client{Transport: enginetest.Transport(t, lose)}})
	require.NoError(t, err)
	e := enginetest.Engine(t, e2eScale, c)
	return &ocE2E{srv: srv, client: c, engine: e}
}

func (x *ocE2E) opts(t *testing.T, v api.Vertical) Options {
	ws, err := x.client.Wallets(context.Background())
	require.NoError(t, err)
	return Options{
		Vertical: v, Catalog: x.client, Quoter: x.client, Wallets: ws,
		Place: func(ctx context.Context, r api.OrderRequest) (api.Order, error) {
			return x.engine.Place(ctx, x.client, r)
		},
		Find: x.client.FindByReference, // the client is an api.LineChecker too
	}
}

func (h *harness) orderStatus(s api.Status) func() bool {
	return func() bool {
		o, ok := h.m.Order()
		return ok && o.Status == s
	}
}

// harness is a form harness that gets the placed order's updates from the
// engine, as the dashboard would send them.
func (x *ocE2E) harness(t *testing.T, o Options) *harness {
	h := newHarness(t, o)
	h.follow = func(k api.OrderKey) (api.Order, bool) {
		tr, ok := x.engine.Get(k)
		return tr.Order, ok
	}
	return h
}

// mobileTo fills the mobile form up to confirm.
func mobileTo(t *testing.T, h *harness, msisdn, plan, amount string) {
	t.Helper()
	h.waitStage("pick")
	require.Equal(t, "msisdn", h.focused())
	h.typeText(msisdn)
	h.press("enter")
	h.waitFocus("product")
	labels := make([]string, 0)
	for _, p := range h.m.pick.Products {
		labels = append(labels, ocspec.PlanLabel(p))
	}
	h.pickOption(labels, plan+" ")
	h.press("enter")
	h.waitStage("details")
	if amount != "" {
		h.to("amount")
		h.replace(amount)
	}
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
}

func TestE2EMobileFulfilled(t *testing.T) {
	x := newOCE2E(t, false)
	h := x.harness(t, x.opts(t, api.VerticalMobile))
	mobileTo(t, h, "0778037340", "PREPAID_DJEZZY", "500")
	v := h.view()
	assert.Contains(t, v, "0778037340 (Djezzy)")
	assert.Contains(t, v, "496.25 DZD", "500 × 0.9925")
	assert.Contains(t, v, "50000 DZD → 49503.75 DZD after")
	h.press("enter")
	h.waitStage("result")
	h.waitFor("FULFILLED", h.orderStatus(api.StatusDelivered))
	v = h.view()
	assert.Contains(t, v, "DELIVERED")
	assert.Contains(t, v, "0778037340")
	placed := h.placed(1)
	require.Len(t, placed, 1)
	assert.Equal(t, h.m.req.ClientReference, placed[0].Order.ClientReference)
}

func TestE2EMobileOnlyTheOperatorsPlans(t *testing.T) {
	x := newOCE2E(t, false)
	h := x.harness(t, x.opts(t, api.VerticalMobile))
	h.waitStage("pick")
	h.typeText("0661234567")
	h.press("enter")
	h.waitFocus("product")
	ps := h.m.pick.Products
	require.NotEmpty(t, ps)
	for _, p := range ps {
		assert.Equal(t, "Mobilis", ocspec.PlanOperator(p.Type), p.ID)
		assert.True(t, p.Enabled, p.ID)
	}
	assert.Contains(t, h.view(), "is a Mobilis number")
}

func TestE2EMobileRefundedOffersEditAndRetry(t *testing.T) {
	x := newOCE2E(t, false)
	h := x.harness(t, x.opts(t, api.VerticalMobile))
	mobileTo(t, h, oneclicksb.NumberSuggest, "PREPAID_DJEZZY", "500")
	ref := h.m.req.ClientReference
	h.press("enter")
	h.waitStage("result")
	h.waitFor("REFUNDED", h.orderStatus(api.StatusRefunded))
	o, _ := h.m.Order()
	require.NotEmpty(t, o.FailureReason)
	v := h.view()
	assert.Contains(t, v, "REFUNDED")
	assert.Contains(t, v, o.FailureReason, "the refund_message")
	assert.Contains(t, v, "FACTURE_DJEZZY · 500 DZD")
	assert.Contains(t, v, "edit and retry")
	h.press("E")
	h.waitStage("details")
	assert.Equal(t, "FACTURE_DJEZZY", h.m.product.ID, "the suggested plan is filled in")
	assert.Equal(t, "500", h.m.val("amount"))
	assert.Equal(t, oneclicksb.NumberSuggest, h.m.val("msisdn"))
	assert.NotEqual(t, ref, h.m.val("reference"), "a new reference")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.Equal(t, "FACTURE_DJEZZY", h.m.req.ProductID)
}

func TestE2EInternetShowsLineCheckAndCard(t *testing.T) {
	x := newOCE2E(t, false)
	h := x.harness(t, x.opts(t, api.VerticalInternet))
	h.waitStage("pick")
	require.Equal(t, "type", h.focused())
	h.to("number") // keeps ADSL
	h.typeText("036362608")
	h.press("enter")
	h.waitStage("details")
	v := h.view()
	assert.Contains(t, v, "ncli ")
	assert.Contains(t, v, "offre ")
	assert.Contains(t, v, "2000 DA · costs 1960 DZD")
	h.pickOption([]string{"500", "1000", "2000"}, "1000")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.Contains(t, h.view(), "980 DZD")
	h.press("enter")
	h.waitStage("result")
	h.waitFor("FULFILLED", h.orderStatus(api.StatusDelivered))
	o, _ := h.m.Order()
	require.Len(t, o.Vouchers, 1)
	card := o.Vouchers[0].CardNumber
	v = h.view()
	assert.NotContains(t, v, card, "masked")
	assert.Contains(t, v, api.Mask(card))
	assert.Contains(t, v, "num_trans "+o.Vouchers[0].Reference)
	h.press("v")
	assert.Contains(t, h.view(), card)
	assert.Equal(t, CopyMsg{What: "card code", Text: card}, h.copyOn("c"))
}

// giftTo fills the PSN gift-card form with typeID × qty up to confirm.
func giftTo(t *testing.T, h *harness, typeID, qty string) {
	t.Helper()
	h.waitStage("pick")
	h.pickOption(h.m.narrowOptions(), "Gaming Cards")
	h.press("enter")
	h.waitFocus("product")
	h.pickOption(productLabels(h.m.pick.Products), "PlayStation")
	h.press("enter")
	h.waitStage("details")
	names := make([]string, 0, len(h.m.product.Variants))
	for _, v := range h.m.product.Variants {
		names = append(names, v.ID)
	}
	h.pickOption(names, typeID)
	h.to("quantity")
	h.replace(qty)
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
}

func TestE2EGiftCardPartialFill(t *testing.T) {
	x := newOCE2E(t, false)
	h := x.harness(t, x.opts(t, api.VerticalGiftCard))
	giftTo(t, h, "TEST_PARTIAL", "4")
	v := h.view()
	assert.Contains(t, v, "1960 DZD")
	assert.Contains(t, v, "not sent: gift cards have no reference")
	h.press("enter")
	h.waitStage("result")
	h.waitFor("PARTIALLY_FILLED", h.orderStatus(api.StatusPartial))
	o, _ := h.m.Order()
	require.Len(t, o.Vouchers, 2)
	v = h.view()
	assert.Contains(t, v, "PARTIAL")
	assert.Contains(t, v, "2 of 4 codes")
	assert.Contains(t, v, "4 × 490 DZD = 1960 DZD")
	assert.Contains(t, v, "2 × 490 DZD = 980 DZD")
	assert.Contains(t, v, "980 DZD for 2 undelivered")
	assert.NotContains(t, v, o.Vouchers[0].CardNumber, "masked")
	assert.Contains(t, v, "serial "+o.Vouchers[1].Serial)
	h.press("v")
	v = h.view()
	assert.Contains(t, v, o.Vouchers[0].CardNumber)
	assert.Contains(t, v, o.Vouchers[1].CardNumber)
	assert.Equal(t, CopyMsg{What: "card code", Text: o.Vouchers[1].CardNumber}, h.copyOn("down", "c"))
	assert.Equal(t, CopyMsg{What: "card serial", Text: o.Vouchers[1].Serial}, h.copyOn("N"))
}

func TestE2EGiftCardDroppedFoundNeverResent(t *testing.T) {
	x := newOCE2E(t, true)
	h := x.harness(t, x.opts(t, api.VerticalGiftCard))
	giftTo(t, h, "type_001", "2")
	ref := h.m.req.ClientReference
	h.press("enter")
	h.waitStage("result")
	o, ok := h.m.Order()
	require.True(t, ok, h.view())
	assert.Equal(t, ref, o.ClientReference, "the journal key")
	l, _, err := x.client.GiftList(context.Background(), oneclick.ListOptions{PageSize: 100})
	require.NoError(t, err)
	require.Len(t, l, 1, "exactly one order")
	assert.Equal(t, l[0].ID, o.ID)
	h.press("enter")
	assert.False(t, h.closed(), "a repeated confirm press does not hide the result")
	h.closesOn("esc")
}
