package oneclick

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
)

// dropPlaceOrder lets placeOrder reach the server, then loses the answer.
type dropPlaceOrder struct {
	base  http.RoundTripper
	on    atomic.Bool
	drops atomic.Int32
}

func (d *dropPlaceOrder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(r)
	if err != nil || !d.on.Load() || !strings.HasSuffix(r.URL.Path, "/gift-cards/placeOrder") {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d.drops.Add(1)
	return nil, errors.New("connection reset by peer")
}

type giftRig struct {
	c     *Client
	clock *clock
	drop  *dropPlaceOrder
}

func newGiftRig(t *testing.T) *giftRig {
	t.Helper()
	clk := &clock{t: time.Date(2025, 10, 29, 0, 35, 59, 0, time.UTC)}
	sb, err := oneclicksb.New(oneclicksb.Config{Seed: 9, Now: clk.Now, RatePerMinute: -1})
	require.NoError(t, err)
	ts := httptest.NewServer(sb.Handler())
	tr := &http.Transport{}
	d := &dropPlaceOrder{base: tr}
	c, err := New(Config{BaseURL: ts.URL, APIKey: api.Secret(sb.APIKey()), HTTPClient: &http.Client{Transport: d},
		Timeout: 5 * time.Second, Now: clk.Now})
	require.NoError(t, err)
	t.Cleanup(func() { tr.CloseIdleConnections(); ts.Close(); _ = sb.Close() })
	return &giftRig{c: c, clock: clk, drop: d}
}

func giftReq(ref, typ string, qty int) api.OrderRequest {
	return api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: oneclicksb.PSNProductID, VariantID: typ, Quantity: qty, ClientReference: ref}
}

func (g *giftRig) giftOrders(t *testing.T) []GiftOrder {
	t.Helper()
	l, _, err := g.c.GiftList(context.Background(), ListOptions{PageSize: 100})
	require.NoError(t, err)
	return l
}

func TestGiftDroppedPlaceOrderIsFoundInTheList(t *testing.T) {
	g := newGiftRig(t)
	ctx := context.Background()
	g.drop.on.Store(true)
	_, err := g.c.PlaceOrder(ctx, giftReq("ow-gift-1", "TEST_PARTIAL", 4))
	require.Equal(t, api.KindOutcomeUnknown, api.KindOf(err), "%v", err)
	require.EqualValues(t, 1, g.drop.drops.Load())
	g.drop.on.Store(false)

	list := g.giftOrders(t)
	require.Len(t, list, 1, "the order landed once")
	g.clock.Advance(10 * time.Second)

	o, found, err := g.c.FindByReference(ctx, api.VerticalGiftCard, "ow-gift-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, list[0].ID, o.ID)
	assert.Equal(t, api.StatusPartial, o.Status)
	assert.Len(t, o.Vouchers, 2)
	assert.Equal(t, 980.0, o.Refunded)

	// Once claimed, the reference resolves by id.
	again, found, err := g.c.FindByReference(ctx, api.VerticalGiftCard, "ow-gift-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, o.ID, again.ID)

	// The same reference is never sent again.
	_, err = g.c.PlaceOrder(ctx, giftReq("ow-gift-1", "TEST_PARTIAL", 4))
	assert.Equal(t, api.KindDuplicateReference, api.KindOf(err))
	assert.Len(t, g.giftOrders(t), 1)
}

func TestGiftMatchSkipsOrdersClaimedByOtherReferences(t *testing.T) {
	g := newGiftRig(t)
	ctx := context.Background()
	first, err := g.c.PlaceOrder(ctx, giftReq("ow-a", "type_001", 2))
	require.NoError(t, err)
	g.drop.on.Store(true)
	_, err = g.c.PlaceOrder(ctx, giftReq("ow-b", "type_001", 2))
	require.Equal(t, api.KindOutcomeUnknown, api.KindOf(err))
	g.drop.on.Store(false)

	o, found, err := g.c.FindByReference(ctx, api.VerticalGiftCard, "ow-b")
	require.NoError(t, err)
	require.True(t, found)
	assert.NotEqual(t, first.ID, o.ID, "ow-a's order is not ow-b's")
	a, found, err := g.c.FindByReference(ctx, api.VerticalGiftCard, "ow-a")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, first.ID, a.ID)
}

func TestGiftAmbiguousMatchStaysUnknown(t *testing.T) {
	g := newGiftRig(t)
	ctx := context.Background()
	// Another channel placed the same order at the same time.
	_, err := g.c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: oneclicksb.PSNProductID, TypeID: "type_002", Quantity: 1})
	require.NoError(t, err)
	g.drop.on.Store(true)
	_, err = g.c.PlaceOrder(ctx, giftReq("ow-c", "type_002", 1))
	require.Equal(t, api.KindOutcomeUnknown, api.KindOf(err))
	g.drop.on.Store(false)

	_, found, err := g.c.FindByReference(ctx, api.VerticalGiftCard, "ow-c")
	assert.False(t, found)
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err), "two candidates: never guessed, never ruled out")
	assert.Contains(t, err.Error(), "2 gift-card orders match")
}

