package octopus

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

const topupFailedJSON = `{"id":9123456,"client_reference":"tp-1","product_id":4218,"product_name":"PUBG Mobile UC",
"variant_name":"60 UC","country_code":"GLO","amount":4.7405,"currency":"USD","status":"FAILED",
"status_text":"Invalid player ID","failure_code":"INVALID_PLAYER_ID","failure_reason":"The player ID does not exist",
"is_user_fixable":true,"transaction_id":"777","input_data":{"player_id":"0000000","server":"asia"},
"created_at":"2026-05-01T12:00:00Z","completed_at":"2026-05-01T12:00:05.5Z"}`

const esimJSON = `{"id":9302481,"client_reference":"es-1","status":"DELIVERED","product_name":"Japan eSIM",
"country_code":"JPN","data_amount_gb":1,"validity_days":7,"amount":4.275,"currency":"USD",
"activation_status":"NOT_INSTALLED","is_installed":false,"installed_at":null,"activated_at":"",
"transaction_id":88,"created_at":"2026-05-01T12:00:00Z","iccid":"8981100000000000001",
"activation_code":"LPA:1$smdp.example.net$ABC123"}`

func TestOrderMapping(t *testing.T) {
	var o Order
	require.NoError(t, decodeBody([]byte(voucherOrderJSON), &o))
	v := o.ToAPI(api.VerticalVoucher)
	assert.Equal(t, "1234", v.ID)
	assert.Equal(t, api.StatusDelivered, v.Status)
	assert.Equal(t, "DELIVERED", v.RawStatus)
	assert.Equal(t, "order-abc", v.ClientReference)
	assert.Equal(t, "USD", v.Currency)
	assert.Equal(t, 50.0, v.Denomination)
	assert.Equal(t, 100.0, v.Amount)
	assert.Equal(t, 2, v.Quantity)
	assert.Equal(t, 2, v.DeliveredQuantity, "from the codes when absent")
	assert.Equal(t, "77", v.ProductID)
	assert.Equal(t, "1", v.WalletID)
	require.Len(t, v.Vouchers, 2)
	assert.Equal(t, "1234", v.Vouchers[0].PIN)
	assert.Equal(t, time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), v.Vouchers[0].ExpiresAt)
	assert.Equal(t, time.Date(2026, 5, 1, 12, 0, 0, 123e6, time.UTC), v.CreatedAt)
	assert.Nil(t, v.ESIM)
	assert.NotContains(t, o.String(), "STEAM-XXXX")
	assert.NotContains(t, o.Vouchers[0].String(), "STEAM-XXXX")

	o = Order{}
	require.NoError(t, decodeBody([]byte(topupFailedJSON), &o))
	tp := o.ToAPI(api.VerticalTopup)
	assert.Equal(t, api.StatusFailed, tp.Status)
	assert.True(t, tp.UserFixable)
	assert.Equal(t, "INVALID_PLAYER_ID", tp.FailureCode)
	assert.Equal(t, "0000000", tp.Recipient)
	assert.Equal(t, "asia", tp.InputData["server"])
	assert.Equal(t, "777", tp.TransactionID)
	assert.Equal(t, 1, tp.Quantity)
	assert.Equal(t, 4.7405, tp.Debited)
	assert.Equal(t, "60 UC", tp.VariantName)
	assert.Equal(t, time.Date(2026, 5, 1, 12, 0, 5, 5e8, time.UTC), tp.CompletedAt)

	o = Order{}
	require.NoError(t, decodeBody([]byte(esimJSON), &o))
	es := o.ToAPI(api.VerticalESIM)
	require.NotNil(t, es.ESIM)
	assert.Equal(t, "8981100000000000001", es.ESIM.ICCID)
	assert.Equal(t, "LPA:1$smdp.example.net$ABC123", es.ESIM.ActivationCode)
	assert.Equal(t, api.ActivationNotInstalled, es.ESIM.ActivationStatus)
	assert.False(t, es.ESIM.Installed)
	assert.True(t, es.ESIM.InstalledAt.IsZero())
	assert.Equal(t, 7, es.ESIM.ValidityDays)
	assert.Equal(t, "88", es.TransactionID)

	for raw, want := range map[string]api.Status{"RECHARGED": api.StatusUnknown, "PARTIAL": api.StatusPartial,
		"PARTIALLY_DELIVERED": api.StatusPartial, "SOMETHING_NEW": api.StatusUnknown, "pending": api.StatusPending} {
		o := Order{ID: 1, Status: Text(raw)}
		got := o.ToAPI(api.VerticalTopup)
		assert.Equal(t, want, got.Status, raw)
		assert.Equal(t, raw, got.RawStatus)
	}
}

