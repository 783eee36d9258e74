package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

func gaps(ts []time.Time) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i].Sub(ts[i-1]))
	}
	return out
}

// Cadences follow the table (scaled): 5,10,20,30 s backoff, then the
// background cadence past the horizon.
func TestCadenceFollowsPolicy(t *testing.T) {
	const scale = 0.002 // 5 s → 10 ms, horizon 660 s → 1.32 s
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	k := key(api.VerticalTopup, "1")
	f.set(k, always("PENDING"))
	e, stop := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: scale, GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 6000}, WalletEvery: -1})
	e.Track(api.Order{Vertical: api.VerticalTopup, ID: "1"}, OriginNamed)
	p := e.Policy(api.VerticalTopup)
	eventually(t, func() bool { tr, _ := e.Get(k); return tr.Phase == PhaseBackground }, "background after the horizon")
	tr, _ := e.Get(k)
	assert.GreaterOrEqual(t, tr.NextCheck.Sub(tr.LastChecked), time.Duration(float64(p.Background)*0.84), "background cadence")
	stop()

	g := gaps(f.getTimes(k))
	require.GreaterOrEqual(t, len(g), 8)
	lower := func(d time.Duration) time.Duration { return time.Duration(float64(d) * (1 - p.Jitter - 0.01)) }
	// The first check is immediate; then 5, 10, 20, 30, 30… (scaled).
	want := []time.Duration{p.Intervals[0], p.Intervals[1], p.Intervals[2], p.Intervals[3], p.Intervals[3]}
	for i, w := range want {
		assert.GreaterOrEqual(t, g[i], lower(w), "gap %d", i)
	}
	for i, d := range g {
		assert.GreaterOrEqual(t, d, lower(p.Intervals[0]), "gap %d faster than the first interval", i)
	}
	// Foreground checks fit the horizon: 1 + about 2 (5,10,20 s) + 21 (30 s) ≈ 25 for 660 s.
	assert.LessOrEqual(t, len(g), 30, "no more checks than the policy allows")
}

// Nothing is polled faster than the (scaled) 2 s floor, not even manual
// refreshes or webhook-triggered fetches.
func TestFloorHoldsUnderRefreshStorm(t *testing.T) {
	const scale = 0.05 // floor 100 ms: wide against scheduler delays under -race and load
	pols := DefaultPolicies()
	vp := pols[api.VerticalVoucher]
	vp.Intervals = []time.Duration{time.Millisecond}
	pols[api.VerticalVoucher] = vp
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	k := key(api.VerticalVoucher, "9")
	f.set(k, always("PENDING"))
	e, stop := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: scale, Policies: pols,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 60000}, WalletEvery: -1, Webhooks: verifiers("s3cret")})
	e.Track(api.Order{Vertical: api.VerticalVoucher, ID: "9"}, OriginPlaced)
	const run = time.Second
	deadline := time.Now().Add(run)
	i := 0
	for time.Now().Before(deadline) {
		e.Refresh(k)
		if i%3 == 0 {
			e.webhookOrder(api.Order{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "9"}, time.Now())
		}
		i++
		time.Sleep(time.Millisecond)
	}
	stop()
	ts := f.getTimes(k)
	require.GreaterOrEqual(t, len(ts), 5, "refreshes do poll")
	floor := e.Policy(api.VerticalVoucher).Floor
	// Times are taken where the fake serves the request, so one late
	// arrival can shorten the next gap by its delay: each gap may lose up
	// to half a floor (unfloored, this storm gives ~1 ms gaps), the whole
	// span only one delay.
	for i, d := range gaps(ts) {
		assert.GreaterOrEqual(t, d, floor/2, "gap %d below the floor", i)
	}
	span := ts[len(ts)-1].Sub(ts[0])
	assert.GreaterOrEqual(t, span, time.Duration(len(ts)-2)*floor, "%d checks in %s", len(ts), span)
	// 1 s / 100 ms: at most about 10 checks.
	assert.LessOrEqual(t, len(ts), int(run/floor)+2)
}

