package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui/orderform"
	"github.com/orderwatch/orderwatch/ui/theme"
)

// OrderingDeps is what the order form needs from one provider. Catalog,
// Quoter and Place are required; the rest is optional. Wallet balances come
// from the engine's latest WalletUpdate for the provider. What else the
// provider can do (api.PhoneLookup, api.LineChecker) is found on Catalog
// and Quoter by type assertion.
type OrderingDeps struct {
	Catalog api.Catalog
	// Quoter prices an order; orders are sent only through Place.
	Quoter api.Quoter
	// Place sends an order exactly once: Engine.Place bound to Placer.
	Place func(ctx context.Context, r api.OrderRequest) (api.Order, error)
	// PlaceTracks says Place already tracks what it places (Engine.Place
	// does). The dashboard then only makes sure the order is tracked, without
	// replaying the create response over a newer state; otherwise it hands
	// the placed order to Controller.Track.
	PlaceTracks bool
	// Find looks an order up by reference after an unknown outcome.
	Find func(ctx context.Context, v api.Vertical, ref string) (api.Order, bool, error)
}

// formState is the open order form and what the dashboard keeps about it.
type formState struct {
	m        *orderform.Model
	vertical api.Vertical
	live     bool
	// quitArmed: ctrl+c was pressed once while an order was in flight.
	quitArmed bool
}

// openForm opens the order form for the active tab's vertical, or says why not.
func (m *Model) openForm() tea.Cmd {
	t := m.activeTab()
	if t == nil || m.opts.ReadOnly {
		return nil
	}
	v := t.vertical
	p := v.Provider()
	deps, ok := m.opts.Ordering[p]
	switch {
	case !ok || deps.Catalog == nil || deps.Quoter == nil || deps.Place == nil:
		m.flash("ordering is not configured for " + p.Title())
		return nil
	}
	live := strings.EqualFold(m.provState(p).mode, "LIVE")
	o := orderform.Options{
		Vertical: v,
		Catalog:  deps.Catalog,
		Quoter:   deps.Quoter,
		Place:    deps.Place,
		Find:     deps.Find,
		Wallets:  append([]api.Wallet(nil), m.provState(p).wallets...),
		Live:     live,
		Now:      m.opts.Now,
		Palette:  m.palette(),
	}
	if m.opts.NewReference != nil {
		o.Prefill = &api.OrderRequest{Vertical: v, ClientReference: m.opts.NewReference()}
	}
	m.form = &formState{m: orderform.New(o), vertical: v, live: live}
	m.over = overlayNone
	m.resize(m.width, m.height)
	m.logger.Printf("order form opened: %s (live=%v)", v, live)
	return m.form.m.Init()
}

func (m *Model) closeForm() {
	if m.form == nil {
		return
	}
	m.logger.Printf("order form closed: %s", m.form.vertical)
	m.form = nil
	if m.over == overlayHelp && m.help.view == keymap.ViewForm {
		m.over = overlayNone
	}
	m.resize(m.width, m.height)
}

// formTyping reports a form stage where printable keys may be text: the
// fields, and the LIVE confirm word. Unknown stages count as typing.
func (m *Model) formTyping() bool {
	switch m.form.m.Stage() {
	case "refused", "loading", "quoting", "placing", "lookup", "result":
		return false
	case "confirm":
		return m.form.live
	}
	return true
}

// formKey routes a key while the form is open: the form gets every key but
// quit and help; the dashboard's own bindings are off.
func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	f := m.form
	if !f.m.Busy() {
		f.quitArmed = false
	}
	if m.over == overlayHelp {
		switch {
		case key.Matches(msg, k.HelpClose), key.Matches(msg, k.FormHelp):
			m.over = overlayNone
		case key.Matches(msg, k.HelpDown):
			m.help.offset++
		case key.Matches(msg, k.HelpUp):
			m.help.offset = max(m.help.offset-1, 0)
		}
		if key.Matches(msg, k.FormQuit) {
			return m.formQuit()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.FormQuit):
		return m.formQuit()
	case key.Matches(msg, k.FormHelp) && (msg.Text == "" || !m.formTyping()):
		m.help = helpView{view: keymap.ViewForm}
		m.over = overlayHelp
		return nil
	}
	return m.forwardForm(msg)
}

// formQuit quits, except that an order in flight needs a second ctrl+c: the
// create may land, and quitting then must be a choice, never an accident.
// The journal holds the intent, so the next start looks the reference up.
func (m *Model) formQuit() tea.Cmd {
	f := m.form
	if !f.m.Busy() || f.quitArmed {
		return tea.Quit
	}
	f.quitArmed = true
	m.setError("an order is being placed and its outcome is not known yet; " + m.keys.FormQuit.Help().Key +
		" again quits anyway (the journal looks its reference up at the next start)")
	return nil
}

