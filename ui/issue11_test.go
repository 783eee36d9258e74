package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/qrterm"

	"github.com/charmbracelet/x/ansi"
	"github.com/orderwatch/orderwatch/ui/uitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lineWith returns the first line of the plain frame containing s.
func lineWith(m *Model, s string) string {
	for _, l := range strings.Split(plain(m), "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// D moves the detail pane on its first press at any width, says where, and
// the rule above a pane below the table is exactly the terminal's width.
func TestToggleWideActsOnFirstPress(t *testing.T) {
	m, _ := newTestModel(t, 120, 40)
	send(m, batchMsg(uitest.Demo()))
	press(m, "enter")
	require.True(t, m.detailBeside())
	before := plain(m)
	press(m, "D")
	assert.False(t, m.detailBeside(), "first D at 120x40 moves the pane below")
	assert.NotEqual(t, before, plain(m))
	assert.Contains(t, plain(m), "detail below the table")
	rule := lineWith(m, "── detail ─")
	require.NotEmpty(t, rule)
	assert.Equal(t, 120, ansi.StringWidth(rule))
	assert.True(t, strings.HasSuffix(rule, "─"), "the rule ends with a rule, not an ellipsis: %q", rule)
	press(m, "D")
	assert.True(t, m.detailBeside())
}

func bothProviders(oneclickMode string) func(*Options) {
	return func(o *Options) {
		o.Providers = []ProviderTabs{{Provider: api.ProviderOctopus, Mode: "SANDBOX"}, {Provider: api.ProviderOneClick, Mode: oneclickMode}}
	}
}

func demoBoth(m *Model) {
	send(m, batchMsg(uitest.Demo()), batchMsg(uitest.OneClickStatus()), batchMsg(uitest.OrderUpdates(uitest.OneClick(), true)))
}

// At every size, on every tab: the active tab is drawn whole, and every
// provider's mode badge (and READ-ONLY) is on the status bar.
func TestActiveTabAndBadgesAlwaysVisible(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{60, 15}, {80, 24}, {100, 30}, {120, 40}, {160, 48}, {200, 50}} {
		m, _ := newTestModel(t, sz.w, sz.h, bothProviders("LIVE"), func(o *Options) { o.ReadOnly = true })
		demoBoth(m)
		for i, tb := range m.tabs {
			press(m, fmt.Sprint(i+1))
			lines := strings.Split(plain(m), "\n")
			assert.Contains(t, lines[0], fmt.Sprintf(" %d %s", i+1, tb.vertical.Title()), "%dx%d tab %d", sz.w, sz.h, i+1)
			status := lines[len(lines)-1]
			for _, b := range []string{"READ-ONLY", "OCTOPUS SANDBOX", "1CLICK LIVE"} {
				assert.Contains(t, status, b, "%dx%d tab %d", sz.w, sz.h, i+1)
			}
		}
	}
}

// The status bar drops its least important parts first and is never cut
// mid-word: at 200 columns everything fits; narrower, the list ages go
// before the 429 count, and a non-zero 429 count outlives the wallets.
func TestStatusBarDropsLeastImportantFirst(t *testing.T) {
	status := func(w int) string {
		m, _ := newTestModel(t, w, 24, bothProviders("SANDBOX"))
		demoBoth(m)
		send(m, batchMsg{engine.BudgetUpdate{Provider: api.ProviderOneClick, PerMinute: 100, UsedLastMin: 7, Got429: 3}})
		lines := strings.Split(plain(m), "\n")
		return lines[len(lines)-1]
	}
	wide := status(200)
	assert.NotContains(t, wide, "…")
	assert.Contains(t, wide, "listed Vouchers")
	assert.Contains(t, wide, "429×3")
	for _, w := range []int{60, 80, 100, 120, 160} {
		s := status(w)
		assert.NotContains(t, s, "…", "width %d: %q", w, s)
		assert.Contains(t, s, "429×3", "width %d", w)
	}
	assert.NotContains(t, status(120), "listed", "list ages go first")
}

// --readonly says so on screen, and a removed key says why it did nothing.
func TestReadOnlyBadgeAndWhyAKeyDidNothing(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, func(o *Options) { o.ReadOnly = true; o.Actions = &fakeNotifier{} })
	send(m, batchMsg(uitest.Demo()))
	assert.Contains(t, plain(m), "READ-ONLY")
	press(m, "n")
	assert.Contains(t, plain(m), "n does nothing: READ-ONLY (--readonly)")
	press(m, "e")
	assert.False(t, m.prompt.active())
	assert.Contains(t, plain(m), "e does nothing: READ-ONLY (--readonly)")

	m, _ = newTestModel(t, 80, 24)
	send(m, batchMsg(uitest.Status()))
	press(m, "r")
	assert.Contains(t, plain(m), "no order selected")
}

