// Package alerts turns the tracking engine's updates into problems a person
// should look at: rules as data (documented defaults, overridable in the
// config file), one grouped alert per problem however many orders it covers,
// acknowledge and snooze, and the figures behind the account view. It only
// consumes engine.Update values; it never calls a provider.
package alerts

import (
	"fmt"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Rule names, as they appear in alerts, JSON and `[alerts] disabled`.
const (
	RuleStuck          = "stuck"           // not final past the vertical's horizon
	RuleUncertain      = "uncertain"       // UNKNOWN_ERROR past its window
	RuleScheduled      = "scheduled"       // QUEUED past its window
	RulePartial        = "partial"         // partial deliveries
	RuleFailureRate    = "failure_rate"    // failures of one product or operator
	RuleWalletLow      = "wallet_low"      // a wallet below a threshold or the last N orders' price
	RuleProviderErrors = "provider_errors" // a provider answering errors (5xx, network)
	RuleProvider429    = "provider_429"    // a provider answering 429s
	RuleWebhookSilent  = "webhook_silent"  // webhooks silent while orders are delivered
)

// AllRules lists every rule, in the order the README documents them.
var AllRules = []string{RuleStuck, RuleUncertain, RuleScheduled, RulePartial, RuleFailureRate,
	RuleWalletLow, RuleProviderErrors, RuleProvider429, RuleWebhookSilent}

// Severity orders problems in the inbox: most serious first.
type Severity int

const (
	Info Severity = iota
	Warning
	Critical
)

func (s Severity) String() string {
	switch s {
	case Critical:
		return "critical"
	case Warning:
		return "warning"
	}
	return "info"
}

// MarshalText writes the name, so JSON says "critical", not 2.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the name back (scripts and tests read the JSON).
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "critical":
		*s = Critical
	case "warning":
		*s = Warning
	case "info":
		*s = Info
	default:
		return fmt.Errorf("unknown severity %q", b)
	}
	return nil
}

// Rules are the thresholds of every rule. Durations are in the providers'
// time: the engine multiplies them by its time scale (the embedded
// sandbox's), like the tracking engine does its policies.
type Rules struct {
	// Norms per vertical: horizons, documented times, slow-state windows.
	Norms map[api.Vertical]VerticalNorms
	// PartialAfter: a partial delivery older than this is a problem (0: at once).
	PartialAfter time.Duration
	// FailureRate: Failures or more of the last Of finished orders of one
	// product or operator, within Window, failed.
	Failures, Of int
	Window       time.Duration
	// WalletMin: a balance below this (in the wallet's currency) is low; 0 off.
	WalletMin float64
	// WalletOrders: a balance below the price of the last N orders paid from
	// the provider's wallets in that currency is low; 0 off.
	WalletOrders int
	// ProviderErrors / Provider429: that many errors or 429s of one provider
	// within ErrorWindow.
	ProviderErrors int
	Provider429    int
	ErrorWindow    time.Duration
	// WebhookSilence: deliveries of a webhook-covered vertical while no
	// webhook arrived for this long.
	WebhookSilence time.Duration
	// Severity per rule.
	Severity map[string]Severity
	// Disabled rules raise nothing.
	Disabled map[string]bool
}

// DefaultRules returns a fresh copy of the documented defaults.
func DefaultRules() Rules {
	return Rules{
		Norms:          allNorms(),
		PartialAfter:   0,
		Failures:       3,
		Of:             10,
		Window:         15 * time.Minute,
		WalletOrders:   5,
		ProviderErrors: 5,
		Provider429:    3,
		ErrorWindow:    2 * time.Minute,
		WebhookSilence: 10 * time.Minute,
		Severity: map[string]Severity{
			RuleStuck: Warning, RuleUncertain: Warning, RuleScheduled: Info, RulePartial: Warning,
			RuleFailureRate: Critical, RuleWalletLow: Critical, RuleProviderErrors: Critical,
			RuleProvider429: Warning, RuleWebhookSilent: Warning,
		},
		Disabled: map[string]bool{},
	}
}

