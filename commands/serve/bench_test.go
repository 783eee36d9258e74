package serve

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

const (
	benchSessions = 50
	benchOrders   = 10_000
)

// benchOrdersDone are the 10,000 orders, finished so the engine holds them
// without polling (the sandbox does not know their ids).
func benchOrdersDone() []engine.Tracked {
	ts := uitest.Many(benchOrders)
	for i := range ts {
		ts[i].Order.Status, ts[i].Order.RawStatus = api.StatusDelivered, "DELIVERED"
		ts[i].Order.DeliveredQuantity = ts[i].Order.Quantity
	}
	return ts
}

// BenchmarkServeFanout is one engine update handed to 50 sessions' queues
// (each drained as the dashboard's relay does). ns/op is the whole fan-out
// of one update; ns/session divides it by 50.
func BenchmarkServeFanout(b *testing.B) {
	h := NewHub(nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < benchSessions; i++ {
		s := h.Subscribe(ctx, fmt.Sprintf("m%d", i%5))
		wg.Go(func() {
			for range s.Updates() {
			}
		})
	}
	ts := benchOrdersDone()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		h.publish(engine.Batch{engine.OrderUpdate{Tracked: ts[i%len(ts)]}})
		i++
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchSessions, "ns/session")
	cancel()
	h.closeAll()
	wg.Wait()
}

// BenchmarkServeFrame is one session's frame: a changed order arrives (one
// batch) and the dashboard draws, at 160x48, over 10,000 orders.
func BenchmarkServeFrame(b *testing.B) {
	ts := benchOrdersDone()
	m := ui.New(ui.Options{Now: uitest.Clock(0)})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	batch := make(engine.Batch, len(ts))
	for i := range ts {
		batch[i] = engine.OrderUpdate{Tracked: ts[i], New: true}
	}
	m.Apply(batch)
	m.View()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		t := ts[i%len(ts)]
		t.LastChecked = t.LastChecked.Add(time.Duration(i) * time.Second)
		m.Apply(engine.Batch{engine.OrderUpdate{Tracked: t}})
		_ = m.View()
		i++
	}
}

// BenchmarkServeMemory is the heap one more session costs: its dashboard
// model holding the 10,000 orders, its queue and relay (reported as
// bytes/session; ns/op is meaningless here).
func BenchmarkServeMemory(b *testing.B) {
	ts := benchOrdersDone()
	batch := make(engine.Batch, len(ts))
	for i := range ts {
		batch[i] = engine.OrderUpdate{Tracked: ts[i], New: true}
	}
	h := NewHub(nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var per float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		models := make([]*ui.Model, benchSessions)
		subs := make([]*Sub, benchSessions)
		for i := range models {
			subs[i] = h.Subscribe(ctx, "m")
			models[i] = ui.New(ui.Options{Now: uitest.Clock(0), Controller: subs[i]})
			models[i].Update(tea.WindowSizeMsg{Width: 160, Height: 48})
			models[i].Apply(batch)
			models[i].View()
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		per = float64(after.HeapAlloc-before.HeapAlloc) / benchSessions
		runtime.KeepAlive(models)
		for _, s := range subs {
			s.Close()
		}
	}
	b.ReportMetric(per, "bytes/session")
}

// BenchmarkServeKeyToFrame is the end-to-end latency over SSH: 50 sessions
// (and 1, for reference) on one engine holding 10,000 orders, each pressing ? (help opens) and ? (it closes) in turn; a
// sample is the time from the key's write to the first frame showing its
// effect. Reports p50 and p95 in ms.
func BenchmarkServeKeyToFrame(b *testing.B) {
	for _, n := range []int{1, benchSessions} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) { keyToFrame(b, n) })
	}
}

func keyToFrame(b *testing.B, sessions int) {
	r := newRig(b, rigOpts{keep: 2 * benchOrders, tweak: func(c *Config) { c.MaxTotal, c.MaxPerMember = 64, 64 }})
	for _, t := range benchOrdersDone() {
		r.engine.Track(t.Order, engine.OriginNamed)
	}
	names := []string{"alice", "val", "root"}
	ds := make([]*dash, sessions)
	for i := range ds {
		ds[i] = r.dashboard(r.mustDial(names[i%len(names)]))
	}
	for _, d := range ds {
		d.out.waitFor(b, "v0000000", 60*time.Second) // the snapshot is drawn
	}
	var mu sync.Mutex
	var samples []time.Duration
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for _, d := range ds {
			wg.Go(func() {
				for _, step := range [][2]string{{"?", "first order"}, {"?", "REFERENCE"}} {
					off := d.out.Len()
					start := time.Now()
					d.keys(step[0])
					if !d.out.waitAfter(off, step[1], 30*time.Second) {
						b.Errorf("no frame with %q after %q", step[1], step[0])
						return
					}
					mu.Lock()
					samples = append(samples, time.Since(start))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	slices.Sort(samples)
	if len(samples) > 0 {
		q := func(p float64) float64 {
			return float64(samples[min(len(samples)-1, int(p*float64(len(samples))))].Microseconds()) / 1000
		}
		b.ReportMetric(q(0.50), "p50-ms")
		b.ReportMetric(q(0.95), "p95-ms")
		b.ReportMetric(float64(len(samples)), "samples")
	}
}
