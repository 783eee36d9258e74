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
	queue      jobQueue
	seq        uint64
	listDue    map[api.Vertical]time.Time
	listBusy   map[api.Vertical]bool
	listAll    map[api.Vertical]bool // next list of v is the unfiltered one
	bulkDue    map[api.Vertical]time.Time
	bulkBusy   map[api.Vertical]bool
	walletDue  time.Time
	walletBusy bool
	verticals  []api.Vertical

	mu     sync.Mutex
	paused map[api.EndpointClass]time.Time
	got429 int
	sent   []time.Time
	hooks  hookShare
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
		provider: src.Provider(),
		source:   src,
		perMin:   perMin,
		window:   window,
		lim:      rate.NewLimiter(rate.Limit(refill), burst),
		workers:  workers,
		wake:     make(chan struct{}, 1),
		listDue:  map[api.Vertical]time.Time{},
		listBusy: map[api.Vertical]bool{},
		listAll:  map[api.Vertical]bool{},
		bulkDue:  map[api.Vertical]time.Time{},
		bulkBusy: map[api.Vertical]bool{},
		paused:   map[api.EndpointClass]time.Time{},
		hooks:    hookShare{max: max(1, perMin*WebhookSharePct/100)},
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
	heap.Push(&b.queue, j)
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
	if len(b.sent) < b.perMin {
		return 0
	}
	return max(b.sent[len(b.sent)-b.perMin].Add(b.window).Sub(now), time.Millisecond)
}

func (b *budget) noteSent(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent = append(b.sent, now)
	b.pruneLocked(now)
}

func (b *budget) pruneLocked(now time.Time) {
	cut := 0
	for cut < len(b.sent) && now.Sub(b.sent[cut]) >= b.window {
		cut++
	}
	if cut > 0 {
		b.sent = append(b.sent[:0], b.sent[cut:]...)
	}
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
		UsedLastMin: len(b.sent),
		Got429:      b.got429,
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
	return b.pause(api.ClassGET, now, ra), true
}
