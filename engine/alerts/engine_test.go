package alerts

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)} }
func openIDs(s Snapshot) (ids []string) {
	for _, a := range s.Alerts {
		if a.Cleared.IsZero() {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func upd(o api.Order, from api.Status, at time.Time, isNew bool) engine.OrderUpdate {
	ev := &engine.Event{At: at, From: from, To: o.Status, Changed: true}
	return engine.OrderUpdate{Tracked: engine.Tracked{Order: o, FirstSeen: at, LastChecked: at}, New: isNew, Event: ev}
}

func topup(id string, st api.Status, created time.Time) api.Order {
	return api.Order{Provider: api.ProviderOctopus, Vertical: api.VerticalTopup, ID: id, Status: st,
		ProductName: "Airtel India", CreatedAt: created, Currency: "USD", Debited: 5}
}

// The no-storm test: a thousand failing orders of one operator are one alert.
func TestThousandFailuresRaiseOneGroupedAlert(t *testing.T) {
	c := newClock()
	e := New(Config{Now: c.now})
	sub := e.Subscribe()
	var b engine.Batch
	for i := range 1000 {
		b = append(b, upd(topup(fmt.Sprint(9000+i), api.StatusFailed, c.t), api.StatusPending, c.t, false))
	}
	// first seen pending, then failed: give every order a pending state first
	var pend engine.Batch
	for i := range 1000 {
		pend = append(pend, upd(topup(fmt.Sprint(9000+i), api.StatusPending, c.t), "", c.t, true))
	}
	e.Observe(pend)
	evs := e.Observe(b)
	raised := 0
	for _, ev := range evs {
		if ev.Type == Raised {
			raised++
		}
	}
	if raised != 1 || len(sub) != 1 {
		t.Fatalf("raised %d alerts (%d events queued), want exactly 1: %+v", raised, len(sub), evs)
	}
	s := e.Snapshot()
	if s.Open != 1 || len(s.Alerts) != 1 {
		t.Fatalf("open %d, alerts %d, want 1 and 1", s.Open, len(s.Alerts))
	}
	a := s.Alerts[0]
	if a.ID != "failure_rate:topup:Airtel India" || a.Severity != Critical || a.Count != 1000 || len(a.Orders) != MaxLinked {
		t.Fatalf("alert = %+v", a)
	}
	if want := "Airtel India: 10 of the last 10 Topups orders failed (1000 in the last 15m)"; a.Text != want {
		t.Fatalf("text %q, want %q", a.Text, want)
	}
	// Another batch of failures changes nothing but the alert itself.
	for range 3 {
		e.Observe(b)
	}
	if n := len(e.Snapshot().Alerts); n != 1 {
		t.Fatalf("%d alerts after more failures, want 1", n)
	}
}

func TestFailureRateClearsWhenOperatorRecovers(t *testing.T) {
	c := newClock()
	e := New(Config{Now: c.now})
	for i := range 3 {
		id := fmt.Sprint(i)
		e.Observe(engine.Batch{upd(topup(id, api.StatusPending, c.t), "", c.t, true)})
		e.Observe(engine.Batch{upd(topup(id, api.StatusFailed, c.t), api.StatusPending, c.t, false)})
	}
	if ids := openIDs(e.Snapshot()); len(ids) != 1 {
		t.Fatalf("open %v, want the failure-rate alert", ids)
	}
	// 2 of 10 is under the 3-of-10 rule: eight deliveries push one failure out.
	for i := range 8 {
		id := fmt.Sprint(100 + i)
		e.Observe(engine.Batch{upd(topup(id, api.StatusPending, c.t), "", c.t, true)})
		e.Observe(engine.Batch{upd(topup(id, api.StatusDelivered, c.t), api.StatusPending, c.t, false)})
	}
	if ids := openIDs(e.Snapshot()); len(ids) != 0 {
		t.Fatalf("open %v after recovery, want none", ids)
	}
	// And the window alone clears it too.
	for i := range 3 {
		id := fmt.Sprint(200 + i)
		e.Observe(engine.Batch{upd(topup(id, api.StatusPending, c.t), "", c.t, true)})
		e.Observe(engine.Batch{upd(topup(id, api.StatusFailed, c.t), api.StatusPending, c.t, false)})
	}
	if len(openIDs(e.Snapshot())) != 1 {
		t.Fatal("no alert after three more failures")
	}
	c.add(16 * time.Minute)
	e.Evaluate()
	if ids := openIDs(e.Snapshot()); len(ids) != 0 {
		t.Fatalf("open %v after the 15m window, want none", ids)
	}
}

func TestStuckUsesHorizonAndTimeScale(t *testing.T) {
	c := newClock()
	e := New(Config{Now: c.now, TimeScale: 0.01}) // 10 min horizon = 6 s
	o := api.Order{Vertical: api.VerticalVoucher, ID: "1", Status: api.StatusPending, CreatedAt: c.t, Quantity: 50}
	e.Observe(engine.Batch{upd(o, "", c.t, true)})
	c.add(5 * time.Second)
	if evs := e.Evaluate(); len(evs) != 0 {
		t.Fatalf("alert before the horizon: %+v", evs)
	}
	c.add(2 * time.Second)
	evs := e.Evaluate()
	if len(evs) != 1 || evs[0].Type != Raised || evs[0].Alert.ID != "stuck:voucher" {
		t.Fatalf("events %+v, want stuck:voucher raised", evs)
	}
	if !strings.HasPrefix(evs[0].Alert.Text, "Vouchers: 1 order still not final past the 10m horizon") {
		t.Fatalf("text %q", evs[0].Alert.Text)
	}
	o.Status = api.StatusDelivered
	evs = e.Observe(engine.Batch{upd(o, api.StatusPending, c.t, false)})
	if len(evs) != 1 || evs[0].Type != Cleared {
		t.Fatalf("events %+v, want cleared", evs)
	}
}

func TestAcknowledgeAndSnooze(t *testing.T) {
	c := newClock()
	e := New(Config{Now: c.now})
	e.Observe(engine.Batch{engine.WalletUpdate{Provider: api.ProviderOctopus, At: c.t,
		Wallets: []api.Wallet{{ID: "1", Currency: "USD", Balance: 3}}}})
	if len(openIDs(e.Snapshot())) != 0 {
		t.Fatal("wallet alert with no threshold and no orders")
	}
	e.rules.WalletMin = 10
	e.Evaluate()
	s := e.Snapshot()
	if s.Open != 1 {
		t.Fatalf("open %d, want 1", s.Open)
	}
	id := s.Alerts[0].ID
	if err := e.Acknowledge(id, "alice"); err != nil {
		t.Fatal(err)
	}
	s = e.Snapshot()
	if s.Open != 0 || s.Alerts[0].AckedBy != "alice" {
		t.Fatalf("after ack: open %d, %+v", s.Open, s.Alerts[0])
	}
	e2 := New(Config{Now: c.now})
	e2.rules.WalletMin = 10
	e2.Observe(engine.Batch{engine.WalletUpdate{Provider: api.ProviderOctopus, At: c.t,
		Wallets: []api.Wallet{{ID: "1", Currency: "USD", Balance: 3}}}})
	if err := e2.Snooze(id, time.Hour); err != nil {
		t.Fatal(err)
	}
	if e2.Snapshot().Open != 0 {
		t.Fatal("snoozed alert counted open")
	}
	c.add(61 * time.Minute)
	if e2.Snapshot().Open != 1 {
		t.Fatal("alert not open again after its snooze")
	}
	if err := e2.Acknowledge("nope", "bob"); err == nil {
		t.Fatal("acknowledged an unknown alert")
	}
}

func TestInboxOrder(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	as := []Alert{
		{ID: "a", Severity: Warning, Raised: now},
		{ID: "b", Severity: Critical, Raised: now.Add(-time.Hour)},
		{ID: "c", Severity: Warning, Raised: now.Add(time.Minute)},
		{ID: "d", Severity: Critical, Raised: now, AckedBy: "x"},
		{ID: "e", Severity: Critical, Raised: now, Cleared: now},
	}
	SortInbox(as, now)
	var got []string
	for _, a := range as {
		got = append(got, a.ID)
	}
	if strings.Join(got, "") != "bcade" {
		t.Fatalf("order %v, want b c a d e", got)
	}
}

func TestOverrides(t *testing.T) {
	h := 3 * time.Minute
	n := 2
	r, err := DefaultRules().Apply(Overrides{Horizon: map[api.Vertical]time.Duration{api.VerticalVoucher: h},
		Failures: &n, Disabled: []string{RulePartial}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Norms[api.VerticalVoucher].Horizon != h || r.Failures != 2 || !r.Disabled[RulePartial] {
		t.Fatalf("rules %+v", r)
	}
	if DefaultRules().Norms[api.VerticalVoucher].Horizon != 10*time.Minute {
		t.Fatal("Apply changed the defaults")
	}
	for _, o := range []Overrides{{Disabled: []string{"nope"}}, {Horizon: map[api.Vertical]time.Duration{"x": h}}, {Failures: ptr(11)}} {
		if _, err := DefaultRules().Apply(o); err == nil {
			t.Fatalf("no error for %+v", o)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// Lists and budget counts change no figure of the snapshot: observing them
// does not wake the dashboard (idle cost, issue 12); an order or a 429 does.
func TestOnlyFigureChangesSignal(t *testing.T) {
	c := newClock()
	e := New(Config{Now: c.now})
	signalled := func() bool {
		select {
		case <-e.Changed():
			return true
		default:
			return false
		}
	}
	signalled()
	for range 5 {
		c.add(2 * time.Second)
		e.Observe(engine.Batch{
			engine.ListUpdate{Vertical: api.VerticalVoucher, At: c.t, Pending: -1},
			engine.BudgetUpdate{Provider: api.ProviderOctopus, PerMinute: 300, UsedLastMin: 7},
		})
		if signalled() {
			t.Fatal("a list and an unchanged 429 count signalled a change")
		}
	}
	c.add(2 * time.Second)
	e.Observe(engine.Batch{engine.BudgetUpdate{Provider: api.ProviderOctopus, PerMinute: 300, Got429: 1}})
	if !signalled() {
		t.Fatal("a new 429 is a figure: not signalled")
	}
	c.add(2 * time.Second)
	e.Observe(engine.Batch{upd(topup("t1", api.StatusPending, c.t), "", c.t, true)})
	if !signalled() {
		t.Fatal("a new order is a figure: not signalled")
	}
}
