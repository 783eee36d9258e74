package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"sort"
	"strings"
	"time"
)

// Limits of an order request (Octopus §2.3, §6.3).
const (
	MaxVoucherQuantity = 5000
	MaxReferenceLen    = 255
	MaxEmailLen        = 254
	// SyncVoucherQuantity is the largest voucher order delivered in the response.
	SyncVoucherQuantity = 5
)

// amountEps absorbs float noise between typed amounts and catalogue values.
const amountEps = 1e-6

// FieldErrors lists every invalid field of one request. errors.Is and
// errors.As see each *Error, so KindOf(err) is KindValidation.
type FieldErrors []*Error

func (fe FieldErrors) Error() string {
	parts := make([]string, 0, len(fe))
	for _, e := range fe {
		parts = append(parts, e.Field+": "+e.Message)
	}
	return "invalid order: " + strings.Join(parts, "; ")
}

// Unwrap exposes the field errors to errors.Is / errors.As.
func (fe FieldErrors) Unwrap() []error {
	out := make([]error, len(fe))
	for i, e := range fe {
		out[i] = e
	}
	return out
}

// For returns the error of one field, nil when that field is fine.
func (fe FieldErrors) For(field string) *Error {
	for _, e := range fe {
		if e.Field == field {
			return e
		}
	}
	return nil
}

// Fields names the invalid fields, in order.
func (fe FieldErrors) Fields() []string {
	out := make([]string, 0, len(fe))
	for _, e := range fe {
		out = append(out, e.Field)
	}
	return out
}

func fieldErr(field, format string, args ...any) *Error {
	return &Error{Kind: KindValidation, Field: field, Message: fmt.Sprintf(format, args...)}
}

// CheckPositive refuses an amount that is not a positive, finite number.
func CheckPositive(field string, amount float64) error {
	if math.IsNaN(amount) || math.IsInf(amount, 0) || amount <= 0 || amount > 1e9 {
		return fieldErr(field, "must be a positive amount")
	}
	return nil
}

// ValidateRequest checks r against the catalogue product p before anything
// is quoted or sent, by the rules of r's vertical (its Spec). It returns nil
// or FieldErrors naming each bad field.
func ValidateRequest(r OrderRequest, p *Product) error {
	s, ok := SpecOf(r.Vertical)
	if !ok || s.Validate == nil {
		return FieldErrors{fieldErr("vertical", "unknown vertical %q", r.Vertical)}
	}
	return s.Validate(r, p)
}

// Collect gathers field errors; Err returns nil when there are none.
type Collect struct{ Errs FieldErrors }

// Add keeps err's field errors (an *Error or FieldErrors); nil is ignored.
func (c *Collect) Add(err error) {
	var fe FieldErrors
	var e *Error
	switch {
	case err == nil:
	case errors.As(err, &fe):
		c.Errs = append(c.Errs, fe...)
	case errors.As(err, &e):
		c.Errs = append(c.Errs, e)
	}
}

// Err is the collected errors, or nil.
func (c *Collect) Err() error {
	if len(c.Errs) == 0 {
		return nil
	}
	return c.Errs
}

// CheckProduct refuses a missing product, one of another vertical, or one
// that is not the product the request names.
func CheckProduct(r OrderRequest, p *Product) error {
	switch {
	case p == nil:
		return fieldErr("product_id", "unknown product %q", TruncateText(r.ProductID, 40))
	case p.Vertical != "" && p.Vertical != r.Vertical:
		return fieldErr("product_id", "product %s is a %s product, not %s", p.ID, p.Vertical, r.Vertical)
	case strings.TrimSpace(r.ProductID) != "" && r.ProductID != p.ID:
		return fieldErr("product_id", "product %q does not match the catalogue product %s", TruncateText(r.ProductID, 40), p.ID)
	}
	return nil
}