// footerText joins the footer's lines: from the ✗ line to the status bar.
func footerText(m *Model) string {
	lines := strings.Split(plain(m), "\n")
	for i, l := range lines {
		if strings.Contains(l, "✗") {
			return strings.Join(strings.Fields(strings.Join(lines[i:len(lines)-1], " ")), " ")
		}
	}
	return ""
}

// The ctrl+c warning while an order is in flight is whole at every size:
// its end says what a second ctrl+c does.
func TestFooterNeverCutsTheCtrlCWarning(t *testing.T) {
	for _, sz := range sizes {
		gate := make(chan struct{})
		p := &fakePlacer{order: threeCodes(), gate: gate}
		h := newFormHarness(t, sz.w, sz.h, withOrdering(p, false))
		h.fillVoucher("1")
		h.press("enter")
		h.waitStage("placing")
		h.press("ctrl+c")
		assertFrame(t, h.m.View().Content, sz.w, sz.h)
		assert.Contains(t, footerText(h.m), "ctrl+c again quits anyway (the journal looks its reference up at the next start)", "%dx%d", sz.w, sz.h)
		close(gate)
	}
}

// Codes, PINs, claim URLs and LPA strings are whole in the detail pane
// however narrow it is: they wrap, never end in an ellipsis.
func TestDetailValuesReadAloudAreWhole(t *testing.T) {
	tr := uitest.ESIMs()[1]
	lpa := "LPA:1$rsp-prod.example-operator.com$QR-G-5C-1LS1-TX2NZ9QW1V6X8L0A3C9D4E7F"
	tr.Order.ESIM.ActivationCode = lpa
	tr.Order.Vouchers = []api.Voucher{{CardNumber: "AQ7K-29XF-LM3P-8812-ZZQW-PL0Z-1930-88AB", PIN: "4417-2290-5561-0923",
		ClaimURL: "https://claim.example.com/v/8f2a91c0-33cc-44dd-8812-aq7k29xflm3p?voucher=1&lang=en"}}
	st := DefaultStyles(true, true)
	for _, w := range []int{30, 54, 72} {
		l := detailLines(&tr, detailCtx{st: &st, now: uitest.Epoch, revealed: true, width: w})
		var joined strings.Builder
		for _, s := range l {
			s = ansi.Strip(s)
			assert.LessOrEqual(t, ansi.StringWidth(s), w, "line wider than the pane: %q", s)
			assert.NotContains(t, s, "…")
			if len(s) > 13 {
				joined.WriteString(strings.TrimSpace(s[13:]))
			}
		}
		for _, v := range []string{lpa, tr.Order.Vouchers[0].CardNumber, tr.Order.Vouchers[0].PIN, tr.Order.Vouchers[0].ClaimURL} {
			assert.Contains(t, joined.String(), v, "width %d", w)
		}
	}
}

// At 120x40 the revealed eSIM's QR code is on screen without scrolling.
func TestESIMQRFitsWithoutScrollingAt120x40(t *testing.T) {
	m, _ := newTestModel(t, 120, 40)
	send(m, batchMsg(uitest.Demo()))
	press(m, "3")
	selectID(t, m, "9031")
	press(m, "enter", "v")
	qr, err := qrterm.Lines(uitest.LPA)
	require.NoError(t, err)
	s := plain(m)
	for _, q := range qr {
		assert.Contains(t, s, q)
	}
}

