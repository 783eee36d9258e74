package commands

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/commands/serve"
	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch serve", stderr)
	var c common
	c.register(fs)
	listen := fs.String("listen", "", "SSH address, HOST:PORT (default 127.0.0.1:23234, or [serve] listen)")
	teamPath := fs.String("team", "", "team file: members, roles and SSH keys (or [serve] team)")
	stateDir := fs.String("state-dir", "", "where the host key is kept (default <config dir>/orderwatch)")
	idle := fs.Duration("idle-timeout", 0, "end a session after this long without input (default 30m)")
	maxTotal := fs.Int("max-sessions", 0, "sessions at once, all members (default 32)")
	maxMember := fs.Int("max-per-member", 0, "sessions at once per member (default 4)")
	var af alertFlags
	af.register(fs, true)
	if _, code, ok := parse(fs, args, stderr, false); !ok {
		return code
	}
	b, err := openBackend(ctx, &c, true)
	if err != nil {
		sayErr(stderr, "orderwatch serve", err)
		return openCode(err)
	}
	defer b.Close()
	sc := b.cfg.Serve
	pick := func(flag, file string) string {
		if flag != "" {
			return flag
		}
		return file
	}
	cfg := serve.Config{Listen: pick(*listen, sc.Listen), TeamPath: pick(*teamPath, sc.Team), StateDir: pick(*stateDir, sc.StateDir),
		IdleTimeout: sc.IdleTimeout, MaxTotal: sc.MaxSessions, MaxPerMember: sc.MaxPerMember, Engine: b.engine, Discover: true,
		Logf: b.logger.Printf}
	if *idle > 0 {
		cfg.IdleTimeout = *idle
	}
	if *maxTotal > 0 {
		cfg.MaxTotal = *maxTotal
	}
	if *maxMember > 0 {
		cfg.MaxPerMember = *maxMember
	}
	if cfg.TeamPath == "" {
		fmt.Fprintln(stderr, "orderwatch serve: --team FILE is required (or [serve] team in the config file)")
		return exitBadInput
	}
	if cfg.StateDir == "" {
		cfg.StateDir = filepath.Dir(config.DefaultJournalPath())
	}
	audit, err := openAudit(&c, b)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch serve:", err)
		return exitBadInput
	}
	defer audit.Close()
	cfg.Audit = audit
	km := keymap.DefaultKeyMap()
	if err := km.Apply(b.cfg.Keys); err != nil {
		fmt.Fprintf(stderr, "orderwatch serve: config %s: keys: %v\n", b.cfg.Path, err)
		return exitBadInput
	}
	al, err := newAlerts(b)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch serve:", err)
		return exitBadInput
	}
	notify, err := af.uiNotify(b.cfg)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch serve:", err)
		return exitBadInput
	}
	cfg.UI = ui.Options{Providers: b.providers, KeyMap: &km, Actions: notifiers(b.notifier), Logger: b.logger,
		Ordering: b.ordering(), Alerts: al, Notify: notify, QuietHold: quietHold}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg.Updates = alerts.Tee(ctx, b.engine, al).Updates()
	srv, err := serve.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch serve:", err)
		return exitBadInput
	}
	if err := srv.Listen(); err != nil {
		fmt.Fprintln(stderr, "orderwatch serve:", err)
		return exitFailure
	}
	host, port, _ := net.SplitHostPort(srv.Addr())
	fmt.Fprintf(stdout, "orderwatch serve: listening on %s (ssh -p %s %s)\nhost key %s\nteam %s: %d members\n",
		srv.Addr(), port, host, srv.HostFingerprint(), cfg.TeamPath, len(srv.Team().Members))
	engineDone := make(chan struct{})
	go func() { defer close(engineDone); _ = b.engine.Run(ctx) }()
	// The alert engine sees every batch before the sessions do (one tee),
	// and its problems are shared: acknowledged once, for everyone.
	go al.Run(ctx)
	startCommand(ctx, al, af.command(b.cfg), notifyEvery(b.cfg), b.logger.Printf)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := srv.Reload(); err != nil {
					fmt.Fprintln(stderr, "orderwatch serve: SIGHUP: kept the old team:", err)
				} else {
					fmt.Fprintf(stderr, "orderwatch serve: SIGHUP: team %s re-read: %d members\n", cfg.TeamPath, len(srv.Team().Members))
				}
			}
		}
	}()
	err = srv.Serve(ctx)
	cancel()
	<-engineDone
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch serve:", err)
		return exitFailure
	}
	return exitOK
}
