package alerts

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

// Config configures an alert engine.
type Config struct {
	Rules Rules
	// TimeScale multiplies every rule duration (the embedded sandbox's
	// scale); 0 means 1.
	TimeScale float64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Store keeps acknowledgements; nil means an in-memory one (the
	// commands pass a JournalStore).
	Store Store
	// Every is how often time-based rules are re-checked by Run; 0 means 1 s.
	Every time.Duration
	// KeepCleared bounds the cleared alerts kept for the inbox; 0 means 100.
	KeepCleared int
}

// orderInfo is what the rules need of one tracked order.
type orderInfo struct {
	key       api.OrderKey
	provider  api.Provider
	subject   string
	status    api.Status
	created   time.Time
	since     time.Time // when it entered its status
	errors    int
	price     float64
	currency  string
	delivered time.Time // when it was seen delivered (zero otherwise)
}

type outcome struct {
	at     time.Time
	failed bool
	key    api.OrderKey
}

type groupKey struct {
	v       api.Vertical
	subject string
}

// Engine evaluates the rules over the engine's updates. Safe for
// concurrent use: Observe from the update relay, Snapshot/Ack from the UI.
type Engine struct {
	mu      sync.Mutex
	cfg     Config
	rules   Rules
	started time.Time

	orders   map[api.OrderKey]*orderInfo
	live     map[api.OrderKey]*orderInfo // the orders the state rules look at (not delivered, failed…)
	outcomes map[groupKey][]outcome      // the last Of finished orders per product or operator
	failures map[groupKey][]outcome      // every failure inside the window (bounded)
	errs     map[api.Provider][]time.Time
	tooMany  map[api.Provider][]time.Time
	got429   map[api.Provider]int
	wallets  map[api.Provider][]api.Wallet
	paid     map[api.Provider][]outcomePrice // recent order prices, newest last
	hookAt   time.Time
	hookOn   bool

	alerts  map[string]*Alert
	cleared []Alert
	stats   *stats

	subs      []chan Event
	changed   chan struct{}
	signalled time.Time
}

type outcomePrice struct {
	currency string
	price    float64
}

// New builds an alert engine.
func New(cfg Config) *Engine {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TimeScale <= 0 {
		cfg.TimeScale = 1
	}
	if cfg.Store == nil {
		cfg.Store = NewMemory()
	}
	if cfg.Every <= 0 {
		cfg.Every = time.Second
	}
	if cfg.KeepCleared <= 0 {
		cfg.KeepCleared = 100
	}
	if cfg.Rules.Norms == nil {
		cfg.Rules = DefaultRules()
	}
	now := cfg.Now()
	return &Engine{
		cfg: cfg, rules: cfg.Rules, started: now,
		orders: map[api.OrderKey]*orderInfo{}, live: map[api.OrderKey]*orderInfo{}, outcomes: map[groupKey][]outcome{}, failures: map[groupKey][]outcome{},
		errs: map[api.Provider][]time.Time{}, tooMany: map[api.Provider][]time.Time{}, got429: map[api.Provider]int{},
		wallets: map[api.Provider][]api.Wallet{}, paid: map[api.Provider][]outcomePrice{},
		alerts: map[string]*Alert{}, stats: newStats(now), changed: make(chan struct{}, 1),
	}
}

// Rules returns the rules in force.
func (e *Engine) Rules() Rules { return e.rules }

func (e *Engine) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * e.cfg.TimeScale)
}

// Subscribe returns a channel of alert events (buffered; a subscriber that
// falls 256 events behind loses the oldest ones, never blocks the engine).
func (e *Engine) Subscribe() <-chan Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	ch := make(chan Event, 256)
	e.subs = append(e.subs, ch)
	return ch
}

// Changed is signalled (coalesced) whenever the alerts or figures change.
func (e *Engine) Changed() <-chan struct{} { return e.changed }

func (e *Engine) publishLocked(evs []Event) {
	for _, ev := range evs {
		for _, ch := range e.subs {
			select {
			case ch <- ev:
			default:
				select { // drop the oldest, keep the newest
				case <-ch:
				default:
				}
				select {
				case ch <- ev:
				default:
				}
			}
		}
	}
	e.signalLocked(e.cfg.Now())
}

// subjectOf is the product or operator an order's failures are grouped by.
func subjectOf(o *api.Order) string {
	switch {
	case o.ProductName != "":
		return o.ProductName
	case o.VariantName != "":
		return o.VariantName
	case o.ProductID != "":
		return o.ProductID
	}
	return string(o.Vertical)
}

