package octopus_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/spec/octopus"
)

// The Octopus verticals' rules, through api.ValidateRequest: the specs this
// package registers are what the form and `place` apply.

func voucherProduct() *api.Product {
	return &api.Product{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, ID: "1001", Name: "Steam Wallet USD",
		Currency: "USD", Denominations: []api.Denomination{{Min: 5, Max: 5}, {Min: 10, Max: 10}, {Min: 20, Max: 20}}}
}

func rangeVoucher() *api.Product {
	return &api.Product{Vertical: api.VerticalVoucher, ID: "1101", Name: "Amazon", Denominations: []api.Denomination{{Min: 1, Max: 2000}}}
}

func gameTopup() *api.Product {
	return &api.Product{Vertical: api.VerticalTopup, ID: "4218", Name: "PUBG Mobile UC",
		InputFields: []api.InputField{{Name: "player_id", Label: "Player ID", Required: true, Pattern: `^[0-9]{5,12}$`},
			{Name: "server", Label: "Server"}},
		Variants: []api.Variant{{ID: "1", Category: "In-Game Currency", Fixed: []float64{0.99}}, {ID: "2", Fixed: []float64{4.99}}}}
}

func mobileTopup() *api.Product {
	return &api.Product{Vertical: api.VerticalTopup, ID: "4219", Name: "Airtel India",
		InputFields: []api.InputField{{Name: "phone_number", Label: "Phone number", Required: true}},
		Variants: []api.Variant{{ID: "a", Category: "Airtime", Min: 10, Max: 5000},
			{ID: "d", Category: "Data", Fixed: []float64{299, 479}}, {ID: "b", Category: "Bundle", Fixed: []float64{839}}}}
}

func esimProduct() *api.Product {
	return &api.Product{Vertical: api.VerticalESIM, ID: "712", Name: "Japan eSIM",
		Variants: []api.Variant{{ID: "5511", Name: "Japan 1 GB / 7 days", Price: 4.5, DataGB: 1, ValidityDays: 7}}}
}

