package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/ui/theme"
)

const (
	minWidth  = 60
	minHeight = 15
	// bodyTop is the first line of the body: tabs and the info line above it.
	bodyTop = 2
	// wideAt is the width from which the detail pane sits beside the table.
	wideAt = 120
)

func ansiWidth(s string) int { return ansi.StringWidth(s) }

// bodyHeight leaves the tabs and info line above, the footer (one line, or
// up to maxFooter while a long message is shown) and the status bar below.
func (m *Model) bodyHeight() int { return clamp0(m.height - bodyTop - 1 - max(m.footerH, 1)) }

// maxFooter is how many lines a long message may take from the body.
const maxFooter = 3

// syncFooter re-lays the screen when the footer's height changes.
func (m *Model) syncFooter() {
	if n := len(m.messageLines()); n != max(m.footerH, 1) {
		m.footerH = n
		m.resize(m.width, m.height)
	}
}

func (m *Model) detailBeside() bool {
	switch m.wideMode {
	case 1:
		return true
	case 2:
		return false
	}
	return m.width >= wideAt
}

// resize lays the components out for a terminal size.
func (m *Model) resize(w, h int) {
	m.width, m.height = clamp0(w), clamp0(h)
	body := m.bodyHeight()
	tw, th := m.width, body
	if m.showDetail {
		if m.detailBeside() {
			dw := min(72, m.width*45/100)
			tw = clamp0(m.width - dw - 1)
			m.detail.SetSize(dw, body)
		} else {
			th = max(body/2, min(4, body))
			m.detail.SetSize(m.width, clamp0(body-th-1))
		}
	}
	m.tableWidth = tw
	if m.lay.width != tw || m.lay.id == 0 {
		m.lay = newLayout(tw)
	}
	for _, t := range m.tabs {
		t.table.setHeight(clamp0(th - 1))
	}
	m.prompt.SetSize(m.width)
	if m.form != nil {
		m.form.m.SetSize(m.width, body)
	}
}

// syncDetail rebuilds the detail pane's lines for the selected order.
func (m *Model) syncDetail() {
	if !m.showDetail {
		return
	}
	_, r := m.selectedRow()
	if r == nil {
		m.detail.lines = nil
		return
	}
	if len(r.t.Order.Vouchers) > 0 {
		m.detail.voucher = min(m.detail.voucher, len(r.t.Order.Vouchers)-1)
	}
	c := detailCtx{st: &m.styles, now: m.now(), revealed: m.reveal, voucher: m.detail.voucher, width: m.detail.width}
	if m.opts.Team != nil {
		c.note = m.opts.Team.OrderNote(r.t.Order.Key())
		if !m.can(team.ActReveal) {
			c.noReveal = "codes stay masked for your role"
		}
	}
	m.detail.lines = detailLines(&r.t, c)
}

// counts sums pending and failed orders over every tab.
func (m *Model) counts() (pending, failed int) {
	for _, t := range m.tabs {
		pending += t.table.pending
		failed += t.table.failed
	}
	return
}

// View draws the whole screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	if m.opts.Mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	p, f := m.counts()
	v.WindowTitle = "orderwatch"
	if p > 0 || f > 0 {
		v.WindowTitle = fmt.Sprintf("orderwatch — %d pending, %d failed", p, f)
	}
	return v
}

func (m *Model) render() string {
	if m.width < minWidth || m.height < minHeight {
		msg := fmt.Sprintf("terminal too small: %dx%d, need at least %dx%d", m.width, m.height, minWidth, minHeight)
		lines := strings.Split(wrap(msg, max(m.width, 1)), "\n")
		return block(lines, m.width, m.height)
	}
	var b strings.Builder
	b.Grow(m.width * m.height * 2)
	b.WriteString(m.tabsView())
	b.WriteByte('\n')
	b.WriteString(m.infoView())
	b.WriteByte('\n')
	b.WriteString(m.bodyView())
	b.WriteByte('\n')
	b.WriteString(strings.Join(m.messageLines(), "\n"))
	b.WriteByte('\n')
	b.WriteString(m.statusView())
	return b.String()
}

func wrap(s string, w int) string {
	var lines []string
	for len(s) > w {
		lines = append(lines, s[:w])
		s = s[w:]
	}
	return strings.Join(append(lines, s), "\n")
}

