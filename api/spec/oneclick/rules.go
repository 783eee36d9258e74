// Package oneclick is the OneClickDz verticals' specs (mobile, internet,
// gift cards) and the provider's input rules they apply. It imports only
// the domain, so the UI may read it without the provider's client.
package oneclick

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/orderwatch/orderwatch/api"
)

// The input rules of OneClickDz orders (contract §3.2–§3.4): numbers,
// operators, internet lines, gift-card types. The three verticals' specs
// apply them in the order form and in `orderwatch place`.

// Patterns from the contract (§3.2, §3.3).
var (
	reMSISDN = regexp.MustCompile(`^0[567][0-9]{8}$`)
	reADSL   = regexp.MustCompile(`^0[0-9]{8}$`)
	reLTE    = regexp.MustCompile(`^213[0-9]{9}$`)
)

func ruleErr(field, format string, args ...any) *api.Error {
	return api.FieldError(field, format, args...)
}

func fmtNum(v float64) string { return fmt.Sprintf("%g", v) }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// Internet top-up types as the API takes them.
const (
	InternetADSL = "ADSL"
	Internet4G   = "4G"
)

// ValidateMSISDN checks an Algerian mobile number the way OneClickDz does:
// ten digits starting 05, 06 or 07, no +213 and no spaces.
func ValidateMSISDN(s string) error {
	if !reMSISDN.MatchString(s) {
		return ruleErr("msisdn", "%q is not a mobile number: want 10 digits starting with 05, 06 or 07 (no +213, no spaces)", api.TruncateText(s, 40))
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
	return ruleErr("msisdn", "%s is a %s number; plan %s is for %s", msisdn, op, planCode, pop)
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
		return ruleErr("type", "internet type %q: want ADSL or 4G", api.TruncateText(typ, 20))
	case t == InternetADSL && !reADSL.MatchString(n):
		return ruleErr("number", "%q is not an ADSL number: want 9 digits starting with 0 (e.g. 036362608)", api.TruncateText(n, 40))
	case t == Internet4G && !reLTE.MatchString(n):
		return ruleErr("number", "%q is not a 4G number: want 213 followed by 9 digits (e.g. 213472731602)", api.TruncateText(n, 40))
	}
	return nil
}

// ValidateMobileAmount checks an amount for a plan product (one variant):
// a whole number of DZD in [Min, Max] for a dynamic plan; a fixed plan
// ignores the amount.
func ValidateMobileAmount(p *api.Product, amount float64) error {
	if p == nil || len(p.Variants) == 0 {
		return nil
	}
	v := p.Variants[0]
	if v.Max <= 0 {
		return nil // fixed plan: its own amount is sent
	}
	if math.IsNaN(amount) || math.IsInf(amount, 0) || amount <= 0 {
		return ruleErr("amount", "plan %s needs an amount between %s and %s DZD", p.ID, fmtNum(v.Min), fmtNum(v.Max))
	}
	if amount != math.Trunc(amount) {
		return ruleErr("amount", "must be a whole number of DZD")
	}
	if amount < v.Min || amount > v.Max {
		return ruleErr("amount", "%s is outside %s–%s DZD for plan %s", fmtNum(amount), fmtNum(v.Min), fmtNum(v.Max), p.ID)
	}
	return nil
}

// DynamicPlan reports a plan product that takes an amount in a range.
func DynamicPlan(p *api.Product) bool {
	return p != nil && len(p.Variants) > 0 && p.Variants[0].Max > 0
}

// ValidateInternetValue checks a card value against the type's products:
// it must be one of them and available.
func ValidateInternetValue(p *api.Product, value float64) error {
	if err := api.CheckPositive("value", value); err != nil {
		return err
	}
	if p == nil {
		return ruleErr("product_id", "unknown internet type")
	}
	var offered []string
	for _, v := range p.Variants {
		for _, f := range v.Fixed {
			if v.Stock != 0 {
				offered = append(offered, fmtNum(f))
			}
			if near(f, value) {
				if v.Stock == 0 {
					return ruleErr("value", "%s %s DA cards are out of stock", p.Type, fmtNum(value))
				}
				return nil
			}
		}
	}
	if len(offered) == 0 {
		return ruleErr("value", "no %s card is available", p.Type)
	}
	return ruleErr("value", "%s DA is not a %s card (available: %s)", fmtNum(value), p.Type, strings.Join(offered, ", "))
}

// GiftVariant returns the gift-card type id of p.
func GiftVariant(p *api.Product, typeID string) (api.Variant, bool) {
	if p == nil {
		return api.Variant{}, false
	}
	for _, v := range p.Variants {
		if v.ID == typeID {
			return v, true
		}
	}
	return api.Variant{}, false
}

