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

// A sweep capped before it reached back to its watermark leaves a range of
// orders unread; on a list that filters by date the next sweeps read that
// range (taking turns with the new orders), so every order is discovered
// however far behind the sweeps fall (issue 12 at 10,000 a minute).
func TestCappedSweepsReadTheGapTheyLeft(t *testing.T) {
	f := newFake(api.ProviderOneClick, api.VerticalMobile)
	t0 := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var all []api.Order // newest first
	add := func(from, n int) {
		mu.Lock()
		defer mu.Unlock()
		for i := from; i < from+n; i++ {
			all = append([]api.Order{{ID: strconv.Itoa(i), RawStatus: "FULFILLED", CreatedAt: t0.Add(time.Duration(i) * time.Second)}}, all...)
		}
	}
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) {
		mu.Lock()
		defer mu.Unlock()
		var in []api.Order
		for _, o := range all {
			if q.Status != "" || (!q.From.IsZero() && o.CreatedAt.Before(q.From)) || (!q.To.IsZero() && o.CreatedAt.After(q.To)) {
				continue
			}
			in = append(in, o)
		}
		lo := min((q.Page-1)*q.PerPage, len(in))
		return in[lo:min(lo+q.PerPage, len(in))], nil
	}
	pol := PolicyFor(api.VerticalMobile)
	pol.ListsByDate, pol.PageSize = true, 10
	e, err := New(Config{Sources: []api.OrderSource{f}, WalletEvery: -1, Discover: true,
		Policies:     map[api.Vertical]Policy{api.VerticalMobile: pol},
		GETPerMinute: map[api.Provider]int{api.ProviderOneClick: 6_000_000}})
	require.NoError(t, err)
	b := e.budgets[api.ProviderOneClick]
	ctx := context.Background()
	known := func() int {
		e.mu.Lock()
		defer e.mu.Unlock()
		return len(e.entries)
	}

	add(0, 15)
	e.runList(ctx, b, api.VerticalMobile, "")
	require.Equal(t, 15, known(), "the first sweep reads back to the end")

	// 200 new orders: one sweep reads 8 pages of 10 and is capped.
	add(100, 200)
	e.runList(ctx, b, api.VerticalMobile, "")
	require.Equal(t, 15+80, known())
	for i := range 12 {
		add(1000+10*i, 10) // new orders keep coming meanwhile
		e.runList(ctx, b, api.VerticalMobile, "")
	}
	assert.Equal(t, 15+200+120, known(), "every order discovered: the skipped range was read")
	e.mu.Lock()
	assert.Empty(t, b.listGaps[api.VerticalMobile], "no range left unread")
	e.mu.Unlock()
}
