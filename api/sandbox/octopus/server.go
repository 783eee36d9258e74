package octopus

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a sandbox server. The zero value is usable.
type Config struct {
	Addr             string        // listen address; default "127.0.0.1:0"; non-loopback hosts are rejected
	Seed             int64         // deterministic ids, codes, timings, traffic
	TimeScale        float64       // multiplies every simulated delay (1 = real; 0.01 = 100x faster); default 1
	TokenTTL         time.Duration // access-token lifetime, default 1h; real time, not scaled
	RefreshTTL       time.Duration // refresh-token lifetime, default 7 days; real time, not scaled
	ProductionLimits bool          // use the prod column of contract §6.2 instead of the sandbox column
	Limits           *Limits       // explicit per-minute limits (nil = by ProductionLimits)
	WebhookURL       string        // where to POST signed webhooks ("" = none); loopback only
	WebhookAttempts  int           // delivery attempts per event, default 8
	TrafficPerMinute float64       // background orders per real minute from "other sales channels"; 0 = none
	TrafficFor       time.Duration // background orders stop after this real time; 0 = never
	ListLag          time.Duration // how often lists see new state (simulated, scaled); default 5s
	// RateWindow is the rolling window of the limits, real time (default 1
	// minute). Benchmarks of a consistently compressed world set it to
	// TimeScale minutes.
	RateWindow time.Duration
	Faults     Faults
	Logf       func(format string, args ...any) // optional; never given secrets
}

// Faults are injected on /api/v1/* only. Shares are probabilities in 0..1.
// Latency is added to every such request as given: it models the network,
// so TimeScale does not shrink it. ServerError and TooMany answer before the
// handler runs (no side effects); Malformed and Drop happen after it ran, so
// a dropped create has still created the order (the lost-response case).
type Faults struct {
	Latency     time.Duration
	ServerError float64
	TooMany     float64
	Malformed   float64
	Drop        float64
}

// Limits are requests per rolling minute, per client, per class. Create and
// Charges apply to each endpoint separately. A zero field means unlimited.
type Limits struct {
	Login, Refresh, GET, Create, Charges int
}

// SandboxLimits and ProdLimits are the two columns of contract §6.2.
var (
	SandboxLimits = Limits{Login: 30, Refresh: 30, GET: 600, Create: 120, Charges: 300}
	ProdLimits    = Limits{Login: 10, Refresh: 20, GET: 300, Create: 60, Charges: 120}
)

// Credentials are the fixed demo credentials. They are public test values,
// but String still keeps them out of logs by habit.
type Credentials struct {
	APIKey, APISecret, WebhookSecret string
}

func (c Credentials) String() string {
	return fmt.Sprintf("{APIKey:%s APISecret:[redacted] WebhookSecret:[redacted]}", c.APIKey)
}

// GoString keeps %#v from printing the secrets.
func (c Credentials) GoString() string { return c.String() }

// Demo credentials (also in the package documentation).
const (
	DemoAPIKey        = "sandbox-demo-key"
	DemoAPISecret     = "sandbox-demo-secret"
	DemoWebhookSecret = "sandbox-webhook-secret"
	DemoClientID      = 42
)

// Transition is one status or activation change of one order.
type Transition struct {
	Vertical        string // "voucher" | "topup" | "esim"
	ID              int64
	ClientReference string
	Field           string // "status" or "activation" (eSIM activation_status)
	From, To        string // From is "" when the order is created
	At              time.Time
}

// Server is an in-memory Octopus Cards API v1.
type Server struct {
	cfg    Config
	limits Limits
	creds  Credentials
	scale  float64
	lag    time.Duration
	hook   *http.Client

	handler http.Handler

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	lifeMu      sync.Mutex
	workersOn   bool
	closed      bool
	ln          net.Listener
	srv         *http.Server
	url         string
	serveClosed chan struct{}

	// Separate seeded sources, so request ids, faults and traffic choices do
	// not shift the ids, codes and timings of orders.
	rng, idRng, faultRng, trafficRng *lockedRand

	rl *limiter

	statsMu sync.Mutex
	stats   Stats

	flushMu sync.Mutex // keeps batches of observer calls in order

	mu            sync.Mutex // everything below
	signKey       []byte
	tokens        map[string]*token
	wallets       []*wallet
	txs           []*transaction
	nextTx        int64
	orders        map[string][]*order // by vertical, oldest first
	byID          map[string]map[int64]*order
	byRef         map[string]*order
	nextID        map[string]int64
	events        eventHeap
	dirty         map[*order]struct{}
	wake          chan struct{}
	pendingTr     []Transition
	pendingHooks  []webhookEvent
	observers     []func(Transition)
	webhookURL    string
	webhookSecret string
	eventSeq      int64
	trafficSeq    int64
	incidents     map[string]bool // running incidents (incident.go)
	outage        atomic.Bool     // the outage incident: read without mu by every request
}

