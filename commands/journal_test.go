package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

func writeJournal(t *testing.T, path string, n int) {
	t.Helper()
	j, err := engine.OpenJournal(path)
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, j.Begin(engine.Intent{Vertical: api.VerticalVoucher, ClientReference: fmt.Sprintf("B-voucher-%d", i),
			Summary: "product=" + strings.Repeat("x", 1500), Created: time.Now()}))
	}
	require.NoError(t, j.Close())
}

// Each corruption stops place, watch and journal check with exit 2 and one
// line on stderr that names the file; none crashes.
func TestCorruptJournalExitsTwo(t *testing.T) {
	cases := map[string]func(t *testing.T, path string) func(){
		"truncated": func(t *testing.T, path string) func() {
			writeJournal(t, path, 43)
			st, _ := os.Stat(path)
			require.NoError(t, os.Truncate(path, st.Size()/2))
			return nil
		},
		"garbled": func(t *testing.T, path string) func() {
			writeJournal(t, path, 43)
			raw, _ := os.ReadFile(path)
			for off := 4096; off < len(raw) && off < 4096+62*997; off += 997 {
				raw[off] ^= 0x5a
			}
			require.NoError(t, os.WriteFile(path, raw, 0o600))
			return nil
		},
		"zero-length": func(t *testing.T, path string) func() {
			require.NoError(t, os.WriteFile(path, nil, 0o600))
			return nil
		},
		"not a journal": func(t *testing.T, path string) func() {
			require.NoError(t, os.WriteFile(path, []byte("hello\n"), 0o600))
			return nil
		},
		"read-only": func(t *testing.T, path string) func() {
			writeJournal(t, path, 1)
			require.NoError(t, os.Chmod(path, 0o400))
			return nil
		},
		"locked by an older version": func(t *testing.T, path string) func() {
			db, err := bolt.Open(path, 0o600, nil)
			require.NoError(t, err)
			return func() { db.Close() }
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			dir := isolate(t)
			path := filepath.Join(dir, "journal.db")
			if done := setup(t, path); done != nil {
				defer done()
			}
			for _, args := range [][]string{
				{"place", "voucher", "--product", "1001", "--denomination", "5", "--journal", path},
				{"watch", "--journal", path, "--timeout", "1ms"},
				{"journal", "check", "--journal", path},
			} {
				var out, errb bytes.Buffer
				code := Run(context.Background(), args, &out, &errb)
				assert.Equal(t, exitBadInput, code, "%v: %s", args, errb.String())
				msg := strings.TrimSpace(errb.String())
				assert.Contains(t, msg, path, "%v", args)
				assert.Equal(t, 1, strings.Count(msg, "\n")+1, "one line: %q", msg)
				assert.NotContains(t, msg, "goroutine")
				if args[0] == "place" {
					assert.Empty(t, out.String(), "no order result")
				}
			}
		})
	}
}

func TestJournalCommandCheckExportRecover(t *testing.T) {
	dir := isolate(t)
	path := filepath.Join(dir, "journal.db")
	writeJournal(t, path, 40)
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(context.Background(), append(args, "--journal", path), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := run("journal", "check")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "40 intents (40 intent)")
	assert.Contains(t, out, "ok: every record reads back")

	code, out, errs = run("journal", "export")
	require.Equal(t, exitOK, code, errs)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 40)
	var l engine.ExportLine
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &l))
	assert.Equal(t, "intent", l.Type)
	assert.Equal(t, "B-voucher-0", l.Intent.ClientReference)

	// Truncated: check names it, recover salvages the rest and keeps the old.
	st, _ := os.Stat(path)
	require.NoError(t, os.Truncate(path, st.Size()/2))
	code, _, errs = run("journal", "check")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errs, "is truncated")
	code, out, errs = run("journal", "recover")
	require.Equal(t, exitOK, code, errs)
	var rec struct {
		KeptAs  string `json:"old_file_kept_as"`
		Intents int    `json:"intents_recovered"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rec), out)
	assert.Greater(t, rec.Intents, 5, "the pages before the cut are salvaged")
	assert.Less(t, rec.Intents, 40)
	_, err := os.Stat(rec.KeptAs)
	require.NoError(t, err, "the old file is kept")
	code, out, errs = run("journal", "check")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, fmt.Sprintf("%d intents", rec.Intents))
	// The recovered journal refuses the salvaged references.
	j, err := engine.OpenJournal(path)
	require.NoError(t, err)
	defer j.Close()
	assert.ErrorIs(t, j.Begin(engine.Intent{Vertical: api.VerticalVoucher, ClientReference: "B-voucher-0", Created: time.Now()}),
		engine.ErrDuplicatePlace)

	// A zero-length journal is replaced by a new one, the empty file kept.
	empty := filepath.Join(dir, "empty.db")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	var o, e bytes.Buffer
	require.Equal(t, exitOK, Run(context.Background(), []string{"journal", "recover", "--journal", empty}, &o, &e), e.String())
	j2, err := engine.OpenJournal(empty)
	require.NoError(t, err)
	j2.Close()
}
