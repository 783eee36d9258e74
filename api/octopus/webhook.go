package octopus

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Webhooks verifies and decodes Octopus Cards webhooks (§5): X-Signature is
// the hex HMAC-SHA256 of the raw body with the shared secret, X-Timestamp
// the unix second it was sent, X-Event-ID the envelope id.
type Webhooks struct{ secret api.Secret }

var _ api.WebhookVerifier = (*Webhooks)(nil)

// NewWebhooks returns a verifier for the shared secret.
func NewWebhooks(secret api.Secret) *Webhooks { return &Webhooks{secret: secret} }

// WebhookVerifier returns the verifier of the client's webhook secret, nil
// when none is configured.
func (c *Client) WebhookVerifier() api.WebhookVerifier {
	if c.hooks == nil {
		return nil
	}
	return c.hooks
}

func (*Webhooks) Provider() api.Provider { return ProviderID }

func refuse(status int, msg string) error { return &api.WebhookError{Status: status, Msg: msg} }

// VerifyWebhook checks the signature in constant time, then reads the
// timestamp (not signed: the receiver bounds its skew).
func (w *Webhooks) VerifyWebhook(h http.Header, body []byte) (time.Time, error) {
	sig, err := hex.DecodeString(strings.TrimSpace(h.Get("X-Signature")))
	if err != nil || len(sig) == 0 {
		return time.Time{}, refuse(http.StatusUnauthorized, "missing or malformed signature")
	}
	mac := hmac.New(sha256.New, []byte(w.secret.Reveal()))
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return time.Time{}, refuse(http.StatusUnauthorized, "bad signature")
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-Timestamp")), 10, 64)
	if err != nil {
		return time.Time{}, refuse(http.StatusBadRequest, "missing or malformed X-Timestamp")
	}
	return time.Unix(ts, 0), nil
}

type webhookEnvelope struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt Time            `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

type webhookOrder struct {
	ID                Text   `json:"id"`
	ReferenceCode     string `json:"reference_code"`
	ClientReference   string `json:"client_reference"`
	Status            string `json:"status"`
	DeliveredQuantity int    `json:"delivered_quantity"`
}

type webhookWallet struct {
	WalletID      Text     `json:"wallet_id"`
	Currency      string   `json:"currency"`
	Amount        float64  `json:"amount"`
	Balance       *float64 `json:"balance"`
	TransactionID Text     `json:"transaction_id"`
	OrderID       Text     `json:"order_id"`
}

// DecodeWebhook reads the envelope. Order events exist for vouchers only
// (§5); wallet events carry the new balance. Other types decode to an event
// with neither, to be acknowledged.
func (w *Webhooks) DecodeWebhook(h http.Header, body []byte) (api.WebhookEvent, error) {
	var env webhookEnvelope
	if err := json.Unmarshal(body, &env); err != nil || env.Type == "" {
		return api.WebhookEvent{}, refuse(http.StatusBadRequest, "malformed event")
	}
	ev := api.WebhookEvent{ID: strings.TrimSpace(h.Get("X-Event-ID")), EnvelopeID: env.ID, CreatedAt: env.CreatedAt.Time, Type: env.Type}
	if ev.ID == "" {
		ev.ID = env.ID
	}
	if ev.ID == "" {
		return api.WebhookEvent{}, refuse(http.StatusBadRequest, "missing event id")
	}
	switch {
	case strings.HasPrefix(env.Type, "order."):
		var d webhookOrder
		if err := json.Unmarshal(env.Data, &d); err != nil || d.ID == "" {
			return api.WebhookEvent{}, refuse(http.StatusBadRequest, "malformed order event")
		}
		ref := d.ClientReference
		if ref == "" {
			ref = d.ReferenceCode
		}
		o := &api.Order{Provider: ProviderID, Vertical: VerticalVoucher, ID: string(d.ID), ClientReference: ref,
			RawStatus: strings.TrimSpace(d.Status), DeliveredQuantity: d.DeliveredQuantity}
		if o.RawStatus != "" {
			o.Status = Normalize(o.RawStatus)
		}
		ev.Order = o
	case env.Type == "wallet.credited" || env.Type == "wallet.debited":
		var d webhookWallet
		if err := json.Unmarshal(env.Data, &d); err != nil || d.WalletID == "" || d.Balance == nil {
			return api.WebhookEvent{}, refuse(http.StatusBadRequest, "malformed wallet event")
		}
		ev.Wallet = &api.Wallet{Provider: ProviderID, ID: string(d.WalletID), Currency: d.Currency, Balance: *d.Balance}
	}
	return ev, nil
}
