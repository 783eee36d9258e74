package engine

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// JournalReport is what `orderwatch journal check` prints.
type JournalReport struct {
	Path       string              `json:"path"`
	Format     string              `json:"format"` // "sqlite" or "bbolt (older, imported at the next start)"
	Schema     int                 `json:"schema,omitempty"`
	Bytes      int64               `json:"bytes"`
	Intents    map[IntentState]int `json:"intents"`
	Pins       int                 `json:"pins"`
	Webhooks   int                 `json:"webhook_events,omitempty"`
	Unreadable []string            `json:"unreadable,omitempty"` // one line per damaged record
}

// Healthy reports whether every record was read.
func (r JournalReport) Healthy() bool { return len(r.Unreadable) == 0 }

// CheckJournal runs the full integrity check and reads every record. A file
// that cannot be opened is a *JournalError; damaged records are listed.
func CheckJournal(path string) (JournalReport, error) {
	r := JournalReport{Path: path, Intents: map[IntentState]int{}}
	st, err := os.Stat(path)
	if err != nil {
		return r, jerr(path, "cannot be read ("+errText(err)+")", "check the path (see --journal and the config's journal.path)")
	}
	r.Bytes = st.Size()
	kind, err := sniff(path, st.Size())
	if err != nil {
		return r, err
	}
	if kind == kindBolt {
		r.Format = "bbolt (older format, imported at the next start)"
		if err := checkBolt(path); err != nil {
			return r, err
		}
		db, err := openBoltLocked(path, true)
		if err != nil {
			return r, err
		}
		db.Close()
		ins, pins, err := salvageBolt(path)
		if err != nil {
			r.Unreadable = append(r.Unreadable, err.Error())
		}
		for _, in := range ins {
			r.Intents[in.State]++
		}
		r.Pins = len(pins)
		return r, nil
	}
	r.Format = "sqlite"
	j, err := openSQLite(path)
	if err != nil {
		return r, err
	}
	defer j.Close()
	if err := integrityCheck(j.db); err != nil {
		return r, classify(path, err)
	}
	_ = j.db.QueryRow("PRAGMA user_version").Scan(&r.Schema)
	ins, err := j.Intents()
	for _, in := range ins {
		r.Intents[in.State]++
	}
	var re *RecordError
	for _, e := range unjoin(err) {
		if errors.As(e, &re) {
			r.Unreadable = append(r.Unreadable, e.Error())
		} else if e != nil {
			return r, classify(path, e)
		}
	}
	pins, err := j.Pins()
	if err != nil {
		return r, classify(path, err)
	}
	r.Pins = len(pins)
	_ = j.db.QueryRow("SELECT count(*) FROM webhook_events").Scan(&r.Webhooks)
	return r, nil
}

func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		return u.Unwrap()
	}
	return []error{err}
}

func integrityCheck(db *sql.DB) error {
	var msg string
	if err := db.QueryRow("PRAGMA integrity_check(1)").Scan(&msg); err != nil {
		return err
	}
	if msg != "ok" {
		return fmt.Errorf("%w: %s", errDamaged, msg)
	}
	return nil
}

// ExportLine is one line of `orderwatch journal export`.
type ExportLine struct {
	Type     string  `json:"type"` // intent, pin, unreadable
	Intent   *Intent `json:"intent,omitempty"`
	Order    string  `json:"order,omitempty"`
	PinnedAt string  `json:"pinned_at,omitempty"`
	Problem  string  `json:"problem,omitempty"`
}

// ExportJournal writes every readable record as one JSON line, and one
// "unreadable" line per part that could not be read. It reads a damaged
// file as far as it can and changes nothing; it reports how many parts were
// unreadable.
func ExportJournal(path string, w io.Writer) (unreadable int, err error) {
	s, err := salvage(path)
	if err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	for i := range s.intents {
		if err := enc.Encode(ExportLine{Type: "intent", Intent: &s.intents[i]}); err != nil {
			return 0, err
		}
	}
	for _, p := range s.pins {
		if err := enc.Encode(ExportLine{Type: "pin", Order: p.key, PinnedAt: p.at}); err != nil {
			return 0, err
		}
	}
	for _, p := range s.problems {
		if err := enc.Encode(ExportLine{Type: "unreadable", Problem: p}); err != nil {
			return 0, err
		}
	}
	return len(s.problems), nil
}

