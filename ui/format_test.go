package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

func TestNextCheckCell(t *testing.T) {
	now := time.Date(2026, 5, 14, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		t    engine.Tracked
		want string
	}{
		{"finished order covered by webhooks has nothing scheduled", engine.Tracked{Phase: engine.PhaseDone, Webhook: true}, "-"},
		{"install watch over", engine.Tracked{Phase: engine.PhaseOnDemand}, "on demand"},
		{"pending voucher waits for its webhook", engine.Tracked{Phase: engine.PhaseForeground, Webhook: true, NextCheck: now.Add(3 * time.Minute)}, "webhook"},
		{"scheduled", engine.Tracked{Phase: engine.PhaseForeground, NextCheck: now.Add(12 * time.Second)}, "12s"},
		{"overdue", engine.Tracked{Phase: engine.PhaseBackground, NextCheck: now.Add(-time.Second)}, "due"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, nextCheck(now, &tc.t), tc.name)
	}
}

// The answer to a key press (here: pin) is not hidden behind a toast that
// live traffic happened to raise at the same moment.
func TestKeyPressMessageWinsOverToast(t *testing.T) {
	clk := &clockT{t: uitest.Epoch}
	m, _ := newTestModel(t, 100, 30, withClock(clk))
	send(m, batchMsg(uitest.Demo()))
	tr := uitest.Topups()[2]
	tr.Order.Status, tr.Order.RawStatus = api.StatusDelivered, "DELIVERED"
	send(m, batchMsg{engine.OrderUpdate{Tracked: tr, Event: &engine.Event{At: clk.t, Changed: true, From: api.StatusPending, To: api.StatusDelivered, Source: engine.SourcePoll}}})
	require.Len(t, m.toasts, 1)
	run(m, press(m, "p"))
	assert.Contains(t, plain(m), "pinned Vouchers")
}

func TestRefundAndFillText(t *testing.T) {
	refunded := &api.Order{Status: api.StatusRefunded, Currency: "DZD"}
	assert.Equal(t, "yes, by the provider (amount not reported)", refundText(refunded), "a REFUNDED order never reads 'none'")
	assert.Equal(t, "none", refundText(&api.Order{Status: api.StatusDelivered, Currency: "USD"}))
	assert.Equal(t, "none", refundText(&api.Order{Status: api.StatusUncertain}), "uncertain is never counted as refunded")

	gift := &api.Order{Status: api.StatusPartial, Quantity: 4, DeliveredQuantity: 2, Denomination: 490, Currency: "DZD", Refunded: 980}
	assert.Equal(t, "980 DZD", refundText(gift))
	assert.Equal(t, [][2]string{{"Ordered", "4 × 490 DZD = 1960 DZD"}, {"Delivered", "2 × 490 DZD = 980 DZD"},
		{"Undelivered", "2 × 490 DZD = 980 DZD"}}, fillFields(gift))
	assert.Empty(t, fillFields(&api.Order{Status: api.StatusDelivered, Quantity: 4, DeliveredQuantity: 4, Denomination: 490}))
}

// A OneClickDz partial fill is final (the engine says done): not pending, and
// its arrival is toasted; an Octopus partial still in foreground is pending.
func TestPartialCountsByEnginePhase(t *testing.T) {
	final := &engine.Tracked{Order: api.Order{Status: api.StatusPartial}, Phase: engine.PhaseDone}
	moving := &engine.Tracked{Order: api.Order{Status: api.StatusPartial}, Phase: engine.PhaseForeground}
	p, _, _ := countDelta(final)
	assert.Equal(t, 0, p)
	p, _, _ = countDelta(moving)
	assert.Equal(t, 1, p)

	clk := &clockT{t: uitest.Epoch}
	m, _ := newTestModel(t, 100, 30, withClock(clk))
	send(m, batchMsg(uitest.Demo()))
	tr := uitest.Topups()[2]
	tr.Order.Status, tr.Order.RawStatus, tr.Phase = api.StatusPartial, "PARTIALLY_FILLED", engine.PhaseDone
	send(m, batchMsg{engine.OrderUpdate{Tracked: tr, Event: &engine.Event{At: clk.t, Changed: true, From: api.StatusProcessing, To: api.StatusPartial, Source: engine.SourcePoll}}})
	require.Len(t, m.toasts, 1, "a final partial fill is news")
}

// UNKNOWN_ERROR is never drawn as a failure: no "reason", no "user-fixable",
// but what it means and the provider's message verbatim.
func TestUncertainDetailIsNotAFailure(t *testing.T) {
	var tr engine.Tracked
	for _, x := range uitest.OneClick() {
		if x.Order.Status == api.StatusUncertain {
			tr = x
		}
	}
	require.Equal(t, api.StatusUncertain, tr.Order.Status)
	tr.Order.FailureReason = "لم يتم تأكيد العملية"
	st := DefaultStyles(true, true)
	text := strings.Join(detailLines(&tr, detailCtx{st: &st, now: uitest.Epoch, width: 80}), "\n")
	assert.Contains(t, text, "Do not refund")
	assert.Contains(t, text, "لم يتم تأكيد العملية")
	assert.NotContains(t, text, "User-fixable")
	assert.NotContains(t, text, "no reason given")
}

// A state read from a list says what it left out, in the reason column.
func TestReasonSaysWhatAListLeftOut(t *testing.T) {
	tr := engine.Tracked{Order: api.Order{Vertical: api.VerticalVoucher, Status: api.StatusDelivered}, ListOnly: true}
	assert.Equal(t, "from a list; codes not fetched yet", reasonText(&tr))
	tr.Order = api.Order{Vertical: api.VerticalESIM, Status: api.StatusDelivered}
	assert.Equal(t, "from a list; activation code not fetched yet", reasonText(&tr))
	tr.Order.Status = api.StatusPending
	assert.Equal(t, "from a list; detail not fetched yet", reasonText(&tr))
	tr.ListOnly = false
	assert.Empty(t, reasonText(&tr))
}
