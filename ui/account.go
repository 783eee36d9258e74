package ui

import (
	"fmt"
	"math"
	"strings"

	"github.com/guptarohit/asciigraph"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine/alerts"
)

// The account view draws its charts with asciigraph (plain strings, no
// Bubble Tea dependency, so it fits the v2 line); ntcharts is built on
// Bubble Tea v1.

// lineChars draws with square corners: rounded arcs and half-line caps are
// missing from many terminal fonts (Go Mono, which the screenshots use, too).
var lineChars = asciigraph.CharSet{Horizontal: "─", VerticalLine: "│", ArcDownRight: "┌", ArcDownLeft: "┐",
	ArcUpRight: "└", ArcUpLeft: "┘", EndCap: "─", StartCap: "─", UpRight: "└", DownHorizontal: "┬"}

// panel is one chart: a title and its series; norm, when set, is drawn
// dotted beside the measured series.
type panel struct {
	title  string
	series []float64
	norm   []float64
	prec   uint
}

// accountView shows, for one vertical at a time (←/→), orders per minute,
// failure rate and time to final state over the last hour with the
// documented norm, and every wallet's balance over the same hour.
func (m *Model) accountView(w, h int) string {
	st := &m.styles
	f := m.alerts.snap.Figures
	if h <= 0 {
		return ""
	}
	if len(f.Verticals) == 0 && len(f.Wallets) == 0 {
		return block([]string{"", st.Dim.Render("  No orders seen yet: the charts fill in as orders are tracked.")}, w, h)
	}
	var panels []panel
	lines := []string{}
	if n := len(f.Verticals); n > 0 {
		i := ((m.alerts.vert % n) + n) % n
		v := f.Verticals[i]
		lines = append(lines, m.verticalSummary(&f, i, w))
		rate := 100 * float64(f.Failures) / float64(max(f.Of, 1))
		panels = append(panels,
			panel{title: "orders per minute", series: v.PerMinute},
			panel{title: fmt.Sprintf("failure rate %% (alert at %d of %d)", f.Failures, f.Of), series: v.FailureRate, norm: flat(rate)},
			panel{title: "time to final state, s (documented: " + v.NormText + ")", series: v.TimeToFinal, norm: flat(v.Norm.Seconds())},
		)
	}
	for _, ws := range f.Wallets {
		last := ws.Balances[len(ws.Balances)-1]
		name := ws.Currency
		if ws.ID != "" {
			name += " #" + ws.ID
		}
		panels = append(panels, panel{title: fmt.Sprintf("%s wallet %s: %s", ws.Provider.Title(), name,
			api.FormatAmount(last, ws.Currency)), series: ws.Balances, prec: 2})
	}
	cols := 1
	if w >= 120 {
		cols = 2
	}
	rows := (len(panels) + cols - 1) / cols
	avail := clamp0(h - len(lines))
	ph := avail / max(rows, 1)
	if ph < 4 && cols == 1 {
		// Too short for every chart: the vertical's charts keep their
		// room, wallets become one line each.
		var walletLines []string
		for _, p := range panels[min(3, len(panels)):] {
			walletLines = append(walletLines, " "+p.title+"  "+st.Dim.Render(spark(p.series)))
		}
		panels = panels[:min(3, len(panels))]
		rows = len(panels)
		avail = clamp0(avail - len(walletLines))
		ph = avail / max(rows, 1)
		body := m.drawPanels(panels, 1, w, ph)
		return block(append(append(lines, body...), walletLines...), w, h)
	}
	body := m.drawPanels(panels, cols, w, ph)
	return block(append(lines, body...), w, h)
}

func (m *Model) verticalSummary(f *alerts.Figures, i, w int) string {
	st := &m.styles
	var tabs []string
	for j, v := range f.Verticals {
		t := " " + v.Vertical.Title() + " "
		if j == i {
			t = st.TabActive.Render(t)
		} else {
			t = st.TabInactive.Render(t)
		}
		tabs = append(tabs, t)
	}
	v := f.Verticals[i]
	sum := fmt.Sprintf("  %s orders · %s final · %s failed", formatInt(int64(v.Orders)), formatInt(int64(v.Finals)), formatInt(int64(v.Failed)))
	if v.Finals > 0 {
		sum += fmt.Sprintf(" (%.0f%%)", 100*float64(v.Failed)/float64(v.Finals))
	}
	return fit(strings.Join(tabs, "")+st.Dim.Render(sum), w)
}

func flat(v float64) []float64 {
	out := make([]float64, alerts.Minutes)
	for i := range out {
		out[i] = v
	}
	return out
}

// drawPanels lays panels out in cols columns, each ph lines high.
func (m *Model) drawPanels(ps []panel, cols, w, ph int) []string {
	if ph < 2 || len(ps) == 0 {
		return nil
	}
	cw := w / cols
	var out []string
	for r := 0; r*cols < len(ps); r++ {
		cells := make([][]string, cols)
		for c := range cols {
			if i := r*cols + c; i < len(ps) {
				cells[c] = m.drawPanel(&ps[i], cw-1, ph)
			}
		}
		for l := range ph {
			var b strings.Builder
			for c := range cols {
				s := ""
				if l < len(cells[c]) {
					s = cells[c][l]
				}
				b.WriteString(fit(s, cw))
			}
			out = append(out, b.String())
		}
	}
	return out
}

// drawPanel renders one chart into exactly h lines of at most w cells.
func (m *Model) drawPanel(p *panel, w, h int) []string {
	st := &m.styles
	lines := []string{st.Title.Render(trunc(" "+p.title, w))}
	plotH := h - 2 // asciigraph draws Height+1 rows
	if plotH < 1 {
		return append(lines, " "+st.Dim.Render(spark(p.series)))
	}
	data := [][]float64{p.series}
	opts := []asciigraph.Option{asciigraph.Height(plotH), asciigraph.Precision(p.prec), asciigraph.LowerBound(0),
		asciigraph.SeriesChars(lineChars, asciigraph.CreateCharSet("·"))}
	if p.norm != nil {
		data = append(data, p.norm)
	}
	label := 0
	for _, s := range data {
		for _, v := range s {
			label = max(label, len(fmt.Sprintf("%.*f", p.prec, v)))
		}
	}
	opts = append(opts, asciigraph.Width(clamp0(w-label-4)))
	if !st.noColor {
		opts = append(opts, asciigraph.AxisColor(asciigraph.Gray), asciigraph.LabelColor(asciigraph.Gray),
			asciigraph.SeriesColors(asciigraph.Blue, asciigraph.DarkGray))
	}
	for _, l := range strings.Split(asciigraph.PlotMany(data, opts...), "\n") {
		lines = append(lines, trunc(l, w))
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return lines
}

// spark is a one-line chart of the series' last values.
func spark(s []float64) string {
	const bars = "▁▂▃▄▅▆▇█"
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range s {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	var b strings.Builder
	for _, v := range s {
		i := 0
		if hi > lo {
			i = int((v - lo) / (hi - lo) * 7)
		}
		b.WriteString(string([]rune(bars)[i]))
	}
	return b.String()
}
