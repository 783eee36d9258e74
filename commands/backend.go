package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/api/sandbox"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui"
)

type backend struct {
	cfg       *config.Config
	providers []ui.ProviderTabs
	sources   []api.OrderSource
	placers   map[api.Provider]api.Placer
	notifier  map[api.Provider]api.Notifier
	engine    *engine.Engine
	journal   *engine.Journal
	logger    *log.Logger
	closers   []func() error
}

func (b *backend) Close() {
	for i := len(b.closers) - 1; i >= 0; i-- {
		_ = b.closers[i]()
	}
}

func mode(base string) string {
	u, err := url.Parse(base)
	if err == nil && (api.IsLoopbackHost(u.Hostname()) || strings.HasPrefix(u.Hostname(), "sandbox-")) {
		return "SANDBOX"
	}
	return "LIVE"
}

func openBackend(ctx context.Context, c *common, discover bool) (*backend, error) {
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

	journalPath := journalOf(c, cfg)
	var embedded *sandbox.Embedded
	accounts := cfg // where the providers find their sections
	if cfg.Sandbox() {
		// The embedded sandboxes die with this process, so their orders are
		// journalled in a file that dies with it too (unless --journal).
		dir, err := os.MkdirTemp("", "orderwatch-sandbox-")
		if err != nil {
			return nil, err
		}
		b.closers = append(b.closers, func() error { return os.RemoveAll(dir) })
		if journalPath == "" {
			journalPath = filepath.Join(dir, "journal.db")
		}
		c.sb.octo.Logf, c.sb.one.Logf = logf, logf
		embedded, err = sandbox.StartEmbedded(c.sb.octo, c.sb.one)
		if err != nil {
			return nil, err
		}
		b.closers = append(b.closers, embedded.Close)
		for _, n := range c.sb.incidents {
			if err := embedded.StartIncident(n); err != nil {
				return nil, fmt.Errorf("--sandbox-incident: %w", err)
			}
		}
		sb := *cfg
		embedded.Configure(&sb)
		accounts = &sb
		if c.webhookListen == "" {
			c.webhookListen = "127.0.0.1:0"
		}
	}
	perMin := map[api.Provider]int{}
	var verifiers []api.WebhookVerifier
	var opened []api.Account
	for _, open := range providers {
		acc, err := open(accounts, logf)
		if err != nil {
			return nil, err
		}
		src := acc.Client
		if src == nil {
			continue
		}
		opened = append(opened, acc)
		p := src.Provider()
		b.sources = append(b.sources, src)
		if pl, ok := src.(api.Placer); ok {
			b.placers[p] = pl
		}
		if n, ok := src.(api.Notifier); ok {
			b.notifier[p] = n
		}
		if ws, ok := src.(api.WebhookSource); ok {
			if v := ws.WebhookVerifier(); v != nil {
				verifiers = append(verifiers, v)
			}
		}
		b.providers = append(b.providers, ui.ProviderTabs{Provider: p, Mode: mode(acc.BaseURL)})
		perMin[p] = acc.GETPerMinute
	}
	listen := c.webhookListen
	if listen == "" {
		listen = cfg.WebhookListen
	}
	if listen != "" && len(verifiers) == 0 {
		var how []string
		for _, pi := range api.Providers() {
			if pi.WebhookSetup != "" {
				how = append(how, pi.WebhookSetup)
			}
		}
		return nil, errors.New("--webhook-listen needs " + strings.Join(how, " or "))
	}
	if embedded == nil { // a configured account: say now if it cannot work
		if c.need != "" {
			opened = slices.DeleteFunc(opened, func(a api.Account) bool { return a.Client.Provider() != c.need })
		}
		if err := validateAccounts(ctx, opened); err != nil {
			return nil, err
		}
	}
	j, err := openJournal(journalPath)
	if err != nil {
		return nil, err
	}
	b.closers = append(b.closers, j.Close)
	b.journal = j
	if err := b.recallIntents(j); err != nil {
		return nil, err
	}
	scale := 1.0
	if embedded != nil {
		// The sandbox's orders move --sandbox-time-scale times as fast, so
		// its cadences and horizons do too (a partial voucher is final after
		// the scaled horizon, not ten real minutes); the GET budget is not
		// scaled, so the sandbox's rate limits still hold.
		scale = c.sb.octo.TimeScale
	}
	e, err := engine.New(engine.Config{Sources: b.sources, GETPerMinute: perMin, Journal: j, Discover: discover, KeepFinished: c.keepFinished,
		TimeScale: scale,
		Webhooks:  verifiers, WebhookListen: listen, WebhookAllowPublic: c.webhookPublic, Logf: logf,
		AbsentAfter: c.absentAfter})
	if err != nil {
		return nil, err
	}
	b.engine = e
	if w := e.Webhooks(); w != nil {
		b.closers = append(b.closers, w.Close)
		if embedded != nil {
			embedded.SetWebhook(w.URL())
		}
	}
	ok = true
	return b, nil
}

