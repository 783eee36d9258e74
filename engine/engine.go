package engine

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// HistoryLen bounds Tracked.History.
const HistoryLen = 50

// Config configures an Engine. Zero values take the documented defaults.
type Config struct {
	Sources      []api.OrderSource    // one per provider
	Verticals    []api.Vertical       // which to discover (default: all of each source)
	GETPerMinute map[api.Provider]int // default 300
	Journal      *Journal             // optional
	// WebhookSilence is how long a webhook-covered order waits before a
	// fallback poll (default 3 min).
	WebhookSilence time.Duration
	KeepFinished   int  // finished orders kept per vertical (default 500)
	Discover       bool // list-based discovery on/off
	// Now stamps times (default time.Now). Waits use real timers, so a test
	// clock must advance with real time (e.g. an offset clock).
	Now func() time.Time
	// TimeScale compresses every cadence, horizon, window and backoff (0.01 =
	// 100x faster); the rate budget and server Retry-After are not scaled
	// unless ScaleBudget.
	TimeScale float64
	// ScaleBudget compresses the budget's rolling minute by TimeScale too
	// (GETPerMinute per scaled minute): a consistently compressed world for
	// benchmarks against a sandbox whose rate window is scaled the same way.
	ScaleBudget bool
	Logf        func(string, ...any)

	// Policies overrides the table (nil: DefaultPolicies).
	Policies map[api.Vertical]Policy
	// Workers bounds concurrent requests per provider (default 4).
	Workers int
	// WalletEvery is the wallet cadence (default 2 min); negative disables.
	WalletEvery time.Duration
	// Webhooks enables the webhook receiver (Handler, Listen) for these
	// providers' verifiers; the first also answers at "/", each at
	// "/PROVIDER".
	Webhooks []api.WebhookVerifier
	// WebhookListen, when set, makes Run serve the receiver on this address;
	// non-loopback addresses need WebhookAllowPublic.
	WebhookListen      string
	WebhookAllowPublic bool

	// AbsentAfter is how long after an unresolved placement a lookup that
	// finds nothing proves it was never placed (default DefaultAbsentAfter,
	// scaled). Shorter only where the provider cannot land a create late.
	AbsentAfter time.Duration

	// BulkMin is how many in-flight foreground orders of one vertical make
	// its list call worth running at the foreground cadence as a bulk check
	// (default 3; negative disables bulk checks).
	BulkMin int
	// ListLag is how far a list may lag the detail call (default 5 s,
	// scaled): absence from a list is evidence only for older orders.
	ListLag time.Duration
}

// entry is the engine's mutable state of one order, guarded by Engine.mu.
type entry struct {
	t           Tracked
	since       time.Time // start of the horizon
	deliveredAt time.Time
	attempts    int
	lastSent    time.Time
	queued      *job
	inflight    bool
	nextSrc     Source // source of the next check; "" = poll
	boosted     bool   // a manual refresh: top priority once
	webhookAt   time.Time
	streak429   int
	hookFetch   bool      // a webhook asked for the detail: top priority
	evidence    bool      // a bulk list asked for the detail: high priority
	lastDetail  time.Time // last successful detail GET (the bulk-list safety net)
	armed       bool      // a timer of scheduler.go holds armedAt
	armedAt     time.Time
	absent      bool // gone from the PENDING list while saturated: evidence once due
	fgCounted   bool // counted in budget.fg
	doneCounted bool // counted in budget.done
}

// Engine tracks orders. It implements Controller.
type Engine struct {
	cfg      Config
	now      func() time.Time
	scale    float64
	logf     func(string, ...any)
	policies map[api.Vertical]Policy // scaled
	silence  time.Duration           // scaled
	keep     int
	bulkMin  int           // 0: bulk checks off
	listLag  time.Duration // scaled
	walletEv time.Duration // scaled; <0 disabled
	out      *outbox
	journal  *Journal
	hooks    *Webhooks
	budgets  map[api.Provider]*budget
	running  atomic.Bool

	mu       sync.Mutex
	entries  map[api.OrderKey]*entry
	focus    api.OrderKey
	wallets  map[api.Provider][]api.Wallet
	rnd      *rand.Rand
	listItem bool                 // applyLocked is applying a list item, not a detail (fromListLocked)
	placing  map[string]bool      // client references being placed now
	placed   map[string]api.Order // placed by this process (without a journal)

	reconcileWake chan struct{}
}

