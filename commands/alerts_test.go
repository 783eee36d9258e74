package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/engine/alerts"
)

// syncBuffer is output written from the command's goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// `watch --alerts` on a sandbox with a stuck batch prints the alert as a
// JSON line, and --on-alert gets the same alert on stdin.
func TestWatchAlertsPrintsJSONAndRunsCommand(t *testing.T) {
	dir := isolate(t)
	got := filepath.Join(dir, "paged.json")
	script := filepath.Join(dir, "page.sh")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\ncat > \""+got+"\"\n"), 0o700))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int)
	go func() {
		done <- runWatch(ctx, []string{"--alerts", "--sandbox-incident", "stuck-batch", "--sandbox-traffic", "0",
			"--on-alert", script, "--journal", filepath.Join(dir, "j.db")}, out, errb)
	}()
	// The command runs beside the printer: wait for both, then stop.
	var data []byte
	for ctx.Err() == nil {
		data, _ = os.ReadFile(got)
		if strings.Contains(out.String(), `"id":"stuck:voucher"`) && bytes.HasSuffix(data, []byte("\n")) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	require.Equal(t, exitOK, <-done, errb.String())
	first := strings.SplitN(out.String(), "\n", 2)[0]
	var ev alerts.Event
	require.NoError(t, json.Unmarshal([]byte(first), &ev), first)
	assert.Equal(t, alerts.Raised, ev.Type)
	assert.Equal(t, "stuck:voucher", ev.Alert.ID)
	assert.Equal(t, alerts.Warning, ev.Alert.Severity)
	assert.Contains(t, ev.Alert.Text, "Vouchers: 1 order still not final past the 10m horizon")
	require.Len(t, ev.OrderIDs, 1)
	assert.True(t, strings.HasPrefix(ev.OrderIDs[0], "voucher:"))
	var paged alerts.CommandPayload
	require.NoError(t, json.Unmarshal(data, &paged), string(data))
	assert.Equal(t, "stuck:voucher", paged.Alert.ID)
}

func TestWatchAlertsBadInput(t *testing.T) {
	dir := isolate(t)
	var out, errb bytes.Buffer
	code := runWatch(context.Background(), []string{"--alerts", "voucher:1", "--journal", filepath.Join(dir, "j.db")}, &out, &errb)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errb.String(), "no targets")
	errb.Reset()
	code = runWatch(context.Background(), []string{"--alerts", "--sandbox-incident", "meteor", "--journal", filepath.Join(dir, "j.db")}, &out, &errb)
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errb.String(), `--sandbox-incident: unknown incident "meteor"`)
}
