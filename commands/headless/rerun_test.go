package headless

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	"github.com/orderwatch/orderwatch/engine"
)

// A process died during the create: the intent is unresolved and the order
// exists. The rerun looks it up, reports it with its exit code, and sends
// nothing.
func TestRerunAfterCrashDuringCreateReportsTheOrder(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	require.NoError(t, e.journal.Begin(engine.Intent{Vertical: api.VerticalVoucher, ClientReference: "hl-crash",
		Summary: "product=1001 amount=5 qty=1", Created: time.Now()}))
	o, err := e.client.PlaceOrder(context.Background(), api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001",
		Amount: 5, Quantity: 1, ClientReference: "hl-crash"})
	require.NoError(t, err)

	code, res, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-crash")
	assert.Equal(t, ExitDelivered, code, stderr)
	assert.True(t, res.Rerun)
	assert.Equal(t, o.ID, res.ID)
	assert.Equal(t, "delivered", res.Status)
	assert.Len(t, res.Vouchers, 1, "codes fetched")
	assert.Contains(t, stderr, "that order exists, id "+o.ID)
	assert.NotContains(t, stderr, "nothing was sent")
	assert.EqualValues(t, 1, e.created("voucher"))
	in, _, _ := e.journal.Intent(api.VerticalVoucher, "hl-crash")
	assert.Equal(t, engine.IntentPlaced, in.State, "the journal learned it too")
}

// The process died before the order landed, a moment ago: not found yet is
// not proof, so the rerun says "outcome unknown" with its exit code and when
// a rerun will be sure.
func TestRerunUnresolvedNotFoundIsOutcomeUnknown(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	require.NoError(t, e.journal.Begin(engine.Intent{Vertical: api.VerticalVoucher, ClientReference: "hl-young", Created: time.Now()}))
	code, res, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-young")
	assert.Equal(t, ExitUnknown, code)
	assert.True(t, res.OutcomeUnknown)
	assert.True(t, res.Rerun)
	assert.Contains(t, stderr, "outcome unknown")
	assert.Contains(t, stderr, "gives a sure answer")
	assert.NotContains(t, stderr, "nothing was sent")
	assert.Zero(t, e.created("voucher"))
}

// Long enough after the intent, a lookup that finds nothing proves it was
// never placed: that is said, with the "not placed" exit code.
func TestRerunUnresolvedProvedAbsent(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	require.NoError(t, e.journal.Begin(engine.Intent{Vertical: api.VerticalVoucher, ClientReference: "hl-old", Created: time.Now().Add(-time.Hour)}))
	code, res, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-old")
	assert.Equal(t, ExitFailed, code)
	assert.Equal(t, "not_placed", res.Status)
	assert.Contains(t, stderr, "proved it was never placed")
	assert.Zero(t, e.created("voucher"))
	in, _, _ := e.journal.Intent(api.VerticalVoucher, "hl-old")
	assert.Equal(t, engine.IntentAbsent, in.State)
}

// A refused create stays refused on a rerun: no order exists.
func TestRerunOfARefusedReference(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	require.NoError(t, e.journal.Begin(engine.Intent{Vertical: api.VerticalVoucher, ClientReference: "hl-poor", Created: time.Now()}))
	require.NoError(t, e.journal.Resolve(api.VerticalVoucher, "hl-poor", engine.IntentRejected, "", "insufficient funds", time.Now()))
	code, res, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-poor")
	assert.Equal(t, ExitFailed, code)
	assert.Equal(t, "not_placed", res.Status)
	assert.Contains(t, stderr, "refused it then (insufficient funds)")
	assert.Zero(t, e.created("voucher"))
}

