package engine

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Webhook limits (Octopus §5, §10).
const (
	WebhookMaxBody = 1 << 20
	WebhookMaxSkew = 5 * time.Minute // of X-Timestamp, and of a created_at in the future
	// WebhookMaxAge is how old a signed event's created_at may be: a few
	// provider retries fit, a captured delivery does not stay replayable.
	WebhookMaxAge = 10 * time.Minute
	// WebhookDedupeKeep is how long a delivery is remembered (in the
	// journal, across restarts): the whole window in which it is fresh.
	WebhookDedupeKeep = WebhookMaxAge + WebhookMaxSkew
	webhookSeenTTL    = 24 * time.Hour
	webhookSeenSize   = 10000
)

// Webhooks is the receiver of Octopus webhooks. It answers at once and lets
// the engine fetch the order (the payload carries no codes).
type Webhooks struct {
	e      *Engine
	secret api.Secret

	ln      net.Listener // bound by New when WebhookListen is set
	mounted atomic.Bool  // Handler was handed out

	mu    sync.Mutex
	seen  map[string]time.Time
	fifo  []string
	stats WebhookUpdate
}

func newWebhooks(e *Engine, secret api.Secret) *Webhooks {
	return &Webhooks{e: e, secret: secret, seen: map[string]time.Time{}, stats: WebhookUpdate{Enabled: true}}
}

// Handler serves the receiver (no listener needed: tests and the sandbox
// wiring mount it directly).
func (w *Webhooks) Handler() http.Handler {
	w.mounted.Store(true)
	return http.HandlerFunc(w.serveHTTP)
}

// receiving reports whether events can arrive at all: a receiver that is
// neither listening nor mounted covers nothing, and its orders are polled.
func (w *Webhooks) receiving() bool {
	return w != nil && (w.ln != nil || w.mounted.Load())
}

// Stats returns the counters.
func (w *Webhooks) Stats() WebhookUpdate {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

func (w *Webhooks) publish() { w.e.out.put(w.Stats()) }

func (w *Webhooks) reject(rw http.ResponseWriter, code int, msg string) {
	w.mu.Lock()
	w.stats.Rejected++
	w.stats.LastError = msg
	w.stats.LastAt = w.e.now()
	w.mu.Unlock()
	w.publish()
	http.Error(rw, msg, code)
}

// flexString reads a JSON string or number.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*f = ""
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

type webhookEnvelope struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt string          `json:"created_at"` // signed, unlike X-Timestamp
	Data      json.RawMessage `json:"data"`
}

type webhookOrder struct {
	ID                flexString `json:"id"`
	ReferenceCode     string     `json:"reference_code"`
	ClientReference   string     `json:"client_reference"`
	Status            string     `json:"status"`
	DeliveredQuantity int        `json:"delivered_quantity"`
}

type webhookWallet struct {
	WalletID      flexString `json:"wallet_id"`
	Currency      string     `json:"currency"`
	Amount        float64    `json:"amount"`
	Balance       *float64   `json:"balance"`
	TransactionID flexString `json:"transaction_id"`
	OrderID       flexString `json:"order_id"`
}

