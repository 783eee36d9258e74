package api

// A stand-in registration of the built-in providers' names for this
// package's own tests: the real ones (api/octopus, api/oneclick) import this
// package and so cannot be imported here. Their own tests check the real
// registrations.
func init() {
	RegisterProvider(ProviderInfo{ID: ProviderOctopus, Title: "Octopus Cards", Order: 10, Verticals: []VerticalInfo{
		{ID: VerticalVoucher, Title: "Vouchers", Aliases: []string{"vouchers"}}, {ID: VerticalTopup}, {ID: VerticalESIM},
	}})
	RegisterProvider(ProviderInfo{ID: ProviderOneClick, Title: "OneClickDz", Order: 20, Verticals: []VerticalInfo{
		{ID: VerticalMobile}, {ID: VerticalInternet}, {ID: VerticalGiftCard},
	}})
}
