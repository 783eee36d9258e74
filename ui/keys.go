package ui

import (
	"net/mail"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/keymap"
)

// view is what the user is looking at, for keys and help.
func (m *Model) view() keymap.View {
	switch {
	case m.form != nil && m.over != overlayHelp:
		return keymap.ViewForm
	case m.prompt.active():
		return keymap.ViewInput
	case m.over == overlayHelp:
		return keymap.ViewHelp
	case m.over == overlayLog:
		return keymap.ViewLog
	case m.over == overlayInbox:
		return keymap.ViewInbox
	case m.over == overlayAccount:
		return keymap.ViewAccount
	case m.showDetail:
		return keymap.ViewDetail
	}
	return keymap.ViewTable
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	if m.prompt.active() {
		return m.promptKey(msg)
	}
	if cmd, ok := m.alertKey(msg); ok {
		return cmd
	}
	switch m.over {
	case overlayHelp:
		switch {
		case key.Matches(msg, k.HelpClose), key.Matches(msg, k.Help):
			m.over = overlayNone
			return nil
		case key.Matches(msg, k.HelpDown):
			m.help.offset++
			return nil
		case key.Matches(msg, k.HelpUp):
			m.help.offset = max(m.help.offset-1, 0)
			return nil
		}
	case overlayLog:
		h := m.bodyHeight() - 1
		switch {
		case key.Matches(msg, k.LogClose), key.Matches(msg, k.Log):
			m.over = overlayNone
			return nil
		case key.Matches(msg, k.LogDown):
			m.events.scroll(1, h)
			return nil
		case key.Matches(msg, k.LogUp):
			m.events.scroll(-1, h)
			return nil
		case key.Matches(msg, k.LogTop):
			m.events.offset = 0
			return nil
		case key.Matches(msg, k.LogBottom):
			m.events.scroll(len(m.events.entries), h)
			return nil
		}
	}
	if cmd, ok := m.globalKey(msg); ok {
		return cmd
	}
	if m.over != overlayNone {
		return nil
	}
	if m.showDetail {
		if cmd, ok := m.detailKey(msg); ok {
			return cmd
		}
	}
	return m.tableKey(msg)
}

// setDetail opens or closes the detail pane. Closing it masks codes again:
// a reveal is seen, and meant, only there.
func (m *Model) setDetail(on bool) {
	m.showDetail = on
	m.detail.offset = 0
	if !on {
		m.reveal = false
	}
	m.resize(m.width, m.height)
}

func (m *Model) globalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit, true
	case key.Matches(msg, k.Help):
		m.help = helpView{view: m.view()}
		m.over = overlayHelp
	case key.Matches(msg, k.Log):
		if m.over == overlayLog {
			m.over = overlayNone
		} else {
			m.over = overlayLog
			m.events.offset = 0
		}
	case key.Matches(msg, k.NextTab):
		m.switchTab(m.active + 1)
	case key.Matches(msg, k.PrevTab):
		m.switchTab(m.active - 1 + len(m.tabs))
	case key.Matches(msg, k.GotoTab):
		// The n-th key of the binding goes to tab n, so overrides such as
		// ["f1", "f2", …] work like the default digits.
		n := slices.Index(k.GotoTab.Keys(), msg.String())
		if n >= 0 && n < len(m.tabs) {
			m.switchTab(n)
		}
	case key.Matches(msg, k.DismissError):
		m.lastErr = ""
		m.toasts = nil
	default:
		return nil, false
	}
	return nil, true
}

func (m *Model) switchTab(i int) {
	if len(m.tabs) == 0 {
		return
	}
	m.active = i % len(m.tabs)
	m.detail.offset, m.detail.voucher = 0, 0
	m.resize(m.width, m.height)
}