func TestLenientNumbersAndNulls(t *testing.T) {
	body := `{"id":"42","quantity":3.0,"amount":"12.50","discount":null,"delivered_quantity":"",
"is_user_fixable":"true","created_at":"2026-05-01T12:00:00","vouchers":null,"input_data":"oops","wallet_id":null}`
	var o Order
	require.NoError(t, decodeBody([]byte(body), &o))
	a := o.ToAPI(api.VerticalVoucher)
	assert.Equal(t, "42", a.ID)
	assert.Equal(t, 3, a.Quantity)
	assert.Equal(t, 12.5, a.Amount)
	assert.True(t, a.UserFixable)
	assert.Equal(t, time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), a.CreatedAt)
	assert.Empty(t, a.WalletID)

	var v TopupVariant
	require.NoError(t, decodeBody([]byte(`{"id":1,"name":"60 UC","category":"","currency_code":"USD",
"fixed_amounts":["0.99","4.99",9.99],"available_in":[{"code":"GLO","name":"Global"}],
"fields":{"par_value":"60","validity_days":"30","extra":5}}`), &v))
	av := v.ToAPI()
	assert.Equal(t, []float64{0.99, 4.99, 9.99}, av.Fixed)
	assert.True(t, av.Allows(4.99))
	assert.False(t, av.Allows(5))
	assert.Equal(t, 30, av.ValidityDays)
	assert.Equal(t, "5", av.Fields["extra"])

	require.Error(t, decodeBody([]byte(`{"id":1,"fixed_amounts":["abc"]}`), &v), "a non-number amount is a decode error")
	require.Error(t, decodeBody([]byte(`{"id":"NaN"}`), &o))
}

func TestInputFieldShapes(t *testing.T) {
	cases := map[string]string{
		"objects": `[{"name":"player_id","label":"Player ID","required":true,"pattern":"^[0-9]+$"},{"name":"server","required":false}]`,
		"strings": `["player_id","server"]`,
		"map":     `{"player_id":{"label":"Player ID","required":true,"pattern":"^[0-9]+$"},"server":{"required":false}}`,
		"labels":  `{"player_id":"Player ID","server":"Server"}`,
	}
	for name, fields := range cases {
		t.Run(name, func(t *testing.T) {
			var p TopupProduct
			require.NoError(t, decodeBody([]byte(`{"id":4218,"name":"PUBG Mobile UC","topup_type":"GAMING","input_fields":`+fields+`}`), &p))
			ap := p.ToAPI()
			require.Len(t, ap.InputFields, 2)
			assert.Equal(t, "player_id", ap.InputFields[0].Name)
			assert.Equal(t, "server", ap.InputFields[1].Name)
			assert.True(t, ap.InputFields[0].Required)
			assert.Equal(t, "GAMING", ap.Type)
		})
	}
	var p TopupProduct
	require.NoError(t, decodeBody([]byte(`{"id":1,"input_fields":42}`), &p))
	assert.Empty(t, p.InputFields)
}

func TestFindByReference(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/topups/orders", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("client_reference") {
		case "tp-1":
			reply(200, `[`+topupFailedJSON+`]`)(w, r)
		case "ignored-filter": // a server that ignores the filter returns other orders
			reply(200, `[{"id":5,"client_reference":"someone-else","status":"PENDING"}]`)(w, r)
		default:
			reply(200, `[]`)(w, r)
		}
	})
	c := f.client(t)
	ctx := context.Background()
	o, found, err := c.FindByReference(ctx, api.VerticalTopup, "tp-1")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "9123456", o.ID)
	assert.Equal(t, api.VerticalTopup, o.Vertical)

	_, found, err = c.FindByReference(ctx, api.VerticalTopup, "nope")
	require.NoError(t, err)
	assert.False(t, found)
	_, found, err = c.FindByReference(ctx, api.VerticalTopup, "ignored-filter")
	require.NoError(t, err)
	assert.False(t, found)
	_, _, err = c.FindByReference(ctx, api.VerticalTopup, "")
	assert.Equal(t, api.KindValidation, kindOf(t, err))
	_, _, err = c.FindByReference(ctx, api.VerticalTopup, "bad\nref")
	assert.Equal(t, api.KindValidation, kindOf(t, err))
}

