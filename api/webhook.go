package api

import (
	"net/http"
	"time"
)

// WebhookVerifier is a provider's capability to receive webhooks: it owns
// the wire format and the signature scheme, and hands the engine's receiver
// provider-neutral events. The receiver keeps what every provider shares:
// size limits, freshness, dedupe, routing.
type WebhookVerifier interface {
	Provider() Provider
	// VerifyWebhook authenticates a request from its headers and raw body
	// and returns the signed time it was sent (zero when the scheme has
	// none). Errors are *WebhookError.
	VerifyWebhook(h http.Header, body []byte) (sentAt time.Time, err error)
	// DecodeWebhook reads an authenticated body. Errors are *WebhookError.
	DecodeWebhook(h http.Header, body []byte) (WebhookEvent, error)
}

// WebhookSource is implemented by clients that can hand out a verifier;
// it returns nil when webhooks are not configured (no secret).
type WebhookSource interface {
	WebhookVerifier() WebhookVerifier
}

// WebhookEvent is one decoded event. Order and Wallet are nil for event
// types the program does not act on (they are acknowledged all the same).
type WebhookEvent struct {
	// ID is the dedupe key: the delivery's event id.
	ID string
	// EnvelopeID and CreatedAt are the signed envelope's own id and
	// creation time (zero when absent), for replay checks.
	EnvelopeID string
	CreatedAt  time.Time
	Type       string
	// Order carries what the event says about an order: Provider, Vertical,
	// ID, ClientReference, Status, RawStatus (empty when the event has no
	// status) and DeliveredQuantity.
	Order *Order
	// Wallet is a wallet's new balance.
	Wallet *Wallet
}

// WebhookError is a refused webhook request: the HTTP status to answer and
// a short reason (never a secret).
type WebhookError struct {
	Status int
	Msg    string
}

func (e *WebhookError) Error() string { return e.Msg }
