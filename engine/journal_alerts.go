package engine

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// alertAckSchema keeps acknowledgements and snoozes of alerts, keyed by
// the alert's stable ID, so they survive a restart and every process on
// the journal sees the same ones. Times are RFC 3339 text; empty is none.
const alertAckSchema = `CREATE TABLE alert_acks (
		alert_id      TEXT PRIMARY KEY,
		acked_by      TEXT NOT NULL DEFAULT '',
		acked_at      TEXT NOT NULL DEFAULT '',
		snoozed_until TEXT NOT NULL DEFAULT ''
	);`

// AlertAck is who acknowledged an alert, and until when it is snoozed.
type AlertAck struct {
	By           string
	At           time.Time
	SnoozedUntil time.Time
}

func fmtOptTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtTime(t)
}

func parseOptTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(timeLayout, s)
}

// PutAlertAck records (or replaces) the state of alert id.
func (j *Journal) PutAlertAck(id string, a AlertAck) error {
	_, err := j.db.Exec(`INSERT INTO alert_acks (alert_id, acked_by, acked_at, snoozed_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (alert_id) DO UPDATE SET acked_by=excluded.acked_by, acked_at=excluded.acked_at,
		snoozed_until=excluded.snoozed_until`, id, a.By, fmtOptTime(a.At), fmtOptTime(a.SnoozedUntil))
	return j.wrap(err)
}

// DeleteAlertAck forgets alert id (it cleared).
func (j *Journal) DeleteAlertAck(id string) error {
	_, err := j.db.Exec("DELETE FROM alert_acks WHERE alert_id=?", id)
	return j.wrap(err)
}

// AlertAck returns the state of alert id at now. A snooze that ended is
// dropped (and the row with it when nobody acknowledged); a row that does
// not read back is an error, and found is false.
func (j *Journal) AlertAck(id string, now time.Time) (a AlertAck, found bool, err error) {
	var at, until string
	err = j.db.QueryRow("SELECT acked_by, acked_at, snoozed_until FROM alert_acks WHERE alert_id=?", id).
		Scan(&a.By, &at, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return AlertAck{}, false, nil
	}
	if err != nil {
		return AlertAck{}, false, j.wrap(err)
	}
	if a.At, err = parseOptTime(at); err != nil {
		return AlertAck{}, false, fmt.Errorf("alert %s: unreadable acknowledgement time %q", id, at)
	}
	if a.SnoozedUntil, err = parseOptTime(until); err != nil {
		return AlertAck{}, false, fmt.Errorf("alert %s: unreadable snooze time %q", id, until)
	}
	if !a.SnoozedUntil.IsZero() && !now.Before(a.SnoozedUntil) {
		a.SnoozedUntil = time.Time{}
		if a.By == "" {
			return AlertAck{}, false, j.DeleteAlertAck(id)
		}
	}
	return a, true, nil
}
