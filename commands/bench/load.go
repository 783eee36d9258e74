package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/octopus"
	"github.com/orderwatch/orderwatch/api/oneclick"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/orderwatch/orderwatch/engine"
)

// LoadConfig says what `orderwatch bench load` measures: orders placed
// elsewhere arrive at each rate, spread evenly over the six verticals, and
// one engine with discovery on tracks both providers at production limits.
type LoadConfig struct {
	// Rates are arrivals per simulated minute over all six verticals.
	Rates []int
	// TimeScale compresses every delay, cadence and rate window (0.2 = 5x).
	TimeScale float64
	// Arrivals is how long (simulated) orders arrive at each rate; Drain how
	// long the run goes on after the last one.
	Arrivals, Drain time.Duration
	Seed            int64
	// GETPerMinute is the Octopus budget (production 300); OneClickPerMinute
	// the engine's OneClickDz budget under the sandbox's OneClickLimit.
	GETPerMinute, OneClickPerMinute, OneClickLimit int
	Quiet                                          bool
	Logf                                           func(string, ...any)
}

// DefaultLoadConfig is the full capacity benchmark of issue 12.
func DefaultLoadConfig() LoadConfig {
	return LoadConfig{Rates: []int{100, 1000, 3000, 10000}, TimeScale: 0.2, Arrivals: 3 * time.Minute,
		Drain: time.Minute, Seed: 1, GETPerMinute: engine.DefaultGETPerMinute, OneClickPerMinute: 100, OneClickLimit: 120}
}

// ShortLoadConfig is a quick run for tests: the target rate, compressed hard.
func ShortLoadConfig() LoadConfig {
	c := DefaultLoadConfig()
	c.Rates = []int{3000}
	c.TimeScale = 0.1
	c.Arrivals, c.Drain = 75*time.Second, 45*time.Second
	return c
}

func (c LoadConfig) validate() error {
	if len(c.Rates) == 0 {
		return errors.New("bench load: no rates")
	}
	for _, r := range c.Rates {
		if r < 6 || r > 60000 {
			return fmt.Errorf("bench load: rate %d: want 6..60000 a minute", r)
		}
	}
	if c.TimeScale <= 0 || c.TimeScale > 1 {
		return fmt.Errorf("bench load: time scale %v: want a value in (0, 1]", c.TimeScale)
	}
	if c.Arrivals <= 0 || c.Drain < 0 {
		return errors.New("bench load: arrivals must be positive, drain not negative")
	}
	if c.GETPerMinute <= 0 || c.OneClickPerMinute <= 0 || c.OneClickLimit <= 0 {
		return errors.New("bench load: budgets and limits must be positive")
	}
	return nil
}

