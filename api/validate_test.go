package api

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func voucherProduct() *Product {
	return &Product{Provider: ProviderOctopus, Vertical: VerticalVoucher, ID: "1001", Name: "Steam Wallet USD",
		Currency: "USD", Denominations: []Denomination{{Min: 5, Max: 5}, {Min: 10, Max: 10}, {Min: 20, Max: 20}}}
}

func rangeVoucher() *Product {
	return &Product{Vertical: VerticalVoucher, ID: "1101", Name: "Amazon", Denominations: []Denomination{{Min: 1, Max: 2000}}}
}

func gameTopup() *Product {
	return &Product{Vertical: VerticalTopup, ID: "4218", Name: "PUBG Mobile UC",
		InputFields: []InputField{{Name: "player_id", Label: "Player ID", Required: true, Pattern: `^[0-9]{5,12}$`},
			{Name: "server", Label: "Server"}},
		Variants: []Variant{{ID: "1", Category: "In-Game Currency", Fixed: []float64{0.99}}, {ID: "2", Fixed: []float64{4.99}}}}
}

func mobileTopup() *Product {
	return &Product{Vertical: VerticalTopup, ID: "4219", Name: "Airtel India",
		InputFields: []InputField{{Name: "phone_number", Label: "Phone number", Required: true}},
		Variants: []Variant{{ID: "a", Category: "Airtime", Min: 10, Max: 5000},
			{ID: "d", Category: "Data", Fixed: []float64{299, 479}}, {ID: "b", Category: "Bundle", Fixed: []float64{839}}}}
}

func esimProduct() *Product {
	return &Product{Vertical: VerticalESIM, ID: "712", Name: "Japan eSIM",
		Variants: []Variant{{ID: "5511", Name: "Japan 1 GB / 7 days", Price: 4.5, DataGB: 1, ValidityDays: 7}}}
}

