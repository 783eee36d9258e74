package uitest

import (
	"fmt"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/engine/alerts"
)

// Alerts returns an alert engine that watched an hour of deterministic
// traffic ending at Epoch: charts with data, a stuck voucher batch, a failing
// operator, a low wallet, an acknowledged problem and a cleared outage.
func Alerts() *alerts.Engine {
	now := Epoch.Add(-time.Hour)
	e := alerts.New(alerts.Config{Now: func() time.Time { return now }})
	at := func(t time.Time) { now = t }
	seq := 0
	order := func(v api.Vertical, product string, created time.Time) api.Order {
		seq++
		return api.Order{Provider: v.Provider(), Vertical: v, ID: fmt.Sprint(60000 + seq), ProductName: product,
			Status: api.StatusPending, CreatedAt: created, Currency: "USD", Debited: 10}
	}
	finish := func(o api.Order, st api.Status, after time.Duration) engine.OrderUpdate {
		o.Status, o.CompletedAt = st, o.CreatedAt.Add(after)
		return engine.OrderUpdate{Tracked: engine.Tracked{Order: o, FirstSeen: o.CreatedAt},
			Event: &engine.Event{At: o.CompletedAt, From: api.StatusPending, To: st, Changed: true}}
	}
	usd, dzd := 4500.0, 90000.0
	for i := range 60 {
		t := Epoch.Add(time.Duration(i-60) * time.Minute)
		at(t)
		var b engine.Batch
		for v, n := range map[api.Vertical]int{api.VerticalVoucher: 2 + i%4, api.VerticalTopup: 3 + (i*7)%5, api.VerticalMobile: 1 + i%3} {
			for j := range n {
				o := order(v, "Steam Wallet USD", t)
				b = append(b, engine.OrderUpdate{Tracked: engine.Tracked{Order: o, FirstSeen: t}, New: true})
				st := api.StatusDelivered
				if (i+j)%17 == 0 || (v == api.VerticalTopup && i > 44 && j == 0) {
					st = api.StatusFailed
				}
				b = append(b, finish(o, st, time.Duration(8+(i*13+j*7)%50)*time.Second))
			}
		}
		usd -= 60 + float64(i%7)*5
		dzd -= 900
		b = append(b, engine.WalletUpdate{Provider: api.ProviderOctopus, At: t, Wallets: []api.Wallet{{Provider: api.ProviderOctopus, ID: "1", Currency: "USD", Balance: usd}}},
			engine.WalletUpdate{Provider: api.ProviderOneClick, At: t, Wallets: []api.Wallet{{Provider: api.ProviderOneClick, Currency: "DZD", Balance: dzd}}})
		b = append(b, engine.WebhookUpdate{Enabled: true, Addr: "127.0.0.1:8089", Received: i, LastAt: t})
		if i == 20 { // an outage that cleared
			for range 6 {
				b = append(b, engine.ErrorUpdate{Provider: api.ProviderOneClick, At: t, Err: "500"})
			}
		}
		e.Observe(b)
	}
	at(Epoch.Add(-14 * time.Minute))
	stuck := order(api.VerticalVoucher, "Steam Wallet USD", now)
	stuck.Quantity = 404
	e.Observe(engine.Batch{engine.OrderUpdate{Tracked: engine.Tracked{Order: stuck, FirstSeen: now}, New: true}})
	at(Epoch.Add(-3 * time.Minute))
	var fail engine.Batch
	for range 4 {
		o := order(api.VerticalTopup, "Airtel India", now.Add(-20*time.Second))
		fail = append(fail, engine.OrderUpdate{Tracked: engine.Tracked{Order: o, FirstSeen: o.CreatedAt}, New: true},
			finish(o, api.StatusFailed, 15*time.Second))
	}
	e.Observe(fail)
	at(Epoch)
	e.Observe(Demo())
	e.Observe(engine.Batch{engine.WalletUpdate{Provider: api.ProviderOctopus, At: now,
		Wallets: []api.Wallet{{Provider: api.ProviderOctopus, ID: "1", Currency: "USD", Balance: usd}}}})
	_ = e.Acknowledge("partial:voucher", "alice")
	return e
}
