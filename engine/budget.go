package engine

import (
	"container/heap"
	"maps"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/orderwatch/orderwatch/api"
)

// DefaultGETPerMinute is the production GET budget of Octopus (§6.2).
const DefaultGETPerMinute = 300

// DefaultRetryAfter is the pause after a 429 that names no Retry-After.
const DefaultRetryAfter = 10 * time.Second

// Priority levels of a due check; lower goes first.
const (
	prioWebhook    = iota // the detail (codes) after a webhook already told the status
	prioFocused           // the user is looking at it, or asked for it
	prioEvidence          // a bulk list says it changed: fetch the detail now
	prioBulk              // a bulk list call: one request vouches for many orders
	prioPlaced            // placed from this dashboard, pinned or named
	prioYoung             // inside the foreground horizon
	prioOwed              // final from a list; its detail (codes) not fetched yet
	prioList              // discovery lists and wallets
	prioOld               // past the horizon
	prioBackground        // background, install and re-check phases
)

type jobKind int

const (
	jobCheck jobKind = iota
	jobList
	jobWallets
)

type job struct {
	kind     jobKind
	key      api.OrderKey // jobCheck
	vertical api.Vertical // jobList
	status   string       // jobList: raw status filter, "" = any
	bulk     bool         // jobList: a bulk check of the tracked orders, not discovery
	prio     int
	due      time.Time
	seq      uint64
	index    int
}

// jobQueue is a heap by priority, then due time, then arrival.
type jobQueue []*job

func (q jobQueue) Len() int { return len(q) }
func (q jobQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	if !a.due.Equal(b.due) {
		return a.due.Before(b.due)
	}
	return a.seq < b.seq
}
func (q jobQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i]; q[i].index = i; q[j].index = j }
func (q *jobQueue) Push(x any) {
	j := x.(*job)
	j.index = len(*q)
	*q = append(*q, j)
}
func (q *jobQueue) Pop() any {
	old := *q
	n := len(old)
	j := old[n-1]
	old[n-1] = nil
	j.index = -1
	*q = old[:n-1]
	return j
}

// budget is one provider's shared GET budget: a token bucket, pauses per
// endpoint class after a 429, counters, and the queue of due work (guarded by
// the engine's mutex, not b.mu).
type budget struct {
	provider api.Provider
	source   api.OrderSource
	perMin   int
	window   time.Duration // the budget's rolling minute (scaled with ScaleBudget)
	lim      *rate.Limiter
	workers  int
	wake     chan struct{}

	// queue state, guarded by Engine.mu
	checks     map[api.Vertical]*jobQueue // due detail checks, one queue per vertical (fair share)
	lists      jobQueue                   // due list and wallet calls, oldest due first
	timers     dueHeap                    // when each idle order falls due (scheduler.go)
	fg         map[api.Vertical]int       // in-flight orders in their foreground phase
	done       map[api.Vertical]int       // finished orders (eviction candidates)
	seq        uint64
	reprioAt   time.Time
	listDue    map[api.Vertical]time.Time
	listBusy   map[api.Vertical]bool
	listRound  map[api.Vertical]int      // discovery rounds run (every listPendingEvery-th is PENDING)
	listMark   map[api.Vertical]listMark // newest order the last sweep saw (discovery watermark)
	scans      map[api.Vertical]*scan    // window scans of lists that filter by date (scan.go)
	scanBehind map[api.Vertical]bool     // the last full pass took more than one run
	bulkDue    map[api.Vertical]time.Time
	bulkBusy   map[api.Vertical]bool
	bulkWide   map[api.Vertical]bool // the last bulk check read unfiltered for absent orders (bulk.go)
	walletDue  time.Time
	walletBusy bool
	verticals  []api.Vertical

	mu     sync.Mutex
	paused map[api.EndpointClass]time.Time
	got429 int
	// loweredFrom is the budget before a 429 stated a lower limit (0: never).
	loweredFrom int
	sent        []time.Time
	// Sends in the window by class and by vertical: the shares of scheduler.go.
	sentClass [nClasses][]time.Time
	sentV     map[api.Vertical][]time.Time
	hooks     hookShare
}

// WebhookSharePct is the part of a provider's GET budget that fetches
// triggered by webhooks may take ahead of polling, per rolling window.
// Past it, such a fetch waits its turn as an ordinary poll of that order,
// so a flood of valid-looking events cannot starve polling.
const WebhookSharePct = 10

// hookShare counts the webhook-triggered fetches of the rolling window
// (guarded by budget.mu).
type hookShare struct {
	max  int
	sent []time.Time
}

// hookRoom reports whether one more webhook-triggered fetch may go first.
func (b *budget) hookRoom(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hooks.prune(now, b.window)
	return len(b.hooks.sent) < b.hooks.max
}

// noteHook counts a webhook-triggered fetch that went first.
func (b *budget) noteHook(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hooks.sent = append(b.hooks.sent, now)
	b.hooks.prune(now, b.window)
}

