package engine

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

func TestJournalAuditAppendOnlySharedSince(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 4, 14, 2, 0, 0, time.UTC)
	k := api.OrderKey{Vertical: api.VerticalVoucher, ID: "77"}
	for i, a := range []string{"place", "reveal", "email"} {
		if err := j.AppendAudit(AuditRecord{Time: t0.Add(time.Duration(i) * 500 * time.Millisecond), Member: "alice", Role: "agent",
			Fingerprint: "SHA256:x", Addr: "10.0.0.1:5", Action: a, Vertical: k.Vertical, OrderID: k.ID, Detail: a + " detail"}); err != nil {
			t.Fatal(err)
		}
	}
	// A second process on the same file sees the records.
	j2, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	recs, err := j2.Audit(t0.Add(500 * time.Millisecond))
	if err != nil || len(recs) != 2 || recs[0].Action != "reveal" || recs[1].Action != "email" {
		t.Fatalf("since: %v %+v", err, recs)
	}
	r, ok, err := j2.AuditPlaced(k, "place")
	if err != nil || !ok || r.Member != "alice" || r.Fingerprint != "SHA256:x" || r.Addr != "10.0.0.1:5" || !r.Time.Equal(t0) {
		t.Fatalf("placed: %+v %v %v", r, ok, err)
	}
	if _, ok, _ := j2.AuditPlaced(api.OrderKey{Vertical: api.VerticalVoucher, ID: "78"}, "place"); ok {
		t.Fatal("a placement for an order never placed")
	}
	// Append-only: the table refuses changes to the past.
	for _, q := range []string{"UPDATE audit SET member='mallory'", "DELETE FROM audit"} {
		if _, err := j.db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
	j.Close()
}
