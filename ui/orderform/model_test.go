package orderform

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	octospec "github.com/orderwatch/orderwatch/api/spec/octopus"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"rsc.io/qr"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/ui/qrterm"
)

// toVoucherDetails opens the voucher form on product name.
func toVoucherDetails(t *testing.T, h *harness, name string) {
	t.Helper()
	h.waitStage("pick")
	h.pickOption(productLabels(h.m.products), name)
	h.press("enter")
	h.waitStage("details")
}

func TestReadOnlyRefuses(t *testing.T) {
	cat, p := catalogue(), &fakePlacer{}
	o := fakeOpts(api.VerticalVoucher, cat, p)
	o.ReadOnly = true
	h := newHarness(t, o)
	h.settle()
	assert.Equal(t, "refused", h.m.Stage())
	assert.Contains(t, h.view(), "read-only")
	assert.Zero(t, cat.calls.Load(), "nothing loaded")
	h.closesOn("esc")
}

func TestVoucherQuoteConfirmPlace(t *testing.T) {
	cat := catalogue()
	p := &fakePlacer{order: api.Order{Vertical: api.VerticalVoucher, ID: "77", Status: api.StatusDelivered, RawStatus: "DELIVERED",
		Quantity: 3, DeliveredQuantity: 3, Vouchers: []api.Voucher{{CardNumber: "AAAA-BBBB-1111", PIN: "9911"},
			{CardNumber: "AAAA-BBBB-2222"}, {CardNumber: "AAAA-BBBB-3333"}}}}
	h := newHarness(t, fakeOpts(api.VerticalVoucher, cat, p))
	toVoucherDetails(t, h, "Steam Wallet USD")
	assert.Contains(t, h.view(), octospec.QuantityHelp, "the quantity rule is said in place")

	h.pickOption([]string{"5", "10", "20"}, "10")
	h.to("quantity")
	h.replace("3")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	v := h.view()
	for _, want := range []string{"Steam Wallet USD", "10.00 USD × 3", "Face value", "30.00 USD", "Discount", "-1.05 USD (3.5 %)",
		"Total payable", "28.95 USD", "10000.00 USD → 9971.05 USD after", h.m.req.ClientReference} {
		assert.Contains(t, v, want)
	}
	assert.NotContains(t, v, "LIVE")
	q, n := p.counts()
	assert.Equal(t, 1, q)
	assert.Zero(t, n, "nothing placed before confirming")

	h.press("enter")
	h.waitStage("result")
	_, n = p.counts()
	assert.Equal(t, 1, n)
	req := p.lastRequest()
	assert.Equal(t, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 10, Quantity: 3, WalletID: "1",
		ClientReference: req.ClientReference}, req)
	assert.NoError(t, api.ValidateReference(req.ClientReference))
	placed := h.placed(1)
	require.Len(t, placed, 1)
	assert.Equal(t, "77", placed[0].Order.ID)

	v = h.view()
	assert.Contains(t, v, "3 of 3 codes")
	assert.Contains(t, v, api.Mask("AAAA-BBBB-2222"))
	assert.NotContains(t, v, "AAAA-BBBB-2222", "masked until revealed")
	h.press("v")
	assert.Contains(t, h.view(), "AAAA-BBBB-2222")
	assert.Equal(t, CopyMsg{What: "voucher code", Text: "AAAA-BBBB-2222"}, h.copyOn("down", "c"))
	assert.Equal(t, CopyMsg{What: "voucher PIN", Text: "9911"}, h.copyOn("up", "C"))
	h.closesOn("esc")
}

// badField types value into field and expects msg next to it, nothing quoted.
func badField(t *testing.T, h *harness, p *fakePlacer, field, value, msg string) {
	t.Helper()
	h.to(field)
	h.replace(value)
	h.press("enter")
	assert.Equal(t, field, h.focused(), "stays on %s", field)
	assert.Contains(t, h.view(), msg, "%s=%q", field, value)
	assert.Equal(t, "details", h.m.Stage())
	q, n := p.counts()
	assert.Zero(t, q+n, "nothing sent")
	h.replace("")
}

