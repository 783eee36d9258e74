package engine

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

const hookSecret = api.Secret("whsec-test-123")

func sign(body []byte, secret api.Secret) string {
	m := hmac.New(sha256.New, []byte(secret.Reveal()))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func hookReq(t *testing.T, body []byte, mut func(h http.Header)) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/webhooks/octopus", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Signature", sign(body, hookSecret))
	r.Header.Set("X-Timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	r.Header.Set("X-Event-ID", "evt_1")
	if mut != nil {
		mut(r.Header)
	}
	return r
}

// orderEvent is signed-fresh: created_at is now (the receiver refuses old
// envelopes).
func orderEvent(id int, typ string) []byte {
	return orderEventAt(id, typ, time.Now())
}

func orderEventAt(id int, typ string, at time.Time) []byte {
	return []byte(fmt.Sprintf(`{"id":"evt_%d","type":%q,"created_at":%q,"data":{"id":%d,"reference_code":"ref-%d","status":"DELIVERED","delivered_quantity":10}}`,
		id, typ, at.UTC().Format(time.RFC3339), id, id))
}

func TestWebhookRejectsChangeNothing(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	e, err := New(Config{Sources: []api.OrderSource{f}, Webhooks: verifiers(hookSecret)})
	require.NoError(t, err)
	h := e.Webhooks().Handler()
	good := orderEvent(1234, "order.delivered")
	big := append([]byte(`{"id":"x","type":"order.delivered","data":{"id":1,"pad":"`), bytes.Repeat([]byte("a"), WebhookMaxBody)...)
	big = append(big, []byte(`"}}`)...)
	cases := []struct {
		name string
		req  *http.Request
		code int
	}{
		{"wrong method", httptest.NewRequest(http.MethodGet, "/", nil), http.StatusMethodNotAllowed},
		{"forged signature", hookReq(t, good, func(h http.Header) { h.Set("X-Signature", sign(good, "wrong")) }), http.StatusUnauthorized},
		{"no signature", hookReq(t, good, func(h http.Header) { h.Del("X-Signature") }), http.StatusUnauthorized},
		{"tampered body", hookReq(t, good, func(h http.Header) { h.Set("X-Signature", sign(orderEvent(9, "order.delivered"), hookSecret)) }), http.StatusUnauthorized},
		{"stale", hookReq(t, good, func(h http.Header) {
			h.Set("X-Timestamp", strconv.FormatInt(time.Now().Add(-6*time.Minute).Unix(), 10))
		}), http.StatusUnauthorized},
		{"future", hookReq(t, good, func(h http.Header) {
			h.Set("X-Timestamp", strconv.FormatInt(time.Now().Add(10*time.Minute).Unix(), 10))
		}), http.StatusUnauthorized},
		{"no timestamp", hookReq(t, good, func(h http.Header) { h.Del("X-Timestamp") }), http.StatusBadRequest},
		{"oversized", hookReq(t, big, nil), http.StatusRequestEntityTooLarge},
		{"malformed json", hookReq(t, []byte(`{"type":`), nil), http.StatusBadRequest},
		{"order without id", hookReq(t, []byte(`{"id":"e","type":"order.failed","created_at":"`+nowRFC()+`","data":{"status":"FAILED"}}`), nil), http.StatusBadRequest},
		{"wallet without balance", hookReq(t, []byte(`{"id":"e","type":"wallet.debited","created_at":"`+nowRFC()+`","data":{"wallet_id":1}}`), nil), http.StatusBadRequest},
		{"no created_at", hookReq(t, []byte(`{"id":"e","type":"order.delivered","data":{"id":5}}`), nil), http.StatusBadRequest},
		{"no envelope id", hookReq(t, []byte(`{"type":"order.delivered","created_at":"`+nowRFC()+`","data":{"id":5}}`), nil), http.StatusBadRequest},
		{"old created_at, fresh X-Timestamp", hookReq(t, orderEventAt(5, "order.delivered", time.Now().Add(-WebhookMaxAge-time.Minute)), nil), http.StatusUnauthorized},
		{"future created_at", hookReq(t, orderEventAt(5, "order.delivered", time.Now().Add(WebhookMaxSkew+time.Minute)), nil), http.StatusUnauthorized},
	}
	for i, c := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, c.req)
		assert.Equal(t, c.code, rec.Code, c.name)
		st := e.Webhooks().Stats()
		assert.Equal(t, i+1, st.Rejected, c.name)
		assert.Zero(t, st.Received, c.name)
		assert.Empty(t, e.Snapshot(), "%s changed state", c.name)
		assert.NotContains(t, rec.Body.String(), hookSecret.Reveal())
		assert.NotContains(t, st.LastError, hookSecret.Reveal())
	}

	// A valid event is accepted once; its replay is a duplicate.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, hookReq(t, good, nil))
	require.Equal(t, http.StatusOK, rec.Code)
	snap := e.Snapshot()
	require.Len(t, snap, 1)
	assert.Equal(t, "1234", snap[0].Order.ID)
	assert.Equal(t, "ref-1234", snap[0].Order.ClientReference)
	assert.True(t, snap[0].Webhook)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, hookReq(t, good, nil))
	assert.Equal(t, http.StatusOK, rec.Code, "a replay is acknowledged")
	st := e.Webhooks().Stats()
	assert.Equal(t, 1, st.Received)
	assert.Equal(t, 1, st.Duplicate)
	assert.Equal(t, snap, e.Snapshot(), "a replay changes nothing")

	// Wallet events update the balances.
	w := []byte(`{"id":"evt_w","type":"wallet.debited","created_at":"` + time.Now().UTC().Format(time.RFC3339) +
		`","data":{"wallet_id":7,"currency":"USD","amount":-5,"balance":95.5,"transaction_id":"t1","order_id":1234}}`)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, hookReq(t, w, func(h http.Header) { h.Set("X-Event-ID", "evt_w") }))
	require.Equal(t, http.StatusOK, rec.Code)
	ws := e.Wallets(api.ProviderOctopus)
	require.Len(t, ws, 1)
	assert.Equal(t, "7", ws[0].ID)
	assert.InDelta(t, 95.5, ws[0].Balance, 1e-9)
}