// New validates cfg and builds an engine; nothing runs until Run.
func New(cfg Config) (*Engine, error) {
	if len(cfg.Sources) == 0 {
		return nil, errors.New("engine: no order source configured")
	}
	e := &Engine{
		cfg:           cfg,
		now:           cfg.Now,
		scale:         cfg.TimeScale,
		logf:          cfg.Logf,
		policies:      map[api.Vertical]Policy{},
		keep:          cfg.KeepFinished,
		out:           newOutbox(),
		journal:       cfg.Journal,
		budgets:       map[api.Provider]*budget{},
		entries:       map[api.OrderKey]*entry{},
		wallets:       map[api.Provider][]api.Wallet{},
		rnd:           rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x6f77)),
		placing:       map[string]bool{},
		placed:        map[string]api.Order{},
		reconcileWake: make(chan struct{}, 1),
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.scale < 0 {
		return nil, fmt.Errorf("engine: negative time scale %v", cfg.TimeScale)
	}
	if e.scale == 0 {
		e.scale = 1
	}
	if e.logf == nil {
		e.logf = func(string, ...any) {}
	}
	if e.keep <= 0 {
		e.keep = 500
	}
	pols := cfg.Policies
	if pols == nil {
		pols = DefaultPolicies()
	}
	for _, v := range api.Verticals() {
		p, ok := pols[v]
		if !ok {
			p = PolicyFor(v)
		}
		e.policies[v] = p.Scaled(e.scale)
	}
	e.bulkMin = cfg.BulkMin
	if e.bulkMin == 0 {
		e.bulkMin = 3
	}
	if e.bulkMin < 0 {
		e.bulkMin = 0
	}
	e.listLag = cfg.ListLag
	if e.listLag <= 0 {
		e.listLag = 5 * time.Second
	}
	e.listLag = e.scaled(e.listLag)
	silence := cfg.WebhookSilence
	if silence <= 0 {
		silence = 3 * time.Minute
	}
	e.silence = e.scaled(silence)
	e.walletEv = cfg.WalletEvery
	if e.walletEv == 0 {
		e.walletEv = 2 * time.Minute
	}
	if e.walletEv > 0 {
		e.walletEv = e.scaled(e.walletEv)
	}
	want := map[api.Vertical]bool{}
	for _, v := range cfg.Verticals {
		if !v.Valid() {
			return nil, fmt.Errorf("engine: unknown vertical %q", v)
		}
		want[v] = true
	}
	for _, src := range cfg.Sources {
		if src == nil {
			return nil, errors.New("engine: nil order source")
		}
		p := src.Provider()
		if _, dup := e.budgets[p]; dup {
			return nil, fmt.Errorf("engine: two sources for provider %s", p)
		}
		window := time.Minute
		if cfg.ScaleBudget {
			window = e.scaled(window)
		}
		b := newBudget(src, cfg.GETPerMinute[p], cfg.Workers, window)
		for _, v := range src.Verticals() {
			if len(want) == 0 || want[v] {
				b.verticals = append(b.verticals, v)
			}
		}
		e.budgets[p] = b
	}
	if len(cfg.Webhooks) > 0 {
		for _, v := range cfg.Webhooks {
			if v == nil {
				return nil, errors.New("engine: nil webhook verifier")
			}
		}
		e.hooks = newWebhooks(e, cfg.Webhooks)
		if cfg.WebhookListen != "" {
			// Bound here, not in Run, so the address (port 0 resolved) is
			// known before Run and a bad one fails at once.
			ln, err := e.hooks.Listen(cfg.WebhookListen, cfg.WebhookAllowPublic)
			if err != nil {
				return nil, fmt.Errorf("webhook receiver: %w", err)
			}
			e.hooks.ln = ln
			e.hooks.stats.Addr = ln.Addr().String()
		}
	} else if cfg.WebhookListen != "" {
		return nil, errors.New("engine: --webhook-listen needs a webhook secret")
	}
	return e, nil
}

func (e *Engine) scaled(d time.Duration) time.Duration { return scaleDur(d, e.scale) }

// Policy returns the (scaled) policy the engine applies to v.
func (e *Engine) Policy(v api.Vertical) Policy {
	if p, ok := e.policies[v]; ok {
		return p
	}
	return PolicyFor(v).Scaled(e.scale)
}

// Updates delivers coalesced batches; closed when Run returns.
func (e *Engine) Updates() <-chan Batch { return e.out.out }

