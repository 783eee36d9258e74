package api

import "time"

// A provider's client tells the program what it can do by the interfaces it
// implements, discovered by type assertion (see Capability): OrderSource
// (required: track, look up by reference, list, wallets), Placer or Quoter,
// Catalog, Notifier, PhoneLookup, LineChecker, IntentRecaller,
// WebhookSource.

// Account is a provider opened from the configuration.
type Account struct {
	// Client is the provider's client; nil when the configuration does not
	// enable the provider.
	Client OrderSource
	// BaseURL decides the badge: loopback or "sandbox-…" is SANDBOX, the
	// rest LIVE.
	BaseURL string
	// GETPerMinute is the account's read budget.
	GETPerMinute int
}

// IntentRecaller is told at start of every placement the journal holds
// that is not resolved yet, so that a provider whose orders carry no
// reference can still recognise them (OneClickDz gift cards).
type IntentRecaller interface {
	RecallIntent(in Intent) error
}

// Intent is a placement recorded before its create request left.
type Intent struct {
	Request OrderRequest // with its ClientReference
	Sent    time.Time
	OrderID string // "" while unknown
}
