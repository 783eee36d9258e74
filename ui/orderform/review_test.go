package orderform

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/orderwatch/orderwatch/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Place error that does not prove a refusal (here what the engine returns
// when its lookups of the reference failed after a malformed create reply)
// may follow an order that landed: it is never "Not placed", never offered
// an edit-and-retry under a new reference, and is looked up by reference.
func TestAmbiguousPlaceErrorIsNotCalledNotPlaced(t *testing.T) {
	for name, perr := range map[string]error{
		"engine gave up looking": fmt.Errorf("place voucher ref %q: outcome still unknown, the journal keeps checking the reference: %w",
			"r", &api.Error{Kind: api.KindDecode, Message: "malformed response"}),
		"server error":        &api.Error{Kind: api.KindServer, HTTPStatus: 502, Message: "bad gateway"},
		"duplicate reference": &api.Error{Kind: api.KindDuplicateReference, Message: "Duplicate client_reference"},
		"plain error":         fmt.Errorf("something broke"),
	} {
		t.Run(name, func(t *testing.T) {
			p := &fakePlacer{placeErr: perr}
			o := fakeOpts(api.VerticalVoucher, catalogue(), p)
			var lookups atomic.Int32 // written by the Find command, read by the test
			o.Find = func(_ context.Context, v api.Vertical, ref string) (api.Order, bool, error) {
				lookups.Add(1)
				return api.Order{}, false, nil
			}
			h := newHarness(t, o)
			toVoucherDetails(t, h, "Steam Wallet USD")
			h.to("wallet")
			h.press("enter")
			h.waitStage("confirm")
			h.press("enter")
			h.waitFor("looked up", func() bool { return lookups.Load() == 1 && h.m.Stage() == "result" })
			v := h.view()
			assert.NotContains(t, v, "Not placed")
			assert.NotContains(t, v, "edit and retry")
			assert.Contains(t, v, "Not confirmed")
			h.press("E")
			assert.Equal(t, "result", h.m.Stage(), "no retry under a new reference")
			h.press("r")
			h.waitFor("looked up again", func() bool { return lookups.Load() == 2 && h.m.Stage() == "result" })
			_, n := p.counts()
			require.Equal(t, 1, n, "sent once")
		})
	}
}

// Provider text in the result cannot reach the terminal as an escape
// sequence (here an OSC 52 clipboard write and a C1 CSI).
func TestResultDrawsProviderTextWithoutControls(t *testing.T) {
	evil := "\x1b]52;c;cHduZWQ=\x07bad\u009b2J"
	p := &fakePlacer{order: api.Order{Vertical: api.VerticalVoucher, ID: "9" + evil, Status: api.StatusFailed, RawStatus: "FAILED",
		StatusText: evil, FailureReason: "out of stock" + evil, FailureCode: evil, UserFixable: true,
		Vouchers: []api.Voucher{{CardNumber: "AAAA-BBBB-" + evil, PIN: evil}}}}
	h := newHarness(t, fakeOpts(api.VerticalVoucher, catalogue(), p))
	toVoucherDetails(t, h, "Steam Wallet USD")
	h.placeFromDetails()
	h.press("v") // revealed codes too
	v := h.m.View()
	assert.Contains(t, v, "out of stock")
	assert.NotContains(t, v, "\x1b]52")
	assert.NotContains(t, v, "\x07")
	assert.NotContains(t, v, "\u009b")
	assert.Equal(t, "AAAA-BBBB-"+evil, h.copyOn("c").Text, "the copy is the raw value")
}

// Catalogue text drawn in the select lists is cleaned too: a product name
// cannot set the window title or the clipboard.
func TestCatalogueOptionsWithoutControls(t *testing.T) {
	cat := catalogue()
	cat.products[0].Name = "Amazon\x1b]0;pwned\x07 Gift Card"
	cat.products[0].Category = "Shop\u009b2Jping"
	h := newHarness(t, fakeOpts(api.VerticalVoucher, cat, &fakePlacer{}))
	h.waitStage("pick")
	v := h.m.View()
	assert.Contains(t, v, "Amazon")
	assert.NotContains(t, v, "\x1b]0;")
	assert.NotContains(t, v, "\x07")
	assert.NotContains(t, v, "\u009b")
}