// A 429 pauses every order of the provider for Retry-After; then polling
// recovers and every order completes.
func TestRateLimitStormPausesEveryone(t *testing.T) {
	const retry = 250 * time.Millisecond
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	stormUntil := time.Now().Add(time.Hour) // set below
	var n429 int
	f.getErr = func(k api.OrderKey, n int, at time.Time) error {
		if at.Before(stormUntil) {
			n429++
			return &api.Error{Kind: api.KindRateLimited, HTTPStatus: 429, RetryAfter: retry}
		}
		return nil
	}
	for i := range 20 {
		f.set(key(api.VerticalTopup, fmt.Sprint(i)), after(1, "PENDING", "DELIVERED"))
	}
	f.mu.Lock()
	stormUntil = time.Now().Add(600 * time.Millisecond)
	f.mu.Unlock()
	e, stop := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: 0.001, Workers: 4,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 60000}, WalletEvery: -1})
	for i := range 20 {
		e.Track(api.Order{Vertical: api.VerticalTopup, ID: fmt.Sprint(i)}, OriginNamed)
	}
	eventually(t, func() bool {
		for _, tr := range e.Snapshot() {
			if tr.Order.Status != api.StatusDelivered {
				return false
			}
		}
		return len(e.Snapshot()) == 20
	}, "everyone recovers after the storm")
	stop()

	calls := f.calls()
	var first429 []time.Time
	for _, c := range calls {
		if c.err != nil {
			first429 = append(first429, c.at)
		}
	}
	require.NotEmpty(t, first429)
	// Once a 429 is handled, nobody is dispatched until Retry-After passed.
	// Compare the engine's own stamps (the handling time in the history,
	// the budget's send times), not when the fake saw a request: a request
	// dispatched before the pause may arrive late. The one dispatch whose
	// pause check raced the pause being set may be stamped just after it;
	// without a pause, the other 19 orders would send dozens here.
	var paused []time.Time
	for _, tr := range e.Snapshot() {
		for _, h := range tr.History {
			if strings.HasPrefix(h.Note, "429") {
				paused = append(paused, h.At)
			}
		}
	}
	require.Len(t, paused, len(first429), "every 429 handled")
	b := e.budgets[api.ProviderOctopus]
	b.mu.Lock()
	sent := slices.Clone(b.sent)
	b.mu.Unlock()
	for _, p := range paused {
		var inside []time.Duration
		for _, at := range sent {
			if at.After(p) && at.Before(p.Add(retry)) {
				inside = append(inside, at.Sub(p))
			}
		}
		assert.LessOrEqual(t, len(inside), 1, "dispatched inside the pause after a 429: %v", inside)
	}
	// 600 ms of storm / 250 ms pauses: a few waves of at most Workers requests.
	assert.LessOrEqual(t, len(first429), 4*4, "the pause held everyone back")
	assert.Equal(t, len(first429), b.snapshot(time.Now()).Got429)
	for _, tr := range e.Snapshot() {
		assert.Zero(t, tr.Errors, "a few 429s are back-pressure, not errors")
	}
}

// When the budget is scarce, the focused order is checked first.
func TestPriorityFocusedFirst(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	for i := range 20 {
		f.set(key(api.VerticalTopup, fmt.Sprint(i)), always("PENDING"))
	}
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 1, Workers: 1, WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 120}}) // 2/s
	require.NoError(t, err)
	for i := range 20 {
		e.Track(api.Order{Vertical: api.VerticalTopup, ID: fmt.Sprint(i)}, OriginDiscovered)
	}
	e.Focus(key(api.VerticalTopup, "15"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	go func() {
		for range e.Updates() {
		}
	}()
	defer func() { cancel(); <-done }()
	eventually(t, func() bool { return len(f.calls()) >= 3 }, "three checks")
	assert.Equal(t, "15", f.calls()[0].key.ID, "focused first")
	e.Focus(key(api.VerticalTopup, "18"))
	n := len(f.calls())
	eventually(t, func() bool { return len(f.calls()) >= n+2 }, "two more checks")
	next := f.calls()[n : n+2]
	assert.True(t, next[0].key.ID == "18" || next[1].key.ID == "18", "the new focus jumps the queue: %v", next)
}

func TestPriorityLevels(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	e, err := New(Config{Sources: []api.OrderSource{f}})
	require.NoError(t, err)
	now := time.Now()
	mk := func(id string, o Origin, since time.Duration, ph Phase) *entry {
		ent := &entry{since: now.Add(-since)}
		ent.t.Order = api.Order{Vertical: api.VerticalTopup, ID: id}
		ent.t.Origin, ent.t.Phase = o, ph
		return ent
	}
	e.focus = key(api.VerticalTopup, "f")
	p := func(ent *entry) int { return e.prioLocked(ent, now) }
	focused := p(mk("f", OriginDiscovered, time.Hour, PhaseBackground))
	placed := p(mk("p", OriginPlaced, time.Hour, PhaseBackground))
	young := p(mk("y", OriginDiscovered, time.Second, PhaseForeground))
	older := p(mk("o", OriginDiscovered, 9*time.Minute, PhaseForeground))
	bg := p(mk("b", OriginDiscovered, time.Hour, PhaseBackground))
	assert.True(t, focused < placed && placed < young && young < older && older < bg, "%d %d %d %d %d", focused, placed, young, older, bg)
}

func TestUnknownStatusKeepsPolling(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	k := key(api.VerticalTopup, "7")
	f.set(k, always("RECHARGED"))
	e, _ := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: 0.002, WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 6000}})
	e.Track(api.Order{Vertical: api.VerticalTopup, ID: "7"}, OriginNamed)
	eventually(t, func() bool { return len(f.getTimes(k)) >= 5 }, "still polled")
	tr, _ := e.Get(k)
	assert.Equal(t, api.StatusUnknown, tr.Order.Status)
	assert.Equal(t, "RECHARGED", tr.Order.StatusLabel())
	assert.NotEqual(t, PhaseDone, tr.Phase)
	assert.False(t, tr.NextCheck.IsZero())
}

