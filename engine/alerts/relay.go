package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/orderwatch/orderwatch/engine"
)

// Relay is an engine.Controller whose batches pass through the alert engine
// on their way to the one consumer (the dashboard). It adds no buffering:
// while the consumer is busy the tracking engine keeps coalescing, as before.
type Relay struct {
	engine.Controller
	out chan engine.Batch
}

// Tee starts the relay; it ends when the engine's updates close or ctx ends.
func Tee(ctx context.Context, c engine.Controller, a *Engine) *Relay {
	r := &Relay{Controller: c, out: make(chan engine.Batch)}
	go func() {
		defer close(r.out)
		for b := range c.Updates() {
			a.Observe(b)
			select {
			case r.out <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	return r
}

// Updates delivers the engine's batches after the alert engine saw them.
func (r *Relay) Updates() <-chan engine.Batch { return r.out }

// Watch runs the tracking engine (e must not be running) and the rules, and
// prints every alert event as one JSON line (Event) until ctx ends: what
// `orderwatch watch --alerts` does. Events go to extra subscribers too (the
// --on-alert command), which the caller starts from a.Subscribe().
func Watch(ctx context.Context, e *engine.Engine, a *Engine, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	events := a.Subscribe()
	wg.Go(func() { _ = e.Run(ctx) })
	wg.Go(func() { a.Run(ctx) })
	wg.Go(func() {
		for b := range e.Updates() {
			a.Observe(b)
		}
	})
	enc := json.NewEncoder(out)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-events:
			if err := enc.Encode(ev); err != nil {
				return fmt.Errorf("watch: write: %w", err)
			}
		}
	}
}
