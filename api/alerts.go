package api

import "time"

// AlertOverrides are the `[alerts]` settings of the config file over the
// alert rules' documented defaults; nil or zero fields keep the default.
// api/config reads them, engine/alerts applies them.
type AlertOverrides struct {
	Horizon        map[Vertical]time.Duration
	Uncertain      map[Vertical]time.Duration
	Scheduled      map[Vertical]time.Duration
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
