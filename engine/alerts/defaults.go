package alerts

import (
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// VerticalNorms is what a provider's documents say is normal for one
// vertical. It is data a provider registers, so the alert engine never
// switches on which vertical or provider it is looking at.
type VerticalNorms struct {
	// Horizon: an order still not final this long after it was first seen
	// is stuck (the engine's foreground horizon, from the documents).
	Horizon time.Duration
	// TimeToFinal is the documented typical time from creation to a final
	// state; the account view draws it beside the measured one.
	TimeToFinal time.Duration
	// NormText says where the norm comes from, in a few words.
	NormText string
	// Uncertain and Scheduled are the windows of the provider's slow states
	// (OneClickDz UNKNOWN_ERROR, QUEUED); zero when the vertical has none.
	Uncertain time.Duration
	Scheduled time.Duration
	// UncertainText and ScheduledText say what the documents promise of them.
	UncertainText, ScheduledText string
	// Webhooks is true when the provider sends webhooks for this vertical,
	// so silence while orders are delivered is a problem.
	Webhooks bool
}

// The defaults below come from shared/api/octopus-cards.md and
// shared/api/oneclickdz.md (and the engine's policy table, which cites them).
// They live in this one table so that provider packages can register their
// own (RegisterNorms) when providers become plug-ins.
var (
	normsMu sync.RWMutex
	norms   = map[api.Vertical]VerticalNorms{
		// Octopus §5: async vouchers "usually finish in 10–60 s"; horizon 10 min.
		api.VerticalVoucher: {Horizon: 10 * time.Minute, TimeToFinal: 60 * time.Second, NormText: "10–60 s (async batches)", Webhooks: true},
		// Octopus §6: topups "usually resolve in 5–30 s"; doc poll loop gives up at 660 s.
		api.VerticalTopup: {Horizon: 660 * time.Second, TimeToFinal: 30 * time.Second, NormText: "5–30 s"},
		// Octopus §7: the create call waits up to 60 s; fulfilment about 10 min at worst.
		api.VerticalESIM: {Horizon: 10 * time.Minute, TimeToFinal: 60 * time.Second, NormText: "inside the 60 s create window"},
		// OneClickDz §6: PENDING ≈5 s, HANDLING "most resolve within 30 s";
		// UNKNOWN_ERROR resolved by support within 1–24 h ("wait 24h before refunding").
		api.VerticalMobile: {Horizon: 5 * time.Minute, TimeToFinal: 30 * time.Second, NormText: "≤30 s", Uncertain: 24 * time.Hour,
			UncertainText: "resolved by support within 1–24 h"},
		// OneClickDz §6: QUEUED "processed within 12–48 h".
		api.VerticalInternet: {Horizon: 5 * time.Minute, TimeToFinal: 30 * time.Second, NormText: "≤30 s; QUEUED 12–48 h", Scheduled: 48 * time.Hour,
			ScheduledText: "processed within 12–48 h"},
		// OneClickDz §7: HANDLING "most resolve within 30 s" (ar: 3–45 s).
		api.VerticalGiftCard: {Horizon: 10 * time.Minute, TimeToFinal: 45 * time.Second, NormText: "3–45 s"},
	}
)

// RegisterNorms sets the documented norms of a vertical (a provider package
// calls it for each vertical it owns).
func RegisterNorms(v api.Vertical, n VerticalNorms) {
	normsMu.Lock()
	defer normsMu.Unlock()
	norms[v] = n
}

// Norms returns the registered norms of a vertical (zero when none).
func Norms(v api.Vertical) VerticalNorms {
	normsMu.RLock()
	defer normsMu.RUnlock()
	return norms[v]
}

func allNorms() map[api.Vertical]VerticalNorms {
	normsMu.RLock()
	defer normsMu.RUnlock()
	out := make(map[api.Vertical]VerticalNorms, len(norms))
	for k, v := range norms {
		out[k] = v
	}
	return out
}
