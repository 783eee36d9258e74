package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

// newAlertsModel is the demo dashboard with the demo alert engine's state.
func newAlertsModel(t testing.TB, w, h int, notify Notify) (*Model, *alerts.Engine) {
	t.Helper()
	a := uitest.Alerts()
	m, _ := newTestModel(t, w, h, func(o *Options) {
		o.Alerts, o.Notify, o.User = a, notify, "sam"
	})
	send(m, batchMsg(uitest.Demo()), alertsMsg(a.Snapshot()))
	return m, a
}

func TestGoldenAlerts(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		for _, st := range []struct {
			name string
			keys []string
		}{{"inbox", []string{"!"}}, {"inbox_cleared", []string{"!", "down", "down", "down", "down"}}, {"account", []string{"A"}}, {"account_topups", []string{"A", "l"}}} {
			t.Run(fmt.Sprintf("%s_%dx%d", st.name, sz.w, sz.h), func(t *testing.T) {
				m, _ := newAlertsModel(t, sz.w, sz.h, Notify{})
				press(m, st.keys...)
				out := m.View().Content
				for i, l := range strings.Split(out, "\n") {
					if w := ansiWidth(l); w != sz.w {
						t.Fatalf("line %d is %d wide, want %d: %q", i, w, sz.w, l)
					}
				}
				if n := strings.Count(out, "\n") + 1; n != sz.h {
					t.Fatalf("%d lines, want %d", n, sz.h)
				}
				golden.RequireEqual(t, []byte(out))
			})
		}
	}
}

func TestTabBarCountsOpenProblems(t *testing.T) {
	m, a := newAlertsModel(t, 160, 48, Notify{})
	if got := m.openProblems(); got != 3 {
		t.Fatalf("open problems %d, want 3 (wallet, operator, stuck; the partial one is acknowledged)", got)
	}
	if tabs := m.tabsView(); !strings.Contains(tabs, "! 3 problems") {
		t.Fatalf("tab bar %q has no open count", tabs)
	}
	if err := a.Snooze("stuck:voucher", time.Hour); err != nil {
		t.Fatal(err)
	}
	send(m, alertsMsg(a.Snapshot()))
	if tabs := m.tabsView(); !strings.Contains(tabs, "! 2 problems") {
		t.Fatalf("tab bar %q after a snooze, want 2", tabs)
	}
	m80, _ := newAlertsModel(t, 80, 24, Notify{})
	if tabs := m80.tabsView(); !strings.Contains(tabs, "! 3") {
		t.Fatalf("narrow tab bar %q has no open count", tabs)
	}
}

func TestInboxEnterOpensTheOrder(t *testing.T) {
	m, _ := newAlertsModel(t, 160, 48, Notify{})
	press(m, "!")
	for m.selectedAlert() != nil && m.selectedAlert().ID != "partial:voucher" {
		press(m, "down")
	}
	press(m, "enter")
	if m.over != overlayNone || !m.showDetail {
		t.Fatalf("overlay %v detail %v, want the detail pane", m.over, m.showDetail)
	}
	if _, r := m.selectedRow(); r == nil || r.t.Order.ID != "48219" {
		t.Fatalf("selected %+v, want voucher 48219", r)
	}
	// A problem whose newest order is no longer tracked says so.
	press(m, "!", "g")
	m.alerts.cursor = 0
	for m.selectedAlert().ID != "stuck:voucher" {
		press(m, "down")
	}
	press(m, "enter")
	if m.over != overlayInbox || !strings.Contains(m.message, "no longer tracked") {
		t.Fatalf("overlay %v message %q", m.over, m.message)
	}
}

func runCmd(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	return cmd()
}

func TestInboxAcknowledgeAndSnooze(t *testing.T) {
	m, a := newAlertsModel(t, 80, 24, Notify{})
	press(m, "!")
	first := m.selectedAlert().ID
	msg := runCmd(press(m, "a"))
	done, ok := msg.(alertDoneMsg)
	if !ok || done.err != nil {
		t.Fatalf("ack gave %#v", msg)
	}
	s := a.Snapshot()
	for _, al := range s.Alerts {
		if al.ID == first && al.Cleared.IsZero() && al.AckedBy != "sam" {
			t.Fatalf("%s acknowledged by %q, want sam (the OS user locally)", first, al.AckedBy)
		}
	}
	send(m, alertsMsg(s))
	if m.openProblems() != 2 {
		t.Fatalf("open %d after one ack, want 2", m.openProblems())
	}
	m.alerts.cursor = 0 // the next open problem sorts first now
	second := m.selectedAlert().ID
	if second == first {
		t.Fatalf("acknowledged problem still first")
	}
	if msg := runCmd(press(m, "z")); msg.(alertDoneMsg).err != nil {
		t.Fatal(msg)
	}
	send(m, alertsMsg(a.Snapshot()))
	if m.openProblems() != 1 {
		t.Fatalf("open %d after a snooze, want 1", m.openProblems())
	}
}

