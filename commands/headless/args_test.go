package headless

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

func TestParsePlaceArgsValid(t *testing.T) {
	o, err := ParsePlaceArgs("voucher", []string{"--product", "12", "--denomination", "25", "--quantity", "3", "--wait"})
	require.NoError(t, err)
	assert.Equal(t, api.VerticalVoucher, o.Vertical)
	assert.Equal(t, "12", o.Values["product"])
	assert.Equal(t, "25", o.Values["denomination"])
	assert.Equal(t, "3", o.Values["quantity"])
	assert.True(t, o.Wait)
	assert.Equal(t, DefaultTimeout, o.Timeout)

	o, err = ParsePlaceArgs("topup", []string{"--product", "4218", "--amount", "0.99", "--player-id", "51234",
		"--server", "asia", "--input", "zone=7", "--input", "note=a=b", "--reference", "r-1", "--wallet", "2",
		"--email", "x@example.com", "--wait", "--timeout", "90s", "--reveal", "--yes"})
	require.NoError(t, err)
	assert.Equal(t, "0.99", o.Values["amount"])
	assert.Equal(t, "51234", o.Values["player-id"])
	assert.Equal(t, "asia", o.Values["server"])
	assert.Equal(t, "7", o.Values["input_data.zone"])
	assert.Equal(t, "a=b", o.Values["input_data.note"])
	assert.Equal(t, "r-1", o.Values["reference"])
	assert.Equal(t, "2", o.Values["wallet"])
	assert.Equal(t, 90*time.Second, o.Timeout)
	assert.True(t, o.Reveal)
	assert.True(t, o.Yes)
	assert.False(t, o.Live, "LIVE comes from the configuration, never a flag")

	o, err = ParsePlaceArgs("esims", []string{"--product=712", "--amount=4.50"})
	require.NoError(t, err)
	assert.Equal(t, api.VerticalESIM, o.Vertical)
	assert.Equal(t, "1", o.Values["quantity"])
	assert.Equal(t, "4.5", o.Values["amount"])
	for k := range o.Values {
		assert.NotContains(t, k, "input_data.", "no input data")
	}
}

func TestParsePlaceArgsErrors(t *testing.T) {
	cases := []struct {
		vertical string
		args     []string
		want     string
	}{
		{"bogus", []string{"--product", "1"}, "unknown vertical"},
		{"voucher", []string{"--denomination", "5"}, "--product is required"},
		{"voucher", []string{"--product", "1"}, "--denomination is required"},
		{"voucher", []string{"--product", "1", "--amount", "5"}, "--denomination"},
		{"topup", []string{"--product", "1", "--denomination", "5"}, "use --amount"},
		{"topup", []string{"--product", "1"}, "--amount is required"},
		{"voucher", []string{"--product", "1", "--denomination", "abc"}, "not a positive amount"},
		{"voucher", []string{"--product", "1", "--denomination", "-5"}, "not a positive amount"},
		{"voucher", []string{"--product", "1", "--denomination", "NaN"}, "not a positive amount"},
		{"voucher", []string{"--product", "1", "--denomination", "Inf"}, "not a positive amount"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--quantity", "0"}, "--quantity 0"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--quantity", "5001"}, "--quantity 5001"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--quantity", "x"}, "quantity"},
		{"topup", []string{"--product", "1", "--amount", "5", "--quantity", "2"}, "--quantity 2"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--player-id", "1"}, "--player-id is for topups"},
		{"esim", []string{"--product", "1", "--amount", "5", "--phone", "+14155550100"}, "--phone is for topups"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--category", "Data"}, "--category is for topups"},
		{"topup", []string{"--product", "1", "--amount", "5", "--phone", "0044 20"}, "--phone"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--email", "nope"}, "--email"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--reference", "bad\x01ref"}, "--reference"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--reference", ""}, "--reference"},
		{"topup", []string{"--product", "1", "--amount", "5", "--input", "novalue"}, "key=value"},
		{"topup", []string{"--product", "1", "--amount", "5", "--input", "a=1", "--input", "a=2"}, "twice"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--timeout", "5s"}, "--timeout needs --wait"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--wait", "--timeout", "-1s"}, "negative"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "extra"}, "unexpected argument"},
		{"voucher", []string{"--product", "1", "--nope"}, "nope"},
	}
	for _, c := range cases {
		_, err := ParsePlaceArgs(c.vertical, c.args)
		if assert.Error(t, err, "%s %q", c.vertical, c.args) {
			assert.Contains(t, err.Error(), c.want, "%s %q", c.vertical, c.args)
		}
	}
}

func TestParsePlaceArgsHelp(t *testing.T) {
	_, err := ParsePlaceArgs("voucher", []string{"--help"})
	assert.True(t, errors.Is(err, ErrHelp))
}

func TestExitForStatus(t *testing.T) {
	assert.Equal(t, ExitDelivered, exitFor(api.StatusDelivered))
	for _, s := range []api.Status{api.StatusFailed, api.StatusRefunded, api.StatusCancelled} {
		assert.Equal(t, ExitFailed, exitFor(s), s)
	}
	for _, s := range []api.Status{api.StatusPartial, api.StatusUncertain, api.StatusScheduled} {
		assert.Equal(t, ExitPartial, exitFor(s), s)
	}
	for _, s := range []api.Status{api.StatusPending, api.StatusProcessing, api.StatusUnknown} {
		assert.Equal(t, ExitPending, exitFor(s), s)
	}
}

