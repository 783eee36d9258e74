package engine

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAlertAcksSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	j, err := OpenJournal(path)
	require.NoError(t, err)
	require.NoError(t, j.PutAlertAck("stuck:esim", AlertAck{By: "alice", At: now}))
	require.NoError(t, j.PutAlertAck("wallet:octopus", AlertAck{SnoozedUntil: now.Add(time.Hour)}))
	require.NoError(t, j.PutAlertAck("acked+snoozed", AlertAck{By: "bob", At: now, SnoozedUntil: now.Add(time.Minute)}))
	require.NoError(t, j.PutAlertAck("gone", AlertAck{By: "bob", At: now}))
	require.NoError(t, j.DeleteAlertAck("gone"))
	require.NoError(t, j.Close())

	j, err = OpenJournal(path)
	require.NoError(t, err)
	defer j.Close()
	a, ok, err := j.AlertAck("stuck:esim", now)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "alice", a.By)
	assert.True(t, a.At.Equal(now), "acked at %v", a.At)
	a, ok, err = j.AlertAck("wallet:octopus", now)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.True(t, a.SnoozedUntil.Equal(now.Add(time.Hour)), "snoozed until %v", a.SnoozedUntil)
	_, ok, err = j.AlertAck("gone", now)
	require.NoError(t, err)
	assert.False(t, ok, "a deleted acknowledgement came back")

	// Past the snooze: a snooze alone is gone (its row too); an
	// acknowledgement stays, without the snooze.
	later := now.Add(2 * time.Hour)
	_, ok, err = j.AlertAck("wallet:octopus", later)
	require.NoError(t, err)
	assert.False(t, ok, "an expired snooze came back")
	var n int
	require.NoError(t, j.db.QueryRow("SELECT count(*) FROM alert_acks WHERE alert_id='wallet:octopus'").Scan(&n))
	assert.Equal(t, 0, n, "the expired snooze's row is kept")
	a, ok, err = j.AlertAck("acked+snoozed", later)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "bob", a.By)
	assert.True(t, a.SnoozedUntil.IsZero(), "snooze kept past its end: %v", a.SnoozedUntil)
}

func TestAlertAckBadRowIsAnErrorNotACrash(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer j.Close()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	_, err = j.db.Exec(`INSERT INTO alert_acks (alert_id, acked_by, acked_at, snoozed_until) VALUES
		('bad-at', 'alice', 'yesterday', ''), ('bad-until', '', '', x'00ff'), ('odd-type', 'carol', 42, '')`)
	require.NoError(t, err)
	for _, id := range []string{"bad-at", "bad-until", "odd-type"} {
		_, ok, err := j.AlertAck(id, now)
		assert.Error(t, err, id)
		assert.False(t, ok, id)
	}
	// The next acknowledgement replaces the bad row.
	require.NoError(t, j.PutAlertAck("bad-at", AlertAck{By: "bob", At: now}))
	a, ok, err := j.AlertAck("bad-at", now)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "bob", a.By)
}
