package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Spec is everything one vertical asks for and shows when an order is
// placed: its fields and their rules, the request they make, the summary
// above the quote, its part of the result, and the flags of `orderwatch
// place`. The order form and `place` both read it, so a vertical is added
// by writing one spec (in its provider's package) and registering it.
type Spec struct {
	Vertical Vertical
	// Title heads the order form ("New voucher order").
	Title string
	// Defaults are the values a new order starts from.
	Defaults Values

	// Intro asks for something before the catalogue (a phone number to look
	// up, a line to check); nil, or no fields, goes straight to the
	// catalogue. It is skipped when an order is edited and retried. caps are
	// the provider's values, searched for capabilities (PhoneLookup, …).
	Intro func(caps []any) []Field
	// Resolve runs after the Intro, off the UI goroutine, and says where the
	// form goes next. nil goes to the catalogue.
	Resolve func(ctx context.Context, caps []any, v Values) (Next, error)
	// Direct names a product to load without listing the catalogue when an
	// order is edited and retried ("" lists it).
	Direct func(v Values) string
	// Narrow is a select built from the catalogue list and asked before the
	// product (eSIM country, gift-card category); nil asks none.
	Narrow func(ps []Product) *Field
	// Pick is what the product step offers, after the narrowing. An error
	// says there is nothing to offer.
	Pick func(ps []Product, v Values) (Pick, error)
	// Details are the fields of the chosen product, between its title and
	// the wallet. It may put defaults into v.
	Details func(p *Product, v Values) []Field
	// Prefill reads an earlier request back into values (edit and retry).
	Prefill func(r OrderRequest, v Values)
	// Request turns values into a request; Validate applies every rule of
	// the provider to it, naming each bad field.
	Request  func(p *Product, v Values) (OrderRequest, error)
	Validate func(r OrderRequest, p *Product) error
	// Summary describes the request above its quote.
	Summary func(r OrderRequest, p *Product, v Values) []Row
	// Retry fills an edit-and-retry request from an offer the provider
	// suggested; nil leaves the request as it was.
	Retry func(r *OrderRequest, offer Offer)

	Result ResultSpec
	Place  PlaceSpec
	Texts  Texts
}

// Texts are the provider's words for the stages every vertical goes through.
type Texts struct {
	Quoting string // while the quote is on its way
	Placing string // while the one create is in flight
	// PlacingWait is how long the provider documents it may hold the create
	// before it answers, with why: the form counts the seconds against it.
	PlacingWait    time.Duration
	PlacingWaitWhy string
	// Looking is said while a lost reply is looked for; LostReply explains
	// an unknown outcome in the result (a few lines).
	Looking   func(r OrderRequest) string
	LostReply func(r OrderRequest) string
	// LostKey is the key that looks again ("r look up again").
	LostKey string
	// ZeroDiscount shows the discount row of a quote even when it is 0.
	ZeroDiscount bool
}

// ResultSpec is the vertical's part of a placed order's result.
type ResultSpec struct {
	// ReferenceLabel names the client reference ("Reference", "Journal key").
	ReferenceLabel string
	// RecipientLabel names the order's recipient ("Number", "Player ID").
	RecipientLabel func(o Order) string
	// Rows come after the status (what a gift-card order cost, …).
	Rows func(o Order) []Row
	// CodeExtra is added to each delivered code's line.
	CodeExtra func(v Voucher) string
	// CodeName is what a copied code is called ("voucher code").
	CodeName string
	// Serials: the codes come with serials to copy, not PINs.
	Serials bool
	// PartialFinal: a partial delivery will not change any more.
	PartialFinal bool
	// PerCardPrice: `place` reports the price of one unit.
	PerCardPrice bool
	// MissingCodes reports a delivered order whose codes must still be
	// fetched (a list that left them out); nil: never.
	MissingCodes func(o Order) bool
}

// Row is one line of a summary or result: a label, a value, and a dim note.
type Row struct {
	Label, Value, Note string
}

// Next is where the form goes after the Intro.
type Next struct {
	// Products are offered instead of the catalogue (lookup hits), with
	// PickNote saying why.
	Products []Product
	PickNote string
	// ProductID is loaded directly.
	ProductID string
	// Banner is said above the next step.
	Banner string
	// Again asks the Intro again (with Banner).
	Again bool
	// Set adds values (what a check found).
	Set Values
}

// Pick is what the product step offers.
type Pick struct {
	Products    []Product
	Title       string // "Product" when empty
	Description string
	Label       func(p Product) string // ProductLabel when nil
}

// FieldKind is how a field is edited.
type FieldKind int

const (
	FieldInput FieldKind = iota
	FieldSelect
	FieldNote // text shown, nothing edited
)

// Option is one choice of a select.
type Option struct{ Label, Value string }

// Field is one thing a vertical asks. Its rule is the provider's: the form
// runs it as the user types, `place` runs the same through Validate.
type Field struct {
	Key         string
	Kind        FieldKind
	Title       string
	Description string
	Placeholder string
	Options     []Option
	// Height caps a select's visible options (0: no cap).
	Height    int
	CharLimit int
	// Check judges a value as typed; v holds the other fields' values.
	Check func(s string, v Values) error
}

// Values are what the user gave, by key: the form's fields and the `place`
// flags fill the same keys (product, amount, quantity, reference, …).
type Values map[string]string

// Clone copies v.
func (v Values) Clone() Values {
	out := make(Values, len(v))
	for k, s := range v {
		out[k] = s
	}
	return out
}

// Keys of the values every vertical shares.
const (
	KeyProduct   = "product"
	KeyQuantity  = "quantity"
	KeyEmail     = "email"
	KeyReference = "reference"
	KeyWallet    = "wallet"
	KeyAmount    = "amount"
	// KeyInput prefixes an input_data key ("input_data.player_id").
	KeyInput = "input_data."
)

