package oneclick_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/spec/oneclick"
)

// The OneClickDz verticals' rules, through api.ValidateRequest.

func planDjezzy() *api.Product {
	return &api.Product{Provider: api.ProviderOneClick, Vertical: api.VerticalMobile, ID: "PREPAID_DJEZZY", Name: "PREPAID", Type: "Djezzy", Enabled: true,
		Variants: []api.Variant{{ID: "PREPAID_DJEZZY", Min: 100, Max: 10000, Stock: -1}}}
}

func planFixed() *api.Product {
	return &api.Product{Provider: api.ProviderOneClick, Vertical: api.VerticalMobile, ID: "MIX500_MOBILIS", Name: "MIX 500", Type: "Mobilis", Enabled: true,
		Variants: []api.Variant{{ID: "MIX500_MOBILIS", Fixed: []float64{500}, Stock: -1}}}
}

func planGros() *api.Product {
	return &api.Product{Provider: api.ProviderOneClick, Vertical: api.VerticalMobile, ID: "GROS_MOBILIS", Type: "GMobilis", Enabled: true,
		Variants: []api.Variant{{ID: "GROS_MOBILIS", Min: 5000, Max: 300000}}}
}

func planPixx(enabled bool) *api.Product {
	return &api.Product{Provider: api.ProviderOneClick, Vertical: api.VerticalMobile, ID: "PIXX_500", Type: "Pixx", Enabled: enabled,
		Variants: []api.Variant{{ID: "PIXX_500", Fixed: []float64{500}}}}
}

func internetADSL() *api.Product {
	return &api.Product{Provider: api.ProviderOneClick, Vertical: api.VerticalInternet, ID: "ADSL", Type: "ADSL", Enabled: true,
		Variants: []api.Variant{{ID: "500", Fixed: []float64{500}, Price: 490, Stock: -1}, {ID: "1000", Fixed: []float64{1000}, Price: 980, Stock: -1},
			{ID: "2000", Fixed: []float64{2000}, Price: 1960, Stock: 0}}}
}

func internet4G() *api.Product {
	p := internetADSL()
	p.ID, p.Type = "4G", "4G"
	return p
}

func giftPSN(enabled bool) *api.Product {
	return &api.Product{Provider: api.ProviderOneClick, Vertical: api.VerticalGiftCard, ID: "507f1f77bcf86cd799439011", Name: "PlayStation Network", Enabled: enabled,
		Variants: []api.Variant{{ID: "type_001", Name: "PSN 500 DA", Price: 490, Stock: 150, MaxQuantity: 50},
			{ID: "type_002", Name: "PSN 1000 DA", Price: 980, Stock: 3, MaxQuantity: 50},
			{ID: "type_003", Name: "PSN 2000 DA", Price: 1960, Stock: 0, MaxQuantity: 50}}}
}