// A damaged journal record refuses its reference, exit 2, nothing sent.
func TestUnreadableRecordRefusesItsReference(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	require.NoError(t, e.journal.Begin(engine.Intent{Vertical: api.VerticalVoucher, ClientReference: "hl-dmg", Created: time.Now()}))
	// A flipped byte behind the record's checksum, as on a damaged disk (the
	// journal is shared between processes, so a second handle may write).
	db, err := sql.Open("sqlite", e.journal.Path())
	require.NoError(t, err)
	_, err = db.Exec("UPDATE intents SET summary = summary || '!' WHERE provider=? AND client_reference=?",
		string(api.ProviderOctopus), "hl-dmg")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	code, _, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-dmg")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, stderr, `journal record "hl-dmg"`)
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1)
	assert.Zero(t, e.created("voucher"))
	code, _, stderr = e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-fine")
	assert.Equal(t, ExitDelivered, code, stderr)
}

// A rerun sends nothing, so a LIVE account's --yes is not asked of it: an
// unresolved earlier attempt is still looked up and said (exit 5 here),
// never lost to a flag only a new order needs.
func TestLiveRerunWithoutYesIsStillReported(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	require.NoError(t, e.journal.Begin(engine.Intent{Vertical: api.VerticalVoucher, ClientReference: "hl-live", Created: time.Now()}))
	o, err := ParsePlaceArgs("voucher", []string{"--product", "1001", "--denomination", "5", "--reference", "hl-live"})
	require.NoError(t, err)
	o.Live = true
	code, res, stderr := e.runOpts(t, o)
	assert.Equal(t, ExitUnknown, code, stderr)
	assert.True(t, res.Rerun)
	assert.NotContains(t, stderr, "--yes")
	assert.Zero(t, e.created("voucher"))
}

// A run that could not start, with an earlier attempt in the journal: an
// unresolved one is "outcome unknown" (exit 5, one line saying it may have
// been placed and to rerun), a placed one is reported by its id; one that
// placed nothing leaves the failure to the caller.
func TestStartFailedReportsTheEarlierAttempt(t *testing.T) {
	o, err := ParsePlaceArgs("topup", []string{"--product", "4218", "--amount", "4.99", "--player-id", "51234", "--reference", "sf-1"})
	require.NoError(t, err)
	cause := errors.New("Octopus Cards is unreachable at http://127.0.0.1:9: check OCTOPUS_BASE_URL (network error: EOF)")
	created := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	run := func(in engine.Intent) (int, bool, Result, string) {
		var out, errb bytes.Buffer
		code, ok := StartFailed(o, in, cause, &out, &errb)
		var res Result
		if out.Len() > 0 {
			require.NoError(t, json.Unmarshal(out.Bytes(), &res), out.String())
			assert.Equal(t, code, res.ExitCode)
		}
		return code, ok, res, errb.String()
	}

	code, ok, res, stderr := run(engine.Intent{Vertical: api.VerticalTopup, ClientReference: "sf-1", Created: created, State: engine.IntentPending})
	require.True(t, ok)
	assert.Equal(t, ExitUnknown, code)
	assert.True(t, res.OutcomeUnknown)
	assert.True(t, res.Rerun)
	assert.Equal(t, "unknown", res.Status)
	assert.Equal(t, "sf-1", res.ClientReference)
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
	assert.True(t, strings.HasPrefix(stderr, "orderwatch place topup: "), stderr)
	for _, want := range []string{"may have placed it", "could not start: Octopus Cards is unreachable", "try again with the same reference to look it up (it is never sent twice)", "this run sent nothing"} {
		assert.Contains(t, stderr, want)
	}
	assert.NotContains(t, stderr, "nothing was sent")

	code, ok, res, stderr = run(engine.Intent{Vertical: api.VerticalTopup, ClientReference: "sf-1", Created: created, State: engine.IntentPlaced,
		OrderID: "9123456", Status: api.StatusPending})
	require.True(t, ok)
	assert.Equal(t, ExitPending, code, "its last journaled status")
	assert.Equal(t, "9123456", res.ID)
	assert.True(t, res.Rerun)
	assert.Contains(t, stderr, "that order exists, id 9123456; its status could not be read now (could not start: ")

	for _, st := range []engine.IntentState{engine.IntentAbsent, engine.IntentRejected} {
		_, ok, _, stderr = run(engine.Intent{Vertical: api.VerticalTopup, ClientReference: "sf-1", Created: created, State: st})
		assert.False(t, ok, st)
		assert.Empty(t, stderr, st)
	}
}