// ValidateDenomination checks a face value against the product's
// denominations (field "denomination").
func ValidateDenomination(p *Product, amount float64) error {
	const field = "denomination"
	if err := CheckPositive(field, amount); err != nil {
		return err
	}
	if p == nil {
		return fieldErr("product_id", "unknown product")
	}
	if len(p.Denominations) == 0 {
		return fieldErr(field, "%s has no denominations", p.Name)
	}
	for _, d := range p.Denominations {
		if amount >= d.Min-amountEps && amount <= d.Max+amountEps {
			return nil
		}
	}
	return fieldErr(field, "%s is not offered by %s (allowed: %s)", fmtNum(amount), p.Name, DescribeDenominations(p.Denominations))
}

// ValidatePlanPrice checks an amount against the prices of the product's
// plans (field "amount").
func ValidatePlanPrice(p *Product, amount float64) error {
	const field = "amount"
	if err := CheckPositive(field, amount); err != nil {
		return err
	}
	if p == nil {
		return fieldErr("product_id", "unknown product")
	}
	for _, vr := range p.Variants {
		if vr.Price > 0 && near(vr.Price, amount) {
			return nil
		}
	}
	return fieldErr(field, "%s is not the price of a plan of %s (plans: %s)", fmtNum(amount), p.Name, DescribeVariants(p.Variants, ""))
}

// ValidateVariantAmount checks an amount against the product's variants
// (of category, when given): a fixed amount or inside a range (field
// "amount"; "category" for an unknown category).
func ValidateVariantAmount(p *Product, amount float64, category string) error {
	const field = "amount"
	if err := CheckPositive(field, amount); err != nil {
		return err
	}
	if p == nil {
		return fieldErr("product_id", "unknown product")
	}
	if len(p.Variants) == 0 {
		return nil // nothing to check against
	}
	if category != "" {
		known := false
		for _, vr := range p.Variants {
			if strings.EqualFold(vr.Category, category) {
				known = true
			}
		}
		if !known {
			return fieldErr("category", "%q is not a category of %s (categories: %s)", category, p.Name, strings.Join(Categories(p), ", "))
		}
	}
	for _, vr := range p.Variants {
		if category != "" && !strings.EqualFold(vr.Category, category) {
			continue
		}
		if variantAllows(vr, amount) {
			return nil
		}
	}
	return fieldErr(field, "%s is not offered by %s (allowed: %s)", fmtNum(amount), p.Name, DescribeVariants(p.Variants, category))
}

// ValidateQuantityRange allows 1..5000 units.
func ValidateQuantityRange(q int) error {
	if q < 1 || q > MaxVoucherQuantity {
		return fieldErr("quantity", "must be between 1 and %d", MaxVoucherQuantity)
	}
	return nil
}

// ValidateOneUnit allows 1 (or 0, meaning 1): v's orders are one unit each.
func ValidateOneUnit(v Vertical, q int) error {
	if q != 0 && q != 1 {
		return fieldErr("quantity", "%s orders are one unit each", v)
	}
	return nil
}

// MatchVariant returns the variant an amount (and optional category) selects:
// an exact fixed amount wins over a range, as the server picks it.
func MatchVariant(p *Product, amount float64, category string) (Variant, bool) {
	if p == nil {
		return Variant{}, false
	}
	var ranged *Variant
	for i, vr := range p.Variants {
		if category != "" && !strings.EqualFold(vr.Category, category) {
			continue
		}
		for _, f := range vr.Fixed {
			if near(f, amount) {
				return vr, true
			}
		}
		if vr.Price > 0 && near(vr.Price, amount) {
			return vr, true
		}
		if ranged == nil && vr.Max > 0 && amount >= vr.Min-amountEps && amount <= vr.Max+amountEps {
			ranged = &p.Variants[i]
		}
	}
	if ranged != nil {
		return *ranged, true
	}
	return Variant{}, false
}

func variantAllows(vr Variant, amount float64) bool {
	for _, f := range vr.Fixed {
		if near(f, amount) {
			return true
		}
	}
	if vr.Max > 0 && amount >= vr.Min-amountEps && amount <= vr.Max+amountEps {
		return true
	}
	return vr.Price > 0 && near(vr.Price, amount)
}

func near(a, b float64) bool { return math.Abs(a-b) < amountEps }