// UNKNOWN_ERROR and QUEUED stop the 5 s loop but are re-checked slowly.
func TestUncertainAndQueuedRecheckSlowly(t *testing.T) {
	const scale = 0.0001 // 5 s → 0.5 ms (floor 0.2 ms), 30 min → 180 ms
	f := newFake(api.ProviderOneClick, api.VerticalMobile, api.VerticalInternet)
	km, ki := key(api.VerticalMobile, "m1"), key(api.VerticalInternet, "i1")
	f.set(km, after(2, "UNKNOWN_ERROR", "FULFILLED"))
	f.set(ki, always("QUEUED"))
	e, _ := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: scale, WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOneClick: 60000}})
	e.Track(api.Order{Vertical: api.VerticalMobile, ID: "m1"}, OriginPlaced)
	e.Track(api.Order{Vertical: api.VerticalInternet, ID: "i1"}, OriginPlaced)
	eventually(t, func() bool { tr, _ := e.Get(km); return tr.Order.Status == api.StatusUncertain }, "uncertain")
	for _, k := range []api.OrderKey{km, ki} {
		eventually(t, func() bool { tr, _ := e.Get(k); return tr.Phase == PhaseBackground }, "background")
		tr, _ := e.Get(k)
		gap := tr.NextCheck.Sub(tr.LastChecked)
		assert.GreaterOrEqual(t, gap, time.Duration(float64(30*time.Minute)*scale*0.84), "slow re-check of %s", k)
	}
	slow := time.Duration(float64(30*time.Minute) * scale * 0.84)
	eventually(t, func() bool { tr, _ := e.Get(km); return tr.Order.Status == api.StatusDelivered }, "uncertain resolves later")
	tr, _ := e.Get(km)
	assert.Equal(t, PhaseDone, tr.Phase)
	g := gaps(f.getTimes(km))
	require.Len(t, g, 2)
	assert.GreaterOrEqual(t, g[1], slow)
	// By now (two slow re-checks of km) fast polling would show as ms gaps;
	// a stalled test may legitimately see a slow re-check or two of ki.
	require.NotEmpty(t, f.getTimes(ki))
	for i, d := range gaps(f.getTimes(ki)) {
		assert.GreaterOrEqual(t, d, slow, "gap %d: no fast polling of a QUEUED order", i)
	}
}

func TestErrorsBackOffAndShow(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	k := key(api.VerticalTopup, "3")
	f.set(k, always("PENDING"))
	f.getErr = func(_ api.OrderKey, n int, _ time.Time) error {
		if n <= 5 {
			return &api.Error{Kind: api.KindServer, HTTPStatus: 500, Op: "GET /api/v1/topups/orders/3"}
		}
		return nil
	}
	e, _ := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: 0.002, WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 6000}})
	e.Track(api.Order{Vertical: api.VerticalTopup, ID: "3"}, OriginNamed)
	// Errors run 1…5 and back to 0 within a few hundred ms: keep the snapshot
	// that saw the count, not a later read.
	var tr Tracked
	eventually(t, func() bool { tr, _ = e.Get(k); return tr.Errors >= 2 }, "errors counted")
	assert.Contains(t, tr.LastError, "server error")
	assert.Contains(t, tr.History[len(tr.History)-1].Note, "HTTP 500")
	eventually(t, func() bool { tr, _ := e.Get(k); return tr.Order.Status == api.StatusPending && tr.Errors == 0 }, "recovers")
	g := gaps(f.getTimes(k))
	// 5 s then 10 s backoff (scaled), never faster.
	assert.GreaterOrEqual(t, g[0], time.Duration(float64(5*time.Second)*0.002*0.84))
	assert.GreaterOrEqual(t, g[1], time.Duration(float64(10*time.Second)*0.002*0.84))
}

