package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // pure Go SQLite: no cgo

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

func (s IntentState) known() bool {
	switch s {
	case IntentPending, IntentPlaced, IntentAbsent, IntentRejected:
		return true
	}
	return false
}

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

// ErrUnreadableRecord is wrapped by errors about one damaged record: its
// reference is refused, the rest of the journal works.
var ErrUnreadableRecord = errors.New("unreadable journal record")

// RecordError names one journal record that cannot be read.
type RecordError struct {
	Provider  api.Provider
	Reference string
	Why       string
	// Garbled: the reference itself is damaged (its own checksum failed);
	// references a byte or two away from it are refused too.
	Garbled bool
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("journal record %q (%s) is unreadable: %s; placements with this reference are refused (see orderwatch journal check)",
		e.Reference, e.Provider, e.Why)
}

func (e *RecordError) Unwrap() error { return ErrUnreadableRecord }

// Schema: version N is reached by running migrations[:N] in order, each in
// one transaction. Never edit a shipped migration: append one.
var migrations = []string{
	// 1: intents keyed by provider and reference (the exactly-once
	// constraint), pins, and the webhook dedupe set. sum is a checksum of
	// the row, so a garbled record is named instead of misread; ref_sum
	// that of the reference alone, to tell whether the reference survived.
	`CREATE TABLE intents (
		provider         TEXT NOT NULL,
		client_reference TEXT NOT NULL,
		vertical         TEXT NOT NULL,
		summary          TEXT NOT NULL DEFAULT '',
		created          TEXT NOT NULL,
		updated          TEXT NOT NULL,
		state            TEXT NOT NULL,
		order_id         TEXT NOT NULL DEFAULT '',
		status           TEXT NOT NULL DEFAULT '',
		error            TEXT NOT NULL DEFAULT '',
		sum              TEXT NOT NULL,
		ref_sum          TEXT NOT NULL,
		UNIQUE (provider, client_reference)
	);
	CREATE TABLE pins (order_key TEXT PRIMARY KEY, pinned_at TEXT NOT NULL);
	CREATE TABLE webhook_events (key TEXT PRIMARY KEY, seen_unix INTEGER NOT NULL);`,
	// 2: the team's audit trail (journal_audit.go), append-only: triggers
	// refuse every UPDATE and DELETE.
	auditSchema,
	// 3: acknowledgements and snoozes of alerts (journal_alerts.go).
	alertAckSchema,
}

// journalAppID marks a SQLite file as an orderwatch journal ("OWJ1").
const journalAppID = 0x4F574A31

// journalBusy is how long a write waits for another process's write.
const journalBusy = 5 * time.Second

const timeLayout = time.RFC3339Nano