// Webhooks returns the receiver, nil when no webhook secret is configured.
func (e *Engine) Webhooks() *Webhooks { return e.hooks }

// Run blocks until ctx is done; then every goroutine it started has ended
// and Updates is closed. It can run once.
func (e *Engine) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return errors.New("engine: engine already ran")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { e.out.relay(ctx) })

	now := e.now()
	e.mu.Lock()
	for _, b := range e.budgets {
		for i, v := range b.verticals {
			// Stagger the first list calls a little.
			b.listDue[v] = now.Add(time.Duration(i) * e.scaled(time.Second))
			// The first sweeps read back to what was placed since start.
			b.listMark[v] = listMark{at: now.Add(-e.listLag)}
		}
		if e.walletEv > 0 {
			b.walletDue = now
		}
	}
	e.mu.Unlock()
	for _, b := range e.budgets {
		wg.Go(func() { e.dispatch(ctx, b, &wg) })
	}
	if e.journal != nil {
		e.loadJournal(now)
		wg.Go(func() { e.reconcileLoop(ctx) })
	}
	if e.hooks != nil {
		e.hooks.publish()
		if e.cfg.WebhookListen != "" {
			if err := e.hooks.serve(ctx, &wg); err != nil {
				e.logf("webhook: %v", err)
			}
		}
	}
	<-ctx.Done()
	wg.Wait()
	return nil
}

// dispatch is one provider's scheduler: it moves due work into the priority
// queue, then for each token of the budget starts the most important job.
func (e *Engine) dispatch(ctx context.Context, b *budget, wg *sync.WaitGroup) {
	sem := make(chan struct{}, b.workers)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	wait := func(until time.Time) bool {
		d := time.Hour
		if !until.IsZero() {
			d = until.Sub(e.now())
			if d <= 0 {
				return ctx.Err() == nil
			}
		}
		timer.Reset(d)
		select {
		case <-ctx.Done():
			return false
		case <-b.wake:
		case <-timer.C:
		}
		return true
	}
	for ctx.Err() == nil {
		now := e.now()
		e.mu.Lock()
		wakeAt := e.collectDueLocked(b, now)
		n := b.queued()
		e.mu.Unlock()
		if n == 0 {
			if !wait(wakeAt) {
				return
			}
			continue
		}
		if u := b.pausedUntil(api.ClassGET, now); !u.IsZero() {
			e.out.put(b.snapshot(now))
			if !wait(u) {
				return
			}
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		r := b.lim.Reserve()
		if d := r.Delay(); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				r.Cancel()
				<-sem
				return
			case <-t.C:
			}
		}
		now = e.now()
		if !b.pausedUntil(api.ClassGET, now).IsZero() {
			r.Cancel()
			<-sem
			continue
		}
		if d := b.hold(now); d > 0 {
			r.Cancel()
			<-sem
			if !wait(now.Add(d)) {
				return
			}
			continue
		}
		// Pick only now, after the token: whatever became most important
		// while waiting goes first.
		e.mu.Lock()
		e.collectDueLocked(b, now)
		j := e.pickLocked(b, now)
		var class jobClass
		var v api.Vertical
		if j != nil {
			class, v = e.classOf(j), j.vertical
			if j.kind == jobCheck {
				v = j.key.Vertical
			}
			e.startLocked(b, j, now)
		}
		e.mu.Unlock()
		if j == nil {
			// Only capped work is queued: wait for the window to roll.
			b.release(now)
			r.Cancel()
			<-sem
			if !wait(now.Add(e.scaled(time.Second))) {
				return
			}
			continue
		}
		b.classify(now, v, class)
		wg.Go(func() {
			defer func() { <-sem; b.poke() }()
			e.runJob(ctx, b, j)
			e.out.put(b.snapshot(e.now()))
		})
	}
}

// collectDueLocked queues due work and returns when the next becomes due.
func (e *Engine) collectDueLocked(b *budget, now time.Time) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if t := e.collectTimersLocked(b, now); !t.IsZero() {
		consider(t)
	}
	if e.cfg.Discover {
		for _, v := range b.verticals {
			if b.listBusy[v] {
				continue
			}
			if due := b.listDue[v]; due.After(now) {
				consider(due)
				continue
			}
			b.listBusy[v] = true
			b.push(&job{kind: jobList, vertical: v, due: b.listDue[v], prio: prioList})
		}
	}
	for v, n := range b.fg {
		if e.bulkMin == 0 || n < e.bulkMin || b.bulkBusy[v] || (e.cfg.Discover && scanned(e.Policy(v))) {
			continue // a scanned vertical's discovery pass vouches too
		}
		if due := b.bulkDue[v]; due.After(now) {
			consider(due)
			continue
		}
		b.bulkBusy[v] = true
		b.push(&job{kind: jobList, bulk: true, vertical: v, due: b.bulkDue[v], prio: prioBulk})
	}
	if e.walletEv > 0 && !b.walletBusy && !b.walletDue.IsZero() {
		if b.walletDue.After(now) {
			consider(b.walletDue)
		} else {
			b.walletBusy = true
			b.push(&job{kind: jobWallets, due: b.walletDue, prio: prioList})
		}
	}
	return next
}

