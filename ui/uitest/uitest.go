// Package uitest holds a fake engine.Controller and deterministic demo data
// for the dashboard's tests, benchmarks and screenshots.
package uitest

import (
	"fmt"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

// Epoch is the fixed clock of every fixture.
var Epoch = time.Date(2026, 5, 14, 10, 30, 0, 0, time.UTC)

// Clock returns a fixed clock at Epoch plus d.
func Clock(d time.Duration) func() time.Time {
	t := Epoch.Add(d)
	return func() time.Time { return t }
}

// Controller is a fake engine.Controller that records the calls made to it.
type Controller struct {
	mu        sync.Mutex
	ch        chan engine.Batch
	snapshot  []engine.Tracked
	Refreshed []api.OrderKey
	Focused   []api.OrderKey
	Pinned    []api.OrderKey
	Tracked   []api.Order
	PinErr    error
}

// NewController returns a fake whose Updates channel has room for n batches.
func NewController(n int, snapshot ...engine.Tracked) *Controller {
	return &Controller{ch: make(chan engine.Batch, n), snapshot: snapshot}
}

// Send queues a batch for the UI.
func (c *Controller) Send(b engine.Batch) { c.ch <- b }

// Close ends the update stream.
func (c *Controller) Close() { close(c.ch) }

func (c *Controller) Updates() <-chan engine.Batch { return c.ch }

func (c *Controller) Refresh(k api.OrderKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Refreshed = append(c.Refreshed, k)
}

func (c *Controller) Focus(k api.OrderKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Focused = append(c.Focused, k)
}

func (c *Controller) Track(o api.Order, _ engine.Origin) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Tracked = append(c.Tracked, o)
}

func (c *Controller) Pin(k api.OrderKey) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.PinErr != nil {
		return c.PinErr
	}
	c.Pinned = append(c.Pinned, k)
	return nil
}

func (c *Controller) Snapshot() []engine.Tracked {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]engine.Tracked(nil), c.snapshot...)
}

// Calls returns copies of the recorded calls.
func (c *Controller) Calls() (refreshed, focused, pinned []api.OrderKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]api.OrderKey(nil), c.Refreshed...), append([]api.OrderKey(nil), c.Focused...),
		append([]api.OrderKey(nil), c.Pinned...)
}

func ago(d time.Duration) time.Time { return Epoch.Add(-d) }

// tracked wraps an order with deterministic timing.
func tracked(o api.Order, lastChecked, next time.Duration, hist ...engine.Event) engine.Tracked {
	t := engine.Tracked{
		Order:       o,
		Origin:      engine.OriginDiscovered,
		Phase:       engine.PhaseForeground,
		FirstSeen:   o.CreatedAt,
		LastChecked: ago(lastChecked),
		History:     hist,
	}
	if next > 0 {
		t.NextCheck = Epoch.Add(next)
	}
	if !o.Status.InFlight() {
		t.Phase = engine.PhaseDone
		t.NextCheck = time.Time{}
	}
	return t
}

func ev(at time.Duration, src engine.Source, from, to api.Status, rawFrom, rawTo, note string) engine.Event {
	return engine.Event{At: ago(at), Source: src, From: from, To: to, RawFrom: rawFrom, RawTo: rawTo, Changed: from != to || rawFrom != rawTo, Note: note}
}

