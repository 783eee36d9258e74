// Command orderwatch is a terminal dashboard for reseller orders. This file
// only parses flags and wires packages together; the logic lives in api/,
// poller/ and ui/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/api/sandbox"
)

const usage = `orderwatch — watch reseller orders move from PENDING to DELIVERED or FAILED

Usage:
  orderwatch [flags]                    the dashboard (embedded sandbox when no credentials are configured)
  orderwatch sandbox [flags]            serve the embedded sandbox alone, for other programs' tests
  orderwatch watch [flags] [TARGET...]  print each order transition as one JSON line
  orderwatch bench poll [flags]         the polling benchmark against the sandbox

Run "orderwatch COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "sandbox":
			return runSandbox(ctx, args[1:], stdout, stderr)
		case "help", "-h", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	return runDashboard(ctx, args, stdout, stderr)
}

// exit codes shared by the subcommands
const (
	exitOK       = 0
	exitFailure  = 1
	exitBadInput = 2
)

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitBadInput, false
	}
	return 0, true
}

func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch sandbox", stderr)
	var cfg sandbox.Config
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:0", "listen address (loopback only)")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed for deterministic ids, codes and timings")
	fs.Float64Var(&cfg.TimeScale, "time-scale", 1, "multiply every simulated delay (0.01 = 100x faster)")
	fs.DurationVar(&cfg.TokenTTL, "token-ttl", time.Hour, "access-token lifetime")
	fs.BoolVar(&cfg.ProductionLimits, "production-limits", false, "apply production rate limits instead of the sandbox ones")
	fs.StringVar(&cfg.WebhookURL, "webhook-url", "", "POST signed webhooks here (loopback only)")
	fs.Float64Var(&cfg.TrafficPerMinute, "traffic", 6, "background orders per minute from other sales channels (0 = none)")
	fs.DurationVar(&cfg.Faults.Latency, "latency", 0, "added latency per API request")
	fs.Float64Var(&cfg.Faults.ServerError, "fail-5xx", 0, "share of API requests answered 500 (0..1)")
	fs.Float64Var(&cfg.Faults.TooMany, "fail-429", 0, "share of API requests answered 429 (0..1)")
	fs.Float64Var(&cfg.Faults.Malformed, "malformed", 0, "share of API responses with a truncated body (0..1)")
	fs.Float64Var(&cfg.Faults.Drop, "drop", 0, "share of API requests whose connection is dropped (0..1)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "orderwatch sandbox: unexpected argument %q\n", fs.Arg(0))
		return exitBadInput
	}
	if err := sandbox.Run(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "orderwatch sandbox:", err)
		return exitFailure
	}
	return exitOK
}

func runDashboard(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch", stderr)
	cfgPath := fs.String("config", os.Getenv("ORDERWATCH_CONFIG"), "config file (default <config dir>/orderwatch/config.toml)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, err := config.Load(*cfgPath, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch:", err)
		return exitBadInput
	}
	_ = cfg
	return exitOK
}
