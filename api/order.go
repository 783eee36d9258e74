package api

import (
	"fmt"
	"time"
)

// Order is the normalized view of one order of any vertical. Fields a
// provider does not send stay at their zero value. Values are treated as
// immutable once published: use Clone before changing a shared one.
type Order struct {
	Provider Provider
	Vertical Vertical
	// ID is the provider's id as text (Octopus ints, OneClickDz ObjectIds).
	ID string
	// ClientReference is the idempotency key: Octopus client_reference,
	// OneClickDz ref. Empty when the order has none (OneClickDz gift cards).
	ClientReference string

	Status     Status
	RawStatus  string // exactly what the provider sent
	StatusText string // provider's human text (status_text), if any

	ProductID   string
	ProductName string
	VariantID   string
	VariantName string // topup variant, eSIM plan, OneClickDz plan_code or type
	Category    string
	CountryCode string

	// Denomination is the face value of one unit (vouchers, gift cards).
	Denomination float64
	// Amount is the face value in Currency, what the customer gets: the face
	// total of vouchers, a topup's requested amount, OneClickDz topup_amount;
	// an eSIM plan's price (a plan has no other face value); a gift-card
	// order's price (OneClickDz sends no face value).
	Amount   float64
	Currency string
	Discount float64
	// Paid is the price paid in Currency, after discounts; 0 if unknown.
	Paid float64
	// Debited is what the wallet paid (deduction_amount, balance_amount,
	// fulfilled_amount), in DebitCurrency; 0 if unknown.
	Debited float64
	// DebitCurrency is the paying wallet's currency, for Debited and
	// Refunded; empty means Currency.
	DebitCurrency string
	// Refunded is what came back to the wallet (failed orders, partial fills).
	Refunded float64

	Quantity          int
	DeliveredQuantity int

	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt time.Time

	// Vouchers and gift cards delivered. Secret fields are masked by the UI.
	Vouchers []Voucher
	// ESIM is set for eSIM orders.
	ESIM *ESIM

	// Recipient of a top-up: MSISDN for mobile, line number for internet,
	// phone_number or player_id for Octopus topups.
	Recipient string
	InputData map[string]string

	FailureCode   string
	FailureReason string
	UserFixable   bool
	// SuggestedOffers come with a OneClickDz plan mismatch.
	SuggestedOffers []Offer

	WalletID      string
	TransactionID string
	Email         string
}

// Key identifies the order.
func (o Order) Key() OrderKey { return OrderKey{Vertical: o.Vertical, ID: o.ID} }

// StatusLabel is what a table shows: the normalized name, or the raw value
// verbatim when the status is unknown.
func (o Order) StatusLabel() string {
	if o.Status == StatusUnknown || o.Status == "" {
		if o.RawStatus == "" {
			return "UNKNOWN"
		}
		return o.RawStatus
	}
	return string(o.Status)
}

// Clone returns a deep copy, so a published order is never shared mutably.
func (o Order) Clone() Order {
	c := o
	if o.Vouchers != nil {
		c.Vouchers = append([]Voucher(nil), o.Vouchers...)
	}
	if o.ESIM != nil {
		e := *o.ESIM
		c.ESIM = &e
	}
	if o.InputData != nil {
		c.InputData = make(map[string]string, len(o.InputData))
		for k, v := range o.InputData {
			c.InputData[k] = v
		}
	}
	if o.SuggestedOffers != nil {
		c.SuggestedOffers = append([]Offer(nil), o.SuggestedOffers...)
	}
	return c
}

// Voucher is one delivered code: an Octopus voucher or a OneClickDz card
// (value → CardNumber, serial → Serial) or an internet recharge card.
type Voucher struct {
	CardNumber string
	PIN        string
	Serial     string
	ClaimURL   string
	ExpiresAt  time.Time
	Reference  string // voucher_reference_number, num_trans
}

// String never shows the code or the PIN.
func (v Voucher) String() string {
	return fmt.Sprintf("Voucher{card:%s, pin:%s}", Mask(v.CardNumber), Mask(v.PIN))
}

// ESIM carries the eSIM fields of an order.
type ESIM struct {
	ICCID            string
	ActivationCode   string // LPA string; absent once installed
	ActivationStatus ActivationStatus
	RawActivation    string
	Installed        bool
	InstalledAt      time.Time
	ActivatedAt      time.Time
	DataGB           float64
	ValidityDays     int
}

// Offer is an alternative plan a provider suggests after a mismatch.
type Offer struct {
	Name     string
	PlanCode string
	Amount   float64
}

// Mask hides all but the last four characters of a secret value.
func Mask(s string) string {
	if s == "" {
		return ""
	}
	r := []rune(s)
	keep := 4
	if len(r) <= 6 {
		keep = 0
	}
	out := make([]rune, len(r))
	for i := range r {
		if i >= len(r)-keep || r[i] == '-' || r[i] == ' ' {
			out[i] = r[i]
		} else {
			out[i] = '•'
		}
	}
	return string(out)
}
