package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

func openTestJournal(t *testing.T, path string) *Journal {
	t.Helper()
	j, err := OpenJournal(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = j.Close() })
	return j
}

// Two handles on one file stand for two processes (each has its own SQLite
// connection and locks): of many concurrent Begins of one reference, exactly
// one wins, and both handles see it.
func TestJournalOneIntentPerReferenceAcrossHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	a, b := openTestJournal(t, path), openTestJournal(t, path)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, dup := 0, 0
	for i := range 16 {
		j := a
		if i%2 == 1 {
			j = b
		}
		wg.Go(func() {
			err := j.Begin(Intent{Vertical: api.VerticalTopup, ClientReference: "same", Created: time.Now()})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, ErrDuplicatePlace):
				dup++
			default:
				t.Errorf("Begin: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, won)
	assert.Equal(t, 15, dup)
	// One reference per provider, whatever the vertical.
	assert.ErrorIs(t, b.Begin(Intent{Vertical: api.VerticalVoucher, ClientReference: "same", Created: time.Now()}), ErrDuplicatePlace)
	require.NoError(t, b.Begin(Intent{Vertical: api.VerticalMobile, ClientReference: "same", Created: time.Now()}),
		"another provider's reference space")
	in, ok, err := a.Intent(api.VerticalTopup, "same")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, IntentPending, in.State)
	require.NoError(t, b.Resolve(api.VerticalTopup, "same", IntentPlaced, "77", "", time.Now()))
	in, _, _ = a.Intent(api.VerticalTopup, "same")
	assert.Equal(t, "77", in.OrderID, "a write through one handle is read through the other")
}

func TestJournalImportsTheOlderFormatOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	old := openLegacy(t, path)
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	require.NoError(t, old.Begin(Intent{Vertical: api.VerticalVoucher, ClientReference: "pending-1", Summary: "product=7", Created: t0}))
	require.NoError(t, old.Begin(Intent{Vertical: api.VerticalGiftCard, ClientReference: "gift-1", Summary: "product=p variant=v qty=2",
		Created: t0.Add(time.Minute), State: IntentPlaced, OrderID: "g-9"}))
	require.NoError(t, old.putRaw(legacyKey(api.VerticalTopup, "garbled-1"), []byte("{not json")))
	require.NoError(t, old.Pin(api.OrderKey{Vertical: api.VerticalVoucher, ID: "55"}, t0))
	require.NoError(t, old.Close())
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	j, err := OpenJournal(path)
	require.NoError(t, err)
	ins, err := j.Intents()
	require.NoError(t, err)
	require.Len(t, ins, 3)
	byRef := map[string]Intent{}
	for _, in := range ins {
		byRef[in.ClientReference] = in
	}
	assert.Equal(t, IntentPending, byRef["pending-1"].State)
	assert.Equal(t, "product=7", byRef["pending-1"].Summary)
	assert.True(t, byRef["pending-1"].Created.Equal(t0))
	assert.Equal(t, IntentPlaced, byRef["gift-1"].State)
	assert.Equal(t, "g-9", byRef["gift-1"].OrderID)
	assert.Equal(t, IntentPending, byRef["garbled-1"].State, "an unreadable old record stays refused and is looked up")
	pins, err := j.Pins()
	require.NoError(t, err)
	assert.Equal(t, []api.OrderKey{{Vertical: api.VerticalVoucher, ID: "55"}}, pins)
	assert.ErrorIs(t, j.Begin(Intent{Vertical: api.VerticalVoucher, ClientReference: "pending-1", Created: t0}), ErrDuplicatePlace)
	require.NoError(t, j.Begin(Intent{Vertical: api.VerticalVoucher, ClientReference: "new-1", Created: t0}))
	require.NoError(t, j.Close())

	kept, err := os.ReadFile(path + BoltImportedSuffix)
	require.NoError(t, err, "the older journal is kept beside, renamed")
	assert.Equal(t, before, kept)
	kind, err := sniff(path, int64(len(kept)))
	require.NoError(t, err)
	assert.Equal(t, kindSQLite, kind)

	// Only once: a second start reads the new journal, the copy is untouched.
	j = openTestJournal(t, path)
	ins, err = j.Intents()
	require.NoError(t, err)
	assert.Len(t, ins, 4, "the intent written after the import is still there")
	kept2, _ := os.ReadFile(path + BoltImportedSuffix)
	assert.Equal(t, before, kept2)
}

// Concurrent first starts on an older journal import it once and share it.
func TestJournalConcurrentImport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	old := openLegacy(t, path)
	require.NoError(t, old.Begin(Intent{Vertical: api.VerticalVoucher, ClientReference: "r", Created: time.Now()}))
	require.NoError(t, old.Close())
	js := make([]*Journal, 4)
	var wg sync.WaitGroup
	for i := range js {
		wg.Go(func() {
			j, err := OpenJournal(path)
			if err != nil {
				t.Errorf("open %d: %v", i, err)
				return
			}
			js[i] = j
		})
	}
	wg.Wait()
	for i, j := range js {
		if j == nil {
			continue
		}
		defer j.Close()
		require.NoError(t, j.Begin(Intent{Vertical: api.VerticalVoucher, ClientReference: fmt.Sprint("after-", i), Created: time.Now()}))
	}
	ins, err := js[0].Intents()
	require.NoError(t, err)
	assert.Len(t, ins, 1+len(js), "every process writes the same journal")
}

// BenchmarkJournalBegin is the journal's cost per placement: from the
// intent to its durable commit, the older bbolt journal against SQLite.
func BenchmarkJournalBegin(b *testing.B) {
	in := Intent{Vertical: api.VerticalVoucher, Summary: "product=7 amount=10 qty=1", Created: time.Now()}
	b.Run("bbolt", func(b *testing.B) {
		j := openLegacy(b, filepath.Join(b.TempDir(), "old.db"))
		defer j.Close()
		for i := 0; b.Loop(); i++ {
			in.ClientReference = fmt.Sprint("ref-", i)
			if err := j.Begin(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sqlite", func(b *testing.B) {
		j, err := OpenJournal(filepath.Join(b.TempDir(), "journal.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer j.Close()
		for i := 0; b.Loop(); i++ {
			in.ClientReference = fmt.Sprint("ref-", i)
			if err := j.Begin(in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Every connection commits durably and the file is shared through WAL.
func TestJournalIsWALAndSynchronousFull(t *testing.T) {
	j := openTestJournal(t, filepath.Join(t.TempDir(), "journal.db"))
	var mode string
	var sync int
	require.NoError(t, j.db.QueryRow("PRAGMA journal_mode").Scan(&mode))
	require.NoError(t, j.db.QueryRow("PRAGMA synchronous").Scan(&sync))
	assert.Equal(t, "wal", mode)
	assert.Equal(t, 2, sync, "FULL: the WAL is synced at every commit")
	var busy int
	require.NoError(t, j.db.QueryRow("PRAGMA busy_timeout").Scan(&busy))
	assert.Equal(t, 5000, busy)
}