func TestSingleFlightAndESIMInstall(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalESIM)
	f.delay = 5 * time.Millisecond
	k := key(api.VerticalESIM, "e1")
	// The install phase lasts until the test has seen it: a fixed number of
	// checks (~45 ms apart) is a window a loaded machine's poll can miss.
	var sawInstall atomic.Bool
	f.set(k, func(n int) api.Order {
		switch {
		case n == 1:
			return api.Order{RawStatus: "PENDING"}
		case n < 3 || !sawInstall.Load():
			return api.Order{RawStatus: "DELIVERED", ESIM: &api.ESIM{ActivationStatus: api.ActivationNotInstalled, ActivationCode: "LPA:1$x$SECRET"}}
		}
		return api.Order{RawStatus: "DELIVERED", ESIM: &api.ESIM{ActivationStatus: api.ActivationActive, Installed: true}}
	})
	e, _ := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: 0.001, WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 60000}})
	e.Track(api.Order{Vertical: api.VerticalESIM, ID: "e1"}, OriginPlaced)
	for range 20 {
		e.Refresh(k)
	}
	eventually(t, func() bool { tr, _ := e.Get(k); return tr.Phase == PhaseInstall }, "install watch after delivery")
	sawInstall.Store(true)
	eventually(t, func() bool { tr, _ := e.Get(k); return tr.Phase == PhaseDone }, "installed → done")
	tr, _ := e.Get(k)
	assert.Equal(t, "install: ACTIVE", tr.History[len(tr.History)-1].Note)
	f.mu.Lock()
	assert.Zero(t, f.overlap, "never two checks of one order in flight")
	f.mu.Unlock()
}

func TestDiscoveryListsNeverMoveBack(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	now := time.Now()
	f.set(key(api.VerticalTopup, "1"), always("DELIVERED")) // the detail is fresher than the list
	f.set(key(api.VerticalTopup, "2"), always("PENDING"))
	for i := 10; i < 16; i++ {
		f.set(key(api.VerticalTopup, fmt.Sprint(i)), always("DELIVERED"))
	}
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) {
		if q.Status == "PENDING" {
			return []api.Order{
				{ID: "1", RawStatus: "PENDING", CreatedAt: now},
				{ID: "2", RawStatus: "PENDING", CreatedAt: now},
			}, nil
		}
		var out []api.Order
		for i := 10; i < 16; i++ {
			out = append(out, api.Order{ID: fmt.Sprint(i), RawStatus: "DELIVERED", CompletedAt: now.Add(-time.Duration(20-i) * time.Second)})
		}
		return out, nil
	}
	e, _ := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: 0.002, Discover: true, KeepFinished: 3,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 6000}})
	eventually(t, func() bool {
		tr, ok := e.Get(key(api.VerticalTopup, "1"))
		return ok && tr.Order.Status == api.StatusDelivered
	}, "detail wins")
	eventually(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.lists) >= 4
	}, "lists keep running")
	tr, _ := e.Get(key(api.VerticalTopup, "1"))
	assert.Equal(t, api.StatusDelivered, tr.Order.Status, "a lagging list never moves a finished order back")
	assert.Equal(t, OriginDiscovered, tr.Origin)
	for _, tr := range tr.History {
		if tr.Source == SourceList {
			assert.Equal(t, api.StatusPending, tr.To)
		}
	}
	// KeepFinished bounds finished orders per vertical: oldest evicted.
	finished := 0
	for _, tr := range e.Snapshot() {
		if !tr.Order.Status.InFlight() {
			finished++
		}
	}
	assert.LessOrEqual(t, finished, 3)
	_, ok := e.Get(key(api.VerticalTopup, "15"))
	assert.True(t, ok, "newest finished kept")
	_, ok = e.Get(key(api.VerticalTopup, "2"))
	assert.True(t, ok, "in-flight never evicted")
	eventually(t, func() bool { return len(e.Wallets(api.ProviderOctopus)) == 1 }, "wallets polled")
}