// tabsView draws one group of tabs per provider, labelled, so trouble on
// another provider's tab is as visible as on this one's. As the terminal
// narrows it drops the long counts, then the labels, then the titles of the
// other tabs (their number stays, with ! when something failed); the active
// tab is always drawn whole.
func (m *Model) tabsView() string {
	st := &m.styles
	const (
		long = iota
		short
		noLabels
		noCounts
		compact
	)
	render := func(level int) string {
		var b strings.Builder
		for i, t := range m.tabs {
			p := t.vertical.Provider()
			switch {
			case i == 0 || p != m.tabs[i-1].vertical.Provider():
				if i > 0 {
					b.WriteString(st.Border.Render(" · "))
				}
				if level <= short {
					b.WriteString(st.Dim.Render(providerLabel(p, level == long) + " "))
				}
			default:
				b.WriteString(st.Border.Render("│"))
			}
			title := fmt.Sprintf("%d %s", i+1, t.vertical.Title())
			var counts string
			switch {
			case t.table.pending == 0 && t.table.failed == 0:
			case level == long:
				counts = fmt.Sprintf(" (%d pending, %d failed)", t.table.pending, t.table.failed)
			default:
				counts = fmt.Sprintf(" %dp %df", t.table.pending, t.table.failed)
			}
			if level >= noCounts && i != m.active {
				counts = ""
				if level == compact {
					title = fmt.Sprintf("%d", i+1)
				}
				if t.table.failed > 0 {
					counts = "!"
				}
			}
			s := " " + title + counts + " "
			switch {
			case i == m.active:
				s = st.TabActive.Render(s)
			case t.table.failed > 0:
				s = st.TabAlert.Render(s)
			default:
				s = st.TabInactive.Render(s)
			}
			b.WriteString(s)
		}
		b.WriteString(m.problemsBadge(level <= short))
		return b.String()
	}
	for _, level := range []int{long, short, noLabels, noCounts, compact} {
		if s := render(level); ansiWidth(s) <= m.width {
			return fit(s, m.width)
		}
	}
	// Narrower than any terminal this draws on (minWidth): keep the active
	// tab's start in view.
	return fit(render(compact), m.width)
}

func providerLabel(p api.Provider, long bool) string {
	if long {
		return p.Title() + ":"
	}
	return p.Short() + ":"
}

func (m *Model) infoView() string {
	if m.prompt.active() {
		return m.prompt.View(&m.styles, m.width)
	}
	if f := m.form; f != nil {
		p := f.vertical.Provider()
		s := " new " + f.vertical.Title() + " order · " + p.Title() + " " + m.provState(p).mode + " · " + stageText(f.m.Stage())
		if f.live {
			s += " · LIVE: real money"
		}
		return m.styles.Info.Render(fit(s, m.width))
	}
	if s, ok := m.alertInfo(); ok {
		return m.styles.Info.Render(fit(s, m.width))
	}
	t := m.activeTab()
	if t == nil {
		return fit("", m.width)
	}
	tb := t.table
	arrow := "↑"
	if tb.desc {
		arrow = "↓"
	}
	parts := []string{"sort " + tb.sort.String() + " " + arrow}
	if tb.filter.sub != "" {
		f := tb.filter.text
		if tb.filter.badRegex {
			f += " (text) — not a regexp"
		}
		parts = append(parts, "filter "+f)
	}
	if tb.filter.problems {
		parts = append(parts, "problems only")
	}
	if tb.filter.active() {
		parts = append(parts, fmt.Sprintf("%s of %s", formatInt(int64(len(tb.index))), formatInt(int64(len(tb.rows)))))
	} else {
		noun := " orders"
		if len(tb.rows) == 1 {
			noun = " order"
		}
		parts = append(parts, formatInt(int64(len(tb.rows)))+noun)
	}
	if !t.listAt.IsZero() {
		parts = append(parts, "listed "+listAge(m.now(), t.listAt)+" ago")
	}
	if m.reveal {
		parts = append(parts, "codes revealed")
	}
	return m.styles.Info.Render(fit(" "+strings.Join(parts, " · "), m.width))
}

func (m *Model) bodyView() string {
	h := m.bodyHeight()
	switch m.over {
	case overlayHelp:
		return m.help.View(&m.keys, &m.styles, m.width, h)
	case overlayLog:
		return m.events.View(&m.styles, m.width, h)
	case overlayInbox:
		return m.inboxView(m.width, h)
	case overlayAccount:
		return m.accountView(m.width, h)
	}
	if m.form != nil {
		return m.formView(m.width, h)
	}
	table := m.tableView()
	if !m.showDetail {
		return table
	}
	detail := m.detail.View()
	if m.detailBeside() {
		tl := strings.Split(table, "\n")
		dl := strings.Split(detail, "\n")
		sep := m.styles.Border.Render("│")
		out := make([]string, h)
		for i := range out {
			var a, d string
			if i < len(tl) {
				a = tl[i]
			}
			if i < len(dl) {
				d = dl[i]
			}
			out[i] = fit(a, m.tableWidth) + sep + d
		}
		return strings.Join(out, "\n")
	}
	sep := m.styles.Border.Render(fit("── detail "+strings.Repeat("─", clamp0(m.width-10)), m.width))
	parts := []string{table, sep}
	if m.detail.height > 0 {
		parts = append(parts, detail)
	}
	return strings.Join(parts, "\n")
}

