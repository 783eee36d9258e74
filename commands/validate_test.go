package commands

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

func sandboxes(t *testing.T) (*octosb.Server, *oneclicksb.Server) {
	o, err := octosb.New(octosb.Config{Seed: 1, TimeScale: 0.01})
	require.NoError(t, err)
	require.NoError(t, o.Start())
	t.Cleanup(func() { _ = o.Close() })
	c, err := oneclicksb.New(oneclicksb.Config{Seed: 1, TimeScale: 0.01})
	require.NoError(t, err)
	require.NoError(t, c.Start())
	t.Cleanup(func() { _ = c.Close() })
	return o, c
}

// A wrong key, a wrong base URL or an unreachable host is said at start, in
// one line naming the variable, with its own exit code, by every command
// that talks to the providers, before anything else is asked.
func TestMisconfigurationIsNamedAtStart(t *testing.T) {
	octo, one := sandboxes(t)
	cr := octo.Credentials()
	good := map[string]string{
		"OCTOPUS_BASE_URL": octo.URL(), "OCTOPUS_API_KEY": cr.APIKey, "OCTOPUS_API_SECRET": cr.APISecret,
		"ONECLICKDZ_BASE_URL": one.URL(), "ONECLICKDZ_API_KEY": one.APIKey(),
	}
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"oneclick bad key", map[string]string{"ONECLICKDZ_API_KEY": "00000000-0000-4000-8000-000000000000"},
			"OneClickDz refused the credentials: check ONECLICKDZ_API_KEY"},
		{"octopus bad secret", map[string]string{"OCTOPUS_API_SECRET": "wrong"},
			"Octopus Cards refused the credentials: check OCTOPUS_API_KEY and OCTOPUS_API_SECRET"},
		{"oneclick closed port", map[string]string{"ONECLICKDZ_BASE_URL": "CLOSED"},
			"OneClickDz is unreachable at http://127.0.0.1:"},
		{"octopus closed port", map[string]string{"OCTOPUS_BASE_URL": "CLOSED"},
			"Octopus Cards is unreachable at http://127.0.0.1:"},
		{"oneclick wrong path", map[string]string{"ONECLICKDZ_BASE_URL": one.URL() + "/api"},
			"OneClickDz does not answer as its API at " + one.URL() + "/api: check ONECLICKDZ_BASE_URL"},
	}
	// place checks only the account of the vertical it places.
	placeOf := map[bool][]string{
		false: {"place", "voucher", "--product", "1001", "--denomination", "10", "--quantity", "1"},
		true:  {"place", "mobile", "--plan", "PREPAID_DJEZZY", "--phone", "0778037340", "--amount", "100"},
	}
	for _, tc := range cases {
		oneclick := strings.HasPrefix(tc.name, "oneclick")
		commands := [][]string{{"watch", "--until-terminal", "--timeout", "5s", "voucher:1"}, placeOf[oneclick]}
		for _, cmd := range commands {
			t.Run(tc.name+"/"+cmd[0], func(t *testing.T) {
				dir := isolate(t)
				for k, v := range good {
					t.Setenv(k, v)
				}
				for k, v := range tc.env {
					if v == "CLOSED" {
						v = closedPort(t)
					}
					t.Setenv(k, v)
				}
				var out, errb bytes.Buffer
				args := append(append([]string{}, cmd...), "--journal", filepath.Join(dir, "j.db"))
				code := Run(context.Background(), args, &out, &errb)
				assert.Equal(t, exitCouldNotStart, code, errb.String())
				assert.Contains(t, errb.String(), tc.want)
				assert.Equal(t, 1, strings.Count(strings.TrimSpace(errb.String()), "\n")+1, "one line: %q", errb.String())
				assert.Empty(t, out.String(), "nothing printed before the check")
			})
		}
	}
	t.Run("dashboard", func(t *testing.T) {
		dir := isolate(t)
		for k, v := range good {
			t.Setenv(k, v)
		}
		t.Setenv("ONECLICKDZ_API_KEY", "00000000-0000-4000-8000-000000000000")
		var errb bytes.Buffer
		_, stop, code, err := dashboard(context.Background(), []string{"--journal", filepath.Join(dir, "j.db")}, &errb)
		require.Nil(t, stop)
		assert.Equal(t, exitCouldNotStart, code)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "check ONECLICKDZ_API_KEY")
	})
}

// Two misconfigured providers: one line each, each naming the command.
func TestEveryMisconfiguredProviderHasItsLine(t *testing.T) {
	octo, one := sandboxes(t)
	dir := isolate(t)
	t.Setenv("OCTOPUS_BASE_URL", octo.URL())
	t.Setenv("OCTOPUS_API_KEY", octo.Credentials().APIKey)
	t.Setenv("OCTOPUS_API_SECRET", "wrong")
	t.Setenv("ONECLICKDZ_BASE_URL", one.URL())
	t.Setenv("ONECLICKDZ_API_KEY", "00000000-0000-4000-8000-000000000000")
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"watch", "--journal", filepath.Join(dir, "j.db")}, &out, &errb)
	assert.Equal(t, exitCouldNotStart, code)
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	require.Len(t, lines, 2, errb.String())
	assert.True(t, strings.HasPrefix(lines[0], "orderwatch watch: Octopus Cards refused the credentials"), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "orderwatch watch: OneClickDz refused the credentials"), lines[1])
}
