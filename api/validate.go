package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"regexp"
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

// e164 is the phone format every provider asks for.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

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

// AmountField is the request field the amount is sent as: a voucher's
// denomination, an internet top-up's value, everyone else's amount.
func AmountField(v Vertical) string {
	switch v {
	case VerticalVoucher:
		return "denomination"
	case VerticalInternet:
		return "value"
	}
	return "amount"
}

// ValidateRequest checks r against the catalogue product p before anything
// is quoted or sent. It returns nil or FieldErrors naming each bad field:
// product_id, denomination/amount, quantity, category, input_data.<key>,
// email, client_reference; for OneClickDz also msisdn, type, number, value
// and type_id (see validateOneClick).
func ValidateRequest(r OrderRequest, p *Product) error {
	var errs FieldErrors
	add := func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*Error); ok {
			errs = append(errs, e)
			return
		}
		if fe, ok := err.(FieldErrors); ok {
			errs = append(errs, fe...)
		}
	}
	if !r.Vertical.Valid() {
		add(fieldErr("vertical", "unknown vertical %q", r.Vertical))
		return errs
	}
	if r.Vertical.Provider() == ProviderOneClick {
		return validateOneClick(r, p)
	}
	switch {
	case p == nil:
		add(fieldErr("product_id", "unknown product %q", r.ProductID))
	case p.Vertical != "" && p.Vertical != r.Vertical:
		add(fieldErr("product_id", "product %s is a %s product, not %s", p.ID, p.Vertical, r.Vertical))
	case strings.TrimSpace(r.ProductID) != "" && r.ProductID != p.ID:
		add(fieldErr("product_id", "product %q does not match the catalogue product %s", r.ProductID, p.ID))
	}
	if p != nil {
		add(ValidateAmount(r.Vertical, p, r.Amount, r.Category))
		if r.Vertical == VerticalTopup {
			add(ValidateInputData(p, r.InputData))
		}
	} else if err := checkPositive(r.Vertical, r.Amount); err != nil {
		add(err)
	}
	if r.Vertical != VerticalTopup && len(r.InputData) > 0 {
		add(fieldErr("input_data", "only topups take input data"))
	}
	add(ValidateQuantity(r.Vertical, r.Quantity))
	add(ValidateEmail(r.Email))
	add(ValidateReference(r.ClientReference))
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func checkPositive(v Vertical, amount float64) error {
	if math.IsNaN(amount) || math.IsInf(amount, 0) || amount <= 0 || amount > 1e9 {
		return fieldErr(AmountField(v), "must be a positive amount")
	}
	return nil
}

