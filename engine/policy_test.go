package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func st(status api.Status, attempts int) State {
	return State{Order: api.Order{Status: status}, FirstSeen: t0, Attempts: attempts}
}

func TestPolicyTableCoversEveryVertical(t *testing.T) {
	pols := DefaultPolicies()
	for _, v := range api.AllVerticals {
		p, ok := pols[v]
		require.True(t, ok, v)
		assert.Equal(t, v.Provider(), p.Provider, v)
		assert.Equal(t, Floor, p.Floor, v)
		assert.False(t, p.IsFinal(api.StatusUnknown), "unknown is never final: %s", v)
		assert.False(t, p.IsFinal(api.StatusPending), v)
	}
	assert.Equal(t, 660*time.Second, pols[api.VerticalTopup].Horizon)
	assert.Equal(t, 10*time.Minute, pols[api.VerticalVoucher].Horizon)
	assert.Equal(t, 5*time.Minute, pols[api.VerticalMobile].Horizon)
	assert.Equal(t, 5*time.Minute, pols[api.VerticalInternet].Horizon)
	assert.Equal(t, 10*time.Minute, pols[api.VerticalGiftCard].Horizon)
	assert.True(t, pols[api.VerticalVoucher].Webhooks)
	assert.False(t, pols[api.VerticalTopup].Webhooks)
	// Partial: not final at Octopus (polled until the horizon), final for gift cards.
	assert.False(t, pols[api.VerticalVoucher].IsFinal(api.StatusPartial))
	assert.True(t, pols[api.VerticalGiftCard].IsFinal(api.StatusPartial))
	// Uncertain and scheduled stop the loop without being final.
	assert.True(t, pols[api.VerticalMobile].IsRecheck(api.StatusUncertain))
	assert.False(t, pols[api.VerticalMobile].IsFinal(api.StatusUncertain))
	assert.True(t, pols[api.VerticalInternet].IsRecheck(api.StatusScheduled))
	// The table is a fresh copy every time.
	pols[api.VerticalVoucher].Intervals[0] = time.Hour
	assert.Equal(t, 5*time.Second, PolicyFor(api.VerticalVoucher).Intervals[0])
}

func TestNextCheckOctopusBackoffThenBackground(t *testing.T) {
	p := PolicyFor(api.VerticalTopup)
	var got []time.Duration
	for a := 1; a <= 6; a++ {
		ph, next := NextCheck(p, st(api.StatusPending, a), t0)
		require.Equal(t, PhaseForeground, ph)
		got = append(got, next.Sub(t0))
	}
	assert.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}, got)

	ph, next := NextCheck(p, st(api.StatusPending, 40), t0.Add(661*time.Second))
	assert.Equal(t, PhaseBackground, ph)
	assert.Equal(t, 5*time.Minute, next.Sub(t0.Add(661*time.Second)))
	// Hours later: still the system working, still watched.
	ph, _ = NextCheck(p, st(api.StatusPending, 99), t0.Add(6*time.Hour))
	assert.Equal(t, PhaseBackground, ph)
}

func TestNextCheckTerminalAndUnknown(t *testing.T) {
	p := PolicyFor(api.VerticalVoucher)
	for _, s := range []api.Status{api.StatusDelivered, api.StatusFailed, api.StatusCancelled} {
		ph, next := NextCheck(p, st(s, 1), t0)
		assert.Equal(t, PhaseDone, ph, s)
		assert.True(t, next.IsZero(), s)
	}
	ph, next := NextCheck(p, st(api.StatusUnknown, 1), t0.Add(time.Minute))
	assert.Equal(t, PhaseForeground, ph)
	assert.False(t, next.IsZero())
	ph, next = NextCheck(p, st(api.StatusUnknown, 50), t0.Add(time.Hour))
	assert.Equal(t, PhaseBackground, ph, "unknown is polled on past the horizon")
	assert.False(t, next.IsZero())
}

func TestNextCheckPartial(t *testing.T) {
	p := PolicyFor(api.VerticalVoucher)
	ph, next := NextCheck(p, st(api.StatusPartial, 3), t0.Add(time.Minute))
	assert.Equal(t, PhaseForeground, ph)
	assert.Equal(t, 30*time.Second, next.Sub(t0.Add(time.Minute)))
	ph, _ = NextCheck(p, st(api.StatusPartial, 9), t0.Add(11*time.Minute))
	assert.Equal(t, PhaseDone, ph, "partial is terminal after the horizon")
	ph, _ = NextCheck(PolicyFor(api.VerticalGiftCard), st(api.StatusPartial, 1), t0)
	assert.Equal(t, PhaseDone, ph, "PARTIALLY_FILLED is final for gift cards")
}

