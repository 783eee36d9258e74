package api

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A provider is a plug-in: its package describes it with a ProviderInfo and
// registers it (RegisterProvider, from its init). Everything else reads the
// registry and never branches on which provider or vertical it has: tab
// titles, badges, status mapping and the engine's tracking policy are data
// here.

// ProviderInfo describes one provider to the rest of the program.
type ProviderInfo struct {
	ID    Provider
	Title string // display name: "Octopus Cards"
	Short string // label of its tab group on a narrow terminal: "Octopus"
	Badge string // status-bar badge: "OCTOPUS"
	// Order places the provider among the others (tabs, status bar, the
	// default when none is configured): lower first.
	Order int
	// Verticals in display order.
	Verticals []VerticalInfo
	// Normalize maps a raw status of any of its verticals.
	Normalize func(raw string) Status
	// WebhookSetup says how to configure its webhook secret, for the
	// message when webhooks are asked for and none is ("" when it sends
	// none).
	WebhookSetup string
}

// VerticalInfo describes one vertical of a provider.
type VerticalInfo struct {
	ID    Vertical
	Title string // tab name: "Vouchers"
	// Aliases are other names the command line accepts ("vouchers").
	Aliases []string
	// Tracking is how the engine polls its orders.
	Tracking Tracking
	// Codes says a delivered order carries one code per unit (vouchers,
	// gift cards), so the detail pane can say which are still to come.
	Codes bool
	// Norms is what the provider's documents call normal, for alerts and
	// the account view.
	Norms Norms
	// CheckID says whether id looks like one of its order ids (nil: any
	// id), so that a typo on the command line is refused at once.
	CheckID func(id string) error
}

// CheckOrderID checks an order id against its vertical's CheckID.
func CheckOrderID(v Vertical, id string) error {
	if id == "" {
		return fmt.Errorf("empty order id")
	}
	if vi, ok := LookupVertical(v); ok && vi.CheckID != nil {
		return vi.CheckID(id)
	}
	return nil
}

// Norms is what a provider's documents say is normal for one vertical
// (the horizon and webhooks are in its Tracking).
type Norms struct {
	// TimeToFinal is the documented typical time from creation to a final
	// state; NormText says where the norm comes from, in a few words.
	TimeToFinal time.Duration
	NormText    string
	// Uncertain and Scheduled are the windows of the provider's slow states
	// (zero when the vertical has none), and what the documents promise.
	Uncertain, Scheduled         time.Duration
	UncertainText, ScheduledText string
}

// Tracking is the polling policy of one vertical, from the provider's
// documents. Durations are real (unscaled); the engine adds its floor and
// jitter.
type Tracking struct {
	// Intervals is the foreground schedule by attempt; the last value repeats.
	Intervals []time.Duration
	// Horizon ends the foreground phase, measured from first seen.
	Horizon time.Duration
	// Background is the cadence of in-flight orders past the horizon; 0 stops.
	Background time.Duration
	// Final statuses end tracking.
	Final []Status
	// Recheck statuses are re-checked every RecheckEvery for RecheckFor.
	Recheck      []Status
	RecheckEvery time.Duration
	RecheckFor   time.Duration
	// PartialEvery polls a partial delivery that may still change, until the
	// horizon (unused when partial is final).
	PartialEvery time.Duration
	// Install is the watch after DELIVERED until the product is in use
	// (eSIM), nil when there is none.
	Install *InstallWatch
	// Discover is the cadence of the discovery list calls.
	Discover time.Duration
	// ListStatus is the raw status the discovery list filters on.
	ListStatus string
	// ListFilters says the list call filters on ListStatus on the server
	// (else the client filters a page, and bulk checks read it unfiltered).
	ListFilters bool
	// ListComplete says a list item carries all a detail call would once the
	// order is final.
	ListComplete bool
	// ListsByDate says the list takes a creation-time range (from, to): a
	// discovery sweep that could not read back to its watermark reads the
	// rest of the range next, instead of losing it.
	ListsByDate bool
	// ListPageSize is the largest page the list allows (0: 100).
	ListPageSize int
	// VouchFor is how long list vouches may stand in for the detail GET.
	VouchFor time.Duration
	// Webhooks is true when the provider sends webhooks for this vertical.
	Webhooks bool
}

// InstallWatch is the schedule after delivery: every Fast for FastFor,
// every Slow for SlowFor, then on demand.
type InstallWatch struct {
	Fast, FastFor, Slow, SlowFor time.Duration
}

type registry struct {
	providers []ProviderInfo // by Order
	byID      map[Provider]*ProviderInfo
	verticals []Vertical // display order
	byVert    map[Vertical]verticalEntry
	alias     map[string]Vertical
}

type verticalEntry struct {
	info     VerticalInfo
	provider Provider
}

var (
	regMu sync.Mutex
	reg   atomic.Pointer[registry] // read without locks: written only at registration
)

// RegisterProvider adds a provider. It panics on a duplicate provider,
// vertical or alias: two plug-ins must not claim one name.
func RegisterProvider(p ProviderInfo) {
	regMu.Lock()
	defer regMu.Unlock()
	if p.ID == "" {
		panic("api: RegisterProvider with an empty id")
	}
	var all []ProviderInfo
	if r := reg.Load(); r != nil {
		all = slices.Clone(r.providers)
	}
	all = append(all, p)
	slices.SortStableFunc(all, func(a, b ProviderInfo) int { return a.Order - b.Order })
	r := &registry{byID: map[Provider]*ProviderInfo{}, byVert: map[Vertical]verticalEntry{}, alias: map[string]Vertical{}}
	r.providers = all
	for i := range all {
		pi := &all[i]
		if _, dup := r.byID[pi.ID]; dup {
			panic(fmt.Sprintf("api: provider %q registered twice", pi.ID))
		}
		r.byID[pi.ID] = pi
		for _, v := range pi.Verticals {
			if _, dup := r.byVert[v.ID]; dup {
				panic(fmt.Sprintf("api: vertical %q registered twice", v.ID))
			}
			r.byVert[v.ID] = verticalEntry{info: v, provider: pi.ID}
			r.verticals = append(r.verticals, v.ID)
			for _, a := range append([]string{string(v.ID)}, v.Aliases...) {
				a = strings.ToLower(a)
				if w, dup := r.alias[a]; dup && w != v.ID {
					panic(fmt.Sprintf("api: vertical name %q claimed by %q and %q", a, w, v.ID))
				}
				r.alias[a] = v.ID
			}
		}
	}
	reg.Store(r)
}

func loadRegistry() *registry {
	if r := reg.Load(); r != nil {
		return r
	}
	return &registry{}
}

// Providers lists the registered providers in display order.
func Providers() []ProviderInfo { return slices.Clone(loadRegistry().providers) }

// LookupProvider returns a registered provider's description.
func LookupProvider(p Provider) (ProviderInfo, bool) {
	if pi, ok := loadRegistry().byID[p]; ok {
		return *pi, true
	}
	return ProviderInfo{}, false
}

// LookupVertical returns a registered vertical's description.
func LookupVertical(v Vertical) (VerticalInfo, bool) {
	e, ok := loadRegistry().byVert[v]
	return e.info, ok
}

// Verticals lists every registered vertical in display order.
func Verticals() []Vertical { return slices.Clone(loadRegistry().verticals) }

// VerticalsOf lists a provider's verticals in display order.
func VerticalsOf(p Provider) []Vertical {
	var out []Vertical
	if pi, ok := loadRegistry().byID[p]; ok {
		for _, v := range pi.Verticals {
			out = append(out, v.ID)
		}
	}
	return out
}