// Overrides are the `[alerts]` settings of the config file; nil or zero
// fields keep the default. api/config fills it.
type Overrides struct {
	Horizon        map[api.Vertical]time.Duration
	Uncertain      map[api.Vertical]time.Duration
	Scheduled      map[api.Vertical]time.Duration
	PartialAfter   *time.Duration
	Failures, Of   *int
	Window         *time.Duration
	WalletMin      *float64
	WalletOrders   *int
	ProviderErrors *int
	Provider429    *int
	ErrorWindow    *time.Duration
	WebhookSilence *time.Duration
	Disabled       []string
}

// Apply returns r with the overrides applied, or an error naming the field.
func (r Rules) Apply(o Overrides) (Rules, error) {
	out := r
	out.Norms = make(map[api.Vertical]VerticalNorms, len(r.Norms))
	for k, v := range r.Norms {
		out.Norms[k] = v
	}
	out.Disabled = map[string]bool{}
	for k, v := range r.Disabled {
		out.Disabled[k] = v
	}
	set := func(name string, m map[api.Vertical]time.Duration, f func(*VerticalNorms, time.Duration)) error {
		for v, d := range m {
			if !v.Valid() {
				return fmt.Errorf("alerts.%s.%s: unknown vertical", name, v)
			}
			if d < 0 {
				return fmt.Errorf("alerts.%s.%s: negative duration", name, v)
			}
			n := out.Norms[v]
			f(&n, d)
			out.Norms[v] = n
		}
		return nil
	}
	if err := set("horizon", o.Horizon, func(n *VerticalNorms, d time.Duration) { n.Horizon = d }); err != nil {
		return r, err
	}
	if err := set("uncertain", o.Uncertain, func(n *VerticalNorms, d time.Duration) { n.Uncertain = d }); err != nil {
		return r, err
	}
	if err := set("scheduled", o.Scheduled, func(n *VerticalNorms, d time.Duration) { n.Scheduled = d }); err != nil {
		return r, err
	}
	durs := []struct {
		name string
		src  *time.Duration
		dst  *time.Duration
	}{{"partial_after", o.PartialAfter, &out.PartialAfter}, {"failure_window", o.Window, &out.Window},
		{"error_window", o.ErrorWindow, &out.ErrorWindow}, {"webhook_silence", o.WebhookSilence, &out.WebhookSilence}}
	for _, d := range durs {
		if d.src == nil {
			continue
		}
		if *d.src < 0 {
			return r, fmt.Errorf("alerts.%s: negative duration", d.name)
		}
		*d.dst = *d.src
	}
	ints := []struct {
		name string
		src  *int
		dst  *int
	}{{"failures", o.Failures, &out.Failures}, {"of", o.Of, &out.Of}, {"wallet_orders", o.WalletOrders, &out.WalletOrders},
		{"provider_errors", o.ProviderErrors, &out.ProviderErrors}, {"provider_429s", o.Provider429, &out.Provider429}}
	for _, d := range ints {
		if d.src == nil {
			continue
		}
		if *d.src < 0 {
			return r, fmt.Errorf("alerts.%s: want 0 or more", d.name)
		}
		*d.dst = *d.src
	}
	if o.WalletMin != nil {
		if *o.WalletMin < 0 {
			return r, fmt.Errorf("alerts.wallet_min: want 0 or more")
		}
		out.WalletMin = *o.WalletMin
	}
	if out.Failures > out.Of {
		return r, fmt.Errorf("alerts.failures: %d is more than alerts.of (%d)", out.Failures, out.Of)
	}
	for _, name := range o.Disabled {
		known := false
		for _, k := range AllRules {
			known = known || k == name
		}
		if !known {
			return r, fmt.Errorf("alerts.disabled: unknown rule %q", name)
		}
		out.Disabled[name] = true
	}
	return out, nil
}

func (r *Rules) on(rule string) bool { return !r.Disabled[rule] }