func TestVoucherFieldValidation(t *testing.T) {
	cat, p := catalogue(), &fakePlacer{}
	h := newHarness(t, fakeOpts(api.VerticalVoucher, cat, p))
	toVoucherDetails(t, h, "Amazon.com Gift Card")
	badField(t, h, p, "denomination", "2500", "not offered")
	badField(t, h, p, "denomination", "0", "more than 0")
	badField(t, h, p, "denomination", "ten", "type a number")
	h.replace("25")
	badField(t, h, p, "quantity", "0", "between 1 and 5000")
	badField(t, h, p, "quantity", "5001", "between 1 and 5000")
	badField(t, h, p, "quantity", "x", "whole number")
	h.replace("2")
	badField(t, h, p, "email", "bob@", "not a valid email")
	badField(t, h, p, "reference", "café", "printable ASCII")
	badField(t, h, p, "reference", "", "is required")
	h.replace("my-ref-1")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.Equal(t, "my-ref-1", h.m.req.ClientReference)
	assert.Equal(t, 25.0, h.m.req.Amount)
}

func TestTopupFieldValidationAndLookup(t *testing.T) {
	cat, p := catalogue(), &fakePlacer{}
	o := fakeOpts(api.VerticalTopup, cat, p)
	o.Catalog = lookupCatalog{cat, func(_ context.Context, phone string) ([]api.LookupHit, error) {
		if strings.HasPrefix(phone, "+91") {
			return []api.LookupHit{{ProductID: "4219", Name: "Airtel India", CountryCode: "IND", Identified: true}}, nil
		}
		return nil, nil
	}}
	h := newHarness(t, o)
	h.waitStage("pick")
	require.Equal(t, "phone", h.focused())
	h.typeText("918879685100")
	h.press("enter")
	assert.Contains(t, h.view(), "E.164", "a phone without + is refused")
	h.replace("+918879685100")
	h.press("enter")
	h.waitFor("lookup suggestions", func() bool { return h.m.Stage() == "pick" && h.focused() == "product" && h.drawn() })
	assert.Contains(t, h.view(), "Airtel India (identified)")
	h.press("enter")
	h.waitStage("details")
	assert.Equal(t, "+918879685100", h.m.val("input_data.phone_number"), "the looked-up phone fills the field")
	assert.Contains(t, h.view(), "Airtime 10–5000")

	badField(t, h, p, "amount", "5001", "not offered")
	badField(t, h, p, "amount", "-1", "more than 0")
	h.replace("150")
	badField(t, h, p, "input_data.phone_number", "+91 887 968", "E.164")
	h.replace("+918879685100")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.Equal(t, map[string]string{"phone_number": "+918879685100"}, h.m.req.InputData)
}

func TestGameTopupPlayerValidation(t *testing.T) {
	cat, p := catalogue(), &fakePlacer{}
	h := newHarness(t, fakeOpts(api.VerticalTopup, cat, p)) // no Lookup: straight to the catalogue
	h.waitStage("pick")
	h.pickOption(productLabels(h.m.products), "PUBG")
	h.press("enter")
	h.waitStage("details")
	badField(t, h, p, "input_data.player_id", "", "Player ID is required")
	badField(t, h, p, "input_data.player_id", "12ab", "does not look like")
}

func TestDoubleConfirmPlacesOnce(t *testing.T) {
	cat := catalogue()
	p := &fakePlacer{gate: make(chan struct{}), order: api.Order{Vertical: api.VerticalVoucher, ID: "5", Status: api.StatusPending}}
	h := newHarness(t, fakeOpts(api.VerticalVoucher, cat, p))
	toVoucherDetails(t, h, "Steam Wallet USD")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	h.press("enter")
	assert.Equal(t, "placing", h.m.Stage())
	h.press("enter", "enter", "y", "enter", "esc")
	assert.Equal(t, "placing", h.m.Stage(), "keys wait while placing")
	close(p.gate)
	h.waitStage("result")
	h.press("enter") // the result stays open; must not place again
	_, n := p.counts()
	assert.Equal(t, 1, n, "exactly one Place call")
	assert.Contains(t, h.view(), "it updates here and in the table")
}

