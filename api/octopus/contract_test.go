package octopus

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
)

// Contract tests: the client against the embedded sandbox (api/sandbox),
// with the documentation's example values and the sandbox's magic inputs
// (api/sandbox/octopus/MAGIC.md). Simulated delays run 1000x faster.

const contractScale = 0.001

func startSandbox(t *testing.T, cfg octosb.Config, mod ...func(*Config)) (*octosb.Server, *Client) {
	t.Helper()
	if cfg.TimeScale == 0 {
		cfg.TimeScale = contractScale
	}
	if cfg.Seed == 0 {
		cfg.Seed = 7
	}
	srv, err := octosb.New(cfg)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Close() })
	creds := srv.Credentials()
	ccfg := Config{BaseURL: srv.URL(), APIKey: api.Secret(creds.APIKey), APISecret: api.Secret(creds.APISecret), Timeout: 10 * time.Second}
	for _, m := range mod {
		m(&ccfg)
	}
	c, err := New(ccfg)
	require.NoError(t, err)
	t.Cleanup(c.hc.CloseIdleConnections)
	return srv, c
}

// waitOrder polls the detail until cond holds (bounded; never asserts time).
func waitOrder(t *testing.T, c *Client, v api.Vertical, id string, cond func(api.Order) bool) api.Order {
	t.Helper()
	var o api.Order
	var err error
	for range 400 {
		o, err = c.GetOrder(context.Background(), v, id)
		require.NoError(t, err)
		if cond(o) {
			return o
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("order %s:%s never reached the expected state; last %s", v, id, o.StatusLabel())
	return o
}

func TestContractReferenceAndCatalog(t *testing.T) {
	_, c := startSandbox(t, octosb.Config{})
	ctx := context.Background()

	countries, err := c.Countries(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, countries)
	us, err := c.Country(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, "US", string(us.Alpha2))
	assert.Equal(t, "United States", string(us.Name))
	_, err = c.Country(ctx, 2147483648)
	assert.Equal(t, api.KindValidation, kindOf(t, err), "Invalid country ID")

	curs, err := c.Currencies(ctx)
	require.NoError(t, err)
	codes := map[int64]string{}
	for _, cur := range curs {
		codes[int64(cur.ID)] = cur.ISO()
	}
	assert.Equal(t, "USD", codes[1])
	assert.Equal(t, "EUR", codes[2])

	cats, err := c.Categories(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, cats)
	cat, err := c.Category(ctx, int64(cats[0].ID))
	require.NoError(t, err)
	assert.Equal(t, cats[0].Name, cat.Name)
	subs, err := c.Subcategories(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, subs)
	sub, err := c.Subcategory(ctx, int64(subs[0].ID))
	require.NoError(t, err)
	assert.Equal(t, subs[0].Name, sub.Name)

	// Vouchers.
	prods, page, err := c.VoucherProducts(ctx, VoucherProductsQuery{Page: 1, Limit: 5})
	require.NoError(t, err)
	assert.Len(t, prods, 5)
	assert.Equal(t, 1, page.Page)
	assert.Equal(t, 5, page.PerPage)
	assert.Equal(t, 5, page.Size)
	assert.Greater(t, page.TotalCount, 5)
	assert.True(t, page.HasMore)
	steam, _, err := c.VoucherProducts(ctx, VoucherProductsQuery{Search: "steam wallet usd"})
	require.NoError(t, err)
	require.NotEmpty(t, steam)
	p, err := c.VoucherProduct(ctx, 1001)
	require.NoError(t, err)
	assert.Equal(t, "Steam Wallet USD", string(p.Name))
	ok, err := c.VoucherAvailability(ctx, 1001, 50, 5)
	require.NoError(t, err)
	assert.True(t, ok)
	ch, err := c.VoucherCharges(ctx, 1001, VoucherChargesRequest{Denomination: 50, Quantity: 5})
	require.NoError(t, err)
	assert.InDelta(t, 250.00, float64(ch.NonDiscountedTotal), 1e-9)
	assert.InDelta(t, 8.75, float64(ch.DiscountAmount), 1e-9)
	assert.InDelta(t, 241.25, float64(ch.TotalAmount), 1e-9)
	assert.InDelta(t, 3.5, float64(ch.Discount), 1e-9)
	assert.InDelta(t, 0.0, float64(ch.GSTAmount), 1e-9)
	assert.InDelta(t, 241.25, float64(ch.TotalPayable), 1e-9)
	assert.Positive(t, int64(ch.MaxQuantity))
	q, err := c.Quote(ctx, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 50, Quantity: 5})
	require.NoError(t, err)
	assert.InDelta(t, 241.25, q.TotalPayable, 1e-9)
	assert.Equal(t, "USD", q.Currency)
	vp, err := c.Product(ctx, api.VerticalVoucher, "1001")
	require.NoError(t, err)
	assert.NotEmpty(t, vp.Denominations)
	all, err := c.Products(ctx, api.VerticalVoucher, "")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(all), 5)

	// Topups.
	tps, _, err := c.TopupProducts(ctx, TopupProductsQuery{Type: "GAMING", PerPage: 50})
	require.NoError(t, err)
	require.NotEmpty(t, tps)
	pubg, err := c.TopupProduct(ctx, 4218)
	require.NoError(t, err)
	assert.Equal(t, "PUBG Mobile UC", string(pubg.Name))
	names := map[string]bool{}
	for _, f := range pubg.InputFields {
		names[f.Name] = f.Required
	}
	assert.Equal(t, map[string]bool{"player_id": true, "server": false}, names)
	vars, err := c.TopupVariants(ctx, 4218)
	require.NoError(t, err)
	require.NotEmpty(t, vars)
	v1, err := c.TopupVariant(ctx, int64(vars[0].ID))
	require.NoError(t, err)
	assert.Equal(t, vars[0].Name, v1.Name)
	assert.True(t, v1.ToAPI().Allows(0.99) || len(v1.FixedAmounts) > 0)
	look, err := c.TopupLookup(ctx, "+918879685100")
	require.NoError(t, err)
	require.NotEmpty(t, look)
	assert.EqualValues(t, 4219, look[0].ProductID)
	_, err = c.TopupLookup(ctx, "")
	assert.Equal(t, api.KindValidation, kindOf(t, err))
	tch, err := c.TopupCharges(ctx, TopupChargesRequest{ProductID: 4218, Amount: 0.99})
	require.NoError(t, err)
	assert.Positive(t, float64(tch.TotalPayable))
	tp, err := c.Product(ctx, api.VerticalTopup, "4219")
	require.NoError(t, err)
	assert.NotEmpty(t, tp.Variants)
	require.NotEmpty(t, tp.InputFields)
	assert.Equal(t, "phone_number", tp.InputFields[0].Name)

	// eSIM.
	eps, _, err := c.ESIMProducts(ctx, ESIMProductsQuery{CountryCode: "JPN"})
	require.NoError(t, err)
	require.NotEmpty(t, eps)
	japan, err := c.ESIMProduct(ctx, 712)
	require.NoError(t, err)
	assert.Equal(t, "Japan eSIM", string(japan.Name))
	evs, err := c.ESIMVariants(ctx, 712)
	require.NoError(t, err)
	require.NotEmpty(t, evs)
	ev, err := c.ESIMVariant(ctx, 5511)
	require.NoError(t, err)
	assert.Equal(t, "Japan 1 GB / 7 days", string(ev.Name))
	assert.InDelta(t, 4.50, float64(ev.Amount), 1e-9)
	ech, err := c.ESIMCharges(ctx, ESIMChargesRequest{ProductID: 712, Amount: 4.50})
	require.NoError(t, err)
	assert.InDelta(t, 4.50, float64(ech.NonDiscountedTotal), 1e-9)
	ep, err := c.Product(ctx, api.VerticalESIM, "712")
	require.NoError(t, err)
	assert.NotEmpty(t, ep.Variants)

	// Wallets and transactions.
	ws, err := c.Wallets(ctx)
	require.NoError(t, err)
	byCur := map[string]api.Wallet{}
	for _, w := range ws {
		byCur[w.Currency] = w
	}
	assert.Equal(t, "1", byCur["USD"].ID)
	assert.Equal(t, "2", byCur["EUR"].ID)
	assert.Equal(t, "PREPAID", byCur["USD"].Type)
	txs, _, err := c.ListTransactions(ctx, TransactionsQuery{Limit: 10})
	require.NoError(t, err)
	require.NotEmpty(t, txs)
	tx, err := c.GetTransaction(ctx, int64(txs[0].ID))
	require.NoError(t, err)
	assert.Equal(t, txs[0].ID, tx.ID)
	_, _, err = c.ListTransactions(ctx, TransactionsQuery{WalletID: 999})
	if err != nil { // an unknown wallet may be an empty list or an error; never a panic
		assert.NotEqual(t, api.KindDecode, api.KindOf(err))
	}

	// Logout revokes everything; the next call logs in again.
	require.NoError(t, c.Logout(ctx))
	_, err = c.Countries(ctx)
	require.NoError(t, err)
}

