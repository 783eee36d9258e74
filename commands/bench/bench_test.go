package bench

import (
	"bytes"
	"context"
	"flag"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestShortRun runs the tiny configuration end to end and checks the
// report's structure and sanity, never wall-clock figures.
func TestShortRun(t *testing.T) {
	cfg := ShortConfig()
	cfg.Quiet = true
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	rep, err := Run(ctx, cfg, &out)
	require.NoError(t, err)

	// Four Octopus strategies, three OneClickDz ones (no webhooks there).
	require.Len(t, rep.Rows, 7)
	byKey := map[string]Row{}
	for _, r := range rep.Rows {
		byKey[string(r.Provider)+"/"+string(r.Strategy)] = r
		name := string(r.Provider) + " " + string(r.Strategy)
		assert.Equal(t, 10, r.Size, name)
		assert.Equal(t, 10, r.Orders, name)
		assert.Zero(t, r.CreateErrors, name)
		assert.Equal(t, 10, r.Resolved, name)
		assert.Zero(t, r.Unresolved, name, "every order resolved")
		assert.False(t, r.HitCap, name)
		assert.Zero(t, r.Anomalies, name, "every sighting matches a sandbox transition")
		assert.False(t, math.IsInf(r.P95, 0) || math.IsNaN(r.P95), name)
		assert.LessOrEqual(t, r.P50, r.P95, name)
		assert.GreaterOrEqual(t, r.P50, 0.0, name)
		assert.Positive(t, r.Requests, name)
		assert.GreaterOrEqual(t, r.RequestsPerOrder(), 1.0, name, "a terminal state needs at least one GET")
		sum := 0
		for _, b := range r.ByVertical {
			sum += b.Orders
			assert.Zero(t, b.Unresolved, name)
		}
		assert.Equal(t, r.Orders, sum, name, "the breakdown covers every order")
	}
	for _, p := range []api.Provider{api.ProviderOctopus, api.ProviderOneClick} {
		eng := byKey[string(p)+"/"+string(StrategyEngine)]
		assert.Zero(t, eng.TooMany, "%s engine 429s", p)
		for _, s := range []Strategy{StrategyFixed, StrategyBackoff} {
			base := byKey[string(p)+"/"+string(s)]
			assert.Greater(t, base.Requests, eng.Requests, "%s %s sends more than the engine", p, s)
		}
	}
	hooks := byKey[string(api.ProviderOctopus)+"/"+string(StrategyWebhooks)]
	assert.Zero(t, hooks.TooMany)
	assert.Positive(t, hooks.Webhooks, "the sandbox's voucher events reached the receiver")
	assert.Zero(t, byKey[string(api.ProviderOctopus)+"/"+string(StrategyEngine)].Webhooks)
	// The sandbox's own count agrees with what the clients saw.
	for _, r := range rep.Rows {
		if r.Provider == api.ProviderOctopus {
			assert.Equal(t, r.SandboxTooMany, r.TooMany, "%s", r.Strategy)
		}
	}

	require.NotEmpty(t, rep.Targets)
	assert.Equal(t, "engine: zero 429s at every size", rep.Targets[0].Name)
	assert.True(t, rep.Targets[0].Met)

	s := out.String()
	assert.Contains(t, s, "| Provider | Size | Strategy | Orders | Req/order | 429s | p50 (s) | p95 (s) | Unresolved |")
	for _, st := range AllStrategies {
		assert.Contains(t, s, "| "+string(st)+" |")
	}
	assert.Contains(t, s, "Per vertical:")
	assert.Contains(t, s, "Targets (issue 3):")
	assert.NotContains(t, s, "bench: ", "Quiet drops the progress lines")
}

func TestRunRejectsBadConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"negative scale": {TimeScale: -1},
		"scale above 1":  {TimeScale: 2},
		"zero size":      {Sizes: []int{0}},
		"huge size":      {Sizes: []int{100000}},
		"bad strategy":   {Strategies: []Strategy{"nope"}},
		"bad origin":     {Origin: engine.OriginPinned},
	} {
		var out bytes.Buffer
		_, err := Run(context.Background(), cfg, &out)
		assert.Error(t, err, name)
		assert.Empty(t, out.String(), name)
	}
}

