package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/orderwatch/orderwatch/api"
)

// IntentState is where an order placed from this dashboard stands.
type IntentState string

const (
	IntentPending  IntentState = "intent"          // written before the create request; outcome not known
	IntentPlaced   IntentState = "placed"          // the provider has it (OrderID set)
	IntentAbsent   IntentState = "resolved-absent" // the lookup proved it was never placed
	IntentRejected IntentState = "rejected"        // the provider refused the create: nothing placed
)

// Intent is one journal record. It never holds secrets or codes.
type Intent struct {
	Vertical        api.Vertical `json:"vertical"`
	ClientReference string       `json:"client_reference"`
	Summary         string       `json:"summary"`
	Created         time.Time    `json:"created"`
	Updated         time.Time    `json:"updated"`
	State           IntentState  `json:"state"`
	OrderID         string       `json:"order_id,omitempty"`
	Status          api.Status   `json:"status,omitempty"` // last known, so a restart skips finished ones
	Error           string       `json:"error,omitempty"`
}

// ErrDuplicatePlace is returned when a client reference was already used
// from this dashboard (in flight, placed, or unresolved): nothing is sent.
var ErrDuplicatePlace = errors.New("this client reference was already used from this dashboard")

var (
	bucketIntents = []byte("intents")
	bucketPins    = []byte("pins")
)

// Journal is the crash-safe record (bbolt, fsync on every commit) of orders
// placed or pinned from this dashboard.
type Journal struct {
	db *bolt.DB
}

// OpenJournal opens (or creates) the journal file.
func OpenJournal(path string) (*Journal, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketIntents, bucketPins} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return &Journal{db: db}, nil
}

// Close closes the file.
func (j *Journal) Close() error { return j.db.Close() }

func intentKey(v api.Vertical, ref string) []byte { return []byte(string(v) + "\x00" + ref) }

// Begin records an intent before the create request leaves. It fails with
// ErrDuplicatePlace when the reference is already journaled.
func (j *Journal) Begin(in Intent) error {
	if in.State == "" {
		in.State = IntentPending
	}
	in.Updated = in.Created
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return j.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIntents)
		k := intentKey(in.Vertical, in.ClientReference)
		if b.Get(k) != nil {
			return ErrDuplicatePlace
		}
		return b.Put(k, data)
	})
}

func (j *Journal) update(v api.Vertical, ref string, f func(*Intent)) error {
	return j.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIntents)
		k := intentKey(v, ref)
		raw := b.Get(k)
		if raw == nil {
			return fmt.Errorf("journal: no intent %s ref %q", v, ref)
		}
		var in Intent
		if err := json.Unmarshal(raw, &in); err != nil {
			return fmt.Errorf("journal: intent %s ref %q: %w", v, ref, err)
		}
		f(&in)
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		return b.Put(k, data)
	})
}

// Resolve records the outcome of an intent.
func (j *Journal) Resolve(v api.Vertical, ref string, st IntentState, orderID, errText string, at time.Time) error {
	return j.update(v, ref, func(in *Intent) {
		in.State, in.Updated, in.Error = st, at, errText
		if orderID != "" {
			in.OrderID = orderID
		}
	})
}

// SetStatus records the last known status of a placed order.
func (j *Journal) SetStatus(v api.Vertical, ref string, s api.Status) error {
	return j.update(v, ref, func(in *Intent) { in.Status = s })
}

// Intent returns one record.
func (j *Journal) Intent(v api.Vertical, ref string) (Intent, bool, error) {
	var in Intent
	found := false
	err := j.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketIntents).Get(intentKey(v, ref))
		if raw == nil {
			return nil
		}
		found = true
		return json.Unmarshal(raw, &in)
	})
	return in, found, err
}

// Intents returns every record, oldest first. A record that cannot be read
// is skipped and reported in the error (the rest are still returned).
func (j *Journal) Intents() ([]Intent, error) {
	var out []Intent
	var bad []error
	err := j.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIntents).ForEach(func(k, raw []byte) error {
			var in Intent
			if err := json.Unmarshal(raw, &in); err != nil {
				bad = append(bad, fmt.Errorf("journal: unreadable intent: %w", err))
				return nil
			}
			out = append(out, in)
			return nil
		})
	})
	sort.Slice(out, func(a, b int) bool { return out[a].Created.Before(out[b].Created) })
	if err == nil {
		err = errors.Join(bad...)
	}
	return out, err
}

// Pin records an order to track across restarts.
func (j *Journal) Pin(k api.OrderKey, at time.Time) error {
	return j.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPins).Put([]byte(k.String()), []byte(at.UTC().Format(time.RFC3339Nano)))
	})
}

// Unpin forgets a pin.
func (j *Journal) Unpin(k api.OrderKey) error {
	return j.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPins).Delete([]byte(k.String()))
	})
}

// Pins returns the pinned orders; unreadable keys are skipped.
func (j *Journal) Pins() ([]api.OrderKey, error) {
	var out []api.OrderKey
	err := j.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPins).ForEach(func(k, _ []byte) error {
			if key, err := api.ParseOrderKey(string(k)); err == nil {
				out = append(out, key)
			}
			return nil
		})
	})
	return out, err
}
