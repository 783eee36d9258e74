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

// A vertical's norms are data its provider registers (api.VerticalInfo:
// its Tracking's horizon and webhooks, and its Norms); RegisterNorms
// overrides them (tests, or a vertical no provider describes).
var (
	normsMu sync.RWMutex
	norms   = map[api.Vertical]VerticalNorms{}
)

// RegisterNorms sets the norms of a vertical, over what its provider
// registered.
func RegisterNorms(v api.Vertical, n VerticalNorms) {
	normsMu.Lock()
	defer normsMu.Unlock()
	norms[v] = n
}

// Norms returns the norms of a vertical (zero when none).
func Norms(v api.Vertical) VerticalNorms {
	normsMu.RLock()
	n, ok := norms[v]
	normsMu.RUnlock()
	if ok {
		return n
	}
	vi, ok := api.LookupVertical(v)
	if !ok {
		return VerticalNorms{}
	}
	d := vi.Norms
	return VerticalNorms{Horizon: vi.Tracking.Horizon, TimeToFinal: d.TimeToFinal, NormText: d.NormText,
		Uncertain: d.Uncertain, Scheduled: d.Scheduled, UncertainText: d.UncertainText, ScheduledText: d.ScheduledText,
		Webhooks: vi.Tracking.Webhooks}
}

func allNorms() map[api.Vertical]VerticalNorms {
	out := map[api.Vertical]VerticalNorms{}
	for _, v := range api.Verticals() {
		out[v] = Norms(v)
	}
	normsMu.RLock()
	defer normsMu.RUnlock()
	for v, n := range norms {
		out[v] = n
	}
	return out
}
