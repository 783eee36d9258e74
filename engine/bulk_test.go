package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

// filteredTopups is the policy table with topups read through the PENDING
// filter, as vouchers and eSIMs are: these tests pin that mechanism.
func filteredTopups() map[api.Vertical]Policy {
	pols := DefaultPolicies()
	tp := pols[api.VerticalTopup]
	tp.ListComplete = false
	pols[api.VerticalTopup] = tp
	return pols
}

// The evidence rules of one bulk list, applied without running the engine.
func TestBulkEvidenceRules(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 1, WalletEvery: -1, Policies: filteredTopups()})
	require.NoError(t, err)
	b := e.budgets[api.ProviderOctopus]
	now := time.Now()
	old := now.Add(-time.Minute)
	track := func(id int, created time.Time) {
		e.Track(api.Order{Vertical: api.VerticalTopup, ID: fmt.Sprint(id), Status: api.StatusPending, RawStatus: "PENDING",
			CreatedAt: created}, OriginDiscovered)
		e.mu.Lock()
		e.entries[key(api.VerticalTopup, fmt.Sprint(id))].t.FirstSeen = created
		e.mu.Unlock()
	}
	for id := 10; id <= 15; id++ {
		track(id, old.Add(time.Duration(id)*time.Second))
	}
	track(16, now) // created after the list's snapshot could show it
	track(5, old)  // older than the truncated page's oldest item
	pending := func(id int) api.Order {
		return api.Order{ID: fmt.Sprint(id), RawStatus: "PENDING", CreatedAt: old.Add(time.Duration(id) * time.Second)}
	}
	items := []api.Order{pending(15), pending(14), {ID: "13", RawStatus: "DELIVERED", CreatedAt: old.Add(13 * time.Second)},
		pending(11), pending(10)} // 12 is gone from the PENDING list
	before, _ := e.Get(key(api.VerticalTopup, "10"))
	e.mu.Lock()
	e.applyBulkLocked(b, api.VerticalTopup, items, markOf(items[len(items)-1]), false, true, "PENDING", now, now.Add(time.Millisecond))
	ev := func(id int) bool { return e.entries[key(api.VerticalTopup, fmt.Sprint(id))].evidence }
	assert.False(t, ev(10) || ev(11) || ev(14) || ev(15), "shown unchanged: vouched, no GET")
	assert.True(t, ev(12), "absent from the PENDING list: fetch the detail")
	assert.True(t, ev(13), "shown in a terminal state: fetch the detail")
	assert.False(t, ev(16), "too new for its absence to mean anything")
	assert.False(t, ev(5), "beyond the truncated page: not covered")
	e.mu.Unlock()

	tr, _ := e.Get(key(api.VerticalTopup, "13"))
	assert.Equal(t, api.StatusPending, tr.Order.Status, "a list never moves an order; the detail will")
	tr, _ = e.Get(key(api.VerticalTopup, "10"))
	last := tr.History[len(tr.History)-1]
	assert.Equal(t, SourceList, last.Source)
	assert.False(t, last.Changed)
	assert.True(t, tr.LastChecked.After(before.LastChecked), "a vouch counts as a check")
	assert.False(t, tr.NextCheck.After(old.Add(10*time.Second).Add(30*time.Second)) && tr.NextCheck.After(now.Add(Floor)),
		"the safety net keeps a detail GET within the interval cap")

	// The same list, complete this time: order 5's absence is evidence too.
	e.mu.Lock()
	e.applyBulkLocked(b, api.VerticalTopup, items, markOf(items[len(items)-1]), true, true, "PENDING", now, now.Add(time.Millisecond))
	assert.True(t, ev(5))
	e.mu.Unlock()
}

// OneClickDz lists are unfiltered: absence says nothing, a new state does.
func TestBulkEvidenceUnfiltered(t *testing.T) {
	f := newFake(api.ProviderOneClick, api.VerticalMobile)
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 1, WalletEvery: -1})
	require.NoError(t, err)
	old := time.Now().Add(-time.Minute)
	for _, id := range []string{"a", "b", "c"} {
		e.Track(api.Order{Vertical: api.VerticalMobile, ID: id, Status: api.StatusPending, RawStatus: "PENDING", CreatedAt: old}, OriginDiscovered)
	}
	now := time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.applyBulkLocked(e.budgets[api.ProviderOneClick], api.VerticalMobile,
		[]api.Order{{ID: "a", RawStatus: "PENDING"}, {ID: "b", RawStatus: "HANDLING"}}, listMark{}, true, false, "", now, now)
	assert.False(t, e.entries[key(api.VerticalMobile, "a")].evidence)
	assert.True(t, e.entries[key(api.VerticalMobile, "b")].evidence)
	assert.False(t, e.entries[key(api.VerticalMobile, "c")].evidence)
}

