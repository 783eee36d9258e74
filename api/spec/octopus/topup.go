package octopus

import (
	"context"
	"fmt"
	"strings"

	"github.com/orderwatch/orderwatch/api"
)

// The topup vertical: gaming and mobile top-ups. An optional phone number
// first (the provider's lookup suggests the operator), then a product, its
// category and amount, and the product's input fields (player id, phone…).

const (
	keyPhone    = "phone"
	keyCategory = "category"
	keyVariant  = "variant"
)

func init() { api.RegisterSpec(TopupSpec()) }

// TopupSpec is the spec of Octopus topups.
func TopupSpec() *api.Spec {
	return &api.Spec{
		Vertical: api.VerticalTopup,
		Title:    "New topup order",
		Intro: func(caps []any) []api.Field {
			if _, ok := api.Capability[api.PhoneLookup](caps...); !ok {
				return nil
			}
			return []api.Field{{Key: keyPhone, Title: "Phone number",
				Description: "E.164, e.g. +918879685100: the lookup suggests the operator. Leave empty to browse the catalogue.",
				Check: func(s string, _ api.Values) error {
					if s == "" {
						return nil
					}
					return ValidatePhone(s)
				}}}
		},
		Resolve:  lookupPhone,
		Pick:     pickAll,
		Details:  topupDetails,
		Prefill:  prefillCommon,
		Request:  topupRequest,
		Validate: validateTopup,
		Summary: func(r api.OrderRequest, p *api.Product, _ api.Values) []api.Row {
			cur := currency(p)
			rows := []api.Row{{Label: "Amount", Value: api.FormatAmount(r.Amount, cur) + " " + cur}}
			if r.Category != "" {
				rows = append(rows, api.Row{Label: "Category", Value: r.Category})
			}
			for _, k := range api.SortedKeys(r.InputData) {
				rows = append(rows, api.Row{Label: api.InputLabel(p, k), Value: r.InputData[k]})
			}
			return append(rows, tailRows(r)...)
		},
		Result: octopusResult(api.ResultSpec{RecipientLabel: func(o api.Order) string {
			if o.InputData["player_id"] != "" && o.InputData["phone_number"] == "" {
				return "Player ID"
			}
			return "Number"
		}}),
		Texts: octopusTexts,
		Place: api.PlaceSpec{
			Flags: flagsOf(api.Flag{Name: "amount", Key: api.KeyAmount, Kind: api.FlagAmount, Arg: "N", Help: "the amount"},
				api.Flag{Name: "player-id", Key: "player-id", Arg: "ID", Help: "the game's player id"},
				api.Flag{Name: "server", Key: "server", Arg: "NAME", Help: "the game server (optional)"},
				api.Flag{Name: "phone", Key: keyPhone, Arg: "+E164", Help: "the phone number (mobile operators)"},
				api.Flag{Name: "category", Key: keyCategory, Arg: "NAME", Help: "Airtime, Data or Bundle, where the product has several"},
				api.Flag{Name: "input", Key: "input", Kind: api.FlagPairs, Arg: "KEY=VALUE", Help: "any other input field (repeatable)"}),
			Example:    "orderwatch place topup --product 4218 --amount 0.99 --player-id 51234 --wait",
			ProductKey: api.KeyProduct,
			Check: func(v api.Values, set func(string) bool) error {
				if err := checkProductFlag(v); err != nil {
					return err
				}
				if !set("amount") {
					return fmt.Errorf("--amount is required")
				}
				if set("phone") {
					if err := ValidatePhone(v[keyPhone]); err != nil {
						return fmt.Errorf("--phone: %s", err.(*api.Error).Message)
					}
				}
				return checkQuantityFlag(v, set, oneUnit(api.VerticalTopup))
			},
			FromFlags: topupFromFlags,
			FlagOf:    map[string]string{"amount": "--amount", "category": "--category", "phone": "--phone"},
			Refuse:    map[string]string{"denomination": "--denomination is for vouchers; use --amount"},
		},
	}
}