func TestParseFlags(t *testing.T) {
	c, err := ParseFlags(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{10, 100, 1000}, c.Sizes)
	assert.Equal(t, []int{10, 100}, c.OneClickSizes)
	assert.Equal(t, AllStrategies, c.Strategies)
	assert.Equal(t, 0.05, c.TimeScale)
	assert.Equal(t, engine.OriginDiscovered, c.Origin)

	c, err = ParseFlags([]string{"-sizes", "10, 1_000", "-oneclick-sizes", "none", "-strategies", "fixed,engine,fixed",
		"-time-scale", "0.05", "-seed", "7", "-origin", "placed", "-discover", "-budget", "250", "-max-run", "90s", "-quiet"}, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{10, 1000}, c.Sizes)
	assert.Empty(t, c.OneClickSizes)
	assert.True(t, c.SkipOneClick)
	assert.Equal(t, []Strategy{StrategyFixed, StrategyEngine}, c.Strategies)
	assert.Equal(t, 0.05, c.TimeScale)
	assert.Equal(t, int64(7), c.Seed)
	assert.Equal(t, engine.OriginPlaced, c.Origin)
	assert.True(t, c.Discover)
	assert.Equal(t, 250, c.GETPerMinute)
	assert.Equal(t, 90*time.Second, c.MaxRun)
	assert.True(t, c.Quiet)

	c, err = ParseFlags([]string{"-short", "-sizes", "20"}, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{20}, c.Sizes, "an explicit flag wins over -short")
	assert.Equal(t, ShortConfig().TimeScale, c.TimeScale)

	var usage bytes.Buffer
	_, err = ParseFlags([]string{"-h"}, &usage)
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, usage.String(), "-time-scale")

	for _, bad := range [][]string{
		{"-sizes", "ten"}, {"-sizes", "0"}, {"-sizes", ""}, {"-sizes", "9000"},
		{"-strategies", "magic"}, {"-strategies", ","}, {"-origin", "pinned"},
		{"-time-scale", "0"}, {"-time-scale", "-1"}, {"-time-scale", "3"}, {"-budget", "0"},
		{"-max-run", "-1s"}, {"-nope"}, {"extra"}, {"-oneclick-sizes", "x"},
	} {
		_, err := ParseFlags(bad, nil)
		assert.Error(t, err, "%v", bad)
	}
}

func TestPercentileCountsUnresolvedAsSlowest(t *testing.T) {
	inf := math.Inf(1)
	xs := []float64{3, 1, 2, inf}
	assert.Equal(t, 2.0, percentile(xs, 0.5))
	assert.True(t, math.IsInf(percentile(xs, 0.95), 1))
	assert.Equal(t, 1.0, percentile([]float64{1}, 0.95))
	assert.True(t, math.IsNaN(percentile(nil, 0.5)))
	assert.Equal(t, []float64{3, 1, 2, inf}, xs, "the input is not reordered")
}

func TestBaselineSchedules(t *testing.T) {
	t0 := time.Unix(0, 0)
	fixed := fixedLoop(1)
	d, more := fixed(1, t0, t0)
	assert.Equal(t, 5*time.Second, d)
	assert.True(t, more)
	_, more = fixed(60, t0, t0)
	assert.False(t, more, "60 attempts at most")

	back := backoffLoop(1)
	now := t0
	var got []time.Duration
	for attempt := 1; ; attempt++ {
		d, more := back(attempt, t0, now)
		if !more {
			break
		}
		got = append(got, d)
		now = now.Add(d)
	}
	require.GreaterOrEqual(t, len(got), 5)
	assert.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second, 30 * time.Second}, got[:5])
	assert.Less(t, now.Sub(t0), 10*time.Minute, "no GET after the 10-minute deadline")
	assert.Greater(t, now.Sub(t0), 9*time.Minute)

	d, _ = backoffLoop(0.01)(1, t0, t0)
	assert.Equal(t, 50*time.Millisecond, d, "intervals are scaled")
}

func TestClassify(t *testing.T) {
	for path, want := range map[string]struct {
		v    api.Vertical
		list bool
	}{
		"/api/v1/orders":           {api.VerticalVoucher, true},
		"/api/v1/orders/100001":    {api.VerticalVoucher, false},
		"/api/v1/topups/orders":    {api.VerticalTopup, true},
		"/api/v1/topups/orders/9":  {api.VerticalTopup, false},
		"/api/v1/esim/orders/9302": {api.VerticalESIM, false},
		"/v3/mobile/list":          {api.VerticalMobile, true},
		"/v3/mobile/check-id/abc":  {api.VerticalMobile, false},
		"/api/v1/wallets":          {"", false},
	} {
		v, list := classify(path)
		assert.Equal(t, want.v, v, path)
		assert.Equal(t, want.list, list, path)
	}
}

