package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

const (
	crashEnv     = "POLLER_CRASH_CHILD" // "after-send" or "before-send"
	crashDirEnv  = "POLLER_CRASH_DIR"   // journal + provider files
	crashRef     = "kill9-ref-1"
	crashExit    = 137
	providerFile = "provider.jsonl"
)

// fileProvider is a provider whose orders live in a file, so they survive
// the crashing child process.
type fileProvider struct {
	*fakeSource
	path string
}

func (p *fileProvider) PlaceOrder(ctx context.Context, r api.OrderRequest) (api.Order, error) {
	f, err := os.OpenFile(p.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return api.Order{}, err
	}
	defer f.Close()
	o := api.Order{Provider: api.ProviderOctopus, Vertical: r.Vertical, ID: fmt.Sprint(time.Now().UnixNano()),
		ClientReference: r.ClientReference, RawStatus: "PENDING", Status: api.StatusPending}
	b, _ := json.Marshal(o)
	_, err = f.Write(append(b, '\n'))
	return o, err
}

func (p *fileProvider) Quote(context.Context, api.OrderRequest) (api.Quote, error) {
	return api.Quote{}, nil
}

func (p *fileProvider) orders(t *testing.T) []api.Order {
	raw, err := os.ReadFile(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	var out []api.Order
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if line == "" {
			continue
		}
		var o api.Order
		require.NoError(t, json.Unmarshal([]byte(line), &o))
		out = append(out, o)
	}
	return out
}

func (p *fileProvider) FindByReference(ctx context.Context, v api.Vertical, ref string) (api.Order, bool, error) {
	raw, err := os.ReadFile(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return api.Order{}, false, nil
	}
	if err != nil {
		return api.Order{}, false, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		var o api.Order
		if json.Unmarshal([]byte(line), &o) == nil && o.ClientReference == ref && o.Vertical == v {
			return o, true, nil
		}
	}
	return api.Order{}, false, nil
}

// crashPlacer dies like kill -9: before or after the provider got the order,
// in both cases before the response reaches the journal.
type crashPlacer struct {
	*fileProvider
	beforeSend bool
}

func (c crashPlacer) PlaceOrder(ctx context.Context, r api.OrderRequest) (api.Order, error) {
	if !c.beforeSend {
		if _, err := c.fileProvider.PlaceOrder(ctx, r); err != nil {
			os.Exit(3)
		}
	}
	os.Exit(crashExit)
	return api.Order{}, nil
}

func crashChild() {
	dir := os.Getenv(crashDirEnv)
	j, err := OpenJournal(filepath.Join(dir, "journal.db"))
	if err != nil {
		os.Exit(4)
	}
	fp := &fileProvider{fakeSource: newFake(api.ProviderOctopus, api.VerticalVoucher), path: filepath.Join(dir, providerFile)}
	e, err := New(Config{Sources: []api.OrderSource{fp}, Journal: j})
	if err != nil {
		os.Exit(5)
	}
	_, _ = e.Place(context.Background(), crashPlacer{fileProvider: fp, beforeSend: os.Getenv(crashEnv) == "before-send"},
		api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "7", Amount: 10, Quantity: 1, ClientReference: crashRef})
	os.Exit(6) // Place must not return
}