// Journal is the crash-safe record of orders placed or pinned from here: a
// SQLite file in WAL mode that the dashboard, watch and place share. Every
// commit is durable (synchronous=FULL) before it returns.
type Journal struct {
	db   *sql.DB
	path string

	mu  sync.Mutex
	bad map[string]*RecordError // provider\x00ref of damaged records seen
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// OpenJournal opens (or creates) the journal file. A journal in the older
// format (bbolt) is imported once and kept beside it, renamed. Every problem
// with the file is a *JournalError that names it and says what to do.
func OpenJournal(path string) (*Journal, error) {
	for try := 0; ; try++ {
		j, err := openJournal(path)
		if errors.Is(err, errRetryOpen) && try < 3 {
			continue
		}
		return j, err
	}
}

var errRetryOpen = errors.New("the journal changed while opening: retry")

func openJournal(path string) (*Journal, error) {
	if path == "" {
		return nil, errors.New("journal: no path")
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := createJournal(path); err != nil {
			return nil, err
		}
		return openSQLite(path)
	case err != nil:
		return nil, jerr(path, "cannot be read ("+errText(err)+")", "check the path and its permissions")
	case st.IsDir():
		return nil, jerr(path, "is a directory, not a journal", "point --journal at a file")
	}
	kind, err := sniff(path, st.Size())
	if err != nil {
		return nil, err
	}
	switch kind {
	case kindBolt:
		if err := importBolt(path); err != nil {
			return nil, err
		}
		return nil, errRetryOpen // now a SQLite journal (ours or another process's import)
	case kindSQLite:
		return openSQLite(path)
	}
	return nil, jerr(path, "is not an orderwatch journal", "point --journal at the right file, or move this one aside to start a new journal")
}

type fileKind int

const (
	kindUnknown fileKind = iota
	kindSQLite
	kindBolt
)

// sniff tells the journal's format from its first bytes, and names a file
// that is empty, truncated or not a journal at all.
func sniff(path string, size int64) (fileKind, error) {
	if size == 0 {
		return kindUnknown, jerr(path, "is empty (0 bytes): it was truncated or never written",
			"restore it from a backup, or run orderwatch journal recover to start a new one beside it")
	}
	f, err := os.Open(path)
	if err != nil {
		return kindUnknown, jerr(path, "cannot be read ("+errText(err)+")", "check its permissions")
	}
	defer f.Close()
	head := make([]byte, 100)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	switch {
	case strings.HasPrefix(string(head), "SQLite format 3\x00"):
		if n < 100 {
			return kindUnknown, jerr(path, fmt.Sprintf("is truncated (%d bytes, shorter than its header)", size),
				"run orderwatch journal recover, or restore it from a backup")
		}
		return kindSQLite, nil
	case isBoltHeader(head):
		return kindBolt, nil
	}
	return kindUnknown, jerr(path, "is not an orderwatch journal (neither SQLite nor the older format)",
		"point --journal at the right file, or move this one aside to start a new journal")
}

// JournalError is a problem with the journal file itself: one line that
// names the file, what is wrong and what to do. Nothing was sent.
type JournalError struct {
	Path    string
	Problem string
	Fix     string
}

func (e *JournalError) Error() string {
	return fmt.Sprintf("journal %s %s: %s (nothing was sent)", e.Path, e.Problem, e.Fix)
}

func jerr(path, problem, fix string) *JournalError {
	return &JournalError{Path: path, Problem: problem, Fix: fix}
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func dsn(path string) string {
	// No "file:" prefix: the path is taken verbatim, the query is stripped.
	return path + "?_busy_timeout=" + strconv.Itoa(int(journalBusy/time.Millisecond)) + "&_synchronous=FULL&_txlock=immediate"
}

// createJournal writes a new, empty journal beside path and links it into
// place, so path is never a half-written file and two processes creating it
// at once end up sharing one.
func createJournal(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return jerr(path, "cannot be created ("+errText(err)+")", "check the directory's permissions")
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".new-*")
	if err != nil {
		return jerr(path, "cannot be created ("+errText(err)+")", "check the directory's permissions")
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpPath)
	if err := initJournal(tmpPath, nil); err != nil {
		return jerr(path, "cannot be created ("+err.Error()+")", "check the disk and the directory's permissions")
	}
	if err := os.Link(tmpPath, path); err != nil && !errors.Is(err, os.ErrExist) {
		return jerr(path, "cannot be created ("+errText(err)+")", "check the directory's permissions")
	}
	syncDir(dir)
	return nil
}

// initJournal writes the schema (and fill's rows) into a new file.
func initJournal(path string, fill func(*sql.Tx) error) error {
	_ = os.Remove(path)
	// Private: SQLite gives its -wal and -shm files the same mode.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := migrate(db, path); err != nil {
		return err
	}
	if fill != nil {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if err := fill(tx); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	// WAL is a property of the file: set once, every later opener shares it.
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return err
	}
	return db.Close()
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// migrate brings the schema to the newest version; a newer file than this
// program knows is refused.
func migrate(db *sql.DB, path string) error {
	var ver, app int
	if err := db.QueryRow("PRAGMA user_version").Scan(&ver); err != nil {
		return err
	}
	if err := db.QueryRow("PRAGMA application_id").Scan(&app); err != nil {
		return err
	}
	if app != 0 && app != journalAppID {
		return jerr(path, "is a SQLite file of another program, not an orderwatch journal", "point --journal at the right file")
	}
	if ver > len(migrations) {
		return jerr(path, fmt.Sprintf("was written by a newer orderwatch (schema %d, this one knows %d)", ver, len(migrations)),
			"upgrade orderwatch")
	}
	if ver == len(migrations) {
		return nil
	}
	if app == 0 && ver == 0 {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return jerr(path, "is a SQLite file of another program, not an orderwatch journal", "point --journal at the right file")
		}
	}
	tx, err := db.Begin() // immediate: one migrator at a time
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Re-read under the write lock: another process may have migrated.
	if err := tx.QueryRow("PRAGMA user_version").Scan(&ver); err != nil {
		return err
	}
	for i := ver; i < len(migrations); i++ {
		if _, err := tx.Exec(migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version=%d", len(migrations))); err != nil {
		return err
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA application_id=%d", journalAppID)); err != nil {
		return err
	}
	return tx.Commit()
}

// openSQLite opens an existing SQLite journal, checks it, and migrates it.
func openSQLite(path string) (*Journal, error) {
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o200 == 0 {
		return nil, jerr(path, "is read-only (mode "+st.Mode().Perm().String()+")",
			"make it writable (chmod u+w), or copy it somewhere writable and pass --journal")
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, jerr(path, "cannot be opened ("+err.Error()+")", "check the file")
	}
	fail := func(err error) (*Journal, error) {
		db.Close()
		return nil, classify(path, err)
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return fail(err)
	}
	if err := quickCheck(db); err != nil {
		return fail(err)
	}
	if err := migrate(db, path); err != nil {
		return fail(err)
	}
	j := &Journal{db: db, path: path, bad: map[string]*RecordError{}}
	// Name damaged records now, so their references are refused at once.
	if _, err := j.Intents(); err != nil && !errors.Is(err, ErrUnreadableRecord) {
		return fail(err)
	}
	return j, nil
}

var errDamaged = errors.New("damaged")

func quickCheck(db *sql.DB) error {
	rows, err := db.Query("PRAGMA quick_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return err
		}
		if m != "ok" {
			msgs = append(msgs, m)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%w: %s", errDamaged, msgs[0])
	}
	return nil
}

// classify turns a SQLite error on open into a one-line JournalError.
func classify(path string, err error) error {
	var je *JournalError
	if errors.As(err, &je) {
		return err
	}
	msg := err.Error()
	switch {
	case truncatedSQLite(path):
		return jerr(path, "is truncated (shorter than its header says)", "run orderwatch journal recover, or restore it from a backup")
	case errors.Is(err, errDamaged) || strings.Contains(msg, "malformed") || strings.Contains(msg, "SQLITE_CORRUPT") ||
		strings.Contains(msg, "not a database") || strings.Contains(msg, "SQLITE_NOTADB"):
		return jerr(path, "is damaged (integrity check failed)", "run orderwatch journal recover, or restore it from a backup")
	case strings.Contains(msg, "readonly") || strings.Contains(msg, "read-only") || strings.Contains(msg, "SQLITE_READONLY"):
		return jerr(path, "is read-only", "make it and its directory writable, or pass --journal with a writable copy")
	case strings.Contains(msg, "locked") || strings.Contains(msg, "SQLITE_BUSY"):
		return jerr(path, fmt.Sprintf("is busy: another process has held its write lock for over %s", journalBusy),
			"close the process that holds it and retry")
	}
	return jerr(path, "cannot be opened ("+msg+")", "run orderwatch journal check")
}

// truncatedSQLite reports whether the file is shorter than its header says.
func truncatedSQLite(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false
	}
	h := make([]byte, 100)
	if n, _ := f.ReadAt(h, 0); n < 100 {
		return true
	}
	pageSize := int64(h[16])<<8 | int64(h[17])
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(h[28])<<24 | int64(h[29])<<16 | int64(h[30])<<8 | int64(h[31])
	valid := string(h[92:96]) == string(h[24:28])
	return valid && pages > 0 && st.Size() < pages*pageSize
}

