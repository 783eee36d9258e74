package commands

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"time"

	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/ui"
)

// alertFlags are the alert options of the dashboard and `watch --alerts`.
type alertFlags struct {
	onAlert string
	noBell  bool
	notify  string
}

func (f *alertFlags) register(fs *flag.FlagSet, terminal bool) {
	fs.StringVar(&f.onAlert, "on-alert", "", "run `cmd` (sh -c) for each new alert, with the alert as JSON on stdin ([alerts] command)")
	if terminal {
		fs.BoolVar(&f.noBell, "no-bell", false, "no terminal bell on a new alert ([alerts] bell = false)")
		fs.StringVar(&f.notify, "notify", "", "desktop notification through the terminal: `mode` osc9, osc777 or off ([alerts] desktop; default osc9)")
	}
}

// alertRules is the documented defaults with the config file's overrides.
func alertRules(cfg *config.Config) (alerts.Rules, error) {
	r, err := alerts.DefaultRules().Apply(cfg.Alerts.AlertOverrides)
	if err != nil {
		return r, fmt.Errorf("config %s: %w", cfg.Path, err)
	}
	return r, nil
}

// newAlerts builds the alert engine for the backend with the config file's
// rules. It runs in real time, like the tracking engine it reads (which
// does not scale its policies by --sandbox-time-scale either).
// Acknowledgements and snoozes are kept in the shared journal.
func newAlerts(b *backend) (*alerts.Engine, error) {
	rules, err := alertRules(b.cfg)
	if err != nil {
		return nil, err
	}
	// The time-based rules work in minutes (horizons, windows): a re-check
	// every 5 s is on time, and idle wakeups stay few.
	cfg := alerts.Config{Rules: rules, Every: 5 * time.Second}
	if b.journal != nil {
		cfg.Store = alerts.NewJournalStore(b.journal, nil, b.logger.Printf)
	}
	return alerts.New(cfg), nil
}

func (f *alertFlags) command(cfg *config.Config) string {
	if f.onAlert != "" {
		return f.onAlert
	}
	return cfg.Alerts.Command
}

func notifyEvery(cfg *config.Config) time.Duration {
	if d := cfg.Alerts.NotifyEvery; d != nil {
		return *d
	}
	return 30 * time.Second
}

// uiNotify is the dashboard's bell and desktop settings: flags win over the file.
func (f *alertFlags) uiNotify(cfg *config.Config) (ui.Notify, error) {
	n := ui.Notify{Bell: !f.noBell, Desktop: "osc9", Every: notifyEvery(cfg)}
	if b := cfg.Alerts.Bell; b != nil && !*b {
		n.Bell = false
	}
	desk := f.notify
	if desk == "" && cfg.Alerts.Desktop != "" {
		desk = cfg.Alerts.Desktop
	}
	switch desk {
	case "", "osc9":
	case "osc777":
		n.Desktop = "osc777"
	case "off":
		n.Desktop = ""
	default:
		return n, errors.New("--notify " + desk + ": want osc9, osc777 or off")
	}
	return n, nil
}

// startCommand runs --on-alert for each new alert until ctx ends.
func startCommand(ctx context.Context, a *alerts.Engine, cmd string, every time.Duration, logf func(string, ...any)) {
	if cmd == "" {
		return
	}
	events := a.Subscribe()
	go alerts.RunCommand(ctx, events, cmd, every, logf)
}

// osUser is who acknowledges problems locally (team mode names the member).
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if s := os.Getenv("USER"); s != "" {
		return s
	}
	return "local"
}

// watchAlerts is `orderwatch watch --alerts`: every alert event as a JSON
// line until interrupted (or --timeout), and --on-alert for new ones.
func watchAlerts(ctx context.Context, b *backend, af *alertFlags, stdout, stderr io.Writer) int {
	al, err := newAlerts(b)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch watch:", err)
		return exitBadInput
	}
	startCommand(ctx, al, af.command(b.cfg), notifyEvery(b.cfg), b.logger.Printf)
	if err := alerts.Watch(ctx, b.engine, al, stdout); err != nil {
		fmt.Fprintln(stderr, "orderwatch watch:", err)
		return exitFailure
	}
	return exitOK
}
