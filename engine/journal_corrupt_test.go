package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

// fullJournal writes a journal of n intents (about 1.5 KiB each) and closes it.
func fullJournal(t *testing.T, path string, n int) {
	t.Helper()
	j, err := OpenJournal(path)
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, j.Begin(Intent{Vertical: api.VerticalGiftCard, ClientReference: fmt.Sprintf("B-giftcard-%d", i),
			Summary: "product=" + strings.Repeat("x", 1500), Created: time.Now()}))
	}
	require.NoError(t, j.Close())
}

func garble(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	st, _ := f.Stat()
	for off := int64(4096); off < st.Size() && off < 4096+62*997; off += 997 {
		b := []byte{0}
		_, _ = f.ReadAt(b, off)
		b[0] ^= 0x5a
		_, err := f.WriteAt(b, off)
		require.NoError(t, err)
	}
}

// Every way the file can be wrong is a one-line JournalError that names the
// file, what is wrong and what to do; none panics, none opens silently.
func TestJournalCorruptionIsNamed(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, path string) func()
		want  string
	}{
		{"truncated", func(t *testing.T, path string) func() {
			fullJournal(t, path, 43)
			st, _ := os.Stat(path)
			require.NoError(t, os.Truncate(path, st.Size()/2))
			return nil
		}, "is truncated"},
		{"truncated to the header", func(t *testing.T, path string) func() {
			fullJournal(t, path, 3)
			require.NoError(t, os.Truncate(path, 50))
			return nil
		}, "is truncated"},
		{"garbled", func(t *testing.T, path string) func() {
			fullJournal(t, path, 43)
			garble(t, path)
			return nil
		}, "is damaged"},
		{"zero-length", func(t *testing.T, path string) func() {
			require.NoError(t, os.WriteFile(path, nil, 0o600))
			return nil
		}, "is empty (0 bytes)"},
		{"not a journal", func(t *testing.T, path string) func() {
			require.NoError(t, os.WriteFile(path, []byte("[octopus]\napi_key = 'x'\n"), 0o600))
			return nil
		}, "is not an orderwatch journal"},
		{"another program's SQLite", func(t *testing.T, path string) func() {
			fullJournal(t, path, 1)
			j, err := OpenJournal(path)
			require.NoError(t, err)
			_, err = j.db.Exec("PRAGMA application_id=42")
			require.NoError(t, err)
			require.NoError(t, j.Close())
			return nil
		}, "another program"},
		{"newer schema", func(t *testing.T, path string) func() {
			fullJournal(t, path, 1)
			j, err := OpenJournal(path)
			require.NoError(t, err)
			_, err = j.db.Exec(fmt.Sprintf("PRAGMA user_version=%d", len(migrations)+1))
			require.NoError(t, err)
			require.NoError(t, j.Close())
			return nil
		}, "newer orderwatch"},
		{"read-only", func(t *testing.T, path string) func() {
			fullJournal(t, path, 1)
			require.NoError(t, os.Chmod(path, 0o400))
			return nil
		}, "is read-only"},
		{"locked by an older version", func(t *testing.T, path string) func() {
			old := openLegacy(t, path) // holds the bbolt lock, as an older dashboard does
			require.NoError(t, old.Begin(Intent{Vertical: api.VerticalVoucher, ClientReference: "r", Created: time.Now()}))
			return func() { old.Close() }
		}, "locked by an older orderwatch"},
		{"older format truncated", func(t *testing.T, path string) func() {
			old := openLegacy(t, path)
			for i := range 40 {
				require.NoError(t, old.Begin(Intent{Vertical: api.VerticalVoucher, ClientReference: fmt.Sprint("r", i),
					Summary: strings.Repeat("y", 1500), Created: time.Now()}))
			}
			require.NoError(t, old.Close())
			st, _ := os.Stat(path)
			require.NoError(t, os.Truncate(path, st.Size()/2))
			return nil
		}, "truncated"},
		{"older format garbled meta", func(t *testing.T, path string) func() {
			old := openLegacy(t, path)
			require.NoError(t, old.Close())
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			require.NoError(t, err)
			_, _ = f.WriteAt([]byte("garbage!"), 16+40)      // meta 0's pgid
			_, _ = f.WriteAt([]byte("garbage!"), 4096+16+40) // meta 1's
			f.Close()
			return nil
		}, "no valid meta page"},
	}
	prev := boltLockWait
	boltLockWait = 50 * time.Millisecond
	t.Cleanup(func() { boltLockWait = prev })
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "journal.db")
			if done := c.setup(t, path); done != nil {
				defer done()
			}
			j, err := OpenJournal(path)
			if j != nil {
				j.Close()
			}
			var je *JournalError
			require.ErrorAs(t, err, &je, "%v", err)
			msg := err.Error()
			assert.Contains(t, msg, path)
			assert.Contains(t, msg, c.want)
			assert.NotContains(t, msg, "\n")
			assert.Contains(t, msg, "nothing was sent")
			t.Log(msg)
		})
	}
}