// Voucher orders.
func Vouchers() []engine.Tracked {
	amazon := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "48213", ClientReference: "ow-7f3a9c21",
		Status: api.StatusDelivered, RawStatus: "DELIVERED", ProductID: "1021", ProductName: "Amazon.com US",
		Denomination: 25, Amount: 50, Currency: "USD", Discount: 1.25, Debited: 48.75, Quantity: 2, DeliveredQuantity: 2,
		CreatedAt: ago(4 * time.Minute), UpdatedAt: ago(3 * time.Minute), CompletedAt: ago(3 * time.Minute),
		WalletID: "w-usd-1", TransactionID: "tx-99120", CountryCode: "US",
		Vouchers: []api.Voucher{
			{CardNumber: "AQ7K-29XF-LM3P-8812", PIN: "4417-2290", ClaimURL: "https://claim.example.com/v/8f2a", ExpiresAt: time.Date(2027, 5, 14, 0, 0, 0, 0, time.UTC), Reference: "VRN-100231"},
			{CardNumber: "BX2M-77QD-PL0Z-1930", PIN: "9021-5561", ClaimURL: "https://claim.example.com/v/91c0", ExpiresAt: time.Date(2027, 5, 14, 0, 0, 0, 0, time.UTC), Reference: "VRN-100232"},
		},
	}
	steam := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "48220", ClientReference: "ow-0b11d4e8",
		Status: api.StatusPending, RawStatus: "PENDING", ProductID: "2040", ProductName: "Steam Wallet EU",
		Denomination: 20, Amount: 60, Currency: "EUR", Quantity: 3, CreatedAt: ago(40 * time.Second),
	}
	partial := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "48219", ClientReference: "ow-c3d2e1f0",
		Status: api.StatusPartial, RawStatus: "PARTIALLY_DELIVERED", ProductID: "1102", ProductName: "Google Play US",
		Denomination: 10, Amount: 50, Currency: "USD", Debited: 50, Refunded: 30, Quantity: 5, DeliveredQuantity: 2,
		CreatedAt: ago(2 * time.Minute),
		Vouchers:  []api.Voucher{{CardNumber: "GPLAY-11AA-22BB", PIN: "", ClaimURL: "https://play.example.com/r/1"}, {CardNumber: "GPLAY-33CC-44DD"}},
	}
	failed := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "48207", ClientReference: "ow-deadbeef",
		Status: api.StatusFailed, RawStatus: "FAILED", ProductID: "3001", ProductName: "Netflix TR",
		Denomination: 100, Amount: 100, Currency: "TRY", Debited: 100, Refunded: 100, Quantity: 1,
		CreatedAt: ago(9 * time.Minute), FailureCode: "OUT_OF_STOCK", FailureReason: "Product temporarily out of stock",
	}
	odd := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "48199", ClientReference: "ow-5e5e5e5e",
		Status: api.StatusUnknown, RawStatus: "RECHARGED", ProductID: "1021", ProductName: "Amazon.com US",
		Denomination: 10, Amount: 10, Currency: "USD", Quantity: 1, CreatedAt: ago(26 * time.Minute),
	}
	return []engine.Tracked{
		tracked(amazon, 3*time.Minute, 0,
			ev(4*time.Minute, engine.SourceCreate, "", api.StatusPending, "", "PENDING", ""),
			ev(3*time.Minute+30*time.Second, engine.SourcePoll, api.StatusPending, api.StatusPending, "PENDING", "PENDING", ""),
			ev(3*time.Minute, engine.SourceWebhook, api.StatusPending, api.StatusDelivered, "PENDING", "DELIVERED", "order.delivered")),
		tracked(steam, 5*time.Second, 5*time.Second, ev(40*time.Second, engine.SourceList, "", api.StatusPending, "", "PENDING", "")),
		tracked(partial, 20*time.Second, 30*time.Second,
			ev(2*time.Minute, engine.SourceCreate, "", api.StatusPending, "", "PENDING", ""),
			ev(70*time.Second, engine.SourcePoll, api.StatusPending, api.StatusPartial, "PENDING", "PARTIALLY_DELIVERED", "2 of 5")),
		tracked(failed, 8*time.Minute, 0,
			ev(9*time.Minute, engine.SourceList, "", api.StatusPending, "", "PENDING", ""),
			ev(8*time.Minute, engine.SourcePoll, api.StatusPending, api.StatusFailed, "PENDING", "FAILED", "refunded 100 TRY")),
		tracked(odd, 15*time.Second, 60*time.Second,
			ev(26*time.Minute, engine.SourceList, "", api.StatusUnknown, "", "RECHARGED", "unknown status, still polled")),
	}
}