// dueLocked is NextCheck, pushed back to respect the floor.
func (e *Engine) dueLocked(ent *entry) time.Time {
	due := ent.t.NextCheck
	if !ent.lastSent.IsZero() {
		if f := ent.lastSent.Add(e.Policy(ent.t.Order.Vertical).Floor); f.After(due) {
			due = f
		}
	}
	return due
}

func (e *Engine) prioLocked(ent *entry, now time.Time) int {
	k := ent.t.Order.Key()
	hookRoom := true // past the webhook share, a webhook's fetch is an ordinary poll of its order
	if b := e.budgets[k.Vertical.Provider()]; b != nil && (ent.hookFetch || ent.nextSrc == SourceWebhook) {
		hookRoom = b.hookRoom(now)
	}
	switch {
	case ent.hookFetch && hookRoom:
		return prioWebhook
	case ent.boosted || (e.focus != api.OrderKey{} && e.focus == k):
		return prioFocused
	case ent.evidence, ent.absent:
		return prioEvidence
	case ent.t.Origin == OriginPlaced || ent.t.Origin == OriginPinned || ent.t.Origin == OriginNamed:
		return prioPlaced
	case ent.nextSrc == SourceWebhook && hookRoom:
		return prioPlaced
	case ent.t.ListOnly && (ent.t.Phase == PhaseDone || ent.t.Phase == PhaseOnDemand):
		return prioOwed
	}
	switch ent.t.Phase {
	case PhaseForeground, "":
		if now.Sub(ent.since) < e.Policy(k.Vertical).Horizon/2 {
			return prioYoung
		}
		return prioOld
	}
	return prioBackground
}

func (e *Engine) reprioritizeLocked(b *budget, now time.Time) {
	for _, q := range b.checks {
		changed := false
		for _, j := range *q {
			if ent := e.entries[j.key]; ent != nil {
				if p := e.prioLocked(ent, now); p != j.prio {
					j.prio, changed = p, true
				}
			}
		}
		if changed {
			heap.Init(q)
		}
	}
}

func (e *Engine) startLocked(b *budget, j *job, now time.Time) {
	switch j.kind {
	case jobCheck:
		ent := e.entries[j.key]
		if ent == nil {
			return
		}
		ent.queued = nil
		ent.inflight = true
		ent.lastSent = now
		if j.prio == prioWebhook {
			b.noteHook(now)
		}
		ent.boosted, ent.hookFetch, ent.evidence, ent.absent = false, false, false, false
	case jobList:
		if j.bulk {
			return
		}
		// Mostly unfiltered sweeps (new orders and recent changes); every
		// listPendingEvery-th round, from the first, the PENDING list (in-flight
		// orders older than a sweep reaches).
		j.status = ""
		if b.listRound[j.vertical]%listPendingEvery == 0 && !scanned(e.Policy(j.vertical)) {
			j.status = e.Policy(j.vertical).ListStatus
		}
		b.listRound[j.vertical]++
	}
}

func (e *Engine) runJob(ctx context.Context, b *budget, j *job) {
	switch j.kind {
	case jobCheck:
		e.mu.Lock()
		ent := e.entries[j.key]
		src := SourcePoll
		if ent != nil && ent.nextSrc != "" {
			src = ent.nextSrc
		}
		e.mu.Unlock()
		if ent == nil {
			return
		}
		o, err := b.source.GetOrder(ctx, j.key.Vertical, j.key.ID)
		e.finishCheck(ctx, b, j.key, src, o, err)
	case jobList:
		if scanned(e.Policy(j.vertical)) {
			e.runScan(ctx, b, j.vertical, j.bulk)
			return
		}
		if j.bulk {
			e.runBulk(ctx, b, j.vertical)
			return
		}
		e.runList(ctx, b, j.vertical, j.status)
	case jobWallets:
		ws, err := b.source.Wallets(ctx)
		e.finishWallets(ctx, b, ws, err)
	}
}