func TestKill9NeverLosesNorDuplicates(t *testing.T) {
	for _, mode := range []string{"after-send", "before-send"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), crashEnv+"="+mode, crashDirEnv+"="+dir)
			err := cmd.Run()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee)
			require.Equal(t, crashExit, ee.ExitCode(), "the child must die inside PlaceOrder")

			j, err := OpenJournal(filepath.Join(dir, "journal.db"))
			require.NoError(t, err)
			defer j.Close()
			in, ok, err := j.Intent(api.VerticalVoucher, crashRef)
			require.NoError(t, err)
			require.True(t, ok, "the intent was written before the request left")
			require.Equal(t, IntentPending, in.State)

			fp := &fileProvider{fakeSource: newFake(api.ProviderOctopus, api.VerticalVoucher), path: filepath.Join(dir, providerFile)}
			placed := fp.orders(t)
			for _, o := range placed {
				fp.set(o.Key(), always("DELIVERED"))
			}
			// 0.0001: the one-minute "absent" grace is 6 ms.
			e, _ := runEngine(t, Config{Sources: []api.OrderSource{fp}, Journal: j, TimeScale: 0.0001, WalletEvery: -1})
			want := IntentPlaced
			if mode == "before-send" {
				want = IntentAbsent
			}
			eventually(t, func() bool {
				in, _, _ := j.Intent(api.VerticalVoucher, crashRef)
				return in.State == want
			}, "reconciled to "+string(want))

			if mode == "after-send" {
				require.Len(t, placed, 1)
				in, _, _ := j.Intent(api.VerticalVoucher, crashRef)
				assert.Equal(t, placed[0].ID, in.OrderID)
				eventually(t, func() bool { _, ok := e.Get(key(api.VerticalVoucher, placed[0].ID)); return ok }, "found → tracked")
				tr, _ := e.Get(key(api.VerticalVoucher, placed[0].ID))
				assert.Equal(t, OriginPlaced, tr.Origin)
			} else {
				assert.Empty(t, placed)
			}
			// Placing again with the same reference never sends.
			var sent atomic.Int32
			_, err = e.Place(context.Background(), countingPlacer{n: &sent}, api.OrderRequest{Vertical: api.VerticalVoucher, ClientReference: crashRef})
			assert.ErrorIs(t, err, ErrDuplicatePlace)
			assert.Zero(t, sent.Load())
			if mode == "after-send" {
				assert.Len(t, fp.orders(t), 1, "exactly one order at the provider")
			} else {
				assert.Empty(t, fp.orders(t), "no order at the provider")
			}
		})
	}
}

type countingPlacer struct {
	n    *atomic.Int32
	fn   func(r api.OrderRequest) (api.Order, error)
	gate chan struct{}
}

func (c countingPlacer) Quote(context.Context, api.OrderRequest) (api.Quote, error) {
	return api.Quote{}, nil
}
func (c countingPlacer) PlaceOrder(ctx context.Context, r api.OrderRequest) (api.Order, error) {
	c.n.Add(1)
	if c.gate != nil {
		<-c.gate
	}
	if c.fn != nil {
		return c.fn(r)
	}
	return api.Order{ID: "1", Status: api.StatusPending, RawStatus: "PENDING", ClientReference: r.ClientReference}, nil
}

func TestReconcileFoundAbsentError(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer j.Close()
	old := time.Now().Add(-time.Hour)
	for _, ref := range []string{"found", "absent", "flaky"} {
		require.NoError(t, j.Begin(Intent{Vertical: api.VerticalTopup, ClientReference: ref, Created: old}))
	}
	require.NoError(t, j.Pin(key(api.VerticalVoucher, "77"), old))
	f := newFake(api.ProviderOctopus, api.VerticalVoucher, api.VerticalTopup)
	f.refs["topup/found"] = api.Order{ID: "500", RawStatus: "PENDING", Status: api.StatusPending}
	f.refErr["topup/flaky"] = &api.Error{Kind: api.KindServer}
	f.set(key(api.VerticalTopup, "500"), always("PENDING"))
	f.set(key(api.VerticalVoucher, "77"), always("DELIVERED"))

	e, _ := runEngine(t, Config{Sources: []api.OrderSource{f}, Journal: j, TimeScale: 0.001, WalletEvery: -1})
	state := func(ref string) IntentState {
		in, _, _ := j.Intent(api.VerticalTopup, ref)
		return in.State
	}
	eventually(t, func() bool {
		// The journal is written just before the order is tracked.
		_, tracked := e.Get(key(api.VerticalTopup, "500"))
		return state("found") == IntentPlaced && state("absent") == IntentAbsent && tracked
	}, "found and absent resolved")
	assert.Equal(t, IntentPending, state("flaky"), "a lookup error leaves the intent unresolved")
	tr, ok := e.Get(key(api.VerticalTopup, "500"))
	require.True(t, ok)
	assert.Equal(t, OriginPlaced, tr.Origin)
	eventually(t, func() bool {
		tr, ok := e.Get(key(api.VerticalVoucher, "77"))
		return ok && tr.Origin == OriginPinned && tr.Order.Status == api.StatusDelivered
	},
		"pinned order tracked and checked")

	// The lookup recovers: the retry loop resolves it, never re-sending.
	f.mu.Lock()
	delete(f.refErr, "topup/flaky")
	f.refs["topup/flaky"] = api.Order{ID: "501", RawStatus: "DELIVERED"}
	f.mu.Unlock()
	eventually(t, func() bool { return state("flaky") == IntentPlaced }, "flaky resolved on retry")
}

