// Package bench is the polling benchmark of issue 3 (`orderwatch bench poll`):
// in one process it runs the tracking engine and the two loops of the seed
// documents side by side against fresh embedded sandboxes with compressed
// time and production rate limits, and reports requests per order, 429s and
// detection latency.
package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/engine"
)

// Strategy is one way of tracking orders to a terminal state.
type Strategy string

const (
	// StrategyEngine is orderwatch's engine (engine.Engine), polling only.
	StrategyEngine Strategy = "engine"
	// StrategyWebhooks is the engine with its webhook receiver wired to the
	// sandbox (voucher events; other verticals are still polled).
	StrategyWebhooks Strategy = "engine+webhooks"
	// StrategyFixed is the OneClickDz seed's loop: every 5 s, up to 60 attempts.
	StrategyFixed Strategy = "fixed-5s"
	// StrategyBackoff is the Octopus seed's loop: 5, 10, 20, 30, 30… s, 10-minute cap.
	StrategyBackoff Strategy = "backoff"
)

// AllStrategies lists the strategies in table order.
var AllStrategies = []Strategy{StrategyEngine, StrategyWebhooks, StrategyFixed, StrategyBackoff}

// ParseStrategy accepts a strategy's name or a short alias.
func ParseStrategy(s string) (Strategy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "engine", "poll":
		return StrategyEngine, nil
	case "engine+webhooks", "webhooks", "webhook", "hooks":
		return StrategyWebhooks, nil
	case "fixed-5s", "fixed", "fixed5s", "a":
		return StrategyFixed, nil
	case "backoff", "b":
		return StrategyBackoff, nil
	}
	return "", fmt.Errorf("unknown strategy %q (want engine, webhooks, fixed, backoff)", s)
}

// Config says what to measure. Zero values take the defaults of DefaultConfig.
type Config struct {
	// Sizes are the Octopus Cards workloads (orders in flight per run).
	Sizes []int
	// OneClickSizes are the OneClickDz mobile top-up workloads; empty with
	// SkipOneClick set runs none.
	OneClickSizes []int
	SkipOneClick  bool
	// TimeScale compresses every simulated delay and every cadence (0.05 =
	// 20x faster), and, unless RealTimeLimits, every rate-limit window.
	TimeScale float64
	// Seed makes every sandbox of a run produce the same workload.
	Seed int64
	// Strategies to run (default all; webhooks are skipped for OneClickDz,
	// which has none).
	Strategies []Strategy
	// Origin is how the engine tracks the orders (default OriginDiscovered:
	// the benchmark places them outside the engine).
	Origin engine.Origin
	// Discover turns the engine's list-based discovery on (off by default:
	// every order is handed to the engine, as to the baselines).
	Discover bool
	// GETPerMinute is the engine's Octopus GET budget (default 300, the
	// production limit).
	GETPerMinute int
	// OneClickPerMinute is the engine's OneClickDz budget (default 100, below
	// the sandbox's 120).
	OneClickPerMinute int
	// OneClickLimit is the OneClickDz sandbox's per-minute limit for
	// tracking (default 120). The benchmark adds the creates of the run to
	// it, because that sandbox counts sends and GETs in one window.
	OneClickLimit int
	// RealTimeLimits keeps every rate-limit window one real minute while
	// time is compressed (the engine's budget and the sandboxes' limits).
	// Off by default: production limits in simulated time mean the windows
	// compress with the clock (300 GETs per simulated minute), so the whole
	// world is compressed consistently. On, the budget is TimeScale times
	// scarcer than in production relative to the orders' pace.
	RealTimeLimits bool
	// MaxRun bounds one (provider, size, strategy) run in wall time; orders
	// not terminal by then count as unresolved.
	MaxRun time.Duration
	// Quiet suppresses the progress lines written before the table.
	Quiet bool
	// Logf receives debug lines (sandbox and engine logs); nil = none.
	Logf func(string, ...any)
}

