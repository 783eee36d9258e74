package ui

import (
	"fmt"
	"strconv"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/theme"
)

const (
	toastFor     = 6 * time.Second
	toastFailFor = 12 * time.Second
	maxToasts    = 5
)

type toast struct {
	text  string
	fail  bool
	until time.Time
}

// applyBatch folds one coalesced batch into the model: one table repair per
// tab, however many orders changed.
func (m *Model) applyBatch(b engine.Batch) {
	now := m.now()
	m.loaded = true
	type pending struct {
		items []engine.Tracked
		hl    []bool
	}
	per := map[api.Vertical]*pending{}
	// Sized once: a Tracked is large, and growing the slices by doubling
	// was most of the dashboard's garbage under load.
	counts := map[api.Vertical]int{}
	for _, u := range b {
		if u, ok := u.(engine.OrderUpdate); ok && !u.Removed {
			counts[u.Tracked.Order.Vertical]++
		}
	}
	drop := map[api.Vertical]map[string]bool{} // by the last word on each ID in the batch
	logStart := len(m.events.entries)
	for _, u := range b {
		switch u := u.(type) {
		case engine.OrderUpdate:
			t, ok := m.byVert[u.Tracked.Order.Vertical]
			if !ok || u.Tracked.Order.ID == "" {
				m.logger.Printf("order %s:%s ignored: no tab", u.Tracked.Order.Vertical, u.Tracked.Order.ID)
				continue
			}
			if u.Removed {
				if drop[t.vertical] == nil {
					drop[t.vertical] = map[string]bool{}
				}
				drop[t.vertical][u.Tracked.Order.ID] = true
				continue
			}
			delete(drop[t.vertical], u.Tracked.Order.ID) // tracked again after an eviction
			p := per[t.vertical]
			if p == nil {
				n := counts[t.vertical]
				p = &pending{items: make([]engine.Tracked, 0, n), hl: make([]bool, 0, n)}
				per[t.vertical] = p
			}
			changed := u.New || (u.Event != nil && u.Event.Changed)
			p.items = append(p.items, u.Tracked)
			p.hl = append(p.hl, changed)
			if changed {
				m.hlUntil = now.Add(highlightFor)
			}
			if u.Event != nil && (u.Event.Changed || u.New) {
				m.record(u, now)
			}
		case engine.BudgetUpdate:
			bu := u
			ps := m.provState(u.Provider)
			if u.LoweredFrom > 0 && (ps.budget == nil || ps.budget.LoweredFrom == 0) {
				// Said once: the status bar shows the lowered budget after.
				m.flash(fmt.Sprintf("%s said its limit is lower: GET budget lowered from %d to %d/min for this run",
					u.Provider.Title(), u.LoweredFrom, u.PerMinute))
			}
			ps.budget = &bu
		case engine.WalletUpdate:
			m.provState(u.Provider).wallets = append([]api.Wallet(nil), u.Wallets...)
		case engine.ErrorUpdate:
			where := string(u.Provider)
			if u.Vertical != "" {
				where += " " + u.Vertical.Title()
			}
			m.setError(where + ": " + theme.Clean(u.Err))
		case engine.ListUpdate:
			if t, ok := m.byVert[u.Vertical]; ok {
				t.listAt = u.At
				if u.Pending >= 0 {
					t.listPending = u.Pending
				}
			}
		case engine.WebhookUpdate:
			w := u
			m.webhook = &w
		case engine.JournalUpdate:
			m.journalNews(u, now)
		}
	}
	m.events.sortTail(logStart)
	for v, p := range per {
		// Highlight only real changes; timing-only updates just redraw.
		m.byVert[v].table.upsert(p.items, p.hl, now)
	}
	for v, set := range drop {
		ids := make([]string, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		m.byVert[v].table.remove(ids)
	}
}

func (m *Model) provState(p api.Provider) *providerState {
	s, ok := m.prov[p]
	if !ok {
		s = &providerState{mode: "?"}
		m.prov[p] = s
		m.providers = append(m.providers, p)
	}
	return s
}

// applySnapshot seeds the tables at start; orders a batch already brought
// are newer and kept.
func (m *Model) applySnapshot(s []engine.Tracked) {
	m.loaded = true
	per := map[api.Vertical][]engine.Tracked{}
	for _, t := range s {
		tb, ok := m.byVert[t.Order.Vertical]
		if !ok || t.Order.ID == "" {
			continue
		}
		if _, seen := tb.table.rows[t.Order.ID]; seen {
			continue
		}
		per[t.Order.Vertical] = append(per[t.Order.Vertical], t)
	}
	for v, items := range per {
		m.byVert[v].table.upsert(items, make([]bool, len(items)), m.now())
	}
}

// record adds a transition to the event log and toasts terminal ones.
func (m *Model) record(u engine.OrderUpdate, now time.Time) {
	o := &u.Tracked.Order
	e := *u.Event
	m.events.add(logEntry{
		at:      e.At,
		key:     o.Key(),
		product: productText(o),
		from:    statusName(e.From, e.RawFrom),
		to:      statusName(e.To, e.RawTo),
		status:  o.Status,
		source:  e.Source,
		note:    e.Note,
		isNew:   u.New,
	})
	// Orders discovered already finished are not news: only live transitions toast.
	if u.New || !e.Changed || unsettled(&u.Tracked) || e.From == e.To && e.RawFrom == e.RawTo {
		return
	}
	fail := countsAsFailed(o.Status) // a cancellation is news, not an error
	text := fmt.Sprintf("%s %s %s", o.Vertical.Title(), o.ID, o.StatusLabel())
	if p := productText(o); p != "" {
		text += " · " + p
	}
	until := now.Add(toastFor)
	if o.Status.Failure() {
		if r := reasonText(&u.Tracked); r != "" {
			text += ": " + r
		}
		until = now.Add(toastFailFor)
	}
	m.toasts = append(m.toasts, toast{text: theme.Clean(text), fail: fail, until: until})
	if len(m.toasts) > maxToasts {
		m.toasts = m.toasts[len(m.toasts)-maxToasts:]
	}
}

func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// journalNews logs what the journal learned about an order placed from here
// (an intent reconciled at start, a lost reply resolved) and toasts a
// verdict: whoever placed it is waiting to know whether it was bought.
func (m *Model) journalNews(u engine.JournalUpdate, now time.Time) {
	id := u.OrderID
	if id == "" {
		id = "ref:" + u.ClientReference
	}
	var to string
	var st api.Status
	switch u.State {
	case engine.IntentPlaced:
		to, st = "placed", api.StatusPending
	case engine.IntentAbsent:
		to, st = "never placed", api.StatusCancelled
	case engine.IntentRejected:
		to, st = "refused", api.StatusFailed
	default:
		to, st = "outcome unknown", api.StatusUnknown
	}
	note := "reference " + u.ClientReference
	if u.Note != "" {
		note += ": " + u.Note
	}
	at := u.At
	if at.IsZero() {
		at = now
	}
	m.events.add(logEntry{at: at, key: api.OrderKey{Vertical: u.Vertical, ID: id}, from: "intent", to: to,
		status: st, source: engine.SourceJournal, note: note})
	if st == api.StatusUnknown {
		return // still being looked up: the log says so, no toast per retry
	}
	text := fmt.Sprintf("%s %s %s (%s)", u.Vertical.Title(), id, to, note)
	m.toasts = append(m.toasts, toast{text: theme.Clean(text), until: now.Add(toastFor)})
	if len(m.toasts) > maxToasts {
		m.toasts = m.toasts[len(m.toasts)-maxToasts:]
	}
}
