package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUncertainIsNeitherFailureNorSuccess(t *testing.T) {
	for _, s := range []Status{StatusUncertain, StatusScheduled, StatusUnknown} {
		assert.False(t, s.Failure(), s)
		assert.False(t, s.Success(), s)
		assert.True(t, s.InFlight(), s)
	}
	assert.True(t, StatusRefunded.Failure())
	assert.False(t, StatusDelivered.InFlight())
}

func TestStatusLabelKeepsUnknownVerbatim(t *testing.T) {
	o := Order{Status: StatusUnknown, RawStatus: "RECHARGED"}
	assert.Equal(t, "RECHARGED", o.StatusLabel())
	o = Order{Status: StatusDelivered, RawStatus: "DELIVERED"}
	assert.Equal(t, "delivered", o.StatusLabel())
	assert.Equal(t, "UNKNOWN", Order{}.StatusLabel())
}

func TestParseVerticalAndKey(t *testing.T) {
	v, err := ParseVertical("Vouchers")
	require.NoError(t, err)
	assert.Equal(t, VerticalVoucher, v)
	_, err = ParseVertical("pizza")
	assert.ErrorContains(t, err, "pizza")

	k, err := ParseOrderKey("esim:9302481")
	require.NoError(t, err)
	assert.Equal(t, OrderKey{VerticalESIM, "9302481"}, k)
	for _, bad := range []string{"esim", "esim:", "pizza:1", ":1"} {
		_, err := ParseOrderKey(bad)
		assert.Error(t, err, bad)
	}
	assert.Equal(t, ProviderOneClick, VerticalGiftCard.Provider())
	assert.Equal(t, ProviderOctopus, VerticalESIM.Provider())
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("hunter2-very-secret")
	type holder struct {
		Key Secret
	}
	h := holder{Key: s}
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q %x", s, h, h, s, s, s), s.String(),
	} {
		assert.NotContains(t, out, "hunter2")
	}
	b, err := json.Marshal(h)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "hunter2")
	assert.Equal(t, "hunter2-very-secret", s.Reveal())
}

func TestErrorKinds(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &Error{Kind: KindRateLimited, Op: "GET /x", HTTPStatus: 429,
		Code: "TOO_MANY_REQUESTS", RetryAfter: 12 * time.Second, RequestID: "abc"})
	assert.True(t, errors.Is(err, ErrRateLimited))
	assert.False(t, errors.Is(err, ErrServer))
	assert.Equal(t, KindRateLimited, KindOf(err))
	assert.Equal(t, 12*time.Second, RetryAfterOf(err))
	assert.Contains(t, err.Error(), "retry after 12s")
	assert.Contains(t, err.Error(), "request abc")
	assert.Equal(t, KindUnknown, KindOf(errors.New("plain")))
}

func TestMaskAndClone(t *testing.T) {
	assert.Equal(t, "••••-••••-1234", Mask("ABCD-EFGH-1234"))
	assert.Equal(t, "••••", Mask("1234"))
	assert.NotContains(t, Voucher{CardNumber: "SECRETCARD99", PIN: "987654"}.String(), "SECRET")

	o := Order{Vouchers: []Voucher{{PIN: "1"}}, ESIM: &ESIM{ICCID: "x"}, InputData: map[string]string{"a": "b"}}
	c := o.Clone()
	c.Vouchers[0].PIN = "2"
	c.ESIM.ICCID = "y"
	c.InputData["a"] = "z"
	assert.Equal(t, "1", o.Vouchers[0].PIN)
	assert.Equal(t, "x", o.ESIM.ICCID)
	assert.Equal(t, "b", o.InputData["a"])
}

func TestVariantAllows(t *testing.T) {
	v := Variant{Fixed: []float64{0.99, 4.99}}
	assert.True(t, v.Allows(0.99))
	assert.False(t, v.Allows(1))
	r := Variant{Min: 10, Max: 100}
	assert.True(t, r.Allows(50))
	assert.False(t, r.Allows(101))
}