// Running: lists vouch for the pending orders at the foreground cadence, an
// order that leaves the list is fetched at once, and the safety net still
// gives every order a detail GET per interval cap.
func TestBulkListsSaveDetailGETs(t *testing.T) {
	const scale = 0.01 // 5 s → 50 ms, cap 30 s → 300 ms, list lag 50 ms
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	created := time.Now().Add(-time.Second)
	for i := range 6 {
		f.set(key(api.VerticalTopup, fmt.Sprint(i)), always("PENDING"))
	}
	f.set(key(api.VerticalTopup, "5"), always("DELIVERED"))
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) {
		var out []api.Order
		for i := 4; i >= 0; i-- { // 5 is not PENDING any more
			out = append(out, api.Order{ID: fmt.Sprint(i), RawStatus: "PENDING", CreatedAt: created})
		}
		return out, nil
	}
	e, stop := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: scale, WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 60000}, Policies: filteredTopups()})
	for i := range 6 {
		e.Track(api.Order{Vertical: api.VerticalTopup, ID: fmt.Sprint(i), Status: api.StatusPending, RawStatus: "PENDING",
			CreatedAt: created}, OriginDiscovered)
	}
	start := time.Now()
	eventually(t, func() bool {
		tr, _ := e.Get(key(api.VerticalTopup, "5"))
		return tr.Order.Status == api.StatusDelivered
	},
		"the order gone from the list is fetched")
	time.Sleep(time.Until(start.Add(700 * time.Millisecond)))
	stop()
	f.mu.Lock()
	lists := f.lists
	f.mu.Unlock()
	require.GreaterOrEqual(t, len(lists), 5, "lists run at the foreground cadence")
	for _, q := range lists {
		assert.Equal(t, "PENDING", q.Status)
		assert.Equal(t, 500, q.PerPage, "the largest page the topup list allows")
	}
	// Without lists: 5, 10, 20, 30, 30 s… (50–300 ms) ≈ 5 GETs in 700 ms,
	// gaps of 100 and 200 ms among them. With them: the safety net alone,
	// one GET per 300 ms from the last. A list late at the start may let
	// one early cadence GET through (vouches lift the cadence quickly):
	// one short gap is allowed, not the two of plain polling.
	vouchFor := e.Policy(api.VerticalTopup).VouchFor
	for i := range 5 {
		ts := f.getTimes(key(api.VerticalTopup, fmt.Sprint(i)))
		assert.NotEmpty(t, ts, "order %d: the safety net still fetches the detail", i)
		short := 0
		for _, d := range gaps(ts) {
			if d < time.Duration(float64(vouchFor)*0.84) {
				short++
			}
		}
		assert.LessOrEqual(t, short, 1, "order %d: vouched instead of polled: gaps %v", i, gaps(ts))
		tr, _ := e.Get(key(api.VerticalTopup, fmt.Sprint(i)))
		vouches := 0
		for _, h := range tr.History {
			if h.Source == SourceList {
				vouches++
			}
		}
		assert.Greater(t, vouches, 2, "order %d: vouched by lists", i)
	}
}