// DefaultConfig is the full benchmark of issue 3.
func DefaultConfig() Config {
	return Config{
		Sizes:             []int{10, 100, 1000},
		OneClickSizes:     []int{10, 100},
		TimeScale:         0.05,
		Seed:              1,
		Strategies:        slices.Clone(AllStrategies),
		Origin:            engine.OriginDiscovered,
		GETPerMinute:      engine.DefaultGETPerMinute,
		OneClickPerMinute: 100,
		OneClickLimit:     120,
		MaxRun:            5 * time.Minute,
	}
}

// ShortConfig is a tiny run for tests: 10 orders per provider, high
// compression, a few seconds per strategy.
func ShortConfig() Config {
	c := DefaultConfig()
	c.Sizes = []int{10}
	c.OneClickSizes = []int{10}
	c.TimeScale = 0.01
	c.MaxRun = 30 * time.Second
	return c
}

// withDefaults fills zero values and validates.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if c.Sizes == nil {
		c.Sizes = d.Sizes
	}
	if c.OneClickSizes == nil && !c.SkipOneClick {
		c.OneClickSizes = d.OneClickSizes
	}
	if c.SkipOneClick {
		c.OneClickSizes = nil
	}
	if c.TimeScale == 0 {
		c.TimeScale = d.TimeScale
	}
	if c.Seed == 0 {
		c.Seed = d.Seed
	}
	if len(c.Strategies) == 0 {
		c.Strategies = d.Strategies
	}
	if c.Origin == "" {
		c.Origin = d.Origin
	}
	if c.GETPerMinute == 0 {
		c.GETPerMinute = d.GETPerMinute
	}
	if c.OneClickPerMinute == 0 {
		c.OneClickPerMinute = d.OneClickPerMinute
	}
	if c.OneClickLimit == 0 {
		c.OneClickLimit = d.OneClickLimit
	}
	if c.MaxRun == 0 {
		c.MaxRun = d.MaxRun
	}
	if c.TimeScale < 0 || c.TimeScale > 1 {
		return c, fmt.Errorf("bench: time scale %v: want a value in (0, 1]", c.TimeScale)
	}
	for _, n := range append(slices.Clone(c.Sizes), c.OneClickSizes...) {
		if n < 1 || n > 5000 {
			return c, fmt.Errorf("bench: size %d: want 1..5000 orders", n)
		}
	}
	if len(c.Sizes) == 0 && len(c.OneClickSizes) == 0 {
		return c, errors.New("bench: no sizes to run")
	}
	for _, s := range c.Strategies {
		if !slices.Contains(AllStrategies, s) {
			return c, fmt.Errorf("bench: unknown strategy %q", s)
		}
	}
	switch c.Origin {
	case engine.OriginDiscovered, engine.OriginPlaced:
	default:
		return c, fmt.Errorf("bench: origin %q: want discovered or placed", c.Origin)
	}
	if c.GETPerMinute < 0 || c.OneClickPerMinute < 0 || c.OneClickLimit < 0 || c.GETPerMinute > 1e6 ||
		c.OneClickPerMinute > 1e6 || c.OneClickLimit > 1e6 {
		return c, errors.New("bench: budgets and limits must be in 1..1000000")
	}
	if c.MaxRun < 0 {
		return c, errors.New("bench: max run must be positive")
	}
	return c, nil
}