// One damaged record is named by its reference and refused; every other
// reference works.
func TestJournalOneUnreadableRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	fullJournal(t, path, 3)
	j := openTestJournal(t, path)
	_, err := j.db.Exec("UPDATE intents SET state='plaXed' WHERE client_reference='B-giftcard-1'")
	require.NoError(t, err)
	// Changed without its checksum, as a flipped byte would be.
	_, err = j.db.Exec("UPDATE intents SET client_reference='B-giftcard-2X' WHERE client_reference='B-giftcard-2'")
	require.NoError(t, err)
	j.Close()

	j = openTestJournal(t, path)
	ins, err := j.Intents()
	require.ErrorIs(t, err, ErrUnreadableRecord)
	assert.Contains(t, err.Error(), `"B-giftcard-1"`)
	assert.Contains(t, err.Error(), `"B-giftcard-2X"`)
	assert.Len(t, ins, 1, "the readable record is still returned")

	_, _, err = j.Intent(api.VerticalGiftCard, "B-giftcard-1")
	var re *RecordError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "B-giftcard-1", re.Reference)
	assert.ErrorIs(t, j.Begin(Intent{Vertical: api.VerticalGiftCard, ClientReference: "B-giftcard-1", Created: time.Now()}), ErrUnreadableRecord)
	// The damage hit the reference itself: the original is refused too.
	assert.ErrorIs(t, j.Begin(Intent{Vertical: api.VerticalGiftCard, ClientReference: "B-giftcard-21", Created: time.Now()}), ErrUnreadableRecord)
	require.NoError(t, j.Begin(Intent{Vertical: api.VerticalGiftCard, ClientReference: "B-giftcard-9", Created: time.Now()}),
		"a decoded-but-wrong record refuses only its own reference")
	_, ok, err := j.Intent(api.VerticalGiftCard, "B-giftcard-0")
	require.NoError(t, err)
	assert.True(t, ok)
}

// A truncated older-format file is salvaged from a padded copy: no fault,
// the records before the cut come back, the old file is kept.
func TestRecoverTruncatedOlderFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	old := openLegacy(t, path)
	for i := range 40 {
		require.NoError(t, old.Begin(Intent{Vertical: api.VerticalVoucher, ClientReference: fmt.Sprint("r", i),
			Summary: strings.Repeat("y", 1500), Created: time.Now()}))
	}
	require.NoError(t, old.Close())
	st, _ := os.Stat(path)
	require.NoError(t, os.Truncate(path, st.Size()/2))
	_, err := OpenJournal(path)
	require.Error(t, err)

	rec, err := RecoverJournal(path, time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Less(t, rec.Intents, 40)
	t.Logf("salvaged %d of 40; problems: %v", rec.Intents, rec.Unreadable)
	_, err = os.Stat(path + ".damaged-20261204T000000Z")
	require.NoError(t, err)
	j := openTestJournal(t, path)
	ins, err := j.Intents()
	require.NoError(t, err)
	assert.Len(t, ins, rec.Intents)
}

// The reconcile loop goes on with the readable intents when one is damaged.
func TestReconcileSkipsOnlyTheDamagedRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	j := openTestJournal(t, path)
	old := time.Now().Add(-time.Hour)
	require.NoError(t, j.Begin(Intent{Vertical: api.VerticalTopup, ClientReference: "good", Created: old}))
	require.NoError(t, j.Begin(Intent{Vertical: api.VerticalTopup, ClientReference: "bad", Created: old}))
	_, err := j.db.Exec("UPDATE intents SET summary='x' WHERE client_reference='bad'")
	require.NoError(t, err)
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	f.refs["topup/good"] = api.Order{ID: "500", RawStatus: "PENDING", Status: api.StatusPending}
	f.set(key(api.VerticalTopup, "500"), always("PENDING"))
	runEngine(t, Config{Sources: []api.OrderSource{f}, Journal: j, TimeScale: 0.001, WalletEvery: -1})
	eventually(t, func() bool {
		in, _, _ := j.Intent(api.VerticalTopup, "good")
		return in.State == IntentPlaced
	}, "the readable intent is reconciled")
}
