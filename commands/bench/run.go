package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/octopus"
	"github.com/orderwatch/orderwatch/api/oneclick"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/orderwatch/orderwatch/engine"
)

// Report is everything one benchmark measured.
type Report struct {
	Config  Config
	Rows    []Row
	Targets []Target
	Wall    time.Duration
}

// Row is one (provider, size, strategy) run.
type Row struct {
	Provider api.Provider
	Size     int
	Strategy Strategy
	// Orders is how many orders were in flight after their create call (the
	// ones measured); CreateErrors were not placed.
	Orders       int
	CreateErrors int
	// Requests counts every GET the strategy sent (detail and list calls,
	// 429s included); Lists is the list share.
	Requests int64
	Lists    int64
	// TooMany is the 429s the strategy received; SandboxTooMany the 429s the
	// sandbox reports sending (-1 when it does not count them).
	TooMany        int64
	SandboxTooMany int64
	Resolved       int
	Unresolved     int
	// P50 and P95 are detection latencies in unscaled seconds (wall time
	// divided by the time scale); +Inf when the rank falls on an unresolved
	// order. WallP50 and WallP95 are the same in wall seconds.
	P50, P95         float64
	WallP50, WallP95 float64
	ByVertical       []Breakdown
	// Webhooks is the number of events the engine's receiver accepted.
	Webhooks int
	Wall     time.Duration
	// HitCap is true when the run ended at Config.MaxRun.
	HitCap bool
	// Anomalies counts sightings with no matching sandbox transition.
	Anomalies int
	// RTTP50 and RTTP95 are the strategy's GET round trips in wall seconds:
	// a constant real cost that compressed time inflates by 1/TimeScale.
	RTTP50, RTTP95 float64
}

// RequestsPerOrder is Requests ÷ Orders.
func (r Row) RequestsPerOrder() float64 {
	if r.Orders == 0 {
		return math.NaN()
	}
	return float64(r.Requests) / float64(r.Orders)
}

// Breakdown is one vertical of a row.
type Breakdown struct {
	Vertical   api.Vertical
	Orders     int
	Requests   int64
	P50, P95   float64 // unscaled seconds
	Unresolved int
}

// Run measures every configured (provider, size, strategy), writes the
// Markdown tables to out and returns the report. Progress lines come first
// unless cfg.Quiet. A cancelled ctx returns what was measured so far.
func Run(ctx context.Context, cfg Config, out io.Writer) (Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Report{}, err
	}
	start := time.Now()
	rep := Report{Config: cfg}
	progress := func(r Row) {
		if cfg.Quiet {
			return
		}
		capped := ""
		if r.HitCap {
			capped = " (hit -max-run)"
		}
		fmt.Fprintf(out, "bench: %-10s %5d  %-16s %d/%d resolved, %.2f req/order, %d×429, p95 %s s, %s%s\n",
			r.Provider, r.Size, r.Strategy, r.Resolved, r.Orders, r.RequestsPerOrder(), r.TooMany,
			fmtSecs(r.P95), r.Wall.Round(100*time.Millisecond), capped)
	}
	// One suite per sandbox: the workloads are built from each sandbox's
	// catalogue and magic inputs.
	suites := []struct {
		p        api.Provider
		sizes    []int
		webhooks bool // the provider sends webhooks
		run      func(context.Context, Config, int, Strategy) (Row, error)
	}{
		{octopus.ProviderID, cfg.Sizes, true, runOctopus},
		{oneclick.ProviderID, cfg.OneClickSizes, false, runOneClick},
	}
	for _, su := range suites {
		for _, n := range su.sizes {
			for _, s := range cfg.Strategies {
				if s == StrategyWebhooks && !su.webhooks {
					continue
				}
				r, err := su.run(ctx, cfg, n, s)
				if err != nil {
					return finish(rep, start, out), fmt.Errorf("bench %s size %d %s: %w", su.p, n, s, err)
				}
				rep.Rows = append(rep.Rows, r)
				progress(r)
			}
		}
	}
	rep = finish(rep, start, out)
	return rep, ctx.Err()
}

func finish(rep Report, start time.Time, out io.Writer) Report {
	rep.Targets = evaluate(rep)
	rep.Wall = time.Since(start)
	if len(rep.Rows) > 0 {
		WriteMarkdown(out, rep)
	}
	return rep
}

// prodLimits is the production column of §6.2, except creates: at 60 per
// minute a 1,000-order workload would take nine minutes to place. Creates
// are set-up, not tracking, and have their own class, so lifting them leaves
// the GET budget under test untouched.
func prodLimits(cfg Config) *octosb.Limits {
	l := octosb.ProdLimits
	l.Create = 0
	return &l
}

