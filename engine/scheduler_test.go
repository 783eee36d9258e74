package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

// arrivals is a provider whose lists show orders arriving at a steady pace
// per vertical (newest first, paged) and whose details never finish: every
// order wants checks forever, far more than the budget buys.
type arrivals struct {
	start time.Time
	every time.Duration // between two orders of one vertical

	mu    sync.Mutex
	lists map[api.Vertical][]time.Time
}

func (a *arrivals) count(now time.Time) int { return int(now.Sub(a.start)/a.every) + 1 }

func (a *arrivals) created(i int) time.Time { return a.start.Add(time.Duration(i) * a.every) }

func (a *arrivals) list(v api.Vertical, q api.ListQuery) ([]api.Order, error) {
	now := time.Now()
	a.mu.Lock()
	a.lists[v] = append(a.lists[v], now)
	a.mu.Unlock()
	per := max(q.PerPage, 1)
	var in []api.Order // a date range filters, as OneClickDz's lists do
	for i := a.count(now) - 1; i >= 0; i-- {
		c := a.created(i)
		if (!q.From.IsZero() && c.Before(q.From)) || (!q.To.IsZero() && c.After(q.To)) {
			continue
		}
		in = append(in, api.Order{ID: fmt.Sprint(100000 + i), RawStatus: "PENDING", CreatedAt: c})
	}
	lo := min((max(q.Page, 1)-1)*per, len(in))
	return in[lo:min(lo+per, len(in))], nil
}

// With a budget saturated many times over and six verticals on two
// providers, every vertical's lists keep running and every order is seen
// soon after it is placed: discovery never starves.
func TestSaturatedBudgetNeverStarvesDiscovery(t *testing.T) {
	const scale = 0.03 // 1 simulated minute = 1.8 s
	sim := func(d time.Duration) time.Duration { return scaleDur(d, scale) }
	a := &arrivals{start: time.Now(), every: sim(2 * time.Second), lists: map[api.Vertical][]time.Time{}}
	octo := newFake(api.ProviderOctopus, api.VerticalVoucher, api.VerticalTopup, api.VerticalESIM)
	one := newFake(api.ProviderOneClick, api.VerticalMobile, api.VerticalInternet, api.VerticalGiftCard)
	for _, f := range []*fakeSource{octo, one} {
		f.listFn = a.list
		for _, v := range f.verts {
			for i := range 400 {
				f.set(key(v, fmt.Sprint(100000+i)), always("PENDING"))
			}
		}
	}
	// 30 orders a simulated minute per vertical against 60 GETs a minute per
	// provider: each order alone wants several checks a minute.
	e, err := New(Config{Sources: []api.OrderSource{octo, one}, TimeScale: scale, ScaleBudget: true, Discover: true,
		WalletEvery: -1, GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 60, api.ProviderOneClick: 60}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.Run(ctx) })
	var mu sync.Mutex
	firstSeen := map[api.OrderKey]time.Time{}
	wg.Go(func() {
		for b := range e.Updates() {
			now := time.Now()
			mu.Lock()
			for _, u := range b {
				if ou, ok := u.(OrderUpdate); ok {
					if _, seen := firstSeen[ou.Tracked.Order.Key()]; !seen {
						firstSeen[ou.Tracked.Order.Key()] = now
					}
				}
			}
			mu.Unlock()
		}
	})
	run := sim(100 * time.Second)
	time.Sleep(run)
	end := time.Now()
	saturated := false
	e.mu.Lock()
	for _, b := range e.budgets {
		saturated = saturated || e.saturatedLocked(b)
	}
	e.mu.Unlock()
	cancel()
	wg.Wait()
	assert.True(t, saturated, "the test must saturate the budget")

	// Every vertical's lists run at least every 20 s (discovery every 15 s,
	// jittered; bulk checks in between).
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, v := range api.AllVerticals {
		ts := a.lists[v]
		require.NotEmpty(t, ts, "%s never listed", v)
		worst := ts[0].Sub(a.start)
		for i := 1; i < len(ts); i++ {
			worst = max(worst, ts[i].Sub(ts[i-1]))
		}
		worst = max(worst, end.Sub(ts[len(ts)-1]))
		assert.LessOrEqual(t, worst, sim(20*time.Second), "%s: longest wait between lists %s (simulated %s)",
			v, worst, time.Duration(float64(worst)/scale))
	}
	// No order waits more than 30 s for its first observation.
	mu.Lock()
	defer mu.Unlock()
	for _, v := range api.AllVerticals {
		n, late := 0, 0
		var worst time.Duration
		for i := 0; a.created(i).Before(end.Add(-sim(30 * time.Second))); i++ {
			n++
			at, ok := firstSeen[key(v, fmt.Sprint(100000+i))]
			if !ok {
				late++
				continue
			}
			worst = max(worst, at.Sub(a.created(i)))
		}
		assert.Positive(t, n, v)
		assert.Zero(t, late, "%s: orders never seen", v)
		assert.LessOrEqual(t, worst, sim(30*time.Second), "%s: slowest first observation %s simulated",
			v, time.Duration(float64(worst)/scale))
	}
}