func TestValidateOneClickTable(t *testing.T) {
	const ref = "ow-test-1"
	mob := func(plan, msisdn string, amount float64) api.OrderRequest {
		return api.OrderRequest{Vertical: api.VerticalMobile, ProductID: plan, Recipient: msisdn, Amount: amount, Quantity: 1, ClientReference: ref}
	}
	inet := func(typ, number string, value float64) api.OrderRequest {
		return api.OrderRequest{Vertical: api.VerticalInternet, ProductID: typ, RecipientType: typ, Recipient: number, Amount: value, ClientReference: ref}
	}
	gift := func(typeID string, qty int) api.OrderRequest {
		return api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: "507f1f77bcf86cd799439011", VariantID: typeID, Quantity: qty, ClientReference: ref}
	}
	cases := []struct {
		name   string
		req    api.OrderRequest
		p      *api.Product
		fields []string
	}{
		{"mobile ok", mob("PREPAID_DJEZZY", "0778037340", 500), planDjezzy(), nil},
		{"mobile plan code any case", mob("prepaid_djezzy", "0778037340", 500), planDjezzy(), nil},
		{"mobile magic 06 passes operator", mob("PREPAID_DJEZZY", "0600000002", 500), planDjezzy(), nil},
		{"mobile unknown plan", mob("NOPE", "0778037340", 500), nil, []string{"product_id"}},
		{"mobile disabled plan", mob("PIXX_500", "0778037340", 0), planPixx(false), []string{"product_id"}},
		{"mobile pixx plan any operator", mob("PIXX_500", "0661234567", 0), planPixx(true), nil},
		{"mobile +213", mob("PREPAID_DJEZZY", "+213778037340", 500), planDjezzy(), []string{"msisdn"}},
		{"mobile nine digits", mob("PREPAID_DJEZZY", "778037340", 500), planDjezzy(), []string{"msisdn"}},
		{"mobile 04 prefix", mob("PREPAID_DJEZZY", "0478037340", 500), planDjezzy(), []string{"msisdn"}},
		{"mobile spaces", mob("PREPAID_DJEZZY", "0778 037 340", 500), planDjezzy(), []string{"msisdn"}},
		{"mobile operator mismatch", mob("PREPAID_DJEZZY", "0661234567", 500), planDjezzy(), []string{"msisdn"}},
		{"mobile gros mobilis takes mobilis", mob("GROS_MOBILIS", "0661234567", 5000), planGros(), nil},
		{"mobile gros mobilis refuses ooredoo", mob("GROS_MOBILIS", "0551234567", 5000), planGros(), []string{"msisdn"}},
		{"mobile amount below", mob("PREPAID_DJEZZY", "0778037340", 99), planDjezzy(), []string{"amount"}},
		{"mobile amount above", mob("PREPAID_DJEZZY", "0778037340", 10001), planDjezzy(), []string{"amount"}},
		{"mobile amount edges", mob("PREPAID_DJEZZY", "0778037340", 10000), planDjezzy(), nil},
		{"mobile amount fraction", mob("PREPAID_DJEZZY", "0778037340", 100.5), planDjezzy(), []string{"amount"}},
		{"mobile amount missing on dynamic", mob("PREPAID_DJEZZY", "0778037340", 0), planDjezzy(), []string{"amount"}},
		{"mobile fixed ignores amount", mob("MIX500_MOBILIS", "0661234567", 0), planFixed(), nil},
		{"mobile fixed ignores odd amount", mob("MIX500_MOBILIS", "0661234567", 123), planFixed(), nil},
		{"mobile email refused", func() api.OrderRequest { r := mob("PREPAID_DJEZZY", "0778037340", 500); r.Email = "a@b.co"; return r }(), planDjezzy(), []string{"email"}},
		{"mobile quantity 2", func() api.OrderRequest { r := mob("PREPAID_DJEZZY", "0778037340", 500); r.Quantity = 2; return r }(), planDjezzy(), []string{"quantity"}},
		{"mobile no reference", func() api.OrderRequest {
			r := mob("PREPAID_DJEZZY", "0778037340", 500)
			r.ClientReference = ""
			return r
		}(), planDjezzy(), []string{"client_reference"}},
		{"mobile wrong vertical product", mob("PREPAID_DJEZZY", "0778037340", 500), internetADSL(), []string{"product_id"}},

		{"internet adsl ok", inet("ADSL", "036362608", 1000), internetADSL(), nil},
		{"internet adsl lower case type", inet("adsl", "036362608", 500), internetADSL(), nil},
		{"internet 4g ok", inet("4G", "213472731602", 500), internet4G(), nil},
		{"internet adsl 8 digits", inet("ADSL", "36362608", 500), internetADSL(), []string{"number"}},
		{"internet adsl 10 digits", inet("ADSL", "0363626081", 500), internetADSL(), []string{"number"}},
		{"internet adsl given a 4g number", inet("ADSL", "213636362608", 500), internetADSL(), []string{"number"}},
		{"internet 4g plus", inet("4G", "+213472731602", 500), internet4G(), []string{"number"}},
		{"internet bad type", inet("FIBRE", "036362608", 500), nil, []string{"type", "product_id"}},
		{"internet type mismatch", inet("4G", "213472731602", 500), internetADSL(), []string{"type"}},
		{"internet value not offered", inet("ADSL", "036362608", 700), internetADSL(), []string{"value"}},
		{"internet value out of stock", inet("ADSL", "036362608", 2000), internetADSL(), []string{"value"}},
		{"internet value zero", inet("ADSL", "036362608", 0), internetADSL(), []string{"value"}},

		{"gift ok", gift("type_001", 4), giftPSN(true), nil},
		{"gift up to stock", gift("type_002", 3), giftPSN(true), nil},
		{"gift above stock", gift("type_002", 4), giftPSN(true), []string{"quantity"}},
		{"gift above the per-order cap", gift("type_001", 51), giftPSN(true), []string{"quantity"}},
		{"gift cap edge", gift("type_001", 50), giftPSN(true), nil},
		{"gift out of stock", gift("type_003", 1), giftPSN(true), []string{"type_id"}},
		{"gift quantity 0", gift("type_001", 0), giftPSN(true), []string{"quantity"}},
		{"gift unknown type", gift("type_999", 1), giftPSN(true), []string{"type_id"}},
		{"gift no type", gift("", 1), giftPSN(true), []string{"type_id"}},
		{"gift disabled product", gift("type_001", 1), giftPSN(false), []string{"product_id"}},
		{"gift unknown product", gift("type_001", 1), nil, []string{"product_id"}},
		{"gift unknown product bad quantity", gift("type_001", 0), nil, []string{"product_id", "quantity"}},
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
			assert.True(t, errors.Is(err, api.ErrValidation))
		})
	}
}

func TestOneClickHelpers(t *testing.T) {
	assert.Equal(t, "Djezzy", oneclick.MobileOperator("0778037340"))
	assert.Equal(t, "Mobilis", oneclick.MobileOperator("0661234567"))
	assert.Equal(t, "Ooredoo", oneclick.MobileOperator("0551234567"))
	assert.Equal(t, "", oneclick.MobileOperator("0600000002"))
	assert.Equal(t, "", oneclick.MobileOperator("+213778037340"))
	typ, ok := oneclick.NormalizeInternetType(" 4glte ")
	assert.True(t, ok)
	assert.Equal(t, oneclick.Internet4G, typ)
	_, ok = oneclick.NormalizeInternetType("fibre")
	assert.False(t, ok)
	assert.True(t, oneclick.DynamicPlan(planDjezzy()))
	assert.False(t, oneclick.DynamicPlan(planFixed()))
	_, err := oneclick.InternetSpec().Request(internetADSL(), api.Values{"type": "ADSL", "number": "036362608", "value": "x"})
	require.Error(t, err)
	assert.Equal(t, "value", err.(*api.Error).Field, "an internet top-up's amount is its card value")
	err = oneclick.ValidateInternetValue(internetADSL(), 700)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "available: 500, 1000", "out-of-stock values are not offered")
	err = oneclick.ValidateMobileAmount(planDjezzy(), 50)
	assert.Contains(t, err.Error(), "100–10000")
}
