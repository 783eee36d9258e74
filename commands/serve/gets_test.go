package serve

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
)

// The invariant that justifies serve: the provider sees the same GETs with
// ten sessions connected as with one, because there is one engine.
func TestGETsWithTenSessionsEqualOne(t *testing.T) {
	if testing.Short() {
		t.Skip("measures two 1.5-second windows")
	}
	// The sandbox runs in real time, so its orders stay PENDING for the
	// whole test, while the engine's cadences are 100× faster: a steady
	// stream of polls. The budget is far above what the policy spends, so
	// the count is the engine's own demand, not a cap both windows hit.
	r := newRig(t, rigOpts{perMin: 100000, sbScale: 1})
	r.srv.cfg.MaxPerMember = 10
	for i := 0; i < 8; i++ {
		if _, err := r.engine.Place(context.Background(), r.client, api.OrderRequest{Vertical: api.VerticalVoucher,
			ProductID: "1001", Amount: 10, Quantity: 20 + i, ClientReference: fmt.Sprintf("gets-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"alice", "val", "root"}
	var ds []*dash
	open := func(n int) {
		for len(ds) < n {
			d := r.dashboard(r.mustDial(names[len(ds)%len(names)]))
			d.out.waitFor(t, "gets-", 10*time.Second)
			ds = append(ds, d)
		}
	}
	window := func() int64 {
		start := r.sb.Stats().Requests[octosb.ClassGET]
		deadline := time.Now().Add(1500 * time.Millisecond)
		for time.Now().Before(deadline) {
			for _, d := range ds {
				d.keys("j") // people move around: focus changes, no extra polls
			}
			time.Sleep(100 * time.Millisecond)
		}
		return r.sb.Stats().Requests[octosb.ClassGET] - start
	}
	open(1)
	// Past the first discovery burst and the young orders' faster cadences
	// (5, 10, 20 s scaled): both windows see the steady 30 s cadence.
	time.Sleep(time.Second)
	one := window()
	open(10)
	ten := window()
	t.Logf("GETs in 1.5 s: 1 session %d, 10 sessions %d", one, ten)
	if one < 15 {
		t.Fatalf("only %d GETs in the window: the measurement measures nothing", one)
	}
	// Polls are jittered ±15% and lists run on their own clock: a quarter
	// either way. A poll per session, or an engine each, would be ~10×.
	if ten > one+one/4 {
		t.Fatalf("GETs with 10 sessions %d vs 1 session %d: sessions added polls", ten, one)
	}
	// Fewer would mean the sessions starve the engine of CPU (it did before
	// sessions' batches were paced). Under the race detector ten dashboards
	// on 2 cores still do, so the floor is checked only without it.
	if ten < one-one/4 && !raceEnabled {
		t.Fatalf("GETs with 10 sessions %d vs 1 session %d: the sessions starve the engine", ten, one)
	}
}
