package octopus

import (
	"slices"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
)

// Octopus Cards' names. The constants in package api of the same values are
// deprecated aliases kept for code not moved behind the registry yet.
const (
	ProviderID      api.Provider = "octopus"
	VerticalVoucher api.Vertical = "voucher" // gift-card vouchers
	VerticalTopup   api.Vertical = "topup"   // gaming and mobile top-ups
	VerticalESIM    api.Vertical = "esim"    // travel eSIMs
)

func init() {
	api.RegisterProvider(Info())
	config.RegisterSection(config.Section{Provider: ProviderID, Title: "Octopus Cards", EnvPrefix: "OCTOPUS_",
		DefaultURL: DefaultURL, NeedsSecret: true, Webhooks: true})
}

// DefaultURL is the production API.
const DefaultURL = "https://api.octopuscards.io"

// backoff is the documented 5, 10, 20, 30, 30… schedule.
var backoff = []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second}

// Info describes Octopus Cards to the rest of the program: its verticals
// and how the engine tracks each (§3, §5, §7, §10 of the contract).
func Info() api.ProviderInfo {
	track := func(horizon time.Duration) api.Tracking {
		return api.Tracking{
			Intervals:    slices.Clone(backoff),
			Horizon:      horizon,
			Background:   5 * time.Minute,
			Final:        []api.Status{api.StatusDelivered, api.StatusFailed, api.StatusCancelled},
			PartialEvery: 30 * time.Second,
			VouchFor:     time.Minute,
			Discover:     15 * time.Second,
			ListStatus:   "PENDING",
			ListFilters:  true,
		}
	}
	voucher := track(10 * time.Minute)
	voucher.Webhooks = true
	voucher.ListPageSize = 500 // limit ≤ 500
	// The topup detail "refreshes the latest status from upstream" (§3): an
	// order may move only when its detail is read, so lists vouch for it for
	// one interval cap at most. Voucher and eSIM lists show the state the
	// provider stores as it fulfils; a minute bounds any list fault there.
	// Topup list items carry status_text, completed_at and the failure
	// fields (§7): final states read there need no detail GET.
	topup := track(660 * time.Second)
	topup.VouchFor = 30 * time.Second
	topup.ListComplete = true
	topup.ListPageSize = 500 // per_page ≤ 500
	esim := track(10 * time.Minute)
	esim.Install = &api.InstallWatch{Fast: 45 * time.Second, FastFor: 10 * time.Minute, Slow: 5 * time.Minute, SlowFor: time.Hour}
	esim.ListPageSize = 100 // per_page unstated: 100 is safe
	return api.ProviderInfo{
		ID: ProviderID, Title: "Octopus Cards", Short: "Octopus", Badge: "OCTOPUS", Order: 10,
		Verticals: []api.VerticalInfo{
			// §5: async vouchers "usually finish in 10–60 s".
			{ID: VerticalVoucher, Title: "Vouchers", Codes: true, Aliases: []string{"vouchers", "order", "orders"}, Tracking: voucher,
				Norms: api.Norms{TimeToFinal: 60 * time.Second, NormText: "10–60 s (async batches)"}},
			// §6: topups "usually resolve in 5–30 s".
			{ID: VerticalTopup, Title: "Topups", Aliases: []string{"topups"}, Tracking: topup,
				Norms: api.Norms{TimeToFinal: 30 * time.Second, NormText: "5–30 s"}},
			// §7: the create call waits up to 60 s.
			{ID: VerticalESIM, Title: "eSIM", Aliases: []string{"esims"}, Tracking: esim,
				Norms: api.Norms{TimeToFinal: 60 * time.Second, NormText: "inside the 60 s create window"}},
		},
		Normalize:    Normalize,
		WebhookSetup: "OCTOPUS_WEBHOOK_SECRET (or octopus.webhook_secret_file)",
	}
}

// Normalize maps an Octopus Cards order status (any vertical). PARTIAL is the
// seed's spelling of PARTIALLY_DELIVERED. RECHARGED is undocumented and
// therefore unknown.
func Normalize(raw string) api.Status {
	switch strings.ToUpper(strings.TrimSpace(raw)) {
	case "PENDING":
		return api.StatusPending
	case "DELIVERED":
		return api.StatusDelivered
	case "PARTIALLY_DELIVERED", "PARTIAL":
		return api.StatusPartial
	case "FAILED":
		return api.StatusFailed
	case "CANCELLED", "CANCELED":
		return api.StatusCancelled
	}
	return api.StatusUnknown
}
