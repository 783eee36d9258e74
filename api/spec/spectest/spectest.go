// Package spectest is test support for the recipe "add a vertical": a
// made-up vertical, kiosk (a seat ticket), described by one spec in this one
// file, with a catalogue and a placer to sell it. Tests of the order form and
// of `orderwatch place` register it and drive both through the spec alone.
package spectest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Kiosk is the made-up vertical, sold by the made-up provider KioskCo.
const (
	Kiosk   api.Vertical = "kiosk"
	KioskCo api.Provider = "kioskco"
)

const keySeat = "seat"

var reSeat = regexp.MustCompile(`^[A-Z][0-9]{1,2}$`)

// ValidateSeat is the vertical's own input rule: a row letter and a number.
func ValidateSeat(s string) error {
	if !reSeat.MatchString(s) {
		return api.FieldError(keySeat, "%q is not a seat: want a row letter and a number, e.g. A12", api.TruncateText(s, 20))
	}
	return nil
}

// Spec is the kiosk vertical: a show (the product), a seat, a reference.
func Spec() *api.Spec {
	return &api.Spec{
		Vertical: Kiosk,
		Title:    "New kiosk ticket",
		Details: func(p *api.Product, v api.Values) []api.Field {
			return []api.Field{{Key: keySeat, Title: "Seat", Placeholder: "A12", Description: "A row letter and a number.",
				Check: func(s string, _ api.Values) error { return ValidateSeat(strings.TrimSpace(s)) }}, api.ReferenceField()}
		},
		Prefill: func(r api.OrderRequest, v api.Values) { v[keySeat] = r.Recipient },
		Request: func(p *api.Product, v api.Values) (api.OrderRequest, error) {
			r := api.BaseRequest(Kiosk, p, v)
			r.Recipient = strings.TrimSpace(v[keySeat])
			if p != nil && len(p.Variants) > 0 {
				r.Amount = p.Variants[0].Price
			}
			return r, nil
		},
		Validate: func(r api.OrderRequest, p *api.Product) error {
			var c api.Collect
			c.Add(api.CheckProduct(r, p))
			c.Add(ValidateSeat(r.Recipient))
			c.Add(api.ValidateOneUnit(Kiosk, r.Quantity))
			c.Add(api.ValidateReference(r.ClientReference))
			return c.Err()
		},
		Summary: func(r api.OrderRequest, _ *api.Product, _ api.Values) []api.Row {
			return []api.Row{{Label: "Seat", Value: r.Recipient}, {Label: "Reference", Value: r.ClientReference}}
		},
		Result: api.ResultSpec{RecipientLabel: func(api.Order) string { return "Seat" },
			Rows: func(o api.Order) []api.Row { return []api.Row{{Label: "Show", Value: o.ProductName}} }},
		Texts: api.Texts{Quoting: "asking the kiosk for the price…"},
		Place: api.PlaceSpec{
			Flags: []api.Flag{{Name: "product", Key: api.KeyProduct, Arg: "ID", Help: "the show"},
				{Name: "seat", Key: keySeat, Arg: "SEAT", Help: "a row letter and a number, e.g. A12"}},
			Example:    "orderwatch place kiosk --product show-1 --seat A12",
			ProductKey: api.KeyProduct,
			Check: func(v api.Values, set func(string) bool) error {
				if strings.TrimSpace(v[api.KeyProduct]) == "" {
					return errors.New("--product is required")
				}
				if err := ValidateSeat(v[keySeat]); err != nil {
					return fmt.Errorf("--seat: %s", err.(*api.Error).Message)
				}
				return nil
			},
			FlagOf: map[string]string{keySeat: "--seat"},
		},
	}
}

var once sync.Once

// Register registers the kiosk spec (once per test binary). Once the
// domain has a vertical registry, this is also where KioskCo and its one
// vertical are registered, so that the engine tracks and places it.
func Register() {
	once.Do(func() {
		api.RegisterProvider(api.ProviderInfo{ID: KioskCo, Title: "Kiosk Co", Order: 99,
			Verticals: []api.VerticalInfo{{ID: Kiosk, Title: "Kiosk", Tracking: api.Tracking{
				Intervals: []time.Duration{5 * time.Second}, Horizon: time.Minute,
				Final: []api.Status{api.StatusDelivered, api.StatusFailed}}}},
			Normalize: func(raw string) api.Status {
				if raw == "ISSUED" {
					return api.StatusDelivered
				}
				return api.StatusUnknown
			}})
		api.RegisterSpec(Spec())
	})
}

// Show is the one product of the kiosk's catalogue.
var Show = api.Product{Provider: KioskCo, Vertical: Kiosk, ID: "show-1", Name: "Evening Show", Currency: "USD", Enabled: true,
	Variants: []api.Variant{{ID: "std", Name: "Standard", Price: 12}}}

// Shop is a kiosk provider: catalogue, quotes, placing, and the order
// source the engine needs. Every order is delivered at once.
type Shop struct {
	mu     sync.Mutex
	Placed []api.OrderRequest
	orders map[string]api.Order
}

func (s *Shop) Provider() api.Provider    { return KioskCo }
func (s *Shop) Verticals() []api.Vertical { return []api.Vertical{Kiosk} }

func (s *Shop) Products(context.Context, api.Vertical, string) ([]api.Product, error) {
	return []api.Product{Show}, nil
}

func (s *Shop) Product(_ context.Context, _ api.Vertical, id string) (api.Product, error) {
	if id != Show.ID {
		return api.Product{}, &api.Error{Kind: api.KindNotFound, Message: "no such show"}
	}
	return Show, nil
}

func (s *Shop) Quote(_ context.Context, r api.OrderRequest) (api.Quote, error) {
	return api.Quote{Vertical: Kiosk, FaceValue: r.Amount, Total: r.Amount, TotalPayable: r.Amount, Currency: "USD", WalletCurrency: "USD"}, nil
}

func (s *Shop) PlaceOrder(_ context.Context, r api.OrderRequest) (api.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Placed = append(s.Placed, r)
	if s.orders == nil {
		s.orders = map[string]api.Order{}
	}
	o := api.Order{Provider: s.Provider(), Vertical: Kiosk, ID: fmt.Sprintf("k%d", len(s.Placed)), ClientReference: r.ClientReference,
		Status: api.StatusDelivered, RawStatus: "ISSUED", ProductID: r.ProductID, ProductName: Show.Name, Amount: r.Amount,
		Currency: "USD", Quantity: 1, DeliveredQuantity: 1, Recipient: r.Recipient}
	s.orders[o.ID] = o
	return o.Clone(), nil
}

func (s *Shop) GetOrder(_ context.Context, _ api.Vertical, id string) (api.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return api.Order{}, &api.Error{Kind: api.KindNotFound, Message: "no such ticket"}
	}
	return o.Clone(), nil
}

func (s *Shop) FindByReference(_ context.Context, _ api.Vertical, ref string) (api.Order, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orders {
		if o.ClientReference == ref {
			return o.Clone(), true, nil
		}
	}
	return api.Order{}, false, nil
}

func (s *Shop) ListOrders(context.Context, api.Vertical, api.ListQuery) (api.OrderPage, error) {
	return api.OrderPage{}, nil
}

func (s *Shop) Wallets(context.Context) ([]api.Wallet, error) {
	return []api.Wallet{{Provider: s.Provider(), ID: "kw", Currency: "USD", Balance: 100, Type: "PREPAID"}}, nil
}

// Requests returns what was placed.
func (s *Shop) Requests() []api.OrderRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]api.OrderRequest(nil), s.Placed...)
}