func TestWalletsUseCachedCurrencies(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/wallets", reply(200, `[{"id":1,"currency_id":1,"amount":10000,"type":"PREPAID"},{"id":2,"currency_id":2,"amount":"9500.5","type":"PREPAID"}]`))
	f.handle("GET /api/v1/currencies", reply(200, `[{"id":1,"name":"US Dollar","currency":"USD","precision":2},{"id":2,"name":"Euro","currency":"EUR","precision":2}]`))
	f.handle("GET /api/v1/transactions", func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "2", r.URL.Query().Get("wallet_id"))
		reply(200, `[{"id":31,"wallet_id":2,"currency_id":2,"amount":50,"transaction_type":"DEBIT","status":"COMPLETED",
"remarks":"EUR Wallet debited by amount 50.00 - Order #12345","created_at":"2026-05-01T12:00:00Z","forex_rate":null},
{"id":32,"wallet_id":2,"currency_id":2,"amount":50,"transaction_type":"CREDIT","status":"PENDING","remarks":"refund"}]`)(w, r)
	})
	c := f.client(t)
	ctx := context.Background()
	for range 2 {
		ws, err := c.Wallets(ctx)
		require.NoError(t, err)
		require.Len(t, ws, 2)
		assert.Equal(t, api.Wallet{Provider: api.ProviderOctopus, ID: "1", Currency: "USD", Balance: 10000, Type: "PREPAID"}, ws[0])
		assert.Equal(t, "EUR", ws[1].Currency)
		assert.Equal(t, 9500.5, ws[1].Balance)
	}
	assert.Equal(t, 1, f.hitCount("GET /api/v1/currencies"), "cached")

	txs, _, err := c.Transactions(ctx, "2", api.ListQuery{})
	require.NoError(t, err)
	require.Len(t, txs, 2)
	assert.Equal(t, api.TxDebit, txs[0].Kind)
	assert.Equal(t, "12345", txs[0].OrderID)
	assert.Equal(t, "EUR", txs[0].Currency)
	assert.Equal(t, api.TxCredit, txs[1].Kind)
	txs, _, err = c.Transactions(ctx, "2", api.ListQuery{Status: "pending"})
	require.NoError(t, err)
	require.Len(t, txs, 1)
	assert.Equal(t, "32", txs[0].ID)
	_, _, err = c.Transactions(ctx, "x", api.ListQuery{})
	assert.Equal(t, api.KindValidation, kindOf(t, err))
}

