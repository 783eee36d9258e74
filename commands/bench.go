package commands

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/orderwatch/orderwatch/commands/bench"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	args = verbFirst(args, func(a string) bool { return a == "poll" || a == "load" })
	if len(args) > 0 && args[0] == "load" {
		return runBenchLoad(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "poll" {
		fmt.Fprintln(stderr, "orderwatch bench: usage: orderwatch bench poll|load [flags]   (-h for the flags)")
		return exitBadInput
	}
	cfg, err := bench.ParseFlags(args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "orderwatch bench poll: %s\n(orderwatch bench poll -h lists the flags)\n", dashDash(err.Error()))
		return exitBadInput
	}
	if _, err := bench.Run(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "orderwatch bench poll:", err)
		return exitFailure
	}
	return exitOK
}

func runBenchLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := bench.ParseLoadFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch bench load:", err)
		return exitBadInput
	}
	if _, err := bench.RunLoad(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "orderwatch bench load:", err)
		return exitFailure
	}
	return exitOK
}