// ValidateAmount checks a voucher denomination against the product's
// denominations, a topup amount against its variants (of category, when
// given), an eSIM amount against its plans' prices.
func ValidateAmount(v Vertical, p *Product, amount float64, category string) error {
	if err := checkPositive(v, amount); err != nil {
		return err
	}
	if p == nil {
		return fieldErr("product_id", "unknown product")
	}
	field := AmountField(v)
	switch v {
	case VerticalVoucher:
		if len(p.Denominations) == 0 {
			return fieldErr(field, "%s has no denominations", p.Name)
		}
		for _, d := range p.Denominations {
			if amount >= d.Min-amountEps && amount <= d.Max+amountEps {
				return nil
			}
		}
		return fieldErr(field, "%s is not offered by %s (allowed: %s)", fmtNum(amount), p.Name, DescribeDenominations(p.Denominations))
	case VerticalESIM:
		for _, vr := range p.Variants {
			if vr.Price > 0 && near(vr.Price, amount) {
				return nil
			}
		}
		return fieldErr(field, "%s is not the price of a plan of %s (plans: %s)", fmtNum(amount), p.Name, DescribeVariants(p.Variants, ""))
	default:
		if len(p.Variants) == 0 {
			return nil // nothing to check against (e.g. an open OneClickDz amount)
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

// ValidateQuantity allows 1..5000 for vouchers and gift cards, and 1 (or 0,
// meaning 1) for everything else.
func ValidateQuantity(v Vertical, q int) error {
	switch v {
	case VerticalVoucher, VerticalGiftCard:
		if q < 1 || q > MaxVoucherQuantity {
			return fieldErr("quantity", "must be between 1 and %d", MaxVoucherQuantity)
		}
	default:
		if q != 0 && q != 1 {
			return fieldErr("quantity", "%s orders are one unit each", v)
		}
	}
	return nil
}

// IsPhoneField reports input_data keys that carry a phone number.
func IsPhoneField(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "phone") || strings.Contains(n, "mobile") || strings.Contains(n, "msisdn")
}

// ValidatePhone checks E.164: a plus, then 7 to 15 digits, no spaces.
func ValidatePhone(s string) error {
	if !e164.MatchString(s) {
		return fieldErr("phone", "%q is not an E.164 phone number (e.g. +918879685100, no spaces)", truncateText(s, 40))
	}
	return nil
}

// ValidateInputField checks one input_data value against its field.
func ValidateInputField(f InputField, value string) error {
	field := "input_data." + f.Name
	if value == "" {
		if f.Required {
			return fieldErr(field, "%s is required", fieldLabel(f))
		}
		return nil
	}
	if IsPhoneField(f.Name) {
		if err := ValidatePhone(value); err != nil {
			return fieldErr(field, "%s", err.(*Error).Message)
		}
	}
	if f.Pattern != "" {
		// A pattern we cannot compile is the server's business, not a reason to block.
		if re, err := regexp.Compile(f.Pattern); err == nil && !re.MatchString(value) {
			return fieldErr(field, "%q does not look like a %s", truncateText(value, 40), strings.ToLower(fieldLabel(f)))
		}
	}
	for _, r := range value {
		if r < 0x20 || r == 0x7f {
			return fieldErr(field, "must not contain control characters")
		}
	}
	return nil
}

func fieldLabel(f InputField) string {
	if f.Label != "" {
		return f.Label
	}
	return f.Name
}

// ValidateInputData checks a topup's input_data against the product's
// input fields: required keys present, no extra keys, values well formed.
func ValidateInputData(p *Product, in map[string]string) error {
	var errs FieldErrors
	known := map[string]bool{}
	for _, f := range p.InputFields {
		known[f.Name] = true
		if err := ValidateInputField(f, in[f.Name]); err != nil {
			errs = append(errs, err.(*Error))
		}
	}
	var extra []string
	for k := range in {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		want := make([]string, 0, len(p.InputFields))
		for _, f := range p.InputFields {
			want = append(want, f.Name)
		}
		errs = append(errs, fieldErr("input_data."+k, "%s does not take %q (it takes: %s)", p.Name, k, strings.Join(want, ", ")))
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ValidateEmail accepts "" (no email) or one plain address of at most 254
// characters.
func ValidateEmail(email string) error {
	if email == "" {
		return nil
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > MaxEmailLen || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return fieldErr("email", "%q is not a valid email address", truncateText(email, 60))
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

func truncateText(s string, n int) string {
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

// --- OneClickDz (contract §3.2–§3.4) ------------------------------------------

// Internet top-up types as the API takes them.
const (
	InternetADSL = "ADSL"
	Internet4G   = "4G"
)

var (
	reMSISDN = regexp.MustCompile(`^0[567][0-9]{8}$`)
	reADSL   = regexp.MustCompile(`^0[0-9]{8}$`)
	reLTE    = regexp.MustCompile(`^213[0-9]{9}$`)
)

// ValidateMSISDN checks an Algerian mobile number the way OneClickDz does:
// ten digits starting 05, 06 or 07, no +213 and no spaces.
func ValidateMSISDN(s string) error {
	if !reMSISDN.MatchString(s) {
		return fieldErr("msisdn", "%q is not a mobile number: want 10 digits starting with 05, 06 or 07 (no +213, no spaces)", truncateText(s, 40))
	}
	return nil
}

// MobileOperator names the operator of a number from its prefix (55-59
// Ooredoo, 66-69 Mobilis, 77-79 Djezzy), or "" when the prefix is not known
// (Pixx, the sandbox's 06 numbers): those are never refused for a mismatch.
func MobileOperator(msisdn string) string {
	if !reMSISDN.MatchString(msisdn) {
		return ""
	}
	switch msisdn[1:3] {
	case "55", "56", "57", "58", "59":
		return "Ooredoo"
	case "66", "67", "68", "69":
		return "Mobilis"
	case "77", "78", "79":
		return "Djezzy"
	}
	return ""
}

// PlanOperator folds a plan's operator onto the number operators: GMobilis
// (wholesale) is Mobilis.
func PlanOperator(op string) string {
	if strings.EqualFold(op, "GMobilis") {
		return "Mobilis"
	}
	return op
}

// CheckMobileOperator refuses a number whose known operator differs from the
// plan's. Pixx plans and numbers of unknown prefix pass: the provider decides.
func CheckMobileOperator(planOperator, planCode, msisdn string) error {
	op, pop := MobileOperator(msisdn), PlanOperator(planOperator)
	if op == "" || pop == "" || strings.EqualFold(pop, "Pixx") || strings.EqualFold(op, pop) {
		return nil
	}
	return fieldErr("msisdn", "%s is a %s number; plan %s is for %s", msisdn, op, planCode, pop)
}

// NormalizeInternetType reads ADSL or 4G in any case (4GLTE and LTE are 4G).
func NormalizeInternetType(s string) (string, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "ADSL":
		return InternetADSL, true
	case "4G", "4GLTE", "LTE":
		return Internet4G, true
	}
	return "", false
}

// ValidateInternetNumber checks a line number for its type: ADSL is 0 and
// 8 digits, 4G is 213 and 9 digits.
func ValidateInternetNumber(typ, n string) error {
	t, ok := NormalizeInternetType(typ)
	switch {
	case !ok:
		return fieldErr("type", "internet type %q: want ADSL or 4G", truncateText(typ, 20))
	case t == InternetADSL && !reADSL.MatchString(n):
		return fieldErr("number", "%q is not an ADSL number: want 9 digits starting with 0 (e.g. 036362608)", truncateText(n, 40))
	case t == Internet4G && !reLTE.MatchString(n):
		return fieldErr("number", "%q is not a 4G number: want 213 followed by 9 digits (e.g. 213472731602)", truncateText(n, 40))
	}
	return nil
}

// ValidateMobileAmount checks an amount for a plan product (one variant):
// a whole number of DZD in [Min, Max] for a dynamic plan; a fixed plan
// ignores the amount.
func ValidateMobileAmount(p *Product, amount float64) error {
	if p == nil || len(p.Variants) == 0 {
		return nil
	}
	v := p.Variants[0]
	if v.Max <= 0 {
		return nil // fixed plan: its own amount is sent
	}
	if math.IsNaN(amount) || math.IsInf(amount, 0) || amount <= 0 {
		return fieldErr("amount", "plan %s needs an amount between %s and %s DZD", p.ID, fmtNum(v.Min), fmtNum(v.Max))
	}
	if amount != math.Trunc(amount) {
		return fieldErr("amount", "must be a whole number of DZD")
	}
	if amount < v.Min || amount > v.Max {
		return fieldErr("amount", "%s is outside %s–%s DZD for plan %s", fmtNum(amount), fmtNum(v.Min), fmtNum(v.Max), p.ID)
	}
	return nil
}

// DynamicPlan reports a plan product that takes an amount in a range.
func DynamicPlan(p *Product) bool { return p != nil && len(p.Variants) > 0 && p.Variants[0].Max > 0 }

// ValidateInternetValue checks a card value against the type's products:
// it must be one of them and available.
func ValidateInternetValue(p *Product, value float64) error {
	if err := checkPositive(VerticalInternet, value); err != nil {
		return err
	}
	if p == nil {
		return fieldErr("product_id", "unknown internet type")
	}
	var offered []string
	for _, v := range p.Variants {
		for _, f := range v.Fixed {
			if v.Stock != 0 {
				offered = append(offered, fmtNum(f))
			}
			if near(f, value) {
				if v.Stock == 0 {
					return fieldErr("value", "%s %s DA cards are out of stock", p.Type, fmtNum(value))
				}
				return nil
			}
		}
	}
	if len(offered) == 0 {
		return fieldErr("value", "no %s card is available", p.Type)
	}
	return fieldErr("value", "%s DA is not a %s card (available: %s)", fmtNum(value), p.Type, strings.Join(offered, ", "))
}

// GiftVariant returns the gift-card type id of p.
func GiftVariant(p *Product, typeID string) (Variant, bool) {
	if p == nil {
		return Variant{}, false
	}
	for _, v := range p.Variants {
		if v.ID == typeID {
			return v, true
		}
	}
	return Variant{}, false
}

// ValidateGiftQuantity checks a quantity against a gift-card type: at least
// 1, no more than its stock and the provider's per-order cap.
func ValidateGiftQuantity(v Variant, q int) error {
	switch {
	case q < 1:
		return fieldErr("quantity", "must be at least 1")
	case v.Stock == 0:
		return fieldErr("type_id", "%s is out of stock", v.Name)
	case v.Stock > 0 && q > v.Stock:
		return fieldErr("quantity", "only %d of %s in stock", v.Stock, v.Name)
	case v.MaxQuantity > 0 && q > v.MaxQuantity:
		return fieldErr("quantity", "at most %d cards per order", v.MaxQuantity)
	case q > MaxVoucherQuantity:
		return fieldErr("quantity", "must be between 1 and %d", MaxVoucherQuantity)
	}
	return nil
}

// validateOneClick applies the provider's rules to a mobile, internet or
// gift-card request. Fields: product_id (plan, type or product), msisdn,
// amount, type, number, value, type_id, quantity, email, input_data,
// client_reference.
func validateOneClick(r OrderRequest, p *Product) error {
	var errs FieldErrors
	add := func(err error) {
		var e *Error
		if err != nil && errors.As(err, &e) {
			errs = append(errs, e)
		}
	}
	if p != nil && p.Vertical != "" && p.Vertical != r.Vertical {
		add(fieldErr("product_id", "%s is a %s product, not %s", p.ID, p.Vertical, r.Vertical))
		p = nil
	}
	switch r.Vertical {
	case VerticalMobile:
		code := r.ProductID
		if code == "" {
			code = r.VariantID
		}
		switch {
		case p == nil && len(errs) == 0:
			add(fieldErr("product_id", "unknown mobile plan %q", truncateText(code, 40)))
		case p == nil:
		case !strings.EqualFold(code, p.ID) || (r.VariantID != "" && !strings.EqualFold(r.VariantID, p.ID)):
			add(fieldErr("product_id", "plan %q does not match the catalogue plan %s", truncateText(code, 40), p.ID))
		case !p.Enabled:
			add(fieldErr("product_id", "plan %s is disabled", p.ID))
		}
		if err := ValidateMSISDN(r.Recipient); err != nil {
			add(err)
		} else if p != nil {
			add(CheckMobileOperator(p.Type, p.ID, r.Recipient))
		}
		add(ValidateMobileAmount(p, r.Amount))
	case VerticalInternet:
		typ := r.RecipientType
		if typ == "" && p != nil {
			typ = p.Type
		}
		t, ok := NormalizeInternetType(typ)
		switch {
		case !ok:
			add(fieldErr("type", "internet type %q: want ADSL or 4G", truncateText(typ, 20)))
		case p != nil && p.Type != "" && !strings.EqualFold(p.Type, t):
			add(fieldErr("type", "type %s does not match the %s products", t, p.Type))
		default:
			add(ValidateInternetNumber(t, r.Recipient))
		}
		if p == nil {
			if len(errs) == 0 || errs.For("product_id") == nil {
				add(fieldErr("product_id", "unknown internet type %q", truncateText(r.ProductID, 20)))
			}
		} else {
			add(ValidateInternetValue(p, r.Amount))
		}
	case VerticalGiftCard:
		switch {
		case p == nil && len(errs) == 0:
			add(fieldErr("product_id", "unknown gift-card product %q", truncateText(r.ProductID, 40)))
		case p == nil:
		case strings.TrimSpace(r.ProductID) != "" && r.ProductID != p.ID:
			add(fieldErr("product_id", "product %q does not match the catalogue product %s", truncateText(r.ProductID, 40), p.ID))
		case !p.Enabled:
			add(fieldErr("product_id", "%s is disabled", p.Name))
		}
		v, ok := GiftVariant(p, r.VariantID)
		switch {
		case p == nil:
		case strings.TrimSpace(r.VariantID) == "":
			add(fieldErr("type_id", "pick a type of %s", p.Name))
		case !ok:
			add(fieldErr("type_id", "%s has no type %q", p.Name, truncateText(r.VariantID, 40)))
		}
		if ok {
			add(ValidateGiftQuantity(v, r.Quantity))
		} else {
			add(ValidateQuantity(r.Vertical, r.Quantity))
		}
	}
	if r.Vertical != VerticalGiftCard {
		add(ValidateQuantity(r.Vertical, r.Quantity))
	}
	if r.Email != "" {
		add(fieldErr("email", "OneClickDz sends no notification email"))
	}
	if len(r.InputData) > 0 {
		add(fieldErr("input_data", "only Octopus topups take input data"))
	}
	add(ValidateReference(r.ClientReference))
	if len(errs) == 0 {
		return nil
	}
	return errs
}