// Observe folds a batch of engine updates in and re-evaluates the rules.
func (e *Engine) Observe(b engine.Batch) []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.cfg.Now()
	figures := false
	for _, u := range b {
		figures = e.observeLocked(u, now) || figures
	}
	evs := e.evaluateLocked(now)
	// The figures changed too: say so at most once a second (alert events
	// signal at once). A batch of list and budget news alone changes none:
	// an idle dashboard is not woken for it.
	if len(evs) == 0 && figures && now.Sub(e.signalled) >= time.Second {
		e.signalLocked(now)
	}
	return evs
}

func (e *Engine) signalLocked(now time.Time) {
	e.signalled = now
	select {
	case e.changed <- struct{}{}:
	default:
	}
}

// observeLocked folds one update in and reports whether the snapshot's
// figures may have changed.
func (e *Engine) observeLocked(u engine.Update, now time.Time) bool {
	switch u := u.(type) {
	case engine.OrderUpdate:
		e.observeOrderLocked(u, now)
	case engine.ErrorUpdate:
		e.errs[u.Provider] = append(e.errs[u.Provider], stamp(u.At, now))
	case engine.BudgetUpdate:
		d := u.Got429 - e.got429[u.Provider]
		for range min(max(d, 0), 1000) {
			e.tooMany[u.Provider] = append(e.tooMany[u.Provider], now)
		}
		e.got429[u.Provider] = u.Got429
		return d != 0
	case engine.WalletUpdate:
		e.wallets[u.Provider] = append([]api.Wallet(nil), u.Wallets...)
		for _, w := range u.Wallets {
			e.stats.wallet(u.Provider, w, stamp(u.At, now))
		}
	case engine.WebhookUpdate:
		changed := e.hookOn != u.Enabled || u.LastAt.After(e.hookAt)
		e.hookOn = u.Enabled
		if u.LastAt.After(e.hookAt) {
			e.hookAt = u.LastAt
		}
		return changed
	default:
		return false
	}
	return true
}

func stamp(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

func (e *Engine) observeOrderLocked(u engine.OrderUpdate, now time.Time) {
	o := &u.Tracked.Order
	k := o.Key()
	if u.Removed {
		delete(e.orders, k)
		delete(e.live, k)
		return
	}
	info := e.orders[k]
	if info == nil {
		info = &orderInfo{key: k, provider: o.Vertical.Provider(), since: now}
		e.orders[k] = info
		created := o.CreatedAt
		if created.IsZero() {
			created = u.Tracked.FirstSeen
		}
		e.stats.created(o.Vertical, stamp(created, now))
		if o.Debited > 0 || o.Amount > 0 {
			p := o.Debited
			if p == 0 {
				p = o.Amount
			}
			e.paid[info.provider] = appendCap(e.paid[info.provider], outcomePrice{currency: o.Currency, price: p}, 200)
		}
	}
	info.subject = subjectOf(o)
	info.created = o.CreatedAt
	if info.created.IsZero() {
		info.created = u.Tracked.FirstSeen
	}
	info.price, info.currency = o.Debited, o.Currency
	if u.Tracked.Errors > info.errors {
		e.errs[info.provider] = append(e.errs[info.provider], stamp(u.Tracked.LastChecked, now))
	}
	info.errors = u.Tracked.Errors
	prev := info.status
	if o.Status != prev {
		at := now
		if u.Event != nil && !u.Event.At.IsZero() {
			at = u.Event.At
		}
		info.since = at
		info.status = o.Status
		// A final state reached while we watched (or first seen final but
		// recent) is an outcome for the failure rate and the charts.
		if prev != "" || u.New {
			if !o.Status.InFlight() || o.Status == api.StatusPartial {
				e.finishLocked(info, o, at, prev)
			}
		}
	}
	if o.Status.InFlight() {
		e.live[k] = info
	} else {
		delete(e.live, k)
	}
}

func (e *Engine) finishLocked(info *orderInfo, o *api.Order, at time.Time, prev api.Status) {
	if prev != "" && (!prev.InFlight() || prev == api.StatusPartial) {
		return // one outcome per order
	}
	failed := o.Status == api.StatusFailed || o.Status == api.StatusRefunded
	if o.Status != api.StatusCancelled {
		// An order found already finished (at start) counts when it
		// finished, not when it was found.
		when := at
		if c := o.CompletedAt; !c.IsZero() && c.Before(at) {
			when = c
		}
		g := groupKey{o.Vertical, info.subject}
		oc := outcome{at: when, failed: failed, key: info.key}
		e.outcomes[g] = appendCap(e.outcomes[g], oc, max(e.rules.Of, 1))
		if failed {
			e.failures[g] = appendCap(e.failures[g], oc, maxFailures)
		}
	}
	if o.Status == api.StatusDelivered {
		info.delivered = at
	}
	done := o.CompletedAt
	if done.IsZero() {
		done = at
	}
	var ttf time.Duration
	if !info.created.IsZero() && done.After(info.created) {
		ttf = done.Sub(info.created)
	}
	e.stats.final(o.Vertical, done, failed, ttf)
}

func appendCap[T any](s []T, v T, n int) []T {
	s = append(s, v)
	if len(s) > n {
		s = append(s[:0], s[len(s)-n:]...)
	}
	return s
}

// Evaluate re-checks the time-based rules now.
func (e *Engine) Evaluate() []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.evaluateLocked(e.cfg.Now())
}