func (e *Engine) finishCheck(ctx context.Context, b *budget, key api.OrderKey, src Source, o api.Order, err error) {
	var after []func()
	e.mu.Lock()
	ent := e.entries[key]
	if ent == nil {
		e.mu.Unlock()
		return
	}
	ent.inflight = false
	now := e.now()
	if ctx.Err() != nil {
		e.mu.Unlock()
		return
	}
	if err != nil {
		e.checkErrorLocked(b, ent, src, err, now)
	} else {
		ent.nextSrc = ""
		ent.streak429 = 0
		ent.t.NotFound = false
		ent.lastDetail = now
		if o.ID == "" {
			o.ID = key.ID
		}
		o.Vertical = key.Vertical
		after = e.applyLocked(ent, o, src, now, false)
	}
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
	b.poke()
}

func (e *Engine) checkErrorLocked(b *budget, ent *entry, src Source, err error, now time.Time) {
	note := err.Error()
	if until, ok := e.pauseOn429(b, err, now); ok {
		ent.streak429++
		note = fmt.Sprintf("429, retry in %s", until.Sub(now).Round(time.Millisecond))
		// The budget pause holds everyone back; the order retries right after
		// it. It counts as an error only after a few 429s in a row (§6.2).
		if ent.streak429 >= 3 {
			ent.t.Errors++
			ent.t.LastError = err.Error()
		}
		ent.t.NextCheck = until
		ent.t.History = appendHistory(ent.t.History, Event{At: now, Source: src, From: ent.t.Order.Status, To: ent.t.Order.Status,
			RawFrom: ent.t.Order.RawStatus, RawTo: ent.t.Order.RawStatus, Note: note})
		e.publishLocked(ent, false, nil)
		return
	}
	ent.t.Errors++
	ent.t.LastError = note
	ent.t.NotFound = api.KindOf(err) == api.KindNotFound
	ent.t.LastChecked = now
	ent.t.History = appendHistory(ent.t.History, Event{At: now, Source: src, From: ent.t.Order.Status, To: ent.t.Order.Status,
		RawFrom: ent.t.Order.RawStatus, RawTo: ent.t.Order.RawStatus, Note: note})
	e.scheduleLocked(ent, now)
	e.publishLocked(ent, false, nil)
}

