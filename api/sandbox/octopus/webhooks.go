package octopus

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// webhookEvent is one signed delivery; the body is marshalled when the
// event happens so later changes do not leak into it.
type webhookEvent struct {
	id, typ string
	body    []byte
}

const webhookID = "wh_sandbox_1"

var errNotLoopback = errors.New("webhook destination is not loopback")

// newWebhookClient can only reach loopback addresses, whatever a name
// resolves to, and ignores proxy settings.
func newWebhookClient() *http.Client {
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return errNotLoopback
			}
			return nil
		},
	}
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:       nil,
			DialContext: dialer.DialContext,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (s *Server) newEventLocked(typ string, data any, at time.Time) {
	s.eventSeq++
	id := fmt.Sprintf("evt_%s%d", s.randString(12, base62), s.eventSeq)
	body := mustJSON(map[string]any{"id": id, "type": typ, "created_at": at, "data": data})
	s.pendingHooks = append(s.pendingHooks, webhookEvent{id: id, typ: typ, body: body})
}

// voucherEventLocked queues order.* for a voucher order (§5; failed and
// cancelled use the same data shape as delivered, per §10).
func (s *Server) voucherEventLocked(o *order, typ string, at time.Time) {
	var deliveredOn *time.Time
	if o.cur.DeliveredQty > 0 {
		t := at
		deliveredOn = &t
	}
	s.newEventLocked(typ, map[string]any{
		"id": o.id, "reference_code": strOrNil(o.ref), "client_reference": strOrNil(o.ref),
		"status": o.cur.Status, "product_id": o.vprod.ID, "product_name": o.vprod.Name,
		"denomination": o.denomination, "quantity": o.quantity, "amount": o.q.NonDiscountedTotal,
		"currency": o.vprod.CurrencyCode, "delivered_quantity": o.cur.DeliveredQty,
		"delivered_on": deliveredOn, "created_at": o.created,
	}, at)
}

func (s *Server) walletEventLocked(typ string, w *wallet, t *transaction, orderID int64, at time.Time) {
	data := map[string]any{
		"wallet_id": w.ID, "currency": w.code, "amount": t.Amount, "balance": w.Amount, "transaction_id": t.ID,
	}
	if orderID != 0 {
		data["order_id"] = orderID
	}
	s.newEventLocked(typ, data, at)
}

// goTracked starts fn unless the server is closing; Close waits for it.
func (s *Server) goTracked(fn func()) bool {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
	return true
}

func (s *Server) dispatchWebhook(e webhookEvent, url, secret string) {
	if url == "" {
		return
	}
	s.goTracked(func() { s.deliver(e, url, secret) })
}

// deliver retries with exponential backoff (1 s, 2 s, 4 s … capped at 60 s,
// scaled) until a 2xx or the last attempt.
func (s *Server) deliver(e webhookEvent, url, secret string) {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(e.body)
	sig := hex.EncodeToString(mac.Sum(nil))
	backoff := time.Second
	for attempt := 1; attempt <= s.cfg.WebhookAttempts; attempt++ {
		err := s.post(e, url, sig)
		if err == nil {
			s.count(func(st *Stats) { st.WebhooksSent++ })
			return
		}
		s.count(func(st *Stats) { st.WebhooksFailed++ })
		s.logf("sandbox: webhook %s (%s) attempt %d failed: %v", e.id, e.typ, attempt, err)
		if attempt == s.cfg.WebhookAttempts || !s.sleep(context.Background(), s.scaled(backoff)) {
			break
		}
		backoff = min(backoff*2, time.Minute)
	}
	s.count(func(st *Stats) { st.WebhooksAbandoned++ })
}

func (s *Server) post(e webhookEvent, url, sig string) error {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, url, bytes.NewReader(e.body))
	if err != nil {
		return err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "octopusrewards.com/webhook-agent")
	h.Set("X-Signature", sig)
	h.Set("X-Timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	h.Set("X-Event-ID", e.id)
	h.Set("X-Event-Type", e.typ)
	h.Set("X-Webhook-ID", webhookID)
	resp, err := s.hook.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
