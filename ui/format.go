package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

// fit pads or truncates s (ANSI-aware) to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// fitRight right-aligns s in w cells.
func fitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-sw) + s
}

// trunc cuts s (ANSI-aware) to at most w cells.
func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

func clamp0(v int) int {
	if v < 0 {
		return 0
	}
	return v
}

// shortDur prints a duration in one unit: 45s, 12m, 3h, 2d.
func shortDur(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return shortDur(now.Sub(t))
}

// listStep is the step of a list's age under a minute. Lists run every few
// seconds; their age to the second would redraw the screen every second of an
// idle day (issue 12).
const listStep = 10 * time.Second

// listAge is how long ago a list ran: "<10s", "10s" … "50s", then as ago.
func listAge(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < listStep:
		return "<" + shortDur(listStep)
	case d < time.Minute:
		return shortDur(d / listStep * listStep)
	}
	return shortDur(d)
}

// createdAt is when the order was made, or when we first saw it.
func createdAt(t *engine.Tracked) time.Time {
	if !t.Order.CreatedAt.IsZero() {
		return t.Order.CreatedAt
	}
	return t.FirstSeen
}

func nextCheck(now time.Time, t *engine.Tracked) string {
	switch {
	case t.Phase == engine.PhaseDone:
		return "-"
	case t.Phase == engine.PhaseOnDemand:
		return "on demand"
	case t.Webhook:
		return "webhook"
	case t.NextCheck.IsZero():
		return "-"
	case !t.NextCheck.After(now):
		return "due"
	}
	return shortDur(t.NextCheck.Sub(now))
}

func amountText(o *api.Order) string {
	if o.Amount == 0 && o.Currency == "" {
		return "-"
	}
	return api.FormatAmount(o.Amount, o.Currency) + " " + o.Currency
}

func qtyText(o *api.Order) string {
	if o.Quantity == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d", o.DeliveredQuantity, o.Quantity)
}

func productText(o *api.Order) string {
	p := o.ProductName
	if p == "" {
		p = o.ProductID
	}
	if o.VariantName != "" {
		if p == "" {
			return o.VariantName
		}
		p += " · " + o.VariantName
	}
	return p
}

// reasonText is the short failure reason, or the last check's error.
func reasonText(t *engine.Tracked) string {
	if t.Order.FailureReason != "" {
		return t.Order.FailureReason
	}
	if t.Order.FailureCode != "" {
		return t.Order.FailureCode
	}
	if t.LastError != "" {
		return "check failed: " + t.LastError
	}
	if t.ListOnly {
		return listOnlyText(t)
	}
	if s := t.Order.Status; s == api.StatusRefunded || s == api.StatusCancelled {
		return "no reason given"
	}
	return ""
}

// listOnlyText says what a state read from a list leaves out: under load
// lists carry status and detail GETs wait their turn.
func listOnlyText(t *engine.Tracked) string {
	info, _ := api.LookupVertical(t.Order.Vertical)
	switch {
	case t.Order.Status.InFlight() || t.Order.Status != api.StatusDelivered:
	case info.Codes:
		return "from a list; codes not fetched yet"
	case info.Tracking.Install != nil:
		return "from a list; activation code not fetched yet"
	}
	return "from a list; detail not fetched yet"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02 15:04:05")
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "--:--:--"
	}
	return t.Format("15:04:05")
}

// balanceText draws a balance with its minor unit always (16381.00 beside
// 16888.50, never 16381), except in currencies that have none.
func balanceText(v float64, cur string) string {
	switch cur {
	case "JPY", "KRW":
		if v == float64(int64(v)) {
			return fmt.Sprintf("%.0f", v)
		}
	}
	return fmt.Sprintf("%.2f", v)
}
