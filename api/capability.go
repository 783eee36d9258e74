package api

import (
	"context"
	"time"
)

// A provider's client tells the program what it can do by the interfaces it
// implements, discovered by type assertion: OrderSource (required: track,
// look up by reference, list, wallets), Placer (quote and place), Catalog,
// Notifier, PhoneLookup, LineChecker, IntentRecaller, WebhookSource.

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

// PhoneLookup names the products that can top up a phone number.
type PhoneLookup interface {
	LookupPhone(ctx context.Context, phone string) ([]PhoneMatch, error)
}

// PhoneMatch is one product PhoneLookup found.
type PhoneMatch struct {
	ProductID   string
	Name        string
	CountryCode string
	Identified  bool // the operator was identified from the number
}

// LineChecker checks a line before it is topped up (an internet line's
// subscriber and offer).
type LineChecker interface {
	CheckLine(ctx context.Context, typ, number string) (LineInfo, error)
}

// LineInfo is what LineChecker found.
type LineInfo struct {
	NCLI, Offer, Type string
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
