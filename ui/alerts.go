package ui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui/theme"
)

// Alerts is what the dashboard needs of the alert engine (engine/alerts).
type Alerts interface {
	Snapshot() alerts.Snapshot
	// Changed is signalled, coalesced, when alerts or figures change.
	Changed() <-chan struct{}
	Acknowledge(id, who string) error
	Snooze(id string, d time.Duration) error
}

// Notify says how a new problem gets attention when nobody is looking:
// the terminal bell and a desktop notification through the terminal
// (OSC 9 or OSC 777, which travel over SSH), at most one of each per Every.
type Notify struct {
	Bell bool
	// Desktop is "osc9", "osc777" or "" (off).
	Desktop string
	// Every is the rate limit; 0 means 30 s.
	Every time.Duration
}

// SnoozeFor is how long the snooze key hides a problem.
const SnoozeFor = time.Hour

type (
	alertsMsg     alerts.Snapshot
	alertDoneMsg  struct{ err error }
	alertsTickMsg struct{}
)

// alertState is the dashboard's copy of the alert engine's state.
type alertState struct {
	snap    alerts.Snapshot
	loaded  bool
	cursor  int
	seen    map[string]bool // alert ids already notified
	limiter alerts.Limiter
	vert    int // account view: which vertical's charts
}

// waitAlerts is the alert relay: it waits for a change and reads the
// snapshot in the command, never in Update.
func waitAlerts(a Alerts, first bool) tea.Cmd {
	if a == nil {
		return nil
	}
	return func() tea.Msg {
		if !first {
			if _, ok := <-a.Changed(); !ok {
				return nil
			}
		}
		return alertsMsg(a.Snapshot())
	}
}

func (m *Model) applyAlerts(s alerts.Snapshot) tea.Cmd {
	st := &m.alerts
	if st.seen == nil {
		st.seen = map[string]bool{}
		st.limiter.Every = m.opts.Notify.Every
		if st.limiter.Every <= 0 {
			st.limiter.Every = 30 * time.Second
		}
	}
	st.snap, st.loaded = s, true
	st.cursor = min(st.cursor, max(len(s.Alerts)-1, 0))
	var fresh []alerts.Alert
	for _, a := range s.Alerts {
		if a.Open(s.At) && !st.seen[a.ID] {
			fresh = append(fresh, a)
		}
		if a.Cleared.IsZero() {
			st.seen[a.ID] = true
		} else {
			delete(st.seen, a.ID) // a problem that comes back is new again
		}
	}
	return tea.Batch(m.notify(fresh), waitAlerts(m.opts.Alerts, false))
}

// notify rings the bell and posts a desktop notification for new problems,
// rate-limited; problems held back are folded into the next one's text.
func (m *Model) notify(fresh []alerts.Alert) tea.Cmd {
	n := m.opts.Notify
	if len(fresh) == 0 || (!n.Bell && n.Desktop == "") {
		return nil
	}
	ok, held := m.alerts.limiter.Allow(m.now())
	if !ok {
		return nil
	}
	text := fresh[0].Text
	if more := len(fresh) - 1 + held; more > 0 {
		text += " (+" + itoa(more) + " more)"
	}
	var seq string
	if n.Bell {
		seq += "\a"
	}
	seq += desktopSeq(n.Desktop, "orderwatch: "+fresh[0].Severity.String(), text)
	if seq == "" {
		return nil
	}
	return tea.Raw(seq)
}

// desktopSeq is the OSC 9 (iTerm2, Windows Terminal, WezTerm, kitty) or
// OSC 777 (urxvt, foot, Ghostty, WezTerm) notification, with control
// characters (and, for 777, the separator) removed from the text.
func desktopSeq(kind, title, body string) string {
	clean := func(s string) string {
		if s = theme.Clean(s); kind == "osc777" {
			s = strings.ReplaceAll(s, ";", " ")
		}
		return s
	}
	switch kind {
	case "osc9":
		return "\x1b]9;" + clean(title+": "+body) + "\x07"
	case "osc777":
		return "\x1b]777;notify;" + clean(title) + ";" + clean(body) + "\x07"
	}
	return ""
}

// openProblems is the count the tab bar shows.
func (m *Model) openProblems() int {
	if !m.alerts.loaded {
		return 0
	}
	n := 0
	now := m.now()
	for i := range m.alerts.snap.Alerts {
		if m.alerts.snap.Alerts[i].Open(now) {
			n++
		}
	}
	return n
}

