package serve

import (
	"context"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/engine"
)

// DefaultFrameEvery paces the batches a session receives: 20 a second.
const DefaultFrameEvery = 50 * time.Millisecond

// Hub is the one consumer of the engine's updates; it hands every batch to
// each session's own queue. Putting into a queue never blocks, so a slow or
// frozen client stalls nobody: its queue only coalesces.
type Hub struct {
	e        *engine.Engine
	src      <-chan engine.Batch // nil: e.Updates()
	presence *team.Presence

	// every paces each session's batches (see queue.relay); 0 is unpaced.
	every time.Duration

	mu   sync.Mutex
	subs map[*Sub]struct{}
}

// NewHub builds a hub over e; Run starts the fan-out.
func NewHub(e *engine.Engine, p *team.Presence) *Hub {
	if p == nil {
		p = &team.Presence{}
	}
	return &Hub{e: e, presence: p, subs: map[*Sub]struct{}{}, every: DefaultFrameEvery}
}

// Presence is who is connected.
func (h *Hub) Presence() *team.Presence { return h.presence }

// Run forwards the engine's batches until the engine's channel closes or
// ctx ends; then every session's Updates channel closes too.
func (h *Hub) Run(ctx context.Context) {
	defer h.closeAll()
	src := h.src
	if src == nil {
		src = h.e.Updates()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case b, ok := <-src:
			if !ok {
				return
			}
			h.publish(b)
		}
	}
}

func (h *Hub) publish(b engine.Batch) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.q.put(b)
	}
}

func (h *Hub) closeAll() {
	h.mu.Lock()
	subs := h.subs
	h.subs = map[*Sub]struct{}{}
	h.mu.Unlock()
	for s := range subs {
		s.q.stop()
	}
}

// Sessions counts the subscribed sessions.
func (h *Hub) Sessions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Subscribe gives a session its own view of the engine. Its queue's relay
// goroutine ends, and Updates closes, when ctx ends or Close is called.
func (h *Hub) Subscribe(ctx context.Context, member string) *Sub {
	s := &Sub{h: h, q: newQueue()}
	s.q.every = h.every
	s.seat = h.presence.Join(member, s.q.poke)
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		s.q.relay(ctx)
	}()
	return s
}

// Sub is one session's engine.Controller: reads come from its own queue,
// actions go to the shared engine.
type Sub struct {
	h      *Hub
	q      *queue
	seat   int
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// Seat is the session's id in the hub's Presence.
func (s *Sub) Seat() int { return s.seat }

// Close ends the session's relay and waits for it.
func (s *Sub) Close() {
	s.once.Do(func() {
		s.h.mu.Lock()
		delete(s.h.subs, s)
		s.h.mu.Unlock()
		s.h.presence.Leave(s.seat)
		s.cancel()
		<-s.done
	})
}

func (s *Sub) Updates() <-chan engine.Batch { return s.q.out }
func (s *Sub) Refresh(k api.OrderKey)       { s.h.e.Refresh(k) }
func (s *Sub) Track(o api.Order, origin engine.Origin) {
	s.h.e.Track(o, origin)
}
func (s *Sub) Pin(k api.OrderKey) error   { return s.h.e.Pin(k) }
func (s *Sub) Snapshot() []engine.Tracked { return s.h.e.Snapshot() }

// Focus tells the engine what someone looks at (its priority) and the team
// who looks at what.
func (s *Sub) Focus(k api.OrderKey) {
	if k.ID != "" && s.h.e != nil { // nil: a hub fed by hand (benchmarks)
		s.h.e.Focus(k)
	}
	s.h.presence.Focus(s.seat, k)
}

var _ engine.Controller = (*Sub)(nil)

// queue is a session's bounded, coalescing mailbox: one entry per order
// (the latest, remembering that it was new and its last transition), one per
// provider for budgets and wallets, a capped list of journal outcomes. Its
// size is bounded by the number of tracked orders, whatever the client does.
type queue struct {
	mu      sync.Mutex
	orders  map[api.OrderKey]int // index into list
	list    engine.Batch
	other   map[string]int
	journal int
	dirty   bool // presence changed: deliver even an empty batch
	stopped bool
	every   time.Duration // least time between two batches handed over
	signal  chan struct{}
	out     chan engine.Batch
}

const maxJournal = 1000

func newQueue() *queue {
	return &queue{orders: map[api.OrderKey]int{}, other: map[string]int{}, signal: make(chan struct{}, 1), out: make(chan engine.Batch)}
}

func (q *queue) poke() {
	q.mu.Lock()
	q.dirty = true
	q.mu.Unlock()
	q.wake()
}

func (q *queue) wake() {
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *queue) stop() {
	q.mu.Lock()
	q.stopped = true
	q.mu.Unlock()
	q.wake()
}

func otherKey(u engine.Update) (string, bool) {
	switch u := u.(type) {
	case engine.BudgetUpdate:
		return "b/" + string(u.Provider), true
	case engine.WalletUpdate:
		return "w/" + string(u.Provider), true
	case engine.ErrorUpdate:
		return "e/" + string(u.Provider) + "/" + string(u.Vertical), true
	case engine.ListUpdate:
		return "l/" + string(u.Vertical), true
	case engine.WebhookUpdate:
		return "h", true
	}
	return "", false
}

// put folds a batch in; it never waits for the consumer.
func (q *queue) put(b engine.Batch) {
	q.mu.Lock()
	for _, u := range b {
		switch x := u.(type) {
		case engine.OrderUpdate:
			k := x.Tracked.Order.Key()
			if i, ok := q.orders[k]; ok {
				prev := q.list[i].(engine.OrderUpdate)
				x.New = x.New || prev.New
				if x.Event == nil {
					x.Event = prev.Event
				}
				q.list[i] = x
				continue
			}
			q.orders[k] = len(q.list)
		case engine.JournalUpdate:
			if q.journal >= maxJournal {
				continue
			}
			q.journal++
		default:
			if k, ok := otherKey(u); ok {
				if i, dup := q.other[k]; dup {
					q.list[i] = u
					continue
				}
				q.other[k] = len(q.list)
			}
		}
		q.list = append(q.list, u)
	}
	q.mu.Unlock()
	q.wake()
}

func (q *queue) take() (engine.Batch, bool, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	b, dirty := q.list, q.dirty
	q.list = nil
	q.dirty = false
	q.journal = 0
	clear(q.orders)
	clear(q.other)
	return b, dirty, q.stopped
}

// relay hands batches over until ctx ends or the hub stops, then closes out.
func (q *queue) relay(ctx context.Context) {
	defer close(q.out)
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.signal:
		}
		b, dirty, stopped := q.take()
		if stopped {
			return
		}
		if len(b) == 0 && !dirty {
			continue
		}
		if b == nil {
			b = engine.Batch{}
		}
		select {
		case q.out <- b:
		case <-ctx.Done():
			return
		}
		// At most one batch per frame interval: what arrives meanwhile
		// coalesces, so fifty sessions redraw at a human pace however fast
		// the engine publishes. Keys do not pass here; they are not delayed.
		if q.every > 0 {
			t := time.NewTimer(q.every)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
	}
}
