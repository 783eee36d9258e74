package commands

import (
	"context"
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
	if code, ok := parse(fs, args, stderr, true); !ok {
		return code
	}
	b, err := openBackend(&c, fs.NArg() == 0)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch watch:", err)
		return exitBadInput
	}
	defer b.Close()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	if *alertsOnly {
		if fs.NArg() > 0 {
			fmt.Fprintln(stderr, "orderwatch watch: --alerts watches every order: no targets")
			return exitBadInput
		}
		return watchAlerts(ctx, b, &af, stdout, stderr)
	}
	code, err := engine.Watch(ctx, b.engine, fs.Args(), *until, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch watch:", err)
	}
	return code
}
