package serve

import (
	"context"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/engine/alerts"
)

func orderUpd(id string, st api.Status, ev bool) engine.OrderUpdate {
	u := engine.OrderUpdate{Tracked: engine.Tracked{Order: api.Order{Vertical: api.VerticalVoucher, ID: id, Status: st}}}
	if ev {
		u.Event = &engine.Event{To: st, Changed: true}
	}
	return u
}

func TestQueueCoalescesByOrderID(t *testing.T) {
	q := newQueue()
	first := orderUpd("1", api.StatusPending, true)
	first.New = true
	q.put(engine.Batch{first, engine.BudgetUpdate{Provider: api.ProviderOctopus, UsedLastMin: 1}})
	for i := 0; i < 1000; i++ {
		q.put(engine.Batch{orderUpd("1", api.StatusPending, false), orderUpd(strconv.Itoa(2+i%3), api.StatusPending, false),
			engine.BudgetUpdate{Provider: api.ProviderOctopus, UsedLastMin: i}})
	}
	q.put(engine.Batch{orderUpd("1", api.StatusDelivered, false)})
	b, _, _ := q.take()
	if len(b) != 5 { // orders 1..4 and one budget
		t.Fatalf("queue holds %d updates after 3,002 puts, want 5 (one per order, one budget): %v", len(b), b)
	}
	u := b[0].(engine.OrderUpdate)
	if u.Tracked.Order.Status != api.StatusDelivered || !u.New || u.Event == nil {
		t.Fatalf("coalesced order 1 = %+v; want the latest state, still new, with the last transition kept", u)
	}
	if bu := b[1].(engine.BudgetUpdate); bu.UsedLastMin != 999 {
		t.Fatalf("budget %d, want the latest (999)", bu.UsedLastMin)
	}
}

// A session that never reads blocks neither the hub nor other sessions.
func TestFrozenSessionBlocksNobody(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	h := NewHub(nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	frozen := h.Subscribe(ctx, "frozen")
	live := h.Subscribe(ctx, "live")
	got := make(chan engine.Batch, 1)
	go func() {
		for b := range live.Updates() {
			select {
			case got <- b:
			default:
				<-got
				got <- b
			}
		}
	}()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20000; i++ {
			h.publish(engine.Batch{orderUpd(strconv.Itoa(i%500), api.StatusPending, false)})
		}
		h.publish(engine.Batch{orderUpd("last", api.StatusDelivered, true)})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("publishing blocked behind a session that reads nothing")
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case b := <-got:
			for _, u := range b {
				if ou, ok := u.(engine.OrderUpdate); ok && ou.Tracked.Order.ID == "last" {
					goto seen
				}
			}
		case <-deadline:
			t.Fatal("the live session never got the last update")
		}
	}
seen:
	frozen.q.mu.Lock()
	n := len(frozen.q.list)
	frozen.q.mu.Unlock()
	if n > 501 {
		t.Fatalf("the frozen session's queue holds %d updates for 501 orders: not bounded by coalescing", n)
	}
	frozen.Close()
	live.Close()
}

// Every goroutine of a session ends with it: relay, idle watch, program,
// SSH channel handlers.
func TestSessionGoroutinesEnd(t *testing.T) {
	r := newRig(t, rigOpts{alerts: true})
	// Warm up: one session so lazily started goroutines (HTTP keep-alives,
	// the engine's loops) exist before the baseline.
	warm := r.mustDial("alice")
	d := r.dashboard(warm)
	d.out.waitFor(t, "alice", 10*time.Second)
	d.keys("q")
	_ = d.sess.Wait()
	warm.Close()
	waitSessions(t, r, 0)
	base := goleak.IgnoreCurrent()

	c, err := r.dial("alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	d = r.dashboard(c)
	d.out.waitFor(t, "alice", 10*time.Second)
	s2, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Start("watch"); err != nil {
		t.Fatal(err)
	}
	waitSessions(t, r, 2)
	c.Close() // the client goes away without quitting
	waitSessions(t, r, 0)
	goleak.VerifyNone(t, base,
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("github.com/orderwatch/orderwatch/engine.(*Engine).runJob"),
		goleak.IgnoreAnyFunction("github.com/orderwatch/orderwatch/engine.(*Engine).runList"),
		goleak.IgnoreAnyFunction("github.com/orderwatch/orderwatch/engine.(*Engine).runBulk"),
	)
}

func waitSessions(t *testing.T, r *rig, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r.srv.mu.Lock()
		got := len(r.srv.sessions)
		r.srv.mu.Unlock()
		if got == n && r.srv.hub.Sessions() == n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("sessions did not reach %d", n)
}

type fakeAlerts struct{ ch chan struct{} }

func (f *fakeAlerts) Snapshot() alerts.Snapshot          { return alerts.Snapshot{} }
func (f *fakeAlerts) Changed() <-chan struct{}           { return f.ch }
func (f *fakeAlerts) Acknowledge(string, string) error   { return nil }
func (f *fakeAlerts) Snooze(string, time.Duration) error { return nil }

// The alert engine signals one channel; every session must hear it, and a
// session's channel closes when it ends (so its waiting command returns).
func TestAlertsReachEverySession(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	src := &fakeAlerts{ch: make(chan struct{}, 1)}
	h := newAlertsHub(src)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.run(ctx) }()
	a, b := h.session(), h.session()
	src.ch <- struct{}{}
	for _, s := range []*sessionAlerts{a, b} {
		select {
		case <-s.Changed():
		case <-time.After(5 * time.Second):
			t.Fatal("a session missed the alert engine's signal")
		}
	}
	a.close()
	if _, ok := <-a.Changed(); ok {
		t.Fatal("an ended session's channel is still open")
	}
	cancel()
	<-done
	if _, ok := <-b.Changed(); ok {
		t.Fatal("sessions' channels stay open after the hub stops")
	}
}

// However fast the engine publishes, a session gets at most one batch per
// frame interval, and nothing is lost: the last state arrives.
func TestSessionBatchesArePaced(t *testing.T) {
	h := NewHub(nil, nil)
	h.every = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := h.Subscribe(ctx, "alice")
	defer s.Close()
	got := make(chan int, 1)
	go func() {
		n, last := 0, ""
		for b := range s.Updates() {
			n++
			for _, u := range b {
				if ou, ok := u.(engine.OrderUpdate); ok {
					last = string(ou.Tracked.Order.Status)
				}
			}
			if last == string(api.StatusDelivered) {
				got <- n
				return
			}
		}
	}()
	start := time.Now()
	for time.Since(start) < 500*time.Millisecond {
		h.publish(engine.Batch{orderUpd("1", api.StatusPending, false)})
		time.Sleep(time.Millisecond)
	}
	h.publish(engine.Batch{orderUpd("1", api.StatusDelivered, true)})
	select {
	case n := <-got:
		// ~450 publishes in 0.5 s; at 20 a second that is about 11 batches.
		if n > 15 {
			t.Fatalf("%d batches in about 0.5 s: not paced at one per 50 ms", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the last state never arrived")
	}
}