// A slow consumer never blocks a poller; batches carry one update per order.
func TestCoalescingSlowConsumer(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	for i := range 5 {
		f.set(key(api.VerticalTopup, fmt.Sprint(i)), always("PENDING"))
	}
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 0.0005, WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 60000}})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	for i := range 5 {
		e.Track(api.Order{Vertical: api.VerticalTopup, ID: fmt.Sprint(i)}, OriginNamed)
	}
	// Nobody reads for a while: polling goes on.
	eventually(t, func() bool { return len(f.calls()) >= 40 }, "pollers run without a reader")
	batch := <-e.Updates()
	seen := map[api.OrderKey]int{}
	for _, u := range batch {
		if ou, ok := u.(OrderUpdate); ok {
			seen[ou.Tracked.Order.Key()]++
		}
	}
	for k, n := range seen {
		assert.Equal(t, 1, n, "one update per order in a batch: %s", k)
	}
	cancel()
	<-done
	for range e.Updates() { // closed after Run
	}
}

func TestOutboxCoalesces(t *testing.T) {
	o := newOutbox()
	k := api.Order{Vertical: api.VerticalVoucher, ID: "1"}
	ev := &Event{To: api.StatusDelivered}
	o.put(OrderUpdate{Tracked: Tracked{Order: k}, New: true})
	o.put(OrderUpdate{Tracked: Tracked{Order: k}, Event: ev})
	for range 100 {
		o.put(OrderUpdate{Tracked: Tracked{Order: k}})
	}
	o.put(BudgetUpdate{Provider: api.ProviderOctopus, Got429: 1})
	o.put(BudgetUpdate{Provider: api.ProviderOctopus, Got429: 2})
	b := o.take()
	require.Len(t, b, 2)
	ou := b[0].(OrderUpdate)
	assert.True(t, ou.New, "new survives coalescing")
	assert.Same(t, ev, ou.Event, "the last transition survives coalescing")
	assert.Equal(t, 2, b[1].(BudgetUpdate).Got429)
	assert.Empty(t, o.take())

	// The outbox reuses its storage: a batch handed over must not change
	// with what is put after it, and first-publish order holds per batch.
	o.put(OrderUpdate{Tracked: Tracked{Order: api.Order{Vertical: api.VerticalVoucher, ID: "a", RawStatus: "PENDING"}}})
	o.put(OrderUpdate{Tracked: Tracked{Order: api.Order{Vertical: api.VerticalVoucher, ID: "b", RawStatus: "PENDING"}}})
	first := o.take()
	o.put(OrderUpdate{Tracked: Tracked{Order: api.Order{Vertical: api.VerticalVoucher, ID: "b", RawStatus: "DELIVERED"}}})
	o.put(OrderUpdate{Tracked: Tracked{Order: api.Order{Vertical: api.VerticalVoucher, ID: "a", RawStatus: "FAILED"}}})
	second := o.take()
	raw := func(b Batch) (out []string) {
		for _, u := range b {
			ou := u.(OrderUpdate)
			out = append(out, ou.Tracked.Order.ID+"="+ou.Tracked.Order.RawStatus)
		}
		return out
	}
	assert.Equal(t, []string{"a=PENDING", "b=PENDING"}, raw(first))
	assert.Equal(t, []string{"b=DELIVERED", "a=FAILED"}, raw(second))
}

func TestNewRejectsBadConfig(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	_, err := New(Config{})
	assert.Error(t, err)
	_, err = New(Config{Sources: []api.OrderSource{f, f}})
	assert.Error(t, err)
	_, err = New(Config{Sources: []api.OrderSource{f}, Verticals: []api.Vertical{"nope"}})
	assert.Error(t, err)
	_, err = New(Config{Sources: []api.OrderSource{f}, TimeScale: -1})
	assert.Error(t, err)
	_, err = New(Config{Sources: []api.OrderSource{f}, Webhooks: verifiers("x"), WebhookListen: "0.0.0.0:9000"})
	assert.ErrorContains(t, err, "loopback")
	_, err = New(Config{Sources: []api.OrderSource{f}, WebhookListen: "127.0.0.1:0"})
	assert.Error(t, err, "listening needs a secret")
	e, err := New(Config{Sources: []api.OrderSource{f}})
	require.NoError(t, err)
	e.Track(api.Order{ID: "no-vertical"}, OriginNamed)
	assert.Empty(t, e.Snapshot(), "bad input changes nothing")
	assert.Error(t, e.Pin(api.OrderKey{}))
	assert.Error(t, e.Pin(key(api.VerticalVoucher, "1")), "no journal")
}
