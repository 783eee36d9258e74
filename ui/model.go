// Package ui is the live dashboard: one tab per vertical with a live order
// table, a detail pane, a status bar, toasts, an event log and generated help.
// It is the only package that knows about the terminal. Data arrives from the
// tracking engine through engine.Controller; actions go back through it.
package ui

import (
	"context"
	"io"
	"log"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui/orderform"
	"github.com/orderwatch/orderwatch/ui/theme"
)

// ProviderTabs says which provider is configured, in which mode, and which of
// its verticals get a tab (all of the provider's verticals when empty).
type ProviderTabs struct {
	Provider  api.Provider
	Mode      string // "SANDBOX" or "LIVE"; shown in the status bar, LIVE loudly
	Verticals []api.Vertical
}

// Actions are the optional order-changing actions the dashboard can call.
type Actions interface {
	api.Notifier
}

// Options configure the dashboard.
type Options struct {
	Controller engine.Controller
	// Providers get tabs in this order. Empty means the first registered
	// provider in SANDBOX mode.
	Providers []ProviderTabs
	// ReadOnly removes every dangerous binding (money, order changes).
	ReadOnly bool
	// KeyMap; the zero value means keymap.DefaultKeyMap().
	KeyMap *keymap.KeyMap
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// QuietHold is how long news that only moves a list's age or the budget
	// meter may wait to be drawn with the next news; 0 draws it at once.
	// Idle, it wakes the screen a few times a minute instead of on every list.
	QuietHold time.Duration
	NoColor   bool
	Mouse     bool
	// Clipboard copies text; nil means tea.SetClipboard (OSC 52).
	Clipboard func(string) tea.Cmd
	// Actions; nil hides the notification-email action's effect (a message
	// says it is not configured).
	Actions Actions
	// ExportDir receives CSV exports; empty means the working directory.
	ExportDir string
	// Context bounds actions started from the dashboard; nil means Background.
	Context context.Context
	// Logger receives debug logs (never the terminal); nil discards them.
	Logger *log.Logger
	// Ordering lets the place-order key open the order form on a tab of a
	// provider listed here; otherwise the key says ordering is not
	// configured. The form pays from the provider's latest WalletUpdate.
	Ordering map[api.Provider]OrderingDeps
	// Alerts feeds the problems inbox, the tab bar's count and the account
	// view; nil hides them.
	Alerts Alerts
	Notify Notify
	// User acknowledges problems: the OS user locally (a team member later).
	User string
	// NewReference, when set, gives each new form its client reference
	// (tests and screenshots pin it). It fills the form through Prefill, so
	// a topup form then starts at the catalogue, not the phone lookup.
	NewReference func() string
	// Team is the team-mode policy and presence; nil allows everything.
	Team Team
}

type overlay int

const (
	overlayNone overlay = iota
	overlayHelp
	overlayLog
	overlayInbox   // problems inbox (inbox.go)
	overlayAccount // account charts (account.go)
)

// tab is one vertical's view.
type tab struct {
	vertical    api.Vertical
	table       *orderTable
	listAt      time.Time
	listPending int
}

type providerState struct {
	mode    string
	wallets []api.Wallet
	budget  *engine.BudgetUpdate
}

// Model is the root Bubble Tea model.
type Model struct {
	opts   Options
	keys   keymap.KeyMap
	styles Styles
	isDark bool
	gen    int // bumps when styles change, for the render caches
	logger *log.Logger
	ctx    context.Context

	width, height int
	lay           layout
	tableWidth    int

	tabs      []*tab
	byVert    map[api.Vertical]*tab
	active    int
	providers []api.Provider
	prov      map[api.Provider]*providerState

	loaded  bool
	stopped bool

	showDetail bool
	wideMode   int // 0 auto, 1 beside, 2 below
	detail     detailPane
	reveal     bool

	over   overlay
	help   helpView
	events eventLog
	prompt prompt

	webhook   *engine.WebhookUpdate
	lastErr   string
	lastErrAt time.Time
	message   string
	msgUntil  time.Time
	toasts    []toast
	// form is the open order form; nil when closed.
	form    *formState
	hlUntil time.Time
	tickAt  time.Time // when the armed clock tick fires (zero: none)
	// statusLists: the last status bar drew every tab's list age.
	statusLists bool
	focused     api.OrderKey
	// lookingAt is the problem the inbox has selected, as told to the team.
	lookingAt string
	// offKeys are the bindings --readonly removed, kept to say why their
	// keys do nothing.
	offKeys []key.Binding
	footerH int // lines the footer takes (see syncFooter)
	alerts  alertState
}