// applyLocked records a fresh state of an order and reschedules it. It returns
// work to do after unlocking (journal writes).
func (e *Engine) applyLocked(ent *entry, o api.Order, src Source, now time.Time, isNew bool) []func() {
	old := ent.t.Order
	if o.Provider == "" {
		o.Provider = o.Vertical.Provider()
	}
	if o.Status == "" {
		o.Status = api.StatusUnknown
		if o.RawStatus != "" {
			o.Status = api.Normalize(o.Provider, o.RawStatus)
		}
	}
	if o.ClientReference == "" {
		o.ClientReference = old.ClientReference
	}
	note := ""
	installChanged := false
	if o.ESIM != nil {
		var was api.ActivationStatus
		wasInst := false
		if old.ESIM != nil {
			was, wasInst = old.ESIM.ActivationStatus, old.ESIM.Installed
		}
		if o.ESIM.ActivationStatus != was || o.ESIM.Installed != wasInst {
			installChanged = true
			note = "install: " + string(o.ESIM.ActivationStatus)
			if o.ESIM.Installed && o.ESIM.ActivationStatus == "" {
				note = "install: installed"
			}
		}
	}
	changed := isNew || old.Status != o.Status || old.RawStatus != o.RawStatus ||
		old.DeliveredQuantity != o.DeliveredQuantity || installChanged
	ev := Event{At: now, Source: src, From: old.Status, To: o.Status, RawFrom: old.RawStatus, RawTo: o.RawStatus,
		Changed: changed, Note: note}
	ent.t.Order = o.Clone()
	ent.t.LastChecked = now
	if old.Status != o.Status {
		ent.absent = false // what the absence hinted at is known now
	}
	switch {
	case e.listItem:
		ent.t.ListOnly = !e.Policy(o.Vertical).ListComplete && (isNew || ent.t.ListOnly || old.Status != o.Status)
	case src == SourceWebhook:
	default:
		ent.t.ListOnly = false // a detail GET (one a list asked for is labelled "list" too)
	}
	ent.t.Errors, ent.t.LastError = 0, ""
	if src != SourceList && src != SourceCreate {
		ent.attempts++
	}
	if o.Status == api.StatusDelivered && ent.deliveredAt.IsZero() {
		ent.deliveredAt = now
		if c := o.CompletedAt; isNew && !c.IsZero() && c.Before(now) {
			ent.deliveredAt = c
		}
	}
	ent.t.History = appendHistory(ent.t.History, ev)
	wasDone := ent.t.Phase == PhaseDone || ent.t.Phase == PhaseOnDemand
	e.scheduleLocked(ent, now)
	if ent.t.ListOnly && ent.t.NextCheck.IsZero() && !isNew {
		// It finished while tracked: the detail is owed (prioOwed). One
		// first seen finished is fetched when focused.
		ent.t.NextCheck = now
	}
	var after []func()
	p := e.Policy(o.Vertical)
	if isNew && src == SourceList && !p.ListComplete && (o.Status.Success() || o.Status == api.StatusPartial) {
		// Found already delivered: the codes and activation code are only
		// in the detail, so fetch it now, not at the next scheduled check.
		ent.t.NextCheck = now
		ent.nextSrc = SourceList
	}
	if changed && !isNew && (p.IsFinal(o.Status) || p.IsRecheck(o.Status)) && old.Status != o.Status {
		// Money moved (or came back): refresh the balances soon.
		if b := e.budgets[o.Provider]; b != nil && e.walletEv > 0 && !b.walletBusy {
			b.walletDue = now
			b.poke()
		}
	}
	if e.journal != nil && ent.t.Origin == OriginPlaced && o.ClientReference != "" && old.Status != o.Status {
		j, v, ref, st := e.journal, o.Vertical, o.ClientReference, o.Status
		after = append(after, func() {
			if err := j.SetStatus(v, ref, st); err != nil {
				e.logf("journal: %v", err)
			}
		})
	}
	var evp *Event
	if changed {
		evp = &ev
	}
	e.publishLocked(ent, isNew, evp)
	if !wasDone && (ent.t.Phase == PhaseDone || ent.t.Phase == PhaseOnDemand) {
		e.evictLocked(o.Vertical)
	}
	return after
}

// fromListLocked runs f, which applies list items: states read there leave
// out what only the detail carries (Tracked.ListOnly).
func (e *Engine) fromListLocked(f func() []func()) []func() {
	e.listItem = true
	defer func() { e.listItem = false }()
	return f()
}

func (e *Engine) scheduleLocked(ent *entry, now time.Time) {
	p := e.Policy(ent.t.Order.Vertical)
	ph, d := p.next(State{Order: ent.t.Order, FirstSeen: ent.since, Attempts: ent.attempts, DeliveredAt: ent.deliveredAt}, now)
	ent.t.Phase = ph
	if ph == PhaseDone || ph == PhaseOnDemand {
		ent.t.NextCheck = time.Time{}
		return
	}
	d = Jitter(d, p.Jitter, e.rnd)
	if ent.t.Webhook && (ph == PhaseForeground || ph == PhaseBackground) {
		d = max(d, e.silence)
	}
	if ent.t.Errors > 0 {
		d = max(d, e.scaled(ErrorBackoff(ent.t.Errors)))
	}
	ent.t.NextCheck = now.Add(max(d, p.Floor))
}

func appendHistory(h []Event, ev Event) []Event {
	// Append in place: published snapshots hold shorter slices of the same
	// array and never see the element written past their length, so no copy
	// per event is needed (a copy of 50 events per list vouch was the cost
	// of a list page at load). Readers must not append to a snapshot's
	// History.
	if len(h) >= HistoryLen {
		h = h[len(h)-HistoryLen+1:]
	}
	return append(h, ev)
}

func (e *Engine) snapshotLocked(ent *entry) Tracked {
	t := ent.t
	t.Order = t.Order.Clone()
	return t
}

func (e *Engine) publishLocked(ent *entry, isNew bool, ev *Event) {
	e.armLocked(ent)
	e.out.put(OrderUpdate{Tracked: e.snapshotLocked(ent), New: isNew, Event: ev})
}