func (w *Webhooks) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		rw.Header().Set("Allow", http.MethodPost)
		w.reject(rw, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, WebhookMaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			w.reject(rw, http.StatusRequestEntityTooLarge, "body over 1 MiB")
			return
		}
		w.reject(rw, http.StatusBadRequest, "unreadable body")
		return
	}
	sig, err := hex.DecodeString(strings.TrimSpace(r.Header.Get("X-Signature")))
	if err != nil || len(sig) == 0 {
		w.reject(rw, http.StatusUnauthorized, "missing or malformed signature")
		return
	}
	mac := hmac.New(sha256.New, []byte(w.secret.Reveal()))
	mac.Write(body)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		w.reject(rw, http.StatusUnauthorized, "bad signature")
		return
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(r.Header.Get("X-Timestamp")), 10, 64)
	if err != nil {
		w.reject(rw, http.StatusBadRequest, "missing or malformed X-Timestamp")
		return
	}
	now := w.e.now()
	if skew := now.Sub(time.Unix(ts, 0)); skew > WebhookMaxSkew || skew < -WebhookMaxSkew {
		w.reject(rw, http.StatusUnauthorized, "stale or future timestamp")
		return
	}
	var env webhookEnvelope
	if err := json.Unmarshal(body, &env); err != nil || env.Type == "" {
		w.reject(rw, http.StatusBadRequest, "malformed event")
		return
	}
	// Freshness and dedupe rest on what the signature covers: X-Timestamp
	// and X-Event-ID are unsigned, so a replay could renew them at will.
	if strings.TrimSpace(env.ID) == "" {
		w.reject(rw, http.StatusBadRequest, "missing event id")
		return
	}
	created, err := time.Parse(time.RFC3339, env.CreatedAt)
	if err != nil {
		w.reject(rw, http.StatusBadRequest, "missing or malformed created_at")
		return
	}
	if age := now.Sub(created); age > WebhookMaxAge || age < -WebhookMaxSkew {
		w.reject(rw, http.StatusUnauthorized, "stale or future event (created_at)")
		return
	}
	sum := sha256.Sum256(body)
	keys := []string{"id:" + env.ID, "sha256:" + hex.EncodeToString(sum[:])}
	// Parse fully before remembering the id, so a malformed event that is
	// fixed and re-sent is not taken for a duplicate.
	var apply func()
	switch {
	case strings.HasPrefix(env.Type, "order."):
		var d webhookOrder
		if err := json.Unmarshal(env.Data, &d); err != nil || d.ID == "" {
			w.reject(rw, http.StatusBadRequest, "malformed order event")
			return
		}
		apply = func() { w.e.webhookOrder(d, now) }
	case env.Type == "wallet.credited" || env.Type == "wallet.debited":
		var d webhookWallet
		if err := json.Unmarshal(env.Data, &d); err != nil || d.WalletID == "" || d.Balance == nil {
			w.reject(rw, http.StatusBadRequest, "malformed wallet event")
			return
		}
		apply = func() { w.e.webhookWallet(d, now) }
	default:
		apply = func() {} // unknown types are acknowledged, not retried forever
	}
	dup, err := w.seenBefore(r.Context(), keys, now)
	if err != nil {
		w.reject(rw, http.StatusServiceUnavailable, "journal unavailable, retry later")
		return
	}
	w.mu.Lock()
	if dup {
		w.stats.Duplicate++
		w.stats.LastAt = now
		w.mu.Unlock()
		w.publish()
		rw.WriteHeader(http.StatusOK)
		return
	}
	w.stats.Received++
	w.stats.LastAt = now
	w.mu.Unlock()
	rw.WriteHeader(http.StatusOK)
	apply()
	w.publish()
}

