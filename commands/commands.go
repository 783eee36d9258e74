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

// synopses are the first line of each command's -h.
var synopses = map[string]string{
	"orderwatch":         "usage: orderwatch [flags]    (the dashboard; orderwatch help lists the other commands)",
	"orderwatch sandbox": "usage: orderwatch sandbox [flags]",
	"orderwatch watch":   "usage: orderwatch watch [flags] [TARGET...]",
}

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
			fmt.Fprint(stdout, "\nDashboard flags (orderwatch [flags]):\n")
			printFlags(stdout, dashboardFlags(io.Discard).fs)
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
	fs.Usage = func() {
		out := fs.Output()
		if s, ok := synopses[name]; ok {
			fmt.Fprintln(out, s)
		}
		fmt.Fprintln(out, "\nFlags:")
		printFlags(out, fs)
	}
	return fs
}

// printFlags lists a flag set in the --flag style the commands are used
// with (Go's default prints -flag).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if typ != "" {
			head += " " + strings.ToUpper(typ)
		}
		if len(head) < 31 {
			head += strings.Repeat(" ", 32-len(head))
		} else {
			head += "\n" + strings.Repeat(" ", 32)
		}
		if d := f.DefValue; d != "" && d != "0" && d != "0s" && d != "false" && !strings.Contains(usage, "default") {
			usage += " (default " + d + ")"
		}
		fmt.Fprintln(w, head+usage)
	})
}

// parse returns ok=false with the exit code when the program should stop.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer, extraArgs bool) (int, bool) {
	// The flag package's own messages say -flag; print ours in --flag style.
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return exitOK, false
		}
		fmt.Fprintf(stderr, "%s: %s\n(%s -h lists the flags)\n", fs.Name(), dashDash(err.Error()), fs.Name())
		return exitBadInput, false
	}
	if !extraArgs && fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitBadInput, false
	}
	return 0, true
}

// dashDash rewrites the flag package's "-name" to "--name".
func dashDash(msg string) string {
	msg = strings.Replace(msg, "flag provided but not defined: -", "unknown flag --", 1)
	msg = strings.Replace(msg, "flag needs an argument: -", "flag needs an argument: --", 1)
	return strings.Replace(msg, " for flag -", " for flag --", 1)
}
