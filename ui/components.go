package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui/theme"
)

// --- prompt: the one text input (filter or email); it gets every key. ---

type promptKind int

const (
	promptNone promptKind = iota
	promptFilter
	promptEmail
)

type prompt struct {
	kind   promptKind
	input  textinput.Model
	prev   string       // filter before editing, restored on cancel
	target api.OrderKey // the order an email is for
	err    string
}

func newPrompt() prompt {
	in := textinput.New()
	in.CharLimit = 256
	return prompt{input: in}
}

func (p *prompt) setStyles(st *Styles) {
	s := textinput.DefaultStyles(st.isDark)
	s.Cursor.Blink = false // no blink ticks; a static cursor
	if st.noColor {
		s = textinput.Styles{}
		s.Cursor.Blink = false
	}
	p.input.SetStyles(s)
}

func (p *prompt) active() bool { return p.kind != promptNone }

func (p *prompt) open(kind promptKind, prompt, value string) tea.Cmd {
	p.kind = kind
	p.err = ""
	p.input.Prompt = prompt
	p.input.SetValue(value)
	p.input.CursorEnd()
	return p.input.Focus()
}

func (p *prompt) close() {
	p.kind = promptNone
	p.err = ""
	p.input.Blur()
}

func (p *prompt) SetSize(w int) { p.input.SetWidth(clamp0(w - ansiWidth(p.input.Prompt) - 1)) }

// update feeds a message to the input; live filtering follows every change.
func (p *prompt) update(msg tea.Msg, m *Model) tea.Cmd {
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.kind == promptFilter && p.input.Value() != before {
		m.setFilterText(p.input.Value())
	}
	return cmd
}

func (p *prompt) View(st *Styles, width int) string {
	return fit(p.input.View(), width)
}

// --- help: generated from the keymap for the view underneath. ---

type helpView struct {
	view   keymap.View
	offset int
}

func (h *helpView) lines(k *keymap.KeyMap, st *Styles, width int) []string {
	groups := k.HelpGroups(h.view)
	var out []string
	colW := 0
	for _, g := range groups {
		for _, b := range g.Bindings {
			colW = max(colW, ansiWidth(b.Help().Key))
		}
	}
	colW = min(colW, 14)
	for _, g := range groups {
		out = append(out, st.Title.Render(g.Name))
		for _, b := range g.Bindings {
			out = append(out, "  "+st.HelpKey.Render(fit(b.Help().Key, colW))+"  "+st.HelpDesc.Render(b.Help().Desc))
		}
		out = append(out, "")
	}
	close := k.HelpClose.Help().Key
	out = append(out, st.Dim.Render(fmt.Sprintf("%s or %s closes this help · ↑/↓ scroll", close, k.Help.Help().Key)))
	return out
}

// columns flows help lines into as few columns as fit the height, breaking
// at group boundaries when it can.
func columnize(lines []string, width, height int) []string {
	maxCols := max(min(width/38, 4), 1)
	if len(lines) <= height || maxCols == 1 {
		return lines
	}
	var cols [][]string
	rest := lines
	per := (len(lines) + maxCols - 1) / maxCols
	per = max(per, min(height, len(lines)))
	for len(rest) > 0 && len(cols) < maxCols {
		n := min(per, len(rest))
		if len(cols) < maxCols-1 {
			// Prefer to end a column after a blank line.
			for k := n; k > n/2; k-- {
				if rest[k-1] == "" {
					n = k
					break
				}
			}
		}
		cols = append(cols, rest[:n])
		rest = rest[n:]
	}
	if len(rest) > 0 {
		cols[len(cols)-1] = append(cols[len(cols)-1], rest...)
	}
	cw := width / len(cols)
	var out []string
	for i := 0; ; i++ {
		any := false
		var b strings.Builder
		for _, c := range cols {
			s := ""
			if i < len(c) {
				s, any = c[i], true
			}
			b.WriteString(fit(s, cw))
		}
		if !any {
			break
		}
		out = append(out, b.String())
	}
	return out
}

func (h *helpView) View(k *keymap.KeyMap, st *Styles, width, height int) string {
	lines := columnize(h.lines(k, st, width), width, height)
	h.offset = min(max(h.offset, 0), clamp0(len(lines)-height))
	return block(lines[h.offset:], width, height)
}

// --- event log: every transition with its time, newest first. ---

const maxLogEntries = 5000

type logEntry struct {
	at       time.Time
	key      api.OrderKey
	product  string
	from, to string
	status   api.Status
	source   engine.Source
	note     string
	isNew    bool
}

type eventLog struct {
	entries []logEntry
	offset  int
}

func (l *eventLog) add(e logEntry) {
	l.entries = append(l.entries, e)
	// Trim in chunks so a busy batch does not copy the log on every add.
	if len(l.entries) > maxLogEntries+maxLogEntries/4 {
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-maxLogEntries:]...)
	}
}

// sortTail orders the entries added since from by time, so one batch's
// transitions land in the log in the order they happened.
func (l *eventLog) sortTail(from int) {
	if from < 0 || from >= len(l.entries) {
		return
	}
	tail := l.entries[from:]
	sort.SliceStable(tail, func(i, j int) bool { return tail[i].at.Before(tail[j].at) })
}

func (l *eventLog) scroll(n, height int) {
	l.offset = min(max(l.offset+n, 0), clamp0(len(l.entries)-height))
}

func (l *eventLog) View(st *Styles, width, height int) string {
	if height <= 0 {
		return ""
	}
	lines := []string{st.Header.Render(fit(fmt.Sprintf("EVENT LOG · %d transitions · newest first", len(l.entries)), width))}
	if len(l.entries) == 0 {
		lines = append(lines, st.Dim.Render("no transitions yet"))
	}
	l.offset = min(l.offset, clamp0(len(l.entries)-(height-1)))
	for i := len(l.entries) - 1 - l.offset; i >= 0 && len(lines) < height; i-- {
		e := l.entries[i]
		what := e.from + " → " + e.to
		if e.isNew {
			what = "new, " + e.to
		}
		head := fmt.Sprintf("%s  %-22s ", clock(e.at), trunc(theme.Clean(e.key.String()), 22))
		tail := fmt.Sprintf("  %s", e.source)
		if e.product != "" {
			tail += " · " + e.product
		}
		if e.note != "" {
			tail += " · " + e.note
		}
		lines = append(lines, head+st.StatusStyle(e.status).Render(theme.Clean(what))+theme.Clean(tail))
	}
	return block(lines, width, height)
}

// block fits lines into exactly width×height cells.
func block(lines []string, width, height int) string {
	if height <= 0 {
		return ""
	}
	out := make([]string, height)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], width)
		} else {
			out[i] = strings.Repeat(" ", clamp0(width))
		}
	}
	return strings.Join(out, "\n")
}
