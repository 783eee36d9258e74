package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/api/octopus"
	"github.com/orderwatch/orderwatch/api/oneclick"
)

// The providers' sections are registered by their packages, as in the
// program.
func octo(c *Config) *Account { return c.Account(octopus.ProviderID) }
func one(c *Config) *Account  { return c.Account(oneclick.ProviderID) }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func write(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, os.WriteFile(p, []byte(body), mode))
	return p
}

func TestNothingConfiguredMeansSandbox(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	c, err := Load("", env(nil))
	require.NoError(t, err)
	assert.True(t, c.Sandbox())
	assert.Equal(t, "", c.Path)
}

func TestEnvironmentCredentials(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	c, err := Load("", env(map[string]string{
		"OCTOPUS_API_KEY": "k", "OCTOPUS_API_SECRET": "s", "OCTOPUS_BASE_URL": "http://127.0.0.1:9999",
		"ONECLICKDZ_API_KEY": "zz-oneclick-key",
	}))
	require.NoError(t, err)
	require.NotNil(t, octo(c))
	assert.Equal(t, "k", octo(c).APIKey.Reveal())
	assert.Equal(t, "http://127.0.0.1:9999", octo(c).BaseURL)
	assert.Equal(t, oneclick.DefaultURL, one(c).BaseURL)
	assert.Equal(t, DefaultGETPerMin, one(c).GETPerMinute)
	assert.False(t, c.Sandbox())
	assert.NotContains(t, fmt.Sprintf("%+v %+v %+v", *octo(c), *one(c), c), "zz-oneclick")
}

func TestBadInputsNameTheFieldAndFile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cases := []struct {
		name, body, envKey, want string
	}{
		{"plain http", "[octopus]\nbase_url = \"http://api.example.com\"\n", "", "octopus.base_url"},
		{"unknown field", "[octopus]\nbase_ulr = \"https://x\"\n", "", "octopus.base_ulr"},
		{"bad type", "[octopus]\nget_per_minute = \"lots\"\n", "", "get_per_minute"},
		{"out of range", "[oneclickdz]\napi_key_file = \"/nonexistent\"\nget_per_minute = 0\n", "", "oneclickdz"},
		{"missing secret", "[octopus]\nbase_url = \"https://api.octopuscards.io\"\n", "", "octopus.api_key"},
		{"public webhook", "[webhook]\nlisten = \"0.0.0.0:8080\"\n", "", "webhook.listen"},
		{"empty key", "[keys]\nquit = [\"\"]\n", "", "keys.quit"},
		{"syntax", "[octopus\n", "", "line 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, tc.body, 0o600)
			_, err := Load(p, env(nil))
			require.Error(t, err)
			assert.Contains(t, err.Error(), p)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestEnvBaseURLErrorNamesVariable(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	_, err := Load("", env(map[string]string{"OCTOPUS_API_KEY": "k", "OCTOPUS_API_SECRET": "s", "OCTOPUS_BASE_URL": "http://evil.example.com"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "OCTOPUS_BASE_URL")
	assert.NotContains(t, err.Error(), "\"s\"")
}

func TestSecretsNeedPrivateFiles(t *testing.T) {
	p := write(t, "[octopus]\napi_key = \"k\"\napi_secret = \"s\"\n", 0o644)
	_, err := Load(p, env(nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "chmod 600")

	require.NoError(t, os.Chmod(p, 0o600))
	c, err := Load(p, env(nil))
	require.NoError(t, err)
	assert.Equal(t, "s", octo(c).APISecret.Reveal())

	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(keyFile, []byte("fromfile\n"), 0o644))
	p2 := write(t, fmt.Sprintf("[octopus]\napi_key_file = %q\napi_secret = \"s\"\n", keyFile), 0o600)
	_, err = Load(p2, env(nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "octopus.api_key_file")
	require.NoError(t, os.Chmod(keyFile, 0o600))
	c, err = Load(p2, env(nil))
	require.NoError(t, err)
	assert.Equal(t, "fromfile", octo(c).APIKey.Reveal())
}

func TestEnvironmentWinsOverFile(t *testing.T) {
	p := write(t, "[octopus]\napi_key = \"file\"\napi_secret = \"s\"\nget_per_minute = 120\n[ui]\nmouse = true\n", 0o600)
	c, err := Load(p, env(map[string]string{"OCTOPUS_API_KEY": "env"}))
	require.NoError(t, err)
	assert.Equal(t, "env", octo(c).APIKey.Reveal())
	assert.Equal(t, 120, octo(c).GETPerMinute)
	assert.True(t, c.Mouse)
}

func TestNamedMissingFileIsAnError(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"), env(nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nope.toml")
}

// "~/exports" (the README's example) must mean the home directory, not a
// directory literally named "~" below the working directory.
func TestPathsExpandHome(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	home := t.TempDir()
	t.Setenv("HOME", home)
	p := write(t, "[ui]\ncsv_dir = \"~/exports\"\n[journal]\npath = \"~/ow/journal.db\"\n", 0o600)
	c, err := Load(p, env(nil))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(home, "exports"), c.CSVDir)
	assert.Equal(t, filepath.Join(home, "ow", "journal.db"), c.JournalPath)
}

// A provider's table takes only what its section declares, and its
// environment variables follow its prefix.
func TestSectionsFollowTheirDeclaration(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	p := write(t, "[oneclickdz]\napi_key = \"k\"\napi_secret = \"s\"\n", 0o600)
	_, err := Load(p, env(nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "oneclickdz.api_secret: OneClickDz uses an API key only")

	p = write(t, "[octopus]\napi_key = \"k\"\napi_secret = \"s\"\nwebhook_secret = \"w\"\n[oneclickdz]\napi_key = \"z\"\nget_per_minute = 90\n", 0o600)
	c, err := Load(p, env(map[string]string{"ONECLICKDZ_BASE_URL": "http://127.0.0.1:7"}))
	require.NoError(t, err)
	assert.Equal(t, "w", octo(c).WebhookSecret.Reveal())
	assert.Equal(t, octopus.DefaultURL, octo(c).BaseURL)
	assert.Equal(t, 90, one(c).GETPerMinute)
	assert.Equal(t, "http://127.0.0.1:7", one(c).BaseURL)

	_, err = Load("", env(map[string]string{"ONECLICKDZ_BASE_URL": "http://127.0.0.1:7"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "oneclickdz.api_key: not set (set ONECLICKDZ_API_KEY or oneclickdz.api_key_file)")

	p = write(t, "[pizza]\napi_key = \"k\"\n", 0o600)
	_, err = Load(p, env(nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pizza: unknown field (line 1)", "a table no provider registered is unknown")
}
