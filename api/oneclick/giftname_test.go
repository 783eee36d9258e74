package oneclick

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
)

// A gift-card order carries only its product id; the client names it from
// the catalogue, so messages and the table show "PlayStation Network".
func TestGiftOrdersAreNamedFromTheCatalogue(t *testing.T) {
	k := newContract(t, oneclicksb.Config{Seed: 4})
	ctx := context.Background()
	o, err := k.c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: oneclicksb.PSNProductID, VariantID: "type_001", Quantity: 1})
	require.NoError(t, err)
	assert.Equal(t, "PlayStation Network", o.ProductName)
	k.clock.Advance(10 * time.Second)
	g, err := k.c.GetOrder(ctx, api.VerticalGiftCard, o.ID)
	require.NoError(t, err)
	assert.Equal(t, "PlayStation Network", g.ProductName)
	page, err := k.c.ListOrders(ctx, api.VerticalGiftCard, api.ListQuery{Page: 1, PerPage: 10})
	require.NoError(t, err)
	require.NotEmpty(t, page.Orders)
	for _, x := range page.Orders {
		if x.ID == o.ID {
			assert.Equal(t, "PlayStation Network", x.ProductName)
		}
	}
}
