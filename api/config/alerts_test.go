package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	. "github.com/orderwatch/orderwatch/api/config"
)

func TestAlertsSection(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	p := write(t, `[alerts]
failures = 4
of = 12
failure_window = "30m"
wallet_min = 50
disabled = ["webhook_silent"]
bell = false
notify_every = "1m"
command = "/usr/local/bin/page-oncall"
[alerts.horizon]
voucher = "15m"
[alerts.uncertain]
mobile = "12h"
`, 0o600)
	c, err := Load(p, env(nil))
	require.NoError(t, err)
	a := c.Alerts
	assert.Equal(t, 4, *a.Failures)
	assert.Equal(t, 12, *a.Of)
	assert.Equal(t, 30*time.Minute, *a.Window)
	assert.Equal(t, 50.0, *a.WalletMin)
	assert.Equal(t, []string{"webhook_silent"}, a.Disabled)
	assert.False(t, *a.Bell)
	assert.Equal(t, "", a.Desktop)
	assert.Equal(t, time.Minute, *a.NotifyEvery)
	assert.Equal(t, "/usr/local/bin/page-oncall", a.Command)
	assert.Equal(t, 15*time.Minute, a.Horizon[api.VerticalVoucher])
	assert.Equal(t, 12*time.Hour, a.Uncertain[api.VerticalMobile])
	assert.Nil(t, a.PartialAfter)
}

func TestAlertsSectionErrorsNameTheField(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for body, want := range map[string]string{
		"[alerts]\nfailure_window = \"soon\"\n":    "alerts.failure_window",
		"[alerts.horizon]\nvouchr = \"5m\"\n":      "alerts.horizon.vouchr",
		"[alerts]\nof = -1\n":                      "alerts.of",
		"[alerts]\nwallet_mn = 3\n":                "alerts.wallet_mn",
		"[alerts.scheduled]\ninternet = \"-1h\"\n": "alerts.scheduled.internet",
		"[alerts]\ndesktop = \"growl\"\n":          "alerts.desktop",
	} {
		_, err := Load(write(t, body, 0o600), env(nil))
		require.Error(t, err, body)
		assert.Contains(t, err.Error(), want)
	}
}
