package engine

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

// A 429 on a list or the wallets is back-pressure the budget handles (and
// the status bar counts), not an error to show; other failures still are.
func TestHandled429IsNotAnErrorUpdate(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	var listErr error = &api.Error{Kind: api.KindRateLimited, HTTPStatus: 429}
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) { return nil, listErr }
	e, err := New(Config{Sources: []api.OrderSource{f}, WalletEvery: -1})
	require.NoError(t, err)
	b := e.budgets[api.ProviderOctopus]
	errs := func() (out []string) {
		for _, u := range e.out.take() {
			if eu, ok := u.(ErrorUpdate); ok {
				out = append(out, eu.Err)
			}
		}
		return
	}
	e.runList(context.Background(), b, api.VerticalTopup, "PENDING")
	e.runBulk(context.Background(), b, api.VerticalTopup)
	e.finishWallets(context.Background(), b, nil, listErr)
	assert.Empty(t, errs(), "handled 429s")

	listErr = &api.Error{Kind: api.KindServer, HTTPStatus: 503}
	e.runList(context.Background(), b, api.VerticalTopup, "PENDING")
	assert.Len(t, errs(), 1, "a 503 is still shown")
}

// An eSIM or voucher order first seen already delivered, in a list that
// lacks its codes, is due for its detail at once; a topup (whose list item
// is complete) is not.
func TestFoundDeliveredGetsItsDetailAtOnce(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalESIM, api.VerticalTopup)
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) {
		return []api.Order{{Provider: api.ProviderOctopus, Vertical: v, ID: "7", Status: api.StatusDelivered, RawStatus: "DELIVERED",
			ESIM: &api.ESIM{ActivationStatus: api.ActivationNotInstalled}}}, nil
	}
	e, err := New(Config{Sources: []api.OrderSource{f}, WalletEvery: -1})
	require.NoError(t, err)
	b := e.budgets[api.ProviderOctopus]
	e.runList(context.Background(), b, api.VerticalESIM, "")
	e.runList(context.Background(), b, api.VerticalTopup, "")
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	es := e.entries[api.OrderKey{Vertical: api.VerticalESIM, ID: "7"}]
	require.NotNil(t, es)
	assert.False(t, es.t.NextCheck.IsZero() || es.t.NextCheck.After(now), "eSIM detail due now, not at %v", es.t.NextCheck.Sub(now))
	tp := e.entries[api.OrderKey{Vertical: api.VerticalTopup, ID: "7"}]
	require.NotNil(t, tp)
	assert.True(t, tp.t.NextCheck.IsZero() || tp.t.NextCheck.After(now), "a complete list item needs no detail")
}

// Every discovery list says it ran, the unfiltered one too: discovery
// alternates the two every 15 s, and "listed N s ago" must follow that.
func TestEveryDiscoveryListIsReported(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	e, err := New(Config{Sources: []api.OrderSource{f}, WalletEvery: -1})
	require.NoError(t, err)
	b := e.budgets[api.ProviderOctopus]
	for _, status := range []string{"PENDING", ""} {
		e.runList(context.Background(), b, api.VerticalTopup, status)
		var lists []ListUpdate
		for _, u := range e.out.take() {
			if lu, ok := u.(ListUpdate); ok {
				lists = append(lists, lu)
			}
		}
		assert.Len(t, lists, 1, "list %q", status)
	}
}

// A 429 that states a limit under the budget lowers the budget for the rest
// of the run (to 90% of it), and says so once; a 429 that states nothing
// (or a higher limit) leaves it alone.
func TestA429StatingALowerLimitLowersTheBudgetOnce(t *testing.T) {
	f := newFake(api.ProviderOneClick, api.VerticalMobile)
	var listErr error = &api.Error{Kind: api.KindRateLimited, HTTPStatus: 429}
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) { return nil, listErr }
	var said []string
	e, err := New(Config{Sources: []api.OrderSource{f}, WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOneClick: 300},
		Logf:         func(f string, a ...any) { said = append(said, f) }})
	require.NoError(t, err)
	b := e.budgets[api.ProviderOneClick]
	ctx := context.Background()
	e.runList(ctx, b, api.VerticalMobile, "")
	assert.Equal(t, 300, b.snapshot(e.now()).PerMinute, "a 429 that says no limit")
	listErr = &api.Error{Kind: api.KindRateLimited, HTTPStatus: 429, PerMinute: 500}
	e.runList(ctx, b, api.VerticalMobile, "")
	assert.Equal(t, 300, b.snapshot(e.now()).PerMinute, "a higher limit")
	listErr = &api.Error{Kind: api.KindRateLimited, HTTPStatus: 429, PerMinute: 120}
	e.runList(ctx, b, api.VerticalMobile, "")
	e.runList(ctx, b, api.VerticalMobile, "")
	s := b.snapshot(e.now())
	assert.Equal(t, 108, s.PerMinute)
	assert.Equal(t, 300, s.LoweredFrom)
	assert.InDelta(t, 107.0/60, float64(b.lim.Limit()), 0.01)
	listErr = &api.Error{Kind: api.KindRateLimited, HTTPStatus: 429, PerMinute: 60}
	e.runList(ctx, b, api.VerticalMobile, "")
	assert.Equal(t, 54, b.snapshot(e.now()).PerMinute)
	n := 0
	for _, s := range said {
		if strings.Contains(s, "budget lowered") {
			n++
		}
	}
	assert.Equal(t, 1, n, "said once: %q", said)
}