func nowRFC() string { return time.Now().UTC().Format(time.RFC3339) }

// A captured delivery stays refused: with a new X-Event-ID and a fresh
// X-Timestamp, after a restart, and from another process on the journal.
// Each refused replay costs no GET.
func TestWebhookReplayRefusedAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	newHook := func() (*Engine, http.Handler) {
		j, err := OpenJournal(path)
		require.NoError(t, err)
		t.Cleanup(func() { j.Close() })
		e, err := New(Config{Sources: []api.OrderSource{newFake(api.ProviderOctopus, api.VerticalVoucher)}, Journal: j,
			Webhooks: verifiers(hookSecret)})
		require.NoError(t, err)
		return e, e.Webhooks().Handler()
	}
	e1, h1 := newHook()
	body := orderEvent(4321, "order.delivered")
	rec := httptest.NewRecorder()
	h1.ServeHTTP(rec, hookReq(t, body, nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, 1, e1.Webhooks().Stats().Received)

	replay := func(h http.Handler, n int) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, hookReq(t, body, func(hd http.Header) {
			hd.Set("X-Event-ID", fmt.Sprint("evt_forged_", n))
			hd.Set("X-Timestamp", strconv.FormatInt(time.Now().Unix(), 10))
		}))
		assert.Equal(t, http.StatusOK, rec.Code, "acknowledged, so a genuine retry stops")
	}
	replay(h1, 1)
	assert.Equal(t, 1, e1.Webhooks().Stats().Duplicate)
	e2, h2 := newHook() // a restart, or another process sharing the journal
	replay(h2, 2)
	st := e2.Webhooks().Stats()
	assert.Zero(t, st.Received)
	assert.Equal(t, 1, st.Duplicate)
	assert.Empty(t, e2.Snapshot(), "a replay tracks nothing and fetches nothing")

	// The same envelope id with another body is the same event.
	other := []byte(strings.Replace(string(body), `"delivered_quantity":10`, `"delivered_quantity":9`, 1))
	rec = httptest.NewRecorder()
	h2.ServeHTTP(rec, hookReq(t, other, nil))
	assert.Equal(t, 2, e2.Webhooks().Stats().Duplicate)

	// Past the window, the set forgets it; the envelope is stale by then.
	dup, err := e2.journal.SeenWebhook(context.Background(), []string{"id:evt_4321"}, time.Now().Add(WebhookDedupeKeep+time.Minute), WebhookDedupeKeep)
	require.NoError(t, err)
	assert.False(t, dup)
	var n int
	require.NoError(t, e2.journal.db.QueryRow("SELECT count(*) FROM webhook_events").Scan(&n))
	assert.Equal(t, 1, n, "expired keys are pruned")
}

