package engine

import (
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/orderwatch/orderwatch/api"
)

// The journal's older format (bbolt, one process at a time) is only read
// here, to import it once into the shared SQLite journal.

var (
	boltIntents = []byte("intents")
	boltPins    = []byte("pins")
)

const boltMagic = 0xED0CDAED

// BoltImportedSuffix is appended to an imported older-format journal, kept
// beside the new one.
const BoltImportedSuffix = ".bbolt-imported"

// boltLockWait is how long opening waits for the older format's file lock.
var boltLockWait = time.Second

func isBoltHeader(head []byte) bool {
	return len(head) >= 20 && binary.LittleEndian.Uint32(head[16:20]) == boltMagic
}

// boltMeta is the part of a bbolt meta page needed to check the file's size
// before bbolt maps it: a file shorter than its meta says would fault
// (SIGBUS) on the first read past its end.
type boltMeta struct {
	pageSize uint32
	pgid     uint64
	txid     uint64
}

func readBoltMeta(b []byte) (boltMeta, bool) {
	if len(b) < 16+64 {
		return boltMeta{}, false
	}
	m := b[16 : 16+64]
	if binary.LittleEndian.Uint32(m[0:4]) != boltMagic || binary.LittleEndian.Uint32(m[4:8]) != 2 {
		return boltMeta{}, false
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != binary.LittleEndian.Uint64(m[56:64]) {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: binary.LittleEndian.Uint32(m[8:12]), pgid: binary.LittleEndian.Uint64(m[40:48]),
		txid: binary.LittleEndian.Uint64(m[48:56])}, true
}

// checkBolt refuses an older-format file that bbolt would crash on.
func checkBolt(path string) error {
	damaged := func(what string) error {
		return jerr(path, "is an older-format journal that is "+what,
			"run orderwatch journal recover to salvage it, or restore it from a backup")
	}
	f, err := os.Open(path)
	if err != nil {
		return jerr(path, "cannot be read ("+errText(err)+")", "check its permissions")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return jerr(path, "cannot be read ("+errText(err)+")", "check its permissions")
	}
	head := make([]byte, 4096+80)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	m0, ok0 := readBoltMeta(head)
	best, ok := m0, ok0
	ps := int64(4096)
	if ok0 {
		ps = int64(m0.pageSize)
	}
	m1b := make([]byte, 80)
	if n, _ := f.ReadAt(m1b, ps); n == 80 {
		if m1, ok1 := readBoltMeta(m1b); ok1 && (!ok || m1.txid > best.txid) {
			best, ok = m1, true
		}
	}
	if !ok {
		return damaged("damaged (no valid meta page)")
	}
	if best.pageSize < 512 || best.pageSize > 1<<20 {
		return damaged("damaged (bad page size)")
	}
	if need := int64(best.pgid) * int64(best.pageSize); st.Size() < need {
		return damaged(fmt.Sprintf("truncated (%d bytes, its meta says %d)", st.Size(), need))
	}
	return nil
}

// legacyPin is one pinned order of the older format.
type legacyPin struct {
	key string
	at  string
}

// readBolt reads every record it can. An intent whose value is unreadable is
// kept as an unresolved intent under its reference (the key survives), so
// the reference stays refused and is looked up, never sent again.
func readBolt(db *bolt.DB) (ins []Intent, pins []legacyPin, err error) {
	defer func() {
		if r := recover(); r != nil { // bbolt panics on some damaged pages
			err = fmt.Errorf("damaged: %v", r)
		}
	}()
	err = db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(boltIntents); b != nil {
			if err := b.ForEach(func(k, raw []byte) error {
				var in Intent
				if json.Unmarshal(raw, &in) != nil || !in.Vertical.Valid() {
					v, ref, _ := splitBoltKey(k)
					in = Intent{Vertical: v, ClientReference: ref, State: IntentPending,
						Error: "imported from the older journal unreadable; looked up by reference"}
				}
				if !in.Vertical.Valid() || in.ClientReference == "" {
					return nil
				}
				if !in.State.known() {
					in.State = IntentPending
				}
				ins = append(ins, in)
				return nil
			}); err != nil {
				return err
			}
		}
		if b := tx.Bucket(boltPins); b != nil {
			return b.ForEach(func(k, v []byte) error {
				pins = append(pins, legacyPin{key: string(k), at: string(v)})
				return nil
			})
		}
		return nil
	})
	return ins, pins, err
}

