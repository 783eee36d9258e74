package config

import (
	"fmt"
	"sort"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Alerts is the `[alerts]` section: overrides of the alert rules' documented
// defaults (nil or empty keeps the default) and the notification channels.
type Alerts struct {
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

	Bell        *bool          // terminal bell on a new alert (default on)
	Desktop     string         // osc9 (default), osc777 or off
	NotifyEvery *time.Duration // at most one bell/notification/command per this (default 30s)
	Command     string         // run with the alert JSON on stdin
}

type fileAlerts struct {
	Horizon        map[string]string `toml:"horizon"`
	Uncertain      map[string]string `toml:"uncertain"`
	Scheduled      map[string]string `toml:"scheduled"`
	PartialAfter   string            `toml:"partial_after"`
	Failures       *int              `toml:"failures"`
	Of             *int              `toml:"of"`
	Window         string            `toml:"failure_window"`
	WalletMin      *float64          `toml:"wallet_min"`
	WalletOrders   *int              `toml:"wallet_orders"`
	ProviderErrors *int              `toml:"provider_errors"`
	Provider429    *int              `toml:"provider_429s"`
	ErrorWindow    string            `toml:"error_window"`
	WebhookSilence string            `toml:"webhook_silence"`
	Disabled       []string          `toml:"disabled"`
	Bell           *bool             `toml:"bell"`
	Desktop        string            `toml:"desktop"`
	NotifyEvery    string            `toml:"notify_every"`
	Command        string            `toml:"command"`
}

func parseAlerts(path string, fa *fileAlerts) (Alerts, error) {
	var a Alerts
	bad := func(field, msg string) error { return &Error{Path: path, Field: "alerts." + field, Msg: msg} }
	dur := func(field, s string) (*time.Duration, error) {
		if s == "" {
			return nil, nil
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return nil, bad(field, fmt.Sprintf("%q: want a duration such as 90s, 15m or 48h", s))
		}
		return &d, nil
	}
	perVert := func(field string, m map[string]string) (map[api.Vertical]time.Duration, error) {
		if len(m) == 0 {
			return nil, nil
		}
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names)
		out := map[api.Vertical]time.Duration{}
		for _, k := range names {
			v, err := api.ParseVertical(k)
			if err != nil {
				return nil, bad(field+"."+k, "unknown vertical")
			}
			d, err := dur(field+"."+k, m[k])
			if err != nil {
				return nil, err
			}
			if d != nil {
				out[v] = *d
			}
		}
		return out, nil
	}
	var err error
	if a.Horizon, err = perVert("horizon", fa.Horizon); err != nil {
		return a, err
	}
	if a.Uncertain, err = perVert("uncertain", fa.Uncertain); err != nil {
		return a, err
	}
	if a.Scheduled, err = perVert("scheduled", fa.Scheduled); err != nil {
		return a, err
	}
	for _, d := range []struct {
		field, s string
		dst      **time.Duration
	}{{"partial_after", fa.PartialAfter, &a.PartialAfter}, {"failure_window", fa.Window, &a.Window},
		{"error_window", fa.ErrorWindow, &a.ErrorWindow}, {"webhook_silence", fa.WebhookSilence, &a.WebhookSilence},
		{"notify_every", fa.NotifyEvery, &a.NotifyEvery}} {
		if *d.dst, err = dur(d.field, d.s); err != nil {
			return a, err
		}
	}
	for _, n := range []struct {
		field string
		v     *int
	}{{"failures", fa.Failures}, {"of", fa.Of}, {"wallet_orders", fa.WalletOrders},
		{"provider_errors", fa.ProviderErrors}, {"provider_429s", fa.Provider429}} {
		if n.v != nil && *n.v < 0 {
			return a, bad(n.field, "want 0 or more")
		}
	}
	switch fa.Desktop {
	case "", "osc9", "osc777", "off":
	default:
		return a, bad("desktop", fmt.Sprintf("%q: want osc9, osc777 or off", fa.Desktop))
	}
	if fa.WalletMin != nil && *fa.WalletMin < 0 {
		return a, bad("wallet_min", "want 0 or more")
	}
	a.Failures, a.Of, a.WalletOrders, a.ProviderErrors, a.Provider429 = fa.Failures, fa.Of, fa.WalletOrders, fa.ProviderErrors, fa.Provider429
	a.WalletMin, a.Disabled, a.Bell, a.Desktop, a.Command = fa.WalletMin, fa.Disabled, fa.Bell, fa.Desktop, fa.Command
	return a, nil
}