// New validates cfg and builds a server. Nothing runs until Start or Handler.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if err := checkLoopbackAddr(cfg.Addr); err != nil {
		return nil, err
	}
	if cfg.TimeScale < 0 || cfg.TimeScale != cfg.TimeScale {
		return nil, errors.New("sandbox: TimeScale must be positive")
	}
	if cfg.TimeScale == 0 {
		cfg.TimeScale = 1
	}
	if cfg.TokenTTL < 0 || cfg.RefreshTTL < 0 || cfg.ListLag < 0 || cfg.Faults.Latency < 0 || cfg.RateWindow < 0 {
		return nil, errors.New("sandbox: durations must not be negative")
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = 7 * 24 * time.Hour
	}
	if cfg.ListLag == 0 {
		cfg.ListLag = 5 * time.Second
	}
	if cfg.WebhookAttempts < 0 {
		return nil, errors.New("sandbox: WebhookAttempts must not be negative")
	}
	if cfg.WebhookAttempts == 0 {
		cfg.WebhookAttempts = 8
	}
	if cfg.TrafficPerMinute < 0 || cfg.TrafficPerMinute != cfg.TrafficPerMinute {
		return nil, errors.New("sandbox: TrafficPerMinute must not be negative")
	}
	for name, v := range map[string]float64{
		"ServerError": cfg.Faults.ServerError, "TooMany": cfg.Faults.TooMany,
		"Malformed": cfg.Faults.Malformed, "Drop": cfg.Faults.Drop,
	} {
		if !(v >= 0 && v <= 1) {
			return nil, fmt.Errorf("sandbox: Faults.%s must be within 0..1", name)
		}
	}
	if cfg.WebhookURL != "" {
		if err := checkLoopbackURL(cfg.WebhookURL); err != nil {
			return nil, err
		}
	}
	limits := SandboxLimits
	if cfg.ProductionLimits {
		limits = ProdLimits
	}
	if cfg.Limits != nil {
		limits = *cfg.Limits
		if limits.Login < 0 || limits.Refresh < 0 || limits.GET < 0 || limits.Create < 0 || limits.Charges < 0 {
			return nil, errors.New("sandbox: limits must not be negative")
		}
	}
	seed := uint64(cfg.Seed)
	s := &Server{
		cfg:        cfg,
		limits:     limits,
		creds:      Credentials{APIKey: DemoAPIKey, APISecret: DemoAPISecret, WebhookSecret: DemoWebhookSecret},
		scale:      cfg.TimeScale,
		rng:        newLockedRand(seed, 1),
		idRng:      newLockedRand(seed, 2),
		faultRng:   newLockedRand(seed, 3),
		trafficRng: newLockedRand(seed, 4),
		rl:         newLimiter(cfg.RateWindow),
		tokens:     map[string]*token{},
		orders:     map[string][]*order{},
		byID: map[string]map[int64]*order{
			VerticalVoucher: {}, VerticalTopup: {}, VerticalESIM: {},
		},
		byRef:         map[string]*order{},
		nextID:        map[string]int64{VerticalVoucher: 100001, VerticalTopup: 9123001, VerticalESIM: 9302001},
		dirty:         map[*order]struct{}{},
		wake:          make(chan struct{}, 1),
		webhookURL:    cfg.WebhookURL,
		webhookSecret: DemoWebhookSecret,
		nextTx:        5000001,
	}
	s.lag = s.scaled(cfg.ListLag)
	s.stats = Stats{Requests: map[string]int64{}, Orders: map[string]int64{}}
	s.signKey = []byte(s.idRng.str(32, alnum))
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.hook = newWebhookClient()
	s.initWallets()
	s.handler = s.routes()
	return s, nil
}

// Start listens on cfg.Addr, serves, and starts the background workers.
func (s *Server) Start() error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.closed {
		return errors.New("sandbox: server closed")
	}
	if s.ln != nil {
		return errors.New("sandbox: already started")
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen: %w", err)
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.serveClosed = make(chan struct{})
	go func() {
		defer close(s.serveClosed)
		_ = s.srv.Serve(ln)
	}()
	s.startWorkersLocked()
	s.logf("sandbox: Octopus Cards API listening on %s", s.url)
	return nil
}

// URL is the base URL after Start ("" before).
func (s *Server) URL() string {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	return s.url
}

// Handler serves the API without a listener (for httptest). It also starts
// the background workers, so Close must still be called.
func (s *Server) Handler() http.Handler {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if !s.closed {
		s.startWorkersLocked()
	}
	return s.handler
}

