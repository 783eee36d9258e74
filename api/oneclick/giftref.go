package oneclick

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Gift cards have no ref at OneClickDz (contract §9). Exactly-once rests on
// the journal's intent: the client remembers, per journal reference, what
// it sent (product, type, quantity, time). After a lost answer the order is
// looked for in gift-cards/list: same product, type and quantity, created
// in a window around the send, and not already claimed by another
// reference. The memory is per process: after a restart the caller must
// hand intents back with RememberGiftIntent, or the lookup says it cannot
// tell (the order is never sent again either way).

const (
	// giftMatchBefore tolerates clock skew between us and the provider.
	giftMatchBefore = 2 * time.Minute
	// giftMatchAfter bounds when a sent order can appear: a create lands
	// within its own timeout.
	giftMatchAfter = 10 * time.Minute
	// giftMatchPages bounds the list pages searched (100 orders each).
	giftMatchPages = 5
)

type giftIntent struct {
	product, typ string
	qty          int
	sentAt       time.Time
	orderID      string
}

type giftIntents struct {
	mu sync.Mutex
	m  map[string]*giftIntent
}

// begin records an intent; a reference that already names an order is refused.
func (g *giftIntents) begin(ref string, in giftIntent) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		g.m = map[string]*giftIntent{}
	}
	if old, ok := g.m[ref]; ok && old.orderID != "" {
		return old.orderID, false
	}
	g.m[ref] = &in
	return "", true
}

func (g *giftIntents) get(ref string) (giftIntent, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	in, ok := g.m[ref]
	if !ok {
		return giftIntent{}, false
	}
	return *in, true
}

func (g *giftIntents) forget(ref string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.m, ref)
}

// claim attaches id to ref unless another reference holds it already.
func (g *giftIntents) claim(ref, id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for r, in := range g.m {
		if r != ref && in.orderID == id {
			return false
		}
	}
	if in, ok := g.m[ref]; ok {
		in.orderID = id
	}
	return true
}

func (g *giftIntents) claimedByOther(ref, id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for r, in := range g.m {
		if r != ref && in.orderID == id {
			return true
		}
	}
	return false
}

// RememberGiftIntent hands the client a gift-card order placed under ref
// (the journal key) by an earlier process, so that FindByReference can
// match it in gift-cards/list. orderID may be "" when it is not known.
func (c *Client) RememberGiftIntent(ref, productID, typeID string, quantity int, sentAt time.Time, orderID string) error {
	switch {
	case strings.TrimSpace(ref) == "":
		return validationErr("RememberGiftIntent", "ref", "the reference is empty")
	case strings.TrimSpace(productID) == "" || strings.TrimSpace(typeID) == "" || quantity < 1 || sentAt.IsZero():
		return validationErr("RememberGiftIntent", "intent", "want a product, a type, a quantity ≥ 1 and the time it was sent")
	}
	if id, ok := c.gifts.begin(ref, giftIntent{product: productID, typ: typeID, qty: quantity, sentAt: sentAt, orderID: orderID}); !ok && id != orderID {
		return &api.Error{Kind: api.KindDuplicateReference, Provider: ProviderID, Op: "RememberGiftIntent",
			Message: fmt.Sprintf("reference %q already names gift-card order %s", ref, id)}
	}
	return nil
}

func giftUnknown(format string, args ...any) error {
	return &api.Error{Kind: api.KindOutcomeUnknown, Provider: ProviderID, Op: "FindByReference giftcard",
		Message: fmt.Sprintf(format, args...)}
}

// findGift resolves a journal reference to the gift-card order it placed.
func (c *Client) findGift(ctx context.Context, ref string) (api.Order, bool, error) {
	in, ok := c.gifts.get(ref)
	if !ok {
		return api.Order{}, false, giftUnknown("gift cards have no reference at OneClickDz and this process did not place %q "+
			"(it knows only the orders it sent since it started): check gift-cards/list by hand; the order is never sent again", ref)
	}
	if in.orderID != "" {
		g, err := c.GiftCheckOrder(ctx, in.orderID)
		if err != nil {
			return api.Order{}, false, err
		}
		return g.Order(), true, nil
	}
	from, to := in.sentAt.Add(-giftMatchBefore), in.sentAt.Add(giftMatchAfter)
	var matches []GiftOrder
	seen := map[string]bool{}
	for page := 1; page <= giftMatchPages; page++ {
		l, p, err := c.GiftList(ctx, ListOptions{Page: page, PageSize: 100, From: from, To: to})
		if err != nil {
			return api.Order{}, false, err
		}
		for _, g := range l {
			if seen[g.ID] || g.Product != in.product || g.Type != in.typ || g.Quantity != in.qty ||
				g.Time.IsZero() || g.Time.Before(from) || g.Time.After(to) || c.gifts.claimedByOther(ref, g.ID) {
				continue
			}
			seen[g.ID] = true
			matches = append(matches, g)
		}
		if len(l) < 100 || page >= p.TotalPages {
			break
		}
	}
	switch len(matches) {
	case 0:
		return api.Order{}, false, nil
	case 1:
		if !c.gifts.claim(ref, matches[0].ID) {
			return api.Order{}, false, giftUnknown("the matching order %s was just claimed by another reference", matches[0].ID)
		}
		o := matches[0].Order()
		o.StatusText = "matched in gift-cards/list by product, type, quantity and time (gift cards have no reference)"
		return o, true, nil
	}
	ids := make([]string, 0, len(matches))
	for _, g := range matches {
		ids = append(ids, g.ID)
	}
	return api.Order{}, false, giftUnknown("%d gift-card orders match (%s × %d of %s, placed around %s): cannot tell which one is ours; "+
		"check gift-cards/list by hand (%s); the order is never sent again", len(matches), in.typ, in.qty, in.product,
		in.sentAt.UTC().Format(time.RFC3339), strings.Join(ids, ", "))
}
