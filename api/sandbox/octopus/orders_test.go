package octopus

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func voucherReq(product int64, den float64, qty int, ref string) map[string]any {
	m := map[string]any{"product_id": product, "denomination": den, "quantity": qty}
	if ref != "" {
		m["client_reference"] = ref
	}
	return m
}

func path(prefix string, id int64) string { return prefix + strconv.FormatInt(id, 10) }

func TestVoucherSmallOrderDeliveredInline(t *testing.T) {
	c := start(t, Config{})
	before := c.balance(1)
	var o testOrder
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 50, 3, "inline-1"), &o))
	assert.Equal(t, "DELIVERED", o.Status)
	require.Len(t, o.Vouchers, 3)
	for _, v := range o.Vouchers {
		assert.True(t, strings.HasPrefix(v.CardNumber, "STEAM-"), v.CardNumber)
		assert.NotEmpty(t, v.PinCode)
		assert.NotEmpty(t, v.ClaimURL)
		assert.NotEmpty(t, v.ExpiresAt)
		assert.NotEmpty(t, v.VoucherReferenceNumber)
	}
	// 3 × 50 with 3.5 % off, paid from the USD wallet at creation.
	assert.InDelta(t, 144.75, o.DeductionAmount, 1e-9)
	assert.InDelta(t, before-144.75, c.balance(1), 1e-9)
	txs := c.transactions(1)
	require.NotEmpty(t, txs)
	assert.Equal(t, "DEBIT", txs[0].TransactionType)
	assert.Equal(t, o.TransactionID, txs[0].ID)
	assert.Equal(t, "USD Wallet debited by amount 144.75 - Order #"+strconv.FormatInt(o.ID, 10), txs[0].Remarks)
}

func TestVoucherLargeOrderPendingThenDelivered(t *testing.T) {
	c := start(t, Config{})
	var o testOrder
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 10, 10, ""), &o))
	assert.Equal(t, "PENDING", o.Status)
	assert.Empty(t, o.Vouchers)
	got := c.eventually(path("/api/v1/orders/", o.ID), func(o testOrder) bool { return o.Status != "PENDING" })
	assert.Equal(t, "DELIVERED", got.Status)
	assert.Len(t, got.Vouchers, 10)
	assert.Equal(t, 10, got.DeliveredQuantity)
	assert.NotNil(t, got.CompletedAt)
}

// The detail GET advances state by itself, even without the scheduler
// having run: a read after the due time sees the change.
func TestDetailAdvancesOnRead(t *testing.T) {
	s, err := New(Config{TimeScale: fast})
	require.NoError(t, err)
	defer s.Close()
	den, qty := 10.0, 10
	pid := int64(1001)
	s.mu.Lock()
	o, err := s.createVoucherLocked(createVoucherReq{ProductID: &pid, voucherPriceReq: voucherPriceReq{Denomination: &den, Quantity: &qty}}, time.Now().Add(-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, "PENDING", o.cur.Status)
	s.advanceLocked(o, time.Now())
	assert.Equal(t, "DELIVERED", o.cur.Status)
	assert.Equal(t, "PENDING", o.listed.Status, "lists only see it after the scheduler publishes")
	s.mu.Unlock()
}

func TestListLagsDetail(t *testing.T) {
	c := start(t, Config{ListLag: time.Hour}) // 3.6 s real at this scale: longer than the test
	var o testOrder
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 10, 8, "lag-1"), &o))
	c.eventually(path("/api/v1/orders/", o.ID), func(o testOrder) bool { return o.Status == "DELIVERED" })
	var list []testOrder
	require.Equal(t, 200, c.call("GET", "/api/v1/orders?client_reference=lag-1", nil, &list))
	require.Len(t, list, 1)
	assert.Equal(t, "PENDING", list[0].Status, "the list shows stored state")
	assert.Nil(t, list[0].Vouchers, "lists carry no codes")
}