func (m *Model) forwardForm(msg tea.Msg) tea.Cmd {
	if m.form == nil {
		return nil
	}
	var cmd tea.Cmd
	m.form.m, cmd = m.form.m.Update(msg)
	return cmd
}

// placed tracks an order the form placed, selects it in its tab and toasts
// it. Tracking (which may write the journal) runs in the returned command.
func (m *Model) placed(o api.Order) tea.Cmd {
	if o.ID == "" || !o.Vertical.Valid() {
		return nil
	}
	if o.Provider == "" {
		o.Provider = o.Vertical.Provider()
	}
	var track tea.Cmd
	if c := m.opts.Controller; c != nil {
		t := o.Clone()
		if m.opts.Ordering[o.Provider].PlaceTracks {
			// A stub with no status only upgrades an existing entry's origin
			// (or starts one, checked now): the create response is never
			// replayed over a newer state.
			t = api.Order{Provider: o.Provider, Vertical: o.Vertical, ID: o.ID, ClientReference: o.ClientReference}
		}
		track = func() tea.Msg { c.Track(t, engine.OriginPlaced); return nil }
	}
	now := m.now()
	if t, ok := m.byVert[o.Vertical]; ok {
		tb := t.table
		if _, seen := tb.rows[o.ID]; !seen {
			// Shown at once; the engine's updates replace it by ID.
			tb.upsert([]engine.Tracked{{Order: o.Clone(), Origin: engine.OriginPlaced, FirstSeen: now, LastChecked: now}}, nil, now)
			m.hlUntil = now.Add(highlightFor)
		}
		if r, ok := tb.rows[o.ID]; ok && !r.in {
			tb.setFilter(parseFilter("", false)) // the new order must be visible
		}
		tb.cursorID = o.ID
		tb.fixCursor()
	}
	text := "placed " + o.Vertical.Title() + " " + o.ID
	if p := productText(&o); p != "" {
		text += " · " + p
	}
	text += ": " + o.StatusLabel()
	fail := o.Status.Failure()
	if fail && o.FailureReason != "" {
		text += " (" + o.FailureReason + ")"
	}
	until := now.Add(toastFor)
	if fail {
		until = now.Add(toastFailFor)
	}
	m.toasts = append(m.toasts, toast{text: theme.Clean(text), fail: fail, until: until})
	if len(m.toasts) > maxToasts {
		m.toasts = m.toasts[len(m.toasts)-maxToasts:]
	}
	m.logger.Printf("placed %s:%s ref %s status %s", o.Vertical, o.ID, o.ClientReference, o.StatusLabel())
	// The engine may have moved the order on before this message came.
	var fwd tea.Cmd
	if r, ok := m.byVert[o.Vertical]; ok {
		if row, ok := r.table.rows[o.ID]; ok {
			fwd = m.formOrder(row.t.Order)
		}
	}
	return tea.Batch(track, fwd)
}

// formOrder sends the open form the newest state of the order it placed:
// the form learns of engine state by message, never by asking the engine.
func (m *Model) formOrder(o api.Order) tea.Cmd {
	if m.form == nil || o.Status == "" {
		return nil
	}
	if k, ok := m.form.m.Watching(); !ok || k != o.Key() {
		return nil
	}
	return m.forwardForm(orderform.OrderMsg{Order: o})
}

// formOrders forwards the batch's update of the form's order, if any.
func (m *Model) formOrders(b engine.Batch) tea.Cmd {
	if m.form == nil {
		return nil
	}
	k, ok := m.form.m.Watching()
	if !ok {
		return nil
	}
	for i := len(b) - 1; i >= 0; i-- {
		if u, isOrder := b[i].(engine.OrderUpdate); isOrder && !u.Removed && u.Tracked.Order.Key() == k {
			return m.formOrder(u.Tracked.Order)
		}
	}
	return nil
}

// formView draws the open form in the body area.
func (m *Model) formView(w, h int) string {
	return block(strings.Split(m.form.m.View(), "\n"), w, h)
}

// stageText names a form stage for the info line.
func stageText(s string) string {
	switch s {
	case "pick":
		return "choose"
	case "details":
		return "fill in"
	case "quoting":
		return "getting the price"
	case "confirm":
		return "confirm"
	case "placing":
		return "placing…"
	case "lookup":
		return "looking the reference up…"
	}
	return s
}
