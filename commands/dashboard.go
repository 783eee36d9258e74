package commands

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui"
)

func runDashboard(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	d := dashboardFlags(stderr)
	fs, c, readonly, mouse, exportDir := d.fs, &d.c, &d.readonly, &d.mouse, &d.exportDir
	if code, ok := parse(fs, args, stderr, false); !ok {
		return code
	}
	b, err := openBackend(c, true)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch:", err)
		return exitBadInput
	}
	defer b.Close()
	km := keymap.DefaultKeyMap()
	if err := km.Apply(b.cfg.Keys); err != nil {
		fmt.Fprintf(stderr, "orderwatch: config %s: [keys]: %s\n", b.cfg.Path, strings.TrimPrefix(err.Error(), "keymap: "))
		return exitBadInput
	}
	if *exportDir == "" {
		*exportDir = b.cfg.CSVDir
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); _ = b.engine.Run(ctx) }()
	err = ui.Run(ctx, ui.Options{
		Controller: b.engine, Providers: b.providers, ReadOnly: *readonly, KeyMap: &km,
		NoColor: os.Getenv("NO_COLOR") != "", Mouse: *mouse || b.cfg.Mouse, Actions: notifiers(b.notifier),
		ExportDir: *exportDir, Context: ctx, Logger: b.logger, Ordering: b.ordering(),
	}, nil)
	cancel()
	<-done
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch:", err)
		return exitFailure
	}
	return exitOK
}

type dashFlags struct {
	fs        *flag.FlagSet
	c         common
	readonly  bool
	mouse     bool
	exportDir string
}

// dashboardFlags declares the dashboard's flags, for running it and for
// orderwatch -h.
func dashboardFlags(stderr io.Writer) *dashFlags {
	d := &dashFlags{fs: newFlags("orderwatch", stderr)}
	d.c.register(d.fs)
	d.fs.BoolVar(&d.readonly, "readonly", false, "remove every action that spends money or changes an order")
	d.fs.BoolVar(&d.mouse, "mouse", false, "enable the mouse (off by default, so text selection works)")
	d.fs.StringVar(&d.exportDir, "export-dir", "", "write CSV exports to `dir` (default: the working directory)")
	return d
}
