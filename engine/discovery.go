package engine

import (
	"context"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// listPendingEvery says how often discovery reads the PENDING list instead of
// an unfiltered sweep: rounds 0, 4, 8… (the first finds what is in flight at
// start; later ones what outlived every sweep's reach).
const listPendingEvery = 4

// maxSweepPages bounds the pages one discovery sweep reads.
const maxSweepPages = 8

// busySweep is how many new orders make a sweep "busy": the next one then
// comes at half the discovery cadence, so a burst is never missed for long.
const busySweep = 20

// runList is one discovery call. An unfiltered sweep reads newest first, page
// after page until it reaches the newest order the previous sweep saw (the
// watermark), so no order placed elsewhere is missed however fast they come;
// what it shows also vouches for, or moves, the orders already tracked.
// status "PENDING" reads the in-flight orders instead.
func (e *Engine) runList(ctx context.Context, b *budget, v api.Vertical, status string) {
	sentAt := e.now()
	e.mu.Lock()
	mark := b.listMark[v]
	e.mu.Unlock()
	per := e.Policy(v).PageSize
	var items []api.Order
	var newest listMark
	total := 0
	var err error
	capped := false
	for page := 1; page <= maxSweepPages; page++ {
		if page > 1 {
			if err = e.waitTokenAs(ctx, b, v, classDiscovery); err != nil {
				break
			}
		}
		q := api.ListQuery{Status: status, Page: page, PerPage: per}
		if status == "" && !mark.at.IsZero() {
			// Providers that filter by date (OneClickDz) then page through
			// new orders only (whole seconds: ties are read again).
			q.From, q.To = mark.at.Truncate(time.Second), sentAt.Add(24*time.Hour)
		}
		var pg api.OrderPage
		pg, err = b.source.ListOrders(ctx, v, q)
		if err != nil {
			break
		}
		items = append(items, pg.Orders...)
		if page == 1 {
			total = pg.Page.TotalCount
			if len(pg.Orders) > 0 {
				newest = markOf(pg.Orders[0])
			}
		}
		more := pg.Page.HasMore || pg.Page.TotalPages > page || pg.Page.TotalCount > len(items)
		if pg.Page == (api.Page{}) {
			more = len(pg.Orders) >= per
		}
		if status != "" || !more || len(pg.Orders) == 0 {
			break
		}
		// Read on until a page reaches back past the watermark (times of
		// equal resolution may tie: a tie reads on).
		if mark.newerThan(markOf(pg.Orders[len(pg.Orders)-1])) {
			break
		}
		capped = page == maxSweepPages
	}
	var after []func()
	e.mu.Lock()
	now := e.now()
	b.listBusy[v] = false
	b.listDue[v] = now.Add(Jitter(e.Policy(v).Discover, 0.1, e.rnd))
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
	} else if status == "" && newest.newerThan(mark) {
		b.listMark[v] = newest
	}
	pending, found := 0, 0
	for _, o := range listedOrders(b, v, items) {
		if o.Status.InFlight() {
			pending++
		}
		if e.entries[o.Key()] == nil {
			found++
		}
		after = append(after, e.reconcileListedLocked(b, o, sentAt, now)...)
	}
	switch {
	case capped:
		b.listDue[v] = now.Add(e.scaled(time.Second)) // falling behind: sweep again at once
	case status != "":
		// The PENDING round takes no sweep's turn: the sweep follows at once.
		b.listDue[v] = now.Add(e.scaled(time.Second))
	case found >= busySweep:
		b.listDue[v] = now.Add(Jitter(e.Policy(v).Discover/2, 0.1, e.rnd))
	}
	e.evictLocked(v)
	// Sweeps and the PENDING list both refresh what the tab shows; only the
	// PENDING list counts the pending orders.
	lu := ListUpdate{Vertical: v, At: now, Pending: -1}
	if status != "" {
		lu.Pending = max(pending, total)
	}
	e.out.put(lu)
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
	b.poke()
}