// A list-complete vertical (topups) takes a final state straight from the
// list, keeping what the list leaves out; a voucher still needs its detail
// GET for the codes.
func TestBulkListCompleteAppliesFinalState(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup, api.VerticalVoucher)
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 1, WalletEvery: -1})
	require.NoError(t, err)
	old := time.Now().Add(-time.Minute)
	for _, id := range []string{"1", "2", "3"} {
		e.Track(api.Order{Vertical: api.VerticalTopup, ID: id, Status: api.StatusPending, RawStatus: "PENDING", CreatedAt: old,
			Recipient: "+919000000000", InputData: map[string]string{"phone_number": "+919000000000"}}, OriginDiscovered)
	}
	e.Track(api.Order{Vertical: api.VerticalVoucher, ID: "9", Status: api.StatusPending, RawStatus: "PENDING", CreatedAt: old}, OriginDiscovered)
	done := old.Add(20 * time.Second)
	now := time.Now()
	e.mu.Lock()
	b := e.budgets[api.ProviderOctopus]
	e.applyBulkLocked(b, api.VerticalTopup, []api.Order{
		{ID: "1", RawStatus: "DELIVERED", StatusText: "Top-up delivered", CompletedAt: done},
		{ID: "2", RawStatus: "FAILED", StatusText: "Top-up failed", FailureCode: "INVALID_RECIPIENT", FailureReason: "Wrong number", UserFixable: true},
		{ID: "3", RawStatus: "RECHARGED"},
	}, listMark{}, true, false, "", now, now)
	e.applyBulkLocked(b, api.VerticalVoucher, []api.Order{{ID: "9", RawStatus: "DELIVERED"}}, listMark{}, true, true, "PENDING", now, now)
	assert.False(t, e.entries[key(api.VerticalTopup, "1")].evidence, "no detail GET needed")
	assert.True(t, e.entries[key(api.VerticalTopup, "3")].evidence, "an unknown status is not final: ask the detail")
	assert.True(t, e.entries[key(api.VerticalVoucher, "9")].evidence, "a voucher's codes need the detail")
	e.mu.Unlock()

	tr, _ := e.Get(key(api.VerticalTopup, "1"))
	assert.Equal(t, api.StatusDelivered, tr.Order.Status)
	assert.Equal(t, "Top-up delivered", tr.Order.StatusText)
	assert.Equal(t, done, tr.Order.CompletedAt)
	assert.Equal(t, "+919000000000", tr.Order.Recipient, "kept from what we had")
	assert.Equal(t, PhaseDone, tr.Phase)
	assert.Equal(t, SourceList, tr.History[len(tr.History)-1].Source)
	tr, _ = e.Get(key(api.VerticalTopup, "2"))
	assert.Equal(t, api.StatusFailed, tr.Order.Status)
	assert.Equal(t, "Wrong number", tr.Order.FailureReason)
	assert.True(t, tr.Order.UserFixable)
	tr, _ = e.Get(key(api.VerticalTopup, "3"))
	assert.Equal(t, api.StatusPending, tr.Order.Status, "a list never rounds an unknown status")
	tr, _ = e.Get(key(api.VerticalVoucher, "9"))
	assert.Equal(t, api.StatusPending, tr.Order.Status, "a list never moves a voucher; its detail will")
}

// Topups read the unfiltered list in their bulk checks: a PENDING filter
// would hide the final states the list is trusted for.
func TestBulkTopupListIsUnfiltered(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	created := time.Now().Add(-time.Second)
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) {
		var out []api.Order
		for i := 2; i >= 0; i-- {
			out = append(out, api.Order{ID: fmt.Sprint(i), RawStatus: "DELIVERED", StatusText: "Top-up delivered", CreatedAt: created})
		}
		return out, nil
	}
	for i := range 3 {
		f.set(key(api.VerticalTopup, fmt.Sprint(i)), always("PENDING"))
	}
	e, _ := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: 0.01, WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 60000}})
	for i := range 3 {
		e.Track(api.Order{Vertical: api.VerticalTopup, ID: fmt.Sprint(i), Status: api.StatusPending, RawStatus: "PENDING",
			CreatedAt: created}, OriginDiscovered)
	}
	eventually(t, func() bool {
		for i := range 3 {
			if tr, _ := e.Get(key(api.VerticalTopup, fmt.Sprint(i))); tr.Order.Status != api.StatusDelivered {
				return false
			}
		}
		return true
	}, "final states taken from the list")
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(t, f.lists)
	for _, q := range f.lists {
		assert.Equal(t, "", q.Status)
	}
}

