package headless

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/octopus"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	"github.com/orderwatch/orderwatch/engine"
)

const scale = 0.005

type env struct {
	srv     *octosb.Server
	client  *octopus.Client
	engine  *engine.Engine
	journal *engine.Journal
	deps    Deps
}

// fresh gives the env a new engine over the same journal: what a second
// `orderwatch place` run is (an engine runs once).
func (e *env) fresh(t *testing.T) {
	t.Helper()
	eng, err := engine.New(engine.Config{Sources: []api.OrderSource{e.client}, Journal: e.journal, TimeScale: scale, WalletEvery: -1})
	require.NoError(t, err)
	e.engine, e.deps.Engine = eng, eng
}

// dropAfterCreate forwards a create, reads the reply and then reports a
// lost connection: the order exists, the client never learns it.
type dropAfterCreate struct {
	base http.RoundTripper
	// lose sends the create to a path that creates nothing, then drops:
	// the request left, yet no order exists.
	lose bool
}

func (d dropAfterCreate) RoundTrip(r *http.Request) (*http.Response, error) {
	isCreate := r.Method == http.MethodPost && octopus.ClassOf(r.Method, r.URL.Path) == api.ClassCreate
	if !isCreate {
		return d.base.RoundTrip(r)
	}
	if d.lose {
		r = r.Clone(r.Context())
		r.URL.Path = "/api/v1/nowhere"
	}
	resp, err := d.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, errors.New("connection reset by peer")
}

func newEnv(t *testing.T, cfg octosb.Config, rt func(http.RoundTripper) http.RoundTripper) *env {
	t.Helper()
	cfg.TimeScale = scale
	if cfg.Seed == 0 {
		cfg.Seed = 5
	}
	srv, err := octosb.New(cfg)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Close() })
	creds := srv.Credentials()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	var base http.RoundTripper = tr
	if rt != nil {
		base = rt(tr)
	}
	c, err := octopus.New(octopus.Config{BaseURL: srv.URL(), APIKey: api.Secret(creds.APIKey),
		APISecret: api.Secret(creds.APISecret), Timeout: 10 * time.Second, HTTPClient: &http.Client{Transport: base}})
	require.NoError(t, err)
	j, err := engine.OpenJournal(filepath.Join(t.TempDir(), "journal.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = j.Close() })
	e, err := engine.New(engine.Config{Sources: []api.OrderSource{c}, Journal: j, TimeScale: scale, WalletEvery: -1})
	require.NoError(t, err)
	return &env{srv: srv, client: c, engine: e, journal: j, deps: Deps{Engine: e, Catalog: c, Placer: c, Wallets: c.Wallets}}
}

func (e *env) run(t *testing.T, vertical string, args ...string) (int, Result, string) {
	t.Helper()
	o, err := ParsePlaceArgs(vertical, args)
	require.NoError(t, err)
	return e.runOpts(t, o)
}

func (e *env) runOpts(t *testing.T, o PlaceOptions) (int, Result, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Place(context.Background(), e.deps, o, &out, &errb)
	var res Result
	if out.Len() > 0 {
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		require.Len(t, lines, 1, "exactly one JSON object on stdout")
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &res), out.String())
		assert.Equal(t, code, res.ExitCode)
	}
	return code, res, errb.String()
}

func (e *env) created(v string) int64 { return e.srv.Stats().Orders[v] }

func TestVoucherOfThreeDeliveredMasked(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	code, res, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "10", "--quantity", "3", "--reference", "hl-v3")
	require.Equal(t, ExitDelivered, code, stderr)
	assert.Equal(t, "delivered", res.Status)
	assert.Equal(t, "DELIVERED", res.RawStatus)
	assert.Equal(t, "hl-v3", res.ClientReference)
	assert.Equal(t, 3, res.Quantity)
	require.Len(t, res.Vouchers, 3)
	assert.False(t, res.Revealed)
	require.NotNil(t, res.Quote)
	assert.InDelta(t, 30, res.Quote.FaceValue, 1e-9)
	assert.Greater(t, res.Quote.Discount, 0.0)
	require.NotNil(t, res.Quote.BalanceAfter)

	real, err := e.client.GetOrder(context.Background(), api.VerticalVoucher, res.ID)
	require.NoError(t, err)
	require.Len(t, real.Vouchers, 3)
	for i, v := range res.Vouchers {
		assert.NotEqual(t, real.Vouchers[i].CardNumber, v.CardNumber, "masked without --reveal")
		assert.Equal(t, api.Mask(real.Vouchers[i].CardNumber), v.CardNumber)
		assert.Contains(t, v.CardNumber, "•")
	}
	assert.EqualValues(t, 1, e.created("voucher"))
}