func TestListCatchesUp(t *testing.T) {
	c := start(t, Config{ListLag: 20 * time.Second}) // 20 ms real
	var o testOrder
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 10, 8, "lag-2"), &o))
	require.Eventually(t, func() bool {
		var list []testOrder
		require.Equal(t, 200, c.call("GET", "/api/v1/orders?status=DELIVERED&client_reference=lag-2", nil, &list))
		return len(list) == 1
	}, 5*time.Second, 10*time.Millisecond)
}

func TestTopupMagicFailureRefunds(t *testing.T) {
	c := start(t, Config{})
	before := c.balance(1)
	var o testOrder
	require.Equal(t, 200, c.call("POST", "/api/v1/topups/orders", map[string]any{
		"product_id": 4218, "amount": 4.99, "input_data": map[string]string{"player_id": MagicPlayerFail},
		"client_reference": "topup-fail",
	}, &o))
	assert.Equal(t, "FAILED", o.Status)
	assert.Equal(t, "INVALID_PLAYER_ID", o.FailureCode)
	assert.NotEmpty(t, o.FailureReason)
	assert.True(t, o.IsUserFixable)
	assert.InDelta(t, 4.7405, o.Amount, 1e-9, "discounted debit, 5 %")
	assert.InDelta(t, before, c.balance(1), 1e-9, "refunded")
	txs := c.transactions(1)
	require.GreaterOrEqual(t, len(txs), 2)
	assert.Equal(t, "CREDIT", txs[0].TransactionType)
	assert.InDelta(t, 4.7405, txs[0].Amount, 1e-9)
	assert.Contains(t, txs[0].Remarks, "Refund for Topup Order #"+strconv.FormatInt(o.ID, 10))
	assert.Equal(t, "DEBIT", txs[1].TransactionType)
}

func TestTopupAsyncOutcomes(t *testing.T) {
	c := start(t, Config{})
	var ok1, bad testOrder
	require.Equal(t, 200, c.call("POST", "/api/v1/topups/orders", map[string]any{
		"product_id": 4219, "amount": 299, "category": "Data", "input_data": map[string]string{"phone_number": "+918879685100"},
	}, &ok1))
	assert.Equal(t, "PENDING", ok1.Status)
	assert.Equal(t, "Order submitted for fulfilment", ok1.StatusText)
	require.Equal(t, 200, c.call("POST", "/api/v1/topups/orders", map[string]any{
		"product_id": 4219, "amount": 100, "input_data": map[string]string{"phone_number": "+919000000000"},
	}, &bad))
	got := c.eventually(path("/api/v1/topups/orders/", ok1.ID), func(o testOrder) bool { return o.Status != "PENDING" })
	assert.Equal(t, "DELIVERED", got.Status)
	assert.Equal(t, "Top-up delivered", got.StatusText)
	assert.NotNil(t, got.CompletedAt)
	got = c.eventually(path("/api/v1/topups/orders/", bad.ID), func(o testOrder) bool { return o.Status != "PENDING" })
	assert.Equal(t, "FAILED", got.Status)
	assert.Equal(t, "INVALID_RECIPIENT", got.FailureCode)
}

func TestTopupInputValidation(t *testing.T) {
	c := start(t, Config{})
	before := c.balance(1)
	cases := map[string]map[string]any{
		"extra key":    {"player_id": "123456", "nickname": "x"},
		"missing":      {"server": "asia"},
		"bad pattern":  {"player_id": "abc"},
		"bad option":   {"player_id": "123456", "server": "mars"},
		"not a string": {"player_id": 123456},
	}
	for name, input := range cases {
		var e errBody
		assert.Equal(t, 400, c.call("POST", "/api/v1/topups/orders", map[string]any{
			"product_id": 4218, "amount": 0.99, "input_data": input,
		}, &e), name)
		assert.Equal(t, "VALIDATION_FAILURE", e.Error.Code, name)
	}
	var e errBody
	assert.Equal(t, 400, c.call("POST", "/api/v1/topups/orders", map[string]any{
		"product_id": 4218, "amount": 1.23, "input_data": map[string]string{"player_id": "123456"},
	}, &e), "amount not a denomination")
	assert.InDelta(t, before, c.balance(1), 1e-9, "no state change")
	var list []testOrder
	require.Equal(t, 200, c.call("GET", "/api/v1/topups/orders", nil, &list))
	assert.Empty(t, list)
}

