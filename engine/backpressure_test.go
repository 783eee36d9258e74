package engine

import (
	"context"
	"testing"

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
