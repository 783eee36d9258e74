package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

// newTestModel builds a model with a fixed clock and a fake controller.
func newTestModel(t testing.TB, w, h int, mod ...func(*Options)) (*Model, *uitest.Controller) {
	t.Helper()
	c := uitest.NewController(16)
	o := Options{Controller: c, Now: uitest.Clock(0), NoColor: true}
	for _, f := range mod {
		f(&o)
	}
	m := New(o)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m, c
}

func send(m *Model, msgs ...tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	for _, msg := range msgs {
		_, cmd = m.Update(msg)
	}
	return cmd
}

func press(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = m.Update(uitest.Key(k))
	}
	return cmd
}

func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

var sizes = []struct{ w, h int }{{60, 15}, {80, 24}, {160, 48}}

// selectID moves the cursor to an order id on the active tab.
func selectID(t testing.TB, m *Model, id string) {
	t.Helper()
	tb := m.activeTab().table
	for i, r := range tb.index {
		if r.t.Order.ID == id {
			tb.move(i - tb.cursor)
			m.Update(nil)
			return
		}
	}
	t.Fatalf("order %s not in the table", id)
}

func TestGolden(t *testing.T) {
	states := []struct {
		name  string
		setup func(t *testing.T, m *Model)
	}{
		{"loading", func(t *testing.T, m *Model) {}},
		{"empty", func(t *testing.T, m *Model) { send(m, batchMsg(uitest.Status())) }},
		{"live", func(t *testing.T, m *Model) { send(m, batchMsg(uitest.Demo())) }},
		{"voucher_detail", func(t *testing.T, m *Model) {
			send(m, batchMsg(uitest.Demo()))
			selectID(t, m, "48213")
			press(m, "enter")
		}},
		{"topup_failure_detail", func(t *testing.T, m *Model) {
			send(m, batchMsg(uitest.Demo()))
			press(m, "2")
			selectID(t, m, "77105")
			press(m, "enter")
		}},
		{"esim_qr_detail", func(t *testing.T, m *Model) {
			send(m, batchMsg(uitest.Demo()))
			press(m, "3")
			selectID(t, m, "9031")
			press(m, "enter", "v")
		}},
		{"help", func(t *testing.T, m *Model) {
			send(m, batchMsg(uitest.Demo()))
			press(m, "?")
		}},
		{"error", func(t *testing.T, m *Model) {
			send(m, batchMsg(uitest.Demo()), batchMsg{engine.ErrorUpdate{Provider: api.ProviderOctopus,
				Vertical: api.VerticalVoucher, At: uitest.Epoch, Err: "GET /api/v1/orders: server error (HTTP 503)"}})
		}},
		{"failure_toast", func(t *testing.T, m *Model) {
			send(m, batchMsg(uitest.Demo()))
			m.toasts = nil
			tr := uitest.Vouchers()[1]
			tr.Order.Status, tr.Order.RawStatus = api.StatusFailed, "FAILED"
			tr.Order.FailureReason = "Supplier rejected the order"
			e := engine.Event{At: uitest.Epoch, Source: engine.SourcePoll, From: api.StatusPending, To: api.StatusFailed,
				RawFrom: "PENDING", RawTo: "FAILED", Changed: true}
			send(m, batchMsg{engine.OrderUpdate{Tracked: tr, Event: &e}})
		}},
		{"log", func(t *testing.T, m *Model) {
			send(m, batchMsg(uitest.Demo()))
			press(m, "L")
		}},
	}
	oneclick := func(tab, id string, keys ...string) func(t *testing.T, m *Model) {
		return func(t *testing.T, m *Model) {
			send(m, batchMsg(uitest.Demo()), batchMsg(uitest.OneClickStatus()), batchMsg(uitest.OrderUpdates(uitest.OneClick(), true)))
			press(m, tab)
			selectID(t, m, id)
			press(m, append([]string{"enter"}, keys...)...)
		}
	}
	both := []ProviderTabs{{Provider: api.ProviderOctopus, Mode: "SANDBOX"}, {Provider: api.ProviderOneClick, Mode: "SANDBOX"}}
	for _, s := range []struct {
		name  string
		setup func(t *testing.T, m *Model)
	}{
		{"giftcard_partial_detail", oneclick("6", "6901616fe9e88196b4eb64b3")},
		{"internet_card_detail", oneclick("5", "690161a3e9e88196b4eb6545", "v")},
		{"mobile_refunded_detail", oneclick("4", "6901616fe9e88196b4eb64b0")},
		{"mobile_uncertain_detail", oneclick("4", "6901616fe9e88196b4eb64b7")},
	} {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", s.name, sz.w, sz.h), func(t *testing.T) {
				m, _ := newTestModel(t, sz.w, sz.h, func(o *Options) { o.Providers = both })
				s.setup(t, m)
				v := m.View()
				assertFrame(t, v.Content, sz.w, sz.h)
				golden.RequireEqual(t, v.Content)
			})
		}
	}
	for _, s := range states {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", s.name, sz.w, sz.h), func(t *testing.T) {
				m, _ := newTestModel(t, sz.w, sz.h)
				s.setup(t, m)
				v := m.View()
				assertFrame(t, v.Content, sz.w, sz.h)
				golden.RequireEqual(t, v.Content)
			})
		}
	}
}

// A colored frame too, so the styles are covered.
func TestGoldenColor(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, func(o *Options) { o.NoColor = false })
	send(m, batchMsg(uitest.Demo()))
	v := m.View()
	assertFrame(t, v.Content, 80, 24)
	golden.RequireEqual(t, v.Content)
}

// run executes cmd as the program would and delivers what it returns
// (each part of a batch); commands still waiting after a moment, such as
// the one-second tick, are left alone.
func run(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(100 * time.Millisecond):
		return
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			run(m, c)
		}
		return
	}
	if msg != nil {
		m.Update(msg)
	}
}