func TestNextCheckOneClick(t *testing.T) {
	m := PolicyFor(api.VerticalMobile)
	ph, next := NextCheck(m, st(api.StatusProcessing, 7), t0.Add(time.Minute))
	assert.Equal(t, PhaseForeground, ph)
	assert.Equal(t, 5*time.Second, next.Sub(t0.Add(time.Minute)), "fixed 5 s")
	ph, next = NextCheck(m, st(api.StatusUncertain, 2), t0.Add(time.Minute))
	assert.Equal(t, PhaseBackground, ph)
	assert.Equal(t, 30*time.Minute, next.Sub(t0.Add(time.Minute)))
	ph, next = NextCheck(m, st(api.StatusUncertain, 2), t0.Add(49*time.Hour))
	assert.Equal(t, PhaseOnDemand, ph)
	assert.True(t, next.IsZero())
	ph, _ = NextCheck(PolicyFor(api.VerticalInternet), st(api.StatusScheduled, 2), t0.Add(time.Hour))
	assert.Equal(t, PhaseBackground, ph)
	ph, _ = NextCheck(m, st(api.StatusRefunded, 2), t0)
	assert.Equal(t, PhaseDone, ph)
	ph, _ = NextCheck(m, st(api.StatusPending, 61), t0.Add(6*time.Minute))
	assert.Equal(t, PhaseBackground, ph, "in flight past the horizon stays watched")
}

func TestNextCheckESIMInstall(t *testing.T) {
	p := PolicyFor(api.VerticalESIM)
	s := State{Order: api.Order{Status: api.StatusDelivered, ESIM: &api.ESIM{ActivationStatus: api.ActivationNotInstalled}},
		FirstSeen: t0, DeliveredAt: t0}
	ph, next := NextCheck(p, s, t0.Add(time.Minute))
	assert.Equal(t, PhaseInstall, ph)
	assert.Equal(t, 45*time.Second, next.Sub(t0.Add(time.Minute)))
	ph, next = NextCheck(p, s, t0.Add(30*time.Minute))
	assert.Equal(t, PhaseInstall, ph)
	assert.Equal(t, 5*time.Minute, next.Sub(t0.Add(30*time.Minute)))
	ph, next = NextCheck(p, s, t0.Add(71*time.Minute))
	assert.Equal(t, PhaseOnDemand, ph)
	assert.True(t, next.IsZero())
	s.Order.ESIM.ActivationStatus = api.ActivationActive
	ph, _ = NextCheck(p, s, t0.Add(time.Minute))
	assert.Equal(t, PhaseDone, ph)
}

func TestNextCheckFloor(t *testing.T) {
	p := PolicyFor(api.VerticalVoucher)
	p.Intervals = []time.Duration{time.Millisecond}
	_, next := NextCheck(p, st(api.StatusPending, 1), t0)
	assert.Equal(t, Floor, next.Sub(t0))
}

func TestScaledAndHelpers(t *testing.T) {
	p := PolicyFor(api.VerticalESIM).Scaled(0.01)
	assert.Equal(t, 50*time.Millisecond, p.Intervals[0])
	assert.Equal(t, 6*time.Second, p.Horizon)
	assert.Equal(t, 20*time.Millisecond, p.Floor)
	assert.Equal(t, 450*time.Millisecond, p.Install.Fast)
	assert.Equal(t, 45*time.Second, PolicyFor(api.VerticalESIM).Install.Fast, "scaling copies the install policy")

	for i := 0; i < 200; i++ {
		d := Jitter(10*time.Second, 0.15, nil)
		assert.GreaterOrEqual(t, d, 8500*time.Millisecond)
		assert.LessOrEqual(t, d, 11500*time.Millisecond)
	}
	assert.Equal(t, 5*time.Second, ErrorBackoff(1))
	assert.Equal(t, 10*time.Second, ErrorBackoff(2))
	assert.Equal(t, 5*time.Minute, ErrorBackoff(40))
}

func TestPolicyTableRenders(t *testing.T) {
	s := PolicyTable()
	for _, v := range api.AllVerticals {
		assert.Contains(t, s, "| "+string(v)+" |")
	}
	assert.Contains(t, s, "5s, 10s, 20s, 30s | 11m0s")
	assert.Contains(t, s, "uncertain every 30m0s for 48h0m0s")
	assert.Contains(t, s, "2s")
}

// The seed's horizons as behaviour: gift cards every 5 s until 10 minutes,
// mobile until 5, then watched in the background.
func TestOneClickHorizonsAtTheBoundary(t *testing.T) {
	g, m := PolicyFor(api.VerticalGiftCard), PolicyFor(api.VerticalMobile)
	for _, tc := range []struct {
		p     Policy
		at    time.Duration
		phase Phase
	}{
		{g, 9*time.Minute + 55*time.Second, PhaseForeground},
		{g, 10*time.Minute + 5*time.Second, PhaseBackground},
		{m, 4*time.Minute + 55*time.Second, PhaseForeground},
		{m, 5*time.Minute + 5*time.Second, PhaseBackground},
	} {
		ph, next := NextCheck(tc.p, st(api.StatusProcessing, 50), t0.Add(tc.at))
		assert.Equal(t, tc.phase, ph, "%s at %s", tc.p.Vertical, tc.at)
		if ph == PhaseForeground {
			assert.Equal(t, 5*time.Second, next.Sub(t0.Add(tc.at)), "fixed 5 s")
		}
	}
}
