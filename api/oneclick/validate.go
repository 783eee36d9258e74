package oneclick

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/orderwatch/orderwatch/api"
	spec "github.com/orderwatch/orderwatch/api/spec/oneclick"
)

// Patterns from the contract (§3.2, §3.3).
var (
	reMSISDN = regexp.MustCompile(`^0[567][0-9]{8}$`)
	reADSL   = regexp.MustCompile(`^0[0-9]{8}$`)
	reLTE    = regexp.MustCompile(`^213[0-9]{9}$`)
)

// Operators as the plans name them.
const (
	OperatorOoredoo = "Ooredoo"
	OperatorMobilis = "Mobilis"
	OperatorDjezzy  = "Djezzy"
)

func formErr(field, format string, args ...any) error {
	return &api.Error{Kind: api.KindValidation, Provider: ProviderID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ValidMSISDN checks a mobile number the way the API does: ten digits
// starting 05, 06 or 07, no +213 and no spaces.
func ValidMSISDN(s string) error {
	if !reMSISDN.MatchString(s) {
		return formErr("MSSIDN", "%q is not a mobile number: want 10 digits starting with 05, 06 or 07 (no +213, no spaces)", s)
	}
	return nil
}

// Operator returns the operator of a number from its prefix (55-59 Ooredoo,
// 66-69 Mobilis, 77-79 Djezzy), or "" when the prefix is not known.
func Operator(msisdn string) string { return spec.MobileOperator(msisdn) }

// CheckOperator reports a number whose known operator differs from the
// plan's (GMobilis counts as Mobilis; Pixx and unknown prefixes pass).
func CheckOperator(p Plan, msisdn string) error {
	op := Operator(msisdn)
	pop := p.Operator
	if strings.EqualFold(pop, "GMobilis") {
		pop = OperatorMobilis
	}
	if op == "" || pop == "" || strings.EqualFold(pop, "Pixx") || strings.EqualFold(op, pop) {
		return nil
	}
	return formErr("MSSIDN", "%s is a %s number; plan %s is for %s", msisdn, op, p.Code, pop)
}

// ValidInternetNumber checks an ADSL (0 + 8 digits) or 4G (213 + 9 digits) line.
func ValidInternetNumber(typ, n string) error {
	switch strings.ToUpper(strings.TrimSpace(typ)) {
	case "ADSL":
		if !reADSL.MatchString(n) {
			return formErr("number", "%q is not an ADSL number: want 9 digits starting with 0 (e.g. 036362608)", n)
		}
	case "4G", "4GLTE", "LTE":
		if !reLTE.MatchString(n) {
			return formErr("number", "%q is not a 4G number: want 213 followed by 9 digits (e.g. 213472731602)", n)
		}
	default:
		return formErr("type", "internet type %q: want ADSL or 4G", typ)
	}
	return nil
}

// CheckPlanAmount checks an amount for a plan: a whole number of DZD within
// [Min, Max] for dynamic plans; fixed plans take their own amount.
func CheckPlanAmount(p Plan, amount float64) error {
	if !p.Enabled {
		return formErr("plan_code", "plan %s is disabled", p.Code)
	}
	if !p.Dynamic {
		return nil
	}
	if amount != math.Trunc(amount) || math.IsInf(amount, 0) {
		return formErr("amount", "amount must be a whole number of DZD")
	}
	if amount < p.Min || (p.Max > 0 && amount > p.Max) {
		return formErr("amount", "amount must be between %s and %s DZD for %s", api.FormatAmount(p.Min, "DZD"), api.FormatAmount(p.Max, "DZD"), p.Code)
	}
	return nil
}

// AmountFor returns the amount a plan sends: amount for a dynamic plan, the
// plan's own amount for a fixed one.
func (p Plan) AmountFor(amount float64) float64 {
	if p.Dynamic {
		return amount
	}
	return p.Amount
}

// Price is what the balance pays for amount: amount × cost (face value when
// the plan has no cost).
func (p Plan) Price(amount float64) float64 {
	a := p.AmountFor(amount)
	if p.Cost <= 0 {
		return a
	}
	return math.Round(a*p.Cost*100) / 100
}