func TestESIMDeliveredThenInstalled(t *testing.T) {
	c := start(t, Config{})
	var o testOrder
	require.Equal(t, 200, c.call("POST", "/api/v1/esim/orders", map[string]any{
		"product_id": 712, "amount": 4.50, "quantity": 3, "client_reference": "esim-1",
	}, &o))
	require.Equal(t, "DELIVERED", o.Status, "fulfilled inside the 60 s (scaled) wait")
	require.NotNil(t, o.ActivationCode)
	assert.Regexp(t, `^LPA:1\$smdp\.example\.net\$[0-9A-F]{24}$`, *o.ActivationCode)
	require.NotNil(t, o.ICCID)
	assert.Len(t, *o.ICCID, 19)
	require.NotNil(t, o.ActivationStatus)
	assert.Equal(t, "NOT_INSTALLED", *o.ActivationStatus)
	assert.False(t, o.IsInstalled)
	assert.InDelta(t, 4.275, o.Amount, 1e-9)

	got := c.eventually(path("/api/v1/esim/orders/", o.ID), func(o testOrder) bool { return o.IsInstalled })
	assert.Equal(t, "ACTIVE", *got.ActivationStatus)
	assert.NotNil(t, got.InstalledAt)
	assert.Nil(t, got.ActivationCode, "no code once installed")
	assert.NotNil(t, got.ICCID)

	var list []testOrder
	require.Equal(t, 200, c.call("GET", "/api/v1/esim/orders", nil, &list))
	require.Len(t, list, 1)
	assert.Nil(t, list[0].ActivationCode, "never in the list")
}

func TestESIMSlowReturnsPendingAndNeverInstalled(t *testing.T) {
	// 0.002: the create waits 120 ms, the slow order is fulfilled 240–480 ms
	// after creation, so the margins survive a loaded scheduler.
	c := start(t, Config{TimeScale: 0.002})
	var slow testOrder
	require.Equal(t, 200, c.call("POST", "/api/v1/esim/orders", map[string]any{"product_id": ESIMProductSlow, "amount": 1}, &slow))
	assert.Equal(t, "PENDING", slow.Status, "60 s passed without fulfilment")
	assert.Nil(t, slow.ActivationStatus)
	assert.Nil(t, slow.ActivationCode)

	var never testOrder
	require.Equal(t, 200, c.call("POST", "/api/v1/esim/orders", map[string]any{"product_id": ESIMProductNeverInstall, "amount": 1}, &never))
	assert.Equal(t, "DELIVERED", never.Status)
	got := c.eventually(path("/api/v1/esim/orders/", slow.ID), func(o testOrder) bool { return o.Status == "DELIVERED" })
	assert.NotNil(t, got.ActivationCode)
	time.Sleep(500 * time.Millisecond) // > 4 simulated minutes at this scale
	var n testOrder
	require.Equal(t, 200, c.call("GET", path("/api/v1/esim/orders/", never.ID), nil, &n))
	assert.False(t, n.IsInstalled)
	assert.Equal(t, "NOT_INSTALLED", *n.ActivationStatus)
	assert.NotNil(t, n.ActivationCode)

	var failed testOrder
	require.Equal(t, 200, c.call("POST", "/api/v1/esim/orders", map[string]any{"product_id": ESIMProductFailing, "amount": 1}, &failed))
	assert.Equal(t, "FAILED", failed.Status)
	assert.Equal(t, "PLAN_UNAVAILABLE", failed.FailureCode)
	assert.True(t, failed.IsUserFixable)
}