func (s *Server) startWorkersLocked() {
	if s.workersOn {
		return
	}
	s.workersOn = true
	s.wg.Add(1)
	go s.schedulerLoop()
	if s.cfg.TrafficPerMinute > 0 {
		s.wg.Add(1)
		go s.trafficLoop()
	}
}

// Close stops serving, the workers and pending webhook retries, and waits
// for every goroutine it started.
func (s *Server) Close() error {
	s.lifeMu.Lock()
	if s.closed {
		s.lifeMu.Unlock()
		return nil
	}
	s.closed = true
	srv, done := s.srv, s.serveClosed
	s.lifeMu.Unlock()

	s.cancel() // eSIM handlers waiting for fulfilment return at once
	var err error
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if e := srv.Shutdown(ctx); e != nil {
			err = srv.Close()
		}
		cancel()
		<-done
	}
	s.wg.Wait()
	s.hook.CloseIdleConnections()
	return err
}

// Credentials returns the demo credentials.
func (s *Server) Credentials() Credentials { return s.creds }

// SetWebhook changes where events go ("" stops them) and the signing secret
// ("" keeps the current one). A non-loopback URL is refused and logged, and
// webhooks are then off.
func (s *Server) SetWebhook(rawURL, secret string) {
	if rawURL != "" {
		if err := checkLoopbackURL(rawURL); err != nil {
			s.logf("sandbox: webhook URL refused: %v", err)
			rawURL = ""
		}
	}
	s.mu.Lock()
	s.webhookURL = rawURL
	if secret != "" {
		s.webhookSecret = secret
	}
	s.mu.Unlock()
}

// OnTransition adds an observer of every status/activation change (creation
// included, with From ""). Observers run synchronously on the goroutine that
// caused the change, after the server's lock is released, in order.
func (s *Server) OnTransition(fn func(Transition)) {
	if fn == nil {
		return
	}
	s.mu.Lock()
	s.observers = append(s.observers, fn)
	s.mu.Unlock()
}

// Stats counts what the server did.
type Stats struct {
	Requests          map[string]int64 // requests that reached a handler, by class (Class* constants)
	TooMany           int64            // 429s sent (limiter and injected)
	FaultsInjected    int64            // injected 500/429/malformed/drop
	WebhooksSent      int64            // events acknowledged with a 2xx
	WebhooksFailed    int64            // failed attempts (non-2xx, timeout, refused)
	WebhooksAbandoned int64            // events given up after the last attempt
	Orders            map[string]int64 // orders created, by vertical
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	out := s.stats
	out.Requests = make(map[string]int64, len(s.stats.Requests))
	for k, v := range s.stats.Requests {
		out.Requests[k] = v
	}
	out.Orders = make(map[string]int64, len(s.stats.Orders))
	for k, v := range s.stats.Orders {
		out.Orders[k] = v
	}
	return out
}

func (s *Server) count(f func(st *Stats)) {
	s.statsMu.Lock()
	f(&s.stats)
	s.statsMu.Unlock()
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// scaled turns a simulated delay into real time.
func (s *Server) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * s.scale)
}

func (s *Server) now() time.Time { return time.Now().UTC() }

// --- seeded randomness -----------------------------------------------------

const (
	alnum  = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	digits = "0123456789"
	base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	hexUp  = "0123456789ABCDEF"
)

// lockedRand is a seeded math/rand/v2 source safe for concurrent use.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newLockedRand(seed, stream uint64) *lockedRand {
	return &lockedRand{r: rand.New(rand.NewPCG(seed, stream*0x9e3779b97f4a7c15))}
}

func (l *lockedRand) intN(n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.IntN(n)
}

func (l *lockedRand) float() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

func (l *lockedRand) str(n int, alphabet string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[l.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (s *Server) randString(n int, alphabet string) string { return s.rng.str(n, alphabet) }

func (s *Server) randFloat() float64 { return s.rng.float() }

// between returns a scaled real duration uniformly in [lo, hi] simulated.
func (s *Server) between(lo, hi time.Duration) time.Duration {
	d := lo + time.Duration(s.randFloat()*float64(hi-lo))
	return s.scaled(d)
}

// --- loopback checks -------------------------------------------------------

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func checkLoopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: bad listen address %q: %v", addr, err)
	}
	if !isLoopbackHost(host) {
		return fmt.Errorf("sandbox: listen address %q is not loopback", addr)
	}
	return nil
}

func checkLoopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("sandbox: webhook URL must be an absolute http(s) URL")
	}
	if !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("sandbox: webhook host %q is not loopback", u.Hostname())
	}
	return nil
}
