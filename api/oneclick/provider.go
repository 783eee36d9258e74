package oneclick

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
)

// OneClickDz's names. The constants in package api of the same values are
// deprecated aliases kept for code not moved behind the registry yet.
const (
	ProviderID       api.Provider = "oneclickdz"
	VerticalMobile   api.Vertical = "mobile"   // mobile top-ups
	VerticalInternet api.Vertical = "internet" // ADSL / 4G top-ups
	VerticalGiftCard api.Vertical = "giftcard" // gift cards
)

func init() {
	api.RegisterProvider(Info())
	config.RegisterSection(config.Section{Provider: ProviderID, Title: "OneClickDz", EnvPrefix: "ONECLICKDZ_", DefaultURL: DefaultURL,
		DefaultGETPerMin: DefaultGETPerMinute})
}

// DefaultGETPerMinute is the GET budget unless configured. The provider
// documents no number (§6); its sandbox allows 120 per rolling minute, and a
// 429 stating a lower limit lowers the budget further (engine).
const DefaultGETPerMinute = 100

// DefaultURL is the production API.
const DefaultURL = "https://api.oneclickdz.com"

// Info describes OneClickDz to the rest of the program: its verticals and
// how the engine tracks each (the Flexy guide polls every 5 s).
func Info() api.ProviderInfo {
	// Failed and cancelled are definite everywhere, even if OneClickDz never sends them.
	definite := []api.Status{api.StatusDelivered, api.StatusRefunded, api.StatusFailed, api.StatusCancelled}
	track := func(horizon time.Duration, final, recheck []api.Status) api.Tracking {
		return api.Tracking{
			Intervals:    []time.Duration{5 * time.Second},
			Horizon:      horizon,
			Background:   5 * time.Minute,
			Final:        final,
			Recheck:      recheck,
			RecheckEvery: 30 * time.Minute,
			RecheckFor:   48 * time.Hour,
			VouchFor:     30 * time.Second,
			Discover:     15 * time.Second,
			ListStatus:   "PENDING",
			// Lists do not filter on the server, and their items are the
			// check objects: everything a detail call would say.
			ListComplete: true,
			ListsByDate:  true, // from, to (section 5)
			ListPageSize: 100,  // pageSize ≤ 100
		}
	}
	return api.ProviderInfo{
		ID: ProviderID, Title: "OneClickDz", Short: "1Click", Badge: "1CLICK", Order: 20,
		Verticals: []api.VerticalInfo{
			// §6: PENDING ≈5 s, HANDLING "most resolve within 30 s"; UNKNOWN_ERROR
			// resolved by support within 1–24 h ("wait 24h before refunding").
			{ID: VerticalMobile, Title: "Mobile", CheckID: checkID, Tracking: track(5*time.Minute, definite, []api.Status{api.StatusUncertain}),
				Norms: api.Norms{TimeToFinal: 30 * time.Second, NormText: "≤30 s", Uncertain: 24 * time.Hour,
					UncertainText: "resolved by support within 1–24 h"}},
			// §6: QUEUED "processed within 12–48 h".
			{ID: VerticalInternet, Title: "Internet", CheckID: checkID, Tracking: track(5*time.Minute, definite, []api.Status{api.StatusScheduled}),
				Norms: api.Norms{TimeToFinal: 30 * time.Second, NormText: "≤30 s; QUEUED 12–48 h", Scheduled: 48 * time.Hour,
					ScheduledText: "processed within 12–48 h"}},
			// §7: HANDLING "most resolve within 30 s" (ar: 3–45 s).
			{ID: VerticalGiftCard, Title: "Gift cards", CheckID: checkID, Codes: true, Aliases: []string{"giftcards", "gift-card", "gift-cards", "gift_card"},
				Tracking: track(10*time.Minute, append(slices.Clone(definite), api.StatusPartial), nil),
				Norms:    api.Norms{TimeToFinal: 45 * time.Second, NormText: "3–45 s"}},
		},
		Normalize: Normalize,
	}
}

// Normalize maps a OneClickDz status (mobile, internet, gift cards). SUCCESS
// and FAILED appear in some list examples as other spellings of FULFILLED
// and REFUNDED.
func Normalize(raw string) api.Status {
	switch strings.ToUpper(strings.TrimSpace(raw)) {
	case "PENDING":
		return api.StatusPending
	case "HANDLING":
		return api.StatusProcessing
	case "FULFILLED", "SUCCESS":
		return api.StatusDelivered
	case "PARTIALLY_FILLED":
		return api.StatusPartial
	case "REFUNDED", "FAILED":
		return api.StatusRefunded
	case "UNKNOWN_ERROR":
		return api.StatusUncertain
	case "QUEUED":
		return api.StatusScheduled
	}
	return api.StatusUnknown
}

// checkID accepts an order id as the API has them: a 24-hex ObjectId
// (§2: 6901616fe9e88196b4eb64b0).
func checkID(id string) error {
	if len(id) != 24 || strings.Trim(strings.ToLower(id), "0123456789abcdef") != "" {
		return fmt.Errorf("order id %q: want 24 hexadecimal digits (e.g. 6901616fe9e88196b4eb64b0)", id)
	}
	return nil
}