func oneUnit(v api.Vertical) func(int) error {
	return func(q int) error { return api.ValidateOneUnit(v, q) }
}

// lookupPhone asks the provider which operators serve the number typed in
// the Intro; no number, or no lookup, browses the catalogue.
func lookupPhone(ctx context.Context, caps []any, v api.Values) (api.Next, error) {
	phone := v[keyPhone]
	l, ok := api.Capability[api.PhoneLookup](caps...)
	if phone == "" || !ok {
		return api.Next{}, nil
	}
	hits, err := l.LookupPhone(ctx, phone)
	switch {
	case err != nil:
		return api.Next{Banner: "operator lookup failed: " + api.Describe(err) + " — pick from the catalogue"}, nil
	case len(hits) == 0:
		return api.Next{Banner: "no operator found for " + phone + " — pick from the catalogue"}, nil
	}
	ps := make([]api.Product, 0, len(hits))
	for _, h := range hits {
		name := h.Name
		if h.Identified {
			name += " (identified)"
		}
		ps = append(ps, api.Product{ID: h.ProductID, Name: name, CountryCode: h.CountryCode, Vertical: api.VerticalTopup})
	}
	return api.Next{Products: ps, PickNote: "Operators for " + phone + ", best guess first"}, nil
}

func topupDetails(p *api.Product, v api.Values) []api.Field {
	var fields []api.Field
	if cats := api.Categories(p); len(cats) > 1 {
		f := api.Field{Key: keyCategory, Kind: api.FieldSelect, Title: "Category",
			Description: "Airtime takes any amount in range; Data and Bundle take exact amounts.",
			Options:     []api.Option{{Label: "Any (chosen by amount)", Value: ""}}}
		for _, c := range cats {
			f.Options = append(f.Options, api.Option{Label: c, Value: c})
		}
		fields = append(fields, f)
	}
	fields = append(fields, topupAmountField(p, v))
	for _, f := range p.InputFields {
		f := f
		key := api.KeyInput + f.Name
		if phone := v[keyPhone]; phone != "" && IsPhoneField(f.Name) && v[key] == "" {
			v[key] = phone // the looked-up number
		}
		in := api.Field{Key: key, Title: fieldTitle(f), Placeholder: f.Example,
			Check: func(s string, _ api.Values) error { return ValidateInputField(f, s) }}
		if IsPhoneField(f.Name) {
			if in.Placeholder == "" {
				in.Placeholder = "+918879685100"
			}
			in.Description = "E.164: a plus, the country code, the number; no spaces"
		}
		fields = append(fields, in)
	}
	return append(fields, api.EmailField(), api.ReferenceField())
}

func fieldTitle(f api.InputField) string {
	t := fieldLabel(f)
	if !f.Required {
		t += " (optional)"
	}
	return t
}

func topupAmountField(p *api.Product, v api.Values) api.Field {
	check := func(s string, vals api.Values) error {
		f, err := api.ParseAmount(s)
		if err != nil {
			return err
		}
		return api.ValidateVariantAmount(p, f, vals[keyCategory])
	}
	ranged := false
	for _, vr := range p.Variants {
		if vr.Max > 0 {
			ranged = true
		}
	}
	if !ranged && len(p.Variants) > 0 {
		f := api.Field{Key: api.KeyAmount, Kind: api.FieldSelect, Title: "Amount", Height: 8, Check: check}
		for _, vr := range p.Variants {
			for _, a := range vr.Fixed {
				label := fmt.Sprintf("%s %s · %s", api.FormatAmount(a, p.Currency), p.Currency, vr.Name)
				if vr.Category != "" {
					label += " · " + vr.Category
				}
				f.Options = append(f.Options, api.Option{Label: label, Value: api.FormatNumber(a)})
			}
		}
		if len(f.Options) > 0 {
			if v[api.KeyAmount] == "" {
				v[api.KeyAmount] = f.Options[0].Value
			}
			return f
		}
	}
	return api.Field{Key: api.KeyAmount, Title: "Amount (" + p.Currency + ")", Description: "Allowed: " + describeByCategory(p), Check: check}
}

