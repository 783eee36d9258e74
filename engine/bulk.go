package engine

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Bulk checks: while a vertical has several in-flight orders in their
// foreground phase, its list call runs at the foreground cadence and serves
// as evidence for every tracked order it covers. One request then vouches
// for hundreds of orders; detail GETs go where the list says something
// changed. Lists show stored state and may lag (contract §4), so a list
// never moves an order: it only vouches for an unchanged state or asks for
// a detail GET.
//
// Safety net: a vouched order still gets a detail GET at least once per
// Policy.VouchFor counted from its last detail GET (topups 30 s, their
// interval cap, because the topup detail call refreshes the status from
// upstream and a provider may advance some orders only then, which lists
// would never show; vouchers and eSIMs 1 min; OneClickDz 30 s), or per
// background cadence past the horizon, or per silence window for
// webhook-covered orders. Time, not a count of vouches, bounds staleness.

// maxBulkPages bounds the pages one bulk check reads.
const maxBulkPages = 4

// listMark places an order in a newest-first list: by creation time when
// both sides have one, else by numeric id.
type listMark struct {
	at time.Time
	id int64
	ok bool
}

func markOf(o api.Order) listMark {
	id, err := strconv.ParseInt(o.ID, 10, 64)
	return listMark{at: o.CreatedAt, id: id, ok: err == nil}
}

// newerThan reports whether m is known to sort before (newer than) old.
func (m listMark) newerThan(old listMark) bool {
	if old == (listMark{}) {
		return m != (listMark{}) // no watermark yet: any order is past it
	}
	if !m.at.IsZero() && !old.at.IsZero() {
		return m.at.After(old.at)
	}
	return m.ok && old.ok && m.id > old.id
}

// runBulk is one bulk check of vertical v. Lists that filter on the server
// (Policy.ListFilters) are read filtered; others (the client would filter a
// page) are read unfiltered, newest first, as are list-complete ones, whose
// items carry the full status.
func (e *Engine) runBulk(ctx context.Context, b *budget, v api.Vertical) {
	sentAt := e.now()
	// A PENDING filter hides final states; list-complete verticals want them.
	pol := e.Policy(v)
	status := ""
	if pol.ListFilters && !pol.ListComplete {
		status = pol.ListStatus
	}
	var reach listMark
	if status != "" {
		e.mu.Lock()
		reach = e.absentReachLocked(b, v)
		e.mu.Unlock()
		if reach != (listMark{}) {
			status = ""
		}
	}
	filtered := status != ""
	per := pol.PageSize
	var items []api.Order
	var oldest listMark
	complete := false
	var err error
	pages := maxBulkPages
	if reach != (listMark{}) {
		pages = maxSweepPages
	}
	for page := 1; page <= pages; page++ {
		if page > 1 {
			if e.listsOverShare(b, e.now()) {
				break // discovery's pages first
			}
			if err = e.waitTokenAs(ctx, b, v, classList); err != nil {
				break
			}
		}
		var pg api.OrderPage
		pg, err = b.source.ListOrders(ctx, v, api.ListQuery{Status: status, Page: page, PerPage: per})
		if err != nil {
			break
		}
		items = append(items, pg.Orders...)
		if n := len(pg.Orders); n > 0 {
			oldest = markOf(pg.Orders[n-1])
		}
		more := pg.Page.HasMore || pg.Page.TotalPages > page || pg.Page.TotalCount > len(items)
		if pg.Page == (api.Page{}) {
			more = len(pg.Orders) >= per // no paging info: a full page may have a next one
		}
		if !more || len(pg.Orders) == 0 {
			complete = true
			break
		}
		// Read on only while it pays: enough tracked orders (or the absent
		// ones it reads for) lie beyond this page.
		if reach != (listMark{}) {
			if !oldest.newerThan(reach) {
				break
			}
		} else if e.uncovered(v, oldest) < max(e.bulkMin, 1) {
			break
		}
	}
	var after []func()
	e.mu.Lock()
	now := e.now()
	mark := b.listMark[v]
	b.bulkBusy[v] = false
	b.bulkDue[v] = now.Add(Jitter(e.Policy(v).Intervals[0], 0.1, e.rnd))
	if ctx.Err() != nil {
		e.mu.Unlock()
		return
	}
	if err != nil {
		e.listErrLocked(b, v, err, now)
		if len(items) == 0 {
			e.mu.Unlock()
			return
		}
		complete = false // what was read still vouches for what it shows
	}
	// Before the watermark moves: it tells the orders discovery let go.
	after = e.applyBulkLocked(b, v, items, oldest, complete, filtered, status, sentAt, now)
	if !filtered && err == nil && len(items) > 0 && e.cfg.Discover {
		// An unfiltered bulk check read newest first, as a sweep does: when
		// it reached back past the watermark it was one, and the next sweep
		// can wait (a list budget spent once, not twice).
		if complete || !oldest.newerThan(mark) {
			if newest := markOf(items[0]); newest.newerThan(mark) {
				b.listMark[v] = newest
			}
			if due := now.Add(e.Policy(v).Discover / 2); !b.listBusy[v] && b.listDue[v].Before(due) {
				b.listDue[v] = due
			}
			e.out.put(ListUpdate{Vertical: v, At: now, Pending: -1})
		}
	}
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
	b.poke()
}

