package commands

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui"
)

// Acme is a third provider that exists only in this test: its own
// verticals, its own raw statuses and its own polling policy. Nothing in the
// UI or the engine knows it; it reaches them through the registry and the
// capabilities of its client, exactly as Octopus and OneClickDz do. This is
// the "add a provider" recipe of the README, in full.
const (
	acmeID   api.Provider = "acme"
	acmeCard api.Vertical = "acmecard"
	acmeBox  api.Vertical = "acmebox"
)

var registerAcme sync.Once

// acmeInfo is what a provider package registers from its init.
func acmeInfo() api.ProviderInfo {
	track := api.Tracking{
		Intervals:  []time.Duration{time.Second}, // the engine's 2 s floor applies
		Horizon:    time.Minute,
		Background: time.Minute,
		Final:      []api.Status{api.StatusDelivered, api.StatusFailed},
		Discover:   time.Minute,
		ListStatus: "PACKING",
		VouchFor:   time.Minute,
	}
	return api.ProviderInfo{ID: acmeID, Title: "Acme Gifts", Short: "Acme", Badge: "ACME", Order: 30,
		Verticals: []api.VerticalInfo{
			{ID: acmeCard, Title: "Acme cards", Aliases: []string{"acme-cards"}, Tracking: track},
			{ID: acmeBox, Title: "Acme boxes", Tracking: track},
		},
		Normalize: func(raw string) api.Status {
			switch strings.ToUpper(strings.TrimSpace(raw)) {
			case "PACKING":
				return api.StatusPending
			case "SHIPPED":
				return api.StatusDelivered
			case "LOST":
				return api.StatusFailed
			}
			return api.StatusUnknown
		},
	}
}

// acmeClient serves scripted orders: AC-1 is PACKING, then SHIPPED; AC-2
// is LOST. Statuses are left to the registry's mapping.
type acmeClient struct {
	mu    sync.Mutex
	calls map[string]int
}

func (*acmeClient) Provider() api.Provider    { return acmeID }
func (*acmeClient) Verticals() []api.Vertical { return []api.Vertical{acmeCard, acmeBox} }

func (c *acmeClient) GetOrder(_ context.Context, v api.Vertical, id string) (api.Order, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[id]++
	raw := "PACKING"
	switch {
	case id == "AC-2":
		raw = "LOST"
	case c.calls[id] > 1:
		raw = "SHIPPED"
	}
	return api.Order{Provider: acmeID, Vertical: v, ID: id, RawStatus: raw, ProductName: "Acme " + string(v)}, nil
}

func (*acmeClient) FindByReference(context.Context, api.Vertical, string) (api.Order, bool, error) {
	return api.Order{}, false, nil
}

func (*acmeClient) ListOrders(context.Context, api.Vertical, api.ListQuery) (api.OrderPage, error) {
	return api.OrderPage{}, nil
}

func (*acmeClient) Wallets(context.Context) ([]api.Wallet, error) {
	return []api.Wallet{{Provider: acmeID, ID: "main", Currency: "ACM", Balance: 12.5}}, nil
}

// withAcme registers Acme and adds its opener to the providers list: the
// one line a real provider adds in providers.go.
func withAcme(t *testing.T) *acmeClient {
	t.Helper()
	registerAcme.Do(func() { api.RegisterProvider(acmeInfo()) })
	cl := &acmeClient{calls: map[string]int{}}
	saved := providers
	providers = append(slices.Clone(providers), func(*config.Config, func(string, ...any)) (api.Account, error) {
		return api.Account{Client: cl, BaseURL: "http://127.0.0.1:9", GETPerMinute: 600}, nil
	})
	t.Cleanup(func() { providers = saved })
	return cl
}

// `watch` prints the fake provider's transitions, mapped by its own table.
func TestFakeProviderInWatch(t *testing.T) {
	dir := isolate(t)
	withAcme(t)
	var out, errb bytes.Buffer
	code := runWatch(context.Background(), []string{"--until-terminal", "--timeout", "60s", "--sandbox-traffic", "0",
		"--journal", filepath.Join(dir, "j.db"), "acme-cards:AC-1", "acmebox:AC-2"}, &out, &errb)
	assert.Equal(t, engine.ExitFailed, code, "AC-2 was lost; stderr: %s", errb.String())
	type line struct {
		Vertical  string `json:"vertical"`
		ID        string `json:"id"`
		Status    string `json:"status"`
		RawStatus string `json:"raw_status"`
	}
	var got []line
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var l line
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		got = append(got, l)
	}
	assert.Contains(t, got, line{"acmecard", "AC-1", "pending", "PACKING"})
	assert.Contains(t, got, line{"acmecard", "AC-1", "delivered", "SHIPPED"})
	assert.Contains(t, got, line{"acmebox", "AC-2", "failed", "LOST"})
}

// The dashboard shows the fake provider's tab group, badge and wallet, and
// its orders in its tab, fed by the real engine.
func TestFakeProviderInDashboardTabs(t *testing.T) {
	dir := isolate(t)
	withAcme(t)
	c := common{journal: filepath.Join(dir, "j.db"), keepFinished: 500}
	c.sb.octo.TimeScale = 1
	b, err := openBackend(&c, false)
	require.NoError(t, err)
	defer b.Close()
	m := ui.New(ui.Options{Controller: b.engine, Providers: b.providers, Ordering: b.ordering(), NoColor: true})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 30})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); _ = b.engine.Run(ctx) }()
	b.engine.Track(api.Order{Vertical: acmeCard, ID: "AC-1"}, engine.OriginPinned)
	deadline := time.After(30 * time.Second)
	for seen, wallet := false, false; !seen || !wallet; {
		select {
		case batch := <-b.engine.Updates():
			m.Apply(batch)
			for _, u := range batch {
				switch u := u.(type) {
				case engine.OrderUpdate:
					seen = seen || (u.Tracked.Order.ID == "AC-1" && u.Tracked.Order.RawStatus != "")
				case engine.WalletUpdate:
					wallet = wallet || u.Provider == acmeID
				}
			}
		case <-deadline:
			t.Fatal("no update of the fake provider's order and wallet")
		}
	}
	cancel()
	<-done

	view := ansi.Strip(m.View().Content)
	tabs := strings.Split(view, "\n")[0]
	for _, want := range []string{"Octopus Cards:", "OneClickDz:", "Acme Gifts:", "7 Acme cards", "8 Acme boxes"} {
		assert.Contains(t, tabs, want)
	}
	assert.Contains(t, view, "ACME SANDBOX", "its badge on the status bar")
	assert.Contains(t, view, "ACM 12.50", "its wallet on the status bar")

	m.Update(tea.KeyPressMsg{Code: '7', Text: "7"})
	view = ansi.Strip(m.View().Content)
	assert.Contains(t, view, "AC-1", "its order in its own tab")
	assert.Contains(t, view, "Acme acmecard")
}
