package commands

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/commands/serve"
	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui"
)

func runDashboard(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts, stop, code, err := dashboard(ctx, args, stderr)
	if stop == nil {
		if err != nil {
			sayErr(stderr, "orderwatch", err)
		}
		return code
	}
	err = ui.Run(ctx, opts, nil)
	cancel()
	stop()
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch:", err)
		return exitFailure
	}
	return exitOK
}

// dashboard parses the dashboard's flags, opens its backend and starts the
// engine: everything `orderwatch [flags]` does before it draws. stop waits
// for the engine (after ctx ends) and closes the backend; it is nil when
// nothing was started, and then code says how to exit.
func dashboard(ctx context.Context, args []string, stderr io.Writer) (opts ui.Options, stop func(), code int, err error) {
	d := dashboardFlags(stderr)
	fs, c, readonly, mouse, exportDir := d.fs, &d.c, &d.readonly, &d.mouse, &d.exportDir
	if _, code, ok := parse(fs, args, stderr, false); !ok {
		return ui.Options{}, nil, code, nil
	}
	b, err := openBackend(ctx, c, true)
	if err != nil {
		return ui.Options{}, nil, openCode(err), err
	}
	km := keymap.DefaultKeyMap()
	if err := km.Apply(b.cfg.Keys); err != nil {
		b.Close()
		return ui.Options{}, nil, exitBadInput, fmt.Errorf("config %s: [keys]: %s", b.cfg.Path, strings.TrimPrefix(err.Error(), "keymap: "))
	}
	if *exportDir == "" {
		*exportDir = b.cfg.CSVDir
	}
	al, err := newAlerts(b)
	if err != nil {
		b.Close()
		return ui.Options{}, nil, exitBadInput, err
	}
	notify, err := d.af.uiNotify(b.cfg)
	if err != nil {
		b.Close()
		return ui.Options{}, nil, exitBadInput, err
	}
	audit, err := openAudit(c, b)
	if err != nil {
		b.Close()
		return ui.Options{}, nil, exitBadInput, err
	}
	me := localSession(audit)
	done := make(chan struct{})
	go func() { defer close(done); _ = b.engine.Run(ctx) }()
	go al.Run(ctx)
	startCommand(ctx, al, d.af.command(b.cfg), notifyEvery(b.cfg), b.logger.Printf)
	opts = ui.Options{
		Alerts: al, Notify: notify, User: me.Member, Team: me,
		Controller: alerts.Tee(ctx, b.engine, al), Providers: b.providers, ReadOnly: *readonly, KeyMap: &km,
		NoColor: os.Getenv("NO_COLOR") != "", Mouse: *mouse || b.cfg.Mouse, Actions: serve.GuardActions(notifiers(b.notifier), me),
		ExportDir: *exportDir, Context: ctx, Logger: b.logger, Ordering: serve.GuardOrdering(b.ordering(), me),
		QuietHold: quietHold,
	}
	return opts, func() { <-done; b.Close() }, exitOK, nil
}

// quietHold: the budget meter and list ages may be drawn up to 5 s late, so
// an idle dashboard is not woken for every list (issue 12).
const quietHold = 5 * time.Second

// Dashboard is the dashboard as `orderwatch [flags]` starts it, without a
// terminal: the screenshot tool draws the real program with it. Cancel ctx,
// then call stop.
func Dashboard(ctx context.Context, args []string, stderr io.Writer) (ui.Options, func(), error) {
	opts, stop, code, err := dashboard(ctx, args, stderr)
	if stop == nil && err == nil {
		err = fmt.Errorf("orderwatch: flags: exit %d", code)
	}
	return opts, stop, err
}

type dashFlags struct {
	fs        *flag.FlagSet
	c         common
	readonly  bool
	mouse     bool
	exportDir string
	af        alertFlags
}

// dashboardFlags declares the dashboard's flags, for running it and for
// orderwatch -h.
func dashboardFlags(stderr io.Writer) *dashFlags {
	d := &dashFlags{fs: newFlags("orderwatch", stderr)}
	d.c.register(d.fs)
	d.fs.BoolVar(&d.readonly, "readonly", false, "remove every action that spends money or changes an order")
	d.fs.BoolVar(&d.mouse, "mouse", false, "enable the mouse (off by default, so text selection works)")
	d.fs.StringVar(&d.exportDir, "export-dir", "", "write CSV exports to `dir` (default: the working directory)")
	d.af.register(d.fs, true)
	return d
}