func (m *Model) tableKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	t, r := m.selectedRow()
	if t == nil {
		return nil
	}
	tb := t.table
	page := max(tb.height-1, 1)
	moved := false
	for _, b := range m.offKeys {
		if key.Matches(msg, b) {
			m.flash(msg.String() + " does nothing: READ-ONLY (--readonly), no action that spends money or changes an order")
			return nil
		}
	}
	needRow := key.Matches(msg, k.Refresh) || key.Matches(msg, k.Pin) || key.Matches(msg, k.Email)
	if needRow && r == nil {
		m.flash("no order selected")
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		moved = tb.move(-1)
	case key.Matches(msg, k.Down):
		moved = tb.move(1)
	case key.Matches(msg, k.PageUp):
		moved = tb.move(-page)
	case key.Matches(msg, k.PageDown):
		moved = tb.move(page)
	case key.Matches(msg, k.Top):
		moved = tb.move(-len(tb.index))
	case key.Matches(msg, k.Bottom):
		moved = tb.move(len(tb.index))
	case key.Matches(msg, k.Detail):
		m.setDetail(!m.showDetail)
	case key.Matches(msg, k.Back):
		switch {
		case m.showDetail:
			m.setDetail(false)
		case tb.filter.active():
			m.setFilter("", false)
		}
	case key.Matches(msg, k.Filter):
		m.prompt.prev = tb.filter.text
		cmd := m.prompt.open(promptFilter, "/", tb.filter.text)
		m.prompt.SetSize(m.width)
		return cmd
	case key.Matches(msg, k.Problems):
		m.setFilter(tb.filter.text, !tb.filter.problems)
	case key.Matches(msg, k.Sort):
		tb.setSort((tb.sort+1)%sortCount, tb.desc)
		m.flash("sorted by " + tb.sort.String())
	case key.Matches(msg, k.Reverse):
		tb.setSort(tb.sort, !tb.desc)
	case key.Matches(msg, k.ToggleWide):
		// Always the other place from where the pane is now: cycling through
		// "auto" first would do nothing visible on a wide terminal.
		where := "beside"
		if m.detailBeside() {
			m.wideMode, where = 2, "below"
		} else {
			m.wideMode = 1
		}
		m.resize(m.width, m.height)
		if m.showDetail {
			m.flash("detail " + where + " the table")
		} else {
			m.flash("detail will open " + where + " the table (" + m.keys.Detail.Help().Key + " opens it)")
		}
	case key.Matches(msg, k.Export):
		return m.exportCmd()
	case key.Matches(msg, k.PlaceOrder):
		return m.openForm()
	case key.Matches(msg, k.Refresh):
		if r != nil && m.opts.Controller != nil {
			m.opts.Controller.Refresh(r.t.Order.Key())
			m.flash("refresh requested for " + t.vertical.Title() + " " + r.t.Order.ID)
		}
	case key.Matches(msg, k.Pin):
		if r != nil && m.opts.Controller != nil {
			return pinCmd(m.opts.Controller, r.t.Order.Key())
		}
	case key.Matches(msg, k.Email):
		if r == nil {
			return nil
		}
		if m.opts.Actions == nil {
			m.flash("notification email: not configured")
			return nil
		}
		m.prompt.target = r.t.Order.Key()
		cmd := m.prompt.open(promptEmail, "email for "+r.t.Order.ID+": ", r.t.Order.Email)
		m.prompt.SetSize(m.width)
		return cmd
	}
	if moved {
		m.detail.offset, m.detail.voucher = 0, 0
	}
	return nil
}

