// Command orderwatch is a terminal dashboard for reseller orders. This file
// only parses flags and wires packages together; the logic lives in api/,
// poller/ and ui/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/api/octopus"
	"github.com/orderwatch/orderwatch/api/oneclick"
	"github.com/orderwatch/orderwatch/api/sandbox"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/poller"
	"github.com/orderwatch/orderwatch/poller/bench"
	"github.com/orderwatch/orderwatch/poller/headless"
	"github.com/orderwatch/orderwatch/ui"
	"github.com/orderwatch/orderwatch/ui/orderform"
)

const usage = `orderwatch — watch reseller orders move from PENDING to DELIVERED or FAILED

Usage:
  orderwatch [flags]                    the dashboard (embedded sandbox when no credentials are configured)
  orderwatch sandbox [flags]            serve the embedded sandboxes alone, for other programs' tests
  orderwatch watch [flags] [TARGET...]  print each order transition as one JSON line
  orderwatch place VERTICAL [flags]     place one order and print it as JSON
  orderwatch bench poll [flags]         the polling benchmark against the embedded sandboxes

Run "orderwatch COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
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
		case "help", "-h", "--help", "-help":
			fmt.Fprint(stdout, usage)
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
	return fs
}

// parse returns ok=false with the exit code when the program should stop.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer, extraArgs bool) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitBadInput, false
	}
	if !extraArgs && fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitBadInput, false
	}
	return 0, true
}

// sandboxFlags are the knobs of the embedded sandboxes.
type sandboxFlags struct {
	octo   sandbox.Config
	one    oneclicksb.Config
	prefix string // of the flag names, for errors
}

func (s *sandboxFlags) register(fs *flag.FlagSet, prefix string, traffic float64) {
	s.prefix = prefix
	fs.Int64Var(&s.octo.Seed, prefix+"seed", 1, "seed for deterministic ids, codes and timings")
	fs.Float64Var(&s.octo.TimeScale, prefix+"time-scale", 1, "multiply every simulated delay (0.01 = 100x faster)")
	fs.Float64Var(&s.octo.TrafficPerMinute, prefix+"traffic", traffic, "background orders per minute from other sales channels, per provider (0 = none)")
	fs.BoolVar(&s.octo.ProductionLimits, prefix+"production-limits", false, "apply production rate limits instead of the sandbox ones")
	fs.DurationVar(&s.octo.Faults.Latency, prefix+"latency", 0, "added latency per API request")
	fs.Float64Var(&s.octo.Faults.ServerError, prefix+"fail-5xx", 0, "share of API requests answered 500 (0..1)")
	fs.Float64Var(&s.octo.Faults.TooMany, prefix+"fail-429", 0, "share of API requests answered 429 (0..1)")
	fs.Float64Var(&s.octo.Faults.Malformed, prefix+"malformed", 0, "share of API responses with a truncated body (0..1)")
	fs.Float64Var(&s.octo.Faults.Drop, prefix+"drop", 0, "share of API requests whose connection is dropped (0..1)")
}

// finish copies the shared knobs to the OneClickDz sandbox and checks them.
func (s *sandboxFlags) finish() error {
	for name, v := range map[string]float64{"fail-5xx": s.octo.Faults.ServerError, "fail-429": s.octo.Faults.TooMany,
		"malformed": s.octo.Faults.Malformed, "drop": s.octo.Faults.Drop} {
		if v < 0 || v > 1 {
			return fmt.Errorf("--%s%s %v: want a share between 0 and 1", s.prefix, name, v)
		}
	}
	if s.octo.TimeScale <= 0 {
		return fmt.Errorf("--%stime-scale %v: want a positive number", s.prefix, s.octo.TimeScale)
	}
	if s.octo.TrafficPerMinute < 0 {
		return fmt.Errorf("--%straffic %v: want 0 or more", s.prefix, s.octo.TrafficPerMinute)
	}
	s.one.Seed = s.octo.Seed
	s.one.TimeScale = s.octo.TimeScale
	s.one.TrafficPerMinute = s.octo.TrafficPerMinute
	s.one.Faults = oneclicksb.Faults{Latency: s.octo.Faults.Latency, ServerError: s.octo.Faults.ServerError,
		TooMany: s.octo.Faults.TooMany, Malformed: s.octo.Faults.Malformed, Drop: s.octo.Faults.Drop}
	return nil
}

func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch sandbox", stderr)
	var sf sandboxFlags
	fs.StringVar(&sf.octo.Addr, "addr", "127.0.0.1:0", "Octopus Cards listen address (loopback only)")
	fs.StringVar(&sf.one.Addr, "oneclick-addr", "127.0.0.1:0", "OneClickDz listen address (loopback only)")
	fs.DurationVar(&sf.octo.TokenTTL, "token-ttl", time.Hour, "Octopus access-token lifetime")
	fs.StringVar(&sf.octo.WebhookURL, "webhook-url", "", "POST signed Octopus webhooks here (loopback only)")
	sf.register(fs, "", 6)
	if code, ok := parse(fs, args, stderr, false); !ok {
		return code
	}
	if err := sf.finish(); err != nil {
		fmt.Fprintln(stderr, "orderwatch sandbox:", err)
		return exitBadInput
	}
	if err := sandbox.RunEmbedded(ctx, sf.octo, sf.one, stdout); err != nil {
		fmt.Fprintln(stderr, "orderwatch sandbox:", err)
		return exitFailure
	}
	return exitOK
}

// common are the flags of every command that talks to a provider.
type common struct {
	configPath    string
	debug         string
	journal       string
	webhookListen string
	webhookPublic bool
	keepFinished  int
	sb            sandboxFlags
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.configPath, "config", os.Getenv("ORDERWATCH_CONFIG"), "config file (default <config dir>/orderwatch/config.toml)")
	fs.StringVar(&c.debug, "debug", "", "write debug logs to this file (never to the terminal)")
	fs.StringVar(&c.journal, "journal", "", "journal file (default <config dir>/orderwatch/journal.db)")
	fs.StringVar(&c.webhookListen, "webhook-listen", "", "serve the Octopus webhook receiver on HOST:PORT (loopback unless --webhook-public)")
	fs.BoolVar(&c.webhookPublic, "webhook-public", false, "allow --webhook-listen on a non-loopback address")
	fs.IntVar(&c.keepFinished, "keep-finished", 500, "finished orders kept visible per vertical (1..100000)")
	c.sb.register(fs, "sandbox-", 12)
}

// backend is what a command needs from the configured providers.
type backend struct {
	cfg       *config.Config
	providers []ui.ProviderTabs
	sources   []api.OrderSource
	placers   map[api.Provider]api.Placer
	notifier  map[api.Provider]api.Notifier
	lookup    func(ctx context.Context, phone string) ([]orderform.LookupHit, error)
	oneclick  *oneclick.Client
	engine    *poller.Engine
	logger    *log.Logger
	closers   []func() error
}

func (b *backend) Close() {
	for i := len(b.closers) - 1; i >= 0; i-- {
		_ = b.closers[i]()
	}
}

// mode is LIVE unless the base URL is the provider's sandbox or a loopback one.
func mode(base string) string {
	u, err := url.Parse(base)
	if err == nil && (api.IsLoopbackHost(u.Hostname()) || strings.HasPrefix(u.Hostname(), "sandbox-")) {
		return "SANDBOX"
	}
	return "LIVE"
}

func openBackend(c *common, discover bool) (*backend, error) {
	cfg, err := config.Load(c.configPath, os.Getenv)
	if err != nil {
		return nil, err
	}
	if err := c.sb.finish(); err != nil {
		return nil, err
	}
	if c.keepFinished < 1 || c.keepFinished > 100000 {
		return nil, fmt.Errorf("--keep-finished %d: want 1..100000", c.keepFinished)
	}
	b := &backend{cfg: cfg, placers: map[api.Provider]api.Placer{}, notifier: map[api.Provider]api.Notifier{},
		logger: log.New(io.Discard, "", 0)}
	ok := false
	defer func() {
		if !ok {
			b.Close()
		}
	}()
	if c.debug != "" {
		f, err := os.OpenFile(c.debug, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("--debug: %w", err)
		}
		b.closers = append(b.closers, f.Close)
		b.logger = log.New(f, "", log.LstdFlags|log.Lmicroseconds)
	}
	logf := b.logger.Printf

	octo, one := cfg.Octopus, cfg.OneClick
	journalPath := c.journal
	if journalPath == "" {
		journalPath = cfg.JournalPath
	}
	var webhookSecret api.Secret
	var embedded *sandbox.Embedded
	if cfg.Sandbox() {
		// The embedded sandboxes die with this process, so their orders are
		// journalled in a file that dies with it too.
		dir, err := os.MkdirTemp("", "orderwatch-sandbox-")
		if err != nil {
			return nil, err
		}
		b.closers = append(b.closers, func() error { return os.RemoveAll(dir) })
		journalPath = filepath.Join(dir, "journal.db")
		c.sb.octo.Logf, c.sb.one.Logf = logf, logf
		embedded, err = sandbox.StartEmbedded(c.sb.octo, c.sb.one)
		if err != nil {
			return nil, err
		}
		b.closers = append(b.closers, embedded.Close)
		cr := embedded.Octopus.Credentials()
		octo = &config.Octopus{BaseURL: embedded.Octopus.URL(), APIKey: api.Secret(cr.APIKey), APISecret: api.Secret(cr.APISecret),
			WebhookSecret: api.Secret(cr.WebhookSecret), GETPerMinute: config.DefaultGETPerMin}
		one = &config.OneClick{BaseURL: embedded.OneClick.URL(), APIKey: api.Secret(embedded.OneClick.APIKey()), GETPerMinute: 100}
		if c.webhookListen == "" {
			c.webhookListen = "127.0.0.1:0"
		}
	}
	perMin := map[api.Provider]int{}
	if octo != nil {
		cl, err := octopus.New(octopus.Config{BaseURL: octo.BaseURL, APIKey: octo.APIKey, APISecret: octo.APISecret, Logf: logf})
		if err != nil {
			return nil, fmt.Errorf("octopus: %w", err)
		}
		b.sources = append(b.sources, cl)
		b.placers[api.ProviderOctopus], b.notifier[api.ProviderOctopus] = cl, cl
		b.lookup = octopusLookup(cl)
		b.providers = append(b.providers, ui.ProviderTabs{Provider: api.ProviderOctopus, Mode: mode(octo.BaseURL)})
		perMin[api.ProviderOctopus] = octo.GETPerMinute
		webhookSecret = octo.WebhookSecret
	}
	if one != nil {
		cl, err := oneclick.New(oneclick.Config{BaseURL: one.BaseURL, APIKey: one.APIKey, Logf: logf})
		if err != nil {
			return nil, fmt.Errorf("oneclickdz: %w", err)
		}
		b.sources = append(b.sources, cl)
		b.placers[api.ProviderOneClick] = cl
		b.oneclick = cl
		b.providers = append(b.providers, ui.ProviderTabs{Provider: api.ProviderOneClick, Mode: mode(one.BaseURL)})
		perMin[api.ProviderOneClick] = one.GETPerMinute
	}
	listen := c.webhookListen
	if listen == "" {
		listen = cfg.WebhookListen
	}
	if listen != "" && webhookSecret.Empty() {
		return nil, errors.New("--webhook-listen needs OCTOPUS_WEBHOOK_SECRET (or octopus.webhook_secret_file)")
	}
	if err := os.MkdirAll(filepath.Dir(journalPath), 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j, err := poller.OpenJournal(journalPath)
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", journalPath, err)
	}
	b.closers = append(b.closers, j.Close)
	if err := b.rememberGiftIntents(j); err != nil {
		return nil, fmt.Errorf("journal %s: %w", journalPath, err)
	}
	e, err := poller.New(poller.Config{Sources: b.sources, GETPerMinute: perMin, Journal: j, Discover: discover, KeepFinished: c.keepFinished,
		WebhookSecret: webhookSecret, WebhookListen: listen, WebhookAllowPublic: c.webhookPublic, Logf: logf})
	if err != nil {
		return nil, err
	}
	b.engine = e
	if w := e.Webhooks(); w != nil {
		b.closers = append(b.closers, w.Close)
		if embedded != nil {
			embedded.Octopus.SetWebhook(w.URL(), octo.WebhookSecret.Reveal())
		}
	}
	ok = true
	return b, nil
}

func runDashboard(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch", stderr)
	var c common
	c.register(fs)
	readonly := fs.Bool("readonly", false, "remove every action that spends money or changes an order")
	mouse := fs.Bool("mouse", false, "enable the mouse (off by default, so text selection works)")
	exportDir := fs.String("export-dir", "", "directory for CSV exports (default: the working directory)")
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

func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch watch", stderr)
	var c common
	c.register(fs)
	until := fs.Bool("until-terminal", false, "exit when every named order is terminal; the exit code says how they ended")
	timeout := fs.Duration("timeout", 0, "give up after this long (exit 4 when some are still pending)")
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
	code, err := poller.Watch(ctx, b.engine, fs.Args(), *until, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch watch:", err)
	}
	return code
}

// notifiers routes the notification-email action to the order's provider.
type notifiers map[api.Provider]api.Notifier

func (n notifiers) SetNotificationEmail(ctx context.Context, v api.Vertical, id, email string) (api.Order, error) {
	if x, ok := n[v.Provider()]; ok {
		return x.SetNotificationEmail(ctx, v, id, email)
	}
	return api.Order{}, fmt.Errorf("%s has no notification email", v.Provider().Title())
}

func runPlace(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, headless.Usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return exitOK
		}
		return exitBadInput
	}
	vertical := args[0]
	var c common
	rest, err := c.take(args[1:])
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch place:", err)
		return exitBadInput
	}
	opts, err := headless.ParsePlaceArgs(vertical, rest)
	if errors.Is(err, headless.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch place:", err)
		return exitBadInput
	}
	b, err := openBackend(&c, false)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch place:", err)
		return exitBadInput
	}
	defer b.Close()
	p := opts.Vertical.Provider()
	placer, ok := b.placers[p]
	if !ok {
		fmt.Fprintf(stderr, "orderwatch place: %s is not configured\n", p.Title())
		return exitBadInput
	}
	catalog, _ := placer.(api.Catalog)
	deps := headless.Deps{Engine: b.engine, Placer: placer, Catalog: catalog}
	for _, src := range b.sources {
		if src.Provider() == p {
			deps.Wallets = src.Wallets
		}
	}
	for _, pt := range b.providers {
		if pt.Provider == p {
			opts.Live = pt.Mode == "LIVE"
		}
	}
	return headless.Place(ctx, deps, opts, stdout, stderr)
}

// take removes the common flags (--config, --journal, --debug and the
// --sandbox-* knobs) from args, wherever they stand, and returns the rest
// for the command's own parser.
func (c *common) take(args []string) ([]string, error) {
	fs := flag.NewFlagSet("orderwatch place", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.configPath, "config", os.Getenv("ORDERWATCH_CONFIG"), "")
	fs.StringVar(&c.journal, "journal", "", "")
	fs.StringVar(&c.debug, "debug", "", "")
	c.sb.register(fs, "sandbox-", 0)
	c.keepFinished = 500
	var mine, rest []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--" { // the rest is the command's, untouched
			rest = append(rest, args[i:]...)
			break
		}
		name, _, hasVal := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		f := fs.Lookup(name)
		if f == nil || !strings.HasPrefix(args[i], "-") {
			rest = append(rest, args[i])
			continue
		}
		mine = append(mine, args[i])
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); hasVal || (ok && b.IsBoolFlag()) {
			continue
		}
		if i+1 >= len(args) {
			return nil, fmt.Errorf("flag --%s needs a value", name)
		}
		i++
		mine = append(mine, args[i])
	}
	if err := fs.Parse(mine); err != nil {
		return nil, err
	}
	return rest, nil
}

// ordering gives the order form what it needs per provider: every placement
// goes through the engine, which journals it before it is sent.
func (b *backend) ordering() map[api.Provider]ui.OrderingDeps {
	out := map[api.Provider]ui.OrderingDeps{}
	for _, src := range b.sources {
		p := src.Provider()
		pl, ok := b.placers[p]
		if !ok {
			continue
		}
		cat, _ := pl.(api.Catalog)
		d := ui.OrderingDeps{Catalog: cat, Placer: pl, PlaceTracks: true, Find: src.FindByReference,
			Place: func(ctx context.Context, r api.OrderRequest) (api.Order, error) { return b.engine.Place(ctx, pl, r) }}
		if p == api.ProviderOctopus {
			d.Lookup = b.lookup
		}
		if p == api.ProviderOneClick && b.oneclick != nil {
			d.CheckNumber = func(ctx context.Context, typ, number string) (orderform.LineInfo, error) {
				r, err := b.oneclick.InternetCheckNumber(ctx, typ, number)
				return orderform.LineInfo{NCLI: r.NCLI, Offer: r.Offre, Type: r.Type}, err
			}
		}
		d.Current = func(k api.OrderKey) (api.Order, bool) {
			t, ok := b.engine.Get(k)
			return t.Order, ok
		}
		out[p] = d
	}
	return out
}

// octopusLookup adapts the topup phone lookup to the form's suggestions.
func octopusLookup(cl *octopus.Client) func(context.Context, string) ([]orderform.LookupHit, error) {
	return func(ctx context.Context, phone string) ([]orderform.LookupHit, error) {
		res, err := cl.TopupLookup(ctx, phone)
		if err != nil {
			return nil, err
		}
		hits := make([]orderform.LookupHit, 0, len(res))
		for _, r := range res {
			hits = append(hits, orderform.LookupHit{ProductID: fmt.Sprint(int64(r.ProductID)), Name: string(r.Name),
				CountryCode: string(r.CountryCode), Identified: bool(r.Identified)})
		}
		return hits, nil
	}
}

// rememberGiftIntents hands unresolved gift-card intents back to the
// OneClickDz client: gift cards have no reference, so the client finds them
// in its list by product, type, quantity and time, which only the journal
// still knows after a restart.
func (b *backend) rememberGiftIntents(j *poller.Journal) error {
	if b.oneclick == nil {
		return nil
	}
	intents, err := j.Intents()
	if err != nil {
		return err
	}
	for _, in := range intents {
		if in.Vertical != api.VerticalGiftCard || (in.State != poller.IntentPending && in.State != poller.IntentPlaced) {
			continue
		}
		r := in.Request()
		if err := b.oneclick.RememberGiftIntent(in.ClientReference, r.ProductID, r.VariantID, r.Quantity, in.Created, in.OrderID); err != nil {
			b.logger.Printf("journal: gift-card intent %s: %v", in.ClientReference, err)
		}
	}
	return nil
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "poll" {
		fmt.Fprintln(stderr, "usage: orderwatch bench poll [flags]   (-h for the flags)")
		return exitBadInput
	}
	cfg, err := bench.ParseFlags(args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch bench poll:", err)
		return exitBadInput
	}
	if _, err := bench.Run(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "orderwatch bench poll:", err)
		return exitFailure
	}
	return exitOK
}
