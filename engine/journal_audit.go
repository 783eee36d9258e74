package engine

import (
	"database/sql"
	"errors"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

const auditSchema = `CREATE TABLE audit (
		seq      INTEGER PRIMARY KEY AUTOINCREMENT,
		at       TEXT NOT NULL,
		member   TEXT NOT NULL,
		role     TEXT NOT NULL DEFAULT '',
		key_fp   TEXT NOT NULL DEFAULT '',
		addr     TEXT NOT NULL DEFAULT '',
		action   TEXT NOT NULL,
		vertical TEXT NOT NULL DEFAULT '',
		order_id TEXT NOT NULL DEFAULT '',
		detail   TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX audit_at ON audit (at);
	CREATE INDEX audit_order ON audit (vertical, order_id, action);
	CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
	CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;`

// auditLayout is fixed-width UTC, so the text sorts as the time does.
const auditLayout = "2006-01-02T15:04:05.000000000Z"

func auditTime(t time.Time) string { return t.UTC().Format(auditLayout) }

// AuditRecord is one entry of the team's audit trail: who did what to which
// order, from where. It never holds a code, PIN or claim URL.
type AuditRecord struct {
	Time        time.Time
	Member      string
	Role        string
	Fingerprint string // the SSH key's SHA256 fingerprint; empty locally
	Addr        string // remote address, or "local"
	Action      string
	Vertical    api.Vertical
	OrderID     string
	Detail      string
}

// AppendAudit adds a record; the table refuses changes to past ones.
func (j *Journal) AppendAudit(r AuditRecord) error {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	_, err := j.db.Exec(`INSERT INTO audit (at, member, role, key_fp, addr, action, vertical, order_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, auditTime(r.Time), r.Member, r.Role, r.Fingerprint, r.Addr, r.Action,
		string(r.Vertical), r.OrderID, r.Detail)
	return j.wrap(err)
}

// Audit returns the records at or after since, oldest first.
func (j *Journal) Audit(since time.Time) ([]AuditRecord, error) {
	rows, err := j.db.Query(`SELECT at, member, role, key_fp, addr, action, vertical, order_id, detail
		FROM audit WHERE at >= ? ORDER BY at, seq`, auditTime(since))
	if err != nil {
		return nil, j.wrap(err)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, j.wrap(rows.Err())
}

// AuditPlaced returns the latest placement record of an order.
func (j *Journal) AuditPlaced(k api.OrderKey, placeAction string) (AuditRecord, bool, error) {
	row := j.db.QueryRow(`SELECT at, member, role, key_fp, addr, action, vertical, order_id, detail
		FROM audit WHERE vertical=? AND order_id=? AND action=? ORDER BY seq DESC LIMIT 1`, string(k.Vertical), k.ID, placeAction)
	r, err := scanAudit(row)
	if errors.Is(err, sql.ErrNoRows) {
		return AuditRecord{}, false, nil
	}
	return r, err == nil, err
}

func scanAudit(s scanner) (AuditRecord, error) {
	var r AuditRecord
	var at, vert string
	if err := s.Scan(&at, &r.Member, &r.Role, &r.Fingerprint, &r.Addr, &r.Action, &vert, &r.OrderID, &r.Detail); err != nil {
		return r, err
	}
	r.Vertical = api.Vertical(vert)
	t, err := time.Parse(auditLayout, at)
	if err != nil {
		return r, err
	}
	r.Time = t
	return r, nil
}