// ParseFlags reads `orderwatch bench poll` flags into a Config. -h returns
// flag.ErrHelp after writing the usage to usage (nil: discarded).
func ParseFlags(args []string, usage io.Writer) (Config, error) {
	if usage == nil {
		usage = io.Discard
	}
	c := DefaultConfig()
	fs := flag.NewFlagSet("bench poll", flag.ContinueOnError)
	fs.SetOutput(usage)
	sizes := fs.String("sizes", joinInts(c.Sizes), "Octopus Cards workloads: orders in flight per run, comma-separated")
	ocSizes := fs.String("oneclick-sizes", joinInts(c.OneClickSizes), "OneClickDz mobile top-up workloads; \"none\" skips them")
	strategies := fs.String("strategies", "engine,webhooks,fixed,backoff", "strategies to run: engine, webhooks, fixed, backoff")
	origin := fs.String("origin", string(c.Origin), "how the engine tracks the orders: discovered or placed")
	fs.Float64Var(&c.TimeScale, "time-scale", c.TimeScale, "multiplies every simulated delay, cadence and rate-limit window")
	fs.Int64Var(&c.Seed, "seed", c.Seed, "workload seed (the same in every sandbox of a run)")
	fs.BoolVar(&c.Discover, "discover", c.Discover, "turn the engine's list-based discovery on")
	fs.IntVar(&c.GETPerMinute, "budget", c.GETPerMinute, "the engine's Octopus GET budget per minute")
	fs.IntVar(&c.OneClickPerMinute, "oneclick-budget", c.OneClickPerMinute, "the engine's OneClickDz budget per minute")
	fs.IntVar(&c.OneClickLimit, "oneclick-limit", c.OneClickLimit, "the OneClickDz sandbox's limit per minute")
	fs.DurationVar(&c.MaxRun, "max-run", c.MaxRun, "wall-time cap of one run; orders not terminal by then are unresolved")
	fs.BoolVar(&c.RealTimeLimits, "real-time-limits", false, "keep rate-limit windows one real minute while time is compressed")
	_ = fs.Bool("scale-limits", true, "obsolete: compressed rate-limit windows are the default")
	fs.BoolVar(&c.Quiet, "quiet", false, "print only the tables")
	short := fs.Bool("short", false, "a tiny run (10 orders, time scale 0.01)")
	// The caller says what went wrong in one line; -h prints the flags.
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(usage)
			fs.Usage()
		}
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *short {
		s := ShortConfig()
		if !set["sizes"] {
			*sizes = joinInts(s.Sizes)
		}
		if !set["oneclick-sizes"] {
			*ocSizes = joinInts(s.OneClickSizes)
		}
		if !set["time-scale"] {
			c.TimeScale = s.TimeScale
		}
		if !set["max-run"] {
			c.MaxRun = s.MaxRun
		}
	}
	var err error
	if c.Sizes, err = parseInts(*sizes); err != nil {
		return Config{}, fmt.Errorf("-sizes: %w", err)
	}
	if strings.EqualFold(strings.TrimSpace(*ocSizes), "none") {
		c.OneClickSizes, c.SkipOneClick = nil, true
	} else if c.OneClickSizes, err = parseInts(*ocSizes); err != nil {
		return Config{}, fmt.Errorf("-oneclick-sizes: %w", err)
	}
	c.Strategies = nil
	for _, s := range strings.Split(*strategies, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		st, err := ParseStrategy(s)
		if err != nil {
			return Config{}, fmt.Errorf("-strategies: %w", err)
		}
		if !slices.Contains(c.Strategies, st) {
			c.Strategies = append(c.Strategies, st)
		}
	}
	if len(c.Strategies) == 0 {
		return Config{}, errors.New("-strategies: none given")
	}
	switch strings.ToLower(strings.TrimSpace(*origin)) {
	case "discovered":
		c.Origin = engine.OriginDiscovered
	case "placed":
		c.Origin = engine.OriginPlaced
	default:
		return Config{}, fmt.Errorf("-origin %q: want discovered or placed", *origin)
	}
	if c.TimeScale <= 0 {
		return Config{}, fmt.Errorf("-time-scale %v: want a value in (0, 1]", c.TimeScale)
	}
	if c.GETPerMinute <= 0 || c.OneClickPerMinute <= 0 || c.OneClickLimit <= 0 {
		return Config{}, errors.New("-budget, -oneclick-budget and -oneclick-limit must be positive")
	}
	if c.MaxRun <= 0 {
		return Config{}, errors.New("-max-run must be positive")
	}
	if _, err := c.withDefaults(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(f, "_", ""))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive whole number", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("no sizes given")
	}
	return out, nil
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// rateWindow is the real length of a rate-limit "minute" in this run.
func (c Config) rateWindow() time.Duration {
	if c.RealTimeLimits || c.TimeScale <= 0 || c.TimeScale >= 1 {
		return time.Minute
	}
	return time.Duration(float64(time.Minute) * c.TimeScale)
}
