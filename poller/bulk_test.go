package poller

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

// The evidence rules of one bulk list, applied without running the engine.
func TestBulkEvidenceRules(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 1, WalletEvery: -1})
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
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 60000}})
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
	elapsed := time.Since(start)
	f.mu.Lock()
	lists := f.lists
	f.mu.Unlock()
	require.GreaterOrEqual(t, len(lists), 5, "lists run at the foreground cadence")
	for _, q := range lists {
		assert.Equal(t, "PENDING", q.Status)
		assert.Equal(t, 500, q.PerPage, "the largest page the topup list allows")
	}
	// Without lists: 5, 10, 20, 30, 30 s… (50–300 ms) ≈ 5 GETs in 700 ms.
	// With them: the safety net alone, one per 300 ms from first seen.
	capN := int(elapsed/(300*time.Millisecond)) + 1
	for i := range 5 {
		n := len(f.getTimes(key(api.VerticalTopup, fmt.Sprint(i))))
		assert.GreaterOrEqual(t, n, 1, "order %d: the safety net still fetches the detail", i)
		assert.LessOrEqual(t, n, capN, "order %d: vouched instead of polled", i)
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
