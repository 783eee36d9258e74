package ui

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui/orderform"
	"github.com/orderwatch/orderwatch/ui/uitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// --- fakes -------------------------------------------------------------------

type fakeCatalog struct{ products []api.Product }

func (c *fakeCatalog) Products(_ context.Context, v api.Vertical, _ string) ([]api.Product, error) {
	var out []api.Product
	for _, p := range c.products {
		if p.Vertical == v {
			out = append(out, p)
		}
	}
	return out, nil
}

func (c *fakeCatalog) Product(_ context.Context, v api.Vertical, id string) (api.Product, error) {
	for _, p := range c.products {
		if p.Vertical == v && p.ID == id {
			return p, nil
		}
	}
	return api.Product{}, &api.Error{Kind: api.KindNotFound, Message: "Product not found"}
}

func testCatalog() *fakeCatalog {
	return &fakeCatalog{products: []api.Product{
		{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "1001", Name: "Steam Wallet USD", Category: "Gaming",
			CountryCode: "USA", Currency: "USD", Enabled: true,
			Denominations: []api.Denomination{{Min: 5, Max: 5}, {Min: 10, Max: 10}, {Min: 20, Max: 20}}},
		{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "1000", Name: "Amazon.com Gift Card", Category: "Shopping",
			CountryCode: "USA", Currency: "USD", Enabled: true, Denominations: []api.Denomination{{Min: 1, Max: 2000}}},
		{Provider: api.ProviderOctopus, Vertical: api.VerticalTopup, ID: "4218", Name: "PUBG Mobile UC", Type: "GAMING",
			CountryCode: "GLO", Currency: "USD", Enabled: true,
			InputFields: []api.InputField{{Name: "player_id", Label: "Player ID", Required: true, Pattern: `^[0-9]{5,12}$`}},
			Variants:    []api.Variant{{ID: "88001", Name: "60 UC", Fixed: []float64{0.99}}}},
	}}
}

// fakePlacer quotes face value minus 3.5 % and places the configured order.
type fakePlacer struct {
	mu     sync.Mutex
	order  api.Order
	gate   chan struct{} // when set, placing waits for it
	places []api.OrderRequest
}

func (p *fakePlacer) Quote(_ context.Context, r api.OrderRequest) (api.Quote, error) {
	face := r.Amount * float64(max(r.Quantity, 1))
	return api.Quote{Vertical: r.Vertical, FaceValue: face, Discount: face * 0.035, DiscountPct: 3.5,
		Total: face * 0.965, TotalPayable: face * 0.965, Currency: "USD", WalletCurrency: "USD"}, nil
}

func (p *fakePlacer) PlaceOrder(_ context.Context, r api.OrderRequest) (api.Order, error) {
	p.mu.Lock()
	p.places = append(p.places, r)
	o, gate := p.order.Clone(), p.gate
	p.mu.Unlock()
	if gate != nil {
		<-gate
	}
	o.ClientReference = r.ClientReference
	return o, nil
}

func (p *fakePlacer) placed() []api.OrderRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]api.OrderRequest(nil), p.places...)
}

// threeCodes is a synchronous voucher order of quantity 3.
func threeCodes() api.Order {
	return api.Order{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "90001", Status: api.StatusDelivered,
		RawStatus: "DELIVERED", ProductID: "1001", ProductName: "Steam Wallet USD", Denomination: 10, Amount: 30, Currency: "USD",
		Quantity: 3, DeliveredQuantity: 3, CreatedAt: uitest.Epoch,
		Vouchers: []api.Voucher{{CardNumber: "STEAM-AAAA-1111", PIN: "9911"}, {CardNumber: "STEAM-BBBB-2222"}, {CardNumber: "STEAM-CCCC-3333"}}}
}

func withOrdering(p *fakePlacer, tracks bool) func(*Options) {
	return func(o *Options) {
		o.Ordering = map[api.Provider]OrderingDeps{api.ProviderOctopus: {
			Catalog: testCatalog(), Quoter: p, Place: p.PlaceOrder, PlaceTracks: tracks,
		}}
		o.NewReference = func() string { return "ow-test-0001" }
	}
}