// Categories lists a product's distinct variant categories, sorted.
func Categories(p *Product) []string {
	seen := map[string]bool{}
	var out []string
	for _, vr := range p.Variants {
		if vr.Category != "" && !seen[vr.Category] {
			seen[vr.Category] = true
			out = append(out, vr.Category)
		}
	}
	sort.Strings(out)
	return out
}

// DescribeDenominations says what a voucher product allows, e.g. "5, 10, 20"
// or "1–2000".
func DescribeDenominations(ds []Denomination) string {
	parts := make([]string, 0, len(ds))
	for _, d := range ds {
		if d.Fixed() {
			parts = append(parts, fmtNum(d.Min))
		} else {
			parts = append(parts, fmtNum(d.Min)+"–"+fmtNum(d.Max))
		}
	}
	return strings.Join(parts, ", ")
}

// DescribeVariants says which amounts the variants (of category) allow.
func DescribeVariants(vs []Variant, category string) string {
	var parts []string
	for _, vr := range vs {
		if category != "" && !strings.EqualFold(vr.Category, category) {
			continue
		}
		for _, f := range vr.Fixed {
			parts = append(parts, fmtNum(f))
		}
		if vr.Max > 0 {
			parts = append(parts, fmtNum(vr.Min)+"–"+fmtNum(vr.Max))
		}
		if len(vr.Fixed) == 0 && vr.Max == 0 && vr.Price > 0 {
			parts = append(parts, fmtNum(vr.Price))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func fmtNum(v float64) string { return fmt.Sprintf("%g", v) }

// ValidateEmail accepts "" (no email) or one plain address of at most 254
// characters.
func ValidateEmail(email string) error {
	if email == "" {
		return nil
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > MaxEmailLen || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return fieldErr("email", "%q is not a valid email address", TruncateText(email, 60))
	}
	return nil
}

// ValidateReference applies the client_reference rule, the one rule of the
// order form, the command line and the engine: 1..255 printable ASCII
// characters (the limit of both providers), not blank, no space at either
// end (a reference that differs only in spaces would look the same).
func ValidateReference(ref string) error {
	if ref == "" {
		return fieldErr("client_reference", "is required")
	}
	if strings.TrimSpace(ref) == "" {
		return fieldErr("client_reference", "is blank (only spaces)")
	}
	if len(ref) > MaxReferenceLen {
		return fieldErr("client_reference", "is longer than %d characters", MaxReferenceLen)
	}
	for i := 0; i < len(ref); i++ {
		if ref[i] < 0x20 || ref[i] > 0x7e {
			return fieldErr("client_reference", "must be printable ASCII (no control or non-ASCII characters)")
		}
	}
	if ref[0] == ' ' || ref[len(ref)-1] == ' ' {
		return fieldErr("client_reference", "must not start or end with a space")
	}
	return nil
}

func TruncateText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// NewClientReference returns a fresh reference such as "ow-20261123-3f9a1c2e7b".
func NewClientReference() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return "ow-" + time.Now().UTC().Format("20060102") + "-" + hex.EncodeToString(b[:])
}

// CheckBalance reports KindInsufficientFunds when a prepaid wallet cannot
// pay the quote. A postpaid wallet, or a quote in another currency than the
// wallet, is left to the server.
func CheckBalance(q Quote, w Wallet) error {
	if strings.EqualFold(w.Type, "POSTPAID") {
		return nil
	}
	cur := q.WalletCurrency
	if cur == "" {
		cur = q.Currency
	}
	if cur != "" && w.Currency != "" && !strings.EqualFold(cur, w.Currency) {
		return nil
	}
	if q.TotalPayable > w.Balance+amountEps {
		return &Error{Kind: KindInsufficientFunds, Provider: w.Provider, Field: "wallet_id",
			Message: fmt.Sprintf("total payable %s %s is more than the wallet's balance %s %s",
				FormatAmount(q.TotalPayable, cur), cur, FormatAmount(w.Balance, w.Currency), w.Currency)}
	}
	return nil
}

// IsPhoneField reports whether an input field's name says it holds a phone
// number (phone_number, mobile, msisdn).
func IsPhoneField(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "phone") || strings.Contains(n, "mobile") || strings.Contains(n, "msisdn")
}
