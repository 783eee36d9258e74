package orderform

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Placing an eSIM (the provider may hold the create for 60 s) shows a
// spinner that turns and the time taken against the documented 60 s.
func TestPlacingShowsSpinnerAndElapsedAgainst60s(t *testing.T) {
	x := newE2E(t, false)
	o := x.opts(t, api.VerticalESIM)
	var mu sync.Mutex
	now := time.Date(2026, 5, 14, 10, 0, 0, 0, time.UTC)
	o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	gate := make(chan struct{})
	inner := o.Place
	o.Place = func(ctx context.Context, r api.OrderRequest) (api.Order, error) {
		<-gate
		return inner(ctx, r)
	}
	h := newHarness(t, o)
	h.waitStage("pick")
	h.pickOption(h.m.narrowOptions(), "JPN")
	h.press("enter")
	h.waitFocus("product")
	h.pickOption(productLabels(h.m.pick.Products), "Japan eSIM")
	h.press("enter")
	h.waitStage("details")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	h.press("enter")
	h.waitStage("placing")
	mu.Lock()
	now = now.Add(12 * time.Second)
	mu.Unlock()
	first := h.view()
	h.waitFor("the spinner to turn and the clock to show 12 s", func() bool {
		v := h.view()
		return v != first && strings.Contains(v, "placing the order… 12 s of up to 60 s")
	})
	close(gate)
	h.waitStage("result")
}