func TestParsePlaceArgsOneClick(t *testing.T) {
	o, err := ParsePlaceArgs("mobile", []string{"--plan", "PREPAID_DJEZZY", "--phone", "0778037340", "--amount", "500", "--wait", "--reveal", "--yes"})
	require.NoError(t, err)
	assert.Equal(t, "PREPAID_DJEZZY", o.Values["product"], "the plan is what the catalogue is asked for")
	assert.Equal(t, "0778037340", o.Values["msisdn"])
	assert.Equal(t, "500", o.Values["amount"])
	assert.True(t, o.Wait && o.Reveal && o.Yes)

	o, err = ParsePlaceArgs("mobile", []string{"--plan", "MIX500_MOBILIS", "--msisdn", "0661234567"})
	require.NoError(t, err, "a fixed plan needs no amount")
	assert.Equal(t, "0661234567", o.Values["msisdn"])

	o, err = ParsePlaceArgs("internet", []string{"--type", "adsl", "--number", "036362608", "--value", "1000", "--reference", "r-2"})
	require.NoError(t, err)
	assert.Equal(t, "ADSL", o.Values["type"], "the type is what the catalogue is asked for")
	assert.Equal(t, "036362608", o.Values["number"])
	assert.Equal(t, "1000", o.Values["value"])

	o, err = ParsePlaceArgs("giftcard", []string{"--product", "507f1f77bcf86cd799439011", "--type-id", "TEST_PARTIAL", "--quantity", "4"})
	require.NoError(t, err)
	assert.Equal(t, "TEST_PARTIAL", o.Values["type"])
	assert.Equal(t, "4", o.Values["quantity"])
}

func TestParsePlaceArgsOneClickErrors(t *testing.T) {
	cases := []struct {
		vertical string
		args     []string
		want     string
	}{
		{"mobile", []string{"--phone", "0778037340", "--amount", "500"}, "--plan is required"},
		{"mobile", []string{"--plan", "PREPAID_DJEZZY", "--amount", "500"}, "--phone (or --msisdn) is required"},
		{"mobile", []string{"--plan", "PREPAID_DJEZZY", "--phone", "+213778037340"}, "--phone: \"+213778037340\" is not a mobile number"},
		{"mobile", []string{"--plan", "PREPAID_DJEZZY", "--phone", "778037340"}, "--phone"},
		{"mobile", []string{"--plan", "P", "--phone", "0778037340", "--msisdn", "0778037340"}, "give one"},
		{"mobile", []string{"--plan", "P", "--phone", "0778037340", "--amount", "10.5"}, "whole number"},
		{"mobile", []string{"--plan", "P", "--phone", "0778037340", "--product", "1"}, "--product is not a flag of place mobile"},
		{"mobile", []string{"--plan", "P", "--phone", "0778037340", "--email", "a@b.co"}, "--email is not a flag"},
		{"mobile", []string{"--plan", "P", "--phone", "0778037340", "--quantity", "2"}, "--quantity 2"},
		{"internet", []string{"--number", "036362608", "--value", "500"}, "--type \"\": want ADSL or 4G"},
		{"internet", []string{"--type", "FIBRE", "--number", "036362608", "--value", "500"}, "want ADSL or 4G"},
		{"internet", []string{"--type", "ADSL", "--value", "500"}, "--number is required"},
		{"internet", []string{"--type", "ADSL", "--number", "36362608", "--value", "500"}, "not an ADSL number"},
		{"internet", []string{"--type", "4G", "--number", "036362608", "--value", "500"}, "not a 4G number"},
		{"internet", []string{"--type", "ADSL", "--number", "036362608"}, "--value is required"},
		{"internet", []string{"--type", "ADSL", "--number", "036362608", "--value", "-5"}, "not a positive amount"},
		{"internet", []string{"--type", "ADSL", "--number", "036362608", "--amount", "500"}, "--amount is not a flag"},
		{"giftcard", []string{"--type-id", "type_001"}, "--product is required"},
		{"giftcard", []string{"--product", "p"}, "--type-id is required"},
		{"giftcard", []string{"--product", "p", "--type-id", "t", "--quantity", "0"}, "--quantity 0"},
		{"giftcard", []string{"--product", "p", "--type-id", "t", "--amount", "5"}, "--amount is not a flag"},
		{"voucher", []string{"--product", "1", "--denomination", "5", "--plan", "X"}, "--plan is not a flag of place voucher"},
		{"topup", []string{"--product", "1", "--amount", "5", "--type-id", "X"}, "--type-id is not a flag"},
	}
	for _, c := range cases {
		_, err := ParsePlaceArgs(c.vertical, c.args)
		if assert.Error(t, err, "%s %q", c.vertical, c.args) {
			assert.Contains(t, err.Error(), c.want, "%s %q", c.vertical, c.args)
		}
	}
}
