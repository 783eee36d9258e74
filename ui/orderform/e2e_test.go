package orderform

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/octopus"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/engine/enginetest"
	"github.com/orderwatch/orderwatch/ui/qrterm"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

const e2eScale = 0.005

type e2e struct {
	srv    *octosb.Server
	client *octopus.Client
	engine *engine.Engine
}

func newE2E(t *testing.T, drop bool) *e2e {
	t.Helper()
	srv, err := octosb.New(octosb.Config{Seed: 11, TimeScale: e2eScale})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Close() })
	creds := srv.Credentials()
	var lose func(*http.Request) bool
	if drop { // a create reaches the server, its reply is lost
		lose = func(r *http.Request) bool { return octopus.ClassOf(r.Method, r.URL.Path) == api.ClassCreate }
	}
	c, err := octopus.New(octopus.Config{BaseURL: srv.URL(), APIKey: api.Secret(creds.APIKey), APISecret: api.Secret(creds.APISecret),
		Timeout: 10 * time.Second, HTTPClient: &http.Client{Transport: enginetest.Transport(t, lose)}})
	require.NoError(t, err)
	e := enginetest.Engine(t, e2eScale, c)
	return &e2e{srv: srv, client: c, engine: e}
}

func (x *e2e) opts(t *testing.T, v api.Vertical) Options {
	ws, err := x.client.Wallets(context.Background())
	require.NoError(t, err)
	return Options{
		Vertical: v, Catalog: x.client, Quoter: x.client, Wallets: ws,
		Place: func(ctx context.Context, r api.OrderRequest) (api.Order, error) {
			return x.engine.Place(ctx, x.client, r)
		},
		Find: x.client.FindByReference, // the client is an api.PhoneLookup too
	}
}

// voucherTo fills the voucher form for Steam Wallet USD and stops at confirm.
func voucherTo(t *testing.T, h *harness, denom string, qty string) {
	t.Helper()
	h.waitStage("pick")
	h.pickOption(productLabels(h.m.products), "Steam Wallet USD")
	h.press("enter")
	h.waitStage("details")
	h.pickOption([]string{"5", "10", "20", "50", "100"}, denom)
	h.to("quantity")
	h.replace(qty)
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
}

func TestE2EVoucherOfThreeShowsThreeMaskedCodes(t *testing.T) {
	x := newE2E(t, false)
	h := newHarness(t, x.opts(t, api.VerticalVoucher))
	voucherTo(t, h, "10", "3")
	assert.Contains(t, h.view(), "28.95 USD", "the sandbox's quote: 30 - 3.5 %")
	h.press("enter")
	h.waitStage("result")
	o, ok := h.m.Order()
	require.True(t, ok)
	require.Len(t, o.Vouchers, 3)
	v := h.view()
	assert.Contains(t, v, "3 of 3 codes")
	for _, vc := range o.Vouchers {
		assert.Contains(t, v, api.Mask(vc.CardNumber))
		assert.NotContains(t, v, vc.CardNumber)
	}
	require.Len(t, h.placed(1), 1)
}

func TestE2EVoucherOfTenPendingThenDelivered(t *testing.T) {
	x := newE2E(t, false)
	h := newHarness(t, x.opts(t, api.VerticalVoucher))
	voucherTo(t, h, "5", "10")
	h.press("enter")
	h.waitStage("result")
	assert.Contains(t, h.view(), "Not finished yet — tracked; it updates here and in the table.")
	placed := h.placed(1)
	require.Len(t, placed, 1)
	key := placed[0].Order.Key()
	require.Eventually(t, func() bool {
		tr, ok := x.engine.Get(key)
		return ok && tr.Order.Status == api.StatusDelivered && len(tr.Order.Vouchers) == 10
	}, 20*time.Second, 20*time.Millisecond, "the engine tracks it to DELIVERED")
}

