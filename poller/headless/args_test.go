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
	assert.Equal(t, "12", o.ProductID)
	assert.Equal(t, 25.0, o.Denomination)
	assert.Equal(t, 3, o.Quantity)
	assert.True(t, o.Wait)
	assert.Equal(t, DefaultTimeout, o.Timeout)

	o, err = ParsePlaceArgs("topup", []string{"--product", "4218", "--amount", "0.99", "--player-id", "51234",
		"--server", "asia", "--input", "zone=7", "--input", "note=a=b", "--reference", "r-1", "--wallet", "2",
		"--email", "x@example.com", "--wait", "--timeout", "90s", "--reveal", "--yes"})
	require.NoError(t, err)
	assert.Equal(t, 0.99, o.Amount)
	assert.Equal(t, "51234", o.PlayerID)
	assert.Equal(t, "asia", o.Server)
	assert.Equal(t, map[string]string{"zone": "7", "note": "a=b"}, o.Input)
	assert.Equal(t, "r-1", o.Reference)
	assert.Equal(t, "2", o.WalletID)
	assert.Equal(t, 90*time.Second, o.Timeout)
	assert.True(t, o.Reveal)
	assert.True(t, o.Yes)
	assert.False(t, o.Live, "LIVE comes from the configuration, never a flag")

	o, err = ParsePlaceArgs("esims", []string{"--product=712", "--amount=4.50"})
	require.NoError(t, err)
	assert.Equal(t, api.VerticalESIM, o.Vertical)
	assert.Equal(t, 1, o.Quantity)
	assert.Nil(t, o.Input)
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
