package octopus

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

func TestNormalize(t *testing.T) {
	cases := map[string]api.Status{
		"PENDING": api.StatusPending, "DELIVERED": api.StatusDelivered, "delivered": api.StatusDelivered,
		"PARTIALLY_DELIVERED": api.StatusPartial, "PARTIAL": api.StatusPartial, "FAILED": api.StatusFailed,
		"CANCELLED": api.StatusCancelled, "RECHARGED": api.StatusUnknown, "": api.StatusUnknown, "FULFILLED": api.StatusUnknown,
	}
	for raw, want := range cases {
		assert.Equal(t, want, Normalize(raw), raw)
		assert.Equal(t, want, api.Normalize(ProviderID, raw), raw)
	}
}

func TestRegistered(t *testing.T) {
	assert.Equal(t, api.ProviderOctopus, ProviderID, "the deprecated alias names the same provider")
	assert.Equal(t, []api.Vertical{api.VerticalVoucher, api.VerticalTopup, api.VerticalESIM}, api.VerticalsOf(ProviderID))
	assert.Equal(t, []api.Vertical{VerticalVoucher, VerticalTopup, VerticalESIM}, api.VerticalsOf(ProviderID))
	v, err := api.ParseVertical("Vouchers")
	require.NoError(t, err)
	assert.Equal(t, VerticalVoucher, v)
	k, err := api.ParseOrderKey("esim:9302481")
	require.NoError(t, err)
	assert.Equal(t, api.OrderKey{Vertical: VerticalESIM, ID: "9302481"}, k)
	_, err = api.ParseVertical("pizza")
	assert.ErrorContains(t, err, "pizza")
	assert.Equal(t, ProviderID, VerticalESIM.Provider())
	assert.Equal(t, "Octopus Cards", ProviderID.Title())
	assert.Equal(t, "eSIM", VerticalESIM.Title())
	tr, _ := api.LookupVertical(VerticalVoucher)
	assert.True(t, tr.Tracking.Webhooks, "vouchers are webhook-covered")
}