// evictLocked drops the oldest finished orders of v beyond the bound. It
// scans only once the finished count passes the bound by a sixteenth, and
// then evicts down to the bound: the scan's cost is shared by many orders.
func (e *Engine) evictLocked(v api.Vertical) {
	if b := e.budgets[v.Provider()]; b != nil && b.done[v] <= e.keep+e.keep/16 {
		return
	}
	var done []*entry
	for k, ent := range e.entries {
		if k.Vertical != v || ent.inflight || k == e.focus || ent.hookFetch || ent.evidence {
			continue // a detail fetch is owed (codes, activation code)
		}
		if ent.queued != nil && !(ent.t.ListOnly && ent.t.Origin == OriginDiscovered) {
			continue // only an owed detail of a discovered order may go unfetched
		}
		if ent.t.Origin == OriginPinned || ent.t.Origin == OriginNamed {
			continue
		}
		if (ent.t.Phase == PhaseDone || ent.t.Phase == PhaseOnDemand) && !ent.t.Order.Status.InFlight() {
			done = append(done, ent)
		}
	}
	if len(done) <= e.keep {
		return
	}
	stamp := func(ent *entry) time.Time {
		if c := ent.t.Order.CompletedAt; !c.IsZero() {
			return c
		}
		return ent.t.LastChecked
	}
	sort.Slice(done, func(i, j int) bool { return stamp(done[i]).Before(stamp(done[j])) })
	for _, ent := range done[:len(done)-e.keep] {
		e.forgetLocked(ent)
		t := e.snapshotLocked(ent)
		t.NextCheck = time.Time{}
		e.out.put(OrderUpdate{Tracked: t, Removed: true})
	}
}

// newEntryLocked registers an order not tracked yet.
func (e *Engine) newEntryLocked(o api.Order, origin Origin, now time.Time) *entry {
	ent := &entry{since: now}
	ent.t.Origin = origin
	ent.t.FirstSeen = now
	ent.t.Phase = PhaseForeground
	if origin == OriginDiscovered {
		// An order created long before we saw it starts where its age puts it.
		if c := o.CreatedAt; !c.IsZero() && c.Before(now) {
			ent.since = c
		}
	}
	p := e.Policy(o.Vertical)
	ent.t.Webhook = e.hooks.receiving() && p.Webhooks
	e.entries[o.Key()] = ent
	return ent
}

func originRank(o Origin) int {
	switch o {
	case OriginPlaced:
		return 3
	case OriginPinned:
		return 2
	case OriginNamed:
		return 1
	}
	return 0
}

// trackLocked starts tracking o (or upgrades its origin). An order with no
// status yet is checked at once.
func (e *Engine) trackLocked(o api.Order, origin Origin, src Source, now time.Time) []func() {
	if o.Provider == "" {
		o.Provider = o.Vertical.Provider()
	}
	k := o.Key()
	if ent := e.entries[k]; ent != nil {
		if originRank(origin) > originRank(ent.t.Origin) {
			ent.t.Origin = origin
		}
		if o.Status != "" && (ent.t.Order.Status == "" || src == SourceCreate) {
			return e.applyLocked(ent, o, src, now, false)
		}
		if ent.t.Phase != PhaseDone && ent.t.Order.Status == "" {
			ent.t.NextCheck = now
		}
		e.publishLocked(ent, false, nil)
		return nil
	}
	ent := e.newEntryLocked(o, origin, now)
	if o.Status == "" && o.RawStatus == "" {
		// Nothing known yet: a placeholder, checked now.
		ent.t.Order = o.Clone()
		ent.t.NextCheck = now
		ent.nextSrc = src
		e.publishLocked(ent, true, nil)
		return nil
	}
	return e.applyLocked(ent, o, src, now, true)
}

// Track starts tracking an order, e.g. one placed from the dashboard.
func (e *Engine) Track(o api.Order, origin Origin) {
	if !o.Vertical.Valid() || o.ID == "" {
		e.logf("track: ignoring order without vertical or id")
		return
	}
	src := SourceManual
	if origin == OriginPlaced && o.Status != "" {
		src = SourceCreate
	}
	e.mu.Lock()
	after := e.trackLocked(o, origin, src, e.now())
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
	e.pokeProvider(o.Vertical.Provider())
}

func (e *Engine) pokeProvider(p api.Provider) {
	if b := e.budgets[p]; b != nil {
		b.poke()
	}
}

// Refresh polls the order now (subject to the budget and the floor).
func (e *Engine) Refresh(key api.OrderKey) { e.refresh(key, SourceManual, true) }