// Topups returns topup orders, one of them failed and user-fixable.
func Topups() []engine.Tracked {
	ok := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalTopup, ID: "77102", ClientReference: "ow-top-0001",
		Status: api.StatusDelivered, RawStatus: "DELIVERED", ProductID: "501", ProductName: "PUBG Mobile",
		VariantName: "660 UC", Amount: 9.99, Currency: "USD", Debited: 9.49, Quantity: 1, DeliveredQuantity: 1,
		CreatedAt: ago(6 * time.Minute), CompletedAt: ago(5 * time.Minute), StatusText: "Top-up completed",
		InputData: map[string]string{"player_id": "5123456789"}, Recipient: "5123456789", TransactionID: "tx-88001",
	}
	bad := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalTopup, ID: "77105", ClientReference: "ow-top-0002",
		Status: api.StatusFailed, RawStatus: "FAILED", ProductID: "501", ProductName: "PUBG Mobile",
		VariantName: "325 UC", Amount: 4.99, Currency: "USD", Debited: 4.99, Refunded: 4.99, Quantity: 1,
		CreatedAt: ago(3 * time.Minute), FailureCode: "INVALID_PLAYER_ID",
		FailureReason: "The player ID does not exist", UserFixable: true,
		InputData: map[string]string{"player_id": "0000000000"}, Recipient: "0000000000",
	}
	mobile := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalTopup, ID: "77110", ClientReference: "ow-top-0003",
		Status: api.StatusPending, RawStatus: "PENDING", ProductID: "610", ProductName: "Vodafone UK",
		VariantName: "GBP 10", Amount: 10, Currency: "GBP", Quantity: 1, CreatedAt: ago(25 * time.Second),
		InputData: map[string]string{"phone_number": "+447700900123"}, Recipient: "+447700900123",
	}
	return []engine.Tracked{
		tracked(ok, 5*time.Minute, 0,
			ev(6*time.Minute, engine.SourceCreate, "", api.StatusPending, "", "PENDING", ""),
			ev(5*time.Minute, engine.SourcePoll, api.StatusPending, api.StatusDelivered, "PENDING", "DELIVERED", "")),
		tracked(bad, 2*time.Minute, 0,
			ev(3*time.Minute, engine.SourceCreate, "", api.StatusPending, "", "PENDING", ""),
			ev(2*time.Minute, engine.SourcePoll, api.StatusPending, api.StatusFailed, "PENDING", "FAILED", "INVALID_PLAYER_ID")),
		tracked(mobile, 3*time.Second, 2*time.Second, ev(25*time.Second, engine.SourceCreate, "", api.StatusPending, "", "PENDING", "")),
	}
}

// LPA is the demo eSIM activation code.
const LPA = "LPA:1$smdp.example.com$K2-1F7QX-9ZJ3LM"

// ESIMs returns eSIM orders at several install stages.
func ESIMs() []engine.Tracked {
	fresh := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalESIM, ID: "9031", ClientReference: "ow-esim-01",
		Status: api.StatusDelivered, RawStatus: "DELIVERED", ProductID: "eu-5gb", ProductName: "Europe 5 GB",
		VariantName: "30 days", Amount: 12.5, Currency: "USD", Debited: 12.5, Quantity: 1, DeliveredQuantity: 1,
		CreatedAt: ago(8 * time.Minute), CompletedAt: ago(7*time.Minute + 50*time.Second), CountryCode: "EU",
		ESIM: &api.ESIM{ICCID: "8944500102198304826", ActivationCode: LPA, ActivationStatus: api.ActivationNotInstalled,
			DataGB: 5, ValidityDays: 30},
	}
	active := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalESIM, ID: "9024", ClientReference: "ow-esim-02",
		Status: api.StatusDelivered, RawStatus: "DELIVERED", ProductID: "jp-10gb", ProductName: "Japan 10 GB",
		VariantName: "15 days", Amount: 18, Currency: "USD", Debited: 18, Quantity: 1, DeliveredQuantity: 1,
		CreatedAt: ago(50 * time.Minute), CompletedAt: ago(49 * time.Minute),
		ESIM: &api.ESIM{ICCID: "8981100022152331447", ActivationStatus: api.ActivationActive, Installed: true,
			InstalledAt: ago(30 * time.Minute), ActivatedAt: ago(29 * time.Minute), DataGB: 10, ValidityDays: 15},
	}
	pending := api.Order{
		Provider: api.ProviderOctopus, Vertical: api.VerticalESIM, ID: "9035", ClientReference: "ow-esim-03",
		Status: api.StatusPending, RawStatus: "PENDING", ProductID: "us-3gb", ProductName: "USA 3 GB",
		VariantName: "7 days", Amount: 6, Currency: "USD", Quantity: 1, CreatedAt: ago(12 * time.Second),
	}
	tf := tracked(fresh, 40*time.Second, 20*time.Second,
		ev(8*time.Minute, engine.SourceCreate, "", api.StatusPending, "", "PENDING", ""),
		ev(7*time.Minute+50*time.Second, engine.SourcePoll, api.StatusPending, api.StatusDelivered, "PENDING", "DELIVERED", "install: NOT_INSTALLED"))
	tf.Phase = engine.PhaseInstall
	tf.NextCheck = Epoch.Add(20 * time.Second)
	return []engine.Tracked{
		tf,
		tracked(active, 29*time.Minute, 0, ev(29*time.Minute, engine.SourcePoll, api.StatusDelivered, api.StatusDelivered, "DELIVERED", "DELIVERED", "install: ACTIVE")),
		tracked(pending, 2*time.Second, 3*time.Second),
	}
}