// ValidateGiftQuantity checks a quantity against a gift-card type: at least
// 1, no more than its stock and the provider's per-order cap.
func ValidateGiftQuantity(v api.Variant, q int) error {
	switch {
	case q < 1:
		return ruleErr("quantity", "must be at least 1")
	case v.Stock == 0:
		return ruleErr("type_id", "%s is out of stock", v.Name)
	case v.Stock > 0 && q > v.Stock:
		return ruleErr("quantity", "only %d of %s in stock", v.Stock, v.Name)
	case v.MaxQuantity > 0 && q > v.MaxQuantity:
		return ruleErr("quantity", "at most %d cards per order", v.MaxQuantity)
	case q > api.MaxVoucherQuantity:
		return ruleErr("quantity", "must be between 1 and %d", api.MaxVoucherQuantity)
	}
	return nil
}

// validateRequest applies the provider's rules to a mobile, internet or
// gift-card request. Fields: product_id (plan, type or product), msisdn,
// amount, type, number, value, type_id, quantity, email, input_data,
// client_reference.
func validateRequest(r api.OrderRequest, p *api.Product) error {
	var errs api.FieldErrors
	add := func(err error) {
		var e *api.Error
		if err != nil && errors.As(err, &e) {
			errs = append(errs, e)
		}
	}
	if p != nil && p.Vertical != "" && p.Vertical != r.Vertical {
		add(ruleErr("product_id", "%s is a %s product, not %s", p.ID, p.Vertical, r.Vertical))
		p = nil
	}
	switch r.Vertical {
	case api.VerticalMobile:
		code := r.ProductID
		if code == "" {
			code = r.VariantID
		}
		switch {
		case p == nil && len(errs) == 0:
			add(ruleErr("product_id", "unknown mobile plan %q", api.TruncateText(code, 40)))
		case p == nil:
		case !strings.EqualFold(code, p.ID) || (r.VariantID != "" && !strings.EqualFold(r.VariantID, p.ID)):
			add(ruleErr("product_id", "plan %q does not match the catalogue plan %s", api.TruncateText(code, 40), p.ID))
		case !p.Enabled:
			add(ruleErr("product_id", "plan %s is disabled", p.ID))
		}
		if err := ValidateMSISDN(r.Recipient); err != nil {
			add(err)
		} else if p != nil {
			add(CheckMobileOperator(p.Type, p.ID, r.Recipient))
		}
		add(ValidateMobileAmount(p, r.Amount))
	case api.VerticalInternet:
		typ := r.RecipientType
		if typ == "" && p != nil {
			typ = p.Type
		}
		t, ok := NormalizeInternetType(typ)
		switch {
		case !ok:
			add(ruleErr("type", "internet type %q: want ADSL or 4G", api.TruncateText(typ, 20)))
		case p != nil && p.Type != "" && !strings.EqualFold(p.Type, t):
			add(ruleErr("type", "type %s does not match the %s products", t, p.Type))
		default:
			add(ValidateInternetNumber(t, r.Recipient))
		}
		if p == nil {
			if len(errs) == 0 || errs.For("product_id") == nil {
				add(ruleErr("product_id", "unknown internet type %q", api.TruncateText(r.ProductID, 20)))
			}
		} else {
			add(ValidateInternetValue(p, r.Amount))
		}
	case api.VerticalGiftCard:
		switch {
		case p == nil && len(errs) == 0:
			add(ruleErr("product_id", "unknown gift-card product %q", api.TruncateText(r.ProductID, 40)))
		case p == nil:
		case strings.TrimSpace(r.ProductID) != "" && r.ProductID != p.ID:
			add(ruleErr("product_id", "product %q does not match the catalogue product %s", api.TruncateText(r.ProductID, 40), p.ID))
		case !p.Enabled:
			add(ruleErr("product_id", "%s is disabled", p.Name))
		}
		v, ok := GiftVariant(p, r.VariantID)
		switch {
		case p == nil:
		case strings.TrimSpace(r.VariantID) == "":
			add(ruleErr("type_id", "pick a type of %s", p.Name))
		case !ok:
			add(ruleErr("type_id", "%s has no type %q", p.Name, api.TruncateText(r.VariantID, 40)))
		}
		if ok {
			add(ValidateGiftQuantity(v, r.Quantity))
		} else {
			add(api.ValidateQuantityRange(r.Quantity))
		}
	}
	if r.Vertical != api.VerticalGiftCard {
		add(api.ValidateOneUnit(r.Vertical, r.Quantity))
	}
	if r.Email != "" {
		add(ruleErr("email", "OneClickDz sends no notification email"))
	}
	if len(r.InputData) > 0 {
		add(ruleErr("input_data", "only Octopus topups take input data"))
	}
	add(api.ValidateReference(r.ClientReference))
	if len(errs) == 0 {
		return nil
	}
	return errs
}
