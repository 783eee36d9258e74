package ui

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

// pendingSource answers every detail GET "still pending" and lists nothing.
type pendingSource struct{}

func (pendingSource) Provider() api.Provider    { return api.ProviderOctopus }
func (pendingSource) Verticals() []api.Vertical { return []api.Vertical{api.VerticalVoucher} }
func (pendingSource) GetOrder(_ context.Context, v api.Vertical, id string) (api.Order, error) {
	return api.Order{Vertical: v, ID: id, Status: api.StatusPending, RawStatus: "PENDING"}, nil
}
func (pendingSource) FindByReference(context.Context, api.Vertical, string) (api.Order, bool, error) {
	return api.Order{}, false, nil
}
func (pendingSource) ListOrders(context.Context, api.Vertical, api.ListQuery) (api.OrderPage, error) {
	return api.OrderPage{}, nil
}
func (pendingSource) Wallets(context.Context) ([]api.Wallet, error) { return nil, nil }

func heapNow() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkHeapPerOrder is the heap one tracked order costs in the running
// process, engine and table together (no sandbox): n orders are tracked by
// a running engine whose updates a dashboard model applies; the figure is
// the live heap after a GC, less the heap before, over n (B/order).
func BenchmarkHeapPerOrder(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			items := uitest.Many(n)
			var per float64
			for b.Loop() {
				before := heapNow()
				m := New(Options{Now: func() time.Time { return uitest.Epoch }})
				m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
				e, err := engine.New(engine.Config{Sources: []api.OrderSource{pendingSource{}}, WalletEvery: -1, KeepFinished: 2 * n})
				if err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				var wg sync.WaitGroup
				wg.Go(func() { _ = e.Run(ctx) })
				for _, t := range items {
					e.Track(t.Order, engine.OriginDiscovered)
				}
				for len(m.byVert[api.VerticalVoucher].table.rows) < n {
					m.applyBatch(<-e.Updates())
				}
				after := heapNow()
				per = float64(after-before) / float64(n)
				runtime.KeepAlive(m)
				cancel()
				for range e.Updates() {
				}
				wg.Wait()
			}
			b.ReportMetric(per, "B/order")
		})
	}
}

// BenchmarkEventCost is the cost of a fixed amount of change with n orders
// tracked: 100 orders change state in the engine, the dashboard applies the
// batch and draws a frame (per op). Flat cost per order means the figure at
// 10,000 orders stays within 1.2x of the one at 1,000.
func BenchmarkEventCost(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			items := uitest.Many(n)
			clk := uitest.Epoch
			m := New(Options{Now: func() time.Time { return clk }})
			m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
			e, err := engine.New(engine.Config{Sources: []api.OrderSource{pendingSource{}}, WalletEvery: -1, KeepFinished: 2 * n,
				GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 1}})
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Go(func() { _ = e.Run(ctx) })
			for i := range items {
				items[i].Order.Status, items[i].Order.RawStatus = api.StatusPending, "PENDING"
				e.Track(items[i].Order, engine.OriginDiscovered)
			}
			for len(m.byVert[api.VerticalVoucher].table.rows) < n {
				m.applyBatch(<-e.Updates())
			}
			m.View()
			raws := [2]string{"PENDING", "IN_PROGRESS"}
			b.ReportAllocs()
			b.ResetTimer()
			k := 0
			for b.Loop() {
				k++
				for i := range 100 {
					o := items[(k*100+i*7919)%n].Order
					o.RawStatus = raws[k%2]
					e.Track(o, engine.OriginPlaced)
				}
				for got := 0; got < 100; {
					batch := <-e.Updates()
					got += len(batch)
					m.applyBatch(batch)
				}
				clk = clk.Add(time.Second)
				_ = m.View()
			}
			b.StopTimer()
			cancel()
			for range e.Updates() {
			}
			wg.Wait()
		})
	}
}