// OrderUpdates wraps snapshots as new-order updates.
func OrderUpdates(ts []engine.Tracked, isNew bool) engine.Batch {
	var b engine.Batch
	for _, t := range ts {
		var e *engine.Event
		if n := len(t.History); n > 0 {
			h := t.History[n-1]
			e = &h
		}
		b = append(b, engine.OrderUpdate{Tracked: t, New: isNew, Event: e})
	}
	return b
}

// Status returns the non-order updates of a healthy sandbox.
func Status() engine.Batch {
	return engine.Batch{
		engine.WalletUpdate{Provider: api.ProviderOctopus, At: Epoch, Wallets: []api.Wallet{
			{Provider: api.ProviderOctopus, ID: "w-usd-1", Currency: "USD", Balance: 1234.5},
			{Provider: api.ProviderOctopus, ID: "w-eur-1", Currency: "EUR", Balance: 310},
		}},
		engine.BudgetUpdate{Provider: api.ProviderOctopus, PerMinute: 60, Available: 48, UsedLastMin: 12, Got429: 0},
		engine.WebhookUpdate{Enabled: true, Addr: "127.0.0.1:8089", Received: 3},
		engine.ListUpdate{Vertical: api.VerticalVoucher, At: ago(4 * time.Second), Pending: 1},
		engine.ListUpdate{Vertical: api.VerticalTopup, At: ago(9 * time.Second), Pending: 1},
		engine.ListUpdate{Vertical: api.VerticalESIM, At: ago(14 * time.Second), Pending: 1},
	}
}

// Demo is every fixture in one batch: status plus all orders, as new.
func Demo() engine.Batch {
	b := Status()
	b = append(b, OrderUpdates(Vouchers(), true)...)
	b = append(b, OrderUpdates(Topups(), true)...)
	b = append(b, OrderUpdates(ESIMs(), true)...)
	return b
}

// Many returns n synthetic voucher orders, ids v000000…, statuses mixed.
func Many(n int) []engine.Tracked {
	statuses := []struct {
		s   api.Status
		raw string
	}{{api.StatusPending, "PENDING"}, {api.StatusDelivered, "DELIVERED"}, {api.StatusFailed, "FAILED"}, {api.StatusPartial, "PARTIALLY_DELIVERED"}}
	out := make([]engine.Tracked, n)
	for i := range out {
		st := statuses[i%len(statuses)]
		if i%7 != 0 {
			st = statuses[1]
		}
		o := api.Order{
			Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: fmt.Sprintf("v%07d", i),
			ClientReference: fmt.Sprintf("ref-%07d", i), Status: st.s, RawStatus: st.raw,
			ProductName: fmt.Sprintf("Product %d", i%97), Amount: float64(5 + i%200), Currency: "USD",
			Quantity: 1 + i%3, DeliveredQuantity: i % 2, CreatedAt: Epoch.Add(-time.Duration(i) * time.Second),
		}
		out[i] = engine.Tracked{Order: o, FirstSeen: o.CreatedAt, LastChecked: Epoch.Add(-time.Second), NextCheck: Epoch.Add(5 * time.Second)}
	}
	return out
}