func TestRevealPrintsCodes(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	code, res, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--quantity", "2", "--reveal")
	require.Equal(t, ExitDelivered, code, stderr)
	assert.True(t, res.Revealed)
	real, err := e.client.GetOrder(context.Background(), api.VerticalVoucher, res.ID)
	require.NoError(t, err)
	require.Len(t, res.Vouchers, 2)
	assert.Equal(t, real.Vouchers[0].CardNumber, res.Vouchers[0].CardNumber)
	assert.Equal(t, real.Vouchers[1].PIN, res.Vouchers[1].PIN)
	assert.True(t, strings.HasPrefix(res.ClientReference, "ow-"), "generated reference")
}

func TestJSONShape(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	o, err := ParsePlaceArgs("voucher", []string{"--product", "1001", "--denomination", "5"})
	require.NoError(t, err)
	var out bytes.Buffer
	code := Place(context.Background(), e.deps, o, &out, io.Discard)
	require.Equal(t, ExitDelivered, code)
	var m map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &m))
	for _, k := range []string{"id", "vertical", "client_reference", "status", "raw_status", "amount", "currency",
		"quantity", "delivered_quantity", "is_user_fixable", "quote", "vouchers", "exit_code"} {
		assert.Contains(t, m, k)
	}
	assert.Equal(t, "voucher", m["vertical"])
	q := m["quote"].(map[string]any)
	for _, k := range []string{"face_value", "discount", "total_payable", "wallet_id", "balance_after"} {
		assert.Contains(t, q, k)
	}
}

func TestVoucherOfTenPendingThenDeliveredWithWait(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	code, res, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--quantity", "10", "--wait", "--timeout", "30s")
	require.Equal(t, ExitDelivered, code, stderr)
	assert.Equal(t, "delivered", res.Status)
	assert.Equal(t, 10, res.DeliveredQuantity)
	assert.Len(t, res.Vouchers, 10)
}

func TestPendingWithoutWait(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	code, res, _ := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--quantity", "10")
	assert.Equal(t, ExitPending, code)
	assert.Equal(t, "pending", res.Status)
	assert.Empty(t, res.Vouchers)
}

func TestPendingAtTimeout(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	// A phone ending in 7777777 stays PENDING for minutes (scaled: ~1 s).
	code, res, _ := e.run(t, "topup", "--product", "4219", "--amount", "299", "--phone", "+919877777777",
		"--wait", "--timeout", "100ms")
	assert.Equal(t, ExitPending, code)
	assert.Equal(t, "pending", res.Status)
}

func TestTopupBadPlayerFailsWithReason(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	code, res, _ := e.run(t, "topup", "--product", "4218", "--amount", "0.99", "--player-id", octosb.MagicPlayerFail, "--wait")
	assert.Equal(t, ExitFailed, code)
	assert.Equal(t, "failed", res.Status)
	assert.Equal(t, "INVALID_PLAYER_ID", res.FailureCode)
	assert.NotEmpty(t, res.FailureReason)
	assert.True(t, res.IsUserFixable)
}

func TestTopupDeliveredAndServerFlag(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	code, res, stderr := e.run(t, "topup", "--product", "4218", "--amount", "4.99", "--player-id", "51234", "--server", "asia", "--wait", "--timeout", "30s")
	require.Equal(t, ExitDelivered, code, stderr)
	assert.Equal(t, "delivered", res.Status)
}

func TestPartialExitCode(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	code, res, _ := e.run(t, "voucher", "--product", "1001", "--denomination", "5",
		"--quantity", "13", "--wait", "--timeout", "3s")
	assert.Equal(t, ExitPartial, code)
	assert.Equal(t, "partial", res.Status)
	assert.Equal(t, 10, res.DeliveredQuantity)
}

func TestESIMDeliveredActivationMasked(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	code, res, stderr := e.run(t, "esim", "--product", "712", "--amount", "4.50", "--wait", "--timeout", "30s")
	require.Equal(t, ExitDelivered, code, stderr)
	require.NotNil(t, res.ESIM)
	assert.NotContains(t, res.ESIM.ActivationCode, "LPA:1$", "masked")
	assert.NotEmpty(t, res.ESIM.ActivationCode)
}

