package oneclick

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/orderwatch/orderwatch/api"
)

// The mobile vertical: a number first (its prefix names the operator), then
// one of the operator's plans, and an amount for a dynamic plan.

const keyMSISDN = "msisdn"

func init() { api.RegisterSpec(MobileSpec()) }

// MobileSpec is the spec of OneClickDz mobile top-ups.
func MobileSpec() *api.Spec {
	return &api.Spec{
		Vertical: api.VerticalMobile,
		Title:    "New mobile order",
		Intro: func([]any) []api.Field {
			return []api.Field{{Key: keyMSISDN, Title: "Mobile number", Placeholder: "0778037340", CharLimit: 16,
				Description: "10 digits starting with 05, 06 or 07 (no +213, no spaces): the operator is suggested from the prefix.",
				Check:       func(s string, _ api.Values) error { return ValidateMSISDN(strings.TrimSpace(s)) }}}
		},
		Resolve: func(_ context.Context, _ []any, v api.Values) (api.Next, error) {
			return api.Next{Set: api.Values{keyMSISDN: strings.TrimSpace(v[keyMSISDN])}}, nil
		},
		Pick:    pickPlan,
		Details: mobileDetails,
		Prefill: func(r api.OrderRequest, v api.Values) {
			v[keyMSISDN] = r.Recipient
			if r.Amount > 0 {
				v[api.KeyAmount] = api.FormatNumber(r.Amount)
			}
		},
		Request: func(p *api.Product, v api.Values) (api.OrderRequest, error) {
			r := api.BaseRequest(api.VerticalMobile, p, v)
			r.Email, r.Recipient = "", strings.TrimSpace(v[keyMSISDN])
			switch {
			case DynamicPlan(p) && strings.TrimSpace(v[api.KeyAmount]) != "":
				f, err := strconv.ParseFloat(strings.TrimSpace(v[api.KeyAmount]), 64)
				if err != nil {
					return r, ruleErr(api.KeyAmount, "type a whole number of DZD")
				}
				r.Amount = f
			case p != nil && !DynamicPlan(p) && len(p.Variants) > 0 && len(p.Variants[0].Fixed) > 0:
				r.Amount = p.Variants[0].Fixed[0] // ignored by fixed plans, sent for clarity
			}
			return r, nil
		},
		Validate: validateRequest,
		Summary: func(r api.OrderRequest, _ *api.Product, _ api.Values) []api.Row {
			op := MobileOperator(r.Recipient)
			if op == "" {
				op = "operator not known from the prefix"
			}
			return []api.Row{{Label: "Number", Value: r.Recipient + " (" + op + ")"},
				{Label: "Amount", Value: api.FormatAmount(r.Amount, "DZD") + " DZD"},
				{Label: "Reference", Value: r.ClientReference}}
		},
		Retry: func(r *api.OrderRequest, off api.Offer) {
			r.ProductID, r.VariantID, r.Amount = off.PlanCode, "", off.Amount
		},
		Result: oneClickResult(api.ResultSpec{}),
		Texts:  oneClickTexts,
		Place: api.PlaceSpec{
			Flags: []api.Flag{{Name: "plan", Key: api.KeyProduct, Arg: "CODE", Help: "the plan code (PREPAID_DJEZZY, MIX500_MOBILIS, …)"},
				{Name: "phone", Alias: "msisdn", Key: keyMSISDN, Arg: "N", Help: "the number, 10 digits starting 05, 06 or 07 (no +213)"},
				{Name: "amount", Key: api.KeyAmount, Kind: api.FlagAmount, Arg: "N", Help: "dynamic plans only: a whole DZD amount in the plan's range"}},
			Example:    "orderwatch place mobile --plan PREPAID_DJEZZY --phone 0778037340 --amount 500 --wait",
			ProductKey: api.KeyProduct,
			Check: func(v api.Values, set func(string) bool) error {
				v[api.KeyProduct] = strings.TrimSpace(v[api.KeyProduct])
				if v[api.KeyProduct] == "" {
					return errors.New("--plan is required (e.g. PREPAID_DJEZZY)")
				}
				if !set("phone") {
					return errors.New("--phone (or --msisdn) is required")
				}
				if err := ValidateMSISDN(v[keyMSISDN]); err != nil {
					return fmt.Errorf("--phone: %s", err.(*api.Error).Message)
				}
				if set("amount") {
					if a, _ := strconv.ParseFloat(v[api.KeyAmount], 64); a != math.Trunc(a) {
						return errors.New("--amount: must be a whole number of DZD")
					}
				}
				return checkQuantityFlag(v, set, func(q int) error { return api.ValidateOneUnit(api.VerticalMobile, q) })
			},
			FlagOf: map[string]string{"product_id": "--plan", "vertical": "--plan", "productId": "--plan", "plan_code": "--plan",
				keyMSISDN: "--phone", "MSSIDN": "--phone", "amount": "--amount"},
		},
	}
}