// problemsBadge is the tab bar's count of open problems.
func (m *Model) problemsBadge(long bool) string {
	if m.opts.Alerts == nil {
		return ""
	}
	n := m.openProblems()
	s := " ! " + itoa(n)
	if long {
		s += " problems"
		if n == 1 {
			s = " ! 1 problem"
		}
	}
	s += " "
	if n == 0 {
		return m.styles.Border.Render(" ·") + m.styles.TabInactive.Render(s)
	}
	return m.styles.Border.Render(" ·") + m.styles.TabAlert.Render(s)
}

// alertKey handles the inbox and account views' keys and the global keys
// that open them; ok is false when the key is not theirs.
func (m *Model) alertKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.keys
	if m.opts.Alerts == nil {
		return nil, false
	}
	switch {
	case key.Matches(msg, k.Inbox):
		m.toggleOverlay(overlayInbox)
		return nil, true
	case key.Matches(msg, k.Account):
		m.toggleOverlay(overlayAccount)
		return nil, true
	}
	switch m.over {
	case overlayInbox:
		return m.inboxKey(msg)
	case overlayAccount:
		switch {
		case key.Matches(msg, k.AccountClose):
			m.over = overlayNone
		case key.Matches(msg, k.AccountNext):
			m.alerts.vert++
		case key.Matches(msg, k.AccountPrev):
			m.alerts.vert--
		default:
			return nil, false
		}
		return nil, true
	}
	return nil, false
}

// hideAlertKeys removes the inbox and account keys from keys and help when
// there is no alert engine.
func hideAlertKeys(k *keymap.KeyMap) {
	for _, b := range []*key.Binding{&k.Inbox, &k.Account} {
		b.SetEnabled(false)
	}
}

func (m *Model) toggleOverlay(o overlay) {
	if m.over == o {
		m.over = overlayNone
		return
	}
	m.over = o
}

func (m *Model) selectedAlert() *alerts.Alert {
	as := m.alerts.snap.Alerts
	if m.alerts.cursor < 0 || m.alerts.cursor >= len(as) {
		return nil
	}
	return &as[m.alerts.cursor]
}

func (m *Model) inboxKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.keys
	st := &m.alerts
	switch {
	case key.Matches(msg, k.InboxClose):
		m.over = overlayNone
	case key.Matches(msg, k.InboxDown):
		st.cursor = min(st.cursor+1, max(len(st.snap.Alerts)-1, 0))
	case key.Matches(msg, k.InboxUp):
		st.cursor = max(st.cursor-1, 0)
	case key.Matches(msg, k.InboxOpen):
		if a := m.selectedAlert(); a != nil {
			m.openAlertOrder(a)
		}
	case key.Matches(msg, k.InboxAck), key.Matches(msg, k.InboxSnooze):
		a := m.selectedAlert()
		if a == nil || !a.Cleared.IsZero() {
			return nil, true
		}
		src, id, who := m.opts.Alerts, a.ID, m.opts.User
		if key.Matches(msg, k.InboxAck) {
			m.flash("acknowledged: " + a.Text)
			return func() tea.Msg { return alertDoneMsg{src.Acknowledge(id, who)} }, true
		}
		m.flash("snoozed for an hour: " + a.Text)
		return func() tea.Msg { return alertDoneMsg{src.Snooze(id, SnoozeFor)} }, true
	default:
		return nil, false
	}
	return nil, true
}

// openAlertOrder shows the newest order of a problem in its tab's detail pane.
func (m *Model) openAlertOrder(a *alerts.Alert) {
	if len(a.Orders) == 0 {
		m.flash("this problem is not about one order: " + a.Text)
		return
	}
	k := a.Orders[0]
	if !m.selectOrder(k) {
		m.flash("order " + k.String() + " is no longer tracked")
		return
	}
	m.over = overlayNone
	m.setDetail(true)
}

// selectOrder switches to the order's tab and puts the cursor on it,
// clearing a filter that hides it.
func (m *Model) selectOrder(k api.OrderKey) bool {
	for i, t := range m.tabs {
		if t.vertical != k.Vertical {
			continue
		}
		pos := func() int {
			for j, r := range t.table.index {
				if r.t.Order.ID == k.ID {
					return j
				}
			}
			return -1
		}
		j := pos()
		if j < 0 && t.table.filter.active() {
			t.table.setFilter(parseFilter("", false))
			j = pos()
		}
		if j < 0 {
			return false
		}
		m.switchTab(i)
		t.table.move(j - t.table.cursor)
		return true
	}
	return false
}

// ApplyAlerts folds an alert snapshot in as if the relay had delivered it
// (no notification); for the screenshot tool, which has no running program.
func (m *Model) ApplyAlerts(s alerts.Snapshot) {
	saved := m.opts.Notify
	m.opts.Notify = Notify{}
	m.applyAlerts(s)
	m.opts.Notify = saved
}