// The filter: ^ anchors to the start of any field (/^Steam finds products
// starting with Steam); an invalid regexp is an error on screen; while typing
// the footer says what enter and esc do; only-problems says so when empty.
func TestFilterAnchorsErrorsHintsAndProblemsEmpty(t *testing.T) {
	m, _ := newTestModel(t, 100, 30, func(o *Options) { o.Actions = &fakeNotifier{} })
	send(m, batchMsg(uitest.Demo()))
	press(m, "/")
	typeText(m, "^Steam")
	assert.Equal(t, []string{"48220"}, ids(m), "^ anchors to the product name too")
	assert.Contains(t, plain(m), "enter apply · esc cancel")
	press(m, "enter")
	m.setFilter("wallet eu$", false)
	assert.Equal(t, []string{"48220"}, ids(m), "$ anchors to a field's end")
	m.setFilter("", false)

	press(m, "e")
	assert.Contains(t, plain(m), "enter attach · esc cancel · ctrl+c quit", "the email prompt has hints too")
	press(m, "esc")

	press(m, "/")
	typeText(m, "ow-(")
	assert.Contains(t, plain(m), "✗ not a regexp (missing closing ))")
	press(m, "esc")

	m, _ = newTestModel(t, 100, 30)
	send(m, batchMsg(uitest.Demo()))
	press(m, "3", "f")
	assert.Empty(t, ids(m))
	assert.Contains(t, plain(m), "No problems here")
	assert.NotContains(t, plain(m), "No orders match the filter")
}

// Money is drawn in the currency it was paid in, and the detail tells the
// face value (the table's AMOUNT) from the price paid.
func TestDebitCurrencyAndFaceValueVsPricePaid(t *testing.T) {
	st := DefaultStyles(true, true)
	text := func(tr engine.Tracked) string {
		return ansi.Strip(strings.Join(detailLines(&tr, detailCtx{st: &st, now: uitest.Epoch, width: 80}), "\n"))
	}
	v := uitest.Vouchers()[0]
	v.Order.Currency, v.Order.Amount, v.Order.Denomination, v.Order.Quantity = "JPY", 20000, 10000, 2
	v.Order.Debited, v.Order.DebitCurrency, v.Order.WalletID = 130.68, "USD", "1"
	s := text(v)
	assert.Contains(t, s, "Debited      130.68 USD")
	assert.NotContains(t, s, "130.68 JPY")
	assert.Contains(t, s, "Face value   20000 JPY (2 × 10000 JPY)")

	tp := uitest.Topups()[0]
	tp.Order.Amount, tp.Order.Paid, tp.Order.Currency = 0.99, 0.9405, "USD"
	s = text(tp)
	assert.Contains(t, s, "Face value   0.99 USD")
	assert.Contains(t, s, "Price paid   0.94 USD")

	m, _ := newTestModel(t, 100, 30)
	send(m, batchMsg(uitest.OrderUpdates([]engine.Tracked{tp}, true)))
	press(m, "2")
	assert.Contains(t, lineWith(m, tp.Order.ID), "0.99 USD", "AMOUNT is the face value")
}

// An eSIM found delivered, before its detail arrived, says its codes are
// coming rather than showing nothing.
func TestDeliveredESIMWithoutCodeSaysItIsComing(t *testing.T) {
	tr := uitest.ESIMs()[0]
	tr.Order.ESIM.ActivationCode, tr.Order.ESIM.ICCID = "", ""
	st := DefaultStyles(true, true)
	s := ansi.Strip(strings.Join(detailLines(&tr, detailCtx{st: &st, now: uitest.Epoch, width: 60}), "\n"))
	assert.Contains(t, s, "the ICCID and LPA code come with the order's detail")
}