func TestContractVoucherOrders(t *testing.T) {
	_, c := startSandbox(t, octosb.Config{})
	ctx := context.Background()

	o, err := c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 50, Quantity: 3,
		ClientReference: "ct-sync-1", Email: "buyer@example.com"})
	require.NoError(t, err)
	assert.Equal(t, api.StatusDelivered, o.Status)
	assert.Len(t, o.Vouchers, 3)
	for _, v := range o.Vouchers {
		assert.NotEmpty(t, v.CardNumber)
		assert.NotEmpty(t, v.PIN)
	}
	assert.Equal(t, "ct-sync-1", o.ClientReference)
	assert.Equal(t, "USD", o.Currency)

	async, err := c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 10, Quantity: 10,
		ClientReference: "ct-async-1"})
	require.NoError(t, err)
	assert.Equal(t, api.StatusPending, async.Status)
	assert.Empty(t, async.Vouchers)
	done := waitOrder(t, c, api.VerticalVoucher, async.ID, func(o api.Order) bool { return o.Status != api.StatusPending })
	assert.Equal(t, api.StatusDelivered, done.Status)
	assert.Len(t, done.Vouchers, 10)
	assert.Equal(t, 10, done.DeliveredQuantity)

	// The list knows it too (it may lag the detail by ListLag).
	page, err := c.ListOrders(ctx, api.VerticalVoucher, api.ListQuery{PerPage: 10})
	require.NoError(t, err)
	require.NotEmpty(t, page.Orders)
	assert.Equal(t, async.ID, page.Orders[0].ID, "newest first")

	upd, err := c.SetNotificationEmail(ctx, api.VerticalVoucher, async.ID, "ops@example.com")
	require.NoError(t, err)
	assert.Equal(t, "ops@example.com", upd.Email)
	assert.Equal(t, async.ID, upd.ID)

	// The debit is in the wallet log and names the order.
	txs, _, err := c.Transactions(ctx, "1", api.ListQuery{PerPage: 50})
	require.NoError(t, err)
	found := false
	for _, tx := range txs {
		if tx.OrderID == async.ID && tx.Kind == api.TxDebit {
			found = true
			assert.Equal(t, "USD", tx.Currency)
		}
	}
	assert.True(t, found, "debit transaction for order %s", async.ID)
}

