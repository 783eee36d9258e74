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
	"strings"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/api/octopus"
	"github.com/orderwatch/orderwatch/api/oneclick"
	"github.com/orderwatch/orderwatch/api/sandbox"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui"
	"github.com/orderwatch/orderwatch/ui/orderform"
)

type backend struct {
	cfg       *config.Config
	providers []ui.ProviderTabs
	sources   []api.OrderSource
	placers   map[api.Provider]api.Placer
	notifier  map[api.Provider]api.Notifier
	lookup    func(ctx context.Context, phone string) ([]orderform.LookupHit, error)
	oneclick  *oneclick.Client
	engine    *engine.Engine
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
		// journalled in a file that dies with it too (unless --journal).
		dir, err := os.MkdirTemp("", "orderwatch-sandbox-")
		if err != nil {
			return nil, err
		}
		b.closers = append(b.closers, func() error { return os.RemoveAll(dir) })
		if c.journal == "" {
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
	j, err := openJournal(journalPath)
	if err != nil {
		return nil, err
	}
	b.closers = append(b.closers, j.Close)
	if err := b.rememberGiftIntents(j); err != nil {
		return nil, err
	}
	e, err := engine.New(engine.Config{Sources: b.sources, GETPerMinute: perMin, Journal: j, Discover: discover, KeepFinished: c.keepFinished,
		WebhookSecret: webhookSecret, WebhookListen: listen, WebhookAllowPublic: c.webhookPublic, Logf: logf,
		AbsentAfter: c.absentAfter})
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

func (b *backend) rememberGiftIntents(j *engine.Journal) error {
	if b.oneclick == nil {
		return nil
	}
	intents, err := j.Intents()
	if err != nil && !errors.Is(err, engine.ErrUnreadableRecord) {
		return err // damaged records are named by the engine, and their references refused
	}
	for _, in := range intents {
		if in.Vertical != api.VerticalGiftCard || (in.State != engine.IntentPending && in.State != engine.IntentPlaced) {
			continue
		}
		r := in.Request()
		if err := b.oneclick.RememberGiftIntent(in.ClientReference, r.ProductID, r.VariantID, r.Quantity, in.Created, in.OrderID); err != nil {
			b.logger.Printf("journal: gift-card intent %s: %v", in.ClientReference, err)
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