func runOctopus(ctx context.Context, cfg Config, n int, strat Strategy) (Row, error) {
	row := Row{Provider: octopus.ProviderID, Size: n, Strategy: strat}
	sb, err := octosb.New(octosb.Config{Seed: cfg.Seed, TimeScale: cfg.TimeScale, ProductionLimits: true,
		Limits: prodLimits(cfg), RateWindow: cfg.rateWindow(), Logf: cfg.Logf})
	if err != nil {
		return row, err
	}
	if err := sb.Start(); err != nil {
		return row, err
	}
	defer sb.Close()
	rec := newRecorder()
	sb.OnTransition(func(t octosb.Transition) {
		if t.Field == "status" {
			rec.add(api.OrderKey{Vertical: api.Vertical(t.Vertical), ID: strconv.FormatInt(t.ID, 10)}, t.To, t.At)
		}
	})
	creds := sb.Credentials()
	cnt := newCounter()
	defer cnt.close()
	client, err := octopus.New(octopus.Config{BaseURL: sb.URL(), APIKey: api.Secret(creds.APIKey),
		APISecret: api.Secret(creds.APISecret), HTTPClient: &http.Client{Transport: cnt}})
	if err != nil {
		return row, err
	}
	// Creates go through their own client so they are not counted.
	plain := newCounter()
	defer plain.close()
	creator, err := octopus.New(octopus.Config{BaseURL: sb.URL(), APIKey: api.Secret(creds.APIKey),
		APISecret: api.Secret(creds.APISecret), HTTPClient: &http.Client{Transport: plain}})
	if err != nil {
		return row, err
	}
	obs := newObservations()
	var tr tracker
	var eng *engineTracker
	switch strat {
	case StrategyEngine, StrategyWebhooks:
		ec := engine.Config{
			Sources:      []api.OrderSource{client},
			GETPerMinute: map[api.Provider]int{octopus.ProviderID: cfg.GETPerMinute},
			TimeScale:    cfg.TimeScale,
			ScaleBudget:  !cfg.RealTimeLimits,
			Discover:     cfg.Discover,
			WalletEvery:  -1, // balances are not order tracking; the baselines do not read them
			KeepFinished: n + 16,
			Logf:         cfg.Logf,
		}
		if strat == StrategyWebhooks {
			ec.Webhooks = []api.WebhookVerifier{octopus.NewWebhooks(api.Secret(creds.WebhookSecret))}
			ec.WebhookListen = "127.0.0.1:0"
		}
		e, err := engine.New(ec)
		if err != nil {
			return row, err
		}
		if strat == StrategyWebhooks {
			sb.SetWebhook(e.Webhooks().URL(), creds.WebhookSecret)
		}
		eng = startEngine(ctx, e, cfg.Origin, octopus.ProviderID, obs)
		tr = eng
	case StrategyFixed:
		tr = startLoops(ctx, client, octopus.ProviderID, obs, fixedLoop(cfg.TimeScale))
	case StrategyBackoff:
		tr = startLoops(ctx, client, octopus.ProviderID, obs, backoffLoop(cfg.TimeScale))
	default:
		return row, fmt.Errorf("unknown strategy %q", strat)
	}
	specs := octopusWorkload(cfg.Seed, n)
	started := time.Now()
	var orders []measured
	for _, s := range specs {
		if ctx.Err() != nil {
			break
		}
		o, err := creator.PlaceOrder(ctx, s.req)
		if err != nil {
			row.CreateErrors++
			if cfg.Logf != nil {
				cfg.Logf("bench: create %s: %v", s.req.Vertical, err)
			}
			continue
		}
		o.Vertical = s.req.Vertical
		if isTerminal(o.Vertical, o.Status) {
			row.CreateErrors++ // not in flight: the mix is built so this does not happen
			continue
		}
		orders = append(orders, measured{key: o.Key(), spec: s})
		obs.expect(o.Key())
		tr.start(o)
	}
	row = wait(ctx, cfg, tr, obs, started, row)
	if eng != nil {
		row.Webhooks = eng.webhooks().Received
	}
	tr.stop()
	row.SandboxTooMany = sb.Stats().TooMany
	row.fill(cfg, octopus.ProviderID, orders, rec, obs, cnt)
	return row, nil
}

