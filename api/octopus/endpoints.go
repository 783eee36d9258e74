package octopus

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Every endpoint of the contract, one method each. List methods return the
// pagination headers as an api.Page.

func get[T any](ctx context.Context, c *Client, path string, q url.Values) (T, api.Page, error) {
	var out T
	page, err := c.do(ctx, request{method: http.MethodGet, path: path, query: q}, &out)
	if err != nil {
		var zero T
		return zero, api.Page{}, err
	}
	return out, page, nil
}

func send[T any](ctx context.Context, c *Client, method, path string, body any, create bool) (T, error) {
	var out T
	if _, err := c.do(ctx, request{method: method, path: path, body: body, create: create}, &out); err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

func listPage[T any](items []T, page api.Page) api.Page {
	if page.Size == 0 {
		page.Size = len(items)
	}
	return page
}

func idPath(prefix string, id int64, suffix string) string {
	return prefix + "/" + strconv.FormatInt(id, 10) + suffix
}

func badID(op string, id int64) error {
	if id > 0 {
		return nil
	}
	return &api.Error{Kind: api.KindValidation, Provider: ProviderID, Op: op, Field: "id", Message: "id must be a positive integer"}
}

type query url.Values

func (q query) str(k, v string) query {
	if v = strings.TrimSpace(v); v != "" {
		url.Values(q).Set(k, v)
	}
	return q
}

func (q query) num(k string, v int64) query {
	if v > 0 {
		url.Values(q).Set(k, strconv.FormatInt(v, 10))
	}
	return q
}

// --- Reference data ---

// Countries lists every country (GET /api/v1/countries).
func (c *Client) Countries(ctx context.Context) ([]Country, error) {
	v, _, err := get[[]Country](ctx, c, "/api/v1/countries", nil)
	return v, err
}

// Country returns one country (GET /api/v1/countries/:id).
func (c *Client) Country(ctx context.Context, id int64) (Country, error) {
	if err := badID("GET /api/v1/countries/:id", id); err != nil {
		return Country{}, err
	}
	v, _, err := get[Country](ctx, c, idPath("/api/v1/countries", id, ""), nil)
	return v, err
}

// Currencies lists every currency (GET /api/v1/currencies).
func (c *Client) Currencies(ctx context.Context) ([]Currency, error) {
	v, _, err := get[[]Currency](ctx, c, "/api/v1/currencies", nil)
	if err == nil {
		c.rememberCurrencies(v)
	}
	return v, err
}

// Categories lists voucher categories (GET /api/v1/categories).
func (c *Client) Categories(ctx context.Context) ([]Category, error) {
	v, _, err := get[[]Category](ctx, c, "/api/v1/categories", nil)
	return v, err
}

// Category returns one category (GET /api/v1/categories/:id).
func (c *Client) Category(ctx context.Context, id int64) (Category, error) {
	if err := badID("GET /api/v1/categories/:id", id); err != nil {
		return Category{}, err
	}
	v, _, err := get[Category](ctx, c, idPath("/api/v1/categories", id, ""), nil)
	return v, err
}

// Subcategories lists voucher subcategories (GET /api/v1/subcategories).
func (c *Client) Subcategories(ctx context.Context) ([]Subcategory, error) {
	v, _, err := get[[]Subcategory](ctx, c, "/api/v1/subcategories", nil)
	return v, err
}

// Subcategory returns one subcategory (GET /api/v1/subcategories/:id).
func (c *Client) Subcategory(ctx context.Context, id int64) (Subcategory, error) {
	if err := badID("GET /api/v1/subcategories/:id", id); err != nil {
		return Subcategory{}, err
	}
	v, _, err := get[Subcategory](ctx, c, idPath("/api/v1/subcategories", id, ""), nil)
	return v, err
}

// --- Vouchers ---

// VoucherProducts lists the voucher catalogue (GET /api/v1/products).
func (c *Client) VoucherProducts(ctx context.Context, q VoucherProductsQuery) ([]VoucherProduct, api.Page, error) {
	v := query(url.Values{}).num("country_id", q.CountryID).str("category", q.Category).
		num("currency_id", q.CurrencyID).str("search", q.Search).num("page", int64(q.Page)).num("limit", int64(q.Limit))
	items, page, err := get[[]VoucherProduct](ctx, c, "/api/v1/products", url.Values(v))
	return items, listPage(items, page), err
}

// VoucherProduct returns one voucher product (GET /api/v1/products/:id).
func (c *Client) VoucherProduct(ctx context.Context, id int64) (VoucherProduct, error) {
	if err := badID("GET /api/v1/products/:id", id); err != nil {
		return VoucherProduct{}, err
	}
	v, _, err := get[VoucherProduct](ctx, c, idPath("/api/v1/products", id, ""), nil)
	return v, err
}

// VoucherAvailability is the live stock check (POST /api/v1/products/:id/availability).
// The catalogue guide calls it a GET: on 405 it is asked again that way.
func (c *Client) VoucherAvailability(ctx context.Context, id int64, denomination float64, quantity int) (bool, error) {
	if err := badID("POST /api/v1/products/:id/availability", id); err != nil {
		return false, err
	}
	path := idPath("/api/v1/products", id, "/availability")
	body := map[string]any{"denomination": denomination, "quantity": quantity}
	var out Availability
	_, err := c.do(ctx, request{method: http.MethodPost, path: path, body: body}, &out)
	if e := (*api.Error)(nil); err != nil && asError(err, &e) && e.HTTPStatus == http.StatusMethodNotAllowed {
		q := url.Values{}
		q.Set("denomination", strconv.FormatFloat(denomination, 'f', -1, 64))
		q.Set("quantity", strconv.Itoa(quantity))
		out, _, err = get[Availability](ctx, c, path, q)
	}
	return bool(out.IsAvailable), err
}

// VoucherCharges quotes a voucher order (POST /api/v1/products/:id/charges).
func (c *Client) VoucherCharges(ctx context.Context, id int64, r VoucherChargesRequest) (Charges, error) {
	if err := badID("POST /api/v1/products/:id/charges", id); err != nil {
		return Charges{}, err
	}
	return send[Charges](ctx, c, http.MethodPost, idPath("/api/v1/products", id, "/charges"), r, false)
}

// CreateVoucherOrder places a voucher order (POST /api/v1/orders). It is
// sent once; a lost reply is KindOutcomeUnknown.
func (c *Client) CreateVoucherOrder(ctx context.Context, r CreateVoucherOrderRequest) (Order, error) {
	return c.create(ctx, "/api/v1/orders", r)
}

// VoucherOrder fetches one voucher order with its codes (GET /api/v1/orders/:id).
func (c *Client) VoucherOrder(ctx context.Context, id int64) (Order, error) {
	return c.getOrder(ctx, "/api/v1/orders", id)
}

// VoucherOrders lists voucher orders, newest first (GET /api/v1/orders).
func (c *Client) VoucherOrders(ctx context.Context, q VoucherOrdersQuery) ([]Order, api.Page, error) {
	v := query(url.Values{}).str("status", q.Status).str("client_reference", q.ClientReference).
		num("page", int64(q.Page)).num("limit", int64(q.Limit))
	return c.listOrders(ctx, "/api/v1/orders", url.Values(v))
}

// SetVoucherNotificationEmail attaches an email (PATCH /api/v1/orders/:id/notification-email).
func (c *Client) SetVoucherNotificationEmail(ctx context.Context, id int64, email string) (Order, error) {
	return c.notify(ctx, "/api/v1/orders", id, email)
}

// --- Topups ---

// TopupProducts lists topup products (GET /api/v1/topups/products).
func (c *Client) TopupProducts(ctx context.Context, q TopupProductsQuery) ([]TopupProduct, api.Page, error) {
	v := query(url.Values{}).num("page", int64(q.Page)).num("per_page", int64(q.PerPage)).
		str("type", q.Type).str("search", q.Search)
	items, page, err := get[[]TopupProduct](ctx, c, "/api/v1/topups/products", url.Values(v))
	return items, listPage(items, page), err
}

// TopupProduct returns one topup product with its input_fields.
func (c *Client) TopupProduct(ctx context.Context, id int64) (TopupProduct, error) {
	if err := badID("GET /api/v1/topups/products/:id", id); err != nil {
		return TopupProduct{}, err
	}
	v, _, err := get[TopupProduct](ctx, c, idPath("/api/v1/topups/products", id, ""), nil)
	return v, err
}

// TopupVariants lists a topup product's variants.
func (c *Client) TopupVariants(ctx context.Context, productID int64) ([]TopupVariant, error) {
	if err := badID("GET /api/v1/topups/products/:id/variants", productID); err != nil {
		return nil, err
	}
	v, _, err := get[[]TopupVariant](ctx, c, idPath("/api/v1/topups/products", productID, "/variants"), nil)
	return v, err
}

// TopupVariant returns one variant (GET /api/v1/topups/variants/:id).
func (c *Client) TopupVariant(ctx context.Context, id int64) (TopupVariant, error) {
	if err := badID("GET /api/v1/topups/variants/:id", id); err != nil {
		return TopupVariant{}, err
	}
	v, _, err := get[TopupVariant](ctx, c, idPath("/api/v1/topups/variants", id, ""), nil)
	return v, err
}

// TopupLookup guesses the operator of an E.164 number (POST /api/v1/topups/lookup).
func (c *Client) TopupLookup(ctx context.Context, mobileNumber string) ([]LookupResult, error) {
	body := map[string]string{"mobile_number": mobileNumber}
	return send[[]LookupResult](ctx, c, http.MethodPost, "/api/v1/topups/lookup", body, false)
}

// TopupCharges quotes a topup (POST /api/v1/topups/charges).
func (c *Client) TopupCharges(ctx context.Context, r TopupChargesRequest) (Charges, error) {
	return send[Charges](ctx, c, http.MethodPost, "/api/v1/topups/charges", r, false)
}

// CreateTopupOrder places a topup (POST /api/v1/topups/orders), sent once.
func (c *Client) CreateTopupOrder(ctx context.Context, r CreateTopupOrderRequest) (Order, error) {
	return c.create(ctx, "/api/v1/topups/orders", r)
}

// TopupOrder fetches one topup, refreshed upstream (GET /api/v1/topups/orders/:id).
func (c *Client) TopupOrder(ctx context.Context, id int64) (Order, error) {
	return c.getOrder(ctx, "/api/v1/topups/orders", id)
}

// TopupOrders lists topups, newest first (GET /api/v1/topups/orders).
func (c *Client) TopupOrders(ctx context.Context, q TopupOrdersQuery) ([]Order, api.Page, error) {
	v := query(url.Values{}).str("status", q.Status).num("product_id", q.ProductID).
		str("country", strings.ToUpper(q.Country)).str("client_reference", q.ClientReference).
		num("page", int64(q.Page)).num("per_page", int64(q.PerPage))
	return c.listOrders(ctx, "/api/v1/topups/orders", url.Values(v))
}

// SetTopupNotificationEmail attaches an email to a topup.
func (c *Client) SetTopupNotificationEmail(ctx context.Context, id int64, email string) (Order, error) {
	return c.notify(ctx, "/api/v1/topups/orders", id, email)
}

// --- eSIM ---

// ESIMProducts lists eSIM products (GET /api/v1/esim/products).
func (c *Client) ESIMProducts(ctx context.Context, q ESIMProductsQuery) ([]ESIMProduct, api.Page, error) {
	v := query(url.Values{}).num("page", int64(q.Page)).num("per_page", int64(q.PerPage)).
		str("country_code", strings.ToUpper(q.CountryCode)).str("search", q.Search)
	items, page, err := get[[]ESIMProduct](ctx, c, "/api/v1/esim/products", url.Values(v))
	return items, listPage(items, page), err
}

// ESIMProduct returns one eSIM product with its variants inlined.
func (c *Client) ESIMProduct(ctx context.Context, id int64) (ESIMProduct, error) {
	if err := badID("GET /api/v1/esim/products/:id", id); err != nil {
		return ESIMProduct{}, err
	}
	v, _, err := get[ESIMProduct](ctx, c, idPath("/api/v1/esim/products", id, ""), nil)
	return v, err
}

// ESIMVariants lists an eSIM product's plans.
func (c *Client) ESIMVariants(ctx context.Context, productID int64) ([]ESIMVariant, error) {
	if err := badID("GET /api/v1/esim/products/:id/variants", productID); err != nil {
		return nil, err
	}
	v, _, err := get[[]ESIMVariant](ctx, c, idPath("/api/v1/esim/products", productID, "/variants"), nil)
	return v, err
}

// ESIMVariant returns one plan (GET /api/v1/esim/variants/:id).
func (c *Client) ESIMVariant(ctx context.Context, id int64) (ESIMVariant, error) {
	if err := badID("GET /api/v1/esim/variants/:id", id); err != nil {
		return ESIMVariant{}, err
	}
	v, _, err := get[ESIMVariant](ctx, c, idPath("/api/v1/esim/variants", id, ""), nil)
	return v, err
}

// ESIMCharges quotes an eSIM (POST /api/v1/esim/charges).
func (c *Client) ESIMCharges(ctx context.Context, r ESIMChargesRequest) (Charges, error) {
	return send[Charges](ctx, c, http.MethodPost, "/api/v1/esim/charges", r, false)
}

// esimCreateTimeout outlasts the eSIM handler's 60 s fulfilment deadline,
// so a slow eSIM comes back PENDING rather than as an unknown outcome.
const esimCreateTimeout = 75 * time.Second

// CreateESIMOrder places an eSIM order (POST /api/v1/esim/orders), sent once.
// The server may hold it up to 60 s, so this call waits at least 75 s
// (longer if Config.Timeout says so); ctx can still cut it short.
func (c *Client) CreateESIMOrder(ctx context.Context, r CreateESIMOrderRequest) (Order, error) {
	return c.createWith(ctx, "/api/v1/esim/orders", r, esimCreateTimeout)
}

// ESIMOrder fetches one eSIM with its activation code while not installed.
func (c *Client) ESIMOrder(ctx context.Context, id int64) (Order, error) {
	return c.getOrder(ctx, "/api/v1/esim/orders", id)
}

// ESIMOrders lists eSIM orders, newest first; install state may lag.
func (c *Client) ESIMOrders(ctx context.Context, q ESIMOrdersQuery) ([]Order, api.Page, error) {
	v := query(url.Values{}).str("status", q.Status).str("client_reference", q.ClientReference).
		num("page", int64(q.Page)).num("per_page", int64(q.PerPage))
	return c.listOrders(ctx, "/api/v1/esim/orders", url.Values(v))
}

// SetESIMNotificationEmail attaches an email to an eSIM order.
func (c *Client) SetESIMNotificationEmail(ctx context.Context, id int64, email string) (Order, error) {
	return c.notify(ctx, "/api/v1/esim/orders", id, email)
}

// --- Wallets and transactions ---

// ListWallets returns the raw wallets (GET /api/v1/wallets).
func (c *Client) ListWallets(ctx context.Context) ([]Wallet, error) {
	v, _, err := get[[]Wallet](ctx, c, "/api/v1/wallets", nil)
	return v, err
}

// ListTransactions lists wallet movements, newest first (GET /api/v1/transactions).
func (c *Client) ListTransactions(ctx context.Context, q TransactionsQuery) ([]Transaction, api.Page, error) {
	if q.WalletID < 0 {
		return nil, api.Page{}, badID("GET /api/v1/transactions", 0)
	}
	v := query(url.Values{}).num("page", int64(q.Page)).num("limit", int64(q.Limit)).num("wallet_id", q.WalletID)
	items, page, err := get[[]Transaction](ctx, c, "/api/v1/transactions", url.Values(v))
	return items, listPage(items, page), err
}

// GetTransaction fetches one transaction at the inferred path
// GET /api/v1/transactions/:id (undocumented).
func (c *Client) GetTransaction(ctx context.Context, id int64) (Transaction, error) {
	if err := badID("GET /api/v1/transactions/:id", id); err != nil {
		return Transaction{}, err
	}
	v, _, err := get[Transaction](ctx, c, idPath("/api/v1/transactions", id, ""), nil)
	return v, err
}

// --- shared order helpers ---

func (c *Client) create(ctx context.Context, path string, body any) (Order, error) {
	return c.createWith(ctx, path, body, 0)
}

func (c *Client) createWith(ctx context.Context, path string, body any, minTimeout time.Duration) (Order, error) {
	var o Order
	if _, err := c.do(ctx, request{method: http.MethodPost, path: path, body: body, create: true, minTimeout: minTimeout}, &o); err != nil {
		return Order{}, err
	}
	if o.ID <= 0 {
		return Order{}, &api.Error{Kind: api.KindOutcomeUnknown, Provider: ProviderID, Op: "POST " + path,
			Message: "create response carries no order id; look the order up by client_reference"}
	}
	return o, nil
}

func (c *Client) getOrder(ctx context.Context, prefix string, id int64) (Order, error) {
	if err := badID("GET "+prefix+"/:id", id); err != nil {
		return Order{}, err
	}
	o, _, err := get[Order](ctx, c, idPath(prefix, id, ""), nil)
	if err == nil && o.ID == 0 {
		o.ID = Int(id)
	}
	return o, err
}

func (c *Client) listOrders(ctx context.Context, path string, q url.Values) ([]Order, api.Page, error) {
	items, page, err := get[[]Order](ctx, c, path, q)
	return items, listPage(items, page), err
}

func (c *Client) notify(ctx context.Context, prefix string, id int64, email string) (Order, error) {
	op := "PATCH " + prefix + "/:id/notification-email"
	if err := badID(op, id); err != nil {
		return Order{}, err
	}
	if err := checkEmail(op, email); err != nil {
		return Order{}, err
	}
	var reply lenientOrder
	r := request{method: http.MethodPatch, path: idPath(prefix, id, "/notification-email"), body: map[string]string{"email": email}, emptyOK: true}
	if _, err := c.do(ctx, r, &reply); err != nil {
		return Order{}, err
	}
	if reply.ID == 0 { // the reply is not documented: fetch the order if it was not one
		return c.getOrder(ctx, prefix, id)
	}
	return reply.Order, nil
}

// lenientOrder decodes an order if the body is one and ignores it otherwise.
type lenientOrder struct{ Order }

func (l *lenientOrder) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &l.Order); err != nil {
		l.Order = Order{}
	}
	return nil
}
