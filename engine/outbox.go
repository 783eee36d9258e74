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
	mu      sync.Mutex
	orders  map[api.OrderKey]OrderUpdate
	order   []api.OrderKey // first-publish order of the pending batch
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

func (o *outbox) reset() {
	o.orders = map[api.OrderKey]OrderUpdate{}
	o.order = nil
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
		if prev, ok := o.orders[k]; ok {
			// Keep what the consumer must not miss: that it is new, and
			// the last transition when the newer update has none.
			u.New = u.New || prev.New
			if u.Event == nil {
				u.Event = prev.Event
			}
		} else {
			o.order = append(o.order, k)
		}
		o.orders[k] = u
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
	var b Batch
	for _, k := range o.order {
		b = append(b, o.orders[k])
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