func TestNotifyBellAndOSCRateLimited(t *testing.T) {
	m, _ := newAlertsModel(t, 80, 24, Notify{Bell: true, Desktop: "osc9", Every: time.Minute})
	fresh := []alerts.Alert{{ID: "x", Text: "wallet low\x1b[2J", Severity: alerts.Critical}, {ID: "y", Text: "two"}}
	// The first snapshot already notified; the limiter holds this one.
	if cmd := m.notify(fresh); cmd != nil {
		t.Fatalf("notified again inside the rate limit: %#v", runCmd(cmd))
	}
	m.opts.Now = uitest.Clock(2 * time.Minute)
	raw, ok := runCmd(m.notify(fresh)).(tea.RawMsg)
	if !ok {
		t.Fatal("no raw sequence after the rate limit")
	}
	s := raw.Msg.(string)
	if !strings.HasPrefix(s, "\a\x1b]9;orderwatch: critical: wallet low [2J (+2 more)\x07") {
		t.Fatalf("sequence %q", s)
	}
	if got := desktopSeq("osc777", "t;x", "a;b"); got != "\x1b]777;notify;t x;a b\x07" {
		t.Fatalf("osc777 %q", got)
	}
	off, _ := newAlertsModel(t, 80, 24, Notify{})
	off.opts.Now = uitest.Clock(time.Hour)
	if cmd := off.notify(fresh); cmd != nil {
		t.Fatal("notified with bell and desktop off")
	}
}

func TestNoAlertsNoBadge(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	send(m, batchMsg(uitest.Demo()))
	if strings.Contains(m.tabsView(), "problem") || m.openProblems() != 0 {
		t.Fatal("problems badge without an alert engine")
	}
	press(m, "!")
	if m.over != overlayNone {
		t.Fatal("inbox opened without an alert engine")
	}
}

// The inbox and the account view fit every size down to the minimum, and
// clamp rather than panic below it.
func TestAlertViewsFitEverySize(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{60, 15}, {61, 16}, {99, 30}, {119, 20}, {120, 24}, {200, 60}} {
		for _, k := range []string{"!", "A"} {
			m, _ := newAlertsModel(t, sz.w, sz.h, Notify{})
			press(m, k)
			out := m.View().Content
			lines := strings.Split(out, "\n")
			if len(lines) != sz.h {
				t.Fatalf("%s at %dx%d: %d lines", k, sz.w, sz.h, len(lines))
			}
			for i, l := range lines {
				if w := ansiWidth(l); w != sz.w {
					t.Fatalf("%s at %dx%d: line %d is %d wide: %q", k, sz.w, sz.h, i, w, l)
				}
			}
		}
	}
	m, _ := newAlertsModel(t, 30, 8, Notify{})
	press(m, "A")
	_ = m.View()
}

// The relay reads a snapshot at once, then one per change signal.
func TestAlertRelay(t *testing.T) {
	a := uitest.Alerts()
	msg, ok := waitAlerts(a, true)().(alertsMsg)
	if !ok || len(msg.Alerts) == 0 {
		t.Fatalf("first relay gave %#v", msg)
	}
	for len(a.Changed()) > 0 { // drop the fixture's own signals
		<-a.Changed()
	}
	got := make(chan tea.Msg, 1)
	go func() { got <- waitAlerts(a, false)() }()
	if err := a.Snooze("stuck:voucher", time.Hour); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		s := alerts.Snapshot(m.(alertsMsg))
		for _, al := range s.Alerts {
			if al.ID == "stuck:voucher" && al.SnoozedUntil.IsZero() {
				t.Fatal("snapshot after the change does not show the snooze")
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no snapshot after a change")
	}
	if waitAlerts(nil, true) != nil {
		t.Fatal("a relay without an alert engine")
	}
}