func TestDuplicateClientReference(t *testing.T) {
	c := start(t, Config{})
	var first testOrder
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 5, 1, "dup-1"), &first))
	before := c.balance(1)
	var e errBody
	assert.Equal(t, 400, c.call("POST", "/api/v1/orders", voucherReq(1001, 5, 1, "dup-1"), &e))
	assert.Equal(t, "BAD_REQUEST", e.Error.Code)
	assert.Equal(t, "BadRequestError", e.Error.Name)
	assert.Equal(t, "Duplicate client_reference", e.Error.Message)
	// Also across verticals: the reference is unique per client.
	assert.Equal(t, 400, c.call("POST", "/api/v1/esim/orders", map[string]any{"product_id": 712, "amount": 4.5, "client_reference": "dup-1"}, &e))
	assert.Equal(t, "Duplicate client_reference", e.Error.Message)
	assert.InDelta(t, before, c.balance(1), 1e-9, "no second debit")

	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 5, 1, "dup-2"), nil))
	var list []testOrder
	require.Equal(t, 200, c.call("GET", "/api/v1/orders?client_reference=dup-1", nil, &list))
	require.Len(t, list, 1)
	assert.Equal(t, first.ID, list[0].ID)

	assert.Equal(t, 400, c.call("POST", "/api/v1/orders", voucherReq(1001, 5, 1, "bad\x01ref"), &e))
	assert.Equal(t, "VALIDATION_FAILURE", e.Error.Code)
	assert.Equal(t, 400, c.call("POST", "/api/v1/orders", voucherReq(1001, 5, 1, strings.Repeat("a", 256)), &e))
	assert.Equal(t, "VALIDATION_FAILURE", e.Error.Code)
}

func TestVoucherValidationAndFunds(t *testing.T) {
	c := start(t, Config{})
	var e errBody
	for name, body := range map[string]any{
		"bad json":        `{"product_id": 1001,`,
		"trailing":        `{"product_id":1001,"denomination":5,"quantity":1} x`,
		"string qty":      `{"product_id":1001,"denomination":5,"quantity":"1"}`,
		"zero qty":        voucherReq(1001, 5, 0, ""),
		"too many":        voucherReq(1001, 5, 5001, ""),
		"bad denom":       voucherReq(1001, 7, 1, ""),
		"no product":      map[string]any{"denomination": 5, "quantity": 1},
		"unknown product": voucherReq(9999, 5, 1, ""),
		"bad email":       map[string]any{"product_id": 1001, "denomination": 5, "quantity": 1, "email": "nope"},
		"empty":           "",
	} {
		assert.Equal(t, 400, c.call("POST", "/api/v1/orders", body, &e), name)
		assert.Equal(t, "VALIDATION_FAILURE", e.Error.Code, name)
	}
	assert.Equal(t, 400, c.call("POST", "/api/v1/orders", voucherReq(1101, 2000, 5000, ""), &e))
	assert.Equal(t, "INSUFFICIENT_FUNDS", e.Error.Code)
	assert.Equal(t, 400, c.call("GET", "/api/v1/orders/abc", nil, &e))
	assert.Equal(t, "BAD_REQUEST", e.Error.Code)
	assert.Equal(t, 404, c.call("GET", "/api/v1/orders/424242", nil, &e))
	assert.Equal(t, "NOT_FOUND", e.Error.Code)
}

