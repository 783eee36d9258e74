// Command screenshots renders the real dashboard views, fed with the fixed
// demo data, to PNG files: go run ./ui/cmd/screenshots [-out screenshots]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/ui"
	"github.com/orderwatch/orderwatch/ui/screenshot"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

type shot struct {
	name string
	w, h int
	keys []string
}

// withAlerts are the shots with the demo alert engine (inbox, account view,
// tab-bar count); the others keep the dashboard as it is without one.
var withAlerts = map[string]bool{"alerts-inbox": true, "account-charts": true}

var shots = []shot{
	{"main-table", 140, 32, nil},
	{"detail-vouchers", 160, 44, []string{"j", "j", "enter"}},
	{"esim-qr", 160, 48, []string{"3", "j", "enter", "v"}},
	{"help", 120, 32, []string{"?"}},
	{"narrow-60x15", 60, 15, nil},
	{"event-log", 120, 24, []string{"L"}},
	{"giftcard-partial", 160, 40, []string{"6", "enter", "v"}},
	// The order form: a voucher of 3, filled in; then its result. "wait:"
	// lets the form's commands land (catalogue, quote, create, and huh's
	// move to the next field, which is a command too).
	{"order-form", 120, 36, []string{"n", "wait:", "enter", "wait:", "down", "enter", "wait:", "backspace", "3", "wait:"}},
	{"order-result", 120, 36, []string{"n", "wait:", "enter", "wait:", "down", "enter", "wait:", "backspace", "3",
		"enter", "wait:", "enter", "wait:", "enter", "wait:", "enter", "wait:", "enter", "wait:"}},
	{"alerts-inbox", 160, 36, []string{"!"}},
	{"account-charts", 160, 48, []string{"A"}},
}

func main() {
	out := flag.String("out", "screenshots", "directory for the PNG files")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, s := range shots {
		// The data arrives a few seconds before the picture, so the
		// new-row highlight has faded as it would on screen.
		now := uitest.Epoch.Add(-10 * time.Second)
		pl := &placer{}
		al := alertsFor(s)
		m := ui.New(ui.Options{Now: func() time.Time { return now },
			Providers: []ui.ProviderTabs{{Provider: api.ProviderOctopus, Mode: "SANDBOX"}, {Provider: api.ProviderOneClick, Mode: "SANDBOX"}},
			Ordering: map[api.Provider]ui.OrderingDeps{api.ProviderOctopus: {
				Catalog: catalog{}, Placer: pl, Place: pl.PlaceOrder}},
			NewReference: func() string { return "ow-3f9c0a7d21e4b6c8" },
			Alerts:       al,
		})
		r := &runner{m: m, msgs: make(chan tea.Msg, 1024)}
		m.Update(tea.WindowSizeMsg{Width: s.w, Height: s.h})
		m.Apply(uitest.Demo())
		m.Apply(uitest.OneClickStatus())
		m.Apply(uitest.OrderUpdates(uitest.OneClick(), true))
		if al != nil {
			m.ApplyAlerts(al.Snapshot())
		}
		now = uitest.Epoch
		for _, k := range s.keys {
			if k == "wait:" {
				r.settle()
				continue
			}
			r.deliver(uitest.Key(k))
		}
		r.settle()
		path := filepath.Join(*out, s.name+".png")
		if err := screenshot.SavePNG(path, m.View().Content, s.w, s.h, screenshot.Dark); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(path)
	}
}

// runner is a minimal program loop: commands run in goroutines and their
// messages are delivered here, one at a time, until things are quiet.
type runner struct {
	m    *ui.Model
	msgs chan tea.Msg
}

var cmdType = reflect.TypeOf((tea.Cmd)(nil))

func (r *runner) exec(cmd tea.Cmd) {
	if cmd != nil {
		go func() { r.msgs <- cmd() }()
	}
}

