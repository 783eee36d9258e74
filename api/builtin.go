package api

// The built-in providers' names, as their packages (api/octopus,
// api/oneclick) define and register them.
//
// Deprecated: new code reads the registry (LookupVertical, Verticals) or
// uses the provider package's own constants. These remain for the code not
// moved behind the registry yet (validation, the order form, `place`) and
// for tests; nothing in the engine or the dashboard may use them.
const (
	ProviderOctopus  Provider = "octopus"
	ProviderOneClick Provider = "oneclickdz"

	VerticalVoucher  Vertical = "voucher"  // Octopus gift-card vouchers
	VerticalTopup    Vertical = "topup"    // Octopus gaming and mobile top-ups
	VerticalESIM     Vertical = "esim"     // Octopus travel eSIMs
	VerticalMobile   Vertical = "mobile"   // OneClickDz mobile top-ups
	VerticalInternet Vertical = "internet" // OneClickDz ADSL / 4G top-ups
	VerticalGiftCard Vertical = "giftcard" // OneClickDz gift cards
)

// AllVerticals lists the built-in providers' verticals in display order.
//
// Deprecated: use Verticals, which also lists registered plug-ins.
var AllVerticals = []Vertical{
	VerticalVoucher, VerticalTopup, VerticalESIM,
	VerticalMobile, VerticalInternet, VerticalGiftCard,
}