// Labels: "1 day", a refunded order without a provider reason says what
// refunded means, cancelled orders are not counted as failed, and balances
// keep their minor unit.
func TestLabels(t *testing.T) {
	st := DefaultStyles(true, true)
	e := uitest.ESIMs()[0]
	e.Order.ESIM.ValidityDays = 1
	s := ansi.Strip(strings.Join(detailLines(&e, detailCtx{st: &st, now: uitest.Epoch, width: 80}), "\n"))
	assert.Contains(t, s, ", 1 day\n")
	assert.NotContains(t, s, "1 days")

	var refunded engine.Tracked
	for _, x := range uitest.OneClick() {
		if x.Order.Vertical == api.VerticalInternet {
			refunded = x
		}
	}
	refunded.Order.Status, refunded.Order.RawStatus, refunded.Order.FailureReason = api.StatusRefunded, "REFUNDED", ""
	s = ansi.Strip(strings.Join(detailLines(&refunded, detailCtx{st: &st, now: uitest.Epoch, width: 80}), "\n"))
	assert.Contains(t, s, "refunded automatically by the provider")
	assert.Equal(t, "no reason given", reasonText(&refunded))

	m, _ := newTestModel(t, 160, 48)
	v := uitest.Vouchers()
	for i := range v {
		v[i].Order.Status, v[i].Order.RawStatus = api.StatusCancelled, "CANCELLED"
	}
	send(m, batchMsg(uitest.OrderUpdates(v, true)))
	assert.NotContains(t, lineWith(m, "1 Vouchers"), "failed")

	m, _ = newTestModel(t, 160, 48, bothProviders("SANDBOX"))
	send(m, batchMsg{engine.WalletUpdate{Provider: api.ProviderOneClick, Wallets: []api.Wallet{{Currency: "DZD", Balance: 16381}}}})
	assert.Contains(t, plain(m), "DZD 16381.00")
}

// A cancelled order's toast is news, not a red failure.
func TestCancelledToastIsNotAFailure(t *testing.T) {
	m, _ := newTestModel(t, 100, 30)
	send(m, batchMsg(uitest.Demo()))
	m.toasts = nil
	tr := uitest.Vouchers()[1]
	tr.Order.Status, tr.Order.RawStatus = api.StatusCancelled, "CANCELLED"
	e := engine.Event{At: uitest.Epoch, Source: engine.SourcePoll, From: api.StatusPending, To: api.StatusCancelled,
		RawFrom: "PENDING", RawTo: "CANCELLED", Changed: true}
	send(m, batchMsg{engine.OrderUpdate{Tracked: tr, Event: &e}})
	require.Len(t, m.toasts, 1)
	assert.False(t, m.toasts[0].fail)
}

// CSV money keeps the provider's precision and never drops below cents:
// 9.80 (not 9.8) beside 0.9405.
func TestCSVMoneyPrecision(t *testing.T) {
	tp := uitest.Topups()[0]
	tp.Order.Amount, tp.Order.Paid, tp.Order.Debited = 9.8, 0.9405, 10
	var b strings.Builder
	require.NoError(t, writeCSV(&b, []engine.Tracked{tp}, false))
	s := b.String()
	assert.Contains(t, s, ",9.80,")
	assert.Contains(t, s, ",0.9405,")
	assert.Contains(t, s, ",10.00,")
	assert.NotContains(t, s, ",9.8,")
}

// Every view, not only the table, keeps the active tab and every badge.
func TestEveryViewKeepsActiveTabAndBadges(t *testing.T) {
	views := map[string][]string{"detail": {"enter"}, "help": {"?"}, "log": {"L"}, "filter": {"/"}, "detail+reveal": {"enter", "v"}}
	for _, sz := range []struct{ w, h int }{{60, 15}, {80, 24}} {
		for name, keys := range views {
			for tabN := 1; tabN <= 6; tabN++ {
				m, _ := newTestModel(t, sz.w, sz.h, bothProviders("SANDBOX"), func(o *Options) { o.ReadOnly = true })
				demoBoth(m)
				press(m, fmt.Sprint(tabN))
				press(m, keys...)
				lines := strings.Split(plain(m), "\n")
				title := m.tabs[tabN-1].vertical.Title()
				assert.Contains(t, lines[0], fmt.Sprintf("%d %s", tabN, title), "%s %dx%d tab %d", name, sz.w, sz.h, tabN)
				status := lines[len(lines)-1]
				for _, b := range []string{"READ-ONLY", "OCTOPUS SANDBOX", "1CLICK SANDBOX"} {
					assert.Contains(t, status, b, "%s %dx%d tab %d", name, sz.w, sz.h, tabN)
				}
			}
		}
	}
}