func TestWorkloads(t *testing.T) {
	a, b := octopusWorkload(3, 1000), octopusWorkload(3, 1000)
	assert.Equal(t, a, b, "the same seed gives the same workload")
	count := map[string]int{}
	refs := map[string]bool{}
	for _, s := range a {
		count[string(s.req.Vertical)]++
		count[s.kind]++
		assert.False(t, refs[s.req.ClientReference], "unique client references")
		refs[s.req.ClientReference] = true
		if s.req.Vertical == api.VerticalVoucher && s.kind != kindFail {
			assert.GreaterOrEqual(t, s.req.Quantity, 6, "vouchers are async")
			assert.LessOrEqual(t, s.req.Quantity, 41)
		}
	}
	assert.Equal(t, 20, count[string(api.VerticalESIM)], "slow eSIMs are rare")
	assert.Equal(t, 40, count[kindSlow])
	assert.Greater(t, count[string(api.VerticalVoucher)], 400)
	assert.Greater(t, count[string(api.VerticalTopup)], 300)
	for _, s := range octopusWorkload(3, 10) {
		assert.NotEqual(t, kindSlow, s.kind, "no minutes-long tail in the 10-order workload")
	}
	oc := oneclickWorkload(3, 100)
	fails := 0
	for _, s := range oc {
		if s.kind == kindFail {
			fails++
		}
		assert.NotEmpty(t, s.plan)
		assert.Len(t, s.msisdn, 10)
	}
	assert.Equal(t, 5, fails)
}

// TestLoadShort runs the capacity benchmark's short mode (3,000 a minute,
// compressed) and checks what does not depend on the machine's speed: every
// order counted, every vertical discovering, no 429, the budget never
// exceeded in a rolling minute, and the report's shape.
func TestLoadShort(t *testing.T) {
	cfg := ShortLoadConfig()
	cfg.Arrivals, cfg.Drain = 40*time.Second, 35*time.Second
	cfg.Quiet = true
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	rep, err := RunLoad(ctx, cfg, &out)
	require.NoError(t, err)
	require.Len(t, rep.Runs, 1)
	run := rep.Runs[0]
	require.Len(t, run.Verticals, 6)
	for _, v := range run.Verticals {
		// 3,000 a minute over six verticals for 40 s: about 333 each.
		assert.InDelta(t, 333, v.Orders, 20, "%s orders", v.Vertical)
		assert.Less(t, v.NeverSeen, v.Orders/10, "%s: discovery starved", v.Vertical)
		assert.Positive(t, v.Changes, "%s: state changes measured", v.Vertical)
		assert.Zero(t, v.TooMany, v.Vertical)
		assert.Positive(t, v.Lists, "%s: lists ran", v.Vertical)
	}
	for _, p := range run.Providers {
		assert.Zero(t, p.TooMany, p.Provider)
		assert.LessOrEqual(t, p.PeakMin, p.Budget, "%s: the budget holds in every rolling minute", p.Provider)
	}
	assert.Zero(t, run.Providers[0].SandboxRL, "the Octopus sandbox sent no 429")
	s := out.String()
	assert.Contains(t, s, "## Capacity benchmark")
	assert.Contains(t, s, "| Rate/min | Vertical | Orders | Never seen |")
	assert.Contains(t, s, "Targets (issue 12):")
	assert.Contains(t, s, "3,000/min: zero 429s: **MET**")
}

func TestParseLoadFlags(t *testing.T) {
	c, err := ParseLoadFlags(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{100, 1000, 3000, 10000}, c.Rates)
	c, err = ParseLoadFlags([]string{"-short", "-rates", "600"}, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{600}, c.Rates)
	assert.Equal(t, 0.1, c.TimeScale)
	_, err = ParseLoadFlags([]string{"-rates", "3"}, nil)
	assert.Error(t, err)
	_, err = ParseLoadFlags([]string{"-time-scale", "0"}, nil)
	assert.Error(t, err)
}
