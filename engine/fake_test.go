package engine

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/orderwatch/orderwatch/api"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashEnv) != "" {
		crashChild() // never returns
	}
	goleak.VerifyTestMain(m)
}

// script returns the state of an order at its n-th GET (1-based).
type script func(n int) api.Order

// fakeSource is an in-memory OrderSource that records every call.
type fakeSource struct {
	prov  api.Provider
	verts []api.Vertical

	mu       sync.Mutex
	scripts  map[api.OrderKey]script
	gets     map[api.OrderKey][]time.Time
	allGets  []getCall
	inflight map[api.OrderKey]int
	overlap  int // concurrent GETs of one order seen (must stay 0)
	getErr   func(k api.OrderKey, n int, at time.Time) error
	lists    []api.ListQuery
	listFn   func(v api.Vertical, q api.ListQuery) ([]api.Order, error)
	refs     map[string]api.Order // vertical/ref → order
	refErr   map[string]error
	wallets  int
	delay    time.Duration
}

type getCall struct {
	key api.OrderKey
	at  time.Time
	err error
}

func newFake(p api.Provider, verts ...api.Vertical) *fakeSource {
	return &fakeSource{prov: p, verts: verts, scripts: map[api.OrderKey]script{}, gets: map[api.OrderKey][]time.Time{},
		inflight: map[api.OrderKey]int{}, refs: map[string]api.Order{}, refErr: map[string]error{}}
}

func (f *fakeSource) Provider() api.Provider    { return f.prov }
func (f *fakeSource) Verticals() []api.Vertical { return f.verts }

func (f *fakeSource) set(k api.OrderKey, s script) {
	f.mu.Lock()
	f.scripts[k] = s
	f.mu.Unlock()
}

func (f *fakeSource) GetOrder(ctx context.Context, v api.Vertical, id string) (api.Order, error) {
	k := api.OrderKey{Vertical: v, ID: id}
	now := time.Now()
	f.mu.Lock()
	f.inflight[k]++
	if f.inflight[k] > 1 {
		f.overlap++
	}
	f.gets[k] = append(f.gets[k], now)
	n := len(f.gets[k])
	s := f.scripts[k]
	var err error
	if f.getErr != nil {
		err = f.getErr(k, n, now)
	}
	f.allGets = append(f.allGets, getCall{key: k, at: now, err: err})
	d := f.delay
	f.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	f.mu.Lock()
	f.inflight[k]--
	f.mu.Unlock()
	if err != nil {
		return api.Order{}, err
	}
	if s == nil {
		return api.Order{}, &api.Error{Kind: api.KindNotFound, Op: "GET " + id}
	}
	o := s(n)
	o.Vertical, o.ID = v, id
	if o.Provider == "" {
		o.Provider = f.prov
	}
	if o.Status == "" {
		o.Status = api.Normalize(o.Provider, o.RawStatus)
	}
	return o, nil
}

func (f *fakeSource) FindByReference(ctx context.Context, v api.Vertical, ref string) (api.Order, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.refErr[string(v)+"/"+ref]; err != nil {
		return api.Order{}, false, err
	}
	o, ok := f.refs[string(v)+"/"+ref]
	return o, ok, nil
}

func (f *fakeSource) ListOrders(ctx context.Context, v api.Vertical, q api.ListQuery) (api.OrderPage, error) {
	f.mu.Lock()
	f.lists = append(f.lists, q)
	fn := f.listFn
	f.mu.Unlock()
	if fn == nil {
		return api.OrderPage{}, nil
	}
	os, err := fn(v, q)
	return api.OrderPage{Orders: os}, err
}

func (f *fakeSource) Wallets(ctx context.Context) ([]api.Wallet, error) {
	f.mu.Lock()
	f.wallets++
	f.mu.Unlock()
	return []api.Wallet{{Provider: f.prov, ID: "1", Currency: "USD", Balance: 100}}, nil
}

func (f *fakeSource) getTimes(k api.OrderKey) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.gets[k])
}

func (f *fakeSource) calls() []getCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.allGets)
}

// always returns a script with one raw status.
func always(raw string) script {
	return func(int) api.Order { return api.Order{RawStatus: raw} }
}

// after returns raw1 for the first n GETs, then raw2.
func after(n int, raw1, raw2 string) script {
	return func(i int) api.Order {
		if i <= n {
			return api.Order{RawStatus: raw1}
		}
		return api.Order{RawStatus: raw2}
	}
}

// engine builds and runs an engine; the returned stop waits for Run to end.
func runEngine(t *testing.T, cfg Config) (*Engine, func()) {
	t.Helper()
	e, err := New(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.Run(ctx)
	}()
	// A consumer that keeps the relay flowing.
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for range e.Updates() {
		}
	}()
	stop := func() {
		cancel()
		<-done
		<-drained
	}
	t.Cleanup(stop)
	return e, stop
}

func key(v api.Vertical, id string) api.OrderKey { return api.OrderKey{Vertical: v, ID: id} }

// eventually polls cond every few ms until it holds or the (generous) limit passes.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, 5*time.Millisecond, msg)
}