func TestLiveNeedsTypedWord(t *testing.T) {
	cat := catalogue()
	p := &fakePlacer{order: api.Order{Vertical: api.VerticalVoucher, ID: "5", Status: api.StatusDelivered}}
	o := fakeOpts(api.VerticalVoucher, cat, p)
	o.Live = true
	h := newHarness(t, o)
	toVoucherDetails(t, h, "Steam Wallet USD")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.Contains(t, h.view(), "LIVE ACCOUNT")
	assert.Contains(t, h.view(), `Type "buy" or the product name`)
	h.press("enter")
	assert.Contains(t, h.view(), `type "buy" or the product name, then enter`)
	h.typeText("bu")
	h.press("enter")
	h.typeText("x")
	h.press("backspace", "backspace", "backspace")
	h.press("enter")
	h.press("y")
	_, n := p.counts()
	assert.Zero(t, n, "no place without the word; y is only a letter of it")
	h.press("backspace")
	h.typeText("steam wallet usd")
	h.press("enter")
	h.waitStage("result")
	_, n = p.counts()
	assert.Equal(t, 1, n)
}

// On a sandbox account y confirms like enter, and the confirm screen says so.
func TestSandboxConfirmsWithY(t *testing.T) {
	cat := catalogue()
	p := &fakePlacer{order: api.Order{Vertical: api.VerticalVoucher, ID: "6", Status: api.StatusDelivered}}
	h := newHarness(t, fakeOpts(api.VerticalVoucher, cat, p))
	toVoucherDetails(t, h, "Steam Wallet USD")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.Contains(t, h.view(), "enter or y place")
	h.press("y")
	h.waitStage("result")
	_, n := p.counts()
	assert.Equal(t, 1, n)
}

func TestLiveAcceptsBuy(t *testing.T) {
	cat := catalogue()
	p := &fakePlacer{order: api.Order{Vertical: api.VerticalESIM, ID: "9", Status: api.StatusDelivered}}
	o := fakeOpts(api.VerticalESIM, cat, p)
	o.Live = true
	h := newHarness(t, o)
	h.waitStage("pick")
	h.pickOption([]string{"Any", "GLO", "JPN"}, "JPN")
	h.press("enter")
	h.waitFocus("product")
	h.press("enter")
	h.waitStage("details")
	assert.Contains(t, h.view(), "1 GB · 7 days · 4.50 USD")
	h.press("down")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	h.typeText("buy")
	h.press("enter")
	h.waitStage("result")
	assert.Equal(t, 15.0, p.lastRequest().Amount, "the plan's price is the amount")
}

func TestEditAndRetryPrefillsWithNewReference(t *testing.T) {
	cat := catalogue()
	p := &fakePlacer{order: api.Order{Vertical: api.VerticalTopup, ID: "31", Status: api.StatusFailed, RawStatus: "FAILED",
		FailureCode: "INVALID_PLAYER_ID", FailureReason: "The player ID does not exist", UserFixable: true}}
	h := newHarness(t, fakeOpts(api.VerticalTopup, cat, p))
	h.waitStage("pick")
	h.pickOption(productLabels(h.m.products), "PUBG")
	h.press("enter")
	h.waitStage("details")
	h.pickOption([]string{"0.99", "4.99"}, "4.99")
	h.to("input_data.player_id")
	h.typeText("0000000")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	first := h.m.req
	h.press("enter")
	h.waitStage("result")
	v := h.view()
	assert.Contains(t, v, "FAILED")
	assert.Contains(t, v, "The player ID does not exist (INVALID_PLAYER_ID)")
	assert.Contains(t, v, "edit and retry")

	h.press("E")
	h.waitStage("details")
	assert.Equal(t, "4218", h.m.product.ID)
	assert.Equal(t, "4.99", h.m.val("amount"))
	assert.Equal(t, "0000000", h.m.val("input_data.player_id"))
	assert.NotEqual(t, first.ClientReference, h.m.val("reference"), "a new reference")
	assert.NoError(t, api.ValidateReference(h.m.val("reference")))
	// fix the player and send again
	h.to("input_data.player_id")
	h.replace("51234")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.Equal(t, "51234", h.m.req.InputData["player_id"])
	assert.NotEqual(t, first.ClientReference, h.m.req.ClientReference)
}