// A detail GET a list asked for is a detail: the order is not ListOnly and
// owes nothing; a state read from a list item is ListOnly and owes the detail.
func TestListOnlyOnlyFromListItems(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	e, err := New(Config{Sources: []api.OrderSource{f}, WalletEvery: -1})
	require.NoError(t, err)
	b := e.budgets[api.ProviderOctopus]
	for _, id := range []string{"1", "2"} {
		e.Track(api.Order{Vertical: api.VerticalVoucher, ID: id, Status: api.StatusPending, RawStatus: "PENDING"}, OriginDiscovered)
	}
	now := time.Now()
	delivered := api.Order{Vertical: api.VerticalVoucher, Status: api.StatusDelivered, RawStatus: "DELIVERED"}
	e.mu.Lock()
	e.evidenceLocked(b, e.entries[key(api.VerticalVoucher, "1")], now)
	e.mu.Unlock()
	o := delivered
	o.ID = "1"
	e.finishCheck(context.Background(), b, key(api.VerticalVoucher, "1"), SourceList, o, nil)
	tr, _ := e.Get(key(api.VerticalVoucher, "1"))
	assert.Equal(t, api.StatusDelivered, tr.Order.Status)
	assert.False(t, tr.ListOnly, "the detail GET fetched everything")
	assert.True(t, tr.NextCheck.IsZero(), "nothing owed")

	e.mu.Lock()
	ent := e.entries[key(api.VerticalVoucher, "2")]
	o.ID = "2"
	e.fromListLocked(func() []func() { return e.applyLocked(ent, o, SourceList, now, false) })
	e.mu.Unlock()
	tr, _ = e.Get(key(api.VerticalVoucher, "2"))
	assert.True(t, tr.ListOnly, "the codes are not in a list item")
	assert.False(t, tr.NextCheck.IsZero(), "the detail is owed")
}