func TestValidateRequestTable(t *testing.T) {
	ok := func(r api.OrderRequest) api.OrderRequest {
		if r.ClientReference == "" {
			r.ClientReference = "ow-test-1"
		}
		return r
	}
	cases := []struct {
		name   string
		req    api.OrderRequest
		p      *api.Product
		fields []string // nil: valid
	}{
		{"voucher ok", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 10, Quantity: 3}), voucherProduct(), nil},
		{"voucher unknown product", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "9", Amount: 10, Quantity: 1}), nil, []string{"product_id"}},
		{"voucher product mismatch", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "9", Amount: 10, Quantity: 1}), voucherProduct(), []string{"product_id"}},
		{"voucher denomination not fixed value", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 15, Quantity: 1}), voucherProduct(), []string{"denomination"}},
		{"voucher range inside", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1101", Amount: 1999.5, Quantity: 1}), rangeVoucher(), nil},
		{"voucher range outside", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1101", Amount: 2000.01, Quantity: 1}), rangeVoucher(), []string{"denomination"}},
		{"voucher zero amount", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 0, Quantity: 1}), voucherProduct(), []string{"denomination"}},
		{"voucher quantity 0", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 0}), voucherProduct(), []string{"quantity"}},
		{"voucher quantity 5000", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 5000}), voucherProduct(), nil},
		{"voucher quantity 5001", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 5001}), voucherProduct(), []string{"quantity"}},
		{"voucher bad email", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, Email: "not-an-email"}), voucherProduct(), []string{"email"}},
		{"voucher named email", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, Email: "Bob <bob@example.com>"}), voucherProduct(), []string{"email"}},
		{"voucher long email", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, Email: strings.Repeat("a", 250) + "@x.io"}), voucherProduct(), []string{"email"}},
		{"voucher good email", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, Email: "bob@example.com"}), voucherProduct(), nil},
		{"voucher input data", ok(api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, InputData: map[string]string{"x": "y"}}), voucherProduct(), []string{"input_data"}},
		{"reference empty", api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: ""}, voucherProduct(), []string{"client_reference"}},
		{"reference control char", api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: "a\tb"}, voucherProduct(), []string{"client_reference"}},
		{"reference non-ascii", api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: "café"}, voucherProduct(), []string{"client_reference"}},
		{"reference 255", api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: strings.Repeat("r", 255)}, voucherProduct(), nil},
		{"reference 256", api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: strings.Repeat("r", 256)}, voucherProduct(), []string{"client_reference"}},
		{"several fields", api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 7, Quantity: 0, ClientReference: ""}, voucherProduct(), []string{"denomination", "quantity", "client_reference"}},

		{"topup game ok", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 0.99, InputData: map[string]string{"player_id": "51234"}}), gameTopup(), nil},
		{"topup game server ok", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 4.99, Quantity: 1, InputData: map[string]string{"player_id": "51234", "server": "asia"}}), gameTopup(), nil},
		{"topup missing player", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 0.99}), gameTopup(), []string{"input_data.player_id"}},
		{"topup bad player pattern", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 0.99, InputData: map[string]string{"player_id": "12ab"}}), gameTopup(), []string{"input_data.player_id"}},
		{"topup extra key", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 0.99, InputData: map[string]string{"player_id": "51234", "zone": "1"}}), gameTopup(), []string{"input_data.zone"}},
		{"topup amount not fixed", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 1, InputData: map[string]string{"player_id": "51234"}}), gameTopup(), []string{"amount"}},
		{"topup quantity 2", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 0.99, Quantity: 2, InputData: map[string]string{"player_id": "51234"}}), gameTopup(), []string{"quantity"}},
		{"mobile ok range", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4219", Amount: 150, Category: "Airtime", InputData: map[string]string{"phone_number": "+918879685100"}}), mobileTopup(), nil},
		{"mobile range above", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4219", Amount: 5001, InputData: map[string]string{"phone_number": "+918879685100"}}), mobileTopup(), []string{"amount"}},
		{"mobile data amount in wrong category", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4219", Amount: 300, Category: "Data", InputData: map[string]string{"phone_number": "+918879685100"}}), mobileTopup(), []string{"amount"}},
		{"mobile unknown category", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4219", Amount: 299, Category: "Voice", InputData: map[string]string{"phone_number": "+918879685100"}}), mobileTopup(), []string{"category"}},
		{"mobile phone spaces", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4219", Amount: 299, InputData: map[string]string{"phone_number": "+91 887 968 5100"}}), mobileTopup(), []string{"input_data.phone_number"}},
		{"mobile phone no plus", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4219", Amount: 299, InputData: map[string]string{"phone_number": "918879685100"}}), mobileTopup(), []string{"input_data.phone_number"}},
		{"mobile phone leading zero", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4219", Amount: 299, InputData: map[string]string{"phone_number": "+0918879685"}}), mobileTopup(), []string{"input_data.phone_number"}},
		{"mobile phone too long", ok(api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4219", Amount: 299, InputData: map[string]string{"phone_number": "+1234567890123456"}}), mobileTopup(), []string{"input_data.phone_number"}},

		{"esim ok", ok(api.OrderRequest{Vertical: api.VerticalESIM, ProductID: "712", Amount: 4.5}), esimProduct(), nil},
		{"esim amount not a plan", ok(api.OrderRequest{Vertical: api.VerticalESIM, ProductID: "712", Amount: 4.49}), esimProduct(), []string{"amount"}},
		{"esim wrong vertical product", ok(api.OrderRequest{Vertical: api.VerticalESIM, ProductID: "1001", Amount: 5}), voucherProduct(), []string{"product_id", "amount"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := api.ValidateRequest(c.req, c.p)
			if c.fields == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			var fe api.FieldErrors
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, c.fields, fe.Fields())
			assert.Equal(t, api.KindValidation, api.KindOf(err))
			assert.True(t, errors.Is(err, api.ErrValidation))
			for _, f := range c.fields {
				assert.NotEmpty(t, fe.For(f).Message, f)
			}
		})
	}
}

func TestValidatePhoneDirect(t *testing.T) {
	assert.NoError(t, octopus.ValidatePhone("+918879685100"))
	assert.Error(t, octopus.ValidatePhone(""))
	assert.Error(t, octopus.ValidatePhone("+12345"))
}