func splitBoltKey(k []byte) (api.Vertical, string, bool) {
	for i, c := range k {
		if c == 0 {
			return api.Vertical(k[:i]), string(k[i+1:]), true
		}
	}
	return "", "", false
}

// fillFromLegacy writes imported records into a new journal.
func fillFromLegacy(ins []Intent, pins []legacyPin) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		for _, in := range ins {
			if in.Updated.IsZero() {
				in.Updated = in.Created
			}
			// Two verticals of one provider may share a reference in the
			// older format: the first one wins, the rest stay in the copy.
			if _, err := tx.Exec(intentInsert, in.args()...); err != nil {
				return err
			}
		}
		for _, p := range pins {
			at := p.at
			if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
				at = fmtTime(t)
			} else {
				at = fmtTime(time.Time{})
			}
			if _, err := tx.Exec("INSERT OR REPLACE INTO pins (order_key, pinned_at) VALUES (?, ?)", p.key, at); err != nil {
				return err
			}
		}
		return nil
	}
}

// importBolt converts the older-format journal at path into a SQLite one at
// the same path, keeping the original as path+BoltImportedSuffix. It holds
// the older format's exclusive lock throughout, so two processes never
// import twice, and an older orderwatch that still has it open is named.
// A crash at any point leaves either the old file (imported again next
// time) or the new one at path.
func importBolt(path string) (err error) {
	if err := checkBolt(path); err != nil {
		return err
	}
	db, err := openBoltLocked(path, false)
	if err != nil {
		return err
	}
	defer db.Close()
	// Another process may have imported it while we waited for the lock.
	if st, err := os.Stat(path); err != nil {
		return nil
	} else if kind, _ := sniff(path, st.Size()); kind != kindBolt {
		return nil
	}
	ins, pins, rerr := readBolt(db)
	if rerr != nil {
		return jerr(path, "is an older-format journal that cannot be read fully ("+rerr.Error()+")",
			"run orderwatch journal recover to salvage it, or restore it from a backup")
	}
	tmp := fmt.Sprintf("%s.import-%d", path, os.Getpid())
	defer os.Remove(tmp)
	if err := initJournal(tmp, fillFromLegacy(ins, pins)); err != nil {
		return jerr(path, "could not be imported from the older format ("+err.Error()+")", "check the disk space and permissions")
	}
	backup := path + BoltImportedSuffix
	_ = os.Remove(backup)
	if err := os.Link(path, backup); err != nil {
		return jerr(path, "could not be kept as "+filepath.Base(backup)+" ("+errText(err)+")", "check the directory's permissions")
	}
	if err := os.Rename(tmp, path); err != nil {
		return jerr(path, "could not be replaced by the imported journal ("+errText(err)+")", "check the directory's permissions")
	}
	syncDir(filepath.Dir(path))
	return nil
}

// openBoltLocked opens the older format under its file lock (shared when
// readOnly), naming the older orderwatch that holds it.
func openBoltLocked(path string, readOnly bool) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = jerr(path, fmt.Sprintf("is an older-format journal that is damaged (%v)", r),
				"run orderwatch journal recover to salvage it, or restore it from a backup")
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: boltLockWait, ReadOnly: readOnly})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, jerr(path, "is locked by an older orderwatch (one from before the shared journal)",
			"close that dashboard or watch, then run this again: the journal is imported once and shared from then on")
	}
	if err != nil {
		return nil, jerr(path, "is an older-format journal that cannot be opened ("+err.Error()+")",
			"run orderwatch journal recover to salvage it, or restore it from a backup")
	}
	return db, nil
}