// --- harness: a tiny program loop on the test goroutine -----------------------

type formHarness struct {
	t      *testing.T
	m      *Model
	c      *uitest.Controller
	msgs   chan tea.Msg
	quit   bool
	copied []string
}

var cmdSliceType = reflect.TypeOf((tea.Cmd)(nil))

func newFormHarness(t *testing.T, w, h int, mods ...func(*Options)) *formHarness {
	t.Helper()
	hs := &formHarness{t: t, msgs: make(chan tea.Msg, 1024)}
	mods = append(mods, func(o *Options) {
		o.Clipboard = func(s string) tea.Cmd { hs.copied = append(hs.copied, s); return nil }
	})
	hs.m, hs.c = newTestModel(t, w, h, mods...)
	hs.m.Update(batchMsg(uitest.Demo()))
	return hs
}

func (h *formHarness) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		defer func() { _ = recover() }()
		h.msgs <- cmd()
	}()
}

func (h *formHarness) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			h.exec(c)
		}
		return
	case tea.QuitMsg:
		h.quit = true
		return
	case tickMsg:
		return // the dashboard's clock tick; the clock is fixed here
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdSliceType {
		for i := 0; i < v.Len(); i++ {
			h.exec(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	_, cmd := h.m.Update(msg)
	h.exec(cmd)
}

func (h *formHarness) settle() {
	for {
		select {
		case msg := <-h.msgs:
			h.deliver(msg)
		case <-time.After(30 * time.Millisecond):
			return
		}
	}
}

func (h *formHarness) press(keys ...string) {
	for _, k := range keys {
		h.deliver(uitest.Key(k))
		h.settle()
	}
}

func (h *formHarness) typeText(s string) {
	for _, r := range s {
		h.deliver(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	h.settle()
}

func (h *formHarness) stage() string {
	if h.m.form == nil {
		return "closed"
	}
	return h.m.form.m.Stage()
}

// waitFor delivers messages until cond holds; it fails after a deadline.
func (h *formHarness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case msg := <-h.msgs:
			h.deliver(msg)
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s (stage %s):\n%s", what, h.stage(), plain(h.m))
		}
	}
}

// waitStage waits for stage s, its huh form (pick, details) drawn: a new
// form draws its fields only once a message reaches it, and its Init
// commands come back asynchronously.
func (h *formHarness) waitStage(s string) {
	h.t.Helper()
	h.waitFor("stage "+s, func() bool {
		return h.stage() == s && (s != "pick" && s != "details" || strings.Contains(plain(h.m), "┃"))
	})
	h.settle()
}

// hasFocus reports the huh field titled title drawn focused (thick left
// border): the form's fields are not reachable from this package.
func (h *formHarness) hasFocus(title string) bool {
	return strings.Contains(plain(h.m), "┃ "+title)
}

// waitFocus waits for the field titled title to have focus: huh moves the
// focus through a NextField command, and keys sent before it lands go to
// the previous field.
func (h *formHarness) waitFocus(title string) {
	h.t.Helper()
	h.waitFor("focus on "+title, func() bool { return h.hasFocus(title) })
}

// waitBlur waits for the field titled title to lose focus (for a next field
// drawn below the fold of a small screen).
func (h *formHarness) waitBlur(title string) {
	h.t.Helper()
	h.waitFor("focus to leave "+title, func() bool { return !h.hasFocus(title) })
}

// waitClosed waits for the form to close (ClosedMsg comes from a command).
func (h *formHarness) waitClosed() {
	h.t.Helper()
	h.waitFor("the form to close", func() bool { return h.m.form == nil })
}

// waitTracked waits for n Track calls (PlacedMsg comes two command hops
// after the result stage), then settles so that one more is counted too.
func (h *formHarness) waitTracked(n int) []api.Order {
	h.t.Helper()
	h.waitFor(fmt.Sprintf("%d tracked order(s)", n), func() bool { return len(h.c.Tracked) >= n })
	h.settle()
	return h.c.Tracked
}

// fillVoucher walks the voucher form: first product (Steam), 10 USD, qty.
func (h *formHarness) fillVoucher(qty string) {
	h.t.Helper()
	h.press("n")
	h.waitStage("pick")
	h.press("enter")
	h.waitStage("details")
	h.press("down", "enter") // denomination 10
	h.waitFocus("Quantity")
	h.press("backspace")
	h.typeText(qty)
	for _, next := range []string{"Customer email", "Client reference"} {
		h.press("enter")
		h.waitFocus(next)
	}
	h.press("enter")
	h.waitBlur("Client reference") // on the wallet
	h.press("enter")
	h.waitStage("confirm")
}

// --- tests -------------------------------------------------------------------

func TestOrderFormOpensForTheActiveTabsVertical(t *testing.T) {
	h := newFormHarness(t, 100, 30, withOrdering(&fakePlacer{}, false))
	h.press("2")
	h.press("n")
	require.NotNil(t, h.m.form)
	assert.Equal(t, api.VerticalTopup, h.m.form.vertical)
	h.waitStage("pick")
	s := plain(h.m)
	assert.Contains(t, s, "New topup order")
	assert.Contains(t, s, "PUBG Mobile UC")
	assert.NotContains(t, s, "Steam Wallet USD", "only the tab's vertical")
	assert.Contains(t, s, "OCTOPUS SANDBOX", "the status bar stays")
	assert.Contains(t, s, "new Topups order · Octopus Cards SANDBOX")
	assertFrame(t, h.m.View().Content, 100, 30)
	assert.Equal(t, keymap.ViewForm, h.m.view())

	h.press("esc")
	h.waitClosed() // esc closes the form
	assert.Contains(t, plain(h.m), "PUBG Mobile", "back to the table")
	h.press("1", "n")
	require.NotNil(t, h.m.form)
	assert.Equal(t, api.VerticalVoucher, h.m.form.vertical)
}

func TestOrderFormGetsEveryKey(t *testing.T) {
	h := newFormHarness(t, 100, 30, withOrdering(&fakePlacer{}, false))
	h.press("n")
	h.waitStage("pick")
	h.press("q", "2", "r", "L", "/")
	assert.False(t, h.quit, "q never quits while the form is open")
	require.NotNil(t, h.m.form)
	assert.Equal(t, 0, h.m.active, "tab keys are off")
	assert.Equal(t, overlayNone, h.m.over, "L did not open the log")
	refreshed, _, _ := h.c.Calls()
	assert.Empty(t, refreshed, "r did not refresh")

	// The first esc leaves the list search, the second closes the form.
	h.press("esc")
	require.NotNil(t, h.m.form, "esc while searching only ends the search")
	h.press("esc")
	h.waitClosed()
	h.press("n")
	h.waitStage("pick")
	h.press("enter")
	h.waitStage("details")
	h.press("enter") // denomination
	h.waitFocus("Quantity")
	h.typeText("q?")
	assert.False(t, h.quit)
	assert.Equal(t, overlayNone, h.m.over, "? typed into a field is text, not help")
	assert.Contains(t, plain(h.m), "1q?", "typed into the quantity field")
}

func TestOrderFormHelpListsTheFormKeys(t *testing.T) {
	h := newFormHarness(t, 160, 48, withOrdering(&fakePlacer{}, false))
	h.press("n")
	h.waitStage("pick")
	h.deliver(tea.KeyPressMsg{Code: tea.KeyF1})
	require.Equal(t, overlayHelp, h.m.over)
	s := plain(h.m)
	for _, want := range []string{"next field", "place the order (sent once)", "reveal / hide codes", "copy PIN", "edit and retry"} {
		assert.Contains(t, s, want)
	}
	assert.NotContains(t, s, "refresh order now", "the table's keys are off")
	assert.NotContains(t, s, "place order")
	h.press("esc")
	assert.Equal(t, overlayNone, h.m.over)
	require.NotNil(t, h.m.form, "esc closed the help, not the form")
	assert.Equal(t, "pick", h.stage())
}

func TestOrderFormPlacedTracksAndSelectsTheOrder(t *testing.T) {
	p := &fakePlacer{order: threeCodes()}
	h := newFormHarness(t, 120, 40, withOrdering(p, false))
	h.fillVoucher("3")
	s := plain(h.m)
	assert.Contains(t, s, "ow-test-0001", "the pinned reference")
	assert.Contains(t, s, "Total payable")
	assert.Empty(t, p.placed(), "nothing sent before confirming")

	h.press("?")
	assert.Equal(t, overlayHelp, h.m.over, "? is help on the confirm screen of a sandbox")
	h.press("esc")
	h.press("enter")
	h.waitStage("result")
	h.press("enter", "y") // a second confirm press never sends again
	require.Len(t, p.placed(), 1)
	assert.Equal(t, 3, p.placed()[0].Quantity)

	tracked := h.waitTracked(1)
	require.Len(t, tracked, 1)
	assert.Equal(t, "90001", tracked[0].ID)
	assert.Equal(t, api.StatusDelivered, tracked[0].Status, "the create response is handed to the engine")
	require.NotNil(t, h.m.form, "the repeated confirm press left the result on screen")
	h.press("esc")
	h.waitClosed() // esc closes the result

	tb := h.m.activeTab().table
	require.NotNil(t, tb.selected())
	assert.Equal(t, "90001", tb.selected().t.Order.ID, "the placed order is selected")
	s = plain(h.m)
	assert.Contains(t, s, "placed Vouchers 90001 · Steam Wallet USD: delivered")
	assert.NotContains(t, s, "STEAM-AAAA-1111")
}

func TestOrderFormPlaceTracksOnlyEnsuresTracking(t *testing.T) {
	p := &fakePlacer{order: threeCodes()}
	h := newFormHarness(t, 120, 40, withOrdering(p, true))
	h.fillVoucher("3")
	h.press("enter")
	h.waitStage("result")
	tracked := h.waitTracked(1)
	require.Len(t, tracked, 1)
	stub := tracked[0]
	assert.Equal(t, api.OrderKey{Vertical: api.VerticalVoucher, ID: "90001"}, stub.Key())
	assert.Equal(t, "ow-test-0001", stub.ClientReference)
	assert.Empty(t, stub.Status, "no status: the engine never replays the create response")
	assert.Empty(t, stub.Vouchers)
}

func TestOrderFormResultShowsMaskedCodesAndCopies(t *testing.T) {
	p := &fakePlacer{order: threeCodes()}
	h := newFormHarness(t, 120, 40, withOrdering(p, false))
	h.fillVoucher("3")
	h.press("enter")
	h.waitStage("result")
	s := plain(h.m)
	assert.Contains(t, s, "3 of 3 codes")
	for _, c := range []string{"STEAM-AAAA-1111", "STEAM-BBBB-2222", "STEAM-CCCC-3333"} {
		assert.Contains(t, s, api.Mask(c))
		assert.NotContains(t, s, c)
	}
	h.press("down", "c")
	// CopyMsg comes from a command: wait for it, settle to count a second.
	h.waitFor("a copy", func() bool { return len(h.copied) > 0 })
	h.settle()
	require.Equal(t, []string{"STEAM-BBBB-2222"}, h.copied)
	s = plain(h.m)
	assert.Contains(t, s, "copied voucher code to the clipboard")
	assert.NotContains(t, s, "STEAM-BBBB-2222", "the message never shows the value")
}

func TestOrderFormCtrlCWhilePlacingAsksAgain(t *testing.T) {
	gate := make(chan struct{})
	p := &fakePlacer{order: threeCodes(), gate: gate}
	h := newFormHarness(t, 120, 40, withOrdering(p, false))
	h.fillVoucher("1")
	h.press("enter")
	h.waitStage("placing")
	h.press("ctrl+c")
	assert.False(t, h.quit, "the first ctrl+c while placing only warns")
	assert.Contains(t, plain(h.m), "an order is being placed")
	h.press("q", "esc")
	assert.False(t, h.quit)
	require.NotNil(t, h.m.form, "esc does not abandon an order in flight")
	h.press("ctrl+c")
	h.waitFor("the second ctrl+c to quit", func() bool { return h.quit })
	close(gate)
}

func TestOrderFormCtrlCQuitsWhenNothingIsInFlight(t *testing.T) {
	h := newFormHarness(t, 100, 30, withOrdering(&fakePlacer{}, false))
	h.press("n")
	h.waitStage("pick")
	h.press("ctrl+c")
	h.waitFor("ctrl+c to quit", func() bool { return h.quit })
}

func TestOrderFormNeverOpensReadOnly(t *testing.T) {
	h := newFormHarness(t, 160, 48, withOrdering(&fakePlacer{}, false), func(o *Options) { o.ReadOnly = true })
	h.press("n")
	assert.Nil(t, h.m.form)
	assert.Nil(t, h.m.openForm(), "even asked directly")
	assert.Nil(t, h.m.form)
	h.press("?")
	assert.NotContains(t, plain(h.m), "place order")
}

func TestOrderFormNotConfiguredForAProvider(t *testing.T) {
	h := newFormHarness(t, 120, 30, withOrdering(&fakePlacer{}, false), func(o *Options) {
		o.Providers = []ProviderTabs{{Provider: api.ProviderOctopus, Mode: "SANDBOX"}, {Provider: api.ProviderOneClick, Mode: "SANDBOX"}}
	})
	h.press("4", "n") // Mobile: OneClickDz has no ordering deps
	assert.Nil(t, h.m.form)
	assert.Contains(t, plain(h.m), "ordering is not configured for OneClickDz")
}

func TestOrderFormLiveShowsTheBadgeAndNeedsTheWord(t *testing.T) {
	p := &fakePlacer{order: threeCodes()}
	h := newFormHarness(t, 120, 40, withOrdering(p, false), func(o *Options) {
		o.Providers = []ProviderTabs{{Provider: api.ProviderOctopus, Mode: "LIVE"}}
	})
	h.fillVoucher("1")
	s := plain(h.m)
	assert.Contains(t, s, "LIVE ACCOUNT")
	assert.Contains(t, s, "OCTOPUS LIVE", "the status bar's badge stays visible")
	h.press("enter")
	assert.Empty(t, p.placed(), "enter alone does not buy on a LIVE account")
	h.typeText("b?")
	assert.Equal(t, overlayNone, h.m.over, "? is part of the typed word on a LIVE confirm")
	h.press("backspace")
	h.typeText("uy")
	h.press("enter")
	h.waitStage("result")
	assert.Len(t, p.placed(), 1)
}

func TestOrderFormFitsEverySize(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := newFormHarness(t, sz.w, sz.h, withOrdering(&fakePlacer{}, false))
			h.press("n")
			h.waitStage("pick")
			assertFrame(t, h.m.View().Content, sz.w, sz.h)
			h.m.Update(tea.WindowSizeMsg{Width: sz.w + 7, Height: sz.h + 3})
			assertFrame(t, h.m.View().Content, sz.w+7, sz.h+3)
		})
	}
}