// tableView renders the header and the visible rows only.
func (m *Model) tableView() string {
	t := m.activeTab()
	w := m.tableWidth
	if t == nil {
		// Only a misconfiguration gets here; say so rather than panic.
		return block([]string{"", m.styles.Dim.Render(fit("  No tabs: no configured provider has a known vertical.", w))}, w, m.bodyHeight())
	}
	rowsH := t.table.height
	lines := make([]string, 0, rowsH+1)
	lines = append(lines, m.lay.header(&m.styles))
	tb := t.table
	switch {
	case !m.loaded:
		lines = append(lines, "", m.styles.Dim.Render(fit("  Waiting for the tracking engine…", w)))
	case len(tb.rows) == 0:
		lines = append(lines, "", m.styles.Dim.Render(fit("  No "+t.vertical.Title()+" orders tracked yet.", w)),
			m.styles.Dim.Render(fit("  New orders appear here as soon as they are found.", w)))
	case len(tb.index) == 0:
		msg := "  No orders match the filter (esc clears it)."
		if tb.filter.sub == "" {
			msg = "  No problems here (" + m.keys.Problems.Help().Key + " shows every order)."
		} else if tb.filter.problems {
			msg = "  No problem orders match the filter (esc clears it, " + m.keys.Problems.Help().Key + " shows all)."
		}
		lines = append(lines, "", m.styles.Dim.Render(fit(msg, w)))
	default:
		now := m.now()
		for i, r := range tb.visible() {
			sel := tb.offset+i == tb.cursor
			hl := now.Sub(r.changedAt) < highlightFor && !r.changedAt.IsZero()
			key := renderKey{ver: r.ver, layout: m.lay.id, times: timeCells(now, &r.t), selected: sel, highlight: hl, styles: m.gen}
			if r.cacheKey != key || r.cache == "" {
				r.cache = renderRow(&m.lay, &m.styles, now, r, sel, hl)
				r.cacheKey = key
			}
			lines = append(lines, r.cache)
		}
	}
	return block(lines, w, rowsH+1)
}

// messageLines is the footer: an error, a message, a toast or the key
// hints. A long one wraps (up to maxFooter lines) rather than being cut: the
// end of a warning is often what to do about it.
func (m *Model) messageLines() []string {
	text, style := m.footer()
	w := m.width
	if w <= 0 {
		return []string{""}
	}
	if len(m.toasts) > 0 && m.prompt.err == "" && m.message == "" {
		// News comes and goes every few seconds: one line, so the table
		// does not jump; the event log has it whole.
		return []string{style.Render(fit(text, w))}
	}
	lines := strings.Split(ansi.Wrap(text, w, ""), "\n")
	if len(lines) > maxFooter {
		lines = append(lines[:maxFooter-1], trunc(strings.Join(lines[maxFooter-1:], " "), w))
	}
	for i, l := range lines {
		lines[i] = style.Render(fit(l, w))
	}
	return lines
}

func (m *Model) footer() (string, lipgloss.Style) {
	st := &m.styles
	switch {
	case m.prompt.err != "":
		return " ✗ " + m.prompt.err, st.Error
	case m.message != "": // the answer to the user's own key press wins for its few seconds
		return " " + m.message, st.Message
	case len(m.toasts) > 0:
		t := m.toasts[len(m.toasts)-1]
		s := t.text
		if n := len(m.toasts) - 1; n > 0 {
			s += fmt.Sprintf("  (+%d)", n)
		}
		if t.fail {
			return " ✗ " + s, st.ToastFail
		}
		return " ✓ " + s, st.ToastOK
	case m.lastErr != "":
		hint := ""
		if k := m.keys.DismissError.Help().Key; k != "" {
			hint = "  (" + k + " dismisses)"
		}
		return " ✗ " + clock(m.lastErrAt) + " " + m.lastErr + hint, st.Error
	}
	if m.prompt.active() {
		if t := m.activeTab(); m.prompt.kind == promptFilter && t != nil && t.table.filter.badRegex {
			return " ✗ not a regexp (" + t.table.filter.reErr + "): matching the text as typed", st.Error
		}
		what := "apply"
		if m.prompt.kind == promptEmail {
			what = "attach"
		}
		return " " + m.keys.InputAccept.Help().Key + " " + what + " · " + m.keys.InputCancel.Help().Key + " cancel · " +
			m.keys.InputQuit.Help().Key + " quit", st.Dim
	}
	if m.form != nil {
		return " " + m.keys.FormHelp.Help().Key + " form keys · " + m.keys.FormQuit.Help().Key + " quit", st.Dim
	}
	return " " + m.keys.Help.Help().Key + " help · " + m.keys.Quit.Help().Key + " quit", st.Dim
}