// Close closes the file.
func (j *Journal) Close() error { return j.db.Close() }

func intentKey(v api.Vertical, ref string) string { return string(v.Provider()) + "\x00" + ref }

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// sum is the checksum of a record's fields.
func (in Intent) sum() string {
	s := strings.Join([]string{string(in.Vertical.Provider()), in.ClientReference, string(in.Vertical), in.Summary,
		fmtTime(in.Created), fmtTime(in.Updated), string(in.State), in.OrderID, string(in.Status), in.Error}, "\x1f")
	return crcHex(s)
}

func crcHex(s string) string { return strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(s))), 16) }

const intentCols = "provider, client_reference, vertical, summary, created, updated, state, order_id, status, error, sum, ref_sum"

const intentInsert = `INSERT INTO intents (` + intentCols + `) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
	ON CONFLICT (provider, client_reference) DO NOTHING`

func (in Intent) args() []any {
	return []any{string(in.Vertical.Provider()), in.ClientReference, string(in.Vertical), in.Summary, fmtTime(in.Created),
		fmtTime(in.Updated), string(in.State), in.OrderID, string(in.Status), in.Error, in.sum(), crcHex(in.ClientReference)}
}

type scanner interface{ Scan(...any) error }

// scanIntent reads one row; a row that does not check out is a RecordError.
func scanIntent(r scanner) (Intent, error) {
	var in Intent
	var prov, vert, created, updated, state, status, sum, refSum string
	if err := r.Scan(&prov, &in.ClientReference, &vert, &in.Summary, &created, &updated, &state, &in.OrderID, &status,
		&in.Error, &sum, &refSum); err != nil {
		return in, err
	}
	in.Vertical, in.State, in.Status = api.Vertical(vert), IntentState(state), api.Status(status)
	bad := func(why string) (Intent, error) {
		return in, &RecordError{Provider: api.Provider(prov), Reference: in.ClientReference, Why: why,
			Garbled: crcHex(in.ClientReference) != refSum}
	}
	var err error
	if in.Created, err = time.Parse(timeLayout, created); err != nil {
		return bad("bad creation time")
	}
	if in.Updated, err = time.Parse(timeLayout, updated); err != nil {
		return bad("bad update time")
	}
	switch {
	case !in.Vertical.Valid() || string(in.Vertical.Provider()) != prov:
		return bad("unknown vertical " + strconv.Quote(vert))
	case !in.State.known():
		return bad("unknown state " + strconv.Quote(state))
	case in.sum() != sum:
		return bad("checksum mismatch (the file was changed outside orderwatch)")
	}
	return in, nil
}