func TestGiftNoMatchIsNotFound(t *testing.T) {
	g := newGiftRig(t)
	ctx := context.Background()
	// Same product and type but another quantity, and an order outside the window.
	_, err := g.c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: oneclicksb.PSNProductID, TypeID: "type_001", Quantity: 3})
	require.NoError(t, err)
	_, err = g.c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: oneclicksb.PSNProductID, TypeID: "type_001", Quantity: 1})
	require.NoError(t, err)
	g.clock.Advance(30 * time.Minute)
	require.NoError(t, g.c.RememberGiftIntent("ow-d", oneclicksb.PSNProductID, "type_001", 1, g.clock.Now(), ""))

	_, found, err := g.c.FindByReference(ctx, api.VerticalGiftCard, "ow-d")
	require.NoError(t, err)
	assert.False(t, found)
}

func TestGiftRememberAfterRestart(t *testing.T) {
	g := newGiftRig(t)
	ctx := context.Background()
	sent := g.clock.Now()
	id, err := g.c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: oneclicksb.PSNProductID, TypeID: "TEST_REFUND", Quantity: 2})
	require.NoError(t, err)

	_, _, err = g.c.FindByReference(ctx, api.VerticalGiftCard, "ow-e")
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err), "unknown to this process")

	require.NoError(t, g.c.RememberGiftIntent("ow-e", oneclicksb.PSNProductID, "TEST_REFUND", 2, sent, ""))
	o, found, err := g.c.FindByReference(ctx, api.VerticalGiftCard, "ow-e")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, id, o.ID)

	assert.Equal(t, api.KindValidation, api.KindOf(g.c.RememberGiftIntent("", "p", "t", 1, sent, "")))
	assert.Equal(t, api.KindValidation, api.KindOf(g.c.RememberGiftIntent("r", "p", "t", 0, sent, "")))
	assert.Equal(t, api.KindValidation, api.KindOf(g.c.RememberGiftIntent("r", "p", "t", 1, time.Time{}, "")))
	assert.Equal(t, api.KindDuplicateReference, api.KindOf(g.c.RememberGiftIntent("ow-e", oneclicksb.PSNProductID, "TEST_REFUND", 2, sent, "other")))
}

func TestGiftRefusedOrderIsForgotten(t *testing.T) {
	g := newGiftRig(t)
	ctx := context.Background()
	_, err := g.c.PlaceOrder(ctx, giftReq("ow-f", "type_003", 1))
	require.Equal(t, api.KindValidation, api.KindOf(err), "out of stock")
	_, _, err = g.c.FindByReference(ctx, api.VerticalGiftCard, "ow-f")
	assert.Equal(t, api.KindOutcomeUnknown, api.KindOf(err))
	// A refused reference may be used again.
	_, err = g.c.PlaceOrder(ctx, giftReq("ow-f", "type_001", 1))
	require.NoError(t, err)
}

// The plug-in hook: the journal's unresolved gift-card intents are
// remembered at start; other verticals are found by reference and ignored.
func TestRecallIntentRemembersGiftCardsOnly(t *testing.T) {
	g := newGiftRig(t)
	ctx := context.Background()
	sent := g.clock.Now()
	id, err := g.c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: oneclicksb.PSNProductID, TypeID: "TEST_REFUND", Quantity: 2})
	require.NoError(t, err)
	require.NoError(t, g.c.RecallIntent(api.Intent{Request: api.OrderRequest{Vertical: VerticalMobile, ClientReference: "ow-m"}, Sent: sent}))
	require.NoError(t, g.c.RecallIntent(api.Intent{Request: api.OrderRequest{Vertical: VerticalGiftCard, ClientReference: "ow-g",
		ProductID: oneclicksb.PSNProductID, VariantID: "TEST_REFUND", Quantity: 2}, Sent: sent}))
	o, found, err := g.c.FindByReference(ctx, VerticalGiftCard, "ow-g")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, id, o.ID)
	assert.Error(t, g.c.RecallIntent(api.Intent{Request: api.OrderRequest{Vertical: VerticalGiftCard, ClientReference: "ow-x"}, Sent: sent}),
		"a gift-card intent without product is refused")
}