// ParseLoadFlags reads `orderwatch bench load` flags.
func ParseLoadFlags(args []string, usage io.Writer) (LoadConfig, error) {
	if usage == nil {
		usage = io.Discard
	}
	c := DefaultLoadConfig()
	fs := flag.NewFlagSet("bench load", flag.ContinueOnError)
	fs.SetOutput(usage)
	rates := fs.String("rates", joinInts(c.Rates), "arrivals per simulated minute, spread over the six verticals")
	fs.Float64Var(&c.TimeScale, "time-scale", c.TimeScale, "multiplies every simulated delay, cadence and rate-limit window")
	fs.DurationVar(&c.Arrivals, "arrivals", c.Arrivals, "simulated time orders arrive at each rate")
	fs.DurationVar(&c.Drain, "drain", c.Drain, "simulated time the run goes on after the last arrival")
	fs.Int64Var(&c.Seed, "seed", c.Seed, "sandbox seed")
	fs.IntVar(&c.GETPerMinute, "budget", c.GETPerMinute, "the engine's Octopus GET budget per minute (the production limit is 300)")
	fs.IntVar(&c.OneClickPerMinute, "oneclick-budget", c.OneClickPerMinute, "the engine's OneClickDz budget per minute")
	fs.IntVar(&c.OneClickLimit, "oneclick-limit", c.OneClickLimit, "the OneClickDz sandbox's limit per minute")
	fs.BoolVar(&c.Quiet, "quiet", false, "print only the tables")
	short := fs.Bool("short", false, "one quick run at 3,000 a minute (time scale 0.1, 2 simulated minutes)")
	if err := fs.Parse(args); err != nil {
		return LoadConfig{}, err
	}
	if fs.NArg() > 0 {
		return LoadConfig{}, fmt.Errorf("bench load: unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *short {
		s := ShortLoadConfig()
		if !set["rates"] {
			*rates = joinInts(s.Rates)
		}
		if !set["time-scale"] {
			c.TimeScale = s.TimeScale
		}
		if !set["arrivals"] {
			c.Arrivals = s.Arrivals
		}
		if !set["drain"] {
			c.Drain = s.Drain
		}
	}
	var err error
	if c.Rates, err = parseInts(*rates); err != nil {
		return LoadConfig{}, fmt.Errorf("-rates: %w", err)
	}
	return c, c.validate()
}

// LoadReport is one `bench load`.
type LoadReport struct {
	Config  LoadConfig
	Runs    []LoadRun
	Targets []Target
	Wall    time.Duration
}

// LoadRun is one arrival rate.
type LoadRun struct {
	Rate       int
	Verticals  []LoadVertical
	Providers  []LoadProvider
	Wall       time.Duration
	LateCutoff float64 // simulated seconds before the end a change must precede to be judged
}

// LoadProvider is one provider's budget in a run.
type LoadProvider struct {
	Provider  api.Provider
	Limit     int // the sandbox's GET limit per minute
	Budget    int // the engine's
	Requests  int64
	PeakMin   int // most GETs in any rolling minute
	TooMany   int64
	SandboxRL int64 // the 429s the sandbox reports sending (-1: not counted)
}

// LoadVertical is one vertical of a run. Latencies are simulated seconds.
type LoadVertical struct {
	Vertical                   api.Vertical
	Orders                     int
	NeverSeen                  int
	DiscP50, DiscP95, DiscMax  float64
	Changes, ChangesMissed     int
	ChangeP50, ChangeP95       float64
	Requests, Lists            int64
	PeakMin                    int
	TooMany                    int64
	ListOnlyFinal, DetailFinal int // orders seen final: state from a list only / with a detail
}

// RequestsPerOrder is Requests ÷ Orders.
func (v LoadVertical) RequestsPerOrder() float64 {
	if v.Orders == 0 {
		return math.NaN()
	}
	return float64(v.Requests) / float64(v.Orders)
}

// RunLoad measures every rate and writes the tables to out.
func RunLoad(ctx context.Context, cfg LoadConfig, out io.Writer) (LoadReport, error) {
	if err := cfg.validate(); err != nil {
		return LoadReport{}, err
	}
	start := time.Now()
	rep := LoadReport{Config: cfg}
	for _, r := range cfg.Rates {
		run, err := runLoad(ctx, cfg, r)
		if err != nil {
			return rep, fmt.Errorf("bench load %d/min: %w", r, err)
		}
		rep.Runs = append(rep.Runs, run)
		if !cfg.Quiet {
			fmt.Fprintf(out, "bench load: %d/min done in %s\n", r, run.Wall.Round(100*time.Millisecond))
		}
		if ctx.Err() != nil {
			break
		}
	}
	rep.Targets = evaluateLoad(rep)
	rep.Wall = time.Since(start)
	WriteLoadMarkdown(out, rep)
	return rep, ctx.Err()
}

// loadWatch is what the run saw: the sandboxes' transitions and the engine's
// updates, per order, on one clock.
type loadWatch struct {
	mu       sync.Mutex
	trans    map[api.OrderKey][]terminal // status transitions; the first is the creation
	seen     map[api.OrderKey][]terminal // distinct statuses the engine published, in order
	listOnly map[api.OrderKey]bool       // the last update said ListOnly
}

func newLoadWatch() *loadWatch {
	return &loadWatch{trans: map[api.OrderKey][]terminal{}, seen: map[api.OrderKey][]terminal{},
		listOnly: map[api.OrderKey]bool{}}
}

func (w *loadWatch) transition(k api.OrderKey, to string, at time.Time) {
	w.mu.Lock()
	w.trans[k] = append(w.trans[k], terminal{raw: to, at: at})
	w.mu.Unlock()
}

func (w *loadWatch) update(t engine.Tracked, at time.Time) {
	k := t.Order.Key()
	w.mu.Lock()
	s := w.seen[k]
	if len(s) == 0 || !strings.EqualFold(s[len(s)-1].raw, t.Order.RawStatus) {
		w.seen[k] = append(s, terminal{raw: t.Order.RawStatus, at: at})
	}
	w.listOnly[k] = t.ListOnly
	w.mu.Unlock()
}

// gets logs the time of every GET of one provider, for the rolling peak.
type getLog struct {
	mu    sync.Mutex
	all   []time.Time
	byV   map[api.Vertical][]time.Time
	tooV  map[api.Vertical]int64
	listV map[api.Vertical]int64
	inner *counter
}

func (g *getLog) RoundTrip(r *http.Request) (*http.Response, error) {
	now := time.Now() // sent at: what the provider's window counts
	resp, err := g.inner.RoundTrip(r)
	if r.Method == http.MethodGet {
		v, list := classify(r.URL.Path)
		if debugLoad {
			fmt.Fprintf(os.Stderr, "GET %s %s\n", now.Format("05.000"), r.URL.RequestURI())
		}
		g.mu.Lock()
		if list {
			g.listV[v]++
		}
		g.all = append(g.all, now)
		g.byV[v] = append(g.byV[v], now)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			g.tooV[v]++
		}
		g.mu.Unlock()
	}
	return resp, err
}

