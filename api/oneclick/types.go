package oneclick

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Lenient scalars: the provider's examples are not always typed alike, and a
// field we cannot read must not fail a whole status check.

type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*f = ""
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if b[0] == '-' || (b[0] >= '0' && b[0] <= '9') || string(b) == "true" || string(b) == "false" {
		*f = flexString(b)
		return nil
	}
	return &json.UnmarshalTypeError{Value: "non-scalar", Type: stringType}
}

type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*f = 0
		return nil
	}
	var s string
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*f = 0
			return nil
		}
	} else {
		s = string(b)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v || v > 1e15 || v < -1e15 {
		return &json.UnmarshalTypeError{Value: "number", Type: floatType}
	}
	*f = flexFloat(v)
	return nil
}

type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var v flexFloat
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	if v > 1e9 || v < -1e9 {
		return &json.UnmarshalTypeError{Value: "number", Type: intType}
	}
	*f = flexInt(v)
	return nil
}

type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(string(bytes.TrimSpace(b)), `"`) {
	case "true", "1":
		*f = true
	default:
		*f = false
	}
	return nil
}

// flexTime reads ISO-8601; an unreadable time is zero rather than an error.
type flexTime time.Time

func (f *flexTime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil {
		*f = flexTime{}
		return nil
	}
	*f = flexTime(parseTime(s))
	return nil
}

func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

var (
	stringType = typeOf[string]()
	floatType  = typeOf[float64]()
	intType    = typeOf[int]()
)

// --- account ------------------------------------------------------------------

// KeyInfo describes the API key in use.
type KeyInfo struct {
	Key        api.Secret `json:"key"`
	Enabled    bool       `json:"isEnabled"`
	Type       string     `json:"type"` // SANDBOX | PRODUCTION
	AllowedIPs []string   `json:"allowedips"`
	Scope      string     `json:"scope"` // READ-WRITE | READ-ONLY
}

// ValidateResult is /v3/validate.
type ValidateResult struct {
	Username string
	APIKey   KeyInfo
}

// Sandbox reports a SANDBOX key.
func (v ValidateResult) Sandbox() bool { return strings.EqualFold(v.APIKey.Type, "SANDBOX") }

// Balance is /v3/account/balance.
type Balance struct {
	Balance  float64
	Currency string // "DZD" when absent
}

// Transaction is one account movement.
type Transaction struct {
	ID         string
	Type       string // FLEXY, ADSL, ORDER, REFUND-FLEXY, REFUND-ADSL, REFUND-ORDER, DEPOSIT, …
	Operation  string
	Amount     float64
	OldBalance float64
	NewBalance float64
	ObjID      string
	Note       string
	Time       time.Time
}

// ListOptions narrows a list call. From and To go together on mobile/list
// and account/transactions.
type ListOptions struct {
	Page, PageSize int
	From, To       time.Time
}

// --- mobile -------------------------------------------------------------------

// Plan is a mobile plan; Dynamic plans take an amount in [Min, Max], fixed
// ones have Amount.
type Plan struct {
	Code, Name, Operator string
	Cost                 float64 // price multiplier; 0 when the provider gives none
	Enabled              bool
	Dynamic              bool
	Min, Max             float64
	Amount               float64
}

// Plans is /v3/mobile/plans.
type Plans struct {
	Dynamic, Fixed []Plan
}

// All returns dynamic then fixed plans.
func (p Plans) All() []Plan { return append(append([]Plan(nil), p.Dynamic...), p.Fixed...) }

// Find returns the plan with code (case-insensitive).
func (p Plans) Find(code string) (Plan, bool) {
	for _, x := range p.All() {
		if strings.EqualFold(x.Code, code) {
			return x, true
		}
	}
	return Plan{}, false
}

// SendResult is the answer of a send.
type SendResult struct {
	TopupID, TopupRef string
	NewBalance        float64
	HasNewBalance     bool
}

// MobileSendRequest is the body of /v3/mobile/send.
type MobileSendRequest struct {
	PlanCode string
	MSISDN   string // sent as MSSIDN (sic)
	Amount   int    // dynamic plans only; 0 is left out
	Ref      string // optional idempotency key
}

// SuggestedOffer is an offer proposed after a plan mismatch or GETMENU.
type SuggestedOffer struct {
	TypeName string
	PlanCode string
	Amount   float64
}

// MobileTopup is a mobile top-up as check-id, check-ref and list return it.
type MobileTopup struct {
	ID              string
	Ref             string
	Status          string
	PlanCode        string
	MSISDN          string
	TopupAmount     float64
	BalanceAmount   float64
	CreatedAt       time.Time
	RefundMessage   string
	SuggestedOffers []SuggestedOffer
	FollowOrderID   string
	RetryOrderID    string
}

// --- internet -----------------------------------------------------------------

// InternetProduct is one card value of ADSL or 4G.
type InternetProduct struct {
	Value, Cost float64
	Available   bool
}

// NumberCheck is /v3/internet/check-number.
type NumberCheck struct {
	NCLI, Offre, Type string
}

// InternetSendRequest is the body of /v3/internet/send.
type InternetSendRequest struct {
	Type   string // ADSL | 4G
	Number string
	Value  float64
	Ref    string
}

// InternetTopup is an internet top-up. CardCode is the recharge PIN.
type InternetTopup struct {
	ID, Ref, Status, Type, Number string
	TopupAmount                   float64
	CreatedAt                     time.Time
	CardCode                      api.Secret
	NumTrans                      string
	DateTraitement                time.Time
}

// --- gift cards ---------------------------------------------------------------

// CatalogProduct is one catalogue entry.
type CatalogProduct struct {
	ID, Title string
	Enabled   bool
	Region    string
}

// Category groups catalogue products.
type Category struct {
	Name     string
	Products []CatalogProduct
}

// Catalog is /v3/gift-cards/catalog.
type Catalog struct {
	Categories                     []Category
	TotalCategories, TotalProducts int
}

// GiftType is a purchasable type of a gift-card product.
type GiftType struct {
	ID, Name string
	Price    float64 // the account's personal price
	Quantity int     // stock; 0 = out
}

// GiftProduct is /v3/gift-cards/checkProduct.
type GiftProduct struct {
	ProductID, ProductTitle string
	Types                   []GiftType
}

// PlaceOrderRequest is the body of /v3/gift-cards/placeOrder.
type PlaceOrderRequest struct {
	ProductID, TypeID string
	Quantity          int
}

// GiftCard is one delivered card; Value is the code or PIN.
type GiftCard struct {
	Value  api.Secret
	Serial string
}

// GiftOrder is a gift-card order.
type GiftOrder struct {
	ID, Status, Product, Type string
	Quantity                  int
	FulfilledQuantity         int
	FulfilledAmount           float64
	PricePerCard              float64
	Cards                     []GiftCard
	Time                      time.Time
}
