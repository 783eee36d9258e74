package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/orderwatch/orderwatch/engine"
)

// The clock redraws the screen only when a figure on it changes by time
// alone: an age ("12s", "3m") when it passes its next unit, a countdown when
// it drops below its current one, a toast or highlight when it ends. Idle, a
// table of finished orders an hour old redraws once a minute, not once a
// second (issue 12: idle under 0.3 % of a core).

// maxTickWait bounds a wait so a wall-clock jump (suspend, NTP) is corrected
// within a minute.
const maxTickWait = time.Minute

// flips collects the earliest instant after now at which a shown text changes.
type flips struct {
	now, at time.Time
}

func (f *flips) until(t time.Time) {
	if t.After(f.now) && (f.at.IsZero() || t.Before(f.at)) {
		f.at = t
	}
}

// unit is shortDur's unit for d: it prints floor(d / unit).
func unit(d time.Duration) time.Duration {
	switch {
	case d < time.Minute:
		return time.Second
	case d < time.Hour:
		return time.Minute
	case d < 48*time.Hour:
		return time.Hour
	}
	return 24 * time.Hour
}

// lateBy is how late a figure printed in unit u may be redrawn: not at all
// in seconds, a twelfth of a larger unit ("3m" up to 5 s late), so rows that
// turn their minutes at different seconds share a redraw every few seconds
// instead of one a second.
func lateBy(u time.Duration) time.Duration {
	if u <= time.Second {
		return 0
	}
	return u / 12
}

// age: ago(now, t) changes when now-t reaches its next whole unit.
func (f *flips) age(t time.Time) {
	if t.IsZero() {
		return
	}
	d := f.now.Sub(t)
	if d < 0 {
		f.until(t) // a clock ahead of ours: shortDur prints |d|, which shrinks to 0 at t
		return
	}
	u := unit(d)
	f.until(t.Add((d/u + 1) * u).Add(lateBy(u)))
}

// listAge: listAge(now, t) changes at the next step under a minute, then as age.
func (f *flips) listAge(t time.Time) {
	if t.IsZero() {
		return
	}
	if d := f.now.Sub(t); d >= 0 && d < time.Minute {
		f.until(t.Add((d/listStep + 1) * listStep))
		return
	}
	f.age(t)
}

// countdown: shortDur(t-now) changes when t-now drops below its whole units.
func (f *flips) countdown(t time.Time) {
	d := t.Sub(f.now)
	if d <= 0 {
		return
	}
	u := unit(d)
	f.until(t.Add(-(d / u) * u).Add(time.Nanosecond + lateBy(u)))
}

// order covers the times shortDur prints for one order (table row or detail).
func (f *flips) order(t *engine.Tracked) {
	f.age(createdAt(t))
	f.age(t.LastChecked)
	if t.Phase != engine.PhaseDone && t.Phase != engine.PhaseOnDemand && !t.NextCheck.IsZero() {
		f.countdown(t.NextCheck)
		f.until(t.NextCheck) // "due"
	}
}

// nextRedraw is when the screen next changes by time alone (zero: never).
func (m *Model) nextRedraw(now time.Time) time.Time {
	f := flips{now: now}
	for _, t := range m.toasts {
		f.until(t.until)
	}
	f.until(m.hlUntil)
	if m.message != "" {
		f.until(m.msgUntil)
	}
	if m.statusLists {
		for _, t := range m.tabs {
			f.listAge(t.listAt)
		}
	}
	if t := m.activeTab(); t != nil && m.form == nil {
		f.listAge(t.listAt) // the header line, drawn under overlays too
	}
	if m.over == overlayNone && m.form == nil {
		if t := m.activeTab(); t != nil {
			for _, r := range t.table.visible() {
				f.order(&r.t)
				if !r.changedAt.IsZero() {
					f.until(r.changedAt.Add(highlightFor))
				}
			}
		}
	}
	if m.over == overlayInbox {
		for _, a := range m.alerts.snap.Alerts {
			f.countdown(a.SnoozedUntil)
		}
	}
	if f.at.IsZero() {
		return f.at
	}
	return minTime(f.at, now.Add(maxTickWait))
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// ensureTick arms one timer for the next change, replacing a later one (the
// later one still fires and is ignored: see tickMsg).
func (m *Model) ensureTick() tea.Cmd {
	now := m.now()
	next := m.nextRedraw(now)
	if next.IsZero() || (!m.tickAt.IsZero() && m.tickAt.After(now) && !next.Before(m.tickAt)) {
		return nil
	}
	m.tickAt = next
	return tea.Tick(next.Sub(now), func(time.Time) tea.Msg { return tickMsg(next) })
}
