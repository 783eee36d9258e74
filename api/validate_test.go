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

func TestValidateRequestUnknownVertical(t *testing.T) {
	err := ValidateRequest(OrderRequest{Vertical: "bogus", ClientReference: "ow-test-1"}, nil)
	var fe FieldErrors
	require.True(t, errors.As(err, &fe))
	assert.Equal(t, []string{"vertical"}, fe.Fields())
	assert.True(t, errors.Is(err, ErrValidation))
}

func TestValidateAmountMessagesListTheAllowedValues(t *testing.T) {
	err := ValidateDenomination(voucherProduct(), 15)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "5, 10, 20")
	err = ValidateVariantAmount(mobileTopup(), 5001, "")
	assert.Contains(t, err.Error(), "10–5000")
}

func TestValidateEmailDirect(t *testing.T) {
	assert.NoError(t, ValidateEmail(""))
	assert.Error(t, ValidateEmail("a@b"))
	assert.Error(t, ValidateEmail("a@@b.com"))
}

// The reference rule the form, `place` and the engine share.
func TestValidateReferenceTable(t *testing.T) {
	for _, c := range []struct {
		ref string
		ok  bool
	}{
		{"", false}, {"a\tb", false}, {"café", false}, {" ", false}, {"   ", false}, {"a ", false},
		{"a b", true}, {"a\x7fb", false}, {strings.Repeat("r", 255), true}, {strings.Repeat("r", 256), false},
	} {
		err := ValidateReference(c.ref)
		if c.ok {
			assert.NoError(t, err, "%q", c.ref)
		} else {
			assert.Error(t, err, "%q", c.ref)
		}
	}
}
