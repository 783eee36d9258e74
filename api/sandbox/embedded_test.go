package sandbox

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
)

// `orderwatch sandbox` prints both providers' environment, one shell export a
// line, and refuses an address that is not loopback.
func TestRunEmbeddedPrintsExports(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- RunEmbedded(ctx, octosb.Config{TimeScale: 0.001}, oneclicksb.Config{TimeScale: 0.001}, pw)
		pw.Close()
	}()
	buf := make([]byte, 0, 1024)
	tmp := make([]byte, 512)
	for strings.Count(string(buf), "\n") < 6 {
		n, err := pr.Read(tmp)
		require.NoError(t, err)
		buf = append(buf, tmp[:n]...)
	}
	lines := strings.Split(strings.TrimSpace(string(buf)), "\n")
	require.Len(t, lines, 6)
	assert.Regexp(t, `^export OCTOPUS_BASE_URL='http://127\.0\.0\.1:\d+'$`, lines[0])
	assert.Equal(t, "export OCTOPUS_API_KEY='sandbox-demo-key'", lines[1])
	assert.Equal(t, "export OCTOPUS_API_SECRET='sandbox-demo-secret'", lines[2])
	assert.Equal(t, "export OCTOPUS_WEBHOOK_SECRET='sandbox-webhook-secret'", lines[3])
	assert.Regexp(t, `^export ONECLICKDZ_BASE_URL='http://127\.0\.0\.1:\d+`, lines[4])
	assert.Regexp(t, `^export ONECLICKDZ_API_KEY='.+'$`, lines[5])
	cancel()
	require.NoError(t, <-done)
	assert.Error(t, RunEmbedded(context.Background(), octosb.Config{Addr: "8.8.8.8:1"}, oneclicksb.Config{}, io.Discard))
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
}
