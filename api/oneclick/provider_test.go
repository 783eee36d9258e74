package oneclick

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

func TestNormalize(t *testing.T) {
	cases := map[string]api.Status{
		"PENDING": api.StatusPending, "HANDLING": api.StatusProcessing, "FULFILLED": api.StatusDelivered,
		"SUCCESS": api.StatusDelivered, "REFUNDED": api.StatusRefunded, "FAILED": api.StatusRefunded,
		"UNKNOWN_ERROR": api.StatusUncertain, "QUEUED": api.StatusScheduled, "PARTIALLY_FILLED": api.StatusPartial,
		"DELIVERED": api.StatusUnknown, "weird": api.StatusUnknown,
	}
	for raw, want := range cases {
		assert.Equal(t, want, Normalize(raw), raw)
		assert.Equal(t, want, api.Normalize(ProviderID, raw), raw)
	}
}

func TestRegistered(t *testing.T) {
	assert.Equal(t, api.ProviderOneClick, ProviderID, "the deprecated alias names the same provider")
	assert.Equal(t, []api.Vertical{api.VerticalMobile, api.VerticalInternet, api.VerticalGiftCard}, api.VerticalsOf(ProviderID))
	v, err := api.ParseVertical("gift-cards")
	require.NoError(t, err)
	assert.Equal(t, VerticalGiftCard, v)
	assert.Equal(t, ProviderID, VerticalGiftCard.Provider())
	assert.Equal(t, "1CLICK", ProviderID.Badge())
	assert.Equal(t, "Gift cards", VerticalGiftCard.Title())
}