func describeByCategory(p *api.Product) string {
	cats := api.Categories(p)
	if len(cats) == 0 {
		return api.DescribeVariants(p.Variants, "")
	}
	parts := make([]string, 0, len(cats))
	for _, c := range cats {
		parts = append(parts, c+" "+api.DescribeVariants(p.Variants, c))
	}
	return strings.Join(parts, "; ")
}

func topupRequest(p *api.Product, v api.Values) (api.OrderRequest, error) {
	r := api.BaseRequest(api.VerticalTopup, p, v)
	var err error
	if r.Amount, err = api.ParseAmount(v[api.KeyAmount]); err != nil {
		return r, ruleErr(api.KeyAmount, "%s", err)
	}
	r.Category = v[keyCategory]
	for _, k := range api.SortedKeys(v) {
		name, ok := strings.CutPrefix(k, api.KeyInput)
		if s := strings.TrimSpace(v[k]); ok && s != "" {
			if r.InputData == nil {
				r.InputData = map[string]string{}
			}
			r.InputData[name] = s
		}
	}
	return r, nil
}

func validateTopup(r api.OrderRequest, p *api.Product) error {
	return validateOrder(r, p, api.KeyAmount,
		func(p *api.Product) error { return api.ValidateVariantAmount(p, r.Amount, r.Category) }, oneUnit(api.VerticalTopup))
}

// topupFromFlags puts --player-id, --server and --phone into the product's
// matching input fields, beside any --input key=value.
func topupFromFlags(p *api.Product, v api.Values) (api.Values, map[string]string, error) {
	out := v.Clone()
	flags := map[string]string{}
	for k := range v {
		if name, ok := strings.CutPrefix(k, api.KeyInput); ok {
			flags[name] = "--input " + name + "=…"
		}
	}
	put := func(flag, key string, match func(string) bool, what string) error {
		value := out[key]
		delete(out, key)
		if value == "" {
			return nil
		}
		for _, f := range p.InputFields {
			if match(f.Name) {
				if _, dup := out[api.KeyInput+f.Name]; dup {
					return fmt.Errorf("%s and --input %s= both set %s", flag, f.Name, f.Name)
				}
				out[api.KeyInput+f.Name], flags[f.Name] = value, flag
				return nil
			}
		}
		names := make([]string, 0, len(p.InputFields))
		for _, f := range p.InputFields {
			names = append(names, f.Name)
		}
		return fmt.Errorf("%s: %s does not take a %s (it takes: %s)", flag, p.Name, what, strings.Join(sortedCopy(names), ", "))
	}
	if err := put("--player-id", "player-id", IsPlayerField, "player id"); err != nil {
		return out, flags, err
	}
	if err := put("--server", "server", func(n string) bool { return strings.EqualFold(n, "server") }, "server"); err != nil {
		return out, flags, err
	}
	if err := put("--phone", keyPhone, IsPhoneField, "phone number"); err != nil {
		return out, flags, err
	}
	for _, f := range p.InputFields { // fields left empty: the flag that would fill them
		if _, ok := flags[f.Name]; ok {
			continue
		}
		switch {
		case IsPlayerField(f.Name):
			flags[f.Name] = "--player-id"
		case IsPhoneField(f.Name):
			flags[f.Name] = "--phone"
		case strings.EqualFold(f.Name, "server"):
			flags[f.Name] = "--server"
		}
	}
	return out, flags, nil
}

func sortedCopy(s []string) []string {
	m := make(map[string]string, len(s))
	for _, x := range s {
		m[x] = x
	}
	return api.SortedKeys(m)
}