// OneClick returns OneClickDz orders: a partially filled gift card, a
// delivered internet top-up with its card, a refunded mobile top-up with
// suggested offers, and an uncertain one.
func OneClick() []engine.Tracked {
	gift := api.Order{
		Provider: api.ProviderOneClick, Vertical: api.VerticalGiftCard, ID: "6901616fe9e88196b4eb64b3",
		ClientReference: "ow-20260514-0a1b2c3d4e", Status: api.StatusPartial, RawStatus: "PARTIALLY_FILLED",
		ProductID: "507f1f77bcf86cd799439011", ProductName: "PlayStation Network", VariantID: "type_001",
		VariantName: "PSN 500 DA", Denomination: 490, Amount: 1960, Currency: "DZD", Debited: 980, Refunded: 980,
		Quantity: 4, DeliveredQuantity: 2, CreatedAt: ago(3 * time.Minute), CompletedAt: ago(2*time.Minute + 40*time.Second),
		Vouchers: []api.Voucher{{CardNumber: "PSN-4KQ2-88TR-1XZA", Serial: "SN-1001"}, {CardNumber: "PSN-9JHD-21PL-7WQE", Serial: "SN-1002"}},
	}
	internet := api.Order{
		Provider: api.ProviderOneClick, Vertical: api.VerticalInternet, ID: "690161a3e9e88196b4eb6545",
		ClientReference: "ow-adsl-77", Status: api.StatusDelivered, RawStatus: "FULFILLED", VariantName: "ADSL",
		Amount: 1000, Currency: "DZD", Quantity: 1, DeliveredQuantity: 1, Recipient: "036362608",
		CreatedAt: ago(6 * time.Minute), CompletedAt: ago(5*time.Minute + 30*time.Second),
		Vouchers: []api.Voucher{{CardNumber: "123456789012", Reference: "AT-2025-12345"}},
	}
	refunded := api.Order{
		Provider: api.ProviderOneClick, Vertical: api.VerticalMobile, ID: "6901616fe9e88196b4eb64b0",
		ClientReference: "ow-mob-2", Status: api.StatusRefunded, RawStatus: "REFUNDED", ProductID: "PREPAID_DJEZZY",
		VariantName: "PREPAID_DJEZZY", Amount: 500, Currency: "DZD", Quantity: 1, Recipient: "0600000002",
		CreatedAt: ago(4 * time.Minute), FailureReason: "this phone number does not accept the offer sent",
		SuggestedOffers: []api.Offer{{Name: "FACTURE", PlanCode: "FACTURE_DJEZZY", Amount: 500}},
	}
	uncertain := api.Order{
		Provider: api.ProviderOneClick, Vertical: api.VerticalMobile, ID: "6901616fe9e88196b4eb64b7",
		ClientReference: "ow-mob-3", Status: api.StatusUncertain, RawStatus: "UNKNOWN_ERROR", ProductID: "PREPAID_MOBILIS",
		VariantName: "PREPAID_MOBILIS", Amount: 1000, Currency: "DZD", Debited: 960, Quantity: 1, Recipient: "0600000003",
		CreatedAt: ago(20 * time.Minute),
	}
	tu := tracked(uncertain, 2*time.Minute, 28*time.Minute,
		ev(20*time.Minute, engine.SourceCreate, "", api.StatusPending, "", "PENDING", ""),
		ev(19*time.Minute, engine.SourcePoll, api.StatusProcessing, api.StatusUncertain, "HANDLING", "UNKNOWN_ERROR", ""))
	tu.Phase = engine.PhaseBackground
	tg := tracked(gift, 2*time.Minute+40*time.Second, 0,
		ev(3*time.Minute, engine.SourceCreate, "", api.StatusProcessing, "", "HANDLING", ""),
		ev(2*time.Minute+40*time.Second, engine.SourcePoll, api.StatusProcessing, api.StatusPartial, "HANDLING", "PARTIALLY_FILLED", ""))
	tg.Phase, tg.NextCheck = engine.PhaseDone, time.Time{} // PARTIALLY_FILLED is final at OneClickDz
	return []engine.Tracked{
		tg,
		tracked(internet, 5*time.Minute, 0),
		tracked(refunded, 3*time.Minute, 0),
		tu,
	}
}

// OneClickStatus is the OneClickDz side of a healthy sandbox.
func OneClickStatus() engine.Batch {
	return engine.Batch{
		engine.WalletUpdate{Provider: api.ProviderOneClick, At: Epoch, Wallets: []api.Wallet{
			{Provider: api.ProviderOneClick, ID: "DZD", Currency: "DZD", Balance: 48040}}},
		engine.BudgetUpdate{Provider: api.ProviderOneClick, PerMinute: 100, Available: 90, UsedLastMin: 10},
	}
}
