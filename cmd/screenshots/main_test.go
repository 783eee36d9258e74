package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The pictures are the real program on the embedded sandbox: its badges,
// its seeded ids and references, the sandbox's own traffic; never fixture
// data (ids 48220, "api 12/60/min").
func TestPicturesComeFromTheRealProgramOnTheSandbox(t *testing.T) {
	for _, k := range []string{"OCTOPUS_API_KEY", "OCTOPUS_API_SECRET", "ONECLICKDZ_API_KEY"} {
		t.Setenv(k, "")
	}
	out := t.TempDir()
	frames, err := run(out, 3*time.Second, []shot{{"topups", 140, 32, []string{"2"}}, {"narrow-60x15", 60, 15, []string{"1"}}})
	require.NoError(t, err)
	for name, f := range frames {
		_, err := os.Stat(filepath.Join(out, name+".png"))
		require.NoError(t, err)
		s := ansi.Strip(f)
		assert.Contains(t, s, "OCTOPUS SANDBOX", name)
		assert.Contains(t, s, "1CLICK SANDBOX", name)
		assert.NotContains(t, s, "48220", name)
		assert.NotContains(t, s, "12/60/min", name)
	}
	table := ansi.Strip(frames["topups"])
	assert.Contains(t, table, "shop-", "the sandbox's own traffic")
	assert.True(t, strings.Contains(table, "/300/min"), "the engine's real budget: %s", table)
}
