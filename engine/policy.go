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

// InstallPolicy is the eSIM install watch after DELIVERED (Octopus §7).
type InstallPolicy struct {
	Fast    time.Duration // cadence for the first FastFor
	FastFor time.Duration
	Slow    time.Duration // cadence for the next SlowFor
	SlowFor time.Duration // then on demand only
}

// Policy is how one vertical is polled. Durations are real (unscaled).
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
	// Install is set for eSIM.
	Install *InstallPolicy
	// Discover is the cadence of the discovery list calls.
	Discover time.Duration
	// ListStatus is the raw status the discovery list filters on.
	ListStatus string
	// ListComplete says a list item carries all a detail call would once the
	// order is final (topups: status_text, completed_at and the failure
	// fields, contract §7; OneClickDz items are the check objects). A final
	// state read from a list is then applied without a detail GET, and the
	// bulk check reads the unfiltered list so that final states show up.
	// Vouchers (codes) and eSIMs (activation code) are never list-complete.
	ListComplete bool
	// VouchFor is how long list vouches may stand in for the detail GET of
	// an in-flight order (the bulk-check safety net), from its last detail.
	VouchFor time.Duration
	// Webhooks is true when the provider sends webhooks for this vertical.
	Webhooks bool
	Floor    time.Duration
	Jitter   float64 // ± fraction applied to every delay
}

// octopusBackoff is the documented 5, 10, 20, 30, 30… schedule.
var octopusBackoff = []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second}

// DefaultPolicies returns a fresh copy of the policy table, one per vertical.
func DefaultPolicies() map[api.Vertical]Policy {
	octo := func(v api.Vertical, horizon time.Duration) Policy {
		return Policy{
			Vertical: v, Provider: api.ProviderOctopus,
			Intervals:    slices.Clone(octopusBackoff),
			Horizon:      horizon,
			Background:   5 * time.Minute,
			Final:        []api.Status{api.StatusDelivered, api.StatusFailed, api.StatusCancelled},
			PartialEvery: 30 * time.Second,
			VouchFor:     time.Minute,
			Discover:     15 * time.Second,
			ListStatus:   "PENDING",
			Floor:        Floor,
			Jitter:       0.15,
		}
	}
	oc := func(v api.Vertical, horizon time.Duration, final, recheck []api.Status) Policy {
		return Policy{
			Vertical: v, Provider: api.ProviderOneClick, ListComplete: true,
			Intervals:    []time.Duration{5 * time.Second},
			Horizon:      horizon,
			Background:   5 * time.Minute,
			Final:        final,
			Recheck:      recheck,
			RecheckEvery: 30 * time.Minute,
			RecheckFor:   48 * time.Hour,
			VouchFor:     30 * time.Second,
			Discover:     15 * time.Second,
			ListStatus:   "PENDING",
			Floor:        Floor,
			Jitter:       0.15,
		}
	}
	voucher := octo(api.VerticalVoucher, 10*time.Minute)
	voucher.Webhooks = true
	// The topup detail "refreshes the latest status from upstream" (§3): an
	// order may move only when its detail is read, so lists vouch for it for
	// one interval cap at most. Voucher and eSIM lists show the state the
	// provider stores as it fulfils; a minute bounds any list fault there.
	topup := octo(api.VerticalTopup, 660*time.Second)
	topup.VouchFor = 30 * time.Second
	topup.ListComplete = true
	esim := octo(api.VerticalESIM, 10*time.Minute)
	esim.Install = &InstallPolicy{Fast: 45 * time.Second, FastFor: 10 * time.Minute, Slow: 5 * time.Minute, SlowFor: time.Hour}
	// Failed and cancelled are definite everywhere, even if OneClickDz never sends them.
	definite := []api.Status{api.StatusDelivered, api.StatusRefunded, api.StatusFailed, api.StatusCancelled}
	return map[api.Vertical]Policy{
		api.VerticalVoucher: voucher,
		api.VerticalTopup:   topup,
		api.VerticalESIM:    esim,
		api.VerticalMobile: oc(api.VerticalMobile, 5*time.Minute, definite,
			[]api.Status{api.StatusUncertain}),
		api.VerticalInternet: oc(api.VerticalInternet, 5*time.Minute, definite,
			[]api.Status{api.StatusScheduled}),
		api.VerticalGiftCard: oc(api.VerticalGiftCard, 10*time.Minute, append(slices.Clone(definite), api.StatusPartial),
			nil),
	}
}

// PolicyFor returns the default policy of a vertical. An unknown vertical gets
// the Octopus voucher cadence without webhooks.
func PolicyFor(v api.Vertical) Policy {
	if p, ok := DefaultPolicies()[v]; ok {
		return p
	}
	p := DefaultPolicies()[api.VerticalVoucher]
	p.Vertical, p.Webhooks = v, false
	return p
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
	for _, v := range api.AllVerticals {
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
	fmt.Fprintf(&b, "\nNo order is polled faster than every %s; every delay is jittered by ±%.0f%%.\n", Floor, PolicyFor(api.VerticalVoucher).Jitter*100)
	return b.String()
}