func TestGoldenOrderForm(t *testing.T) {
	states := []struct {
		name  string
		setup func(h *formHarness)
	}{
		{"open", func(h *formHarness) {
			h.press("n")
			h.waitStage("pick")
		}},
		{"confirm", func(h *formHarness) { h.fillVoucher("3") }},
		{"result", func(h *formHarness) {
			h.fillVoucher("3")
			h.press("enter")
			h.waitStage("result")
			h.waitTracked(1) // the toast and the tab's counts
		}},
	}
	for _, s := range states {
		for _, sz := range []struct{ w, h int }{{60, 15}, {80, 24}, {160, 48}} {
			t.Run(fmt.Sprintf("%s_%dx%d", s.name, sz.w, sz.h), func(t *testing.T) {
				h := newFormHarness(t, sz.w, sz.h, withOrdering(&fakePlacer{order: threeCodes()}, false))
				s.setup(h)
				v := h.m.View()
				assertFrame(t, v.Content, sz.w, sz.h)
				require.False(t, strings.Contains(ansi.Strip(v.Content), "STEAM-AAAA-1111"), "codes masked")
				golden.RequireEqual(t, v.Content)
			})
		}
	}
}

// The placed order's toast and selection survive the engine's own update
// arriving first (the row already exists: it is not replaced by the stub).
func TestPlacedOrderKeepsTheEnginesNewerState(t *testing.T) {
	m, c := newTestModel(t, 120, 30, withOrdering(&fakePlacer{}, true))
	send(m, batchMsg(uitest.Demo()))
	tr := uitest.Vouchers()[1] // 48220 pending
	tr.Order.Status, tr.Order.RawStatus = api.StatusDelivered, "DELIVERED"
	send(m, batchMsg{engine.OrderUpdate{Tracked: tr}})
	created := uitest.Vouchers()[1].Order                // the older create response: PENDING
	run(m, send(m, orderform.PlacedMsg{Order: created})) // tracking runs in a command
	r := m.activeTab().table.selected()
	require.NotNil(t, r)
	assert.Equal(t, "48220", r.t.Order.ID)
	assert.Equal(t, api.StatusDelivered, r.t.Order.Status)
	require.Len(t, c.Tracked, 1)
}