func TestValidateRequestTable(t *testing.T) {
	ok := func(r OrderRequest) OrderRequest {
		if r.ClientReference == "" {
			r.ClientReference = "ow-test-1"
		}
		return r
	}
	cases := []struct {
		name   string
		req    OrderRequest
		p      *Product
		fields []string // nil: valid
	}{
		{"voucher ok", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 10, Quantity: 3}), voucherProduct(), nil},
		{"voucher unknown product", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "9", Amount: 10, Quantity: 1}), nil, []string{"product_id"}},
		{"voucher product mismatch", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "9", Amount: 10, Quantity: 1}), voucherProduct(), []string{"product_id"}},
		{"voucher denomination not fixed value", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 15, Quantity: 1}), voucherProduct(), []string{"denomination"}},
		{"voucher range inside", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1101", Amount: 1999.5, Quantity: 1}), rangeVoucher(), nil},
		{"voucher range outside", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1101", Amount: 2000.01, Quantity: 1}), rangeVoucher(), []string{"denomination"}},
		{"voucher zero amount", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 0, Quantity: 1}), voucherProduct(), []string{"denomination"}},
		{"voucher quantity 0", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 0}), voucherProduct(), []string{"quantity"}},
		{"voucher quantity 5000", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 5000}), voucherProduct(), nil},
		{"voucher quantity 5001", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 5001}), voucherProduct(), []string{"quantity"}},
		{"voucher bad email", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, Email: "not-an-email"}), voucherProduct(), []string{"email"}},
		{"voucher named email", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, Email: "Bob <bob@example.com>"}), voucherProduct(), []string{"email"}},
		{"voucher long email", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, Email: strings.Repeat("a", 250) + "@x.io"}), voucherProduct(), []string{"email"}},
		{"voucher good email", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, Email: "bob@example.com"}), voucherProduct(), nil},
		{"voucher input data", ok(OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, InputData: map[string]string{"x": "y"}}), voucherProduct(), []string{"input_data"}},
		{"reference empty", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: ""}, voucherProduct(), []string{"client_reference"}},
		{"reference control char", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: "a\tb"}, voucherProduct(), []string{"client_reference"}},
		{"reference non-ascii", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: "café"}, voucherProduct(), []string{"client_reference"}},
		{"reference one space", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: " "}, voucherProduct(), []string{"client_reference"}},
		{"reference spaces", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: "   "}, voucherProduct(), []string{"client_reference"}},
		{"reference trailing space", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: "a "}, voucherProduct(), []string{"client_reference"}},
		{"reference inner space", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: "a b"}, voucherProduct(), nil},
		{"reference DEL", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: "a\x7fb"}, voucherProduct(), []string{"client_reference"}},
		{"reference 255", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: strings.Repeat("r", 255)}, voucherProduct(), nil},
		{"reference 256", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 5, Quantity: 1, ClientReference: strings.Repeat("r", 256)}, voucherProduct(), []string{"client_reference"}},
		{"several fields", OrderRequest{Vertical: VerticalVoucher, ProductID: "1001", Amount: 7, Quantity: 0, ClientReference: ""}, voucherProduct(), []string{"denomination", "quantity", "client_reference"}},

		{"topup game ok", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4218", Amount: 0.99, InputData: map[string]string{"player_id": "51234"}}), gameTopup(), nil},
		{"topup game server ok", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4218", Amount: 4.99, Quantity: 1, InputData: map[string]string{"player_id": "51234", "server": "asia"}}), gameTopup(), nil},
		{"topup missing player", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4218", Amount: 0.99}), gameTopup(), []string{"input_data.player_id"}},
		{"topup bad player pattern", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4218", Amount: 0.99, InputData: map[string]string{"player_id": "12ab"}}), gameTopup(), []string{"input_data.player_id"}},
		{"topup extra key", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4218", Amount: 0.99, InputData: map[string]string{"player_id": "51234", "zone": "1"}}), gameTopup(), []string{"input_data.zone"}},
		{"topup amount not fixed", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4218", Amount: 1, InputData: map[string]string{"player_id": "51234"}}), gameTopup(), []string{"amount"}},
		{"topup quantity 2", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4218", Amount: 0.99, Quantity: 2, InputData: map[string]string{"player_id": "51234"}}), gameTopup(), []string{"quantity"}},
		{"mobile ok range", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4219", Amount: 150, Category: "Airtime", InputData: map[string]string{"phone_number": "+918879685100"}}), mobileTopup(), nil},
		{"mobile range above", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4219", Amount: 5001, InputData: map[string]string{"phone_number": "+918879685100"}}), mobileTopup(), []string{"amount"}},
		{"mobile data amount in wrong category", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4219", Amount: 300, Category: "Data", InputData: map[string]string{"phone_number": "+918879685100"}}), mobileTopup(), []string{"amount"}},
		{"mobile unknown category", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4219", Amount: 299, Category: "Voice", InputData: map[string]string{"phone_number": "+918879685100"}}), mobileTopup(), []string{"category"}},
		{"mobile phone spaces", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4219", Amount: 299, InputData: map[string]string{"phone_number": "+91 887 968 5100"}}), mobileTopup(), []string{"input_data.phone_number"}},
		{"mobile phone no plus", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4219", Amount: 299, InputData: map[string]string{"phone_number": "918879685100"}}), mobileTopup(), []string{"input_data.phone_number"}},
		{"mobile phone leading zero", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4219", Amount: 299, InputData: map[string]string{"phone_number": "+0918879685"}}), mobileTopup(), []string{"input_data.phone_number"}},
		{"mobile phone too long", ok(OrderRequest{Vertical: VerticalTopup, ProductID: "4219", Amount: 299, InputData: map[string]string{"phone_number": "+1234567890123456"}}), mobileTopup(), []string{"input_data.phone_number"}},

		{"esim ok", ok(OrderRequest{Vertical: VerticalESIM, ProductID: "712", Amount: 4.5}), esimProduct(), nil},
		{"esim amount not a plan", ok(OrderRequest{Vertical: VerticalESIM, ProductID: "712", Amount: 4.49}), esimProduct(), []string{"amount"}},
		{"esim wrong vertical product", ok(OrderRequest{Vertical: VerticalESIM, ProductID: "1001", Amount: 5}), voucherProduct(), []string{"product_id", "amount"}},
		{"unknown vertical", ok(OrderRequest{Vertical: "bogus"}), nil, []string{"vertical"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateRequest(c.req, c.p)
			if c.fields == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			var fe FieldErrors
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, c.fields, fe.Fields())
			assert.Equal(t, KindValidation, KindOf(err))
			assert.True(t, errors.Is(err, ErrValidation))
			for _, f := range c.fields {
				assert.NotEmpty(t, fe.For(f).Message, f)
			}
		})
	}
}

func TestValidateAmountMessagesListTheAllowedValues(t *testing.T) {
	err := ValidateAmount(VerticalVoucher, voucherProduct(), 15, "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "5, 10, 20")
	err = ValidateAmount(VerticalTopup, mobileTopup(), 5001, "")
	assert.Contains(t, err.Error(), "10–5000")
}

func TestMatchVariantPrefersFixedOverRange(t *testing.T) {
	v, ok := MatchVariant(mobileTopup(), 299, "")
	require.True(t, ok)
	assert.Equal(t, "d", v.ID)
	v, ok = MatchVariant(mobileTopup(), 299, "Airtime")
	require.True(t, ok)
	assert.Equal(t, "a", v.ID)
	_, ok = MatchVariant(mobileTopup(), 9, "")
	assert.False(t, ok)
	v, ok = MatchVariant(esimProduct(), 4.5, "")
	require.True(t, ok)
	assert.Equal(t, "5511", v.ID)
}

func TestNewClientReferenceIsValidAndFresh(t *testing.T) {
	a, b := NewClientReference(), NewClientReference()
	assert.NoError(t, ValidateReference(a))
	assert.NotEqual(t, a, b)
	assert.Regexp(t, `^ow-\d{8}-[0-9a-f]{10}$`, a)
}

func TestCheckBalance(t *testing.T) {
	w := Wallet{Provider: ProviderOctopus, ID: "1", Currency: "USD", Balance: 100, Type: "PREPAID"}
	assert.NoError(t, CheckBalance(Quote{TotalPayable: 100, WalletCurrency: "USD"}, w))
	err := CheckBalance(Quote{TotalPayable: 100.01, WalletCurrency: "USD"}, w)
	require.Error(t, err)
	assert.Equal(t, KindInsufficientFunds, KindOf(err))
	assert.True(t, errors.Is(err, ErrInsufficientFunds))
	assert.Contains(t, err.Error(), "100.01")

	w.Type = "POSTPAID"
	assert.NoError(t, CheckBalance(Quote{TotalPayable: 1e6, WalletCurrency: "USD"}, w), "postpaid is settled later")
	w.Type = "PREPAID"
	assert.NoError(t, CheckBalance(Quote{TotalPayable: 1e6, WalletCurrency: "EUR"}, w), "another currency is the server's call")
}

func TestValidatePhoneAndEmailDirect(t *testing.T) {
	assert.NoError(t, ValidatePhone("+918879685100"))
	assert.Error(t, ValidatePhone(""))
	assert.Error(t, ValidatePhone("+12345"))
	assert.NoError(t, ValidateEmail(""))
	assert.Error(t, ValidateEmail("a@b"))
	assert.Error(t, ValidateEmail("a@@b.com"))
}

func planDjezzy() *Product {
	return &Product{Provider: ProviderOneClick, Vertical: VerticalMobile, ID: "PREPAID_DJEZZY", Name: "PREPAID", Type: "Djezzy", Enabled: true,
		Variants: []Variant{{ID: "PREPAID_DJEZZY", Min: 100, Max: 10000, Stock: -1}}}
}

func planFixed() *Product {
	return &Product{Provider: ProviderOneClick, Vertical: VerticalMobile, ID: "MIX500_MOBILIS", Name: "MIX 500", Type: "Mobilis", Enabled: true,
		Variants: []Variant{{ID: "MIX500_MOBILIS", Fixed: []float64{500}, Stock: -1}}}
}

func planGros() *Product {
	return &Product{Provider: ProviderOneClick, Vertical: VerticalMobile, ID: "GROS_MOBILIS", Type: "GMobilis", Enabled: true,
		Variants: []Variant{{ID: "GROS_MOBILIS", Min: 5000, Max: 300000}}}
}

func planPixx(enabled bool) *Product {
	return &Product{Provider: ProviderOneClick, Vertical: VerticalMobile, ID: "PIXX_500", Type: "Pixx", Enabled: enabled,
		Variants: []Variant{{ID: "PIXX_500", Fixed: []float64{500}}}}
}

func internetADSL() *Product {
	return &Product{Provider: ProviderOneClick, Vertical: VerticalInternet, ID: "ADSL", Type: "ADSL", Enabled: true,
		Variants: []Variant{{ID: "500", Fixed: []float64{500}, Price: 490, Stock: -1}, {ID: "1000", Fixed: []float64{1000}, Price: 980, Stock: -1},
			{ID: "2000", Fixed: []float64{2000}, Price: 1960, Stock: 0}}}
}

func internet4G() *Product {
	p := internetADSL()
	p.ID, p.Type = "4G", "4G"
	return p
}

func giftPSN(enabled bool) *Product {
	return &Product{Provider: ProviderOneClick, Vertical: VerticalGiftCard, ID: "507f1f77bcf86cd799439011", Name: "PlayStation Network", Enabled: enabled,
		Variants: []Variant{{ID: "type_001", Name: "PSN 500 DA", Price: 490, Stock: 150, MaxQuantity: 50},
			{ID: "type_002", Name: "PSN 1000 DA", Price: 980, Stock: 3, MaxQuantity: 50},
			{ID: "type_003", Name: "PSN 2000 DA", Price: 1960, Stock: 0, MaxQuantity: 50}}}
}

func TestValidateOneClickTable(t *testing.T) {
	const ref = "ow-test-1"
	mob := func(plan, msisdn string, amount float64) OrderRequest {
		return OrderRequest{Vertical: VerticalMobile, ProductID: plan, Recipient: msisdn, Amount: amount, Quantity: 1, ClientReference: ref}
	}
	inet := func(typ, number string, value float64) OrderRequest {
		return OrderRequest{Vertical: VerticalInternet, ProductID: typ, RecipientType: typ, Recipient: number, Amount: value, ClientReference: ref}
	}
	gift := func(typeID string, qty int) OrderRequest {
		return OrderRequest{Vertical: VerticalGiftCard, ProductID: "507f1f77bcf86cd799439011", VariantID: typeID, Quantity: qty, ClientReference: ref}
	}
	cases := []struct {
		name   string
		req    OrderRequest
		p      *Product
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
		{"mobile email refused", func() OrderRequest { r := mob("PREPAID_DJEZZY", "0778037340", 500); r.Email = "a@b.co"; return r }(), planDjezzy(), []string{"email"}},
		{"mobile quantity 2", func() OrderRequest { r := mob("PREPAID_DJEZZY", "0778037340", 500); r.Quantity = 2; return r }(), planDjezzy(), []string{"quantity"}},
		{"mobile no reference", func() OrderRequest { r := mob("PREPAID_DJEZZY", "0778037340", 500); r.ClientReference = ""; return r }(), planDjezzy(), []string{"client_reference"}},
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
			err := ValidateRequest(c.req, c.p)
			if c.fields == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			var fe FieldErrors
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, c.fields, fe.Fields())
			assert.True(t, errors.Is(err, ErrValidation))
		})
	}
}

func TestOneClickHelpers(t *testing.T) {
	assert.Equal(t, "Djezzy", MobileOperator("0778037340"))
	assert.Equal(t, "Mobilis", MobileOperator("0661234567"))
	assert.Equal(t, "Ooredoo", MobileOperator("0551234567"))
	assert.Equal(t, "", MobileOperator("0600000002"))
	assert.Equal(t, "", MobileOperator("+213778037340"))
	typ, ok := NormalizeInternetType(" 4glte ")
	assert.True(t, ok)
	assert.Equal(t, Internet4G, typ)
	_, ok = NormalizeInternetType("fibre")
	assert.False(t, ok)
	assert.True(t, DynamicPlan(planDjezzy()))
	assert.False(t, DynamicPlan(planFixed()))
	assert.Equal(t, "value", AmountField(VerticalInternet))
	err := ValidateInternetValue(internetADSL(), 700)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "available: 500, 1000", "out-of-stock values are not offered")
	err = ValidateMobileAmount(planDjezzy(), 50)
	assert.Contains(t, err.Error(), "100–10000")
}