func TestContractTopupMagicFailureRefunds(t *testing.T) {
	_, c := startSandbox(t, octosb.Config{})
	ctx := context.Background()
	o, err := c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 0.99,
		InputData: map[string]string{"player_id": "0000000"}, ClientReference: "ct-topup-bad"})
	require.NoError(t, err)
	assert.Equal(t, api.StatusFailed, o.Status)
	assert.True(t, o.UserFixable)
	assert.Equal(t, "INVALID_PLAYER_ID", o.FailureCode)
	assert.NotEmpty(t, o.FailureReason)
	assert.Equal(t, "0000000", o.Recipient)

	txs, _, err := c.Transactions(ctx, "", api.ListQuery{PerPage: 50})
	require.NoError(t, err)
	kinds := map[api.TxKind]int{}
	for _, tx := range txs {
		if tx.OrderID == o.ID {
			kinds[tx.Kind]++
		}
	}
	assert.Equal(t, map[api.TxKind]int{api.TxDebit: 1, api.TxCredit: 1}, kinds, "debit and a separate refund")

	// A normal topup is PENDING, then DELIVERED on a later detail GET.
	ok, err := c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 0.99,
		InputData: map[string]string{"player_id": "123456789"}, ClientReference: "ct-topup-ok"})
	require.NoError(t, err)
	assert.Equal(t, api.StatusPending, ok.Status)
	done := waitOrder(t, c, api.VerticalTopup, ok.ID, func(o api.Order) bool { return !o.Status.InFlight() })
	assert.Equal(t, api.StatusDelivered, done.Status)
	assert.False(t, done.CompletedAt.IsZero())

	// Bad input_data is a validation error, and nothing was created.
	_, err = c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 0.99,
		InputData: map[string]string{"nickname": "x"}, ClientReference: "ct-topup-invalid"})
	assert.Equal(t, api.KindValidation, kindOf(t, err))
	_, found, err := c.FindByReference(ctx, api.VerticalTopup, "ct-topup-invalid")
	require.NoError(t, err)
	assert.False(t, found)
}

