package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The common flags are taken wherever they stand; the command's own flags
// and values pass through in order.
func TestTakeCommonFlags(t *testing.T) {
	var c common
	rest, err := c.take([]string{"--product", "1001", "--journal=/tmp/j.db", "--sandbox-time-scale", "0.01",
		"--wait", "--sandbox-production-limits", "--quantity", "3", "-config", "/tmp/c.toml", "--sandbox-seed=7"})
	require.NoError(t, err)
	assert.Equal(t, []string{"--product", "1001", "--wait", "--quantity", "3"}, rest)
	assert.Equal(t, "/tmp/j.db", c.journal)
	assert.Equal(t, "/tmp/c.toml", c.configPath)
	assert.Equal(t, 0.01, c.sb.octo.TimeScale)
	assert.True(t, c.sb.octo.ProductionLimits, "a bool flag takes no value")
	assert.EqualValues(t, 7, c.sb.octo.Seed)
	assert.Zero(t, c.sb.octo.TrafficPerMinute, "place adds no background traffic")
	assert.Equal(t, 500, c.keepFinished)
}

func TestTakeBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--journal"},
		{"--sandbox-seed", "x"},
		{"--sandbox-time-scale=fast"},
		{"--sandbox-production-limits=maybe"},
	} {
		var c common
		_, err := c.take(args)
		assert.Error(t, err, "%q", args)
	}
}

// isolate runs with no credentials and no config file, so the command uses
// the embedded sandbox.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"OCTOPUS_API_KEY", "OCTOPUS_API_SECRET", "OCTOPUS_BASE_URL", "OCTOPUS_WEBHOOK_SECRET",
		"ONECLICKDZ_API_KEY", "ONECLICKDZ_BASE_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("ORDERWATCH_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("HOME", dir)
	return dir
}

// A voucher of 10 is PENDING at first; with the sandbox's time scaled the
// --wait sees it DELIVERED within the test's time.
func TestPlaceOnScaledSandbox(t *testing.T) {
	dir := isolate(t)
	var out, errb bytes.Buffer
	code := runPlace(context.Background(), []string{"voucher", "--product", "1001", "--denomination", "5", "--quantity", "10",
		"--wait", "--timeout", "60s", "--sandbox-time-scale", "0.01", "--journal", filepath.Join(dir, "j.db")}, &out, &errb)
	require.Equal(t, exitOK, code, errb.String())
	var res struct {
		Status            string `json:"status"`
		DeliveredQuantity int    `json:"delivered_quantity"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())
	assert.Equal(t, "delivered", res.Status)
	assert.Equal(t, 10, res.DeliveredQuantity)
}

func TestPlaceBadSandboxKnobSendsNothing(t *testing.T) {
	dir := isolate(t)
	var out, errb bytes.Buffer
	code := runPlace(context.Background(), []string{"voucher", "--product", "1001", "--denomination", "5",
		"--sandbox-fail-429", "3", "--journal", filepath.Join(dir, "j.db")}, &out, &errb)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errb.String(), "--sandbox-fail-429 3: want a share between 0 and 1")
	assert.Empty(t, out.String())
}

// After "--" nothing is taken: it all goes to the command's own parser.
func TestTakeStopsAtDoubleDash(t *testing.T) {
	var c common
	rest, err := c.take([]string{"--journal", "/tmp/j.db", "--", "--config", "/tmp/c.toml"})
	require.NoError(t, err)
	assert.Equal(t, []string{"--", "--config", "/tmp/c.toml"}, rest)
	assert.Equal(t, "/tmp/j.db", c.journal)
	assert.NotEqual(t, "/tmp/c.toml", c.configPath)
}

// place VERTICAL -h prints that vertical's flags, from its spec, and
// opens nothing.
func TestPlaceVerticalHelpComesFromTheSpec(t *testing.T) {
	for v, want := range map[string][]string{
		"voucher":  {"usage: orderwatch place voucher", "--denomination N", "--quantity N", "--email ADDRESS"},
		"mobile":   {"usage: orderwatch place mobile", "--plan CODE", "--phone, --msisdn N"},
		"giftcard": {"--type-id ID", "--quantity N"},
	} {
		var out, errb bytes.Buffer
		code := runPlace(context.Background(), []string{v, "-h"}, &out, &errb)
		assert.Equal(t, exitOK, code, v)
		assert.Empty(t, out.String(), v)
		for _, w := range want {
			assert.Contains(t, errb.String(), w, v)
		}
		if v != "voucher" {
			assert.NotContains(t, errb.String(), "--denomination", "%s: only its own flags", v)
		}
	}
}

// orderwatch -h lists the dashboard's flags, in the --flag style they are
// used with; place -h sends the reader there for the sandbox knobs.
func TestHelpListsDashboardFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run(context.Background(), []string{"-h"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	h := out.String()
	for _, f := range []string{"--readonly", "--mouse", "--debug FILE", "--journal FILE", "--config FILE",
		"--export-dir DIR", "--keep-finished N", "--webhook-listen HOST:PORT", "--sandbox-time-scale X", "--sandbox-traffic"} {
		if !strings.Contains(h, f) {
			t.Errorf("orderwatch -h does not list %s:\n%s", f, h)
		}
	}
	for _, l := range strings.Split(h, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "-") && !strings.HasPrefix(strings.TrimSpace(l), "--") {
			t.Errorf("single-dash flag in help: %q", l)
		}
	}
	var perr bytes.Buffer
	Run(context.Background(), []string{"place", "-h"}, &out, &perr)
	if !strings.Contains(perr.String(), "orderwatch -h") {
		t.Errorf("place -h does not point to orderwatch -h")
	}
	// A bad flag names it the way it is typed.
	errb.Reset()
	if code := Run(context.Background(), []string{"--bogus"}, &out, &errb); code != 2 {
		t.Fatalf("bad flag: exit %d", code)
	}
	if !strings.Contains(errb.String(), "unknown flag --bogus") || strings.Contains(errb.String(), " -bogus") {
		t.Errorf("bad flag message: %q", errb.String())
	}
}

// A voucher of 13 ends PARTIALLY_DELIVERED and stays so: with the sandbox's
// time scaled, --wait ends at the scaled horizon (exit 3), not at --timeout.
// Not a terminal: nothing on stderr while it waits.
func TestPlacePartialVoucherDoesNotWaitItsTimeout(t *testing.T) {
	dir := isolate(t)
	var out, errb bytes.Buffer
	start := time.Now()
	code := runPlace(context.Background(), []string{"voucher", "--product", "1001", "--denomination", "5", "--quantity", "13",
		"--wait", "--timeout", "5m", "--sandbox-time-scale", "0.005", "--journal", filepath.Join(dir, "j.db")}, &out, &errb)
	require.Equal(t, 3, code, errb.String())
	assert.Less(t, time.Since(start), time.Minute)
	assert.Contains(t, out.String(), `"status":"partial"`)
	assert.Empty(t, errb.String(), "quiet when stderr is not a terminal")
}

func TestSandboxTrafficForMustNotBeNegative(t *testing.T) {
	var out, errb bytes.Buffer
	code := runSandbox(context.Background(), []string{"--traffic-for", "-1s"}, &out, &errb)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errb.String(), "--traffic-for -1s: want 0 or more")
	assert.Empty(t, out.String())
}
