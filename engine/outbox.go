package engine

import (
	"context"
	"sync"

	"github.com/orderwatch/orderwatch/api"
)

// outbox coalesces updates so a slow consumer never blocks a poller: writers
// fill maps under a mutex and poke a 1-buffered signal; one relay goroutine
// hands the accumulated batch over.
type outbox struct {
	mu sync.Mutex
	// orders is the pending batch's order updates, in first-publish order,
	// and at their index in it; both are reused from batch to batch (an
	// update is large: a fresh map per batch was most of the engine's
	// garbage under load).
	orders  []OrderUpdate
	at      map[api.OrderKey]int
	budgets map[api.Provider]BudgetUpdate
	wallets map[api.Provider]WalletUpdate
	errs    map[string]ErrorUpdate
	lists   map[api.Vertical]ListUpdate
	hook    *WebhookUpdate
	journal []JournalUpdate
	signal  chan struct{}
	out     chan Batch
}

func newOutbox() *outbox {
	o := &outbox{signal: make(chan struct{}, 1), out: make(chan Batch)}
	o.reset()
	return o
}

// keepOrders is the largest pending batch whose storage is reused: a burst
// (a start-up, a sweep that found thousands) leaves no lasting memory.
const keepOrders = 256

func (o *outbox) reset() {
	if cap(o.orders) > keepOrders || o.at == nil {
		o.orders, o.at = nil, map[api.OrderKey]int{}
	} else {
		clear(o.orders) // no stale pointers kept alive
		o.orders = o.orders[:0]
		clear(o.at)
	}
	o.budgets = map[api.Provider]BudgetUpdate{}
	o.wallets = map[api.Provider]WalletUpdate{}
	o.errs = map[string]ErrorUpdate{}
	o.lists = map[api.Vertical]ListUpdate{}
	o.hook = nil
	o.journal = nil
}

func (o *outbox) poke() {
	select {
	case o.signal <- struct{}{}:
	default:
	}
}

// put never blocks (beyond the mutex).
func (o *outbox) put(u Update) {
	o.mu.Lock()
	switch u := u.(type) {
	case OrderUpdate:
		k := u.Tracked.Order.Key()
		if i, ok := o.at[k]; ok {
			// Keep what the consumer must not miss: that it is new, and
			// the last transition when the newer update has none.
			prev := &o.orders[i]
			u.New = u.New || prev.New
			if u.Event == nil {
				u.Event = prev.Event
			}
			*prev = u
		} else {
			o.at[k] = len(o.orders)
			o.orders = append(o.orders, u)
		}
	case BudgetUpdate:
		o.budgets[u.Provider] = u
	case WalletUpdate:
		o.wallets[u.Provider] = u
	case ErrorUpdate:
		o.errs[string(u.Provider)+"/"+string(u.Vertical)] = u
	case ListUpdate:
		o.lists[u.Vertical] = u
	case WebhookUpdate:
		o.hook = &u
	case JournalUpdate:
		// Each journal outcome matters (e.g. "never placed"): not coalesced,
		// but bounded.
		if len(o.journal) < 1000 {
			o.journal = append(o.journal, u)
		}
	}
	o.mu.Unlock()
	o.poke()
}

func (o *outbox) take() Batch {
	o.mu.Lock()
	defer o.mu.Unlock()
	b := make(Batch, 0, len(o.orders)+len(o.budgets)+len(o.wallets)+len(o.errs)+len(o.lists)+len(o.journal)+1)
	for i := range o.orders {
		b = append(b, o.orders[i])
	}
	for _, u := range o.budgets {
		b = append(b, u)
	}
	for _, u := range o.wallets {
		b = append(b, u)
	}
	for _, u := range o.errs {
		b = append(b, u)
	}
	for _, u := range o.lists {
		b = append(b, u)
	}
	if o.hook != nil {
		b = append(b, *o.hook)
	}
	for _, u := range o.journal {
		b = append(b, u)
	}
	o.reset()
	return b
}

// relay hands batches to the consumer until ctx ends, then closes the channel.
func (o *outbox) relay(ctx context.Context) {
	defer close(o.out)
	for {
		select {
		case <-ctx.Done():
			return
		case <-o.signal:
		}
		b := o.take()
		if len(b) == 0 {
			continue
		}
		select {
		case o.out <- b:
		case <-ctx.Done():
			return
		}
	}
}