func TestWebhookDedupeIsBounded(t *testing.T) {
	w := newWebhooks(nil, nil)
	now := time.Now()
	for i := range webhookSeenSize + 50 {
		w.rememberLocked(fmt.Sprint(i), now)
	}
	assert.Len(t, w.seen, webhookSeenSize)
	assert.Len(t, w.fifo, webhookSeenSize)
	_, oldest := w.seen["0"]
	assert.False(t, oldest, "oldest evicted")
	w.rememberLocked("late", now.Add(webhookSeenTTL+time.Second))
	assert.Len(t, w.seen, 1, "expired ids dropped")
}

// A webhook-covered order is fetched on the event, then polled only as a
// fallback after the silence window.
func TestWebhookSilenceWindow(t *testing.T) {
	// Silence 3 min → 3.6 s: far beyond any stall of this test, so the
	// fallback poll never joins in; the cadence (100 ms) stays far below it.
	const scale = 0.02
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	k := key(api.VerticalVoucher, "55")
	f.set(k, always("PENDING"))
	e, _ := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: scale, Webhooks: verifiers(hookSecret), WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 6000}})
	hook := e.Webhooks().Handler() // mounted before orders arrive, as a server would
	e.Track(api.Order{Vertical: api.VerticalVoucher, ID: "55"}, OriginPlaced)
	var tr Tracked // as the first check left it
	eventually(t, func() bool { tr, _ = e.Get(k); return !tr.LastChecked.IsZero() }, "first check")
	silence := time.Duration(float64(3*time.Minute) * scale)
	assert.True(t, tr.Webhook)
	assert.GreaterOrEqual(t, tr.NextCheck.Sub(tr.LastChecked), silence, "fallback after the silence window, not the 5 s cadence")

	f.set(k, always("DELIVERED"))
	rec := httptest.NewRecorder()
	hook.ServeHTTP(rec, hookReq(t, orderEvent(55, "order.delivered"), func(h http.Header) { h.Set("X-Event-ID", "evt_55") }))
	require.Equal(t, http.StatusOK, rec.Code)
	eventually(t, func() bool {
		tr, _ := e.Get(k)
		return tr.Order.Status == api.StatusDelivered && len(f.getTimes(k)) >= 2 && !tr.LastChecked.Before(f.getTimes(k)[1])
	}, "the webhook triggers a fetch")
	ts := f.getTimes(k)
	require.Len(t, ts, 2)
	assert.Less(t, ts[1].Sub(ts[0]), silence, "fetched on the event, before the fallback")
	tr, _ = e.Get(k)
	assert.Equal(t, SourceWebhook, tr.History[len(tr.History)-1].Source)
	assert.Equal(t, PhaseDone, tr.Phase)
}