func TestOutcomeUnknownLooksUpNeverResends(t *testing.T) {
	cat := catalogue()
	p := &fakePlacer{placeErr: &api.Error{Kind: api.KindOutcomeUnknown, Message: "connection lost after the request was sent"}}
	o := fakeOpts(api.VerticalVoucher, cat, p)
	var lookups atomic.Int32 // written by the Find command, read by the test
	o.Find = func(_ context.Context, v api.Vertical, ref string) (api.Order, bool, error) {
		if lookups.Add(1) == 1 {
			return api.Order{}, false, nil
		}
		return api.Order{Vertical: v, ID: "808", ClientReference: ref, Status: api.StatusDelivered}, true, nil
	}
	h := newHarness(t, o)
	toVoucherDetails(t, h, "Steam Wallet USD")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	h.press("enter")
	h.waitFor("lookup result", func() bool { return lookups.Load() == 1 && h.m.Stage() == "result" })
	v := h.view()
	assert.Contains(t, v, "Outcome unknown")
	assert.Contains(t, v, "not sent again")
	assert.Contains(t, v, "no order has this reference yet")
	assert.Empty(t, h.placed(0))
	h.press("E") // no edit-and-retry: it might exist
	assert.Equal(t, "result", h.m.Stage())
	h.press("r")
	require.Len(t, h.placed(1), 1, "found once")
	assert.Contains(t, h.view(), "found by reference")
	assert.Contains(t, h.view(), "voucher:808")
	_, n := p.counts()
	assert.Equal(t, 1, n, "never re-sent")
}

func TestLookupViewWhileLooking(t *testing.T) {
	m := New(fakeOpts(api.VerticalVoucher, catalogue(), &fakePlacer{}))
	m.stage, m.req = stageLookup, api.OrderRequest{ClientReference: "ref-9"}
	assert.Contains(t, m.View(), "looking the order up by reference ref-9")
}

func TestInsufficientBalanceFromQuote(t *testing.T) {
	cat := catalogue()
	p := &fakePlacer{}
	o := fakeOpts(api.VerticalVoucher, cat, p)
	o.Wallets = []api.Wallet{{ID: "1", Currency: "USD", Balance: 12, Type: "PREPAID"}}
	h := newHarness(t, o)
	toVoucherDetails(t, h, "Steam Wallet USD")
	h.pickOption([]string{"5", "10", "20"}, "20")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.Contains(t, h.view(), "more than the wallet's balance")
	h.press("enter", "y")
	_, n := p.counts()
	assert.Zero(t, n)
	h.press("esc")
	assert.Equal(t, "details", h.m.Stage(), "esc goes back to edit")
}

func TestServerRefusalShownWithRetry(t *testing.T) {
	cat := catalogue()
	p := &fakePlacer{placeErr: &api.Error{Kind: api.KindInsufficientFunds, Code: "INSUFFICIENT_FUNDS", Message: "Insufficient wallet balance"}}
	h := newHarness(t, fakeOpts(api.VerticalVoucher, cat, p))
	toVoucherDetails(t, h, "Steam Wallet USD")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	ref := h.m.req.ClientReference
	h.press("enter")
	h.waitStage("result")
	assert.Contains(t, h.view(), "Not placed: Insufficient wallet balance")
	h.press("E")
	h.waitStage("details")
	assert.NotEqual(t, ref, h.m.val("reference"))
}

