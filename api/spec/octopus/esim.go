package octopus

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// The eSIM vertical: a country (GLO: global plans), a product, one of its
// plans. The plan's price is the amount.

const keyCountry = "country"

func init() { api.RegisterSpec(ESIMSpec()) }

// ESIMSpec is the spec of Octopus eSIMs.
func ESIMSpec() *api.Spec {
	return &api.Spec{
		Vertical: api.VerticalESIM,
		Title:    "New eSIM order",
		Narrow:   countryField,
		Pick: func(ps []api.Product, v api.Values) (api.Pick, error) {
			var out []api.Product
			for _, p := range ps {
				if c := v[keyCountry]; c == "" || p.CountryCode == c {
					out = append(out, p)
				}
			}
			if len(out) == 0 {
				return api.Pick{}, errors.New("no product for that country")
			}
			return api.Pick{Products: out}, nil
		},
		Details: esimDetails,
		Prefill: prefillCommon,
		Request: func(p *api.Product, v api.Values) (api.OrderRequest, error) {
			r := api.BaseRequest(api.VerticalESIM, p, v)
			if id := v[keyVariant]; id != "" && p != nil {
				for _, vr := range p.Variants {
					if vr.ID == id {
						r.Amount, r.VariantID = vr.Price, vr.ID
					}
				}
			} else if a, err := api.ParseAmount(v[api.KeyAmount]); err == nil {
				r.Amount = a // `place --amount`: the plan's price
			}
			if r.Amount == 0 {
				return r, ruleErr(api.KeyAmount, "pick a plan")
			}
			return r, nil
		},
		Validate: func(r api.OrderRequest, p *api.Product) error {
			return validateOrder(r, p, api.KeyAmount,
				func(p *api.Product) error { return api.ValidatePlanPrice(p, r.Amount) }, oneUnit(api.VerticalESIM))
		},
		Summary: func(r api.OrderRequest, p *api.Product, _ api.Values) []api.Row {
			var rows []api.Row
			if vr, ok := api.MatchVariant(p, r.Amount, ""); ok {
				rows = append(rows, api.Row{Label: "Plan", Value: PlanLabel(vr, currency(p))})
			}
			return append(rows, tailRows(r)...)
		},
		Result: octopusResult(api.ResultSpec{MissingCodes: func(o api.Order) bool {
			return o.Status == api.StatusDelivered && (o.ESIM == nil || (o.ESIM.ActivationCode == "" && !o.ESIM.Installed))
		}}),
		Texts: esimTexts(),
		Place: api.PlaceSpec{
			Flags: flagsOf(api.Flag{Name: "amount", Key: api.KeyAmount, Kind: api.FlagAmount, Arg: "N",
				Help: "the price of the plan to buy"}),
			Example:    "orderwatch place esim --product 712 --amount 4.50 --wait --reveal",
			ProductKey: api.KeyProduct,
			Check: func(v api.Values, set func(string) bool) error {
				if err := checkProductFlag(v); err != nil {
					return err
				}
				if !set("amount") {
					return fmt.Errorf("--amount is required")
				}
				return checkQuantityFlag(v, set, oneUnit(api.VerticalESIM))
			},
			FlagOf: map[string]string{"amount": "--amount"},
			Refuse: refuseTopupFlags(map[string]string{"denomination": "--denomination is for vouchers; use --amount"}),
		},
	}
}

func countryField(ps []api.Product) *api.Field {
	seen := map[string]bool{}
	var codes []string
	for _, p := range ps {
		if p.CountryCode != "" && !seen[p.CountryCode] {
			seen[p.CountryCode] = true
			codes = append(codes, p.CountryCode)
		}
	}
	sort.Strings(codes)
	f := &api.Field{Key: keyCountry, Kind: api.FieldSelect, Title: "Country",
		Description: "Where the eSIM is used (GLO: global plans). / to search.",
		Options:     []api.Option{{Label: "Any country", Value: ""}}}
	for _, c := range codes {
		label := c
		if c == "GLO" {
			label = "GLO · Global"
		}
		f.Options = append(f.Options, api.Option{Label: label, Value: c})
	}
	return f
}

func esimDetails(p *api.Product, v api.Values) []api.Field {
	f := api.Field{Key: keyVariant, Kind: api.FieldSelect, Title: "Plan", Height: 8,
		Description: "data allowance · validity (from activation) · price",
		Check: func(id string, _ api.Values) error {
			for _, vr := range p.Variants {
				if vr.ID == id {
					return nil
				}
			}
			return errors.New("pick a plan")
		}}
	for _, vr := range p.Variants {
		f.Options = append(f.Options, api.Option{Label: PlanLabel(vr, p.Currency), Value: vr.ID})
	}
	if v[keyVariant] == "" && v[api.KeyAmount] != "" {
		if a, err := api.ParseAmount(v[api.KeyAmount]); err == nil {
			if vr, ok := api.MatchVariant(p, a, ""); ok {
				v[keyVariant] = vr.ID
			}
		}
	}
	return []api.Field{f, api.ReferenceField()}
}

// PlanLabel describes an eSIM plan: name · data · validity · price.
func PlanLabel(v api.Variant, cur string) string {
	if v.Currency != "" {
		cur = v.Currency
	}
	data := "unlimited"
	if v.DataGB > 0 {
		data = strconv.FormatFloat(v.DataGB, 'f', -1, 64) + " GB"
	}
	return fmt.Sprintf("%s · %s · %d days · %s %s", v.Name, data, v.ValidityDays, api.FormatAmount(v.Price, cur), cur)
}

// esimTexts: the provider holds an eSIM create up to 60 s before it answers
// (octopus-cards.md, eSIM), so the form counts against that.
func esimTexts() api.Texts {
	t := octopusTexts
	t.PlacingWait = 60 * time.Second
	t.PlacingWaitWhy = "the provider holds an eSIM create up to 60 s, then answers PENDING"
	return t
}