func TestContractESIMDeliveredThenInstalled(t *testing.T) {
	_, c := startSandbox(t, octosb.Config{})
	ctx := context.Background()
	o, err := c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalESIM, ProductID: "712", Amount: 4.50, ClientReference: "ct-esim-1"})
	require.NoError(t, err)
	assert.Equal(t, api.StatusDelivered, o.Status)
	require.NotNil(t, o.ESIM)
	assert.Regexp(t, `^LPA:1\$`, o.ESIM.ActivationCode)
	assert.NotEmpty(t, o.ESIM.ICCID)
	assert.False(t, o.ESIM.Installed)

	inst := waitOrder(t, c, api.VerticalESIM, o.ID, func(o api.Order) bool { return o.ESIM != nil && o.ESIM.Installed })
	assert.Equal(t, api.ActivationActive, inst.ESIM.ActivationStatus)
	assert.False(t, inst.ESIM.InstalledAt.IsZero())
	assert.Empty(t, inst.ESIM.ActivationCode, "the code is gone once installed")

	failed, err := c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalESIM, ProductID: "997", Amount: 1.00})
	require.NoError(t, err)
	assert.Equal(t, api.StatusFailed, failed.Status)
	assert.True(t, failed.UserFixable)
}

func TestContractDuplicateReference(t *testing.T) {
	_, c := startSandbox(t, octosb.Config{})
	ctx := context.Background()
	req := api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 10, Quantity: 1, ClientReference: "ct-dup-1"}
	first, err := c.PlaceOrder(ctx, req)
	require.NoError(t, err)
	_, err = c.PlaceOrder(ctx, req)
	assert.Equal(t, api.KindDuplicateReference, kindOf(t, err))
	assert.ErrorIs(t, err, api.ErrDuplicateReference)

	got, found, err := c.FindByReference(ctx, api.VerticalVoucher, "ct-dup-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, first.ID, got.ID)
	_, found, err = c.FindByReference(ctx, api.VerticalVoucher, "ct-never-used")
	require.NoError(t, err)
	assert.False(t, found)
}

func TestContractDroppedCreateIsOutcomeUnknown(t *testing.T) {
	srv, c := startSandbox(t, octosb.Config{Faults: octosb.Faults{Drop: 1}})
	_, err := c.PlaceOrder(context.Background(), api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001",
		Amount: 10, Quantity: 1, ClientReference: "ct-drop-1"})
	assert.Equal(t, api.KindOutcomeUnknown, kindOf(t, err))
	assert.EqualValues(t, 1, srv.Stats().Orders["voucher"], "the sandbox did create it: only the reply was lost")
}

func TestContractShortTokenTTLIsInvisible(t *testing.T) {
	srv, c := startSandbox(t, octosb.Config{TokenTTL: 300 * time.Millisecond})
	ctx := context.Background()
	deadline := time.Now().Add(1200 * time.Millisecond)
	calls := 0
	for time.Now().Before(deadline) {
		_, err := c.Wallets(ctx)
		require.NoError(t, err)
		calls++
		time.Sleep(40 * time.Millisecond)
	}
	st := srv.Stats()
	assert.Positive(t, st.Requests[octosb.ClassRefresh], "proactive refreshes happened")

	// A client whose clock lags believes its token is fresh: the 401 path
	// (refresh + one retry) keeps it invisible too, also under concurrency.
	lagSrv, lag := startSandbox(t, octosb.Config{TokenTTL: 200 * time.Millisecond},
		func(cfg *Config) { cfg.Now = func() time.Time { return time.Now().Add(-time.Hour) } })
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				_, err := lag.GetOrder(ctx, api.VerticalVoucher, fmt.Sprint(1+i+j))
				if err != nil {
					assert.Equal(t, api.KindNotFound, api.KindOf(err), err.Error())
				}
				time.Sleep(60 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	st = lagSrv.Stats()
	assert.Positive(t, st.Requests[octosb.ClassRefresh], "401s were answered by refreshing")
	assert.EqualValues(t, 1, st.Requests[octosb.ClassLogin], "no re-login was needed")
}

func TestContractRateLimited(t *testing.T) {
	_, c := startSandbox(t, octosb.Config{Limits: &octosb.Limits{GET: 3}})
	ctx := context.Background()
	var err error
	for range 6 {
		if _, err = c.Countries(ctx); err != nil {
			break
		}
	}
	assert.Equal(t, api.KindRateLimited, kindOf(t, err))
	assert.Positive(t, api.RetryAfterOf(err))
	assert.Equal(t, api.ClassGET, ClassOf("GET", "/api/v1/countries"))
}