// peak is the most sends in any window of length w.
func peak(ts []time.Time, w time.Duration) int {
	best, i := 0, 0
	for j := range ts {
		for ts[j].Sub(ts[i]) >= w {
			i++
		}
		best = max(best, j-i+1)
	}
	return best
}

func runLoad(ctx context.Context, cfg LoadConfig, rate int) (LoadRun, error) {
	run := LoadRun{Rate: rate}
	window := time.Duration(float64(time.Minute) * cfg.TimeScale)
	osb, err := octosb.New(octosb.Config{Seed: cfg.Seed, TimeScale: cfg.TimeScale, ProductionLimits: true,
		Limits: prodLimits(Config{}), RateWindow: window, Logf: cfg.Logf})
	if err != nil {
		return run, err
	}
	if err := osb.Start(); err != nil {
		return run, err
	}
	defer osb.Close()
	csb, err := oneclicksb.New(oneclicksb.Config{Seed: cfg.Seed, TimeScale: cfg.TimeScale, RatePerMinute: cfg.OneClickLimit,
		RateWindow: window, Logf: cfg.Logf})
	if err != nil {
		return run, err
	}
	if err := csb.Start(); err != nil {
		return run, err
	}
	defer csb.Close()
	w := newLoadWatch()
	osb.OnTransition(func(t octosb.Transition) {
		if t.Field == "status" {
			w.transition(api.OrderKey{Vertical: api.Vertical(t.Vertical), ID: strconv.FormatInt(t.ID, 10)}, t.To, t.At)
		}
	})
	csb.OnTransition(func(t oneclicksb.Transition) {
		if v, err := api.ParseVertical(t.Vertical); err == nil {
			w.transition(api.OrderKey{Vertical: v, ID: t.ID}, t.To, t.At)
		}
	})
	logs := map[api.Provider]*getLog{}
	for _, p := range []api.Provider{octopus.ProviderID, oneclick.ProviderID} {
		c := newCounter()
		defer c.close()
		logs[p] = &getLog{inner: c, byV: map[api.Vertical][]time.Time{}, tooV: map[api.Vertical]int64{},
			listV: map[api.Vertical]int64{}}
	}
	creds := osb.Credentials()
	oc, err := octopus.New(octopus.Config{BaseURL: osb.URL(), APIKey: api.Secret(creds.APIKey), APISecret: api.Secret(creds.APISecret),
		HTTPClient: &http.Client{Transport: logs[octopus.ProviderID]}})
	if err != nil {
		return run, err
	}
	cc, err := oneclick.New(oneclick.Config{BaseURL: csb.URL(), APIKey: api.Secret(csb.APIKey()),
		HTTPClient: &http.Client{Transport: logs[oneclick.ProviderID]}})
	if err != nil {
		return run, err
	}
	e, err := engine.New(engine.Config{
		Sources: []api.OrderSource{oc, cc},
		GETPerMinute: map[api.Provider]int{octopus.ProviderID: cfg.GETPerMinute,
			oneclick.ProviderID: cfg.OneClickPerMinute},
		TimeScale: cfg.TimeScale, ScaleBudget: true, Discover: true, WalletEvery: -1, Logf: cfg.Logf,
	})
	if err != nil {
		return run, err
	}
	ectx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.Run(ectx) })
	wg.Go(func() {
		for b := range e.Updates() {
			now := time.Now()
			for _, u := range b {
				// A removal counts too: it carries the state the engine knew.
				// A finished order found (or found finished) late may be
				// evicted, past the finished orders kept, in the very batch
				// that told it, and the outbox then hands over the removal.
				if ou, ok := u.(engine.OrderUpdate); ok {
					w.update(ou.Tracked, now)
				}
			}
		}
	})
	defer func() { cancel(); wg.Wait() }()

	// Arrivals: round robin over the verticals, at the rate, on a 5 ms tick.
	started := time.Now()
	arrive := time.Duration(float64(cfg.Arrivals) * cfg.TimeScale)
	total := time.Duration(float64(cfg.Arrivals+cfg.Drain) * cfg.TimeScale)
	perWall := float64(rate) / window.Seconds()
	placed, turn := 0, 0
	verts := api.Verticals()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for ctx.Err() == nil {
		el := time.Since(started)
		if el >= arrive {
			break
		}
		for due := int(el.Seconds() * perWall); placed < due; placed++ {
			v := verts[turn%len(verts)]
			turn++
			if v.Provider() == octopus.ProviderID {
				err = osb.PlaceTraffic(string(v))
			} else {
				err = csb.PlaceTraffic(string(v))
			}
			if err != nil && cfg.Logf != nil {
				cfg.Logf("bench load: place %s: %v", v, err)
			}
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	end := started.Add(total)
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(end)):
	}
	cancel()
	wg.Wait()
	run.Wall = time.Since(started)
	run.LateCutoff = 30
	cut := end.Add(-time.Duration(run.LateCutoff * cfg.TimeScale * float64(time.Second)))
	run.fill(cfg, w, logs, started.Add(arrive), cut, window)
	run.Providers[0].SandboxRL = osb.Stats().TooMany
	return run, nil
}

