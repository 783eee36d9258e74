package oneclick

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/orderwatch/orderwatch/api"
)

// The internet vertical: a line (ADSL or 4G, and its number) first, checked
// with the provider when it can, then a card value of that type.

const (
	keyLineType = "type"
	keyNumber   = "number"
	keyValue    = "value"
	keyLine     = "line" // what the line check said, for the details and summary
)

func init() { api.RegisterSpec(InternetSpec()) }

// InternetSpec is the spec of OneClickDz internet top-ups.
func InternetSpec() *api.Spec {
	return &api.Spec{
		Vertical: api.VerticalInternet,
		Title:    "New internet order",
		Defaults: api.Values{keyLineType: InternetADSL},
		Intro: func([]any) []api.Field {
			return []api.Field{
				{Key: keyLineType, Kind: api.FieldSelect, Title: "Line type",
					Options: []api.Option{{Label: "ADSL (Algérie Télécom)", Value: InternetADSL}, {Label: "4G LTE", Value: Internet4G}}},
				{Key: keyNumber, Title: "Line number", Placeholder: "036362608 · 213472731602", CharLimit: 16,
					Description: "ADSL: 0 and 8 digits (036362608). 4G: 213 and 9 digits (213472731602).",
					Check: func(s string, v api.Values) error {
						return ValidateInternetNumber(v[keyLineType], strings.TrimSpace(s))
					}},
			}
		},
		Resolve: checkLine,
		Direct: func(v api.Values) string {
			t, _ := NormalizeInternetType(v[keyLineType])
			return t
		},
		Details: internetDetails,
		Prefill: func(r api.OrderRequest, v api.Values) {
			v[keyNumber] = r.Recipient
			if t, ok := NormalizeInternetType(r.RecipientType); ok {
				v[keyLineType] = t
			} else if t, ok := NormalizeInternetType(r.ProductID); ok {
				v[keyLineType] = t
			}
			if r.Amount > 0 {
				v[keyValue] = api.FormatNumber(r.Amount)
			}
		},
		Request: func(p *api.Product, v api.Values) (api.OrderRequest, error) {
			r := api.BaseRequest(api.VerticalInternet, p, v)
			r.Email = ""
			r.RecipientType, r.Recipient = v[keyLineType], strings.TrimSpace(v[keyNumber])
			f, err := api.ParseAmount(v[keyValue])
			if err != nil {
				return r, ruleErr(keyValue, "%s", err)
			}
			r.Amount = f
			return r, nil
		},
		Validate: validateRequest,
		Summary: func(r api.OrderRequest, _ *api.Product, v api.Values) []api.Row {
			return []api.Row{{Label: "Line", Value: lineText(v)},
				{Label: "Card value", Value: api.FormatAmount(r.Amount, "DZD") + " DA"},
				{Label: "Reference", Value: r.ClientReference}}
		},
		Result: oneClickResult(api.ResultSpec{CodeExtra: func(v api.Voucher) string {
			if v.Reference == "" {
				return ""
			}
			return "  num_trans " + v.Reference
		}}),
		Texts: oneClickTexts,
		Place: api.PlaceSpec{
			Flags: []api.Flag{{Name: "type", Key: keyLineType, Arg: "ADSL|4G", Help: "the line type"},
				{Name: "number", Key: keyNumber, Arg: "N", Help: "ADSL 0 + 8 digits, 4G 213 + 9 digits"},
				{Name: "value", Key: keyValue, Kind: api.FlagAmount, Arg: "N", Help: "the card value (500, 1000, 2000, …)"}},
			Example:    "orderwatch place internet --type ADSL --number 036362608 --value 1000 --wait --reveal",
			ProductKey: keyLineType,
			Check: func(v api.Values, set func(string) bool) error {
				typ, ok := NormalizeInternetType(v[keyLineType])
				if !ok {
					return fmt.Errorf("--type %q: want ADSL or 4G", v[keyLineType])
				}
				v[keyLineType] = typ
				if !set("number") {
					return errors.New("--number is required")
				}
				if err := ValidateInternetNumber(typ, v[keyNumber]); err != nil {
					return fmt.Errorf("--number: %s", err.(*api.Error).Message)
				}
				if !set("value") {
					return errors.New("--value is required (e.g. 1000)")
				}
				return checkQuantityFlag(v, set, func(q int) error { return api.ValidateOneUnit(api.VerticalInternet, q) })
			},
			FlagOf: map[string]string{"product_id": "--type", "vertical": "--type", "productId": "--type",
				"type": "--type", "number": "--number", "value": "--value"},
		},
	}
}

// checkLine asks the provider about the line, when it can: a refused
// number goes back to the line; a check that failed otherwise goes on.
func checkLine(ctx context.Context, caps []any, v api.Values) (api.Next, error) {
	typ, num := v[keyLineType], strings.TrimSpace(v[keyNumber])
	line := typ + " " + num
	next := api.Next{ProductID: typ, Set: api.Values{keyNumber: num, keyLine: line}}
	c, ok := api.Capability[api.LineChecker](caps...)
	if !ok {
		return next, nil
	}
	info, err := c.CheckLine(ctx, typ, num)
	switch {
	case err != nil && api.KindOf(err) == api.KindValidation:
		return api.Next{Again: true, Banner: "the line check refused the number: " + api.Describe(err)}, nil
	case err != nil:
		next.Set[keyLine] = line + " · not checked: " + api.Describe(err) // not the number's fault: go on
	default:
		parts := []string{line}
		if info.NCLI != "" {
			parts = append(parts, "ncli "+info.NCLI)
		}
		if info.Offer != "" {
			parts = append(parts, "offre "+info.Offer)
		}
		if info.Type != "" {
			parts = append(parts, info.Type)
		}
		next.Set[keyLine] = strings.Join(parts, " · ")
	}
	return next, nil
}

func lineText(v api.Values) string {
	if s := v[keyLine]; s != "" {
		return s
	}
	return v[keyLineType] + " " + v[keyNumber]
}

func internetDetails(p *api.Product, v api.Values) []api.Field {
	value := api.Field{Key: keyValue, Kind: api.FieldSelect, Title: "Card value", Height: 8,
		Check: func(s string, _ api.Values) error {
			f, err := api.ParseAmount(s)
			if err != nil {
				return err
			}
			return ValidateInternetValue(p, f)
		}}
	for _, vr := range p.Variants {
		for _, f := range vr.Fixed {
			label := fmt.Sprintf("%s DA · costs %s DZD", api.FormatNumber(f), api.FormatAmount(vr.Price, "DZD"))
			if vr.Stock == 0 {
				label = fmt.Sprintf("%s DA · out of stock", api.FormatNumber(f))
			} else if v[keyValue] == "" {
				v[keyValue] = api.FormatNumber(f)
			}
			value.Options = append(value.Options, api.Option{Label: label, Value: api.FormatNumber(f)})
		}
	}
	return []api.Field{{Kind: api.FieldNote, Title: "Line", Description: lineText(v)}, value, api.ReferenceField()}
}