// seenBefore records a delivery's keys and reports whether one was seen
// already: in the journal when there is one (shared by every process and
// kept across restarts for WebhookDedupeKeep), else in memory.
func (w *Webhooks) seenBefore(ctx context.Context, keys []string, now time.Time) (bool, error) {
	if j := w.e.journal; j != nil {
		return j.SeenWebhook(ctx, keys, now, WebhookDedupeKeep)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range keys {
		if _, dup := w.seen[k]; dup {
			return true, nil
		}
	}
	for _, k := range keys {
		w.rememberLocked(k, now)
	}
	return false, nil
}

// rememberLocked adds an event id to the bounded TTL set.
func (w *Webhooks) rememberLocked(id string, now time.Time) {
	w.seen[id] = now
	w.fifo = append(w.fifo, id)
	drop := 0
	for drop < len(w.fifo) {
		old := w.fifo[drop]
		if len(w.fifo)-drop <= webhookSeenSize && now.Sub(w.seen[old]) < webhookSeenTTL {
			break
		}
		delete(w.seen, old)
		drop++
	}
	if drop > 0 {
		w.fifo = append(w.fifo[:0], w.fifo[drop:]...)
	}
}

// webhookOrder publishes the payload's status at once (that is the
// detection), marks the order webhook-covered and fetches its detail at the
// highest priority (the payload has no codes). Unknown orders start being
// tracked. A status that would move a finished order back is not applied:
// deliveries are at-least-once and may arrive out of order.
func (e *Engine) webhookOrder(d webhookOrder, now time.Time) {
	ref := d.ClientReference
	if ref == "" {
		ref = d.ReferenceCode
	}
	k := api.OrderKey{Vertical: api.VerticalVoucher, ID: string(d.ID)}
	var after []func()
	e.mu.Lock()
	ent := e.entries[k]
	if ent == nil {
		e.trackLocked(api.Order{Provider: api.ProviderOctopus, Vertical: k.Vertical, ID: k.ID, ClientReference: ref},
			OriginDiscovered, SourceWebhook, now)
		ent = e.entries[k]
	}
	ent.webhookAt = now
	ent.t.Webhook = true
	ent.hookFetch = true // before applying: a final status must not get the entry evicted
	if raw := strings.TrimSpace(d.Status); raw != "" {
		cur := ent.t.Order
		st := api.NormalizeOctopus(raw)
		backwards := cur.Status != "" && !cur.Status.InFlight() && st.InFlight()
		if !backwards && (cur.Status != st || cur.RawStatus != raw || cur.DeliveredQuantity != d.DeliveredQuantity) {
			o := cur.Clone()
			o.Provider, o.Vertical, o.ID = api.ProviderOctopus, k.Vertical, k.ID
			if o.ClientReference == "" {
				o.ClientReference = ref
			}
			o.Status, o.RawStatus, o.DeliveredQuantity = st, raw, d.DeliveredQuantity
			// Not a check: the attempt count and the detail stamp stay.
			attempts := ent.attempts
			after = e.applyLocked(ent, o, SourceWebhook, now, false)
			ent.attempts = attempts
		}
	}
	ent.nextSrc = SourceWebhook
	ent.hookFetch = true
	ent.t.NextCheck = now
	if ent.queued != nil {
		ent.queued.prio = e.prioLocked(ent, now)
	}
	e.publishLocked(ent, false, nil)
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
	e.pokeProvider(api.ProviderOctopus)
}

func (e *Engine) webhookWallet(d webhookWallet, now time.Time) {
	e.mu.Lock()
	ws := append([]api.Wallet(nil), e.wallets[api.ProviderOctopus]...)
	found := false
	for i := range ws {
		if ws[i].ID == string(d.WalletID) {
			ws[i].Balance = *d.Balance
			if d.Currency != "" {
				ws[i].Currency = d.Currency
			}
			found = true
		}
	}
	if !found {
		ws = append(ws, api.Wallet{Provider: api.ProviderOctopus, ID: string(d.WalletID), Currency: d.Currency, Balance: *d.Balance})
	}
	e.wallets[api.ProviderOctopus] = ws
	e.out.put(WalletUpdate{Provider: api.ProviderOctopus, Wallets: append([]api.Wallet(nil), ws...), At: now})
	e.mu.Unlock()
}

// checkListenAddr refuses non-loopback addresses unless allowed.
func checkListenAddr(addr string, allowPublic bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("webhook listen %q: %w", addr, err)
	}
	if allowPublic {
		return nil
	}
	if api.IsLoopbackHost(host) {
		return nil
	}
	return fmt.Errorf("webhook listen %q: not a loopback address (allow public listening explicitly)", addr)
}

// Listen binds the receiver's address, refusing non-loopback addresses
// unless allowPublic. Serve the returned listener with Handler.
func (w *Webhooks) Listen(addr string, allowPublic bool) (net.Listener, error) {
	if err := checkListenAddr(addr, allowPublic); err != nil {
		return nil, err
	}
	return net.Listen("tcp", addr)
}

// serve runs the receiver on the listener bound by New until ctx ends.
func (w *Webhooks) serve(ctx context.Context, wg *sync.WaitGroup) error {
	ln := w.ln
	if ln == nil {
		return errors.New("webhook receiver: not listening")
	}
	w.publish()
	srv := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	wg.Go(func() { _ = srv.Serve(ln) })
	wg.Go(func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	return nil
}

// URL is where a provider should POST events ("" when not listening).
func (w *Webhooks) URL() string {
	if a := w.Addr(); a != "" {
		return "http://" + a + "/"
	}
	return ""
}

// Close releases a listener that Run never served (Run closes it otherwise).
func (w *Webhooks) Close() error {
	if w.ln != nil {
		return w.ln.Close()
	}
	return nil
}

// Addr returns the address the receiver listens on ("" when not listening).
func (w *Webhooks) Addr() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats.Addr
}
