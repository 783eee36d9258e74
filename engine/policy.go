package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Floor is the shortest interval between two checks of one order: faster is
// rate-limit territory (Octopus guide). Manual and webhook fetches obey it too.
const Floor = 2 * time.Second

// InstallPolicy is the install watch after DELIVERED (eSIM, Octopus §7).
type InstallPolicy = api.InstallWatch

// Policy is how one vertical is polled: the provider's api.Tracking plus
// the engine's floor and jitter. Durations are real (unscaled).
type Policy struct {
	Vertical api.Vertical
	Provider api.Provider
	// Intervals is the foreground schedule by attempt; the last value repeats.
	Intervals []time.Duration
	// Horizon ends the foreground phase, measured from first seen.
	Horizon time.Duration
	// Background is the cadence of in-flight orders past the horizon; 0 stops.
	Background time.Duration
	// Final statuses end tracking (eSIM: DELIVERED moves to the install watch).
	Final []api.Status
	// Recheck statuses stop the foreground loop but are not final: they are
	// re-checked every RecheckEvery for RecheckFor, then on demand.
	Recheck      []api.Status
	RecheckEvery time.Duration
	RecheckFor   time.Duration
	// PartialEvery polls a partial delivery that may still change, until the
	// horizon; then it counts as final (Octopus §10). Unused when partial is final.
	PartialEvery time.Duration
	// Install is set for verticals watched until installed (eSIM).
	Install *InstallPolicy
	// Discover is the cadence of the discovery list calls.
	Discover time.Duration
	// ListStatus is the raw status the discovery list filters on.
	ListStatus string
	// ListFilters says the list filters on ListStatus on the server; else
	// the client filters a page, and bulk checks read the list unfiltered.
	ListFilters bool
	// ListComplete says a list item carries all a detail call would once the
	// order is final (topups: status_text, completed_at and the failure
	// fields, contract §7; OneClickDz items are the check objects). A final
	// state read from a list is then applied without a detail GET, and the
	// bulk check reads the unfiltered list so that final states show up.
	// Vouchers (codes) and eSIMs (activation code) are never list-complete.
	ListComplete bool
	// ListsByDate: see api.Tracking.ListsByDate.
	ListsByDate bool
	// PageSize is the largest page the vertical's list allows.
	PageSize int
	// VouchFor is how long list vouches may stand in for the detail GET of
	// an in-flight order (the bulk-check safety net), from its last detail.
	VouchFor time.Duration
	// Webhooks is true when the provider sends webhooks for this vertical.
	Webhooks bool
	Floor    time.Duration
	Jitter   float64 // ± fraction applied to every delay
}

// fallback is the policy of a vertical no provider describes: the
// documented 5, 10, 20, 30, 30… backoff, no webhooks.
var fallback = api.Tracking{
	Intervals:    []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second},
	Horizon:      10 * time.Minute,
	Background:   5 * time.Minute,
	Final:        []api.Status{api.StatusDelivered, api.StatusFailed, api.StatusCancelled},
	PartialEvery: 30 * time.Second,
	VouchFor:     time.Minute,
	Discover:     15 * time.Second,
	ListStatus:   "PENDING",
	ListFilters:  true,
}

// PolicyOf builds the engine's policy of vertical v of provider p from the
// provider's tracking data.
func PolicyOf(v api.Vertical, p api.Provider, t api.Tracking) Policy {
	pol := Policy{
		Vertical: v, Provider: p,
		Intervals:    slices.Clone(t.Intervals),
		Horizon:      t.Horizon,
		Background:   t.Background,
		Final:        slices.Clone(t.Final),
		Recheck:      slices.Clone(t.Recheck),
		RecheckEvery: t.RecheckEvery,
		RecheckFor:   t.RecheckFor,
		PartialEvery: t.PartialEvery,
		Discover:     t.Discover,
		ListStatus:   t.ListStatus,
		ListFilters:  t.ListFilters,
		ListComplete: t.ListComplete,
		ListsByDate:  t.ListsByDate,
		PageSize:     t.ListPageSize,
		VouchFor:     t.VouchFor,
		Webhooks:     t.Webhooks,
		Floor:        Floor,
		Jitter:       0.15,
	}
	if pol.PageSize <= 0 {
		pol.PageSize = 100
	}
	if t.Install != nil {
		in := *t.Install
		pol.Install = &in
	}
	return pol
}

// DefaultPolicies returns a fresh copy of the policy table, one per
// registered vertical.
func DefaultPolicies() map[api.Vertical]Policy {
	out := map[api.Vertical]Policy{}
	for _, pi := range api.Providers() {
		for _, v := range pi.Verticals {
			out[v.ID] = PolicyOf(v.ID, pi.ID, v.Tracking)
		}
	}
	return out
}

// PolicyFor returns the default policy of a vertical. An unknown vertical gets
// the documented backoff without webhooks.
func PolicyFor(v api.Vertical) Policy {
	if vi, ok := api.LookupVertical(v); ok {
		return PolicyOf(v, v.Provider(), vi.Tracking)
	}
	return PolicyOf(v, "", fallback)
}