// A pass of a list that filters by date keeps its place: a run capped before
// it reached back to the watermark stops at a page, and the next runs read on
// from there (its range ends at its start, so its pages stay put), so every order is discovered however far the scans fall behind
// (issue 12 at 10,000 a minute).
func TestCappedScansReadOnWhereTheyStopped(t *testing.T) {
	fx := newScanFixture(t, 10, 20*time.Minute)

	fx.add(0, 15, "FULFILLED")
	fx.run()
	require.Equal(t, 15, fx.tracked(), "the first pass reads back to the end")

	// 200 new orders: one run reads 8 pages of 10 and stops.
	fx.add(100, 200, "FULFILLED")
	fx.run()
	require.Equal(t, 15+80, fx.tracked())
	for i := range 12 {
		fx.add(1000+10*i, 10, "FULFILLED") // new orders keep coming meanwhile
		fx.run()
	}
	assert.Equal(t, 15+200+120, fx.tracked(), "every order discovered: the pass read on where it stopped")
}

// A pass reads back to the oldest in-flight order, below the watermark, so
// the list carries the status of every order in flight; an evicted finished
// order older than the watermark is not tracked again.
func TestScansCarryTheStatusOfInFlightOrders(t *testing.T) {
	fx := newScanFixture(t, 10, 3*time.Minute)

	fx.add(0, 30, "FULFILLED")
	fx.set("3", "PENDING") // old, still in flight
	fx.run()
	require.Equal(t, 30, fx.tracked())
	fx.forget("10") // evicted, inside the window the pass reads

	fx.add(100, 25, "FULFILLED") // three pages of new orders above it
	fx.set("3", "FULFILLED")
	for range 3 {
		fx.run()
	}
	assert.Equal(t, api.StatusDelivered, fx.status("3"), "the pass reached back to the order in flight")
	assert.Equal(t, 29+25, fx.tracked(), "the evicted order stays gone")
	assert.Nil(t, fx.b.scans[api.VerticalMobile], "the pass ended at its lower bound")
}

// scanFixture is one OneClickDz-like vertical whose list filters by date,
// newest first, with orders one second apart.
type scanFixture struct {
	t  *testing.T
	e  *Engine
	b  *budget
	mu sync.Mutex
	// all is newest first.
	all []api.Order
	t0  time.Time
}

// Orders are created one second apart from back ago: a pass reads up to
// its start, and an order stays in its foreground for 5 minutes.
func newScanFixture(t *testing.T, pageSize int, back time.Duration) *scanFixture {
	fx := &scanFixture{t: t, t0: time.Now().Add(-back).Truncate(time.Second)}
	f := newFake(api.ProviderOneClick, api.VerticalMobile)
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) {
		fx.mu.Lock()
		defer fx.mu.Unlock()
		var in []api.Order
		for _, o := range fx.all {
			if (!q.From.IsZero() && o.CreatedAt.Before(q.From)) || (!q.To.IsZero() && o.CreatedAt.After(q.To)) {
				continue
			}
			in = append(in, o)
		}
		lo := min((q.Page-1)*q.PerPage, len(in))
		return in[lo:min(lo+q.PerPage, len(in))], nil
	}
	pol := PolicyFor(api.VerticalMobile)
	require.True(t, scanned(pol), "OneClickDz lists are scanned")
	pol.PageSize = pageSize
	e, err := New(Config{Sources: []api.OrderSource{f}, WalletEvery: -1, Discover: true,
		Policies:     map[api.Vertical]Policy{api.VerticalMobile: pol},
		GETPerMinute: map[api.Provider]int{api.ProviderOneClick: 6_000_000}})
	require.NoError(t, err)
	fx.e, fx.b = e, e.budgets[api.ProviderOneClick]
	return fx
}

func (fx *scanFixture) add(from, n int, raw string) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	for i := from; i < from+n; i++ {
		o := api.Order{ID: strconv.Itoa(i), RawStatus: raw, CreatedAt: fx.t0.Add(time.Duration(i) * time.Second)}
		fx.all = append([]api.Order{o}, fx.all...)
	}
}

func (fx *scanFixture) set(id, raw string) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	for i := range fx.all {
		if fx.all[i].ID == id {
			fx.all[i].RawStatus = raw
		}
	}
}

func (fx *scanFixture) run() { fx.e.runScan(context.Background(), fx.b, api.VerticalMobile, false) }

func (fx *scanFixture) tracked() int {
	fx.e.mu.Lock()
	defer fx.e.mu.Unlock()
	return len(fx.e.entries)
}

func (fx *scanFixture) forget(id string) {
	fx.e.mu.Lock()
	defer fx.e.mu.Unlock()
	ent := fx.e.entries[api.OrderKey{Vertical: api.VerticalMobile, ID: id}]
	require.NotNil(fx.t, ent)
	fx.e.forgetLocked(ent)
}

func (fx *scanFixture) status(id string) api.Status {
	tr, ok := fx.e.Get(api.OrderKey{Vertical: api.VerticalMobile, ID: id})
	require.True(fx.t, ok, "order %s tracked", id)
	return tr.Order.Status
}
