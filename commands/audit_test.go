package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/engine"
)

// orderwatch place records the OS user; orderwatch audit prints it.
func TestLocalPlaceIsAuditedAndAuditPrintsIt(t *testing.T) {
	dir := isolate(t)
	t.Setenv("USER", "localtester")
	j := filepath.Join(dir, "j.db")
	var out, errb bytes.Buffer
	code := runPlace(context.Background(), []string{"voucher", "--product", "1001", "--denomination", "5", "--quantity", "1",
		"--sandbox-time-scale", "0.01", "--journal", j}, &out, &errb)
	require.Equal(t, exitOK, code, errb.String())
	var placed struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &placed), out.String())

	out.Reset()
	code = Run(context.Background(), []string{"audit", "--journal", j, "--json"}, &out, &errb)
	require.Equal(t, exitOK, code, errb.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 1, out.String())
	var r team.Record
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &r))
	assert.Equal(t, team.ActPlace, r.Action)
	assert.Equal(t, placed.ID, r.OrderID)
	assert.Equal(t, "local", r.Addr)
	assert.NotEmpty(t, r.Member)

	out.Reset()
	require.Equal(t, exitOK, Run(context.Background(), []string{"audit", "--journal", j, "--since", "1h"}, &out, &errb))
	assert.Contains(t, out.String(), "voucher:"+placed.ID)
	out.Reset()
	errb.Reset()
	assert.Equal(t, exitBadInput, Run(context.Background(), []string{"audit", "--journal", j, "--since", "soon"}, &out, &errb))
	assert.Contains(t, errb.String(), `--since "soon"`)
}

// The detail pane asks who placed an order on every frame: the answer comes
// from the journal once, then from memory; a placement recorded here shows
// at once.
func TestJournalAuditPlacedBy(t *testing.T) {
	j, err := engine.OpenJournal(filepath.Join(t.TempDir(), "j.db"))
	require.NoError(t, err)
	defer j.Close()
	a := newJournalAudit(j)
	k := api.OrderKey{Vertical: api.VerticalVoucher, ID: "9"}
	_, ok := a.PlacedBy(k)
	assert.False(t, ok)
	require.NoError(t, a.Append(team.Record{Member: "alice", Action: team.ActPlace, Vertical: k.Vertical, OrderID: k.ID}))
	r, ok := a.PlacedBy(k)
	require.True(t, ok, "a placement appended here is seen at once, despite the cached 'none'")
	assert.Equal(t, "alice", r.Member)
	recs, err := a.List(time.Time{})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, team.ActPlace, recs[0].Action)
}