// Recovery is what `orderwatch journal recover` did.
type Recovery struct {
	Path       string   // the new journal (the same path as before)
	KeptAs     string   // the old file, renamed
	Intents    int      // records salvaged
	Pins       int      // pins salvaged
	Unreadable []string // what could not be read
}

// RecoverJournal salvages what is readable into a new journal at path and
// keeps the old file (and its -wal/-shm) beside it, renamed. Every process
// using the journal must be closed first.
func RecoverJournal(path string, now time.Time) (Recovery, error) {
	rec := Recovery{Path: path, KeptAs: path + ".damaged-" + now.UTC().Format("20060102T150405Z")}
	if _, err := os.Stat(path); err != nil {
		return rec, jerr(path, "cannot be read ("+errText(err)+")", "check the path")
	}
	s, err := salvage(path)
	if err != nil {
		var je *JournalError
		if !errors.As(err, &je) || !canStartOver(path) {
			return rec, err
		}
		s = salvaged{problems: []string{je.Problem}} // not a journal we can read: start a new one beside it
	}
	rec.Intents, rec.Pins, rec.Unreadable = len(s.intents), len(s.pins), s.problems
	tmp := fmt.Sprintf("%s.recover-%d", path, os.Getpid())
	defer os.Remove(tmp)
	if err := initJournal(tmp, fillFromLegacy(s.intents, s.pins)); err != nil {
		return rec, jerr(path, "could not be recovered ("+err.Error()+")", "check the disk space and permissions")
	}
	if err := os.Rename(path, rec.KeptAs); err != nil {
		return rec, jerr(path, "could not be kept as "+filepath.Base(rec.KeptAs)+" ("+errText(err)+")", "check the directory's permissions")
	}
	// A stale -wal would be replayed into the new file: it goes with the old.
	for _, ext := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + ext); err == nil {
			_ = os.Rename(path+ext, rec.KeptAs+ext)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return rec, jerr(path, "could not be replaced by the recovered journal ("+errText(err)+")", "the old file is "+rec.KeptAs)
	}
	syncDir(filepath.Dir(path))
	return rec, nil
}

// canStartOver: files that hold nothing to salvage (empty, too short).
func canStartOver(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() < 512
}

// salvageMisses is how many rowids in a row may fail before the salvage
// takes the rest of the table as lost.
const salvageMisses = 256

// rowIDScanner reads a leading rowid column, then the intent's.
type rowIDScanner struct {
	r  scanner
	id *int64
}

func (s rowIDScanner) Scan(dest ...any) error { return s.r.Scan(append([]any{s.id}, dest...)...) }

type salvaged struct {
	intents  []Intent
	pins     []legacyPin
	problems []string
}

// salvage reads whatever can be read, from either format.
func salvage(path string) (salvaged, error) {
	st, err := os.Stat(path)
	if err != nil {
		return salvaged{}, jerr(path, "cannot be read ("+errText(err)+")", "check the path")
	}
	kind, err := sniff(path, st.Size())
	if err != nil && kind == kindUnknown {
		// A truncated header: nothing of SQLite's can be read.
		return salvaged{}, err
	}
	if kind == kindBolt {
		ins, pins, err := salvageBolt(path)
		s := salvaged{intents: ins, pins: pins}
		if err != nil {
			s.problems = append(s.problems, err.Error())
		}
		return s, nil
	}
	return salvageSQLite(path)
}

