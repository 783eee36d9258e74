package engine

import (
	"encoding/json"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/orderwatch/orderwatch/api"
)

// legacyJournal is the journal as it was before SQLite (bbolt, fsync on
// every commit): it writes older-format files for the import tests and is
// the baseline of BenchmarkJournalBegin.
type legacyJournal struct{ db *bolt.DB }

func openLegacy(tb testing.TB, path string) *legacyJournal {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{boltIntents, boltPins} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &legacyJournal{db: db}
}

func legacyKey(v api.Vertical, ref string) []byte { return []byte(string(v) + "\x00" + ref) }

// Begin is the older Begin, verbatim.
func (j *legacyJournal) Begin(in Intent) error {
	if in.State == "" {
		in.State = IntentPending
	}
	in.Updated = in.Created
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return j.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(boltIntents)
		k := legacyKey(in.Vertical, in.ClientReference)
		if b.Get(k) != nil {
			return ErrDuplicatePlace
		}
		return b.Put(k, data)
	})
}

func (j *legacyJournal) putRaw(k, v []byte) error {
	return j.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(boltIntents).Put(k, v) })
}

func (j *legacyJournal) Pin(k api.OrderKey, at time.Time) error {
	return j.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(boltPins).Put([]byte(k.String()), []byte(at.UTC().Format(time.RFC3339Nano)))
	})
}

func (j *legacyJournal) Close() error { return j.db.Close() }