// A webhook secret alone covers nothing: with no receiver listening or
// mounted, no event can arrive, so the order keeps its polling cadence.
func TestWebhookSecretWithoutReceiverKeepsPolling(t *testing.T) {
	const scale = 0.01 // cadence 50 ms, silence window 1.8 s
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	k := key(api.VerticalVoucher, "56")
	f.set(k, always("PENDING"))
	e, _ := runEngine(t, Config{Sources: []api.OrderSource{f}, TimeScale: scale, Webhooks: verifiers(hookSecret), WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 6000}})
	e.Track(api.Order{Vertical: api.VerticalVoucher, ID: "56"}, OriginPlaced)
	eventually(t, func() bool { return len(f.getTimes(k)) >= 2 }, "a second check")
	tr, _ := e.Get(k)
	assert.False(t, tr.Webhook)
	silence := time.Duration(float64(3*time.Minute) * scale)
	ts := f.getTimes(k)
	assert.Less(t, ts[1].Sub(ts[0]), silence, "polled at the policy cadence, not after the webhook silence")
}

func TestWebhookListenLoopbackOnly(t *testing.T) {
	assert.Error(t, checkListenAddr("0.0.0.0:8080", false))
	assert.Error(t, checkListenAddr(":8080", false))
	assert.Error(t, checkListenAddr("192.168.1.4:8080", false))
	assert.Error(t, checkListenAddr("nonsense", false))
	assert.NoError(t, checkListenAddr("127.0.0.1:0", false))
	assert.NoError(t, checkListenAddr("[::1]:0", false))
	assert.NoError(t, checkListenAddr("localhost:0", false))
	assert.NoError(t, checkListenAddr("0.0.0.0:8080", true))

	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	f.set(key(api.VerticalVoucher, "1234"), always("DELIVERED"))
	e, _ := runEngine(t, Config{Sources: []api.OrderSource{f}, Webhooks: verifiers(hookSecret), WebhookListen: "127.0.0.1:0", WalletEvery: -1})
	eventually(t, func() bool { return e.Webhooks().Addr() != "" }, "listening")
	body := orderEvent(1234, "order.delivered")
	req, err := http.NewRequest(http.MethodPost, "http://"+e.Webhooks().Addr()+"/", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header = hookReq(t, body, nil).Header
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	eventually(t, func() bool {
		tr, ok := e.Get(key(api.VerticalVoucher, "1234"))
		return ok && tr.Order.Status == api.StatusDelivered
	}, "fetched")
	assert.False(t, strings.Contains(fmt.Sprintf("%v %+v %#v", e.cfg.Webhooks, e.cfg, e.cfg), hookSecret.Reveal()), "the secret never prints")
	http.DefaultClient.CloseIdleConnections()
}

// A verified order event is the detection: its status is published at once,
// before any GET; the detail (codes) follows at the highest priority.
func TestWebhookPublishesStatusAtOnceThenFetchesFirst(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	for i := range 10 {
		f.set(key(api.VerticalVoucher, fmt.Sprint(i)), always("PENDING"))
	}
	f.set(key(api.VerticalVoucher, "7"), always("DELIVERED"))
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 1, Workers: 1, WalletEvery: -1, Webhooks: verifiers(hookSecret),
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 120}}) // 2/s: the queue is long
	require.NoError(t, err)
	hook := e.Webhooks().Handler()
	for i := range 10 {
		// No status yet: everyone is due now.
		e.Track(api.Order{Vertical: api.VerticalVoucher, ID: fmt.Sprint(i)}, OriginPlaced)
	}
	e.Focus(key(api.VerticalVoucher, "3"))
	k := key(api.VerticalVoucher, "7")
	rec := httptest.NewRecorder()
	hook.ServeHTTP(rec, hookReq(t, orderEvent(7, "order.delivered"), func(h http.Header) { h.Set("X-Event-ID", "evt_7") }))
	require.Equal(t, http.StatusOK, rec.Code)

	// Not running yet: no GET was made, the status is already there.
	tr, ok := e.Get(k)
	require.True(t, ok)
	assert.Equal(t, api.StatusDelivered, tr.Order.Status)
	assert.Equal(t, 10, tr.Order.DeliveredQuantity)
	assert.Equal(t, SourceWebhook, tr.History[len(tr.History)-1].Source)
	assert.True(t, tr.History[len(tr.History)-1].Changed)
	assert.Empty(t, f.getTimes(k))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	go func() {
		for range e.Updates() {
		}
	}()
	defer func() { cancel(); <-done }()
	eventually(t, func() bool { return len(f.calls()) >= 2 }, "two checks")
	calls := f.calls()
	assert.Equal(t, "7", calls[0].key.ID, "the webhook's detail goes before the focused order")
	assert.Equal(t, "3", calls[1].key.ID, "then the focused one")
	eventually(t, func() bool { tr, _ := e.Get(k); return !tr.LastChecked.Before(calls[0].at) }, "detail applied")
	tr, _ = e.Get(k)
	assert.Equal(t, PhaseDone, tr.Phase)
	assert.Equal(t, api.StatusDelivered, tr.Order.Status)
}

