package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

// maxInWindow is the largest number of sends in any window (t−w, t].
func maxInWindow(ts []time.Time, w time.Duration) int {
	best, lo := 0, 0
	for hi := range ts {
		for !ts[lo].After(ts[hi].Add(-w)) {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// saturate drives a budget with a virtual clock, sending whenever both the
// bucket and the window allow, and returns the send times.
func saturate(b *budget, start time.Time, d, step time.Duration, useAdmit bool) []time.Time {
	var out []time.Time
	for t := start; t.Before(start.Add(d)); t = t.Add(step) {
		for b.lim.AllowN(t, 1) {
			if useAdmit && b.admit(t) > 0 {
				b.lim.ReserveN(t, -1) // give the token back
				break
			}
			b.noteSent(t)
			out = append(out, t)
		}
	}
	return out
}

// A saturated budget never sends more than perMin in any rolling window, in
// the sandbox's sense (t−w, t], yet uses nearly all of it.
func TestBudgetRollingWindowNeverExceedsPerMin(t *testing.T) {
	src := newFake(api.ProviderOctopus, api.VerticalTopup)
	for _, tc := range []struct {
		perMin int
		window time.Duration
	}{{300, time.Minute}, {300, 3 * time.Second}, {1000, time.Minute}, {61, time.Minute}} {
		start := time.Unix(1000, 0)
		// The token bucket alone already holds the line.
		ts := saturate(newBudget(src, tc.perMin, 4, tc.window), start, 4*tc.window, tc.window/600, false)
		got := maxInWindow(ts, tc.window)
		assert.LessOrEqual(t, got, tc.perMin, "bucket alone, %d per %s", tc.perMin, tc.window)
		assert.GreaterOrEqual(t, got, tc.perMin-2, "the budget is used, not wasted")
		// Over four windows: at most four budgets in total.
		assert.LessOrEqual(t, len(ts), 4*tc.perMin)
		ts = saturate(newBudget(src, tc.perMin, 4, tc.window), start, 4*tc.window, tc.window/600, true)
		assert.LessOrEqual(t, maxInWindow(ts, tc.window), tc.perMin, "with admit, %d per %s", tc.perMin, tc.window)
	}
}

// The window backstop alone holds tiny budgets the bucket cannot express.
func TestBudgetAdmitBackstop(t *testing.T) {
	b := newBudget(newFake(api.ProviderOctopus), 2, 1, time.Second)
	now := time.Unix(50, 0)
	require.Zero(t, b.admit(now))
	b.noteSent(now)
	require.Zero(t, b.admit(now.Add(10*time.Millisecond)))
	b.noteSent(now.Add(10 * time.Millisecond))
	d := b.admit(now.Add(100 * time.Millisecond))
	assert.Equal(t, 900*time.Millisecond, d, "wait until the first send leaves the window")
	assert.Equal(t, 2, b.snapshot(now.Add(500*time.Millisecond)).UsedLastMin)
	assert.Zero(t, b.admit(now.Add(time.Second)), "free again one window after the first send")
}

// ScaleBudget compresses the budget's minute with the time scale.
func TestScaleBudgetWindow(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 0.05, ScaleBudget: true})
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, e.budgets[api.ProviderOctopus].window)
	e, err = New(Config{Sources: []api.OrderSource{f}, TimeScale: 0.05})
	require.NoError(t, err)
	assert.Equal(t, time.Minute, e.budgets[api.ProviderOctopus].window, "production limits stay real time by default")
}
