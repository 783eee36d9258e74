package bench

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/orderwatch/orderwatch/api"
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
		"unscaled seconds). Rate limits are real time: Octopus production GET limit 300/min, engine budget %d/min; "+
		"OneClickDz sandbox limit %d/min for tracking, engine budget %d/min. Seed %d, engine origin %s, discovery %s.\n\n",
		c.TimeScale, c.TimeScale, c.GETPerMinute, c.OneClickLimit, c.OneClickPerMinute, c.Seed, c.Origin, onOff(c.Discover))
	if c.ScaleLimits {
		fmt.Fprintf(&b, "**Diagnostic mode (-scale-limits):** every limit and budget above is divided by the time scale "+
			"(Octopus GET %d/min real), so they hold per unscaled minute; the one-minute windows are not scaled, so 429s "+
			"here say nothing about production.\n\n", c.perMinute(300))
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
		if r.Provider == api.ProviderOctopus && r.SandboxTooMany >= 0 && r.SandboxTooMany != r.TooMany {
			notes = append(notes, fmt.Sprintf("%s: the sandbox sent %d 429s, the strategy's client saw %d", id, r.SandboxTooMany, r.TooMany))
		}
		if r.Strategy == StrategyWebhooks {
			notes = append(notes, fmt.Sprintf("%s: the receiver accepted %d webhook events", id, r.Webhooks))
		}
		if (r.Strategy == StrategyEngine || r.Strategy == StrategyWebhooks) && r.Orders > 0 {
			// The engine spends its budget evenly; with time compressed and
			// limits not, this floor dominates its latency.
			per := c.perMinute(c.GETPerMinute)
			if r.Provider == api.ProviderOneClick {
				per = c.perMinute(c.OneClickPerMinute)
			}
			floor := float64(r.Orders) / (float64(per) / 60)
			notes = append(notes, fmt.Sprintf("%s: one GET per order at %d/min takes %.1f s of wall time (%s unscaled s); "+
				"measured p95 %s s wall", id, per, floor, fmtSecs(floor/c.TimeScale), fmtSecs(r.WallP95)))
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