// absentReachLocked is how far back a bulk check of a filtering list reads
// it unfiltered instead (zero: filtered, as usual). Saturated, orders gone
// from the PENDING list wait for a detail GET each to say what they became;
// every other bulk check then reads newest first back to the oldest of them
// (at most maxSweepPages: an older one gets its detail GET), and a page
// carries the final state of hundreds.
func (e *Engine) absentReachLocked(b *budget, v api.Vertical) listMark {
	if !e.saturatedLocked(b) || b.bulkWide[v] {
		b.bulkWide[v] = false
		return listMark{}
	}
	var reach listMark
	for k, ent := range e.entries {
		if k.Vertical != v || !ent.absent {
			continue
		}
		if m := markOf(ent.t.Order); m != (listMark{}) && (reach == (listMark{}) || reach.newerThan(m)) {
			reach = m
		}
	}
	b.bulkWide[v] = reach != (listMark{})
	return reach
}

// uncovered counts tracked in-flight orders of v older than the page's
// oldest item (or not placeable at all).
func (e *Engine) uncovered(v api.Vertical, oldest listMark) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for k, ent := range e.entries {
		if k.Vertical == v && ent.t.Order.Status.InFlight() && !markOf(ent.t.Order).newerThan(oldest) {
			n++
		}
	}
	return n
}

func (e *Engine) applyBulkLocked(b *budget, v api.Vertical, items []api.Order, oldest listMark, complete, filtered bool,
	status string, sentAt, now time.Time) []func() {
	var after []func()
	listed := make(map[string]api.Order, len(items))
	for _, o := range listedOrders(b, v, items) {
		listed[o.ID] = o
		// A finished order discovery let go (evicted, or untracked by the
		// user) is not tracked again because an unfiltered page reached it.
		if e.cfg.Discover && e.entries[o.Key()] == nil && !e.settledLocked(o, b.listMark[v]) {
			after = append(after, e.fromListLocked(func() []func() { return e.trackLocked(o, OriginDiscovered, SourceList, now) })...)
		}
	}
	// Absence says something only about orders the list must show: created
	// before its snapshot (which may lag the request by ListLag).
	snapshot := sentAt.Add(-e.listLag)
	for k, ent := range e.entries {
		if k.Vertical != v || ent.inflight {
			continue
		}
		cur := ent.t.Order
		if cur.Status == "" || !cur.Status.InFlight() || ent.t.Phase == PhaseDone || ent.t.Phase == PhaseOnDemand {
			continue
		}
		if ent.lastDetail.After(sentAt) {
			continue // a detail fresher than the list
		}
		lo, shown := listed[k.ID]
		switch {
		case shown && lo.Status == cur.Status && strings.EqualFold(lo.RawStatus, cur.RawStatus):
			e.vouchLocked(b, ent, now)
		case shown:
			// A new or terminal state: applied when the list says all there is
			// to say, or when saturated; else the detail GET first.
			after = append(after, e.listSaysLocked(b, ent, lo, sentAt, now)...)
		case filtered && strings.EqualFold(cur.RawStatus, status) && (complete || markOf(cur).newerThan(oldest)) &&
			e.createdBefore(ent, snapshot):
			if e.saturatedLocked(b) && ent.t.Origin == OriginDiscovered && k != e.focus {
				// No longer PENDING, but to what? A sweep shows a recent
				// order soon; if none has after half a discovery cadence, the
				// detail GET goes first (an older order, beyond the sweeps).
				if !ent.absent {
					ent.absent = true
					ent.nextSrc = SourceList
					if at := now.Add(e.Policy(v).Discover / 2); ent.t.NextCheck.IsZero() || ent.t.NextCheck.After(at) {
						ent.t.NextCheck = at
					}
					if ent.queued != nil {
						b.unqueue(ent.queued)
						ent.queued = nil
					}
					e.publishLocked(ent, false, nil)
				}
				break
			}
			e.evidenceLocked(b, ent, now) // no longer PENDING
		}
	}
	return after
}