func TestQuoteAndPlace(t *testing.T) {
	f := newFake(t)
	f.handle("POST /api/v1/products/77/charges", reply(200, `{"non_discounted_total":250.00,"discount_amount":8.75,
"total_amount":241.25,"discount":3.5,"gst_amount":0.00,"total_payable":241.25,"max_quantity":100,
"charges_details":{"source_currency":"USD","destination_currency":"USD","forex_rate":null,"conversion_fee":null}}`))
	f.handle("POST /api/v1/orders", func(w http.ResponseWriter, r *http.Request) {
		reply(201, voucherOrderJSON)(w, r)
	})
	f.handle("POST /api/v1/topups/orders", reply(200, topupFailedJSON))
	f.handle("PATCH /api/v1/topups/orders/9123456/notification-email", reply(200, `{"success":true,"data":{"message":"ok"}}`))
	f.handle("GET /api/v1/topups/orders/9123456", reply(200, topupFailedJSON))
	c := f.client(t)
	ctx := context.Background()

	q, err := c.Quote(ctx, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "77", Amount: 50, Quantity: 5})
	require.NoError(t, err)
	assert.Equal(t, api.Quote{Provider: api.ProviderOctopus, Vertical: api.VerticalVoucher, FaceValue: 250, Discount: 8.75,
		DiscountPct: 3.5, Total: 241.25, TotalPayable: 241.25, Currency: "USD", WalletCurrency: "USD", MaxQuantity: 100}, q)
	var body map[string]any
	require.NoError(t, json.Unmarshal(f.lastBody("POST /api/v1/products/77/charges"), &body))
	assert.Equal(t, map[string]any{"denomination": 50.0, "quantity": 5.0}, body)

	o, err := c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "77", Amount: 50, Quantity: 2,
		WalletID: "1", ClientReference: "order-abc", Email: "a@example.com"})
	require.NoError(t, err)
	assert.Equal(t, "1234", o.ID)
	body = nil
	require.NoError(t, json.Unmarshal(f.lastBody("POST /api/v1/orders"), &body))
	assert.Equal(t, map[string]any{"product_id": 77.0, "denomination": 50.0, "quantity": 2.0, "wallet_id": 1.0,
		"client_reference": "order-abc", "email": "a@example.com"}, body)

	o, err = c.PlaceOrder(ctx, api.OrderRequest{Vertical: api.VerticalTopup, ProductID: "4218", Amount: 0.99,
		InputData: map[string]string{"player_id": "0000000"}, ClientReference: "tp-1", Email: "b@example.com"})
	require.NoError(t, err)
	assert.Equal(t, api.StatusFailed, o.Status)
	assert.Equal(t, "b@example.com", o.Email)
	body = nil
	require.NoError(t, json.Unmarshal(f.lastBody("POST /api/v1/topups/orders"), &body))
	assert.Equal(t, map[string]any{"product_id": 4218.0, "amount": 0.99, "input_data": map[string]any{"player_id": "0000000"},
		"client_reference": "tp-1"}, body)
	assert.Equal(t, 1, f.hitCount("GET /api/v1/topups/orders/9123456"), "PATCH reply was not an order: fetched")

	bad := []api.OrderRequest{
		{Vertical: api.VerticalMobile, ProductID: "1", Amount: 1},
		{Vertical: api.VerticalVoucher, ProductID: "x", Amount: 1},
		{Vertical: api.VerticalVoucher, ProductID: "1", Amount: 0},
		{Vertical: api.VerticalVoucher, ProductID: "1", Amount: -3},
		{Vertical: api.VerticalVoucher, ProductID: "1", Amount: 5, Quantity: 5001},
		{Vertical: api.VerticalTopup, ProductID: "1", Amount: 5, Quantity: 2},
		{Vertical: api.VerticalVoucher, ProductID: "1", Amount: 5, ClientReference: "é"},
		{Vertical: api.VerticalVoucher, ProductID: "1", Amount: 5, WalletID: "eur"},
		{Vertical: api.VerticalVoucher, ProductID: "1", Amount: 5, Email: "nope"},
	}
	before := len(f.requestIDs())
	for _, r := range bad {
		_, err := c.PlaceOrder(ctx, r)
		assert.Equal(t, api.KindValidation, kindOf(t, err), "%+v", r)
	}
	assert.Equal(t, before, len(f.requestIDs()), "bad requests send nothing")
}

func TestCatalogAdapter(t *testing.T) {
	f := newFake(t)
	f.handle("GET /api/v1/topups/products/4218", reply(200, `{"id":4218,"name":"PUBG Mobile UC","topup_type":"GAMING",
"country_code":"GLO","currency_code":"USD","image_url":"","input_fields":[{"name":"player_id","required":true}]}`))
	f.handle("GET /api/v1/topups/products/4218/variants", reply(200, `[{"id":1,"name":"60 UC","currency_code":"USD","fixed_amounts":["0.99"]}]`))
	f.handle("GET /api/v1/esim/products/712", reply(200, `{"id":712,"name":"Japan eSIM","country_code":"JPN","currency_code":"USD",
"variants":[{"id":5511,"esim_product_id":712,"name":"Japan 1 GB / 7 days","amount":4.50,"data_amount_gb":1,"validity_days":7,"client_discount":5}]}`))
	f.handle("GET /api/v1/products", func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		assert.Equal(t, "steam", r.URL.Query().Get("search"))
		w.Header().Set("X-Has-More", map[string]string{"1": "true", "2": "false"}[page])
		reply(200, `[{"id":`+page+`,"name":"Steam","category":"Gaming","currency_code":"USD",
"available_denominations":[{"min_value":10,"max_value":10,"discount":3.5},{"min_value":5,"max_value":500}]}]`)(w, r)
	})
	c := f.client(t)
	ctx := context.Background()
	p, err := c.Product(ctx, api.VerticalTopup, "4218")
	require.NoError(t, err)
	require.Len(t, p.Variants, 1)
	assert.Equal(t, []float64{0.99}, p.Variants[0].Fixed)
	require.Len(t, p.InputFields, 1)

	p, err = c.Product(ctx, api.VerticalESIM, "712")
	require.NoError(t, err)
	require.Len(t, p.Variants, 1)
	assert.Equal(t, 4.5, p.Variants[0].Price)
	assert.True(t, p.Variants[0].Allows(4.5))
	assert.Equal(t, 0, f.hitCount("GET /api/v1/esim/products/712/variants"), "inlined variants are used")

	ps, err := c.Products(ctx, api.VerticalVoucher, "steam")
	require.NoError(t, err)
	require.Len(t, ps, 2, "follows X-Has-More")
	assert.True(t, ps[0].Denominations[0].Fixed())
	assert.True(t, ps[0].Denominations[1].Contains(42))
}