func TestStaleRepliesDropped(t *testing.T) {
	m := New(fakeOpts(api.VerticalVoucher, catalogue(), &fakePlacer{}))
	_ = m.Init()
	m.Update(productsMsg{id: m.id + 1000, seq: m.seq, products: []api.Product{{ID: "x"}}})
	assert.Empty(t, m.products, "another form's reply")
	m.Update(productsMsg{id: m.id, seq: m.seq - 1, products: []api.Product{{ID: "x"}}})
	assert.Empty(t, m.products, "an older request's reply")
}

func TestHalfBlockQRReproducesBitmap(t *testing.T) {
	const lpa = "LPA:1$smdp.example.net$K2-1ABCD-XYZ99"
	lines, err := qrterm.Lines(lpa)
	require.NoError(t, err)
	code, err := qr.Encode(lpa, qr.M)
	require.NoError(t, err)
	n := code.Size + 2*qrterm.Quiet
	require.Len(t, lines, (n+1)/2)
	// Decode the cells back into modules: glyph = light, blank = dark.
	dark := func(x, y int) bool {
		cell := []rune(lines[y/2])[x]
		top, bottom := cell == '█' || cell == '▀', cell == '█' || cell == '▄'
		if y%2 == 0 {
			return !top
		}
		return !bottom
	}
	for y := 0; y < n; y++ {
		require.Len(t, []rune(lines[y/2]), n)
		for x := 0; x < n; x++ {
			want := false
			if mx, my := x-qrterm.Quiet, y-qrterm.Quiet; mx >= 0 && my >= 0 && mx < code.Size && my < code.Size {
				want = code.Black(mx, my)
			}
			require.Equal(t, want, dark(x, y), "module %d,%d", x, y)
		}
	}
}

func TestUnsupportedVerticalRefused(t *testing.T) {
	m := New(fakeOpts(api.Vertical("bogus"), catalogue(), &fakePlacer{}))
	assert.Equal(t, "refused", m.Stage())
	assert.Contains(t, m.View(), "no order form for bogus")
	for _, v := range api.AllVerticals { // every vertical has a spec, so a form
		_, ok := api.SpecOf(v)
		assert.True(t, ok, v)
		assert.NotEqual(t, "refused", New(fakeOpts(v, catalogue(), &fakePlacer{})).Stage(), v)
	}
}

// On a small terminal the form scrolls so the focused field is on screen:
// the wallet that pays must be seen when it is chosen.
func TestSmallTerminalShowsFocusedField(t *testing.T) {
	cat := catalogue()
	h := newHarness(t, fakeOpts(api.VerticalVoucher, cat, &fakePlacer{}))
	h.m.SetSize(80, 20)
	toVoucherDetails(t, h, "Steam Wallet USD")
	assert.Contains(t, h.view(), "Denomination")
	h.to("wallet")
	v := h.view()
	assert.Contains(t, v, "Pay from wallet")
	assert.LessOrEqual(t, strings.Count(v, "\n")+1, 20, "the view fits the size it was given")
}

// esc while searching the product list ends the search, the next clears
// the search text, and only then does esc cancel the form.
func TestEscLeavesSearchBeforeClosing(t *testing.T) {
	h := newHarness(t, fakeOpts(api.VerticalVoucher, catalogue(), &fakePlacer{}))
	h.waitStage("pick")
	h.press("/")
	h.typeText("amaz")
	require.True(t, h.m.searching())
	h.press("esc")
	assert.False(t, h.closed(), "the first esc only ends the search")
	assert.Contains(t, h.view(), "Amazon")
	assert.NotContains(t, h.view(), "Steam Wallet USD", "the search still narrows the list")
	h.press("esc")
	assert.False(t, h.closed(), "the second esc clears the search text")
	assert.Contains(t, h.view(), "Steam Wallet USD")
	assert.False(t, h.m.searching())
	assert.Equal(t, "pick", h.m.Stage())
	h.closesOn("esc")
}