func (r *runner) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			r.exec(c)
		}
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		for i := 0; i < v.Len(); i++ {
			r.exec(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	_, cmd := r.m.Update(msg)
	r.exec(cmd)
}

// settle delivers messages until none arrived for a moment.
func (r *runner) settle() {
	for {
		select {
		case msg := <-r.msgs:
			r.deliver(msg)
		case <-time.After(150 * time.Millisecond):
			return
		}
	}
}

// catalog is a small fixed voucher catalogue for the form's pictures.
type catalog struct{}

var products = []api.Product{
	{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "2040", Name: "Steam Wallet EU", Category: "Gaming",
		CountryCode: "DEU", Currency: "EUR", Enabled: true,
		Denominations: []api.Denomination{{Min: 10, Max: 10, Discount: 3}, {Min: 20, Max: 20, Discount: 3}, {Min: 50, Max: 50, Discount: 3}}},
	{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "1021", Name: "Amazon.com US", Category: "Shopping",
		CountryCode: "USA", Currency: "USD", Enabled: true, Denominations: []api.Denomination{{Min: 1, Max: 2000, Discount: 2}}},
	{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "1102", Name: "Google Play US", Category: "Apps",
		CountryCode: "USA", Currency: "USD", Enabled: true, Denominations: []api.Denomination{{Min: 10, Max: 10}, {Min: 25, Max: 25}}},
	{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "3001", Name: "Netflix TR", Category: "Entertainment",
		CountryCode: "TUR", Currency: "TRY", Enabled: true, Denominations: []api.Denomination{{Min: 100, Max: 100}}},
}

func (catalog) Products(_ context.Context, v api.Vertical, _ string) ([]api.Product, error) {
	var out []api.Product
	for _, p := range products {
		if p.Vertical == v {
			out = append(out, p)
		}
	}
	return out, nil
}

func (catalog) Product(_ context.Context, v api.Vertical, id string) (api.Product, error) {
	for _, p := range products {
		if p.Vertical == v && p.ID == id {
			return p, nil
		}
	}
	return api.Product{}, &api.Error{Kind: api.KindNotFound, Message: "Product not found"}
}

// placer quotes 3 % off and delivers the codes of a synchronous order.
type placer struct{}

func (*placer) Quote(_ context.Context, r api.OrderRequest) (api.Quote, error) {
	face := r.Amount * float64(max(r.Quantity, 1))
	return api.Quote{Vertical: r.Vertical, FaceValue: face, Discount: face * 0.03, DiscountPct: 3, Total: face * 0.97,
		TotalPayable: face * 0.97, Currency: "EUR", WalletCurrency: "EUR"}, nil
}

func (*placer) PlaceOrder(_ context.Context, r api.OrderRequest) (api.Order, error) {
	o := api.Order{Provider: api.ProviderOctopus, Vertical: r.Vertical, ID: "48231", ClientReference: r.ClientReference,
		Status: api.StatusDelivered, RawStatus: "DELIVERED", ProductID: r.ProductID, ProductName: "Steam Wallet EU",
		Denomination: r.Amount, Amount: r.Amount * float64(r.Quantity), Currency: "EUR", Quantity: r.Quantity,
		DeliveredQuantity: r.Quantity, CreatedAt: uitest.Epoch}
	codes := []string{"SW7K-29XF-LM3P-4410", "SW2M-77QD-PL0Z-8821", "SW9R-05TE-KQ4N-3307"}
	for i := 0; i < r.Quantity && i < len(codes); i++ {
		o.Vouchers = append(o.Vouchers, api.Voucher{CardNumber: codes[i], PIN: fmt.Sprintf("%04d-%04d", 4417+i, 2290+i)})
	}
	return o, nil
}

// alertsFor is the demo alert engine for the shots that show alerts. It is
// built fresh for each call: its state is the same every time.
func alertsFor(s shot) ui.Alerts {
	if !withAlerts[s.name] {
		return nil
	}
	return uitest.Alerts()
}