// salvageSQLite reads row by row, so one damaged page costs only its rows.
func salvageSQLite(path string) (salvaged, error) {
	var s salvaged
	// writable_schema lets SQLite read a file shorter than its header says
	// (it refuses the whole file otherwise); nothing is written through it.
	db, err := sql.Open("sqlite", path+"?_busy_timeout=5000&_pragma=writable_schema(1)")
	if err != nil {
		return s, jerr(path, "cannot be opened ("+err.Error()+")", "check the file")
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// Seek to each next row: a damaged stretch costs one failed seek per
	// rowid until the rows read again (or salvageMisses in a row fail).
	var cursor, badFrom int64
	var badErr error
	flush := func() {
		if badErr != nil {
			s.problems = append(s.problems, fmt.Sprintf("intent rows %d-%d: %v", badFrom, cursor, badErr))
			badErr = nil
		}
	}
	for misses := 0; misses < salvageMisses; {
		var id int64
		row := db.QueryRow("SELECT rowid, "+intentCols+" FROM intents WHERE rowid > ? ORDER BY rowid LIMIT 1", cursor)
		in, err := scanIntent(rowIDScanner{row, &id})
		var re *RecordError
		switch {
		case errors.Is(err, sql.ErrNoRows):
			misses = salvageMisses
		case errors.As(err, &re):
			flush()
			cursor, misses = id, 0
			// Keep its reference refused: an unresolved intent is looked up,
			// never sent again.
			if in.Vertical.Valid() && string(in.Vertical.Provider()) == string(re.Provider) {
				s.intents = append(s.intents, Intent{Vertical: in.Vertical, ClientReference: in.ClientReference,
					State: IntentPending, Created: in.Created, Error: "recovered from a damaged record; looked up by reference"})
			}
			s.problems = append(s.problems, fmt.Sprintf("intent row %d: %v", id, err))
		case err != nil:
			if badErr == nil {
				badFrom, badErr = cursor+1, err
			}
			cursor++
			misses++
		default:
			flush()
			cursor, misses = id, 0
			s.intents = append(s.intents, in)
		}
	}
	flush()
	rows, err := db.Query("SELECT order_key, pinned_at FROM pins")
	if err != nil {
		s.problems = append(s.problems, "pins: "+err.Error())
	} else {
		for rows.Next() {
			var p legacyPin
			if err := rows.Scan(&p.key, &p.at); err != nil {
				s.problems = append(s.problems, "pins: "+err.Error())
				break
			}
			s.pins = append(s.pins, p)
		}
		if err := rows.Err(); err != nil {
			s.problems = append(s.problems, "pins: "+err.Error())
		}
		rows.Close()
	}
	if len(s.intents) == 0 && len(s.pins) == 0 && len(s.problems) > 0 {
		if err := db.Ping(); err != nil {
			return s, classify(path, err)
		}
	}
	sort.SliceStable(s.intents, func(a, b int) bool { return s.intents[a].Created.Before(s.intents[b].Created) })
	return s, nil
}

// salvageBolt reads an older-format file through a copy padded to the size
// its meta says, so a truncated file cannot fault; a damaged page ends the
// walk with what was read so far.
func salvageBolt(path string) (ins []Intent, pins []legacyPin, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	m, ok := readBoltMeta(raw)
	if len(raw) > 4096 {
		if m1, ok1 := readBoltMeta(raw[4096:]); ok1 && (!ok || m1.txid > m.txid) {
			m, ok = m1, true
		}
	}
	if !ok {
		return nil, nil, errors.New("older format: no valid meta page, nothing can be read")
	}
	if need := int(m.pgid) * int(m.pageSize); len(raw) < need && need < 1<<30 {
		raw = append(raw, make([]byte, need-len(raw))...)
	}
	tmp, err := os.CreateTemp("", "orderwatch-salvage-*.db")
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return nil, nil, err
	}
	tmp.Close()
	prev := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(prev)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("older format: damaged: %v", r)
		}
	}()
	db, err := bolt.Open(tmp.Name(), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return nil, nil, fmt.Errorf("older format: %w", err)
	}
	defer db.Close()
	return readBolt(db)
}