// Scaled compresses every cadence, horizon and window by f (0.01 = 100x
// faster). f <= 0 or 1 returns p unchanged.
func (p Policy) Scaled(f float64) Policy {
	if f <= 0 || f == 1 {
		return p
	}
	s := func(d time.Duration) time.Duration { return scaleDur(d, f) }
	q := p
	q.Intervals = make([]time.Duration, len(p.Intervals))
	for i, d := range p.Intervals {
		q.Intervals[i] = s(d)
	}
	q.Horizon, q.Background = s(p.Horizon), s(p.Background)
	q.RecheckEvery, q.RecheckFor = s(p.RecheckEvery), s(p.RecheckFor)
	q.PartialEvery, q.Discover, q.Floor = s(p.PartialEvery), s(p.Discover), s(p.Floor)
	q.VouchFor = s(p.VouchFor)
	if p.Install != nil {
		in := *p.Install
		in.Fast, in.FastFor, in.Slow, in.SlowFor = s(in.Fast), s(in.FastFor), s(in.Slow), s(in.SlowFor)
		q.Install = &in
	}
	return q
}

func scaleDur(d time.Duration, f float64) time.Duration {
	if f <= 0 || f == 1 {
		return d
	}
	return time.Duration(float64(d) * f)
}

// IsFinal reports a status that ends tracking under this policy.
func (p Policy) IsFinal(s api.Status) bool { return slices.Contains(p.Final, s) }

// IsRecheck reports a status re-checked slowly (uncertain, scheduled).
func (p Policy) IsRecheck(s api.Status) bool { return slices.Contains(p.Recheck, s) }

// State is what the schedule of one order depends on.
type State struct {
	Order     api.Order
	FirstSeen time.Time // start of the foreground horizon
	Attempts  int       // successful checks since first seen
	// DeliveredAt starts the eSIM install watch; zero means now.
	DeliveredAt time.Time
}

// NextCheck is the pure schedule: the phase the order is in and when to check
// it next (zero time: nothing scheduled). No jitter and no error backoff; the
// floor is applied.
func NextCheck(p Policy, s State, now time.Time) (Phase, time.Time) {
	ph, d := p.next(s, now)
	if ph == PhaseDone || ph == PhaseOnDemand {
		return ph, time.Time{}
	}
	return ph, now.Add(max(d, p.Floor))
}

func (p Policy) next(s State, now time.Time) (Phase, time.Duration) {
	st := s.Order.Status
	age := now.Sub(s.FirstSeen)
	switch {
	case st == api.StatusDelivered && p.Install != nil:
		e := s.Order.ESIM
		if e != nil && (e.Installed || e.ActivationStatus == api.ActivationActive || e.ActivationStatus == api.ActivationExpired) {
			return PhaseDone, 0
		}
		since := s.DeliveredAt
		if since.IsZero() {
			since = now
		}
		in := now.Sub(since)
		switch {
		case in < p.Install.FastFor:
			return PhaseInstall, p.Install.Fast
		case in < p.Install.FastFor+p.Install.SlowFor:
			return PhaseInstall, p.Install.Slow
		}
		return PhaseOnDemand, 0
	case st == api.StatusPartial && !p.IsFinal(st):
		if age < p.Horizon && p.PartialEvery > 0 {
			return PhaseForeground, p.PartialEvery
		}
		return PhaseDone, 0
	case p.IsFinal(st):
		return PhaseDone, 0
	case p.IsRecheck(st):
		if p.RecheckFor > 0 && age >= p.RecheckFor {
			return PhaseOnDemand, 0
		}
		return PhaseBackground, p.RecheckEvery
	}
	// Pending, processing, unknown and anything new: never terminal.
	if age < p.Horizon {
		i := min(max(s.Attempts-1, 0), len(p.Intervals)-1)
		if len(p.Intervals) == 0 {
			return PhaseForeground, p.Floor
		}
		return PhaseForeground, p.Intervals[i]
	}
	if p.Background <= 0 {
		return PhaseOnDemand, 0
	}
	return PhaseBackground, p.Background
}

// Jitter spreads d by ±frac using r (nil: the global source).
func Jitter(d time.Duration, frac float64, r *rand.Rand) time.Duration {
	if frac <= 0 || d <= 0 {
		return d
	}
	var x float64
	if r != nil {
		x = r.Float64()
	} else {
		x = rand.Float64()
	}
	return time.Duration(float64(d) * (1 + frac*(2*x-1)))
}

// ErrorBackoff is the delay after n consecutive errors: 5 s doubling to 5 min.
func ErrorBackoff(n int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < n && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// PolicyTable renders the default table as Markdown (for the README and
// `--help`), one row per vertical.
func PolicyTable() string {
	pols := DefaultPolicies()
	var b strings.Builder
	b.WriteString("| Vertical | Foreground cadence | Horizon | Then | Final | Slow re-check |\n|---|---|---|---|---|---|\n")
	for _, v := range api.Verticals() {
		p := pols[v]
		var iv []string
		for _, d := range p.Intervals {
			iv = append(iv, d.String())
		}
		var fin, re []string
		for _, s := range p.Final {
			fin = append(fin, string(s))
		}
		if p.PartialEvery > 0 && !p.IsFinal(api.StatusPartial) {
			fin = append(fin, "partial (after the horizon)")
		}
		for _, s := range p.Recheck {
			re = append(re, fmt.Sprintf("%s every %s for %s", s, p.RecheckEvery, p.RecheckFor))
		}
		then := fmt.Sprintf("background every %s", p.Background)
		if p.Install != nil {
			then += fmt.Sprintf("; install every %s for %s, every %s for %s, then on demand",
				p.Install.Fast, p.Install.FastFor, p.Install.Slow, p.Install.SlowFor)
		}
		if p.Webhooks {
			then += "; webhook-covered: fallback poll after the silence window"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", v, strings.Join(iv, ", "), p.Horizon, then,
			strings.Join(fin, ", "), strings.Join(re, "; "))
	}
	fmt.Fprintf(&b, "\nNo order is polled faster than every %s; every delay is jittered by ±%.0f%%.\n", Floor, PolicyFor("").Jitter*100)
	return b.String()
}
