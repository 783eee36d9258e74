package octopus

import (
	"fmt"
	"strconv"

	"github.com/orderwatch/orderwatch/api"
)

// The voucher vertical: a product, a denomination, a quantity of 1 to
// 5,000 (up to 5 delivered in the response), an optional email.

// QuantityHelp is the voucher quantity rule, said where the quantity is typed.
const QuantityHelp = "1 to 5,000: up to 5 are delivered in the response; more are fulfilled in the background"

const keyDenomination = "denomination"

func init() { api.RegisterSpec(VoucherSpec()) }

// VoucherSpec is the spec of Octopus vouchers.
func VoucherSpec() *api.Spec {
	return &api.Spec{
		Vertical: api.VerticalVoucher,
		Title:    "New voucher order",
		Pick:     pickAll,
		Details:  voucherDetails,
		Prefill:  prefillCommon,
		Request: func(p *api.Product, v api.Values) (api.OrderRequest, error) {
			r := api.BaseRequest(api.VerticalVoucher, p, v)
			var err error
			if r.Amount, err = api.ParseAmount(v[keyDenomination]); err != nil {
				return r, ruleErr(keyDenomination, "%s", err)
			}
			if r.Quantity, err = api.ParseQuantity(v[api.KeyQuantity]); err != nil {
				return r, ruleErr(api.KeyQuantity, "%s", err)
			}
			return r, nil
		},
		Validate: func(r api.OrderRequest, p *api.Product) error {
			return validateOrder(r, p, keyDenomination,
				func(p *api.Product) error { return api.ValidateDenomination(p, r.Amount) }, api.ValidateQuantityRange)
		},
		Summary: func(r api.OrderRequest, p *api.Product, _ api.Values) []api.Row {
			cur := currency(p)
			rows := []api.Row{{Label: "Denomination", Value: fmt.Sprintf("%s %s × %d", api.FormatAmount(r.Amount, cur), cur, r.Quantity)}}
			if r.Quantity > api.SyncVoucherQuantity {
				rows = append(rows, api.Row{Note: "more than 5: fulfilled in the background, tracked in the table"})
			}
			return append(rows, tailRows(r)...)
		},
		Result: octopusResult(api.ResultSpec{MissingCodes: func(o api.Order) bool {
			return (o.Status == api.StatusDelivered || o.Status == api.StatusPartial) && len(o.Vouchers) == 0
		}}),
		Texts: octopusTexts,
		Place: api.PlaceSpec{
			Flags: flagsOf(api.Flag{Name: "denomination", Key: keyDenomination, Kind: api.FlagAmount, Arg: "N",
				Help: "face value (a fixed value or inside the product's range)"}),
			Quantity:   "1..5000 (up to 5 delivered in the response; more in the background)",
			Example:    "orderwatch place voucher --product 1001 --denomination 10 --quantity 3 --wait",
			ProductKey: api.KeyProduct,
			Check: func(v api.Values, set func(string) bool) error {
				if err := checkProductFlag(v); err != nil {
					return err
				}
				if !set("denomination") {
					return fmt.Errorf("--denomination is required")
				}
				return checkQuantityFlag(v, set, api.ValidateQuantityRange)
			},
			FlagOf: map[string]string{"denomination": "--denomination"},
			Refuse: refuseTopupFlags(map[string]string{"amount": "--amount is for topups and eSIMs; a voucher takes --denomination"}),
		},
	}
}

func voucherDetails(p *api.Product, v api.Values) []api.Field {
	check := func(s string, _ api.Values) error {
		f, err := api.ParseAmount(s)
		if err != nil {
			return err
		}
		return api.ValidateDenomination(p, f)
	}
	denom := api.Field{Key: keyDenomination, Title: "Denomination (" + p.Currency + ")",
		Description: "Allowed: " + api.DescribeDenominations(p.Denominations), Check: check}
	allFixed := len(p.Denominations) > 0
	for _, d := range p.Denominations {
		if !d.Fixed() {
			allFixed = false
		}
	}
	if allFixed {
		denom = api.Field{Key: keyDenomination, Kind: api.FieldSelect, Title: "Denomination", Check: check}
		for _, d := range p.Denominations {
			denom.Options = append(denom.Options, api.Option{Label: fmt.Sprintf("%s %s", api.FormatAmount(d.Min, p.Currency), p.Currency), Value: api.FormatNumber(d.Min)})
		}
		if v[keyDenomination] == "" {
			v[keyDenomination] = api.FormatNumber(p.Denominations[0].Min)
		}
	}
	quantity := api.Field{Key: api.KeyQuantity, Title: "Quantity", Description: QuantityHelp, Check: func(s string, _ api.Values) error {
		n, err := api.ParseQuantity(s)
		if err != nil {
			return err
		}
		return api.ValidateQuantityRange(n)
	}}
	return []api.Field{denom, quantity, api.EmailField(), api.ReferenceField()}
}

// --- shared by the Octopus specs ------------------------------------------------

// pickAll offers the whole catalogue list.
func pickAll(ps []api.Product, _ api.Values) (api.Pick, error) { return api.Pick{Products: ps}, nil }

func currency(p *api.Product) string {
	if p == nil {
		return ""
	}
	return p.Currency
}

// prefillCommon reads back what every Octopus request has.
func prefillCommon(r api.OrderRequest, v api.Values) {
	if r.Amount > 0 {
		v[keyDenomination], v[api.KeyAmount] = api.FormatNumber(r.Amount), api.FormatNumber(r.Amount)
	}
	if r.Quantity > 0 {
		v[api.KeyQuantity] = strconv.Itoa(r.Quantity)
	}
	v[keyVariant], v[keyCategory], v[api.KeyEmail] = r.VariantID, r.Category, r.Email
	for k, s := range r.InputData {
		v[api.KeyInput+k] = s
	}
}

// tailRows end an Octopus summary: the email, if any, and the reference.
func tailRows(r api.OrderRequest) []api.Row {
	var rows []api.Row
	if r.Email != "" {
		rows = append(rows, api.Row{Label: "Email", Value: r.Email})
	}
	return append(rows, api.Row{Label: "Reference", Value: r.ClientReference})
}

func octopusResult(r api.ResultSpec) api.ResultSpec {
	r.CodeName = "voucher code"
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