// Saturated, orders gone from the PENDING list wait for a detail GET each.
// Every other bulk check then reads the list unfiltered, newest first, back
// to the oldest of them, and takes their final states from its pages: no
// detail GET, the codes owed (issue 12: a voucher list page answers for 500).
func TestSaturatedBulkReadsAbsentOrdersUnfiltered(t *testing.T) {
	const per = 10
	t0 := time.Now().Add(-2 * time.Minute).Truncate(time.Second)
	raw := map[int]string{}
	for id := 1; id <= 40; id++ {
		raw[id] = "PENDING"
	}
	f := newFake(api.ProviderOctopus, api.VerticalVoucher, api.VerticalTopup)
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) {
		var in []api.Order
		for id := 40; id >= 1; id-- { // newest first
			if q.Status == "" || raw[id] == q.Status {
				in = append(in, api.Order{ID: fmt.Sprint(id), RawStatus: raw[id], CreatedAt: t0.Add(time.Duration(id) * time.Second)})
			}
		}
		lo := min((q.Page-1)*q.PerPage, len(in))
		return in[lo:min(lo+q.PerPage, len(in))], nil
	}
	pols := DefaultPolicies()
	vp := pols[api.VerticalVoucher]
	require.True(t, vp.ListFilters && !vp.ListComplete, "vouchers are read through the PENDING filter")
	vp.PageSize = per
	pols[api.VerticalVoucher] = vp
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 1, WalletEvery: -1, Policies: pols,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 600}})
	require.NoError(t, err)
	b := e.budgets[api.ProviderOctopus]
	for id := 1; id <= 40; id++ {
		e.Track(api.Order{Vertical: api.VerticalVoucher, ID: fmt.Sprint(id), Status: api.StatusPending, RawStatus: "PENDING",
			CreatedAt: t0.Add(time.Duration(id) * time.Second)}, OriginDiscovered)
	}
	e.mu.Lock()
	for n := 0; !e.saturatedLocked(b); n++ { // checks of another vertical back up
		b.push(&job{kind: jobCheck, key: key(api.VerticalTopup, fmt.Sprint("y", n)), prio: prioYoung, due: time.Now()})
	}
	e.mu.Unlock()
	for id := 5; id <= 30; id++ {
		raw[id] = "DELIVERED"
	}
	ctx := context.Background()
	bulk := func() []api.ListQuery {
		n := len(f.lists)
		e.runBulk(ctx, b, api.VerticalVoucher)
		return f.lists[n:]
	}
	status := func(id int) Tracked {
		tr, ok := e.Get(key(api.VerticalVoucher, fmt.Sprint(id)))
		require.True(t, ok)
		return tr
	}

	qs := bulk()
	require.NotEmpty(t, qs)
	assert.Equal(t, "PENDING", qs[0].Status, "the first bulk check reads the PENDING list")
	e.mu.Lock()
	for id := 5; id <= 30; id++ {
		assert.True(t, e.entries[key(api.VerticalVoucher, fmt.Sprint(id))].absent, "order %d left the PENDING list", id)
	}
	e.mu.Unlock()
	assert.Equal(t, api.StatusPending, status(5).Order.Status, "absence alone moves nothing")

	qs = bulk()
	require.Len(t, qs, 4, "unfiltered pages back to order 5, the oldest absent one (40–31, 30–21, 20–11, 10–1)")
	for i, q := range qs {
		assert.Equal(t, "", q.Status)
		assert.Equal(t, i+1, q.Page)
	}
	for id := 5; id <= 30; id++ {
		tr := status(id)
		assert.Equal(t, api.StatusDelivered, tr.Order.Status, "order %d", id)
		assert.True(t, tr.ListOnly, "order %d: its codes are owed", id)
	}
	assert.Equal(t, api.StatusPending, status(31).Order.Status)
	assert.Empty(t, f.calls(), "no detail GET")

	qs = bulk()
	require.NotEmpty(t, qs)
	assert.Equal(t, "PENDING", qs[0].Status, "no absent order left: the PENDING list again")
}

// An unfiltered bulk check that reaches back past the discovery watermark
// does not track again a finished order discovery let go (evicted, or
// untracked by the user); a new order it shows is tracked.
func TestUnfilteredBulkLeavesSettledOrdersAlone(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	list := []api.Order{
		{ID: "9", RawStatus: "DELIVERED", CreatedAt: now.Add(-5 * time.Second)}, // new, past the watermark
		{ID: "8", RawStatus: "PENDING", CreatedAt: now.Add(-time.Minute)},       // tracked, in flight
		{ID: "7", RawStatus: "DELIVERED", CreatedAt: now.Add(-2 * time.Minute)}, // let go long ago
		{ID: "6", RawStatus: "PENDING", CreatedAt: now.Add(-3 * time.Minute)},   // in flight: tracked again
	}
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) { return list, nil }
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 1, WalletEvery: -1, Discover: true})
	require.NoError(t, err)
	b := e.budgets[api.ProviderOctopus]
	e.Track(api.Order{Vertical: api.VerticalTopup, ID: "8", Status: api.StatusPending, RawStatus: "PENDING",
		CreatedAt: now.Add(-time.Minute)}, OriginDiscovered)
	e.mu.Lock()
	b.listMark[api.VerticalTopup] = listMark{at: now.Add(-30 * time.Second)}
	e.mu.Unlock()
	e.runBulk(context.Background(), b, api.VerticalTopup)
	for id, want := range map[string]bool{"9": true, "8": true, "7": false, "6": true} {
		_, ok := e.Get(key(api.VerticalTopup, id))
		assert.Equal(t, want, ok, "order %s tracked", id)
	}
}
