package orderform

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api/spec/spectest"
)

// The recipe "add a vertical": a spec registered for a made-up vertical
// drives the whole form (pick, its field and rule, summary, place, result)
// with no change to the form.
func TestRecipeAddAVerticalDrivesTheForm(t *testing.T) {
	spectest.Register()
	shop := &spectest.Shop{}
	ws, _ := shop.Wallets(t.Context())
	h := newHarness(t, Options{Vertical: spectest.Kiosk, Catalog: shop, Quoter: shop, Place: shop.PlaceOrder, Wallets: ws})
	h.waitFocus("product")
	assert.Contains(t, h.view(), "New kiosk ticket")
	assert.Contains(t, h.view(), "Evening Show")
	h.press("enter")
	h.waitFocus("seat")
	h.typeText("12")
	h.press("enter")
	assert.Equal(t, "seat", h.focused(), "the spec's rule keeps the focus on the seat")
	assert.Contains(t, h.view(), `"12" is not a seat`)
	h.replace("A12")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	v := h.view()
	assert.Contains(t, v, "Seat           A12", "the spec's summary")
	assert.Contains(t, v, "12.00 USD")
	h.press("enter")
	h.waitStage("result")
	v = h.view()
	assert.Contains(t, v, "Seat           A12", "the spec's recipient label")
	assert.Contains(t, v, "Show           Evening Show", "the spec's result rows")
	assert.Contains(t, v, "DELIVERED")
	reqs := shop.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "A12", reqs[0].Recipient)
	assert.Equal(t, spectest.Show.ID, reqs[0].ProductID)
	assert.Equal(t, 12.0, reqs[0].Amount)
}
