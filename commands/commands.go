// Package commands is the command layer: one file per command, each parsing
// its flags and wiring the engine, the providers and the UI.
package commands

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
)

const usage = `orderwatch — watch reseller orders move from PENDING to DELIVERED or FAILED

Usage:
  orderwatch [flags]                    the dashboard (embedded sandbox when no credentials are configured)
  orderwatch sandbox [flags]            serve the embedded sandboxes alone, for other programs' tests
  orderwatch watch [flags] [TARGET...]  print each order transition as one JSON line
  orderwatch place VERTICAL [flags]     place one order and print it as JSON
  orderwatch bench poll [flags]         the polling benchmark against the embedded sandboxes
  orderwatch bench load [flags]         the capacity benchmark: arrivals per minute at production limits
  orderwatch journal check|export|recover   check, export or salvage the journal

Run "orderwatch COMMAND -h" for a command's flags.
`

func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// ORDERWATCH_CPUPROFILE=FILE writes a CPU profile of the whole run (go
	// tool pprof FILE): how the figures of the README's benchmarks were
	// traced to their causes.
	if path := os.Getenv("ORDERWATCH_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
			}
		}
	}
	if len(args) > 0 {
		switch args[0] {
		case "sandbox":
			return runSandbox(ctx, args[1:], stdout, stderr)
		case "watch":
			return runWatch(ctx, args[1:], stdout, stderr)
		case "place":
			return runPlace(ctx, args[1:], stdout, stderr)
		case "bench":
			return runBench(ctx, args[1:], stdout, stderr)
		case "journal":
			return runJournal(ctx, args[1:], stdout, stderr)
		case "help", "-h", "--help", "-help":
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		if !strings.HasPrefix(args[0], "-") {
			fmt.Fprintf(stderr, "orderwatch: unknown command %q\n\n%s", args[0], usage)
			return exitBadInput
		}
	}
	return runDashboard(ctx, args, stdout, stderr)
}

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

// parse returns ok=false with the exit code when the program should stop.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer, extraArgs bool) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitBadInput, false
	}
	if !extraArgs && fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitBadInput, false
	}
	return 0, true
}