// A late or replayed PENDING event never moves a finished order back.
func TestWebhookNeverMovesBack(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	e, err := New(Config{Sources: []api.OrderSource{f}, Webhooks: verifiers(hookSecret)})
	require.NoError(t, err)
	e.Track(api.Order{Vertical: api.VerticalVoucher, ID: "8", Status: api.StatusDelivered, RawStatus: "DELIVERED"}, OriginPlaced)
	e.webhookOrder(api.Order{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "8", RawStatus: "PENDING", Status: api.StatusPending}, time.Now())
	tr, _ := e.Get(key(api.VerticalVoucher, "8"))
	assert.Equal(t, api.StatusDelivered, tr.Order.Status)
	assert.False(t, tr.NextCheck.IsZero(), "the detail is still fetched")
}

// A flood of valid events cannot starve polling: webhook-triggered fetches go
// first only within their share of the budget (WebhookSharePct); the rest
// wait their turn as ordinary polls of new orders.
func TestWebhookFloodKeepsToItsShare(t *testing.T) {
	const perMin, flood, placed = 600, 200, 5
	share := perMin * WebhookSharePct / 100
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	for i := range placed {
		f.set(key(api.VerticalVoucher, fmt.Sprint("p", i)), always("PENDING"))
	}
	for i := range flood {
		f.set(key(api.VerticalVoucher, fmt.Sprint(1000+i)), always("DELIVERED"))
	}
	// The budget's window is 6 s: far longer than the 65 first calls take
	// (about 0.6 s at 100/s), so the share cannot refill mid-test.
	e, err := New(Config{Sources: []api.OrderSource{f}, TimeScale: 0.1, ScaleBudget: true, Workers: 1, WalletEvery: -1,
		Webhooks: verifiers(hookSecret), GETPerMinute: map[api.Provider]int{api.ProviderOctopus: perMin}})
	require.NoError(t, err)
	hook := e.Webhooks().Handler()
	for i := range placed {
		e.Track(api.Order{Vertical: api.VerticalVoucher, ID: fmt.Sprint("p", i)}, OriginPlaced)
	}
	for i := range flood {
		rec := httptest.NewRecorder()
		hook.ServeHTTP(rec, hookReq(t, orderEvent(1000+i, "order.delivered"), nil))
		require.Equal(t, http.StatusOK, rec.Code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	go func() {
		for range e.Updates() {
		}
	}()
	defer func() { cancel(); <-done }()
	eventually(t, func() bool { return len(f.calls()) >= share+placed }, "the first calls")
	first := f.calls()[:share+placed]
	polled := 0
	for _, c := range first {
		if strings.HasPrefix(c.key.ID, "p") {
			polled++
		}
	}
	assert.Equal(t, placed, polled, "every polled order is checked right after the webhook share, not after the whole flood")
}
