package alerts_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/octopus"
	"github.com/orderwatch/orderwatch/api/oneclick"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/engine/enginetest"
)

// world is one sandbox, a tracking engine on it at the same time scale, and
// the alert engine reading the tracking engine's updates, as in the dashboard.
type world struct {
	octo   *octosb.Server
	one    *oneclicksb.Server
	oc     *octopus.Client
	onec   *oneclick.Client
	engine *engine.Engine
	alerts *alerts.Engine
}

type setup struct {
	scale    float64
	oneclick bool // the OneClickDz sandbox instead of the Octopus one
	webhooks bool
	rules    func(*alerts.Rules)
}

func newWorld(t *testing.T, s setup) *world {
	t.Helper()
	w := &world{}
	tr := &http.Client{Transport: enginetest.Transport(t, nil)}
	var src api.OrderSource
	if s.oneclick {
		srv, err := oneclicksb.New(oneclicksb.Config{Seed: 5, TimeScale: s.scale, RatePerMinute: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		c, err := oneclick.New(oneclick.Config{BaseURL: srv.URL(), APIKey: api.Secret(srv.APIKey()), Timeout: 10 * time.Second, HTTPClient: tr})
		if err != nil {
			t.Fatal(err)
		}
		w.one, w.onec, src = srv, c, c
	} else {
		srv, err := octosb.New(octosb.Config{Seed: 5, TimeScale: s.scale, Limits: &octosb.Limits{}})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		cr := srv.Credentials()
		c, err := octopus.New(octopus.Config{BaseURL: srv.URL(), APIKey: api.Secret(cr.APIKey), APISecret: api.Secret(cr.APISecret),
			Timeout: 10 * time.Second, HTTPClient: tr})
		if err != nil {
			t.Fatal(err)
		}
		w.octo, w.oc, src = srv, c, c
	}
	cfg := engine.Config{Sources: []api.OrderSource{src}, Journal: enginetest.Journal(t), TimeScale: s.scale, Discover: true,
		GETPerMinute: map[api.Provider]int{src.Provider(): 20000}, WalletEvery: 50 * time.Millisecond}
	if s.webhooks {
		cfg.Webhooks = []api.WebhookVerifier{octopus.NewWebhooks(api.Secret(w.octo.Credentials().WebhookSecret))}
		cfg.WebhookListen = "127.0.0.1:0"
	}
	e, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if h := e.Webhooks(); h != nil {
		t.Cleanup(func() { _ = h.Close() })
		w.octo.SetWebhook(h.URL(), w.octo.Credentials().WebhookSecret)
	}
	rules := alerts.DefaultRules()
	if s.rules != nil {
		s.rules(&rules)
	}
	a := alerts.New(alerts.Config{Rules: rules, TimeScale: s.scale, Every: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.Run(ctx) })
	wg.Go(func() { a.Run(ctx) })
	relay := alerts.Tee(ctx, e, a)
	wg.Go(func() {
		for range relay.Updates() {
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	w.engine, w.alerts = e, a
	return w
}

// waitAlert waits for the alert to be open (want true) or gone (false) and
// returns it.
func (w *world) waitAlert(t *testing.T, id string, want bool) alerts.Alert {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, a := range w.alerts.Snapshot().Alerts {
			if a.ID == id && a.Cleared.IsZero() == want {
				return a
			}
		}
		if !want && !w.hasOpen(id) {
			return alerts.Alert{}
		}
		time.Sleep(10 * time.Millisecond)
	}
	var ids []string
	for _, a := range w.alerts.Snapshot().Alerts {
		ids = append(ids, fmt.Sprintf("%s(cleared=%v) %q", a.ID, !a.Cleared.IsZero(), a.Text))
	}
	t.Fatalf("alert %s open=%v never came; alerts: %v", id, want, ids)
	return alerts.Alert{}
}

func (w *world) hasOpen(id string) bool {
	for _, a := range w.alerts.Snapshot().Alerts {
		if a.ID == id && a.Cleared.IsZero() {
			return true
		}
	}
	return false
}

func (w *world) place(t *testing.T, p api.Placer, r api.OrderRequest) api.Order {
	t.Helper()
	o, err := w.engine.Place(context.Background(), p, r)
	if err != nil {
		t.Fatalf("place %+v: %v", r, err)
	}
	return o
}

func wantText(t *testing.T, a alerts.Alert, prefix string) {
	t.Helper()
	if !strings.HasPrefix(a.Text, prefix) {
		t.Fatalf("alert %s text %q, want it to start %q", a.ID, a.Text, prefix)
	}
}

func TestRuleStuckBatch(t *testing.T) {
	t.Parallel()
	w := newWorld(t, setup{scale: 0.002})
	if err := w.octo.StartIncident(octosb.IncidentStuckBatch); err != nil {
		t.Fatal(err)
	}
	a := w.waitAlert(t, "stuck:voucher", true)
	wantText(t, a, "Vouchers: 1 order still not final past the 10m horizon (oldest ")
	if a.Severity != alerts.Warning || len(a.Orders) != 1 || a.Count != 1 {
		t.Fatalf("alert %+v", a)
	}
	if err := w.octo.StopIncident(octosb.IncidentStuckBatch); err != nil {
		t.Fatal(err)
	}
	w.waitAlert(t, "stuck:voucher", false)
}

func TestRuleFailingOperator(t *testing.T) {
	t.Parallel()
	w := newWorld(t, setup{scale: 0.002})
	if err := w.octo.StartIncident(octosb.IncidentFailingOperator); err != nil {
		t.Fatal(err)
	}
	a := w.waitAlert(t, "failure_rate:topup:Airtel India", true)
	wantText(t, a, "Airtel India: ")
	if !strings.Contains(a.Text, " of the last ") || a.Severity != alerts.Critical || a.Count < 3 {
		t.Fatalf("alert %+v", a)
	}
	if err := w.octo.StopIncident(octosb.IncidentFailingOperator); err != nil {
		t.Fatal(err)
	}
	w.waitAlert(t, "failure_rate:topup:Airtel India", false)
}

func TestRuleDrainingWallet(t *testing.T) {
	t.Parallel()
	w := newWorld(t, setup{scale: 0.002})
	for i := range 5 { // five 10-dollar orders: the price the wallet must cover
		w.place(t, w.oc, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 10, Quantity: 1,
			ClientReference: fmt.Sprintf("wallet-%d", i)})
	}
	if err := w.octo.StartIncident(octosb.IncidentDrainingWallet); err != nil {
		t.Fatal(err)
	}
	a := w.waitAlert(t, "wallet_low:octopus:USD 1", true)
	wantText(t, a, "Octopus Cards wallet USD at 5.00, below the price of the last 5 orders (")
	if err := w.octo.StopIncident(octosb.IncidentDrainingWallet); err != nil {
		t.Fatal(err)
	}
	w.waitAlert(t, "wallet_low:octopus:USD 1", false)
}

func TestRuleProviderOutage(t *testing.T) {
	t.Parallel()
	w := newWorld(t, setup{scale: 0.01})
	if err := w.octo.StartIncident(octosb.IncidentOutage); err != nil {
		t.Fatal(err)
	}
	a := w.waitAlert(t, "provider_errors:octopus", true)
	wantText(t, a, "Octopus Cards: ")
	if !strings.Contains(a.Text, "errors (5xx, network, bad answers) in the last 2m") {
		t.Fatalf("text %q", a.Text)
	}
	if err := w.octo.StopIncident(octosb.IncidentOutage); err != nil {
		t.Fatal(err)
	}
	w.waitAlert(t, "provider_errors:octopus", false)
}

func TestRuleProviderOutageOneClick(t *testing.T) {
	t.Parallel()
	w := newWorld(t, setup{scale: 0.01, oneclick: true})
	if err := w.one.StartIncident(oneclicksb.IncidentOutage); err != nil {
		t.Fatal(err)
	}
	a := w.waitAlert(t, "provider_errors:oneclickdz", true)
	wantText(t, a, "OneClickDz: ")
	if err := w.one.StopIncident(oneclicksb.IncidentOutage); err != nil {
		t.Fatal(err)
	}
	w.waitAlert(t, "provider_errors:oneclickdz", false)
}

func TestRuleTooMany429s(t *testing.T) {
	t.Parallel()
	w := newWorld(t, setup{scale: 0.01, oneclick: true})
	w.one.SetFaults(oneclicksb.Faults{TooMany: 1})
	a := w.waitAlert(t, "provider_429:oneclickdz", true)
	wantText(t, a, "OneClickDz: ")
	if !strings.Contains(a.Text, "rate-limit answers (429) in the last 2m") {
		t.Fatalf("text %q", a.Text)
	}
	w.one.SetFaults(oneclicksb.Faults{})
	w.waitAlert(t, "provider_429:oneclickdz", false)
}

func TestRulePartialDelivery(t *testing.T) {
	t.Parallel()
	w := newWorld(t, setup{scale: 0.01})
	// 17 vouchers: 12 delivered first, the rest 1–3 minutes later.
	w.place(t, w.oc, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5,
		Quantity: octosb.MagicQtyPartialThenFull, ClientReference: "partial-1"})
	a := w.waitAlert(t, "partial:voucher", true)
	wantText(t, a, "Vouchers: 1 order partially delivered")
	w.waitAlert(t, "partial:voucher", false)
}

func TestRuleUncertain(t *testing.T) {
	t.Parallel()
	// UNKNOWN_ERROR resolves 2 h later in the sandbox; a 1 h window raises
	// the alert first, and the resolution clears it.
	w := newWorld(t, setup{scale: 0.0003, oneclick: true, rules: func(r *alerts.Rules) {
		n := r.Norms[api.VerticalMobile]
		n.Uncertain = time.Hour
		r.Norms[api.VerticalMobile] = n
	}})
	w.place(t, w.onec, api.OrderRequest{Vertical: api.VerticalMobile, VariantID: "PREPAID_MOBILIS", Amount: 500,
		Recipient: "0600000003", ClientReference: "uncertain-1"})
	a := w.waitAlert(t, "uncertain:mobile", true)
	wantText(t, a, "Mobile: 1 order uncertain (UNKNOWN_ERROR) past 1h: check with the provider, never refund by hand")
	w.waitAlert(t, "uncertain:mobile", false)
}

func TestRuleScheduled(t *testing.T) {
	t.Parallel()
	// QUEUED is fulfilled 24 h later in the sandbox; a 12 h window.
	w := newWorld(t, setup{scale: 0.00003, oneclick: true, rules: func(r *alerts.Rules) {
		n := r.Norms[api.VerticalInternet]
		n.Scheduled = 12 * time.Hour
		r.Norms[api.VerticalInternet] = n
	}})
	w.place(t, w.onec, api.OrderRequest{Vertical: api.VerticalInternet, ProductID: "1000", Amount: 1000,
		Recipient: "099999999", RecipientType: "ADSL", ClientReference: "queued-1"})
	a := w.waitAlert(t, "scheduled:internet", true)
	wantText(t, a, "Internet: 1 order scheduled (QUEUED) past 12h")
	w.waitAlert(t, "scheduled:internet", false)
}

func TestRuleWebhookSilent(t *testing.T) {
	t.Parallel()
	w := newWorld(t, setup{scale: 0.002, webhooks: true})
	url := w.engine.Webhooks().URL()
	secret := w.octo.Credentials().WebhookSecret
	w.octo.SetWebhook("", "") // webhooks stop coming
	for i := range 3 {
		w.place(t, w.oc, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 6,
			ClientReference: fmt.Sprintf("silent-%d", i)})
	}
	a := w.waitAlert(t, "webhook_silent:octopus", true)
	wantText(t, a, "Octopus Cards: no webhook for ")
	w.octo.SetWebhook(url, secret) // they come back with the next order
	w.place(t, w.oc, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1,
		ClientReference: "silent-back"})
	w.waitAlert(t, "webhook_silent:octopus", false)
}

func TestRuleDrainingWalletOneClick(t *testing.T) {
	t.Parallel()
	w := newWorld(t, setup{scale: 0.002, oneclick: true})
	for i := range 5 {
		w.place(t, w.onec, api.OrderRequest{Vertical: api.VerticalMobile, VariantID: "PREPAID_DJEZZY", Amount: 500,
			Recipient: "0778037340", ClientReference: fmt.Sprintf("dzd-%d", i)})
	}
	if err := w.one.StartIncident(oneclicksb.IncidentDrainingWallet); err != nil {
		t.Fatal(err)
	}
	var a alerts.Alert
	deadline := time.Now().Add(20 * time.Second)
	for a.ID == "" && time.Now().Before(deadline) {
		for _, x := range w.alerts.Snapshot().Alerts {
			if x.Rule == alerts.RuleWalletLow && x.Cleared.IsZero() {
				a = x
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if a.ID == "" {
		t.Fatal("no wallet_low alert for the drained OneClickDz balance")
	}
	wantText(t, a, "OneClickDz wallet DZD at 100")
	if err := w.one.StopIncident(oneclicksb.IncidentDrainingWallet); err != nil {
		t.Fatal(err)
	}
	w.waitAlert(t, a.ID, false)
}