// listedOrders is a list's items once each (pages may shift between reads),
// with the vertical, provider and normalized status filled in.
func listedOrders(b *budget, v api.Vertical, items []api.Order) []api.Order {
	out := make([]api.Order, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, o := range items {
		if o.ID == "" || seen[o.ID] {
			continue
		}
		seen[o.ID] = true
		o.Vertical = v
		if o.Provider == "" {
			o.Provider = b.provider
		}
		if o.Status == "" {
			o.Status = api.Normalize(o.Provider, o.RawStatus)
		}
		out = append(out, o)
	}
	return out
}

// listErrLocked shows a failed list call; a 429 is back-pressure the budget
// handles and the status bar counts.
func (e *Engine) listErrLocked(b *budget, v api.Vertical, err error, now time.Time) {
	if _, handled := e.pauseOn429(b, err, now); !handled {
		e.out.put(ErrorUpdate{Provider: b.provider, Vertical: v, At: now, Err: "list " + string(v) + ": " + err.Error()})
	}
}

// reconcileListedLocked merges one listed order. Lists can lag behind the
// detail call, so a list never moves an order back: an unchanged state
// vouches for the order, a new one goes through listSaysLocked.
func (e *Engine) reconcileListedLocked(b *budget, o api.Order, sentAt, now time.Time) []func() {
	ent := e.entries[o.Key()]
	if ent == nil {
		return e.fromListLocked(func() []func() { return e.trackLocked(o, OriginDiscovered, SourceList, now) })
	}
	cur := ent.t.Order
	if cur.Status != "" && !cur.Status.InFlight() {
		return nil // a finished order never moves back
	}
	if ent.inflight || ent.lastDetail.After(sentAt) || ent.t.Phase == PhaseDone || ent.t.Phase == PhaseOnDemand {
		return nil
	}
	if cur.Status == o.Status && strings.EqualFold(cur.RawStatus, o.RawStatus) {
		e.vouchLocked(b, ent, now)
		return nil
	}
	return e.listSaysLocked(b, ent, o, sentAt, now)
}

// listSaysLocked handles a list showing a tracked in-flight order in another
// state. A list-complete final state is applied (nothing more to fetch).
// When saturated, a discovered order (not the focused one) takes the list's
// state too, and owes its detail GET; a list newer than the last detail
// cannot be behind it. Otherwise the detail GET goes first (evidence).
func (e *Engine) listSaysLocked(b *budget, ent *entry, lo api.Order, sentAt, now time.Time) []func() {
	cur := ent.t.Order
	p := e.Policy(cur.Vertical)
	final := !lo.Status.InFlight()
	take := func() []func() {
		if ent.queued != nil {
			b.unqueue(ent.queued)
			ent.queued = nil
		}
		return e.fromListLocked(func() []func() { return e.applyLocked(ent, finalFromList(cur, lo), SourceList, now, false) })
	}
	switch {
	case p.ListComplete && p.IsFinal(lo.Status) && !(lo.Status == api.StatusPartial && p.PartialEvery > 0):
		return take()
	case e.saturatedLocked(b) && ent.t.Origin == OriginDiscovered && cur.Key() != e.focus &&
		!ent.hookFetch && (final || ent.lastDetail.Before(sentAt.Add(-e.listLag))):
		return take()
	case e.saturatedLocked(b) && ent.t.Origin == OriginDiscovered && cur.Key() != e.focus:
		// A list may lag a detail: check it at its normal priority.
		ent.nextSrc = SourceList
		if ent.t.NextCheck.IsZero() || ent.t.NextCheck.After(now) {
			ent.t.NextCheck = now
		}
		e.publishLocked(ent, false, nil)
		return nil
	}
	e.evidenceLocked(b, ent, now)
	return nil
}

func (e *Engine) finishWallets(ctx context.Context, b *budget, ws []api.Wallet, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	b.walletBusy = false
	if e.walletEv > 0 {
		b.walletDue = now.Add(Jitter(e.walletEv, 0.1, e.rnd))
	}
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		if _, handled := e.pauseOn429(b, err, now); !handled {
			e.out.put(ErrorUpdate{Provider: b.provider, At: now, Err: "wallets: " + err.Error()})
		}
		return
	}
	cp := append([]api.Wallet(nil), ws...)
	e.wallets[b.provider] = cp
	e.out.put(WalletUpdate{Provider: b.provider, Wallets: append([]api.Wallet(nil), cp...), At: now})
}

// Wallets returns the last known balances of a provider.
func (e *Engine) Wallets(p api.Provider) []api.Wallet {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]api.Wallet(nil), e.wallets[p]...)
}