// probed lets a teatest run read the model's state on the program's own
// goroutine (no data race): a probeMsg is answered with the stage and view.
type probed struct{ *Model }

type probeMsg struct{ reply chan string }

func (p probed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if pm, ok := msg.(probeMsg); ok {
		st := "closed"
		if p.form != nil {
			st = p.form.m.Stage()
		}
		pm.reply <- "stage=" + st + "\n" + plain(p.Model)
		return p, nil
	}
	_, cmd := p.Model.Update(msg)
	return p, cmd
}

// waitState polls the running program until its stage and view contain want.
func waitState(t *testing.T, tm *teatest.TestModel, want string) {
	t.Helper()
	waitProbe(t, tm, fmt.Sprintf("%q", want), func(s string) bool { return strings.Contains(s, want) })
}

// waitProbe polls the running program until its stage and view satisfy ok.
func waitProbe(t *testing.T, tm *teatest.TestModel, what string, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		reply := make(chan string, 1)
		tm.Send(probeMsg{reply: reply})
		select {
		case last = <-reply:
			if ok(last) {
				return
			}
		case <-time.After(time.Second):
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last state:\n%s", what, last)
}

func TestProgramPlacesAVoucherOfThree(t *testing.T) {
	p := &fakePlacer{order: threeCodes()}
	c := uitest.NewController(8)
	t.Cleanup(c.Close)
	o := Options{Controller: c, Now: uitest.Clock(0)}
	withOrdering(p, false)(&o)
	tm := teatest.NewTestModel(t, probed{New(o)},
		teatest.WithInitialTermSize(ttW, ttH),
		teatest.WithProgramOptions(
			tea.WithColorProfile(colorprofile.ANSI256),
			tea.WithEnvironment([]string{"TERM=xterm-256color", "TERM_PROGRAM=Apple_Terminal"}),
			tea.WithWindowSize(ttW, ttH),
		),
	)
	c.Send(uitest.Demo())
	waitState(t, tm, "Netflix TR")
	tm.Send(uitest.Key("n"))
	waitState(t, tm, "Steam Wallet USD · Gaming")
	tm.Send(uitest.Key("enter"))
	waitState(t, tm, "┃ Denomination")
	tm.Send(uitest.Key("q")) // typed into the form: never quits
	tm.Send(uitest.Key("enter"))
	waitState(t, tm, "┃ Quantity")
	tm.Send(uitest.Key("backspace"))
	tm.Type("3")
	waitState(t, tm, "┃ > 3")
	// One field at a time: huh moves the focus through a command.
	for _, next := range []string{"┃ Customer email", "┃ Client reference"} {
		tm.Send(uitest.Key("enter"))
		waitState(t, tm, next)
	}
	tm.Send(uitest.Key("enter"))
	waitProbe(t, tm, "the wallet field", func(s string) bool { return !strings.Contains(s, "┃ Client reference") })
	tm.Send(uitest.Key("enter"))
	waitState(t, tm, "Total payable")
	tm.Send(uitest.Key("enter"))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		s := ansi.Strip(string(b))
		for _, w := range []string{"3 of 3 codes", api.Mask("STEAM-AAAA-1111"), api.Mask("STEAM-BBBB-2222"), api.Mask("STEAM-CCCC-3333")} {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return !strings.Contains(s, "STEAM-AAAA-1111")
	}, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	tm.Send(uitest.Key("esc"))
	waitState(t, tm, "stage=closed")
	tm.Send(uitest.Key("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(20*time.Second))
	m := fm.(probed).Model
	require.Len(t, p.placed(), 1)
	assert.Equal(t, 3, p.placed()[0].Quantity)
	assert.Equal(t, "ow-test-0001", p.placed()[0].ClientReference)
	// The program has ended: its Track calls happened before FinalModel returned.
	require.Len(t, c.Tracked, 1)
	assert.Equal(t, "90001", c.Tracked[0].ID)
	assert.Equal(t, "90001", m.activeTab().table.selected().t.Order.ID)
}

// A close request is for the form that sent it: a late one from a form
// already closed leaves the next form open.
func TestStaleCloseLeavesNewFormOpen(t *testing.T) {
	h := newFormHarness(t, 100, 30, withOrdering(&fakePlacer{}, false))
	h.press("n")
	h.waitStage("pick")
	old := h.m.form.m.ID()
	h.press("esc")
	h.waitClosed()
	h.press("n")
	h.waitStage("pick")
	h.deliver(orderform.ClosedMsg{Form: old})
	require.NotNil(t, h.m.form, "a stale close is ignored")
	h.deliver(orderform.ClosedMsg{Form: h.m.form.m.ID()})
	assert.Nil(t, h.m.form)
}

// The form learns of its order's newer states by message: the dashboard
// forwards the engine's update of that order (and only that one) to it.
func TestOrderFormFollowsItsOrderByMessage(t *testing.T) {
	pending := threeCodes()
	pending.Status, pending.RawStatus, pending.Vouchers, pending.DeliveredQuantity = api.StatusPending, "PENDING", nil, 0
	p := &fakePlacer{order: pending}
	h := newFormHarness(t, 120, 40, withOrdering(p, true))
	h.fillVoucher("3")
	h.press("enter")
	h.waitStage("result")
	h.waitTracked(1)
	assert.Contains(t, plain(h.m), "Not finished yet — tracked; it updates here and in the table.")

	other := uitest.Vouchers()[1] // another order moving on: not the form's
	other.Order.Status, other.Order.RawStatus = api.StatusFailed, "FAILED"
	h.deliver(batchMsg{engine.OrderUpdate{Tracked: other}})
	o, _ := h.m.form.m.Order()
	assert.Equal(t, api.StatusPending, o.Status)

	done := engine.Tracked{Order: threeCodes(), Origin: engine.OriginPlaced}
	h.deliver(batchMsg{engine.OrderUpdate{Tracked: done, Event: &engine.Event{Changed: true, From: api.StatusPending, To: api.StatusDelivered}}})
	h.settle()
	o, _ = h.m.form.m.Order()
	assert.Equal(t, api.StatusDelivered, o.Status, "the engine's update reached the form")
	s := plain(h.m)
	assert.Contains(t, s, "3 of 3 codes")
	assert.NotContains(t, s, "STEAM-AAAA-1111", "codes stay masked")
}