func (m *Model) detailKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.keys
	_, r := m.selectedRow()
	if r == nil {
		return nil, false
	}
	o := &r.t.Order
	voucher := func() (int, bool) {
		if len(o.Vouchers) == 0 {
			m.flash("this order has no vouchers")
			return 0, false
		}
		return min(m.detail.voucher, len(o.Vouchers)-1), true
	}
	switch {
	case key.Matches(msg, k.Reveal):
		m.reveal = !m.reveal
	case key.Matches(msg, k.DetailDown):
		m.detail.scroll(3)
	case key.Matches(msg, k.DetailUp):
		m.detail.scroll(-3)
	case key.Matches(msg, k.NextVoucher):
		if len(o.Vouchers) > 0 {
			m.detail.voucher = (m.detail.voucher + 1) % len(o.Vouchers)
		}
	case key.Matches(msg, k.PrevVoucher):
		if len(o.Vouchers) > 0 {
			m.detail.voucher = (m.detail.voucher - 1 + len(o.Vouchers)) % len(o.Vouchers)
		}
	case key.Matches(msg, k.CopyCard):
		if i, ok := voucher(); ok {
			return m.copy("card number of voucher #"+itoa(i+1)+" (order "+o.ID+")", o.Vouchers[i].CardNumber), true
		}
	case key.Matches(msg, k.CopyPIN):
		if i, ok := voucher(); ok {
			return m.copy("PIN of voucher #"+itoa(i+1)+" (order "+o.ID+")", o.Vouchers[i].PIN), true
		}
	case key.Matches(msg, k.CopySerial):
		if i, ok := voucher(); ok {
			return m.copy("serial of voucher #"+itoa(i+1)+" (order "+o.ID+")", o.Vouchers[i].Serial), true
		}
	case key.Matches(msg, k.CopyClaimURL):
		if i, ok := voucher(); ok {
			return m.copy("claim URL of voucher #"+itoa(i+1)+" (order "+o.ID+")", o.Vouchers[i].ClaimURL), true
		}
	case key.Matches(msg, k.CopyLPA):
		if o.ESIM == nil {
			m.flash("this order is not an eSIM")
		} else {
			return m.copy("LPA activation code of order "+o.ID, o.ESIM.ActivationCode), true
		}
	case key.Matches(msg, k.CopyICCID):
		if o.ESIM == nil {
			m.flash("this order is not an eSIM")
		} else {
			return m.copy("ICCID of order "+o.ID, o.ESIM.ICCID), true
		}
	default:
		return nil, false
	}
	return nil, true
}

// copy puts text on the clipboard (OSC 52) and says what was copied, never
// the value itself.
func (m *Model) copy(what, value string) tea.Cmd {
	if value == "" {
		m.flash("nothing to copy: no " + what)
		return nil
	}
	m.flash("copied " + what + " to the clipboard")
	return m.opts.Clipboard(value)
}

func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	p := &m.prompt
	switch {
	case key.Matches(msg, k.InputQuit):
		return tea.Quit
	case key.Matches(msg, k.InputCancel):
		if p.kind == promptFilter {
			m.setFilterText(p.prev)
		}
		p.close()
		return nil
	case key.Matches(msg, k.InputAccept):
		switch p.kind {
		case promptFilter:
			p.close()
		case promptEmail:
			addr, err := validEmail(p.input.Value())
			if err != nil {
				p.err = err.Error()
				return nil
			}
			target := p.target
			p.close()
			return m.emailCmd(target, addr)
		}
		return nil
	}
	return p.update(msg, m)
}

func validEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errEmail("enter an email address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(a.Address[strings.LastIndex(a.Address, "@")+1:], ".") {
		return "", errEmail("not a valid email address: " + s)
	}
	return a.Address, nil
}

type errEmail string

func (e errEmail) Error() string { return string(e) }

func (m *Model) setFilterText(s string) {
	m.setFilter(s, m.activeTab().table.filter.problems)
}

func (m *Model) setFilter(text string, problems bool) {
	t := m.activeTab()
	if t == nil {
		return
	}
	t.table.setFilter(parseFilter(text, problems))
}

func (m *Model) handleWheel(msg tea.MouseWheelMsg) tea.Cmd {
	t := m.activeTab()
	if t == nil || m.over != overlayNone || m.prompt.active() {
		return nil
	}
	switch msg.Mouse().Button {
	case tea.MouseWheelUp:
		t.table.move(-3)
	case tea.MouseWheelDown:
		t.table.move(3)
	}
	return nil
}

func (m *Model) handleClick(msg tea.MouseClickMsg) {
	t := m.activeTab()
	if t == nil || m.over != overlayNone || m.prompt.active() {
		return
	}
	mo := msg.Mouse()
	row := mo.Y - bodyTop - 1
	if mo.X >= m.tableWidth || row < 0 || row >= t.table.height {
		return
	}
	i := t.table.offset + row
	if i < len(t.table.index) {
		t.table.move(i - t.table.cursor)
	}
}