func (h *hookShare) prune(now time.Time, window time.Duration) {
	cut := 0
	for cut < len(h.sent) && now.Sub(h.sent[cut]) >= window {
		cut++
	}
	if cut > 0 {
		h.sent = append(h.sent[:0], h.sent[cut:]...)
	}
}

// newBudget builds a budget of perMin requests per rolling window. The bucket
// refills at (perMin−burst)/window so that a full burst plus a window of
// refill is exactly perMin: any window of that length sees at most perMin
// sends (a plain perMin/60 refill lets a window see perMin+burst, which the
// provider answers with 429s at saturation). admit is the exact backstop.
func newBudget(src api.OrderSource, perMin, workers int, window time.Duration) *budget {
	if perMin <= 0 {
		perMin = DefaultGETPerMinute
	}
	if workers <= 0 {
		workers = 4
	}
	if window <= 0 {
		window = time.Minute
	}
	burst := max(1, perMin/60)
	refill := float64(perMin-burst) / window.Seconds()
	if perMin <= burst {
		refill = float64(perMin) / window.Seconds() / 2 // tiny budgets: admit does the counting
	}
	return &budget{
		provider:   src.Provider(),
		source:     src,
		perMin:     perMin,
		window:     window,
		lim:        rate.NewLimiter(rate.Limit(refill), burst),
		workers:    workers,
		wake:       make(chan struct{}, 1),
		checks:     map[api.Vertical]*jobQueue{},
		fg:         map[api.Vertical]int{},
		done:       map[api.Vertical]int{},
		listDue:    map[api.Vertical]time.Time{},
		listBusy:   map[api.Vertical]bool{},
		listRound:  map[api.Vertical]int{},
		listMark:   map[api.Vertical]listMark{},
		scans:      map[api.Vertical]*scan{},
		scanBehind: map[api.Vertical]bool{},
		sentV:      map[api.Vertical][]time.Time{},
		bulkDue:    map[api.Vertical]time.Time{},
		bulkBusy:   map[api.Vertical]bool{},
		bulkWide:   map[api.Vertical]bool{},
		paused:     map[api.EndpointClass]time.Time{},
		hooks:      hookShare{max: max(1, perMin*WebhookSharePct/100)},
	}
}

func (b *budget) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *budget) push(j *job) {
	b.seq++
	j.seq = b.seq
	if j.kind != jobCheck {
		// Discovery first, then bulk checks and wallets by due time.
		j.prio = prioBulk
		if j.kind == jobList && !j.bulk {
			j.prio = prioEvidence
		}
		heap.Push(&b.lists, j)
		return
	}
	q := b.checks[j.key.Vertical]
	if q == nil {
		q = &jobQueue{}
		b.checks[j.key.Vertical] = q
	}
	heap.Push(q, j)
}

// unqueue takes a queued check out of its queue.
func (b *budget) unqueue(j *job) {
	if q := b.checks[j.key.Vertical]; q != nil && j.index >= 0 && j.index < q.Len() && (*q)[j.index] == j {
		heap.Remove(q, j.index)
	}
}

// fix restores the order of a queued check whose priority changed.
func (b *budget) fix(j *job) {
	if q := b.checks[j.key.Vertical]; q != nil && j.index >= 0 && j.index < q.Len() && (*q)[j.index] == j {
		heap.Fix(q, j.index)
	}
}

// queued counts every queued job.
func (b *budget) queued() int {
	n := b.lists.Len()
	for _, q := range b.checks {
		n += q.Len()
	}
	return n
}

// pause stops every request of class until now+d (the longest pause wins).
func (b *budget) pause(class api.EndpointClass, now time.Time, d time.Duration) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got429++
	until := now.Add(d)
	if until.After(b.paused[class]) {
		b.paused[class] = until
	}
	return b.paused[class]
}

func (b *budget) pausedUntil(class api.EndpointClass, now time.Time) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.paused[class]
	if !u.After(now) {
		delete(b.paused, class)
		return time.Time{}
	}
	return u
}

// admit returns zero when one more send at now keeps the rolling window
// within perMin, else how long to wait for the oldest send to leave it.
func (b *budget) admit(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pruneLocked(now)
	if b.inWindowLocked(now) < b.perMin {
		return 0
	}
	return max(b.sent[len(b.sent)-b.perMin].Add(b.window).Sub(now), time.Millisecond)
}

// inWindowLocked counts the sends of the provider's window (b.sent keeps the
// guarded one).
func (b *budget) inWindowLocked(now time.Time) int {
	i := 0
	for i < len(b.sent) && now.Sub(b.sent[i]) >= b.window {
		i++
	}
	return len(b.sent) - i
}

// sendsInWindow counts every send of the window, all classes.
func (b *budget) sendsInWindow(now time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inWindowLocked(now)
}