// New builds the dashboard model.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Clipboard == nil {
		opts.Clipboard = tea.SetClipboard
	}
	if ps := api.Providers(); len(opts.Providers) == 0 && len(ps) > 0 {
		opts.Providers = []ProviderTabs{{Provider: ps[0].ID, Mode: "SANDBOX"}}
	}
	m := &Model{
		opts:   opts,
		isDark: true,
		byVert: map[api.Vertical]*tab{},
		prov:   map[api.Provider]*providerState{},
		logger: opts.Logger,
		ctx:    opts.Context,
	}
	if m.logger == nil {
		m.logger = log.New(io.Discard, "", 0)
	}
	if m.ctx == nil {
		m.ctx = context.Background()
	}
	if opts.KeyMap != nil {
		m.keys = *opts.KeyMap
	} else {
		m.keys = keymap.DefaultKeyMap()
	}
	if opts.ReadOnly {
		for _, e := range m.keys.Entries() {
			if e.Dangerous && e.Binding.Enabled() {
				m.offKeys = append(m.offKeys, *e.Binding)
			}
		}
		m.keys.SetReadOnly()
	}
	if opts.Alerts == nil {
		hideAlertKeys(&m.keys)
	}
	for _, p := range opts.Providers {
		if _, dup := m.prov[p.Provider]; dup {
			continue
		}
		mode := p.Mode
		if mode == "" {
			mode = "SANDBOX"
		}
		m.prov[p.Provider] = &providerState{mode: mode}
		m.providers = append(m.providers, p.Provider)
		verts := p.Verticals
		if len(verts) == 0 {
			verts = api.VerticalsOf(p.Provider)
		}
		for _, v := range verts {
			if _, dup := m.byVert[v]; dup || !v.Valid() {
				continue
			}
			t := &tab{vertical: v, table: newOrderTable()}
			m.tabs = append(m.tabs, t)
			m.byVert[v] = t
		}
	}
	m.prompt = newPrompt()
	m.restyle()
	m.resize(80, 24)
	return m
}

func (m *Model) now() time.Time { return m.opts.Now() }

func (m *Model) restyle() {
	m.styles = DefaultStyles(m.isDark, m.opts.NoColor)
	m.gen++
	m.prompt.setStyles(&m.styles)
	if m.form != nil {
		m.form.m.SetPalette(m.palette())
	}
}

// palette is the one palette of the dashboard and its form.
func (m *Model) palette() theme.Palette { return theme.New(m.isDark, m.opts.NoColor) }

func (m *Model) activeTab() *tab {
	if len(m.tabs) == 0 {
		return nil
	}
	return m.tabs[m.active]
}

// Messages.
type (
	batchMsg      engine.Batch
	engineDoneMsg struct{}
	snapshotMsg   []engine.Tracked
	tickMsg       time.Time
	emailDoneMsg  struct {
		key   api.OrderKey
		email string
		err   error
	}
	exportDoneMsg struct {
		path     string
		rows     int
		revealed bool // codes and PINs included
		err      error
	}
)

// waitForBatch is the relay: one message per receive, re-armed after each.
// A quiet batch waits up to hold for more; anything else goes at once, with
// what waited.
func waitForBatch(ch <-chan engine.Batch, hold time.Duration) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		b, ok := <-ch
		if !ok {
			return engineDoneMsg{}
		}
		if hold <= 0 || !quiet(b) {
			return batchMsg(b)
		}
		t := time.NewTimer(hold)
		defer t.Stop()
		for {
			select {
			case more, ok := <-ch:
				if !ok {
					return batchMsg(b) // the next receive reports the end
				}
				b = append(b[:len(b):len(b)], more...)
				if !quiet(more) {
					return batchMsg(b)
				}
			case <-t.C:
				return batchMsg(b)
			}
		}
	}
}

