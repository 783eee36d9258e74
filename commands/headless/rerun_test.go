package headless

import (
	"context"
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
	require.NoError(t, engine.DamageRecordForTest(e.journal, api.ProviderOctopus, "hl-dmg"))
	code, _, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-dmg")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, stderr, `journal record "hl-dmg"`)
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1)
	assert.Zero(t, e.created("voucher"))
	code, _, stderr = e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-fine")
	assert.Equal(t, ExitDelivered, code, stderr)
}
