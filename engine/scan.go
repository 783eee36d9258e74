package engine

import (
	"context"
	"slices"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Window scans (issue 12). A list that filters by creation time and not by
// status (OneClickDz: Policy.ListsByDate) is read as one rolling scan per
// vertical instead of separate discovery sweeps and bulk checks. A pass pages
// newest first from now back to the older of the oldest in-flight order it
// vouches for and the discovery watermark: one read both finds the new orders
// and carries the status of those in flight, and no settled page is read
// twice. A run reads at most maxSweepPages, fewer once lists are past their
// share; the next run goes on at the page where it stopped (a pass reads up
// to its start, so its pages stay put): a pass that falls behind keeps its
// place instead of losing what it skipped.

// scanPages bounds the window a pass must cover, in pages of tracked orders:
// an in-flight order older than that gets its detail GETs instead (one stuck
// order must not make every pass read the whole day).
const scanPages = 16

// scan is one vertical's pass in progress, guarded by Engine.mu.
type scan struct {
	from time.Time // oldest creation time the pass reads (zero: no bound, one run)
	to   time.Time // newest: the pass's start, so that its pages stay put
	page int       // the next page to read
	top  listMark  // newest order the pass read: the watermark once it ends
	mark listMark  // the watermark when the pass began
	runs int       // runs so far: more than one says the scans are behind
	new  bool      // new orders only (the watermark bounds it, not the orders in flight)
}

// scanned reports a vertical read by window scans: its list takes a date
// range and no status filter (a server-side status filter reads less).
func scanned(p Policy) bool { return p.ListsByDate && !(p.ListFilters && !p.ListComplete) }

// runScan is one run of v's pass; bulk says which job ran it (discovery off,
// the bulk check scans for the tracked orders only).
func (e *Engine) runScan(ctx context.Context, b *budget, v api.Vertical, bulk bool) {
	sentAt := e.now()
	pol := e.Policy(v)
	class := classDiscovery
	if bulk {
		class = classList
	}
	e.mu.Lock()
	st := b.scans[v]
	if st == nil {
		// Behind (the last pass took more than one run), every other pass
		// reads only what is new: discovery first, status at half the rate.
		st = &scan{mark: b.listMark[v], new: b.scanBehind[v] && !b.listMark[v].at.IsZero()}
		b.scanBehind[v] = false
		if st.new {
			st.from = st.mark.at.Add(-e.listLag)
		} else {
			st.from = e.scanFromLocked(v, st.mark, pol.PageSize)
		}
		// Whole seconds (the API's format): a bound's second is read whole.
		st.to, st.page = sentAt.Truncate(time.Second).Add(time.Second), 1
		b.scans[v] = st
	}
	st.runs++
	base := api.ListQuery{PerPage: pol.PageSize}
	if !st.from.IsZero() {
		base.From, base.To = st.from.Truncate(time.Second), st.to
	}
	first := st.page
	e.mu.Unlock()

	var items []api.Order
	var err error
	end, last := false, first-1
	for page := first; page < first+maxSweepPages; page++ {
		if page > first {
			if e.listsOverShare(b, e.now()) {
				break // the next run goes on from this page
			}
			if err = e.waitTokenAs(ctx, b, v, class); err != nil {
				break
			}
		}
		q := base
		q.Page = page
		var pg api.OrderPage
		pg, err = b.source.ListOrders(ctx, v, q)
		if err != nil {
			break
		}
		items = append(items, pg.Orders...)
		more := pg.Page.HasMore || pg.Page.TotalPages > page || pg.Page.TotalCount > (page-1)*pol.PageSize+len(pg.Orders)
		if pg.Page == (api.Page{}) {
			more = len(pg.Orders) >= pol.PageSize
		}
		last = page
		if !more || len(pg.Orders) == 0 {
			end = true
			break
		}
	}

	var after []func()
	e.mu.Lock()
	now := e.now()
	if bulk {
		b.bulkBusy[v] = false
	} else {
		b.listBusy[v] = false
	}
	if ctx.Err() != nil {
		e.mu.Unlock()
		return
	}
	if err != nil {
		e.listErrLocked(b, v, err, now)
	}
	if st.top == (listMark{}) && first == 1 && len(items) > 0 {
		st.top = markOf(items[0])
	}
	found := 0
	for _, o := range listedOrders(b, v, items) {
		if e.entries[o.Key()] == nil {
			if !e.cfg.Discover || e.settledLocked(o, st.mark) {
				continue
			}
			found++
		}
		after = append(after, e.reconcileListedLocked(b, o, sentAt, now)...)
	}
	if err == nil {
		e.advanceScanLocked(b, v, st, last, end)
	}
	due := now.Add(Jitter(pol.Discover, 0.1, e.rnd))
	switch {
	case err != nil:
	case b.scans[v] != nil:
		due = now.Add(e.scaled(time.Second)) // mid-pass: go on at once
	case b.fg[v] > 0 && len(pol.Intervals) > 0:
		due = now.Add(Jitter(pol.Intervals[0], 0.1, e.rnd)) // in flight: at the foreground cadence
	case found >= busySweep:
		due = now.Add(Jitter(pol.Discover/2, 0.1, e.rnd))
	}
	if bulk {
		b.bulkDue[v] = due
	} else {
		b.listDue[v] = due
	}
	e.evictLocked(v)
	e.out.put(ListUpdate{Vertical: v, At: now, Pending: -1})
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
	b.poke()
}

// advanceScanLocked ends the pass when it read its whole range (the newest
// order it read becomes the watermark), or moves it on past the last page
// this run read.
func (e *Engine) advanceScanLocked(b *budget, v api.Vertical, st *scan, last int, end bool) {
	if !end && !st.from.IsZero() {
		st.page = last + 1
		return
	}
	if st.top.newerThan(b.listMark[v]) {
		b.listMark[v] = st.top
	}
	b.scanBehind[v] = st.runs > 1 && !st.new
	delete(b.scans, v)
}

// scanFromLocked is how far back a new pass reads: the oldest in-flight
// order of v in its foreground phase (within the newest scanPages pages of
// tracked orders), or the watermark less the list lag if that is older.
// Zero: nothing bounds it (no watermark yet).
func (e *Engine) scanFromLocked(v api.Vertical, mark listMark, per int) time.Time {
	var created []time.Time
	var oldest time.Time
	for k, ent := range e.entries {
		if k.Vertical != v {
			continue
		}
		c := ent.t.Order.CreatedAt
		if c.IsZero() {
			c = ent.t.FirstSeen
		}
		created = append(created, c)
		if ent.t.Order.Status.InFlight() && ent.t.Phase == PhaseForeground && (oldest.IsZero() || c.Before(oldest)) {
			oldest = c
		}
	}
	if limit := scanPages * max(per, 1); !oldest.IsZero() && len(created) > limit {
		slices.SortFunc(created, func(a, b time.Time) int { return b.Compare(a) })
		if bound := created[limit-1]; oldest.Before(bound) {
			oldest = bound
		}
	}
	if mark.at.IsZero() {
		if mark.ok {
			return time.Time{} // ids only: no date to bound by
		}
		return oldest
	}
	if m := mark.at.Add(-e.listLag); oldest.IsZero() || m.Before(oldest) {
		return m
	}
	return oldest
}

// settledLocked reports an untracked order an earlier pass already read and
// let go (a finished order evicted, or one the user stopped tracking): final,
// and created well before the watermark the pass began with.
func (e *Engine) settledLocked(o api.Order, mark listMark) bool {
	if o.Status.InFlight() || mark.at.IsZero() || o.CreatedAt.IsZero() {
		return false
	}
	return o.CreatedAt.Before(mark.at.Add(-e.listLag))
}
