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
  orderwatch serve --team FILE [flags]  one engine for the team, over SSH (ssh -p 23234 HOST)
  orderwatch audit [--since D] [--json] the audit trail: placements, reveals, copies, email changes

Run "orderwatch COMMAND -h" for a command's flags.
`

// synopses are the first line of each command's -h.
var synopses = map[string]string{
	"orderwatch":         "usage: orderwatch [flags]    (the dashboard; orderwatch help lists the other commands)",
	"orderwatch sandbox": "usage: orderwatch sandbox [flags]",
	"orderwatch watch": "usage: orderwatch watch [flags] [TARGET...]   (flags may follow the targets)\n" +
		"exit codes: 0 all delivered, 1 some failed, 2 bad input, 3 partial/uncertain/scheduled,\n" +
		"4 pending at --timeout or interrupted, 6 could not start, 7 a named order not found",
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
		case "serve":
			return runServe(ctx, args[1:], stdout, stderr)
		case "audit":
			return runAudit(ctx, args[1:], stdout, stderr)
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
	// exitCouldNotStart: the configuration reads, but a provider cannot be
	// used (refused credentials, a base URL that is not its API, an
	// unreachable host), or a read needed before anything is sent kept
	// failing. Nothing was sent. Shared by every command.
	exitCouldNotStart = 6
)

// sayErr prints err on w, each of its lines prefixed with the command's
// name (a start-up check can name several providers, one line each).
func sayErr(w io.Writer, name string, err error) {
	for _, l := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
		fmt.Fprintln(w, name+":", l)
	}
}

// openCode is the exit code for an error of openBackend: a bad flag or
// config is bad input; a provider found unusable at start could not start.
func openCode(err error) int {
	var se *startError
	if errors.As(err, &se) {
		return exitCouldNotStart
	}
	return exitBadInput
}

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

// parse parses flags wherever they are among the arguments (flags after
// targets, as in "watch voucher:1 --timeout 5m"); everything after "--" is
// an argument. It returns the arguments, or ok=false with the exit code
// when the program should stop.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer, extraArgs bool) ([]string, int, bool) {
	// The flag package's own messages say -flag; print ours in --flag style.
	out := fs.Output()
	fs.SetOutput(io.Discard)
	pos, err := parseAnywhere(fs, args)
	fs.SetOutput(out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return nil, exitOK, false
		}
		fmt.Fprintf(stderr, "%s: %s\n(%s -h lists the flags)\n", fs.Name(), dashDash(err.Error()), fs.Name())
		return nil, exitBadInput, false
	}
	if !extraArgs && len(pos) > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), pos[0])
		return nil, exitBadInput, false
	}
	return pos, 0, true
}

// parseAnywhere runs fs.Parse past every argument that is not a flag.
func parseAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil // after "--": arguments only
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// verbFirst moves the command's first word (a vertical, an action) to the
// front when flags come before it ("place --wait voucher …"): the first
// argument known is taken, preferring one that is not a flag's value.
func verbFirst(args []string, known func(string) bool) []string {
	pick := -1
	for i, a := range args {
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "-") || !known(a) {
			continue
		}
		prev := ""
		if i > 0 {
			prev = args[i-1]
		}
		if !strings.HasPrefix(prev, "-") || strings.Contains(prev, "=") {
			pick = i
			break
		}
		if pick < 0 {
			pick = i
		}
	}
	if pick <= 0 {
		return args
	}
	out := append([]string{args[pick]}, args[:pick]...)
	return append(out, args[pick+1:]...)
}

// dashDash rewrites the flag package's "-name" to "--name".
func dashDash(msg string) string {
	msg = strings.Replace(msg, "flag provided but not defined: -", "unknown flag --", 1)
	msg = strings.Replace(msg, "flag needs an argument: -", "flag needs an argument: --", 1)
	return strings.Replace(msg, " for flag -", " for flag --", 1)
}