// statusPart is one piece of the status bar; parts of one group are joined
// by spaces, groups by a rule.
type statusPart struct {
	group int
	prio  int // 0 is never dropped; the highest goes first
	text  string
}

// statusView is the status bar: read-only, each provider's mode badge,
// wallets, budget and 429s, the webhook, list ages. When it does not fit,
// it drops its least important parts first (list ages, then quiet
// counters, budgets, webhook, wallets); the badges always stay.
func (m *Model) statusView() string {
	st := &m.styles
	var parts []statusPart
	g := 0
	if m.opts.ReadOnly {
		parts = append(parts, statusPart{g, 0, st.Live.Render(" READ-ONLY ")})
		g++
	}
	if m.opts.Team != nil {
		// Team mode: who I am (kept longest), then who else is connected.
		if who, online := m.opts.Team.Status(); who != "" {
			parts = append(parts, statusPart{g, 1, theme.Clean(who)})
			if online != "" {
				parts = append(parts, statusPart{g, 3, "· online " + theme.Clean(online)})
			}
			g++
		}
	}
	for _, p := range m.providers {
		ps := m.prov[p]
		badge := " " + p.Badge() + " " + ps.mode + " "
		if strings.EqualFold(ps.mode, "LIVE") {
			badge = st.Live.Render(badge)
		} else {
			badge = st.Sandbox.Render(badge)
		}
		parts = append(parts, statusPart{g, 0, badge})
		for _, w := range ps.wallets {
			parts = append(parts, statusPart{g, 2, theme.Clean(w.Currency) + " " + balanceText(w.Balance, w.Currency)})
		}
		if b := ps.budget; b != nil {
			parts = append(parts, statusPart{g, 3, fmt.Sprintf("· api %d/%d/min", b.UsedLastMin, b.PerMinute)})
			if b.Got429 > 0 {
				parts = append(parts, statusPart{g, 1, st.Error.Render(fmt.Sprintf("429×%d", b.Got429))})
			} else {
				parts = append(parts, statusPart{g, 4, "429×0"})
			}
		}
		g++
	}
	if w := m.webhook; w != nil {
		s, prio := "webhook off", 4
		if w.Enabled {
			s = fmt.Sprintf("webhook %s rx %d", w.Addr, w.Received)
			if w.Rejected > 0 {
				s += fmt.Sprintf(" rejected %d", w.Rejected)
			}
			if w.LastError != "" {
				s, prio = st.Error.Render(s+" "+theme.Clean(w.LastError)), 2
			}
		}
		parts = append(parts, statusPart{g, prio, s})
		g++
	}
	var lists []string
	for _, t := range m.tabs {
		if !t.listAt.IsZero() {
			lists = append(lists, t.vertical.Title()+" "+listAge(m.now(), t.listAt))
		}
	}
	listPart := -1
	if len(lists) > 0 {
		listPart = len(parts)
		parts = append(parts, statusPart{g, 5, "listed " + strings.Join(lists, " ")})
	}
	sep := st.Border.Render(" │ ")
	dropped := make([]bool, len(parts))
	join := func() string {
		var b strings.Builder
		last := -1
		for i, p := range parts {
			if dropped[i] {
				continue
			}
			switch {
			case last < 0:
			case p.group != last:
				b.WriteString(sep)
			default:
				b.WriteByte(' ')
			}
			b.WriteString(p.text)
			last = p.group
		}
		return b.String()
	}
	// Drop one part at a time, least important (then rightmost) first.
	line := join()
	for prio := 5; prio > 0 && ansiWidth(line) > m.width; prio-- {
		for i := len(parts) - 1; i >= 0 && ansiWidth(line) > m.width; i-- {
			if parts[i].prio == prio {
				dropped[i] = true
				line = join()
			}
		}
	}
	// The clock redraws for list ages only while they are drawn (redraw.go).
	m.statusLists = listPart >= 0 && !dropped[listPart]
	return st.StatusBar.Render(fit(line, m.width))
}
