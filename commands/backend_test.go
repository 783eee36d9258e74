package commands

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

// With no credentials every plug-in opens on the embedded sandbox, with
// its capabilities found on its client and the webhook receiver wired.
func TestOpenBackendOnSandboxWiresEveryPlugin(t *testing.T) {
	dir := isolate(t)
	c := common{journal: filepath.Join(dir, "j.db"), keepFinished: 500}
	c.sb.octo.TimeScale = 1
	b, err := openBackend(&c, false)
	require.NoError(t, err)
	defer b.Close()
	var got []api.Provider
	for _, p := range b.providers {
		got = append(got, p.Provider)
		assert.Equal(t, "SANDBOX", p.Mode, p.Provider)
	}
	assert.Equal(t, []api.Provider{api.ProviderOctopus, api.ProviderOneClick}, got)
	assert.Len(t, b.placers, 2)
	assert.Contains(t, b.notifier, api.ProviderOctopus)
	require.NotNil(t, b.engine.Webhooks(), "the sandbox's webhooks reach the receiver")
	assert.NotEmpty(t, b.engine.Webhooks().URL())
	ord := b.ordering()
	_, lookup := ord[api.ProviderOctopus].Catalog.(api.PhoneLookup)
	assert.True(t, lookup, "phone lookup found on the client")
	_, check := ord[api.ProviderOctopus].Catalog.(api.LineChecker)
	assert.False(t, check)
	_, check = ord[api.ProviderOneClick].Catalog.(api.LineChecker)
	assert.True(t, check, "line check found on the client")
	_, lookup = ord[api.ProviderOneClick].Catalog.(api.PhoneLookup)
	assert.False(t, lookup)
}

// Asking for webhooks with no provider able to verify them names how to
// configure one, and opens nothing.
func TestWebhookListenWithoutSecret(t *testing.T) {
	dir := isolate(t)
	t.Setenv("ONECLICKDZ_API_KEY", "k")
	t.Setenv("ONECLICKDZ_BASE_URL", "http://127.0.0.1:1")
	c := common{journal: filepath.Join(dir, "j.db"), keepFinished: 500, webhookListen: "127.0.0.1:0"}
	c.sb.octo.TimeScale = 1
	_, err := openBackend(&c, false)
	require.Error(t, err)
	assert.Equal(t, "--webhook-listen needs OCTOPUS_WEBHOOK_SECRET (or octopus.webhook_secret_file)", err.Error())
}