func TestDecodeOrder(t *testing.T) {
	o, err := DecodeOrder([]byte(`{"id":991,"reference_code":"wh-1","status":"PARTIALLY_DELIVERED","product_name":"Steam",
"denomination":10,"quantity":100,"amount":1000,"delivered_quantity":87,"delivered_on":"2026-05-01T12:01:00Z"}`), api.VerticalVoucher)
	require.NoError(t, err)
	assert.Equal(t, "991", o.ID)
	assert.Equal(t, "wh-1", o.ClientReference)
	assert.Equal(t, api.StatusPartial, o.Status)
	assert.Equal(t, 87, o.DeliveredQuantity)
	assert.Equal(t, time.Date(2026, 5, 1, 12, 1, 0, 0, time.UTC), o.CompletedAt)

	for _, bad := range []string{``, `{}`, `[]`, `{"id":"x"}`, `{"success":true,"data":{"status":"DELIVERED"}}`} {
		_, err := DecodeOrder([]byte(bad), api.VerticalVoucher)
		assert.Equal(t, api.KindDecode, kindOf(t, err), bad)
	}
}

func TestSingleUnitOrdersCountTheirDelivery(t *testing.T) {
	for _, v := range []api.Vertical{api.VerticalTopup, api.VerticalESIM} {
		o, err := DecodeOrder([]byte(`{"id":7,"status":"DELIVERED","amount":4.5}`), v)
		require.NoError(t, err)
		assert.Equal(t, 1, o.Quantity, v)
		assert.Equal(t, 1, o.DeliveredQuantity, v)
		p, err := DecodeOrder([]byte(`{"id":8,"status":"PENDING","amount":4.5}`), v)
		require.NoError(t, err)
		assert.Equal(t, 0, p.DeliveredQuantity, v)
	}
}

// The wallet pays in its own currency: a JPY voucher from a USD wallet is
// debited (and refunded) in USD. A topup's face value is its requested
// amount; its amount is the price paid after discount.
func TestDebitInTheWalletsCurrencyAndFaceVsPaid(t *testing.T) {
	var v Order
	require.NoError(t, decodeBody([]byte(`{"id":100001,"product_name":"Rakuten Travel JPY","denomination":10000,"quantity":2,
		"amount":20000,"discount":0,"total_amount":20000,"base_currency":"JPY","deduction_currency":"USD","deduction_amount":130.68,
		"wallet_id":1,"status":"DELIVERED"}`), &v))
	o := v.ToAPI(api.VerticalVoucher)
	assert.Equal(t, "JPY", o.Currency)
	assert.Equal(t, 20000.0, o.Amount)
	assert.Equal(t, 130.68, o.Debited)
	assert.Equal(t, "USD", o.DebitCurrency)

	var tp Order
	require.NoError(t, decodeBody([]byte(`{"id":9123456,"product_name":"PUBG Mobile UC","requested_amount":0.99,"amount":0.9405,
		"currency":"USD","deduction_currency":"USD","deduction_amount":0.9405,"status":"DELIVERED"}`), &tp))
	o = tp.ToAPI(api.VerticalTopup)
	assert.Equal(t, 0.99, o.Amount, "face value")
	assert.Equal(t, 0.9405, o.Paid, "price paid")
	assert.Equal(t, 0.9405, o.Debited)
}