// fill computes the figures. Orders count when created before arrivalsEnd;
// a change counts when it happened before cut (later ones may be detected
// after the run ends).
func (run *LoadRun) fill(cfg LoadConfig, w *loadWatch, logs map[api.Provider]*getLog, arrivalsEnd, cut time.Time,
	window time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	sim := func(d time.Duration) float64 { return d.Seconds() / cfg.TimeScale }
	type acc struct {
		disc, change          []float64
		orders, never, missed int
		listOnly, detail      int
	}
	per := map[api.Vertical]*acc{}
	for _, v := range api.Verticals() {
		per[v] = &acc{}
	}
	for k, tr := range w.trans {
		a := per[k.Vertical]
		if a == nil || len(tr) == 0 || tr[0].at.After(arrivalsEnd) {
			continue
		}
		a.orders++
		seen := w.seen[k]
		if len(seen) == 0 {
			a.never++
			if debugLoad {
				fmt.Fprintf(os.Stderr, "never seen %s created +%.1fs: %v\n", k, sim(tr[0].at.Sub(arrivalsEnd)), tr)
			}
			continue
		}
		a.disc = append(a.disc, sim(max(seen[0].at.Sub(tr[0].at), 0)))
		for i := 1; i < len(tr); i++ {
			if tr[i].at.After(cut) {
				break
			}
			lat := math.Inf(1)
			for _, s := range seen {
				if !s.at.Before(tr[i].at) && slices.ContainsFunc(tr[i:], func(t terminal) bool { return strings.EqualFold(t.raw, s.raw) }) {
					lat = sim(s.at.Sub(tr[i].at))
					break
				}
			}
			if math.IsInf(lat, 1) {
				a.missed++
			}
			a.change = append(a.change, lat)
		}
		if last := seen[len(seen)-1]; isTerminal(k.Vertical, api.Normalize(k.Vertical.Provider(), last.raw)) {
			if w.listOnly[k] {
				a.listOnly++
			} else {
				a.detail++
			}
		}
	}
	for _, p := range []api.Provider{octopus.ProviderID, oneclick.ProviderID} {
		g := logs[p]
		g.mu.Lock()
		lp := LoadProvider{Provider: p, Requests: int64(len(g.all)), PeakMin: peak(g.all, window), TooMany: g.inner.tooMany.Load(),
			SandboxRL: -1}
		if p == octopus.ProviderID {
			lp.Limit, lp.Budget = octosb.ProdLimits.GET, cfg.GETPerMinute
		} else {
			lp.Limit, lp.Budget = cfg.OneClickLimit, cfg.OneClickPerMinute
		}
		run.Providers = append(run.Providers, lp)
		for _, v := range api.Verticals() {
			if v.Provider() != p {
				continue
			}
			a := per[v]
			lv := LoadVertical{Vertical: v, Orders: a.orders, NeverSeen: a.never, Changes: len(a.change), ChangesMissed: a.missed,
				Requests: int64(len(g.byV[v])), Lists: g.listV[v], PeakMin: peak(g.byV[v], window), TooMany: g.tooV[v],
				ListOnlyFinal: a.listOnly, DetailFinal: a.detail}
			disc := slices.Clone(a.disc)
			for range a.never {
				disc = append(disc, math.Inf(1))
			}
			lv.DiscP50, lv.DiscP95 = percentile(disc, 0.5), percentile(disc, 0.95)
			lv.DiscMax = percentile(disc, 1)
			lv.ChangeP50, lv.ChangeP95 = percentile(a.change, 0.5), percentile(a.change, 0.95)
			run.Verticals = append(run.Verticals, lv)
		}
		g.mu.Unlock()
	}
	order := api.Verticals()
	sort.SliceStable(run.Verticals, func(i, j int) bool {
		return slices.Index(order, run.Verticals[i].Vertical) < slices.Index(order, run.Verticals[j].Vertical)
	})
}

