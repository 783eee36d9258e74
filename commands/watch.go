package commands

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/orderwatch/orderwatch/engine"
)

func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch watch", stderr)
	var c common
	c.register(fs)
	until := fs.Bool("until-terminal", false, "exit when every named order is terminal; the exit code says how they ended")
	timeout := fs.Duration("timeout", 0, "give up after this long (exit 4 when some are still pending)")
	alertsOnly := fs.Bool("alerts", false, "print alerts (raised, changed, cleared) as JSON lines instead of order transitions")
	var af alertFlags
	af.register(fs, false)
	targets, code, ok := parse(fs, args, stderr, true)
	if !ok {
		return code
	}
	if *timeout < 0 {
		fmt.Fprintf(stderr, "orderwatch watch: --timeout %s: want 0 (none) or a positive duration\n", *timeout)
		return exitBadInput
	}
	if err := engine.CheckTargets(targets); err != nil {
		fmt.Fprintln(stderr, "orderwatch watch:", err)
		return exitBadInput
	}
	b, err := openBackend(ctx, &c, len(targets) == 0)
	if err != nil {
		sayErr(stderr, "orderwatch watch", err)
		return openCode(err)
	}
	defer b.Close()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	if *alertsOnly {
		if len(targets) > 0 {
			fmt.Fprintln(stderr, "orderwatch watch: --alerts watches every order: no targets")
			return exitBadInput
		}
		return watchAlerts(ctx, b, &af, stdout, stderr)
	}
	code, err = engine.Watch(ctx, b.engine, targets, *until, stdout)
	switch {
	case errors.Is(err, context.DeadlineExceeded) && *timeout > 0:
		fmt.Fprintf(stderr, "orderwatch watch: --timeout %s reached with some order still pending\n", *timeout)
	case errors.Is(err, context.Canceled):
		// Interrupted (Ctrl-C): the exit code says so; no message.
	case err != nil:
		fmt.Fprintln(stderr, "orderwatch watch:", err)
	}
	return code
}
