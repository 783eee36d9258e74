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
