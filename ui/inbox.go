package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/ui/theme"
)

// alertInfo is the info line of the inbox and the account view.
func (m *Model) alertInfo() (string, bool) {
	s := m.alerts.snap
	switch m.over {
	case overlayInbox:
		var acked, snoozed, cleared int
		for i := range s.Alerts {
			a := &s.Alerts[i]
			switch {
			case !a.Cleared.IsZero():
				cleared++
			case a.AckedBy != "":
				acked++
			case a.Snoozed(m.now()):
				snoozed++
			}
		}
		return fmt.Sprintf(" PROBLEMS · %d open · %d acknowledged · %d snoozed · %d cleared",
			m.openProblems(), acked, snoozed, cleared), true
	case overlayAccount:
		return " ACCOUNT · the last hour, one point a minute · dotted: the documented norm", true
	}
	return "", false
}

func (m *Model) severityStyle(s alerts.Severity) lipgloss.Style {
	switch s {
	case alerts.Critical:
		return m.styles.Error
	case alerts.Warning:
		return m.styles.StatusStyle(api.StatusPartial)
	}
	return m.styles.Info
}

// alertState says where a problem is: open, acknowledged, snoozed, cleared.
func (m *Model) alertStateText(a *alerts.Alert) string {
	now := m.now()
	switch {
	case !a.Cleared.IsZero():
		return "cleared " + a.Cleared.Format("15:04")
	case a.AckedBy != "":
		return "ack " + a.AckedBy
	case a.Snoozed(now):
		return "snoozed " + shortDur(a.SnoozedUntil.Sub(now))
	}
	return "open"
}

func sevLabel(s alerts.Severity) string {
	switch s {
	case alerts.Critical:
		return "CRIT"
	case alerts.Warning:
		return "WARN"
	}
	return "INFO"
}

func alertWhere(a *alerts.Alert) string {
	if a.Vertical != "" {
		return a.Vertical.Title()
	}
	if a.Provider != "" {
		return a.Provider.Title()
	}
	return ""
}

// inboxView lists every problem across providers, one line each, and the
// selected one in full below.
func (m *Model) inboxView(w, h int) string {
	st := &m.styles
	as := m.alerts.snap.Alerts
	if h <= 0 {
		return ""
	}
	if len(as) == 0 {
		return block([]string{"", st.Dim.Render("  No problems. New ones appear here, ring the bell and notify the desktop."),
			st.Dim.Render("  Rules and thresholds: README, Alerts; [alerts] in the config file.")}, w, h)
	}
	detailH := min(7, h/3)
	listH := clamp0(h - detailH - 1)
	whereW, stateW, countW := 10, 13, 6
	textW := clamp0(w - 5 - 6 - whereW - countW - stateW - 5)
	head := fmt.Sprintf("%-4s %-5s %-*s %-*s %*s  %s", "SEV", "AT", whereW, "WHERE", textW, "PROBLEM", countW, "ORDERS", "STATE")
	lines := []string{st.Header.Render(fit(head, w))}
	cur := m.alerts.cursor
	off := clamp0(min(cur-(listH-2), len(as)-(listH-1)))
	for i := off; i < len(as) && len(lines) < listH; i++ {
		a := &as[i]
		count := ""
		if a.Count > 0 {
			count = formatInt(int64(a.Count))
		}
		where := alertWhere(a)
		// The WHERE column already says it: "Vouchers: 2 orders…" → "2 orders…".
		short := strings.TrimPrefix(a.Text, where+": ")
		text := fmt.Sprintf(" %-5s %-*s %-*s %*s  %-*s", a.Raised.Format("15:04"), whereW, trunc(where, whereW),
			textW, trunc(theme.Clean(short), textW), countW, count, stateW, trunc(m.alertStateText(a), stateW))
		sev := m.severityStyle(a.Severity).Render(sevLabel(a.Severity))
		line := sev + text
		switch {
		case i == cur:
			line = st.Selected.Render(fit(sevLabel(a.Severity)+text, w))
		case !a.Open(m.now()):
			line = st.Dim.Render(fit(sevLabel(a.Severity)+text, w))
		}
		lines = append(lines, line)
	}
	out := block(lines, w, listH)
	sep := st.Border.Render(fit("── problem "+strings.Repeat("─", w), w))
	return out + "\n" + sep + "\n" + m.alertDetail(w, detailH)
}

// alertDetail is the selected problem in full: text, norm, orders, who.
func (m *Model) alertDetail(w, h int) string {
	st := &m.styles
	a := m.selectedAlert()
	if a == nil || h <= 0 {
		return block(nil, w, h)
	}
	var lines []string
	for _, l := range strings.Split(wrapWords(theme.Clean(a.Text), w-2), "\n") {
		lines = append(lines, " "+m.severityStyle(a.Severity).Render(l))
	}
	meta := []string{a.Rule, "raised " + clock(a.Raised)}
	if a.Norm != "" {
		meta = append(meta, "normal: "+a.Norm)
	}
	if a.AckedBy != "" {
		meta = append(meta, "acknowledged by "+a.AckedBy+" "+clock(a.AckedAt))
	}
	if m.opts.Team != nil {
		if n := m.opts.Team.ProblemNote(a.ID); n != "" {
			meta = append(meta, n)
		}
	}
	lines = append(lines, st.Label.Render(" "+strings.Join(meta, " · ")))
	if n := len(a.Orders); n > 0 {
		var ids []string
		for _, k := range a.Orders {
			ids = append(ids, k.String())
		}
		more := ""
		if a.Count > n {
			more = fmt.Sprintf(" (+%d more)", a.Count-n)
		}
		lines = append(lines, " "+plural(a.Count, "order")+": "+strings.Join(ids, ", ")+more)
	}
	hint := m.keys.InboxOpen.Help().Key + " opens the newest order · " + m.keys.InboxAck.Help().Key + " acknowledge · " +
		m.keys.InboxSnooze.Help().Key + " snooze 1h · " + m.keys.InboxClose.Help().Key + " close"
	if len(a.Orders) > 0 {
		hint = m.keys.InboxOpen.Help().Key + " opens " + a.Orders[0].String() + strings.TrimPrefix(hint, m.keys.InboxOpen.Help().Key+" opens the newest order")
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:min(len(lines), h-1)], st.Dim.Render(" "+hint))
	return block(lines, w, h)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return formatInt(int64(n)) + " " + noun + "s"
}

// wrapWords breaks s into lines of at most w cells at spaces.
func wrapWords(s string, w int) string {
	if w <= 0 {
		return s
	}
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case ansiWidth(line)+1+ansiWidth(word) <= w:
			line += " " + word
		default:
			out = append(out, line)
			line = word
		}
	}
	return strings.Join(append(out, line), "\n")
}