// journalOf is the journal a command uses: --journal, else the configured
// one; "" for the embedded sandbox's, a temporary file that dies with it.
func journalOf(c *common, cfg *config.Config) string {
	switch {
	case c.journal != "":
		return c.journal
	case cfg.Sandbox():
		return ""
	}
	return cfg.JournalPath
}

type notifiers map[api.Provider]api.Notifier

func (n notifiers) SetNotificationEmail(ctx context.Context, v api.Vertical, id, email string) (api.Order, error) {
	if x, ok := n[v.Provider()]; ok {
		return x.SetNotificationEmail(ctx, v, id, email)
	}
	return api.Order{}, fmt.Errorf("%s has no notification email", v.Provider().Title())
}

func (b *backend) ordering() map[api.Provider]ui.OrderingDeps {
	out := map[api.Provider]ui.OrderingDeps{}
	for _, src := range b.sources {
		p := src.Provider()
		pl, ok := b.placers[p]
		if !ok {
			continue
		}
		cat, _ := pl.(api.Catalog)
		// The form quotes with pl and places only through the engine's
		// journal; lookups and line checks are found on cat by type assertion.
		d := ui.OrderingDeps{Catalog: cat, Quoter: pl, PlaceTracks: true, Find: src.FindByReference,
			Place: func(ctx context.Context, r api.OrderRequest) (api.Order, error) { return b.engine.Place(ctx, pl, r) }}
		out[p] = d
	}
	return out
}

// recallIntents hands every unresolved placement of the journal to its
// provider, if it wants them (api.IntentRecaller).
func (b *backend) recallIntents(j *engine.Journal) error {
	rec := map[api.Provider]api.IntentRecaller{}
	for _, src := range b.sources {
		if r, ok := src.(api.IntentRecaller); ok {
			rec[src.Provider()] = r
		}
	}
	if len(rec) == 0 {
		return nil
	}
	intents, err := j.Intents()
	if err != nil && !errors.Is(err, engine.ErrUnreadableRecord) {
		return err // damaged records are named by the engine, and their references refused
	}
	for _, in := range intents {
		r, ok := rec[in.Vertical.Provider()]
		if !ok || (in.State != engine.IntentPending && in.State != engine.IntentPlaced) {
			continue
		}
		if err := r.RecallIntent(api.Intent{Request: in.Request(), Sent: in.Created, OrderID: in.OrderID}); err != nil {
			b.logger.Printf("journal: intent %s: %v", in.ClientReference, err)
		}
	}
	return nil
}

// openJournal opens the journal shared by every orderwatch process on this
// machine. Its errors are one line that names the file and what to do.
func openJournal(path string) (*engine.Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("journal %s: %w (nothing was sent)", path, err)
	}
	return engine.OpenJournal(path)
}