func runOneClick(ctx context.Context, cfg Config, n int, strat Strategy) (Row, error) {
	row := Row{Provider: oneclick.ProviderID, Size: n, Strategy: strat, SandboxTooMany: -1}
	// The sandbox counts sends and GETs in one window per key: the run's
	// creates are added so that tracking meets the configured limit.
	sb, err := oneclicksb.New(oneclicksb.Config{Seed: cfg.Seed, TimeScale: cfg.TimeScale,
		RatePerMinute: cfg.OneClickLimit + n, RateWindow: cfg.rateWindow(), Logf: cfg.Logf})
	if err != nil {
		return row, err
	}
	if err := sb.Start(); err != nil {
		return row, err
	}
	defer sb.Close()
	rec := newRecorder()
	sb.OnTransition(func(t oneclicksb.Transition) {
		v, err := api.ParseVertical(t.Vertical)
		if err == nil {
			rec.add(api.OrderKey{Vertical: v, ID: t.ID}, t.To, t.At)
		}
	})
	cnt := newCounter()
	defer cnt.close()
	client, err := oneclick.New(oneclick.Config{BaseURL: sb.URL(), APIKey: api.Secret(sb.APIKey()),
		HTTPClient: &http.Client{Transport: cnt}})
	if err != nil {
		return row, err
	}
	plain := newCounter()
	defer plain.close()
	creator, err := oneclick.New(oneclick.Config{BaseURL: sb.URL(), APIKey: api.Secret(sb.APIKey()),
		HTTPClient: &http.Client{Transport: plain}})
	if err != nil {
		return row, err
	}
	obs := newObservations()
	var tr tracker
	switch strat {
	case StrategyEngine:
		e, err := engine.New(engine.Config{
			Sources:      []api.OrderSource{client},
			Verticals:    []api.Vertical{oneclick.VerticalMobile},
			GETPerMinute: map[api.Provider]int{oneclick.ProviderID: cfg.OneClickPerMinute},
			TimeScale:    cfg.TimeScale,
			ScaleBudget:  !cfg.RealTimeLimits,
			Discover:     cfg.Discover,
			WalletEvery:  -1,
			KeepFinished: n + 16,
			Logf:         cfg.Logf,
		})
		if err != nil {
			return row, err
		}
		tr = startEngine(ctx, e, cfg.Origin, oneclick.ProviderID, obs)
	case StrategyFixed:
		tr = startLoops(ctx, client, oneclick.ProviderID, obs, fixedLoop(cfg.TimeScale))
	case StrategyBackoff:
		tr = startLoops(ctx, client, oneclick.ProviderID, obs, backoffLoop(cfg.TimeScale))
	default:
		return row, fmt.Errorf("strategy %q does not apply to OneClickDz", strat)
	}
	started := time.Now()
	var orders []measured
	for _, s := range oneclickWorkload(cfg.Seed, n) {
		if ctx.Err() != nil {
			break
		}
		res, err := creator.MobileSend(ctx, oneclick.MobileSendRequest{PlanCode: s.plan, MSISDN: s.msisdn,
			Amount: s.amount, Ref: s.req.ClientReference})
		if err != nil {
			row.CreateErrors++
			if cfg.Logf != nil {
				cfg.Logf("bench: send: %v", err)
			}
			continue
		}
		o := api.Order{Provider: oneclick.ProviderID, Vertical: oneclick.VerticalMobile, ID: res.TopupID,
			ClientReference: res.TopupRef, Status: api.StatusPending, RawStatus: "PENDING",
			VariantName: s.plan, Recipient: s.msisdn, Amount: float64(s.amount), Currency: "DZD", CreatedAt: time.Now()}
		orders = append(orders, measured{key: o.Key(), spec: s})
		obs.expect(o.Key())
		tr.start(o)
	}
	row = wait(ctx, cfg, tr, obs, started, row)
	tr.stop()
	row.fill(cfg, oneclick.ProviderID, orders, rec, obs, cnt)
	return row, nil
}

// measured is one order of a run.
type measured struct {
	key  api.OrderKey
	spec spec
}

// wait blocks until every order was seen terminal, the strategy gave up,
// MaxRun passed or ctx ended.
func wait(ctx context.Context, cfg Config, tr tracker, obs *observations, started time.Time, row Row) Row {
	obs.seal()
	tr.sealed()
	t := time.NewTimer(max(cfg.MaxRun-time.Since(started), 0))
	defer t.Stop()
	select {
	case <-obs.all:
	case <-tr.done():
	case <-t.C:
		row.HitCap = true
	case <-ctx.Done():
	}
	row.Wall = time.Since(started)
	return row
}