// Targets of issue 12.
const (
	loadTargetRate    = 3000
	loadDiscoverMax   = 30.0 // s
	loadChangeP95     = 30.0 // s
	loadReqPerOrder   = 0.25
	loadStressRate    = 10000
	loadStarvedBelow  = 0.5 // share of a vertical's orders discovered
	loadStarvedLatest = 120.0
)

func evaluateLoad(rep LoadReport) []Target {
	var ts []Target
	for _, run := range rep.Runs {
		tooMany := int64(0)
		for _, p := range run.Providers {
			tooMany += p.TooMany
		}
		switch run.Rate {
		case loadTargetRate:
			var disc, change, rpo []string
			okD, okC := true, true
			var reqs int64
			orders := 0
			for _, v := range run.Verticals {
				if v.NeverSeen > 0 || !(v.DiscMax <= loadDiscoverMax) {
					okD = false
				}
				if !(v.ChangeP95 <= loadChangeP95) {
					okC = false
				}
				reqs += v.Requests
				orders += v.Orders
				disc = append(disc, fmt.Sprintf("%s %s s", v.Vertical, fmtSecs(v.DiscMax)))
				change = append(change, fmt.Sprintf("%s %s s", v.Vertical, fmtSecs(v.ChangeP95)))
				rpo = append(rpo, fmt.Sprintf("%s %.3f", v.Vertical, v.RequestsPerOrder()))
			}
			ts = append(ts,
				Target{Name: "3,000/min: every vertical discovers every order within 30 s (max)", Met: okD, Detail: strings.Join(disc, ", ")},
				Target{Name: "3,000/min: state changes seen within 30 s at p95", Met: okC, Detail: strings.Join(change, ", ")},
				Target{Name: "3,000/min: zero 429s", Met: tooMany == 0, Detail: fmt.Sprintf("%d received", tooMany)},
				Target{Name: "3,000/min: at most 0.25 requests per order (all verticals)",
					Met: orders > 0 && float64(reqs)/float64(orders) <= loadReqPerOrder,
					Detail: fmt.Sprintf("%d GETs for %d orders: %.3f; per vertical %s", reqs, orders,
						float64(reqs)/float64(max(orders, 1)), strings.Join(rpo, ", "))})
		case loadStressRate:
			var starved, seenAll []string
			for _, v := range run.Verticals {
				seen := 1.0
				if v.Orders > 0 {
					seen = float64(v.Orders-v.NeverSeen) / float64(v.Orders)
				}
				if v.Orders == 0 || seen < loadStarvedBelow || !(v.DiscP50 <= loadStarvedLatest) {
					starved = append(starved, v.Vertical.Title())
				}
				seenAll = append(seenAll, fmt.Sprintf("%s %.0f %% (p50 %s s)", v.Vertical, 100*seen, fmtSecs(v.DiscP50)))
			}
			d := "every vertical discovered at least half its orders, with a discovery p50 under 2 min: " + strings.Join(seenAll, ", ")
			if len(starved) > 0 {
				d = "starved: " + strings.Join(starved, ", ") + "; " + strings.Join(seenAll, ", ")
			}
			ts = append(ts,
				Target{Name: "10,000/min: no vertical starved", Met: len(starved) == 0, Detail: d},
				Target{Name: "10,000/min: zero 429s", Met: tooMany == 0, Detail: fmt.Sprintf("%d received", tooMany)})
		}
	}
	return ts
}