// Run re-evaluates every Config.Every until ctx ends.
func (e *Engine) Run(ctx context.Context) {
	t := time.NewTicker(e.cfg.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.Evaluate()
		}
	}
}

// finding is one firing condition before it becomes an alert.
type finding struct {
	id, rule string
	provider api.Provider
	vertical api.Vertical
	subject  string
	text     string
	norm     string
	count    int
	orders   []api.OrderKey
}

func (e *Engine) evaluateLocked(now time.Time) []Event {
	found := e.findLocked(now)
	var evs []Event
	seen := map[string]bool{}
	for _, f := range found {
		seen[f.id] = true
		a := e.alerts[f.id]
		if a == nil {
			a = &Alert{ID: f.id, Rule: f.rule, Severity: e.rules.Severity[f.rule], Provider: f.provider,
				Vertical: f.vertical, Subject: f.subject, Raised: now}
			if ack, ok := e.cfg.Store.Get(f.id); ok {
				a.AckedBy, a.AckedAt, a.SnoozedUntil = ack.By, ack.At, ack.SnoozedUntil
			}
			e.alerts[f.id] = a
			a.Text, a.Norm, a.Count, a.Orders, a.Updated = f.text, f.norm, f.count, f.orders, now
			evs = append(evs, newEvent(Raised, a))
			continue
		}
		if a.Text != f.text || a.Count != f.count {
			a.Text, a.Norm, a.Count, a.Orders, a.Updated = f.text, f.norm, f.count, f.orders, now
			evs = append(evs, newEvent(Changed, a))
		}
	}
	ids := make([]string, 0, len(e.alerts))
	for id := range e.alerts {
		if !seen[id] {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := e.alerts[id]
		delete(e.alerts, id)
		_ = e.cfg.Store.Delete(id)
		a.Cleared, a.Updated = now, now
		e.cleared = appendCap(e.cleared, *a, e.cfg.KeepCleared)
		evs = append(evs, newEvent(Cleared, a))
	}
	if len(evs) > 0 {
		e.publishLocked(evs)
	}
	return evs
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// linked returns up to MaxLinked keys, newest first.
func linked(infos []*orderInfo) []api.OrderKey {
	sort.Slice(infos, func(i, j int) bool {
		if !infos[i].created.Equal(infos[j].created) {
			return infos[i].created.After(infos[j].created)
		}
		return infos[i].key.ID < infos[j].key.ID
	})
	out := make([]api.OrderKey, 0, min(len(infos), MaxLinked))
	for _, in := range infos[:min(len(infos), MaxLinked)] {
		out = append(out, in.key)
	}
	return out
}

func (e *Engine) findLocked(now time.Time) []finding {
	r := &e.rules
	var out []finding
	type bucket struct {
		infos  []*orderInfo
		oldest time.Duration
	}
	stuck, unc, sched, part := map[api.Vertical]*bucket{}, map[api.Vertical]*bucket{}, map[api.Vertical]*bucket{}, map[api.Vertical]*bucket{}
	add := func(m map[api.Vertical]*bucket, v api.Vertical, in *orderInfo, age time.Duration) {
		b := m[v]
		if b == nil {
			b = &bucket{}
			m[v] = b
		}
		b.infos = append(b.infos, in)
		b.oldest = max(b.oldest, age)
	}
	// Cut-off times per vertical, worked out once: a zero cut-off is off.
	type cuts struct{ stuck, unc, sched time.Time }
	lim := make(map[api.Vertical]cuts, len(r.Norms))
	for v, n := range r.Norms {
		var c cuts
		if n.Horizon > 0 {
			c.stuck = now.Add(-e.scaled(n.Horizon))
		}
		if n.Uncertain > 0 {
			c.unc = now.Add(-e.scaled(n.Uncertain))
		}
		if n.Scheduled > 0 {
			c.sched = now.Add(-e.scaled(n.Scheduled))
		}
		lim[v] = c
	}
	partCut := now.Add(-e.scaled(r.PartialAfter))
	for _, in := range e.live {
		c := lim[in.key.Vertical]
		switch in.status {
		case api.StatusPending, api.StatusProcessing, api.StatusUnknown:
			if !c.stuck.IsZero() && !in.created.IsZero() && in.created.Before(c.stuck) {
				add(stuck, in.key.Vertical, in, now.Sub(in.created))
			}
		case api.StatusUncertain:
			if !c.unc.IsZero() && in.since.Before(c.unc) {
				add(unc, in.key.Vertical, in, now.Sub(in.since))
			}
		case api.StatusScheduled:
			if !c.sched.IsZero() && in.since.Before(c.sched) {
				add(sched, in.key.Vertical, in, now.Sub(in.since))
			}
		case api.StatusPartial:
			if !in.since.After(partCut) {
				add(part, in.key.Vertical, in, now.Sub(in.since))
			}
		}
	}
	emit := func(rule string, m map[api.Vertical]*bucket, text func(v api.Vertical, b *bucket) (string, string)) {
		if !r.on(rule) {
			return
		}
		for _, v := range api.Verticals() {
			b := m[v]
			if b == nil {
				continue
			}
			t, norm := text(v, b)
			out = append(out, finding{id: rule + ":" + string(v), rule: rule, provider: v.Provider(), vertical: v,
				text: t, norm: norm, count: len(b.infos), orders: linked(b.infos)})
		}
	}
	emit(RuleStuck, stuck, func(v api.Vertical, b *bucket) (string, string) {
		n := r.Norms[v]
		return fmt.Sprintf("%s: %s still not final past the %s horizon (oldest %s)", v.Title(),
				plural(len(b.infos), "order", "orders"), human(n.Horizon), human(e.unscale(b.oldest))),
			"final within " + n.NormText
	})
	emit(RuleUncertain, unc, func(v api.Vertical, b *bucket) (string, string) {
		return fmt.Sprintf("%s: %s uncertain (UNKNOWN_ERROR) past %s: check with the provider, never refund by hand",
			v.Title(), plural(len(b.infos), "order", "orders"), human(r.Norms[v].Uncertain)), r.Norms[v].UncertainText
	})
	emit(RuleScheduled, sched, func(v api.Vertical, b *bucket) (string, string) {
		return fmt.Sprintf("%s: %s scheduled (QUEUED) past %s", v.Title(), plural(len(b.infos), "order", "orders"),
			human(r.Norms[v].Scheduled)), r.Norms[v].ScheduledText
	})
	emit(RulePartial, part, func(v api.Vertical, b *bucket) (string, string) {
		return fmt.Sprintf("%s: %s partially delivered", v.Title(), plural(len(b.infos), "order", "orders")), "delivered in full"
	})
	out = append(out, e.failureRateLocked(now)...)
	out = append(out, e.walletsLocked()...)
	out = append(out, e.providerErrorsLocked(now)...)
	out = append(out, e.webhookLocked(now)...)
	return out
}

func (e *Engine) unscale(d time.Duration) time.Duration {
	return time.Duration(float64(d) / e.cfg.TimeScale)
}

// maxFailures bounds the failures kept per product or operator for the count.
const maxFailures = 10000

func (e *Engine) failureRateLocked(now time.Time) []finding {
	r := &e.rules
	if !r.on(RuleFailureRate) || r.Failures <= 0 {
		return nil
	}
	var out []finding
	cut := now.Add(-e.scaled(r.Window))
	for g, outs := range e.outcomes {
		last := outs[max(len(outs)-r.Of, 0):]
		var failed []*orderInfo
		total := 0
		for _, o := range last {
			if o.at.Before(cut) {
				continue
			}
			total++
			if o.failed {
				in := e.orders[o.key]
				if in == nil {
					in = &orderInfo{key: o.key, created: o.at}
				}
				failed = append(failed, in)
			}
		}
		fs := e.failures[g][:0] // in the order seen, not always by time: filter, not search
		for _, f := range e.failures[g] {
			if !f.at.Before(cut) {
				fs = append(fs, f)
			}
		}
		e.failures[g] = fs
		if len(failed) < r.Failures {
			continue
		}
		text := fmt.Sprintf("%s: %d of the last %d %s orders failed", g.subject, len(failed), total, g.v.Title())
		if len(fs) > len(failed) {
			text += fmt.Sprintf(" (%d in the last %s)", len(fs), human(r.Window))
		}
		all := make([]*orderInfo, 0, len(fs))
		for _, f := range fs {
			in := e.orders[f.key]
			if in == nil {
				in = &orderInfo{key: f.key, created: f.at}
			}
			all = append(all, in)
		}
		out = append(out, finding{id: RuleFailureRate + ":" + string(g.v) + ":" + g.subject, rule: RuleFailureRate,
			provider: g.v.Provider(), vertical: g.v, subject: g.subject, text: text,
			norm: fmt.Sprintf("under %d of %d", r.Failures, r.Of), count: max(len(fs), len(failed)), orders: linked(all)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (e *Engine) walletsLocked() []finding {
	r := &e.rules
	if !r.on(RuleWalletLow) {
		return nil
	}
	var out []finding
	for _, p := range sortedProviders(e.wallets) {
		for _, w := range e.wallets[p] {
			var need float64
			var why string
			if r.WalletOrders > 0 {
				var sum float64
				n := 0
				paid := e.paid[p]
				for i := len(paid) - 1; i >= 0 && n < r.WalletOrders; i-- {
					if strings.EqualFold(paid[i].currency, w.Currency) {
						sum += paid[i].price
						n++
					}
				}
				if n == r.WalletOrders && sum > need {
					need, why = sum, fmt.Sprintf("the price of the last %d orders (%s)", n, api.FormatAmount(sum, w.Currency))
				}
			}
			if r.WalletMin > need {
				need, why = r.WalletMin, "the threshold "+api.FormatAmount(r.WalletMin, w.Currency)
			}
			if need == 0 || w.Balance >= need {
				continue
			}
			subj := w.Currency
			if w.ID != "" {
				subj = w.Currency + " " + w.ID
			}
			out = append(out, finding{id: RuleWalletLow + ":" + string(p) + ":" + subj, rule: RuleWalletLow, provider: p,
				subject: subj, count: 1,
				text: fmt.Sprintf("%s wallet %s at %s, below %s: the next orders will fail", p.Title(), w.Currency,
					api.FormatAmount(w.Balance, w.Currency), why)})
		}
	}
	return out
}

func sortedProviders[T any](m map[api.Provider]T) []api.Provider {
	ps := make([]api.Provider, 0, len(m))
	for p := range m {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return ps
}

func prune(ts []time.Time, cut time.Time) []time.Time {
	i := sort.Search(len(ts), func(i int) bool { return !ts[i].Before(cut) })
	return append(ts[:0], ts[i:]...)
}

func (e *Engine) providerErrorsLocked(now time.Time) []finding {
	r := &e.rules
	cut := now.Add(-e.scaled(r.ErrorWindow))
	var out []finding
	check := func(rule string, m map[api.Provider][]time.Time, limit int, what string) {
		for _, p := range sortedProviders(m) {
			ts := m[p]
			sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
			ts = prune(ts, cut)
			m[p] = ts
			if !r.on(rule) || limit <= 0 || len(ts) < limit {
				continue
			}
			out = append(out, finding{id: rule + ":" + string(p), rule: rule, provider: p, count: len(ts),
				text: fmt.Sprintf("%s: %d %s in the last %s", p.Title(), len(ts), what, human(r.ErrorWindow)),
				norm: fmt.Sprintf("under %d", limit)})
		}
	}
	check(RuleProviderErrors, e.errs, r.ProviderErrors, "errors (5xx, network, bad answers)")
	check(RuleProvider429, e.tooMany, r.Provider429, "rate-limit answers (429)")
	return out
}

func (e *Engine) webhookLocked(now time.Time) []finding {
	r := &e.rules
	if !r.on(RuleWebhookSilent) || !e.hookOn || r.WebhookSilence <= 0 {
		return nil
	}
	silence := e.scaled(r.WebhookSilence)
	last := e.hookAt
	if last.Before(e.started) {
		last = e.started
	}
	if now.Sub(last) <= silence {
		return nil
	}
	byProv := map[api.Provider][]*orderInfo{}
	for _, in := range e.orders {
		if in.delivered.IsZero() || !in.delivered.After(last) || now.Sub(in.delivered) > silence {
			continue
		}
		if r.Norms[in.key.Vertical].Webhooks {
			byProv[in.provider] = append(byProv[in.provider], in)
		}
	}
	var out []finding
	for _, p := range sortedProviders(byProv) {
		ins := byProv[p]
		out = append(out, finding{id: RuleWebhookSilent + ":" + string(p), rule: RuleWebhookSilent, provider: p,
			count: len(ins), orders: linked(ins),
			text: fmt.Sprintf("%s: no webhook for %s while %s delivered", p.Title(), human(e.unscale(now.Sub(last))),
				plural(len(ins), "order was", "orders were")),
			norm: "a webhook per transition"})
	}
	return out
}

// human prints a duration the short way: 45s, 11m, 2h30m, 48h.
func human(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Round(time.Minute)/time.Minute))
	}
	h := int(d / time.Hour)
	m := int((d % time.Hour).Round(time.Minute) / time.Minute)
	if m == 0 || h >= 24 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}

// Snapshot is what the inbox and the account view draw.
type Snapshot struct {
	At      time.Time
	Alerts  []Alert // open first (most serious, newest), then acknowledged and snoozed, then cleared
	Open    int     // neither acknowledged, snoozed nor cleared
	Figures Figures
}

// Snapshot returns a copy of every alert, sorted for the inbox, and the
// account figures.
func (e *Engine) Snapshot() Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.cfg.Now()
	s := Snapshot{At: now}
	for _, a := range e.alerts {
		c := *a
		c.Orders = append([]api.OrderKey(nil), a.Orders...)
		s.Alerts = append(s.Alerts, c)
		if c.Open(now) {
			s.Open++
		}
	}
	for i := len(e.cleared) - 1; i >= 0; i-- {
		s.Alerts = append(s.Alerts, e.cleared[i])
	}
	SortInbox(s.Alerts, now)
	s.Figures = e.stats.figures(now, e.rules.Norms)
	s.Figures.Failures, s.Figures.Of = e.rules.Failures, e.rules.Of
	return s
}

// SortInbox orders alerts as the inbox shows them: open ones first, then
// acknowledged or snoozed, then cleared; in each, most serious, then newest.
func SortInbox(as []Alert, now time.Time) {
	tier := func(a *Alert) int {
		switch {
		case !a.Cleared.IsZero():
			return 2
		case a.Open(now):
			return 0
		}
		return 1
	}
	sort.SliceStable(as, func(i, j int) bool {
		a, b := &as[i], &as[j]
		if ta, tb := tier(a), tier(b); ta != tb {
			return ta < tb
		}
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if !a.Raised.Equal(b.Raised) {
			return a.Raised.After(b.Raised)
		}
		return a.ID < b.ID
	})
}

// Acknowledge marks an open alert as seen by who (the OS user locally; the
// member in team mode). It stays in the inbox, out of the open count, until
// it clears.
func (e *Engine) Acknowledge(id, who string) error {
	return e.setAck(id, Acked, func(a *Alert, now time.Time) {
		a.AckedBy, a.AckedAt = who, now
	})
}

// Snooze hides an alert for d (in real time) from the open count.
func (e *Engine) Snooze(id string, d time.Duration) error {
	return e.setAck(id, Snoozed, func(a *Alert, now time.Time) { a.SnoozedUntil = now.Add(d) })
}

func (e *Engine) setAck(id string, t EventType, f func(*Alert, time.Time)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.alerts[id]
	if a == nil {
		return fmt.Errorf("alert %s is no longer open", id)
	}
	f(a, e.cfg.Now())
	if err := e.cfg.Store.Put(id, Ack{By: a.AckedBy, At: a.AckedAt, SnoozedUntil: a.SnoozedUntil}); err != nil {
		return err
	}
	e.publishLocked([]Event{newEvent(t, a)})
	return nil
}