func (e *Engine) refresh(key api.OrderKey, src Source, boost bool) {
	e.mu.Lock()
	ent := e.entries[key]
	if ent == nil {
		e.mu.Unlock()
		return
	}
	now := e.now()
	ent.nextSrc = src
	ent.boosted = ent.boosted || boost
	ent.t.NextCheck = now
	if ent.queued != nil {
		ent.queued.prio = e.prioLocked(ent, now)
		if b := e.budgets[key.Vertical.Provider()]; b != nil {
			b.fix(ent.queued)
		}
	}
	e.publishLocked(ent, false, nil)
	e.mu.Unlock()
	e.pokeProvider(key.Vertical.Provider())
}

// Focus marks the order the user is looking at (priority); zero key clears.
func (e *Engine) Focus(key api.OrderKey) {
	e.mu.Lock()
	e.focus = key
	ent := e.entries[key]
	if ent != nil {
		now := e.now()
		if ent.queued != nil {
			ent.queued.prio = e.prioLocked(ent, now)
			e.budgets[key.Vertical.Provider()].fix(ent.queued)
		} else if ent.t.ListOnly && ent.t.NextCheck.IsZero() && !ent.inflight {
			ent.t.NextCheck = now // what the list left out, now that someone looks
			e.publishLocked(ent, false, nil)
		}
	}
	e.mu.Unlock()
}

// Pin keeps an order tracked across restarts (written to the journal).
func (e *Engine) Pin(key api.OrderKey) error {
	if !key.Vertical.Valid() || key.ID == "" {
		return fmt.Errorf("pin: bad order key %q", key.String())
	}
	if e.journal == nil {
		return errors.New("pin: no journal configured")
	}
	if err := e.journal.Pin(key, e.now()); err != nil {
		return err
	}
	e.mu.Lock()
	after := e.trackLocked(api.Order{Vertical: key.Vertical, ID: key.ID}, OriginPinned, SourceManual, e.now())
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
	e.pokeProvider(key.Vertical.Provider())
	return nil
}

// Snapshot returns every tracked order now, sorted by vertical then id.
func (e *Engine) Snapshot() []Tracked {
	e.mu.Lock()
	out := make([]Tracked, 0, len(e.entries))
	for _, ent := range e.entries {
		out = append(out, e.snapshotLocked(ent))
	}
	e.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Order, out[j].Order
		if a.Vertical != b.Vertical {
			return a.Vertical < b.Vertical
		}
		return a.ID < b.ID
	})
	return out
}

// Get returns one tracked order.
func (e *Engine) Get(key api.OrderKey) (Tracked, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ent := e.entries[key]
	if ent == nil {
		return Tracked{}, false
	}
	return e.snapshotLocked(ent), true
}

// waitToken takes one token of the provider's GET budget, honouring pauses.
func (e *Engine) waitToken(ctx context.Context, b *budget) error {
	return e.waitTokenAs(ctx, b, "", classCheck)
}

// waitTokenAs is waitToken for a send of class c for vertical v.
func (e *Engine) waitTokenAs(ctx context.Context, b *budget, v api.Vertical, c jobClass) error {
	for {
		if u := b.pausedUntil(api.ClassGET, e.now()); !u.IsZero() {
			t := time.NewTimer(u.Sub(e.now()))
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		}
		if err := b.lim.Wait(ctx); err != nil {
			return err
		}
		now := e.now()
		if d := b.hold(now); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		}
		b.classify(now, v, c)
		return nil
	}
}

// TrackRef finds an order by its client reference and tracks it (named).
func (e *Engine) TrackRef(ctx context.Context, v api.Vertical, ref string) (api.Order, error) {
	if !v.Valid() || ref == "" {
		return api.Order{}, fmt.Errorf("track: want a vertical and a reference")
	}
	b := e.budgets[v.Provider()]
	if b == nil {
		return api.Order{}, fmt.Errorf("track: no source for %s", v.Provider().Title())
	}
	if err := e.waitToken(ctx, b); err != nil {
		return api.Order{}, err
	}
	o, found, err := b.source.FindByReference(ctx, v, ref)
	if err != nil {
		e.pauseOn429(b, err, e.now())
		return api.Order{}, fmt.Errorf("track %s ref %q: %w", v, ref, err)
	}
	if !found {
		return api.Order{}, fmt.Errorf("track %s ref %q: %w", v, ref, api.ErrNotFound)
	}
	o.Vertical = v
	e.mu.Lock()
	after := e.trackLocked(o, OriginNamed, SourcePoll, e.now())
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
	b.poke()
	return o, nil
}

var _ Controller = (*Engine)(nil)