func TestE2EESIMShowsQROfLPA(t *testing.T) {
	x := newE2E(t, false)
	h := newHarness(t, x.opts(t, api.VerticalESIM))
	h.waitStage("pick")
	h.pickOption(h.m.narrowOptions(), "JPN")
	h.press("enter")
	h.waitFocus("product")
	h.pickOption(productLabels(h.m.pick.Products), "Japan eSIM")
	h.press("enter")
	h.waitStage("details")
	assert.Contains(t, h.view(), "4.50 USD")
	h.placeFromDetails()
	o, ok := h.m.Order()
	require.True(t, ok)
	require.NotNil(t, o.ESIM)
	lpa := o.ESIM.ActivationCode
	require.True(t, strings.HasPrefix(lpa, "LPA:1$"), lpa)
	lines, err := qrterm.Lines(lpa)
	require.NoError(t, err)
	v := h.view()
	for _, l := range lines {
		assert.Contains(t, v, l)
	}
	assert.Contains(t, v, lpa)
	assert.Equal(t, CopyMsg{What: "activation code", Text: lpa}, h.copyOn("Q"))
}

func TestE2ETopupBadPlayerFailsAndOffersEditRetry(t *testing.T) {
	x := newE2E(t, false)
	o := x.opts(t, api.VerticalTopup)
	o.Catalog, o.Quoter = catalogOnly{x.client}, quoterOnly{x.client} // no phone lookup
	h := newHarness(t, o)
	h.waitStage("pick")
	h.pickOption(productLabels(h.m.products), "PUBG")
	h.press("enter")
	h.waitStage("details")
	h.to("input_data.player_id")
	h.typeText(octosb.MagicPlayerFail)
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.NotContains(t, h.view(), "player_id", "the confirm screen names fields as the form does")
	assert.Regexp(t, `Player ID\s+0000000`, h.view())
	ref := h.m.req.ClientReference
	h.press("enter")
	h.waitStage("result")
	v := h.view()
	assert.Contains(t, v, "FAILED")
	assert.Contains(t, v, "INVALID_PLAYER_ID")
	assert.Regexp(t, `Player ID\s+0000000`, v, "a player id is not labelled as a number")
	assert.Contains(t, v, "edit and retry")
	h.press("E")
	h.waitStage("details")
	h.waitFocus("input_data.player_id") // the field the provider refused, not the first one
	assert.Equal(t, octosb.MagicPlayerFail, h.m.val("input_data.player_id"))
	assert.NotEqual(t, ref, h.m.val("reference"))
}

func TestE2EDroppedConnectionEndsWithOneOrderFoundByReference(t *testing.T) {
	x := newE2E(t, true)
	h := newHarness(t, x.opts(t, api.VerticalVoucher))
	voucherTo(t, h, "20", "2")
	ref := h.m.req.ClientReference
	h.press("enter")
	h.waitStage("result")
	o, ok := h.m.Order()
	require.True(t, ok, h.view())
	assert.Equal(t, ref, o.ClientReference)
	assert.EqualValues(t, 1, x.srv.Stats().Orders["voucher"], "exactly one order")
	assert.EqualValues(t, 1, x.srv.Stats().Requests[octosb.ClassCreateVoucher], "sent once")
	found, ok, err := x.client.FindByReference(context.Background(), api.VerticalVoucher, ref)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, found.ID, o.ID)
}

func TestE2ESecondConfirmNeverCreatesSecondOrder(t *testing.T) {
	x := newE2E(t, false)
	h := newHarness(t, x.opts(t, api.VerticalVoucher))
	voucherTo(t, h, "5", "1")
	h.deliver(uitest.Key("enter"))
	h.deliver(uitest.Key("enter"))
	h.deliver(uitest.Key("y"))
	h.press("enter")
	h.waitStage("result")
	h.press("enter")
	assert.EqualValues(t, 1, x.srv.Stats().Requests[octosb.ClassCreateVoucher])
	assert.EqualValues(t, 1, x.srv.Stats().Orders["voucher"])
}
