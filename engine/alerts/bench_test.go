package alerts

import (
	"fmt"
	"testing"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

// BenchmarkObserve is the relay's cost per batch of 100 updates with n
// orders tracked: Observe folds them in and re-evaluates every rule.
func BenchmarkObserve(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := newClock()
			e := New(Config{Now: c.now})
			var all engine.Batch
			for i := range n {
				o := topup(fmt.Sprint(i), api.StatusPending, c.t)
				o.ProductName = fmt.Sprint("product ", i%50)
				all = append(all, upd(o, "", c.t, true))
			}
			e.Observe(all)
			batch := all[:100]
			b.ResetTimer()
			for range b.N {
				e.Observe(batch)
			}
		})
	}
}