// fill computes the row's figures once the strategy has stopped.
func (r *Row) fill(cfg Config, p api.Provider, orders []measured, rec *recorder, obs *observations, cnt *counter) {
	r.Orders = len(orders)
	r.Requests, r.Lists, r.TooMany = cnt.gets.Load(), cnt.lists.Load(), cnt.tooMany.Load()
	r.RTTP50, r.RTTP95 = cnt.rtt()
	type acc struct {
		lat, wall  []float64
		unresolved int
	}
	all := &acc{}
	per := map[api.Vertical]*acc{}
	var verts []api.Vertical
	for _, m := range orders {
		v := m.key.Vertical
		a := per[v]
		if a == nil {
			a = &acc{}
			per[v] = a
			verts = append(verts, v)
		}
		lat, wall := math.Inf(1), math.Inf(1)
		if ob, ok := obs.get(m.key); ok {
			at, found := rec.reached(m.key, ob.raw)
			if !found {
				if f, ok := rec.final(m.key, p); ok {
					at, found = f.at, true
				}
			}
			if !found {
				r.Anomalies++
				at = ob.at
			}
			d := max(ob.at.Sub(at), 0)
			wall = d.Seconds()
			lat = wall / cfg.TimeScale
			r.Resolved++
		} else {
			r.Unresolved++
			a.unresolved++
		}
		for _, x := range []*acc{all, a} {
			x.lat = append(x.lat, lat)
			x.wall = append(x.wall, wall)
		}
	}
	r.P50, r.P95 = percentile(all.lat, 0.5), percentile(all.lat, 0.95)
	r.WallP50, r.WallP95 = percentile(all.wall, 0.5), percentile(all.wall, 0.95)
	slices.SortFunc(verts, func(a, b api.Vertical) int {
		return slices.Index(api.Verticals(), a) - slices.Index(api.Verticals(), b)
	})
	for _, v := range verts {
		a := per[v]
		r.ByVertical = append(r.ByVertical, Breakdown{Vertical: v, Orders: len(a.lat), Requests: cnt.vertical(v),
			P50: percentile(a.lat, 0.5), P95: percentile(a.lat, 0.95), Unresolved: a.unresolved})
	}
}

// Target is one of issue 3's targets, checked against the report.
type Target struct {
	Name   string
	Met    bool
	Detail string
}

func (rep Report) find(p api.Provider, n int, s Strategy) (Row, bool) {
	for _, r := range rep.Rows {
		if r.Provider == p && r.Size == n && r.Strategy == s {
			return r, true
		}
	}
	return Row{}, false
}

// voucherP95 is the voucher breakdown's p95 of a row.
func (r Row) voucherP95() (float64, bool) {
	for _, b := range r.ByVertical {
		if b.Vertical == octopus.VerticalVoucher {
			return b.P95, true
		}
	}
	return 0, false
}

// evaluate checks the targets on whatever rows exist.
func evaluate(rep Report) []Target {
	var ts []Target
	// Zero 429s for the engine at every size.
	var bad []string
	engineRows := 0
	for _, r := range rep.Rows {
		if r.Strategy == StrategyEngine || r.Strategy == StrategyWebhooks {
			engineRows++
			if r.TooMany > 0 {
				bad = append(bad, fmt.Sprintf("%s %d %s: %d", r.Provider, r.Size, r.Strategy, r.TooMany))
			}
		}
	}
	if engineRows > 0 {
		t := Target{Name: "engine: zero 429s at every size", Met: len(bad) == 0, Detail: "none received"}
		if len(bad) > 0 {
			t.Detail = fmt.Sprint(bad)
		}
		ts = append(ts, t)
	}
	// At 100 orders: ≥5× fewer requests than fixed-5 s, p95 no worse than backoff.
	eng, ok1 := rep.find(octopus.ProviderID, 100, StrategyEngine)
	fixed, ok2 := rep.find(octopus.ProviderID, 100, StrategyFixed)
	if ok1 && ok2 {
		ratio := fixed.RequestsPerOrder() / eng.RequestsPerOrder()
		ts = append(ts, Target{Name: "100 orders: ≥5× fewer requests than the fixed-5 s loop", Met: ratio >= 5,
			Detail: fmt.Sprintf("%.2f vs %.2f requests/order: %.1f× fewer", eng.RequestsPerOrder(), fixed.RequestsPerOrder(), ratio)})
	}
	back, ok3 := rep.find(octopus.ProviderID, 100, StrategyBackoff)
	if ok1 && ok3 {
		ts = append(ts, Target{Name: "100 orders: p95 no worse than the backoff loop", Met: eng.P95 <= back.P95,
			Detail: fmt.Sprintf("engine %s s vs backoff %s s (unscaled)", fmtSecs(eng.P95), fmtSecs(back.P95))})
	}
	// With webhooks, voucher p95 under 1 s, at every size.
	var hooks []string
	met, seen := true, false
	for _, r := range rep.Rows {
		if r.Strategy != StrategyWebhooks {
			continue
		}
		if p, ok := r.voucherP95(); ok {
			seen = true
			met = met && p < 1
			hooks = append(hooks, fmt.Sprintf("%d orders: %s s", r.Size, fmtSecs(p)))
		}
	}
	if seen {
		ts = append(ts, Target{Name: "webhooks: voucher p95 under 1 s", Met: met, Detail: fmt.Sprint(hooks)})
	}
	return ts
}
