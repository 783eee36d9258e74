package api

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRegistryOrdersProvidersAndRefusesDuplicates(t *testing.T) {
	var names []Provider
	for _, p := range Providers() {
		names = append(names, p.ID)
	}
	assert.Equal(t, []Provider{ProviderOctopus, ProviderOneClick}, names)
	assert.Equal(t, AllVerticals, Verticals())
	assert.Equal(t, []Vertical{VerticalMobile, VerticalInternet, VerticalGiftCard}, VerticalsOf(ProviderOneClick))
	assert.Panics(t, func() { RegisterProvider(ProviderInfo{ID: ProviderOctopus}) })
	assert.Panics(t, func() { RegisterProvider(ProviderInfo{ID: "other", Verticals: []VerticalInfo{{ID: VerticalESIM}}}) })
	assert.Len(t, Providers(), 2, "a refused registration leaves the registry as it was")
}

func TestUnregisteredNamesFallBack(t *testing.T) {
	assert.Equal(t, "pizza", Vertical("pizza").Title())
	assert.False(t, Vertical("pizza").Valid())
	assert.Equal(t, Provider(""), Vertical("pizza").Provider())
	assert.Equal(t, "ACME", Provider("acme").Badge())
	assert.Equal(t, StatusUnknown, Normalize("acme", "DELIVERED"))
}