func TestBadInputNothingSent(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	cases := []struct {
		args []string
		flag string
	}{
		{[]string{"voucher", "--product", "1001", "--denomination", "15"}, "--denomination"},
		{[]string{"voucher", "--product", "424242", "--denomination", "5"}, "--product"},
		{[]string{"topup", "--product", "4218", "--amount", "1.00", "--player-id", "51234"}, "--amount"},
		{[]string{"topup", "--product", "4218", "--amount", "0.99", "--player-id", "12ab"}, "--player-id"},
		{[]string{"topup", "--product", "4218", "--amount", "0.99"}, "--player-id"},
		{[]string{"topup", "--product", "4218", "--amount", "0.99", "--phone", "+918879685100"}, "--phone"},
		{[]string{"topup", "--product", "4219", "--amount", "299", "--phone", "+918879685100", "--category", "Voice"}, "--category"},
		{[]string{"topup", "--product", "4218", "--amount", "0.99", "--player-id", "51234", "--input", "zone=1"}, "--input zone"},
		{[]string{"esim", "--product", "712", "--amount", "4.49"}, "--amount"},
	}
	for _, c := range cases {
		o, err := ParsePlaceArgs(c.args[0], c.args[1:])
		require.NoError(t, err, c.args)
		var out, errb bytes.Buffer
		code := Place(context.Background(), e.deps, o, &out, &errb)
		assert.Equal(t, ExitBadInput, code, c.args)
		assert.Contains(t, errb.String(), c.flag, c.args)
		assert.Empty(t, out.String(), c.args)
	}
	st := e.srv.Stats()
	for _, cl := range []string{octosb.ClassCreateVoucher, octosb.ClassCreateTopup, octosb.ClassCreateESIM,
		octosb.ClassChargesVoucher, octosb.ClassChargesTopup, octosb.ClassChargesESIM} {
		assert.Zero(t, st.Requests[cl], cl)
	}
}

func TestLiveNeedsYes(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	o, err := ParsePlaceArgs("voucher", []string{"--product", "1001", "--denomination", "5"})
	require.NoError(t, err)
	o.Live = true
	code, _, stderr := e.runOpts(t, o)
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, stderr, "--yes")
	assert.Zero(t, e.srv.Stats().Requests[octosb.ClassCreateVoucher])

	o.Yes = true
	code, _, stderr = e.runOpts(t, o)
	assert.Equal(t, ExitDelivered, code, stderr)
}

func TestInsufficientBalanceCaughtByQuote(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	// 10 × 2000 USD is more than the 10,000 USD wallet.
	code, _, stderr := e.run(t, "voucher", "--product", "1101", "--denomination", "2000", "--quantity", "10")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, stderr, "balance")
	assert.Zero(t, e.srv.Stats().Requests[octosb.ClassCreateVoucher])

	// Without the local check the server refuses it: still bad input, nothing placed.
	e.deps.Wallets = nil
	code, _, stderr = e.run(t, "voucher", "--product", "1101", "--denomination", "2000", "--quantity", "10")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, strings.ToLower(stderr), "insufficient")
	assert.Zero(t, e.created("voucher"))
}

func TestDuplicateReferenceSendsNothing(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	code, first, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-dup")
	require.Equal(t, ExitDelivered, code, stderr)
	e.fresh(t)
	// The rerun reports the earlier order as it stands, with its exit code.
	code, res, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-dup")
	assert.Equal(t, ExitDelivered, code)
	assert.Contains(t, stderr, "--reference")
	assert.Contains(t, stderr, "this run sent nothing")
	assert.True(t, res.Rerun)
	assert.Equal(t, first.ID, res.ID)
	assert.Equal(t, "hl-dup", res.ClientReference)
	assert.EqualValues(t, 1, e.created("voucher"))
	assert.EqualValues(t, 1, e.srv.Stats().Requests[octosb.ClassCreateVoucher], "the second run sent nothing")
}

func TestDroppedConnectionAfterCreateFindsTheOneOrder(t *testing.T) {
	e := newEnv(t, octosb.Config{}, func(b http.RoundTripper) http.RoundTripper { return dropAfterCreate{base: b} })
	code, res, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "20", "--quantity", "3", "--reference", "hl-drop")
	require.Equal(t, ExitDelivered, code, stderr)
	assert.Equal(t, "hl-drop", res.ClientReference)
	assert.Len(t, res.Vouchers, 3, "codes fetched by the detail call after the lookup")
	assert.EqualValues(t, 1, e.created("voucher"), "exactly one order")
	assert.EqualValues(t, 1, e.srv.Stats().Requests[octosb.ClassCreateVoucher], "never re-sent")
	found, ok, err := e.client.FindByReference(context.Background(), api.VerticalVoucher, "hl-drop")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, found.ID, res.ID)
}

func TestOutcomeUnknownWhenNotFound(t *testing.T) {
	e := newEnv(t, octosb.Config{}, func(b http.RoundTripper) http.RoundTripper { return dropAfterCreate{base: b, lose: true} })
	code, res, _ := e.run(t, "voucher", "--product", "1001", "--denomination", "5", "--reference", "hl-lost")
	assert.Equal(t, ExitUnknown, code)
	assert.True(t, res.OutcomeUnknown)
	assert.Equal(t, "hl-lost", res.ClientReference)
	assert.Zero(t, e.created("voucher"))
}