// hold is admit that, when it admits, also counts the send at once: two
// senders (the dispatcher, a list's next page) cannot both pass admit
// before either counts. release undoes a hold whose send did not happen;
// classify files a held send under its class and vertical.
func (b *budget) hold(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pruneLocked(now)
	// A hundredth of the budget is left for what the engine cannot count
	// ahead: a client's retry after a refreshed token.
	limit := max(b.perMin-b.perMin/100, 1)
	if len(b.sent) < limit {
		b.sent = append(b.sent, now)
		return 0
	}
	return max(b.sent[len(b.sent)-limit].Add(b.guarded()).Sub(now), time.Millisecond)
}

// guarded is the window held: a hundredth longer than the provider's, so
// that the network's jitter between sending and arriving never makes the
// provider count perMin+1 in its own window.
func (b *budget) guarded() time.Duration { return b.window + b.window/100 }

func (b *budget) release(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(b.sent) - 1; i >= 0; i-- {
		if b.sent[i].Equal(now) {
			b.sent = append(b.sent[:i], b.sent[i+1:]...)
			return
		}
	}
}

func (b *budget) classify(now time.Time, v api.Vertical, c jobClass) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sentClass[c] = append(b.sentClass[c], now)
	if v != "" {
		b.sentV[v] = append(b.sentV[v], now)
	}
}

func (b *budget) noteSent(now time.Time) { b.noteSentAs(now, "", classCheck) }

// noteSentAs records one send of class c for vertical v ("" = none).
func (b *budget) noteSentAs(now time.Time, v api.Vertical, c jobClass) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent = append(b.sent, now)
	b.sentClass[c] = append(b.sentClass[c], now)
	if v != "" {
		b.sentV[v] = append(b.sentV[v], now)
	}
	b.pruneLocked(now)
}

func (b *budget) pruneLocked(now time.Time) {
	b.sent = pruneLog(b.sent, now, b.guarded())
	for c := range b.sentClass {
		b.sentClass[c] = pruneLog(b.sentClass[c], now, b.window)
	}
	for v, l := range b.sentV {
		b.sentV[v] = pruneLog(l, now, b.window)
	}
}

// pruneLog drops the sends that left the window.
func pruneLog(l []time.Time, now time.Time, window time.Duration) []time.Time {
	cut := 0
	for cut < len(l) && now.Sub(l[cut]) >= window {
		cut++
	}
	if cut > 0 {
		l = append(l[:0], l[cut:]...)
	}
	return l
}

// usage returns the sends in the window of class c and of each vertical.
func (b *budget) usage(now time.Time, c jobClass) (int, map[api.Vertical]int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pruneLocked(now)
	byV := make(map[api.Vertical]int, len(b.sentV))
	for v, l := range b.sentV {
		byV[v] = len(l)
	}
	return len(b.sentClass[c]), byV
}

func (b *budget) classUse(now time.Time, c jobClass) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sentClass[c] = pruneLog(b.sentClass[c], now, b.window)
	return len(b.sentClass[c])
}

func (b *budget) snapshot(now time.Time) BudgetUpdate {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pruneLocked(now)
	paused := map[api.EndpointClass]time.Time{}
	for c, u := range b.paused {
		if u.After(now) {
			paused[c] = u
		}
	}
	return BudgetUpdate{
		Provider:    b.provider,
		PerMinute:   b.perMin,
		Available:   b.lim.Tokens(),
		UsedLastMin: b.inWindowLocked(now),
		Got429:      b.got429,
		LoweredFrom: b.loweredFrom,
		PausedUntil: maps.Clone(paused),
	}
}

// pauseOn429 is the one reaction to a 429: every GET of the provider waits
// for the server's Retry-After (DefaultRetryAfter, scaled, when it names
// none). It reports whether err was a 429 and until when GETs wait.
func (e *Engine) pauseOn429(b *budget, err error, now time.Time) (time.Time, bool) {
	if api.KindOf(err) != api.KindRateLimited {
		return time.Time{}, false
	}
	ra := api.RetryAfterOf(err)
	if ra <= 0 {
		ra = e.scaled(DefaultRetryAfter)
	}
	if lim := api.PerMinuteOf(err); lim > 0 {
		if from, to, first := b.lowerTo(lim); first {
			e.logf("%s: a 429 says the limit is %d/min: GET budget lowered from %d to %d/min for the rest of the run", b.provider, lim, from, to)
		}
	}
	return b.pause(api.ClassGET, now, ra), true
}

// limit is the budget a minute; a 429 may lower it while the scheduler runs.
func (b *budget) limit() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.perMin
}

// lowerTo lowers the budget for the rest of the run to 90% of a limit the
// provider stated, when that is under it; first is true the first time, so
// that it is said once.
func (b *budget) lowerTo(limit int) (from, to int, first bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	from, to = b.perMin, max(1, limit*9/10)
	if to >= from {
		return from, from, false
	}
	b.perMin = to
	burst := max(1, to/60)
	b.lim.SetBurst(burst)
	b.lim.SetLimit(rate.Limit(float64(max(to-burst, 1)) / b.window.Seconds()))
	b.hooks.max = max(1, to*WebhookSharePct/100)
	first = b.loweredFrom == 0
	if first {
		b.loweredFrom = from
	}
	return from, to, first
}
