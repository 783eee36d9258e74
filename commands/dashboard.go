package commands

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui"
)

func runDashboard(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch", stderr)
	var c common
	c.register(fs)
	readonly := fs.Bool("readonly", false, "remove every action that spends money or changes an order")
	mouse := fs.Bool("mouse", false, "enable the mouse (off by default, so text selection works)")
	exportDir := fs.String("export-dir", "", "directory for CSV exports (default: the working directory)")
	var af alertFlags
	af.register(fs, true)
	if code, ok := parse(fs, args, stderr, false); !ok {
		return code
	}
	b, err := openBackend(&c, true)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch:", err)
		return exitBadInput
	}
	defer b.Close()
	km := keymap.DefaultKeyMap()
	if err := km.Apply(b.cfg.Keys); err != nil {
		fmt.Fprintf(stderr, "orderwatch: config %s: keys: %v\n", b.cfg.Path, err)
		return exitBadInput
	}
	if *exportDir == "" {
		*exportDir = b.cfg.CSVDir
	}
	al, err := newAlerts(b)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch:", err)
		return exitBadInput
	}
	notify, err := af.uiNotify(b.cfg)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch:", err)
		return exitBadInput
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); _ = b.engine.Run(ctx) }()
	go al.Run(ctx)
	startCommand(ctx, al, af.command(b.cfg), notifyEvery(b.cfg), b.logger.Printf)
	err = ui.Run(ctx, ui.Options{
		Alerts: al, Notify: notify, User: osUser(),
		Controller: alerts.Tee(ctx, b.engine, al), Providers: b.providers, ReadOnly: *readonly, KeyMap: &km,
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