// WriteLoadMarkdown writes the capacity tables and the targets.
func WriteLoadMarkdown(w io.Writer, rep LoadReport) {
	c := rep.Config
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Capacity benchmark\n\n")
	fmt.Fprintf(&b, "Time scale %g: %s of arrivals then %s of drain per rate, simulated; latencies in simulated seconds. "+
		"Production limits on simulated minutes: Octopus 300 GETs/min (engine budget %d), OneClickDz sandbox %d/min (engine budget %d). "+
		"Arrivals spread evenly over the six verticals; discovery on, webhooks off. Seed %d.\n\n",
		c.TimeScale, c.Arrivals, c.Drain, c.GETPerMinute, c.OneClickLimit, c.OneClickPerMinute, c.Seed)
	b.WriteString("| Rate/min | Vertical | Orders | Never seen | Discovery p50 | p95 | max | Change p50 | p95 | Req/order | Lists | Peak GETs/min | 429s | Final from a list only |\n")
	b.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, run := range rep.Runs {
		for _, v := range run.Verticals {
			fmt.Fprintf(&b, "| %d | %s | %d | %d | %s | %s | %s | %s | %s | %.3f | %d | %d | %d | %d of %d |\n",
				run.Rate, v.Vertical, v.Orders, v.NeverSeen, fmtSecs(v.DiscP50), fmtSecs(v.DiscP95), fmtSecs(v.DiscMax),
				fmtSecs(v.ChangeP50), fmtSecs(v.ChangeP95), v.RequestsPerOrder(), v.Lists, v.PeakMin, v.TooMany,
				v.ListOnlyFinal, v.ListOnlyFinal+v.DetailFinal)
		}
	}
	b.WriteString("\n| Rate/min | Provider | GETs | Peak in a rolling minute | Limit | Engine budget | 429s |\n|---:|---|---:|---:|---:|---:|---:|\n")
	for _, run := range rep.Runs {
		for _, p := range run.Providers {
			fmt.Fprintf(&b, "| %d | %s | %d | %d | %d | %d | %d |\n", run.Rate, p.Provider.Title(), p.Requests, p.PeakMin,
				p.Limit, p.Budget, p.TooMany)
		}
	}
	if len(rep.Targets) > 0 {
		b.WriteString("\nTargets (issue 12):\n\n")
		for _, t := range rep.Targets {
			mark := "MET"
			if !t.Met {
				mark = "MISSED"
			}
			fmt.Fprintf(&b, "- %s: **%s** — %s\n", t.Name, mark, t.Detail)
		}
	}
	b.WriteString("\nNotes:\n\n")
	b.WriteString("- A state change is a sandbox status transition after creation; it is seen when the engine publishes " +
		"that status or a later one. Changes in the last 30 simulated s of a run are not judged.\n")
	b.WriteString("- \"Final from a list only\": orders seen in a final state whose detail (voucher codes, activation " +
		"code) was not fetched by the end; the table and detail pane say so.\n")
	for _, run := range rep.Runs {
		fmt.Fprintf(&b, "- %d/min: %s of wall time", run.Rate, run.Wall.Round(100*time.Millisecond))
		if sb := run.Providers[0].SandboxRL; sb >= 0 && sb != run.Providers[0].TooMany {
			fmt.Fprintf(&b, "; the Octopus sandbox sent %d 429s", sb)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "- whole benchmark: %s of wall time\n", rep.Wall.Round(100*time.Millisecond))
	_, _ = io.WriteString(w, b.String())
}

var debugLoad = os.Getenv("ORDERWATCH_LOAD_DEBUG") != ""
