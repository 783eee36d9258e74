package team

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Record is one line of the audit trail. It never holds a code, PIN or
// claim URL: only which order and what was done.
type Record struct {
	Time        time.Time    `json:"time"`
	Member      string       `json:"member"`
	Role        Role         `json:"role,omitempty"`
	Fingerprint string       `json:"key,omitempty"`  // SHA256 of the SSH key; empty for local use
	Addr        string       `json:"addr,omitempty"` // remote address, or "local"
	Action      Action       `json:"action"`
	Vertical    api.Vertical `json:"vertical,omitempty"`
	OrderID     string       `json:"order_id,omitempty"`
	Detail      string       `json:"detail,omitempty"` // e.g. "PIN of voucher #2", the email attached
}

// Key is the order the record is about.
func (r Record) Key() api.OrderKey { return api.OrderKey{Vertical: r.Vertical, ID: r.OrderID} }

// AuditStore is the append-only audit trail.
type AuditStore interface {
	Append(Record) error
	// List returns the records at or after since, oldest first.
	List(since time.Time) ([]Record, error)
	// PlacedBy returns the placement record of an order, if one exists.
	PlacedBy(k api.OrderKey) (Record, bool)
}

// MemAudit is an in-memory trail, for tests and benchmarks.
type MemAudit struct {
	mu   sync.Mutex
	recs []Record
}

func (m *MemAudit) Append(r Record) error {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	m.mu.Lock()
	m.recs = append(m.recs, r)
	m.mu.Unlock()
	return nil
}

func (m *MemAudit) List(since time.Time) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Record
	for _, r := range m.recs {
		if !r.Time.Before(since) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m *MemAudit) PlacedBy(k api.OrderKey) (Record, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.recs) - 1; i >= 0; i-- {
		if r := m.recs[i]; r.Action == ActPlace && r.Key() == k {
			return r, true
		}
	}
	return Record{}, false
}

// ParseSince reads --since: a duration back from now ("24h", "90m"), a day
// ("2026-12-04", local time) or an RFC 3339 time.
func ParseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (24h), a day (2006-01-02) or an RFC 3339 time", s)
}

// WriteAudit prints records as JSON lines or as a table.
func WriteAudit(w io.Writer, recs []Record, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tMEMBER\tACTION\tORDER\tDETAIL\tFROM\tKEY")
	for _, r := range recs {
		order := ""
		if r.OrderID != "" || r.Vertical != "" {
			order = string(r.Vertical) + ":" + r.OrderID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Time.Local().Format("2006-01-02 15:04:05"), r.Member, r.Action,
			order, oneLine(r.Detail), r.Addr, r.Fingerprint)
	}
	return tw.Flush()
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
