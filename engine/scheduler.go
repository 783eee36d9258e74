package engine

import (
	"container/heap"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Scheduling under load (issue 12). The provider's budget binds first: 300
// GETs a minute cannot buy a detail GET per order at thousands of orders a
// minute, but one list page answers for hundreds. So:
//
//   - lists (discovery sweeps first, then bulk checks and wallets) go first
//     while they have used less than listShare of the window, and discovery
//     while it has used less than discoveryShare: discovery never starves,
//     and lists carry status for hundreds of orders a call;
//   - detail checks take turns between verticals: among the queues whose next
//     check has the best priority, the vertical with the fewest sends in the
//     window goes first (a fair share each);
//   - when the checks back up (saturated), a list that shows a new state of a
//     discovered order applies it at once and owes the detail GET (codes, an
//     activation code) at a low priority; the focused order, orders placed
//     here and pinned ones keep their detail GETs first; a window scan of a
//     list that says everything (scan.go) then goes before the checks of
//     discovered orders, past its share; orders gone from a PENDING list
//     are read in every other bulk check, unfiltered (bulk.go), not one
//     detail GET each;
//   - eSIM install checks stop at installShare of the window while other
//     checks wait, so they never crowd out delivery.
//
// Idle orders wait in a heap by due time (timers), not in a scan of every
// entry: the cost of a dispatch does not grow with the orders tracked.

const (
	listShare      = 0.75 // every list together
	discoveryShare = 0.6  // discovery sweeps alone
	installShare   = 0.1
	// saturatedAfter is the backlog of due checks, in seconds of budget,
	// past which the engine counts as saturated.
	saturatedAfter = 5
)

// jobClass is what a send is spent on, for the shares.
type jobClass uint8

const (
	classCheck     jobClass = iota // a detail GET
	classList                      // a bulk check's page or the wallets
	classInstall                   // an eSIM install check
	classDiscovery                 // a discovery sweep's page
	nClasses
)

func (e *Engine) classOf(j *job) jobClass {
	if j.kind == jobList && !j.bulk {
		return classDiscovery
	}
	if j.kind != jobCheck {
		return classList
	}
	if ent := e.entries[j.key]; ent != nil && ent.t.Phase == PhaseInstall && j.prio >= prioOld {
		return classInstall
	}
	return classCheck
}

// dueItem says an idle order falls due at `at` (stale when the entry was
// re-armed since: armedAt differs).
type dueItem struct {
	at  time.Time
	key api.OrderKey
}

type dueHeap []dueItem

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueItem)) }
func (h *dueHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// armLocked registers when an idle order falls due. Every change of
// NextCheck reaches here through publishLocked.
func (e *Engine) armLocked(ent *entry) {
	e.countLocked(ent)
	if ent.queued != nil || ent.inflight || ent.t.NextCheck.IsZero() {
		return
	}
	k := ent.t.Order.Key()
	b := e.budgets[k.Vertical.Provider()]
	if b == nil {
		return
	}
	due := e.dueLocked(ent)
	if ent.armed && ent.armedAt.Equal(due) {
		return
	}
	ent.armed, ent.armedAt = true, due
	heap.Push(&b.timers, dueItem{at: due, key: k})
	b.poke()
}

// countLocked keeps the per-vertical counts of in-flight foreground orders
// (what makes a bulk check worth running) and of finished ones (eviction).
func (e *Engine) countLocked(ent *entry) {
	b := e.budgets[ent.t.Order.Vertical.Provider()]
	if b == nil {
		return
	}
	v := ent.t.Order.Vertical
	fg := ent.t.Phase == PhaseForeground && ent.t.Order.Status.InFlight()
	done := (ent.t.Phase == PhaseDone || ent.t.Phase == PhaseOnDemand) && !ent.t.Order.Status.InFlight()
	b.fg[v] += delta(ent.fgCounted, fg)
	b.done[v] += delta(ent.doneCounted, done)
	ent.fgCounted, ent.doneCounted = fg, done
}

func delta(was, is bool) int {
	switch {
	case is && !was:
		return 1
	case was && !is:
		return -1
	}
	return 0
}

// forgetLocked drops an entry (eviction).
func (e *Engine) forgetLocked(ent *entry) {
	k := ent.t.Order.Key()
	if b := e.budgets[k.Vertical.Provider()]; b != nil {
		b.fg[k.Vertical] -= delta(false, ent.fgCounted)
		b.done[k.Vertical] -= delta(false, ent.doneCounted)
	}
	ent.fgCounted, ent.doneCounted = false, false
	if ent.queued != nil {
		if b := e.budgets[k.Vertical.Provider()]; b != nil {
			b.unqueue(ent.queued)
		}
		ent.queued = nil
	}
	delete(e.entries, k)
}

// collectTimersLocked queues the checks due by now and returns when the next
// idle order falls due (zero: none).
func (e *Engine) collectTimersLocked(b *budget, now time.Time) time.Time {
	for b.timers.Len() > 0 && !b.timers[0].at.After(now) {
		it := heap.Pop(&b.timers).(dueItem)
		ent := e.entries[it.key]
		if ent == nil || !ent.armed || !ent.armedAt.Equal(it.at) {
			continue // stale
		}
		ent.armed = false
		if ent.queued != nil || ent.inflight || ent.t.NextCheck.IsZero() {
			continue
		}
		due := e.dueLocked(ent)
		if due.After(now) {
			ent.armed, ent.armedAt = true, due
			heap.Push(&b.timers, dueItem{at: due, key: it.key})
			continue
		}
		j := &job{kind: jobCheck, key: it.key, due: due, prio: e.prioLocked(ent, now)}
		ent.queued = j
		b.push(j)
	}
	if b.timers.Len() > 0 {
		return b.timers[0].at
	}
	return time.Time{}
}

// saturatedLocked reports a backlog of due ordinary checks longer than
// saturatedAfter seconds of budget: lists must carry status now.
func (e *Engine) saturatedLocked(b *budget) bool {
	n := 0
	for _, q := range b.checks {
		n += q.Len()
	}
	return float64(n) > float64(b.limit())/60*saturatedAfter
}

// urgent reports a check that beats every share: a webhook's detail, the
// focused order, a manual refresh.
func urgent(j *job) bool { return j.prio <= prioFocused }

// pickLocked takes the next job by the rules above (nil: nothing queued).
func (e *Engine) pickLocked(b *budget, now time.Time) *job {
	if now.Sub(b.reprioAt) >= e.scaled(time.Second) {
		// Ages move young orders to old; focus and webhooks fix their job
		// at once, so a second of staleness is harmless.
		e.reprioritizeLocked(b, now)
		b.reprioAt = now
	}
	best, _ := e.bestCheckLocked(b, now)
	if best != nil && (*best)[0].prio == prioWebhook && !b.hookRoom(now) {
		// The webhook share ran out: its queued fetches are ordinary polls now.
		e.reprioritizeLocked(b, now)
		b.reprioAt = now
		best, _ = e.bestCheckLocked(b, now)
	}
	listUsed := b.classUse(now, classList)
	if best != nil && urgent((*best)[0]) {
		return heap.Pop(best).(*job)
	}
	if b.lists.Len() > 0 {
		top := b.lists[0]
		discUsed := b.classUse(now, classDiscovery)
		// The shares are of the sends in the window (this one counted), not of
		// the limit: against the limit, lists that start with an empty window
		// take listShare of it back to back (225 sends, 45 s at 300 a minute,
		// before an order placed here gets its detail), and forever when the
		// window never fills. Saturated, the two agree.
		sends := float64(b.sendsInWindow(now) + 1)
		first := best == nil || (*best)[0].prio >= prioOld || e.scanFirstLocked(b, top, (*best)[0]) ||
			float64(listUsed+discUsed) < listShare*sends ||
			(e.classOf(top) == classDiscovery && float64(discUsed) < discoveryShare*sends)
		if first {
			return heap.Pop(&b.lists).(*job)
		}
	}
	if best != nil {
		return heap.Pop(best).(*job)
	}
	return nil
}

// scanFirstLocked reports a window scan going before a check when saturated:
// its list says all a detail would (ListComplete), so a page of it buys more
// than any check but the ones a person waits for (focused, placed, pinned).
func (e *Engine) scanFirstLocked(b *budget, list, check *job) bool {
	if list.kind != jobList || check.prio < prioYoung {
		return false
	}
	p := e.Policy(list.vertical)
	return scanned(p) && p.ListComplete && e.saturatedLocked(b)
}

// bestCheckLocked is the queue whose next check goes first: the best
// priority, then the vertical with the fewest sends in the window, then the
// earliest due; eSIM install checks past their share wait while other work
// does.
func (e *Engine) bestCheckLocked(b *budget, now time.Time) (*jobQueue, api.Vertical) {
	var best *jobQueue
	var bestV api.Vertical
	installUsed := -1
	_, use := b.usage(now, classList)
	for v, q := range b.checks {
		if q.Len() == 0 {
			continue
		}
		top := (*q)[0]
		if e.classOf(top) == classInstall && b.lists.Len()+e.otherChecks(b, v) > 0 {
			if installUsed < 0 {
				installUsed = b.classUse(now, classInstall)
			}
			if float64(installUsed) >= installShare*float64(b.limit()) {
				continue // capped while other work waits
			}
		}
		if best == nil {
			best, bestV = q, v
			continue
		}
		cur := (*best)[0]
		switch {
		case top.prio != cur.prio:
			if top.prio < cur.prio {
				best, bestV = q, v
			}
		case use[v] != use[bestV]:
			if use[v] < use[bestV] {
				best, bestV = q, v
			}
		case top.due.Before(cur.due):
			best, bestV = q, v
		}
	}
	return best, bestV
}

// otherChecks counts queued checks outside v.
func (e *Engine) otherChecks(b *budget, v api.Vertical) int {
	n := 0
	for w, q := range b.checks {
		if w != v {
			n += q.Len()
		}
	}
	return n
}

// listsOverShare reports lists past their share: a bulk check then reads no
// further page (discovery's pages come first).
func (e *Engine) listsOverShare(b *budget, now time.Time) bool {
	return float64(b.classUse(now, classList)+b.classUse(now, classDiscovery)) >= listShare*float64(b.limit())
}
