package octopus

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

func signed(body []byte, secret string, at time.Time) http.Header {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	h := http.Header{}
	h.Set("X-Signature", hex.EncodeToString(mac.Sum(nil)))
	h.Set("X-Timestamp", strconv.FormatInt(at.Unix(), 10))
	return h
}

func TestWebhooksVerifyAndDecode(t *testing.T) {
	w := NewWebhooks("hook-secret")
	at := time.Unix(1767225600, 0)
	body := []byte(`{"id":"evt_7","type":"order.delivered","created_at":"2026-01-01T00:00:05Z","data":{"id":42,"client_reference":"r-1","status":" DELIVERED ","delivered_quantity":3}}`)
	h := signed(body, "hook-secret", at)
	sent, err := w.VerifyWebhook(h, body)
	require.NoError(t, err)
	assert.True(t, sent.Equal(at))
	ev, err := w.DecodeWebhook(h, body)
	require.NoError(t, err)
	assert.Equal(t, "evt_7", ev.ID, "the envelope id when X-Event-ID is absent")
	assert.Equal(t, "evt_7", ev.EnvelopeID)
	assert.True(t, ev.CreatedAt.Equal(time.Date(2026, 1, 1, 0, 0, 5, 0, time.UTC)), "signed created_at is kept: %v", ev.CreatedAt)
	require.NotNil(t, ev.Order)
	assert.Equal(t, api.Order{Provider: ProviderID, Vertical: VerticalVoucher, ID: "42", ClientReference: "r-1",
		Status: api.StatusDelivered, RawStatus: "DELIVERED", DeliveredQuantity: 3}, *ev.Order)

	h.Set("X-Event-ID", "evt_header")
	ev, err = w.DecodeWebhook(h, body)
	require.NoError(t, err)
	assert.Equal(t, "evt_header", ev.ID)
	assert.Equal(t, "evt_7", ev.EnvelopeID)

	wallet := []byte(`{"id":"evt_w","type":"wallet.credited","data":{"wallet_id":7,"currency":"USD","balance":95.5}}`)
	ev, err = w.DecodeWebhook(signed(wallet, "hook-secret", at), wallet)
	require.NoError(t, err)
	assert.Equal(t, &api.Wallet{Provider: ProviderID, ID: "7", Currency: "USD", Balance: 95.5}, ev.Wallet)

	other := []byte(`{"id":"evt_o","type":"catalog.updated","data":{}}`)
	ev, err = w.DecodeWebhook(http.Header{}, other)
	require.NoError(t, err)
	assert.Nil(t, ev.Order)
	assert.Nil(t, ev.Wallet)

	for name, c := range map[string]struct {
		h    http.Header
		code int
	}{
		"forged":       {signed(body, "other", at), http.StatusUnauthorized},
		"no timestamp": {func() http.Header { h := signed(body, "hook-secret", at); h.Del("X-Timestamp"); return h }(), http.StatusBadRequest},
		"no signature": {http.Header{}, http.StatusUnauthorized},
	} {
		_, err := w.VerifyWebhook(c.h, body)
		var we *api.WebhookError
		require.ErrorAs(t, err, &we, name)
		assert.Equal(t, c.code, we.Status, name)
		assert.NotContains(t, we.Msg, "hook-secret")
	}
}

func TestClientHandsOutItsVerifier(t *testing.T) {
	c, err := New(Config{BaseURL: "http://127.0.0.1:1", APIKey: "k", APISecret: "s"})
	require.NoError(t, err)
	assert.Nil(t, c.WebhookVerifier(), "no secret, no verifier")
	c, err = New(Config{BaseURL: "http://127.0.0.1:1", APIKey: "k", APISecret: "s", WebhookSecret: "w"})
	require.NoError(t, err)
	assert.NotNil(t, c.WebhookVerifier())
}