// A check placed here waits a few budget slots, not behind the lists' whole
// share of the window: with every vertical's lists always queued and the
// budget saturated, lists and checks interleave from the first send on, and
// in steady state. Slots are simulated (a fake clock), so the bound is exact.
func TestPlacedCheckNotStarvedByLists(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scaled bool // sends ten times sparser than the limit: the window never fills
		warm   int  // slots sent before the placed order arrives
	}{
		{"from the first send", false, 0},
		{"steady state", false, 900},
		{"window never full", true, 0},
		{"window never full, steady state", true, 900},
	} {
		t.Run(tc.name, func(t *testing.T) {
			octo := newFake(api.ProviderOctopus, api.VerticalVoucher, api.VerticalTopup, api.VerticalESIM)
			e, err := New(Config{Sources: []api.OrderSource{octo}, TimeScale: 0.01, ScaleBudget: tc.scaled,
				Discover: true, WalletEvery: -1, GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 300}})
			require.NoError(t, err)
			e.mu.Lock()
			defer e.mu.Unlock()
			b := e.budgets[api.ProviderOctopus]
			b.lists, b.checks = nil, map[api.Vertical]*jobQueue{}
			slot := time.Minute / 300 // a saturated budget: one send a slot
			if tc.scaled {
				slot = b.window / 30 // e.g. a budget of a real minute in a window of compressed time
			}
			now := time.Now()
			n := 0
			refill := func() {
				for _, v := range []api.Vertical{api.VerticalVoucher, api.VerticalTopup, api.VerticalESIM} {
					has := false
					for _, j := range b.lists {
						has = has || j.vertical == v
					}
					if !has { // lists always have work: discovery and a bulk check each
						b.push(&job{kind: jobList, vertical: v, due: now})
						b.push(&job{kind: jobList, vertical: v, bulk: true, due: now})
					}
					for q := b.checks[v]; q == nil || q.Len() < 50; q = b.checks[v] {
						n++
						b.push(&job{kind: jobCheck, key: key(v, fmt.Sprint("y", n)), prio: prioYoung, due: now})
					}
				}
			}
			send := func() *job {
				refill()
				j := e.pickLocked(b, now)
				require.NotNil(t, j)
				v := j.vertical
				if j.kind == jobCheck {
					v = j.key.Vertical
				}
				b.noteSentAs(now, v, e.classOf(j))
				now = now.Add(slot)
				return j
			}
			lists := 0
			for range tc.warm {
				if send().kind != jobCheck {
					lists++
				}
			}
			if tc.warm > 0 {
				// Lists still carry their share in steady state.
				assert.InDelta(t, listShare, float64(lists)/float64(tc.warm), 0.05)
			}
			placed := &job{kind: jobCheck, key: key(api.VerticalTopup, "placed"), prio: prioPlaced, due: now}
			b.push(placed)
			for i := 1; ; i++ {
				if send() == placed {
					assert.LessOrEqual(t, i, 5, "the placed order waited %d slots", i)
					return
				}
				require.Less(t, i, 300, "the placed order never got its detail GET in a minute of slots")
			}
		})
	}
}

// Saturated, a window scan (its list says all a detail would) goes before
// the checks of discovered orders even past the list share, but never before
// the check of an order placed here; an Octopus list past its share waits.
func TestSaturatedScansGoBeforeDiscoveredChecks(t *testing.T) {
	for _, tc := range []struct {
		prov api.Provider
		v    api.Vertical
		prio int
		list bool
	}{
		{api.ProviderOneClick, api.VerticalMobile, prioYoung, true},
		{api.ProviderOneClick, api.VerticalMobile, prioPlaced, false},
		{api.ProviderOctopus, api.VerticalTopup, prioYoung, false},
	} {
		f := newFake(tc.prov, tc.v)
		e, err := New(Config{Sources: []api.OrderSource{f}, Discover: true, WalletEvery: -1,
			GETPerMinute: map[api.Provider]int{tc.prov: 100}})
		require.NoError(t, err)
		e.mu.Lock()
		b := e.budgets[tc.prov]
		b.lists, b.checks = nil, map[api.Vertical]*jobQueue{}
		now := time.Now()
		for i := range 100 { // the window is full, lists past their share
			c := classCheck
			if i%5 != 0 {
				c = classDiscovery
			}
			b.noteSentAs(now.Add(-time.Duration(100-i)*(time.Minute/200)), tc.v, c)
		}
		for i := range 30 { // a backlog of checks: saturated
			b.push(&job{kind: jobCheck, key: key(tc.v, fmt.Sprint("c", i)), prio: tc.prio, due: now})
		}
		b.push(&job{kind: jobList, vertical: tc.v, due: now, prio: prioList})
		require.True(t, e.saturatedLocked(b))
		j := e.pickLocked(b, now)
		e.mu.Unlock()
		assert.Equal(t, tc.list, j.kind == jobList, "%s %s, checks at priority %d", tc.prov, tc.v, tc.prio)
	}
}
