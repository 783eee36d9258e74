// Package engine is the tracking engine: per-vertical policies, one shared
// rate budget, webhooks first with polling as the fallback, a crash-safe
// journal, and a stream of immutable updates. It imports no UI.
package engine

import (
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Source says how a state was learned.
type Source string

const (
	SourcePoll    Source = "poll"    // detail GET
	SourceList    Source = "list"    // list/discovery call
	SourceWebhook Source = "webhook" // a verified webhook, then a detail GET
	SourceCreate  Source = "create"  // the create response of an order placed here
	SourceJournal Source = "journal" // reconciled from the journal at start
	SourceManual  Source = "manual"  // a refresh the user asked for
)

// Origin says why an order is tracked.
type Origin string

const (
	OriginDiscovered Origin = "discovered" // found by a list call (placed elsewhere)
	OriginPlaced     Origin = "placed"     // placed from this dashboard
	OriginPinned     Origin = "pinned"     // pinned by the user
	OriginNamed      Origin = "named"      // named on the command line
)

// Phase is where an order is in its policy.
type Phase string

const (
	PhaseForeground Phase = "foreground" // inside the policy horizon, documented cadence
	PhaseBackground Phase = "background" // past the horizon, still watched slowly
	PhaseInstall    Phase = "install"    // eSIM delivered, watching the install
	PhaseOnDemand   Phase = "on-demand"  // polled only when asked
	PhaseDone       Phase = "done"       // terminal; no more polling
)

// Event is one entry of an order's poll history.
type Event struct {
	At      time.Time
	Source  Source
	From    api.Status
	To      api.Status
	RawFrom string
	RawTo   string
	// Changed is false for a check that found nothing new.
	Changed bool
	Note    string // e.g. "install: ACTIVE", "429, retry in 12s", an error
}

// Tracked is an immutable snapshot of one tracked order.
type Tracked struct {
	Order       api.Order
	Origin      Origin
	Phase       Phase
	FirstSeen   time.Time
	LastChecked time.Time
	NextCheck   time.Time // zero when nothing is scheduled
	// Webhook is true when webhooks cover the order: NextCheck is then the
	// fallback poll after the silence window.
	Webhook bool
	// ListOnly is true when the state shown came from a list and no detail
	// GET has followed: what only the detail carries (voucher codes, an
	// eSIM's activation code) is not fetched yet.
	ListOnly  bool
	Errors    int    // consecutive errors
	LastError string // empty when the last check succeeded
	// NotFound is true when the provider answered the last check with a
	// 404: it has no such order (yet).
	NotFound bool
	History  []Event
}

// Update is one immutable value on the engine's output.
type Update interface{ isUpdate() }

// OrderUpdate carries the new snapshot of an order.
type OrderUpdate struct {
	Tracked Tracked
	New     bool   // first time this order is seen
	Event   *Event // the transition, nil when only timing changed
	// Removed is true when the order is no longer tracked (a finished order
	// evicted by the KeepFinished bound).
	Removed bool
}

// BudgetUpdate reports one provider's rate budget.
type BudgetUpdate struct {
	Provider    api.Provider
	PerMinute   int     // configured GET budget
	Available   float64 // tokens in the bucket now
	UsedLastMin int     // requests sent in the last minute
	Got429      int     // 429s received since start
	// LoweredFrom is the budget before a 429 stated a lower limit; 0 when
	// it never did. PerMinute is then the lowered budget.
	LoweredFrom int
	PausedUntil map[api.EndpointClass]time.Time
}

// WalletUpdate reports balances.
type WalletUpdate struct {
	Provider api.Provider
	Wallets  []api.Wallet
	At       time.Time
}

// ErrorUpdate reports an error that is not tied to one order's check (a list
// call, the wallet call, the journal).
type ErrorUpdate struct {
	Provider api.Provider
	Vertical api.Vertical // empty when not tied to one
	At       time.Time
	Err      string
}

// ListUpdate says a vertical's discovery list was refreshed.
type ListUpdate struct {
	Vertical api.Vertical
	At       time.Time
	Pending  int // PENDING orders the list reported; -1 for an unfiltered list
}

// WebhookUpdate reports the webhook receiver.
type WebhookUpdate struct {
	Enabled   bool
	Addr      string
	Received  int
	Rejected  int
	Duplicate int
	LastAt    time.Time
	LastError string
}

// JournalUpdate reports what the journal learned about an order placed from
// this dashboard, e.g. an intent reconciled at start.
type JournalUpdate struct {
	Vertical        api.Vertical
	ClientReference string
	State           IntentState
	OrderID         string
	At              time.Time
	Note            string
}

func (OrderUpdate) isUpdate()   {}
func (JournalUpdate) isUpdate() {}
func (BudgetUpdate) isUpdate()  {}
func (WalletUpdate) isUpdate()  {}
func (ErrorUpdate) isUpdate()   {}
func (ListUpdate) isUpdate()    {}
func (WebhookUpdate) isUpdate() {}

// Batch is what one receive from the engine yields: every update pending
// since the last receive, coalesced (one OrderUpdate per order, the latest).
type Batch []Update

// Controller is the small interface the UI uses to ask the engine for
// actions. Calls never block on the network.
type Controller interface {
	// Updates delivers coalesced batches; closed when the engine stops.
	Updates() <-chan Batch
	// Refresh polls the order now (subject to the budget and the 2 s floor).
	Refresh(key api.OrderKey)
	// Focus marks the order the user is looking at (priority); zero key clears.
	Focus(key api.OrderKey)
	// Track starts tracking an order, e.g. one placed from the dashboard.
	Track(o api.Order, origin Origin)
	// Pin keeps an order tracked across restarts (written to the journal).
	Pin(key api.OrderKey) error
	// Snapshot returns every tracked order now.
	Snapshot() []Tracked
}