func TestPlaceOutcomeUnknownResolvesByLookupOnce(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer j.Close()
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	var sent atomic.Int32
	p := countingPlacer{n: &sent, fn: func(r api.OrderRequest) (api.Order, error) {
		// The order lands, the response is lost.
		f.mu.Lock()
		f.refs["topup/"+r.ClientReference] = api.Order{ID: "900", ClientReference: r.ClientReference, RawStatus: "PENDING"}
		f.mu.Unlock()
		return api.Order{}, &api.Error{Kind: api.KindOutcomeUnknown, Op: "POST /api/v1/topups/orders"}
	}}
	e, err := New(Config{Sources: []api.OrderSource{f}, Journal: j, TimeScale: 0.001})
	require.NoError(t, err)
	req := api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 1, ClientReference: "r-1"}
	o, err := e.Place(context.Background(), p, req)
	require.NoError(t, err)
	assert.Equal(t, "900", o.ID)
	in, _, _ := j.Intent(api.VerticalTopup, "r-1")
	assert.Equal(t, IntentPlaced, in.State)
	assert.Equal(t, "900", in.OrderID)
	assert.Equal(t, "product=4218 amount=1", in.Summary)
	tr, ok := e.Get(key(api.VerticalTopup, "900"))
	require.True(t, ok)
	assert.Equal(t, OriginPlaced, tr.Origin)

	_, err = e.Place(context.Background(), p, req)
	assert.ErrorIs(t, err, ErrDuplicatePlace)
	assert.EqualValues(t, 1, sent.Load(), "the create went out exactly once")
}

func TestPlaceRejectedAndConcurrentDuplicate(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer j.Close()
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	e, err := New(Config{Sources: []api.OrderSource{f}, Journal: j, TimeScale: 0.001})
	require.NoError(t, err)

	var sent atomic.Int32
	rej := countingPlacer{n: &sent, fn: func(api.OrderRequest) (api.Order, error) {
		return api.Order{}, &api.Error{Kind: api.KindInsufficientFunds}
	}}
	_, err = e.Place(context.Background(), rej, api.OrderRequest{Vertical: api.VerticalVoucher, ClientReference: "poor"})
	assert.ErrorIs(t, err, api.ErrInsufficientFunds)
	in, _, _ := j.Intent(api.VerticalVoucher, "poor")
	assert.Equal(t, IntentRejected, in.State)

	gate := make(chan struct{})
	slow := countingPlacer{n: &sent, gate: gate}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			_, errs[i] = e.Place(context.Background(), slow, api.OrderRequest{Vertical: api.VerticalVoucher, ClientReference: "twice"})
		})
	}
	eventually(t, func() bool { return sent.Load() == 2 }, "one create in flight") // 1 rejected + 1 slow
	time.Sleep(20 * time.Millisecond)
	close(gate)
	wg.Wait()
	assert.EqualValues(t, 2, sent.Load(), "the second call sent nothing")
	nDup := 0
	for _, err := range errs {
		if errors.Is(err, ErrDuplicatePlace) {
			nDup++
		} else {
			assert.NoError(t, err)
		}
	}
	assert.Equal(t, 1, nDup)

	_, err = e.Place(context.Background(), slow, api.OrderRequest{Vertical: "nope"})
	assert.Error(t, err)
	_, err = e.Place(context.Background(), slow, api.OrderRequest{Vertical: api.VerticalVoucher, ClientReference: "bad\x01ref"})
	assert.Error(t, err)
	assert.EqualValues(t, 2, sent.Load(), "bad input sends nothing")
}

func TestIntentRequestReadsBackTheSummary(t *testing.T) {
	r := api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: "507f1f77bcf86cd799439011", VariantID: "TEST_PARTIAL",
		Quantity: 4, Amount: 12.5, Recipient: "0778037340", RecipientType: "ADSL", ClientReference: "ow-1"}
	in := Intent{Vertical: r.Vertical, ClientReference: r.ClientReference, Summary: summarize(r)}
	assert.Equal(t, r, in.Request())
}

// A journal that cannot be read is reported, and the reconcile loop comes
// back for it later instead of treating it as "nothing to do".
func TestReconcileReportsUnreadableJournal(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	e, err := New(Config{Sources: []api.OrderSource{f}, Journal: j, WalletEvery: -1})
	require.NoError(t, err)
	require.NoError(t, j.Close())
	assert.Equal(t, 1, e.reconcileOnce(context.Background()), "retried later")
	var errs []string
	for _, u := range e.out.take() {
		if eu, ok := u.(ErrorUpdate); ok {
			errs = append(errs, eu.Err)
		}
	}
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "journal")
}
