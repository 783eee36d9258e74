package bench

import (
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/octopus"
	"github.com/orderwatch/orderwatch/api/oneclick"
)

// counter is an http.RoundTripper that counts what one strategy sends: every
// GET (detail, list or other) and every 429 it gets back, per vertical.
type counter struct {
	base http.RoundTripper

	gets, lists, tooMany atomic.Int64
	mu                   sync.Mutex
	byVertical           map[api.Vertical]int64
	rtts                 []float64 // wall seconds of each GET round trip
}

func newCounter() *counter {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// One connection per naive poller, reused: without this a thousand
	// goroutines churn through ephemeral ports.
	t.MaxIdleConns = 0
	t.MaxIdleConnsPerHost = 4096
	return &counter{base: t, byVertical: map[api.Vertical]int64{}}
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	isGet := r.Method == http.MethodGet
	if isGet {
		c.gets.Add(1)
		v, list := classify(r.URL.Path)
		if list {
			c.lists.Add(1)
		}
		if v != "" {
			c.mu.Lock()
			c.byVertical[v]++
			c.mu.Unlock()
		}
	}
	start := time.Now()
	resp, err := c.base.RoundTrip(r)
	if isGet {
		d := time.Since(start).Seconds()
		c.mu.Lock()
		c.rtts = append(c.rtts, d)
		c.mu.Unlock()
	}
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.tooMany.Add(1)
	}
	return resp, err
}

func (c *counter) close() {
	if t, ok := c.base.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
}

// rtt returns the p50 and p95 of the GET round trips (wall seconds; headers
// received, which is when the sandbox has answered).
func (c *counter) rtt() (p50, p95 float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return percentile(c.rtts, 0.5), percentile(c.rtts, 0.95)
}

func (c *counter) vertical(v api.Vertical) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byVertical[v]
}

// classify maps a GET path to its vertical and says whether it is a list.
func classify(path string) (api.Vertical, bool) {
	type route struct {
		prefix string
		v      api.Vertical
	}
	// Longest prefixes first: /api/v1/orders is a prefix of nothing else here.
	for _, r := range []route{
		{"/api/v1/topups/orders", octopus.VerticalTopup},
		{"/api/v1/esim/orders", octopus.VerticalESIM},
		{"/api/v1/orders", octopus.VerticalVoucher},
		{"/v3/mobile/", oneclick.VerticalMobile},
		{"/v3/internet/", oneclick.VerticalInternet},
		{"/v3/gift-cards/", oneclick.VerticalGiftCard},
	} {
		if rest, ok := strings.CutPrefix(path, r.prefix); ok {
			rest = strings.Trim(rest, "/")
			list := rest == "" || rest == "list"
			return r.v, list
		}
	}
	return "", false
}

// terminal is one order's last terminal status transition in the sandbox.
type terminal struct {
	raw string
	at  time.Time
}

// recorder keeps the sandbox side of every order: its status transitions.
type recorder struct {
	mu    sync.Mutex
	trans map[api.OrderKey][]terminal // every status transition, in order
}

func newRecorder() *recorder { return &recorder{trans: map[api.OrderKey][]terminal{}} }

func (r *recorder) add(k api.OrderKey, to string, at time.Time) {
	r.mu.Lock()
	r.trans[k] = append(r.trans[k], terminal{raw: to, at: at})
	r.mu.Unlock()
}

// final returns the last transition of k to a status terminal for p.
func (r *recorder) final(k api.OrderKey, p api.Provider) (terminal, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ts := r.trans[k]
	for i := len(ts) - 1; i >= 0; i-- {
		if isTerminal(k.Vertical, api.Normalize(p, ts[i].raw)) {
			return ts[i], true
		}
	}
	return terminal{}, false
}

// reached returns when k first entered raw (zero if never).
func (r *recorder) reached(k api.OrderKey, raw string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range r.trans[k] {
		if strings.EqualFold(t.raw, raw) {
			return t.at, true
		}
	}
	return time.Time{}, false
}

// isTerminal is where the seeds' loops stop: a definite outcome, a partial
// delivery, or a status the vertical only re-checks slowly (OneClickDz
// UNKNOWN_ERROR: the loop stops there).
func isTerminal(v api.Vertical, s api.Status) bool {
	switch s {
	case api.StatusDelivered, api.StatusFailed, api.StatusCancelled, api.StatusRefunded, api.StatusPartial:
		return true
	}
	vi, _ := api.LookupVertical(v)
	return slices.Contains(vi.Tracking.Recheck, s)
}

// observations are the moments a strategy first saw each order terminal.
type observations struct {
	mu     sync.Mutex
	seen   map[api.OrderKey]observation
	want   map[api.OrderKey]bool
	left   int
	sealed bool
	all    chan struct{} // closed when sealed and every wanted order was seen
	once   sync.Once
}

type observation struct {
	raw string
	at  time.Time
}

func newObservations() *observations {
	return &observations{seen: map[api.OrderKey]observation{}, want: map[api.OrderKey]bool{}, all: make(chan struct{})}
}

// expect adds an order the run waits for.
func (o *observations) expect(k api.OrderKey) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.want[k] {
		return
	}
	o.want[k] = true
	if _, ok := o.seen[k]; !ok {
		o.left++
	}
}

// see records the first terminal sighting of k.
func (o *observations) see(k api.OrderKey, raw string, at time.Time) {
	o.mu.Lock()
	if _, ok := o.seen[k]; ok {
		o.mu.Unlock()
		return
	}
	o.seen[k] = observation{raw: raw, at: at}
	if o.want[k] {
		o.left--
	}
	o.mu.Unlock()
	o.check()
}

// seal says no more orders will be expected.
func (o *observations) seal() {
	o.mu.Lock()
	o.sealed = true
	o.mu.Unlock()
	o.check()
}

func (o *observations) check() {
	o.mu.Lock()
	done := o.sealed && o.left == 0
	o.mu.Unlock()
	if done {
		o.once.Do(func() { close(o.all) })
	}
}

func (o *observations) get(k api.OrderKey) (observation, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	v, ok := o.seen[k]
	return v, ok
}

// percentile is the nearest-rank percentile of xs (sorted ascending, +Inf
// for unresolved orders): an unresolved order is slower than any resolved one.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}
