package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// fmtSecs prints seconds compactly; ∞ stands for "an unresolved order".
func fmtSecs(s float64) string {
	switch {
	case math.IsNaN(s):
		return "—"
	case math.IsInf(s, 1):
		return "∞"
	case s < 10:
		return fmt.Sprintf("%.2f", s)
	case s < 1000:
		return fmt.Sprintf("%.1f", s)
	}
	return fmt.Sprintf("%.0f", s)
}

// ratio prints a ÷ b; lower is better in both ratio columns.
func ratio(a, b float64) string {
	switch {
	case math.IsNaN(a) || math.IsNaN(b):
		return "—"
	case math.IsInf(a, 1) && math.IsInf(b, 1):
		return "— (both ∞)"
	case math.IsInf(b, 1):
		return "≪1 (base ∞)"
	case math.IsInf(a, 1):
		return "∞"
	case b == 0:
		if a == 0 {
			return "1.00×"
		}
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// WriteMarkdown writes the report: the main table, the per-vertical
// breakdown, the targets and the notes.
func WriteMarkdown(w io.Writer, rep Report) {
	c := rep.Config
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Polling benchmark\n\n")
	fmt.Fprintf(&b, "Time scale %g (every simulated delay and cadence × %g; latencies below are divided by it, i.e. "+
		"simulated seconds; 1 simulated second = %s of wall time). Seed %d, engine origin %s, discovery %s.\n\n",
		c.TimeScale, c.TimeScale, time.Duration(float64(time.Second)*c.TimeScale), c.Seed, c.Origin, onOff(c.Discover))
	if c.RealTimeLimits {
		fmt.Fprintf(&b, "**Real-time limits (-real-time-limits):** every rate-limit window is one real minute while "+
			"time runs %.0f× faster, so the budget is %.0f× scarcer per simulated minute than in production. "+
			"Octopus production GET limit 300 per real minute, engine budget %d; OneClickDz sandbox limit %d, engine budget %d.\n\n",
			1/c.TimeScale, 1/c.TimeScale, c.GETPerMinute, c.OneClickLimit, c.OneClickPerMinute)
	} else {
		fmt.Fprintf(&b, "Rate limits in simulated time: every window (the sandboxes' and the engine's budget) is one "+
			"simulated minute (%s of wall time), so the world is compressed consistently. Octopus production GET limit "+
			"300/min, engine budget %d/min; OneClickDz sandbox limit %d/min for tracking, engine budget %d/min.\n\n",
			c.rateWindow(), c.GETPerMinute, c.OneClickLimit, c.OneClickPerMinute)
	}
	b.WriteString("| Provider | Size | Strategy | Orders | Req/order | 429s | p50 (s) | p95 (s) | Unresolved | Req ÷ fixed-5s | p95 ÷ backoff | p95 wall (s) |\n")
	b.WriteString("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.Rows {
		reqRatio, p95Ratio := "—", "—"
		if f, ok := rep.find(r.Provider, r.Size, StrategyFixed); ok {
			reqRatio = ratio(r.RequestsPerOrder(), f.RequestsPerOrder())
		}
		if k, ok := rep.find(r.Provider, r.Size, StrategyBackoff); ok {
			p95Ratio = ratio(r.P95, k.P95)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %d | %.2f | %d | %s | %s | %d | %s | %s | %s |\n",
			r.Provider.Title(), r.Size, r.Strategy, r.Orders, r.RequestsPerOrder(), r.TooMany,
			fmtSecs(r.P50), fmtSecs(r.P95), r.Unresolved, reqRatio, p95Ratio, fmtSecs(r.WallP95))
	}
	b.WriteString("\nPer vertical:\n\n")
	b.WriteString("| Provider | Size | Strategy | Vertical | Orders | Req/order | p50 (s) | p95 (s) | Unresolved |\n")
	b.WriteString("|---|---:|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.Rows {
		for _, v := range r.ByVertical {
			rpo := math.NaN()
			if v.Orders > 0 {
				rpo = float64(v.Requests) / float64(v.Orders)
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %d | %.2f | %s | %s | %d |\n",
				r.Provider.Title(), r.Size, r.Strategy, v.Vertical, v.Orders, rpo, fmtSecs(v.P50), fmtSecs(v.P95), v.Unresolved)
		}
	}
	if len(rep.Targets) > 0 {
		b.WriteString("\nTargets (issue 3):\n\n")
		for _, t := range rep.Targets {
			mark := "MET"
			if !t.Met {
				mark = "MISSED"
			}
			fmt.Fprintf(&b, "- %s: **%s** — %s\n", t.Name, mark, t.Detail)
		}
	}
	var notes []string
	for _, r := range rep.Rows {
		id := fmt.Sprintf("%s %d %s", r.Provider, r.Size, r.Strategy)
		if r.HitCap {
			notes = append(notes, fmt.Sprintf("%s: stopped at -max-run %s with %d orders unresolved", id, c.MaxRun, r.Unresolved))
		}
		if r.CreateErrors > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d orders could not be placed in flight (not measured)", id, r.CreateErrors))
		}
		if r.Anomalies > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d sightings had no sandbox transition (latency 0)", id, r.Anomalies))
		}
		if r.SandboxTooMany >= 0 && r.SandboxTooMany != r.TooMany {
			notes = append(notes, fmt.Sprintf("%s: the sandbox sent %d 429s, the strategy's client saw %d", id, r.SandboxTooMany, r.TooMany))
		}
		if r.Strategy == StrategyWebhooks {
			notes = append(notes, fmt.Sprintf("%s: the receiver accepted %d webhook events", id, r.Webhooks))
		}
		if r.RTTP95 > 0 {
			notes = append(notes, fmt.Sprintf("%s: GET round trip p50 %.1f ms, p95 %.1f ms of wall time (%s / %s simulated s)",
				id, r.RTTP50*1000, r.RTTP95*1000, fmtSecs(r.RTTP50/c.TimeScale), fmtSecs(r.RTTP95/c.TimeScale)))
		}
	}
	notes = append(notes, fmt.Sprintf("whole benchmark: %s of wall time", rep.Wall.Round(1e8)))
	b.WriteString("\nNotes:\n\n")
	for _, n := range notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	_, _ = io.WriteString(w, b.String())
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