func TestVoucherMagicOutcomes(t *testing.T) {
	c := start(t, Config{})
	before := c.balance(1)
	var partial, full, failed, cancelled testOrder
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 10, MagicQtyPartial, ""), &partial))
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 10, MagicQtyPartialThenFull, ""), &full))
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 10, MagicQtyFailed, ""), &failed))
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 10, 2, "cancel-me"), &cancelled))
	assert.Equal(t, "PENDING", cancelled.Status, "cancel- overrides the inline threshold")

	got := c.eventually(path("/api/v1/orders/", partial.ID), func(o testOrder) bool { return o.Status != "PENDING" })
	assert.Equal(t, "PARTIALLY_DELIVERED", got.Status)
	assert.Equal(t, 10, got.DeliveredQuantity)
	assert.Len(t, got.Vouchers, 10)
	got = c.eventually(path("/api/v1/orders/", full.ID), func(o testOrder) bool { return o.Status == "DELIVERED" })
	assert.Len(t, got.Vouchers, 17)
	got = c.eventually(path("/api/v1/orders/", failed.ID), func(o testOrder) bool { return o.Status != "PENDING" })
	assert.Equal(t, "FAILED", got.Status)
	got = c.eventually(path("/api/v1/orders/", cancelled.ID), func(o testOrder) bool { return o.Status != "PENDING" })
	assert.Equal(t, "CANCELLED", got.Status)

	// Paid: 13, 17, 99 and 2 vouchers of 9.65; back: 3 (partial) + 99 + 2.
	unit := 9.65
	assert.InDelta(t, before-unit*(13+17+99+2)+unit*(3+99+2), c.balance(1), 1e-6)
}

func TestTransitionsObserved(t *testing.T) {
	s, err := New(Config{TimeScale: fast})
	require.NoError(t, err)
	var mu sync.Mutex
	var seen []Transition
	s.OnTransition(func(tr Transition) {
		mu.Lock()
		seen = append(seen, tr)
		mu.Unlock()
	})
	require.NoError(t, s.Start())
	defer s.Close()
	c := &client{t: t, s: s, base: s.URL(), hc: &http.Client{Transport: &http.Transport{}}}
	defer c.hc.CloseIdleConnections()
	c.login()
	var o testOrder
	require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 10, 7, "obs-1"), &o))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == 2
	}, 5*time.Second, 5*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, Transition{Vertical: "voucher", ID: o.ID, ClientReference: "obs-1", Field: "status", From: "", To: "PENDING", At: seen[0].At}, seen[0])
	assert.Equal(t, "PENDING", seen[1].From)
	assert.Equal(t, "DELIVERED", seen[1].To)
	d := seen[1].At.Sub(seen[0].At)
	assert.True(t, d >= 10*time.Millisecond && d <= 60*time.Millisecond, "scheduled 10–60 simulated s after creation, got %v", d)
}

// The same seed and the same calls give the same ids, codes and timings,
// whatever else (request ids, logins) happened in between.
func TestSeedIsDeterministic(t *testing.T) {
	run := func(seed int64, extraLogins int) (testOrder, testOrder) {
		c := start(t, Config{Seed: seed})
		for i := 0; i < extraLogins; i++ {
			c.login()
		}
		var v, e testOrder
		require.Equal(t, 201, c.call("POST", "/api/v1/orders", voucherReq(1001, 5, 2, "det"), &v))
		require.Equal(t, 200, c.call("POST", "/api/v1/esim/orders", map[string]any{"product_id": 712, "amount": 4.5}, &e))
		return v, e
	}
	v1, e1 := run(11, 0)
	v2, e2 := run(11, 3)
	v3, _ := run(12, 0)
	// Expiry is a wall-clock date (a year from the order), so two runs may
	// straddle a second: compare it apart.
	for i := range v1.Vouchers {
		a, errA := time.Parse(time.RFC3339, v1.Vouchers[i].ExpiresAt)
		b, errB := time.Parse(time.RFC3339, v2.Vouchers[i].ExpiresAt)
		require.NoError(t, errA)
		require.NoError(t, errB)
		assert.WithinDuration(t, a, b, 5*time.Second)
		v1.Vouchers[i].ExpiresAt, v2.Vouchers[i].ExpiresAt = "", ""
	}
	assert.Equal(t, v1.Vouchers, v2.Vouchers)
	assert.Equal(t, *e1.ActivationCode, *e2.ActivationCode)
	assert.Equal(t, *e1.ICCID, *e2.ICCID)
	assert.NotEqual(t, v1.Vouchers[0].CardNumber, v3.Vouchers[0].CardNumber)
}
