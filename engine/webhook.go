package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Webhook limits (Octopus §5, §10), applied to every provider's webhooks.
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

// Webhooks is the receiver of the providers' webhooks. Each provider's
// api.WebhookVerifier checks and decodes its own requests; the receiver
// bounds sizes and clock skew, dedupes and routes the events. It answers at
// once and lets the engine fetch the order (payloads may carry no codes).
type Webhooks struct {
	e     *Engine
	verif []api.WebhookVerifier // the first also serves "/"

	ln      net.Listener // bound by New when WebhookListen is set
	mounted atomic.Bool  // Handler was handed out

	mu    sync.Mutex
	seen  map[string]time.Time
	fifo  []string
	stats WebhookUpdate
}

func newWebhooks(e *Engine, verif []api.WebhookVerifier) *Webhooks {
	return &Webhooks{e: e, verif: verif, seen: map[string]time.Time{}, stats: WebhookUpdate{Enabled: true}}
}

// verifier routes a request: "/PROVIDER…" to that provider's verifier,
// anything else to the first.
func (w *Webhooks) verifier(path string) api.WebhookVerifier {
	seg, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	for _, v := range w.verif {
		if seg != "" && string(v.Provider()) == seg {
			return v
		}
	}
	return w.verif[0]
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
	v := w.verifier(r.URL.Path)
	sentAt, err := v.VerifyWebhook(r.Header, body)
	if err != nil {
		w.refuse(rw, err)
		return
	}
	now := w.e.now()
	if skew := now.Sub(sentAt); !sentAt.IsZero() && (skew > WebhookMaxSkew || skew < -WebhookMaxSkew) {
		w.reject(rw, http.StatusUnauthorized, "stale or future timestamp")
		return
	}
	// Decode fully before remembering the id, so a malformed event that is
	// fixed and re-sent is not taken for a duplicate.
	ev, err := v.DecodeWebhook(r.Header, body)
	if err != nil {
		w.refuse(rw, err)
		return
	}
	// Freshness and dedupe rest on what the signature covers: X-Timestamp
	// and X-Event-ID are unsigned, so a replay could renew them at will.
	if strings.TrimSpace(ev.EnvelopeID) == "" {
		w.reject(rw, http.StatusBadRequest, "missing event id")
		return
	}
	created := ev.CreatedAt // zero when missing or unreadable
	if created.IsZero() {
		w.reject(rw, http.StatusBadRequest, "missing or malformed created_at")
		return
	}
	if age := now.Sub(created); age > WebhookMaxAge || age < -WebhookMaxSkew {
		w.reject(rw, http.StatusUnauthorized, "stale or future event (created_at)")
		return
	}
	sum := sha256.Sum256(body)
	keys := []string{"id:" + ev.EnvelopeID, "sha256:" + hex.EncodeToString(sum[:])}
	apply := func() { w.e.webhookEvent(ev, now) }
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

// refuse rejects with the verifier's status, 400 when it gave none.
func (w *Webhooks) refuse(rw http.ResponseWriter, err error) {
	var we *api.WebhookError
	if errors.As(err, &we) && we.Status != 0 {
		w.reject(rw, we.Status, we.Msg)
		return
	}
	w.reject(rw, http.StatusBadRequest, err.Error())
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

// webhookEvent routes a decoded event: orders and wallets; other types
// were only acknowledged.
func (e *Engine) webhookEvent(ev api.WebhookEvent, now time.Time) {
	switch {
	case ev.Order != nil:
		e.webhookOrder(*ev.Order, now)
	case ev.Wallet != nil:
		e.webhookWallet(*ev.Wallet, now)
	}
}

// webhookOrder publishes the payload's status at once (that is the
// detection), marks the order webhook-covered and fetches its detail at the
// highest priority (the payload may have no codes). Unknown orders start
// being tracked. A status that would move a finished order back is not
// applied: deliveries are at-least-once and may arrive out of order.
func (e *Engine) webhookOrder(d api.Order, now time.Time) {
	ref := d.ClientReference
	k := d.Key()
	var after []func()
	e.mu.Lock()
	ent := e.entries[k]
	if ent == nil {
		e.trackLocked(api.Order{Provider: d.Provider, Vertical: k.Vertical, ID: k.ID, ClientReference: ref},
			OriginDiscovered, SourceWebhook, now)
		ent = e.entries[k]
	}
	ent.webhookAt = now
	ent.t.Webhook = true
	ent.hookFetch = true // before applying: a final status must not get the entry evicted
	if raw := d.RawStatus; raw != "" {
		cur := ent.t.Order
		st := d.Status
		backwards := cur.Status != "" && !cur.Status.InFlight() && st.InFlight()
		if !backwards && (cur.Status != st || cur.RawStatus != raw || cur.DeliveredQuantity != d.DeliveredQuantity) {
			o := cur.Clone()
			o.Provider, o.Vertical, o.ID = d.Provider, k.Vertical, k.ID
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
	e.pokeProvider(d.Provider)
}

func (e *Engine) webhookWallet(d api.Wallet, now time.Time) {
	p := d.Provider
	e.mu.Lock()
	ws := append([]api.Wallet(nil), e.wallets[p]...)
	found := false
	for i := range ws {
		if ws[i].ID == d.ID {
			ws[i].Balance = d.Balance
			if d.Currency != "" {
				ws[i].Currency = d.Currency
			}
			found = true
		}
	}
	if !found {
		ws = append(ws, d)
	}
	e.wallets[p] = ws
	e.out.put(WalletUpdate{Provider: p, Wallets: append([]api.Wallet(nil), ws...), At: now})
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