// PlaceSpec are the vertical's flags of `orderwatch place`.
type PlaceSpec struct {
	Flags []Flag
	// Quantity says what --quantity allows ("" when only 1 is allowed).
	Quantity string
	// Example is a command line, for `place VERTICAL -h`.
	Example string
	// ProductKey is the value that names the catalogue product.
	ProductKey string
	// Check applies the vertical's flag rules before the catalogue is read;
	// set reports a flag given on the command line. It may normalise v.
	Check func(v Values, set func(flag string) bool) error
	// FromFlags turns flag values into the product's values (a topup's
	// --player-id into its input field) and says which flag set each input
	// field; nil keeps them as they are.
	FromFlags func(p *Product, v Values) (Values, map[string]string, error)
	// FlagOf names the flag behind a request field (for messages).
	FlagOf map[string]string
	// Refuse is what is said when a flag of another vertical is given.
	Refuse map[string]string
}

// FlagKind is how a flag's text is read.
type FlagKind int

const (
	FlagText   FlagKind = iota
	FlagAmount          // a positive, finite decimal
	FlagPairs           // key=value, repeatable, into KeyInput+key
)

// Flag is one flag of `place VERTICAL`.
type Flag struct {
	Name  string
	Alias string // a second name; giving both is an error
	Key   string // the value it fills
	Kind  FlagKind
	// Arg names the flag's value and Help says what it is, for
	// `place VERTICAL -h` ("N", "the card value (500, 1000, …)").
	Arg, Help string
}

var (
	specMu sync.RWMutex
	specs  = map[Vertical]*Spec{}
)

// RegisterSpec makes s the spec of its vertical (provider packages call it
// from init).
func RegisterSpec(s *Spec) {
	specMu.Lock()
	defer specMu.Unlock()
	if s == nil || s.Vertical == "" {
		panic("api: RegisterSpec of a spec with no vertical")
	}
	specs[s.Vertical] = s
}

// SpecOf returns the spec of v.
func SpecOf(v Vertical) (*Spec, bool) {
	specMu.RLock()
	defer specMu.RUnlock()
	s, ok := specs[v]
	return s, ok
}

// Specs returns every registered spec, by vertical name.
func Specs() []*Spec {
	specMu.RLock()
	defer specMu.RUnlock()
	out := make([]*Spec, 0, len(specs))
	for _, s := range specs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Vertical < out[j].Vertical })
	return out
}

// --- helpers for specs ----------------------------------------------------------

// ParseAmount reads a decimal the user typed ("4.50", " 10 ").
func ParseAmount(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("type a number, e.g. 10 or 4.50")
	}
	if f <= 0 {
		return 0, errors.New("must be more than 0")
	}
	return f, nil
}

// ParseQuantity reads a whole number.
func ParseQuantity(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, errors.New("type a whole number")
	}
	return n, nil
}

// FormatNumber prints an amount as typed back ("4.5", "10").
func FormatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// FieldError is a validation error of one field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Kind: KindValidation, Field: field, Message: fmt.Sprintf(format, args...)}
}

// BaseRequest fills what every request has from the values: product,
// quantity 1, wallet, reference, email.
func BaseRequest(v Vertical, p *Product, vals Values) OrderRequest {
	r := OrderRequest{Vertical: v, Quantity: 1, WalletID: strings.TrimSpace(vals[KeyWallet]),
		ClientReference: vals[KeyReference], Email: strings.TrimSpace(vals[KeyEmail])}
	if p != nil {
		r.ProductID = p.ID
	}
	return r
}

// ReferenceField is the client reference, the idempotency key.
func ReferenceField() Field {
	return Field{Key: KeyReference, Title: "Client reference",
		Description: "The idempotency key: printable ASCII, up to 255 characters. Generated; edit if you must.",
		CharLimit:   MaxReferenceLen + 1, Check: func(s string, _ Values) error { return ValidateReference(s) }}
}

// EmailField is an optional notification email.
func EmailField() Field {
	return Field{Key: KeyEmail, Title: "Customer email (optional)", Description: "Receives the delivery notification.",
		Check: func(s string, _ Values) error { return ValidateEmail(s) }}
}

// ProductLabel is what a product pick shows and filters on: name,
// category, country, currency, id.
func ProductLabel(p Product) string {
	parts := []string{p.Name}
	cat := p.Category
	if p.SubCategory != "" && p.SubCategory != p.Category {
		cat = strings.TrimPrefix(cat+" / "+p.SubCategory, " / ")
	}
	if cat == "" {
		cat = p.Type
	}
	if cat != "" {
		parts = append(parts, cat)
	}
	if p.CountryCode != "" {
		parts = append(parts, p.CountryCode)
	}
	if p.Currency != "" {
		parts = append(parts, p.Currency)
	}
	return strings.Join(parts, " · ") + "  #" + p.ID
}

// ProductSummary is the line under a chosen product's name.
func ProductSummary(p *Product) string {
	var parts []string
	if p.ID != "" {
		parts = append(parts, "#"+p.ID)
	}
	seen := map[string]bool{}
	for _, s := range []string{p.Category, p.Type, p.CountryCode, p.Currency} {
		if s != "" && !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

// SortedKeys returns the keys of m, sorted.
func SortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Describe says what is wrong in one line: each field error as
// "field: message", else the error's message.
func Describe(err error) string {
	var fe FieldErrors
	if errors.As(err, &fe) {
		parts := make([]string, 0, len(fe))
		for _, e := range fe {
			parts = append(parts, e.Field+": "+e.Message)
		}
		return strings.Join(parts, "; ")
	}
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return err.Error()
}