// quiet reports a batch that only moves list ages and the budget meter: no
// order, error, wallet, pause or lowered limit.
func quiet(b engine.Batch) bool {
	for _, u := range b {
		switch u := u.(type) {
		case engine.ListUpdate:
		case engine.BudgetUpdate:
			if len(u.PausedUntil) > 0 || u.LoweredFrom > 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func (m *Model) relay() tea.Cmd {
	if m.opts.Controller == nil || m.stopped {
		return nil
	}
	return waitForBatch(m.opts.Controller.Updates(), m.opts.QuietHold)
}

// Init asks for the background color, the engine's snapshot and the first batch.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if c := m.opts.Controller; c != nil {
		cmds = append(cmds, func() tea.Msg { return snapshotMsg(c.Snapshot()) }, m.relay())
	}
	return tea.Batch(append(cmds, waitAlerts(m.opts.Alerts, true))...)
}

// Update routes a message to the component that owns it.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	// The form's results are handled even after it closed: a placed order
	// is always tracked.
	switch msg := msg.(type) {
	case orderform.PlacedMsg:
		return m.done(m.placed(msg.Order))
	case orderform.CopyMsg:
		return m.done(m.guard(team.ActCopy, msg.Order, msg.What, func() tea.Cmd { return m.copy(msg.What, msg.Text) }))
	case orderform.RevealMsg:
		return m.done(m.guard(team.ActReveal, msg.Order, "", func() tea.Cmd {
			return m.forwardForm(orderform.RevealedMsg{Form: msg.Form})
		}))
	case guardDoneMsg:
		return m.done(m.guardDone(msg))
	case orderform.ClosedMsg:
		if m.form != nil && m.form.m.ID() == msg.Form {
			m.closeForm()
		}
		return m.done(nil)
	}
	if m.form != nil {
		// The form gets every message; the dashboard keeps its data flowing
		// but none of its keys or mouse actions.
		switch msg := msg.(type) {
		case tea.KeyPressMsg:
			return m.done(m.formKey(msg))
		case tea.PasteMsg, tea.MouseMsg:
			return m.done(m.forwardForm(msg))
		case tea.WindowSizeMsg:
			// Not forwarded: the form gets the body's size, not the window's.
		default:
			cmd = m.forwardForm(msg)
		}
	}
	var own tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case tea.BackgroundColorMsg:
		m.isDark = msg.IsDark()
		m.restyle()
	case batchMsg:
		m.applyBatch(engine.Batch(msg))
		own = tea.Batch(m.relay(), m.formOrders(engine.Batch(msg)))
	case snapshotMsg:
		m.applySnapshot(msg)
	case alertsMsg:
		own = m.applyAlerts(alerts.Snapshot(msg))
	case alertDoneMsg:
		if msg.err != nil {
			m.setError(msg.err.Error())
		}
	case engineDoneMsg:
		m.stopped = true
		m.setError("tracking engine stopped: no more updates")
	case tickMsg:
		if time.Time(msg).Equal(m.tickAt) {
			m.tickAt = time.Time{}
		}
		m.expire()
	case tea.KeyPressMsg:
		own = m.handleKey(msg)
	case tea.PasteMsg:
		if m.prompt.active() {
			own = m.prompt.update(msg, m)
		}
	case tea.MouseWheelMsg:
		own = m.handleWheel(msg)
	case tea.MouseClickMsg:
		m.handleClick(msg)
	case emailDoneMsg:
		m.emailDone(msg)
	case pinDoneMsg:
		m.pinDone(msg)
	case exportDoneMsg:
		if msg.err != nil {
			m.setError("export failed: " + msg.err.Error())
		} else {
			what := " orders to "
			if msg.revealed {
				what = " orders WITH CODES AND PINS to "
			}
			m.flash("exported " + itoa(msg.rows) + what + msg.path)
		}
	}
	return m.done(tea.Batch(cmd, own))
}

func (m *Model) done(cmd tea.Cmd) (tea.Model, tea.Cmd) {
	m.syncFocus()
	m.syncProblem()
	m.syncFooter()
	m.syncDetail()
	return m, tea.Batch(cmd, m.ensureTick())
}

// expire drops toasts and messages whose time is over.
func (m *Model) expire() {
	now := m.now()
	keep := m.toasts[:0]
	for _, t := range m.toasts {
		if now.Before(t.until) {
			keep = append(keep, t)
		}
	}
	m.toasts = keep
	if !m.msgUntil.IsZero() && !now.Before(m.msgUntil) {
		m.message, m.msgUntil = "", time.Time{}
	}
}

func (m *Model) flash(s string) {
	m.message = s
	m.msgUntil = m.now().Add(5 * time.Second)
	m.logger.Printf("message: %s", s)
}

func (m *Model) setError(s string) {
	m.lastErr = s
	m.lastErrAt = m.now()
	// The error is newer than any passing message.
	m.message, m.msgUntil = "", time.Time{}
	m.logger.Printf("error: %s", s)
}

// syncFocus tells the engine which order the user is looking at. Moving to
// another order masks codes again: a reveal is for the order it was asked on.
func (m *Model) syncFocus() {
	var k api.OrderKey
	if t := m.activeTab(); t != nil {
		if r := t.table.selected(); r != nil {
			k = keyOf(t.vertical, r.t.Order.ID)
		}
	}
	if k != m.focused {
		m.focused = k
		m.reveal = false
		if m.opts.Controller != nil {
			m.opts.Controller.Focus(k)
		}
	}
}

// syncProblem tells the team which problem the inbox has selected, so the
// others' inboxes say who is looking at it.
func (m *Model) syncProblem() {
	id := ""
	if m.view() == keymap.ViewInbox {
		if a := m.selectedAlert(); a != nil {
			id = a.ID
		}
	}
	if id != m.lookingAt {
		m.lookingAt = id
		if m.opts.Team != nil {
			m.opts.Team.LookAt(id)
		}
	}
}

func (m *Model) selectedRow() (*tab, *row) {
	t := m.activeTab()
	if t == nil {
		return nil, nil
	}
	return t, t.table.selected()
}

func itoa(n int) string {
	return formatInt(int64(n))
}

// Apply folds a batch into the model as if the relay had delivered it; for
// tests and the screenshot tool, which have no running program.
func (m *Model) Apply(b engine.Batch) { m.Update(batchMsg(b)) }
