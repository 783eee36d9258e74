package commands

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/sandbox"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/orderwatch/orderwatch/engine"
)

type sandboxFlags struct {
	octo   octosb.Config
	one    oneclicksb.Config
	prefix string // of the flag names, for errors
	// incident is --sandbox-incident: problems the sandbox causes at start.
	incident  string
	incidents []string
}

func (s *sandboxFlags) register(fs *flag.FlagSet, prefix string, traffic float64) {
	s.prefix = prefix
	fs.Int64Var(&s.octo.Seed, prefix+"seed", 1, "`seed` for deterministic ids, codes and timings")
	fs.Float64Var(&s.octo.TimeScale, prefix+"time-scale", 1, "multiply every simulated delay by `x` (0.01 = 100x faster)")
	fs.Float64Var(&s.octo.TrafficPerMinute, prefix+"traffic", traffic, "background `orders` per minute from other sales channels, per provider (0 = none)")
	fs.DurationVar(&s.octo.TrafficFor, prefix+"traffic-for", 0, "stop the background orders after this `duration` (0 = never); orders already placed still finish")
	fs.BoolVar(&s.octo.ProductionLimits, prefix+"production-limits", false, "apply production rate limits instead of the sandbox ones")
	fs.DurationVar(&s.octo.Faults.Latency, prefix+"latency", 0, "add a `duration` (200ms) to every API request")
	fs.Float64Var(&s.octo.Faults.ServerError, prefix+"fail-5xx", 0, "`share` of API requests answered 500 (0..1)")
	fs.Float64Var(&s.octo.Faults.TooMany, prefix+"fail-429", 0, "`share` of API requests answered 429 (0..1)")
	fs.Float64Var(&s.octo.Faults.Malformed, prefix+"malformed", 0, "`share` of API responses with a truncated body (0..1)")
	fs.Float64Var(&s.octo.Faults.Drop, prefix+"drop", 0, "`share` of API requests whose connection is dropped (0..1)")
	fs.StringVar(&s.incident, prefix+"incident", "", "cause problems at start: `names`, comma-separated: "+strings.Join(sandbox.Incidents(), ", "))
}

func (s *sandboxFlags) finish() error {
	for name, v := range map[string]float64{"fail-5xx": s.octo.Faults.ServerError, "fail-429": s.octo.Faults.TooMany,
		"malformed": s.octo.Faults.Malformed, "drop": s.octo.Faults.Drop} {
		if v < 0 || v > 1 {
			return fmt.Errorf("--%s%s %v: want a share between 0 and 1", s.prefix, name, v)
		}
	}
	if s.octo.TimeScale <= 0 {
		return fmt.Errorf("--%stime-scale %v: want a positive number", s.prefix, s.octo.TimeScale)
	}
	if s.octo.TrafficPerMinute < 0 {
		return fmt.Errorf("--%straffic %v: want 0 or more", s.prefix, s.octo.TrafficPerMinute)
	}
	if s.octo.TrafficFor < 0 {
		return fmt.Errorf("--%straffic-for %v: want 0 or more", s.prefix, s.octo.TrafficFor)
	}
	var err error
	if s.incidents, err = sandbox.CheckIncidents(s.incident); err != nil {
		return fmt.Errorf("--%sincident: %w", s.prefix, err)
	}
	s.one.Seed = s.octo.Seed
	s.one.TimeScale = s.octo.TimeScale
	s.one.TrafficPerMinute = s.octo.TrafficPerMinute
	s.one.TrafficFor = s.octo.TrafficFor
	s.one.Faults = oneclicksb.Faults{Latency: s.octo.Faults.Latency, ServerError: s.octo.Faults.ServerError,
		TooMany: s.octo.Faults.TooMany, Malformed: s.octo.Faults.Malformed, Drop: s.octo.Faults.Drop}
	return nil
}

type common struct {
	configPath    string
	debug         string
	journal       string
	webhookListen string
	webhookPublic bool
	keepFinished  int
	absentAfter   time.Duration
	sb            sandboxFlags
	// need, when set, is the one provider whose account must answer at
	// start: place needs no other, so another one being unreachable or
	// busy does not stop it (its configuration is still read and checked).
	need api.Provider
}

const absentAfterUsage = "how long after an unresolved placement a lookup that finds nothing proves it was never placed " +
	"(shorten only against a sandbox that cannot land a create late)"

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.configPath, "config", os.Getenv("ORDERWATCH_CONFIG"), "config `file` (default <config dir>/orderwatch/config.toml)")
	fs.StringVar(&c.debug, "debug", "", "write debug logs to this `file` (never to the terminal)")
	fs.StringVar(&c.journal, "journal", "", "journal `file` (default <config dir>/orderwatch/journal.db)")
	fs.StringVar(&c.webhookListen, "webhook-listen", "", "serve the Octopus webhook receiver on `host:port` (loopback unless --webhook-public)")
	fs.BoolVar(&c.webhookPublic, "webhook-public", false, "allow --webhook-listen on a non-loopback address")
	fs.IntVar(&c.keepFinished, "keep-finished", 500, "keep `n` finished orders visible per vertical (1..100000)")
	fs.DurationVar(&c.absentAfter, "absent-after", engine.DefaultAbsentAfter, absentAfterUsage)
	c.sb.register(fs, "sandbox-", 12)
}

func (c *common) take(args []string) ([]string, error) {
	fs := flag.NewFlagSet("orderwatch place", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.configPath, "config", os.Getenv("ORDERWATCH_CONFIG"), "")
	fs.StringVar(&c.journal, "journal", "", "")
	fs.StringVar(&c.debug, "debug", "", "")
	fs.DurationVar(&c.absentAfter, "absent-after", engine.DefaultAbsentAfter, "")
	c.sb.register(fs, "sandbox-", 0)
	c.keepFinished = 500
	var mine, rest []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--" { // the rest is the command's, untouched
			rest = append(rest, args[i:]...)
			break
		}
		name, _, hasVal := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		f := fs.Lookup(name)
		if f == nil || !strings.HasPrefix(args[i], "-") {
			rest = append(rest, args[i])
			continue
		}
		mine = append(mine, args[i])
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); hasVal || (ok && b.IsBoolFlag()) {
			continue
		}
		if i+1 >= len(args) {
			return nil, fmt.Errorf("flag --%s needs a value", name)
		}
		i++
		mine = append(mine, args[i])
	}
	if err := fs.Parse(mine); err != nil {
		return nil, err
	}
	return rest, nil
}