func (j *Journal) noteBad(err error) {
	var re *RecordError
	if errors.As(err, &re) {
		j.mu.Lock()
		j.bad[string(re.Provider)+"\x00"+re.Reference] = re
		j.mu.Unlock()
	}
}

// refused returns the damaged record that blocks ref: the same reference,
// or one a few garbled bytes away from it (the damage may be in the
// reference itself).
func (j *Journal) refused(v api.Vertical, ref string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, re := range j.bad {
		if re.Provider == v.Provider() && (re.Reference == ref || re.Garbled && nearlySame(re.Reference, ref)) {
			return re
		}
	}
	return nil
}

func nearlySame(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	diff := 0
	for i := range len(a) {
		if a[i] != b[i] {
			diff++
		}
	}
	return diff <= 2
}

// Begin records an intent before the create request leaves, durably. The
// uniqueness of (provider, reference) makes this exactly-once across every
// process sharing the file: it fails with ErrDuplicatePlace when the
// reference is already journaled.
func (j *Journal) Begin(in Intent) error {
	if in.State == "" {
		in.State = IntentPending
	}
	if err := j.refused(in.Vertical, in.ClientReference); err != nil {
		return err
	}
	in.Updated = in.Created
	res, err := j.db.Exec(intentInsert, in.args()...)
	if err != nil {
		return j.wrap(err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrDuplicatePlace
	}
	return nil
}

// wrap names the file in a SQLite error.
func (j *Journal) wrap(err error) error {
	var re *RecordError
	if err == nil || errors.As(err, &re) {
		return err
	}
	return fmt.Errorf("journal %s: %w", j.path, err)
}

func (j *Journal) update(v api.Vertical, ref string, f func(*Intent)) error {
	tx, err := j.db.Begin()
	if err != nil {
		return j.wrap(err)
	}
	defer tx.Rollback()
	in, err := scanIntent(tx.QueryRow("SELECT "+intentCols+" FROM intents WHERE provider=? AND client_reference=?",
		string(v.Provider()), ref))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("journal: no intent %s ref %q", v, ref)
	}
	if err != nil {
		j.noteBad(err)
		return j.wrap(err)
	}
	f(&in)
	_, err = tx.Exec("UPDATE intents SET updated=?, state=?, order_id=?, status=?, error=?, sum=? WHERE provider=? AND client_reference=?",
		fmtTime(in.Updated), string(in.State), in.OrderID, string(in.Status), in.Error, in.sum(), string(v.Provider()), ref)
	if err != nil {
		return j.wrap(err)
	}
	return j.wrap(tx.Commit())
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

// Intent returns one record (any vertical of v's provider: references are
// unique per provider). A damaged record is a *RecordError.
func (j *Journal) Intent(v api.Vertical, ref string) (Intent, bool, error) {
	in, err := scanIntent(j.db.QueryRow("SELECT "+intentCols+" FROM intents WHERE provider=? AND client_reference=?",
		string(v.Provider()), ref))
	if errors.Is(err, sql.ErrNoRows) {
		if rerr := j.refused(v, ref); rerr != nil {
			return Intent{}, false, rerr
		}
		return Intent{}, false, nil
	}
	if err != nil {
		j.noteBad(err)
		return Intent{}, false, j.wrap(err)
	}
	return in, true, nil
}

// Intents returns every record, oldest first. Damaged records are skipped
// and named in the error (errors.Is ErrUnreadableRecord); the rest are
// still returned.
func (j *Journal) Intents() ([]Intent, error) {
	rows, err := j.db.Query("SELECT " + intentCols + " FROM intents")
	if err != nil {
		return nil, j.wrap(err)
	}
	defer rows.Close()
	var out []Intent
	var bad []error
	for rows.Next() {
		in, err := scanIntent(rows)
		var re *RecordError
		if errors.As(err, &re) {
			j.noteBad(err)
			bad = append(bad, err)
			continue
		}
		if err != nil {
			return out, j.wrap(err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return out, j.wrap(err)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Created.Before(out[b].Created) })
	return out, errors.Join(bad...)
}

// Pin records an order to track across restarts.
func (j *Journal) Pin(k api.OrderKey, at time.Time) error {
	_, err := j.db.Exec("INSERT INTO pins (order_key, pinned_at) VALUES (?, ?) ON CONFLICT (order_key) DO UPDATE SET pinned_at=excluded.pinned_at",
		k.String(), fmtTime(at))
	return j.wrap(err)
}

// Unpin forgets a pin.
func (j *Journal) Unpin(k api.OrderKey) error {
	_, err := j.db.Exec("DELETE FROM pins WHERE order_key=?", k.String())
	return j.wrap(err)
}

// Pins returns the pinned orders; unreadable keys are skipped.
func (j *Journal) Pins() ([]api.OrderKey, error) {
	rows, err := j.db.Query("SELECT order_key FROM pins ORDER BY pinned_at")
	if err != nil {
		return nil, j.wrap(err)
	}
	defer rows.Close()
	var out []api.OrderKey
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return out, j.wrap(err)
		}
		if key, err := api.ParseOrderKey(s); err == nil {
			out = append(out, key)
		}
	}
	return out, j.wrap(rows.Err())
}

// SeenWebhook records a delivery's dedupe keys and reports whether any of
// them was already recorded within keep. Entries older than keep are
// forgotten. Shared by every process on the journal, and kept across
// restarts, so a replay inside the window is refused everywhere.
func (j *Journal) SeenWebhook(ctx context.Context, keys []string, now time.Time, keep time.Duration) (bool, error) {
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return false, j.wrap(err)
	}
	defer tx.Rollback()
	cut := now.Add(-keep).Unix()
	if _, err := tx.Exec("DELETE FROM webhook_events WHERE seen_unix < ?", cut); err != nil {
		return false, j.wrap(err)
	}
	for _, k := range keys {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM webhook_events WHERE key=?", k).Scan(&n); err != nil {
			return false, j.wrap(err)
		}
		if n > 0 {
			return true, nil
		}
	}
	for _, k := range keys {
		if _, err := tx.Exec("INSERT INTO webhook_events (key, seen_unix) VALUES (?, ?)", k, now.Unix()); err != nil {
			return false, j.wrap(err)
		}
	}
	return false, j.wrap(tx.Commit())
}
