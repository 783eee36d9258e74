package engine

import (
	"context"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// listPageSize is the first page asked of a discovery list.
const listPageSize = 100

// runList is one discovery call: status "PENDING" finds orders placed
// elsewhere, "" (first page, newest first) picks recently finished ones.
func (e *Engine) runList(ctx context.Context, b *budget, v api.Vertical, status string) {
	page, err := b.source.ListOrders(ctx, v, api.ListQuery{Status: status, Page: 1, PerPage: listPageSize})
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
		if _, handled := e.pauseOn429(b, err, now); !handled {
			e.out.put(ErrorUpdate{Provider: b.provider, Vertical: v, At: now, Err: "list " + string(v) + ": " + err.Error()})
		}
		e.mu.Unlock()
		return
	}
	pending := 0
	for _, o := range page.Orders {
		if o.ID == "" {
			continue
		}
		o.Vertical = v
		if o.Provider == "" {
			o.Provider = b.provider
		}
		if o.Status == "" {
			o.Status = api.Normalize(o.Provider, o.RawStatus)
		}
		if o.Status.InFlight() {
			pending++
		}
		after = append(after, e.reconcileListedLocked(o, now)...)
	}
	e.evictLocked(v)
	// Both kinds of list refresh what the tab shows (they alternate, so
	// saying only one made "listed" read twice the 15 s cadence); only the
	// PENDING list counts the pending orders.
	lu := ListUpdate{Vertical: v, At: now, Pending: -1}
	if status != "" {
		lu.Pending = max(pending, page.Page.TotalCount)
	}
	e.out.put(lu)
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
}

// reconcileListedLocked merges one listed order. Lists can lag behind the
// detail call, so a list never overwrites a known state: a difference only
// triggers a detail check.
func (e *Engine) reconcileListedLocked(o api.Order, now time.Time) []func() {
	ent := e.entries[o.Key()]
	if ent == nil {
		return e.trackLocked(o, OriginDiscovered, SourceList, now)
	}
	cur := ent.t.Order
	if cur.Status == o.Status && cur.RawStatus == o.RawStatus {
		return nil
	}
	if cur.Status != "" && !cur.Status.InFlight() {
		return nil // a finished order never moves back
	}
	if ent.inflight || ent.queued != nil {
		return nil
	}
	if ent.t.NextCheck.IsZero() || ent.t.NextCheck.After(now) {
		ent.t.NextCheck = now
		ent.nextSrc = SourceList
	}
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