func (e *Engine) createdBefore(ent *entry, t time.Time) bool {
	c := ent.t.Order.CreatedAt
	if c.IsZero() || ent.t.FirstSeen.Before(c) {
		c = ent.t.FirstSeen
	}
	return c.Before(t)
}

// vouchLocked counts a list showing the order unchanged as a check.
func (e *Engine) vouchLocked(b *budget, ent *entry, now time.Time) {
	cur := ent.t.Order
	ent.t.LastChecked = now
	ent.attempts++
	ent.t.History = appendHistory(ent.t.History, Event{At: now, Source: SourceList, From: cur.Status, To: cur.Status,
		RawFrom: cur.RawStatus, RawTo: cur.RawStatus, Note: "unchanged in the list"})
	urgent := ent.hookFetch || ent.evidence || ent.boosted || ent.nextSrc != ""
	if urgent {
		e.publishLocked(ent, false, nil)
		return
	}
	e.scheduleLocked(ent, now)
	// The safety net: a detail GET at least once per interval cap.
	p := e.Policy(cur.Vertical)
	base := ent.lastDetail
	if base.IsZero() {
		base = ent.t.FirstSeen
	}
	every := max(p.Floor, p.VouchFor)
	if p.VouchFor <= 0 && len(p.Intervals) > 0 {
		every = max(every, p.Intervals[len(p.Intervals)-1])
	}
	if ent.t.Phase == PhaseBackground {
		every = max(every, p.Background)
	}
	if ent.t.Webhook {
		every = max(every, e.silence)
	}
	if limit := base.Add(every); ent.t.NextCheck.After(limit) {
		ent.t.NextCheck = limit
	}
	if ent.queued != nil && ent.t.NextCheck.After(now) {
		// The check it replaces leaves the queue: the budget goes elsewhere.
		b.unqueue(ent.queued)
		ent.queued = nil
	}
	e.publishLocked(ent, false, nil)
}

// evidenceLocked asks for an immediate, high-priority detail GET (vouchers
// need it for their codes, eSIMs for the activation code).
func (e *Engine) evidenceLocked(b *budget, ent *entry, now time.Time) {
	ent.evidence = true
	ent.nextSrc = SourceList
	ent.t.NextCheck = now
	if ent.queued != nil {
		ent.queued.prio = e.prioLocked(ent, now)
		b.fix(ent.queued)
	}
	e.publishLocked(ent, false, nil)
}

// finalFromList lays a list item's final state over the order we hold, which
// keeps what lists leave out (input data, the recipient).
func finalFromList(cur, lo api.Order) api.Order {
	o := cur.Clone()
	o.Status, o.RawStatus = lo.Status, lo.RawStatus
	if lo.StatusText != "" {
		o.StatusText = lo.StatusText
	}
	for _, t := range []struct {
		dst *time.Time
		src time.Time
	}{{&o.CompletedAt, lo.CompletedAt}, {&o.UpdatedAt, lo.UpdatedAt}} {
		if !t.src.IsZero() {
			*t.dst = t.src
		}
	}
	if lo.FailureCode != "" || lo.FailureReason != "" {
		o.FailureCode, o.FailureReason, o.UserFixable = lo.FailureCode, lo.FailureReason, lo.UserFixable
	}
	if lo.DeliveredQuantity > o.DeliveredQuantity {
		o.DeliveredQuantity = lo.DeliveredQuantity
	}
	if len(lo.Vouchers) > 0 {
		o.Vouchers = append([]api.Voucher(nil), lo.Vouchers...)
	}
	if len(lo.SuggestedOffers) > 0 {
		o.SuggestedOffers = append([]api.Offer(nil), lo.SuggestedOffers...)
	}
	for _, f := range []struct {
		dst *float64
		src float64
	}{{&o.Debited, lo.Debited}, {&o.Refunded, lo.Refunded}, {&o.Paid, lo.Paid}} {
		if f.src != 0 {
			*f.dst = f.src
		}
	}
	// The face value stays the detail's: a list item may carry only the
	// price (an Octopus topup list has no requested_amount).
	if o.Amount == 0 {
		o.Amount = lo.Amount
	}
	if lo.DebitCurrency != "" {
		o.DebitCurrency = lo.DebitCurrency
	}
	if lo.TransactionID != "" {
		o.TransactionID = lo.TransactionID
	}
	return o
}