// pickPlan offers the enabled plans of the number's operator (all enabled
// plans when the prefix names none).
func pickPlan(ps []api.Product, v api.Values) (api.Pick, error) {
	n := strings.TrimSpace(v[keyMSISDN])
	op := MobileOperator(n)
	var mine, all []api.Product
	for _, p := range ps {
		if !p.Enabled {
			continue
		}
		all = append(all, p)
		if op != "" && strings.EqualFold(PlanOperator(p.Type), op) {
			mine = append(mine, p)
		}
	}
	pick := api.Pick{Products: all, Title: "Plan", Label: PlanLabel,
		Description: fmt.Sprintf("The prefix of %s names no operator: every enabled plan. / to search.", n)}
	if op != "" {
		pick.Description = fmt.Sprintf("%s is a %s number: its enabled plans. / to search.", n, op)
	}
	if len(mine) > 0 {
		pick.Products = mine
	}
	if len(pick.Products) == 0 {
		return pick, errors.New("no enabled mobile plan")
	}
	return pick, nil
}

// PlanLabel says what a plan takes: a range or its fixed amount, and its cost.
func PlanLabel(p api.Product) string {
	parts := []string{p.ID}
	if p.Name != "" && p.Name != p.ID {
		parts = append(parts, p.Name)
	}
	if p.Type != "" {
		parts = append(parts, p.Type)
	}
	if len(p.Variants) > 0 {
		v := p.Variants[0]
		switch {
		case v.Max > 0:
			parts = append(parts, fmt.Sprintf("%s–%s DZD", api.FormatNumber(v.Min), api.FormatNumber(v.Max)))
		case len(v.Fixed) > 0:
			parts = append(parts, "fixed "+api.FormatNumber(v.Fixed[0])+" DZD")
		}
		if c := v.Fields["cost"]; c != "" {
			parts = append(parts, "cost ×"+c)
		}
	}
	return strings.Join(parts, " · ")
}

func mobileDetails(p *api.Product, v api.Values) []api.Field {
	fields := []api.Field{{Key: keyMSISDN, Title: "Mobile number", CharLimit: 16,
		Description: "05, 06 or 07 and 8 digits; it must be a number of the plan's operator.",
		Check: func(s string, _ api.Values) error {
			s = strings.TrimSpace(s)
			if err := ValidateMSISDN(s); err != nil {
				return err
			}
			return CheckMobileOperator(p.Type, p.ID, s)
		}}}
	if DynamicPlan(p) {
		vr := p.Variants[0]
		fields = append(fields, api.Field{Key: api.KeyAmount, Title: "Amount (DZD)",
			Description: fmt.Sprintf("A whole amount from %s to %s DZD.", api.FormatNumber(vr.Min), api.FormatNumber(vr.Max)),
			Check: func(s string, _ api.Values) error {
				f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
				if err != nil {
					return errors.New("type a whole number of DZD, e.g. 500")
				}
				return ValidateMobileAmount(p, f)
			}})
	} else if len(p.Variants) > 0 && len(p.Variants[0].Fixed) > 0 {
		fields = append(fields, api.Field{Kind: api.FieldNote, Title: "Amount",
			Description: api.FormatNumber(p.Variants[0].Fixed[0]) + " DZD (fixed plan)"})
	}
	return append(fields, api.ReferenceField())
}

// --- shared by the OneClickDz specs ---------------------------------------------

var oneClickTexts = api.Texts{Quoting: "computing the price from the catalogue…"}

func oneClickResult(r api.ResultSpec) api.ResultSpec {
	r.CodeName, r.Serials, r.PartialFinal = "card code", true, true
	return r
}

// checkQuantityFlag applies rule to --quantity when it is given.
func checkQuantityFlag(v api.Values, set func(string) bool, rule func(int) error) error {
	if !set("quantity") {
		return nil
	}
	q, _ := strconv.Atoi(v[api.KeyQuantity])
	if err := rule(q); err != nil {
		return fmt.Errorf("--quantity %d: %s", q, err.(*api.Error).Message)
	}
	return nil
}
