package bench

import (
	"context"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

// tracker is a strategy at work on one run: it is handed each order right
// after its create call and reports terminal sightings to the observations.
type tracker interface {
	start(o api.Order)
	// sealed is called once every order was handed over.
	sealed()
	// done is closed when the strategy has given up on its own (nil: never).
	done() <-chan struct{}
	// stop ends the strategy and waits for every goroutine it started.
	stop()
}

// engineTracker is orderwatch's engine: Track each order, read Updates.
type engineTracker struct {
	e      *engine.Engine
	origin engine.Origin
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startEngine(ctx context.Context, e *engine.Engine, origin engine.Origin, p api.Provider, obs *observations) *engineTracker {
	ctx, cancel := context.WithCancel(ctx)
	t := &engineTracker{e: e, origin: origin, cancel: cancel}
	t.wg.Go(func() { _ = e.Run(ctx) })
	t.wg.Go(func() {
		// The UI's view: an order is detected when an update carrying a
		// terminal status reaches the consumer.
		for b := range e.Updates() {
			now := time.Now()
			for _, u := range b {
				ou, ok := u.(engine.OrderUpdate)
				if !ok || ou.Removed {
					continue
				}
				o := ou.Tracked.Order
				if isTerminal(o.Vertical, o.Status) {
					obs.see(o.Key(), o.RawStatus, now)
				}
			}
		}
	})
	return t
}

func (t *engineTracker) start(o api.Order)     { t.e.Track(o, t.origin) }
func (t *engineTracker) sealed()               {}
func (t *engineTracker) done() <-chan struct{} { return nil }
func (t *engineTracker) stop()                 { t.cancel(); t.wg.Wait() }
func (t *engineTracker) webhooks() engine.WebhookUpdate {
	if h := t.e.Webhooks(); h != nil {
		return h.Stats()
	}
	return engine.WebhookUpdate{}
}

// loopTracker is a naive baseline: one goroutine per order, a plain GET per
// attempt, no shared budget. A 429 or any other error is a failed attempt;
// the loop carries on with its schedule, as a script would.
type loopTracker struct {
	ctx    context.Context
	cancel context.CancelFunc
	src    api.OrderSource
	p      api.Provider
	obs    *observations
	next   func(attempt int, started, now time.Time) (time.Duration, bool)
	wg     sync.WaitGroup
	aux    sync.WaitGroup
	fin    chan struct{}
}

// fixedLoop is the OneClickDz guide's pollStatus: up to 60 attempts, 5 s
// apart (000_61aa245df9c1e0b6.txt).
func fixedLoop(scale float64) func(int, time.Time, time.Time) (time.Duration, bool) {
	every := scaleDur(5*time.Second, scale)
	return func(attempt int, _, _ time.Time) (time.Duration, bool) {
		return every, attempt < 60
	}
}

// backoffLoop is the Octopus guide's shell loop: 5, 10, 20, 30, 30… s while
// under a 10-minute deadline (003_ac65eefc6f73fb36.txt). The script as
// printed doubles 20 to 40 ("-lt 30"); its own comment and the guidelines
// say 30, which is what this follows.
func backoffLoop(scale float64) func(int, time.Time, time.Time) (time.Duration, bool) {
	steps := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second}
	limit := scaleDur(10*time.Minute, scale)
	return func(attempt int, started, now time.Time) (time.Duration, bool) {
		d := scaleDur(steps[min(attempt-1, len(steps)-1)], scale)
		// The deadline is checked before each GET, after the sleep.
		return d, now.Add(d).Sub(started) < limit
	}
}

func scaleDur(d time.Duration, f float64) time.Duration { return time.Duration(float64(d) * f) }

func startLoops(ctx context.Context, src api.OrderSource, p api.Provider, obs *observations,
	next func(int, time.Time, time.Time) (time.Duration, bool)) *loopTracker {
	ctx, cancel := context.WithCancel(ctx)
	return &loopTracker{ctx: ctx, cancel: cancel, src: src, p: p, obs: obs, next: next, fin: make(chan struct{})}
}

func (t *loopTracker) start(o api.Order) {
	k := o.Key()
	t.wg.Go(func() {
		started := time.Now()
		timer := time.NewTimer(time.Hour)
		defer timer.Stop()
		for attempt := 1; ; attempt++ {
			got, err := t.src.GetOrder(t.ctx, k.Vertical, k.ID)
			if t.ctx.Err() != nil {
				return
			}
			if err == nil {
				if got.Status == "" {
					got.Status = api.Normalize(t.p, got.RawStatus)
				}
				if isTerminal(k.Vertical, got.Status) {
					t.obs.see(k, got.RawStatus, time.Now())
					return
				}
			}
			d, more := t.next(attempt, started, time.Now())
			if !more {
				return
			}
			timer.Reset(d)
			select {
			case <-t.ctx.Done():
				return
			case <-timer.C:
			}
		}
	})
}

func (t *loopTracker) sealed() {
	t.aux.Go(func() { t.wg.Wait(); close(t.fin) })
}

func (t *loopTracker) done() <-chan struct{} { return t.fin }
func (t *loopTracker) stop()                 { t.cancel(); t.wg.Wait(); t.aux.Wait() }
