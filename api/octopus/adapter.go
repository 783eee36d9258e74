package octopus

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/mail"
	"regexp"
	"strconv"
	"strings"

	"github.com/orderwatch/orderwatch/api"
)

// The adapter: *Client implements the root model's interfaces so the poller
// and the UI never see wire types.
var (
	_ api.OrderSource  = (*Client)(nil)
	_ api.Placer       = (*Client)(nil)
	_ api.Notifier     = (*Client)(nil)
	_ api.Catalog      = (*Client)(nil)
	_ api.Transactions = (*Client)(nil)
)

// Provider is ProviderID.
func (c *Client) Provider() api.Provider { return ProviderID }

// Verticals are voucher, topup and esim.
func (c *Client) Verticals() []api.Vertical {
	return []api.Vertical{VerticalVoucher, VerticalTopup, VerticalESIM}
}

func orderPrefix(v api.Vertical) (string, error) {
	switch v {
	case VerticalVoucher:
		return "/api/v1/orders", nil
	case VerticalTopup:
		return "/api/v1/topups/orders", nil
	case VerticalESIM:
		return "/api/v1/esim/orders", nil
	}
	return "", invalid("vertical", fmt.Sprintf("%q is not an Octopus Cards vertical (voucher, topup, esim)", v))
}

func invalid(field, msg string) *api.Error {
	return &api.Error{Kind: api.KindValidation, Provider: ProviderID, Field: field, Message: msg}
}

func parseID(field, s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, invalid(field, fmt.Sprintf("%q is not a positive integer id", truncate(s, 40)))
	}
	return n, nil
}

func optionalID(field, s string) (int64, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	return parseID(field, s)
}

// checkReference applies the contract's rule: printable ASCII, at most 255.
func checkReference(ref string) error {
	if len(ref) > 255 {
		return invalid("client_reference", "client_reference is longer than 255 characters")
	}
	for i := 0; i < len(ref); i++ {
		if ref[i] < 0x20 || ref[i] > 0x7e {
			return invalid("client_reference", "client_reference must be printable ASCII")
		}
	}
	return nil
}

func checkEmail(op, email string) error {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		e := invalid("email", fmt.Sprintf("%q is not a valid email address", truncate(email, 60)))
		e.Op = op
		return e
	}
	return nil
}

func asError(err error, target **api.Error) bool { return errors.As(err, target) }

// GetOrder returns the freshest state of one order (the detail call).
func (c *Client) GetOrder(ctx context.Context, v api.Vertical, id string) (api.Order, error) {
	prefix, err := orderPrefix(v)
	if err != nil {
		return api.Order{}, err
	}
	n, err := parseID("id", id)
	if err != nil {
		return api.Order{}, err
	}
	o, err := c.getOrder(ctx, prefix, n)
	if err != nil {
		return api.Order{}, err
	}
	return o.ToAPI(v), nil
}

// FindByReference looks an order up with ?client_reference=. The list
// returns stored state: poll GetOrder for the freshest.
func (c *Client) FindByReference(ctx context.Context, v api.Vertical, ref string) (api.Order, bool, error) {
	if strings.TrimSpace(ref) == "" {
		return api.Order{}, false, invalid("client_reference", "client_reference is empty")
	}
	if err := checkReference(ref); err != nil {
		return api.Order{}, false, err
	}
	page, err := c.ListOrders(ctx, v, api.ListQuery{ClientReference: ref})
	if err != nil {
		return api.Order{}, false, err
	}
	for _, o := range page.Orders {
		if o.ClientReference == ref { // exact match, in case the filter is ignored
			return o, true, nil
		}
	}
	return api.Order{}, false, nil
}

// ListOrders returns one page, newest first.
func (c *Client) ListOrders(ctx context.Context, v api.Vertical, q api.ListQuery) (api.OrderPage, error) {
	if q.Page < 0 || q.PerPage < 0 {
		return api.OrderPage{}, invalid("page", "page and per-page must not be negative")
	}
	var (
		items []Order
		page  api.Page
		err   error
	)
	switch v {
	case VerticalVoucher:
		items, page, err = c.VoucherOrders(ctx, VoucherOrdersQuery{Status: q.Status, ClientReference: q.ClientReference, Page: q.Page, Limit: q.PerPage})
	case VerticalTopup:
		items, page, err = c.TopupOrders(ctx, TopupOrdersQuery{Status: q.Status, ClientReference: q.ClientReference, Page: q.Page, PerPage: q.PerPage})
	case VerticalESIM:
		items, page, err = c.ESIMOrders(ctx, ESIMOrdersQuery{Status: q.Status, ClientReference: q.ClientReference, Page: q.Page, PerPage: q.PerPage})
	default:
		_, err = orderPrefix(v)
	}
	if err != nil {
		return api.OrderPage{}, err
	}
	out := api.OrderPage{Orders: make([]api.Order, 0, len(items)), Page: page}
	for _, o := range items {
		out.Orders = append(out.Orders, o.ToAPI(v))
	}
	return out, nil
}

// Wallets returns the balances with currency codes (from /currencies, cached).
func (c *Client) Wallets(ctx context.Context) ([]api.Wallet, error) {
	ws, err := c.ListWallets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]api.Wallet, 0, len(ws))
	for _, w := range ws {
		code := firstText(w.CurrencyCode, w.Currency)
		if code == "" && w.CurrencyID > 0 {
			if code, err = c.currencyCode(ctx, int64(w.CurrencyID)); err != nil {
				return nil, err
			}
		}
		out = append(out, api.Wallet{
			Provider: ProviderID,
			ID:       w.ID.String(),
			Currency: code,
			Balance:  float64(w.Amount),
			Type:     strings.ToUpper(string(w.Type)),
		})
	}
	return out, nil
}

func (c *Client) rememberCurrencies(cs []Currency) {
	m := make(map[int64]string, len(cs))
	for _, cur := range cs {
		if code := cur.ISO(); code != "" && cur.ID > 0 {
			m[int64(cur.ID)] = strings.ToUpper(code)
		}
	}
	c.curMu.Lock()
	c.currencies = m
	c.curMu.Unlock()
}

// currencyCode maps a currency id to its code, loading /currencies once
// (and again when an unknown id shows up). An id that stays unknown is "#id".
func (c *Client) currencyCode(ctx context.Context, id int64) (string, error) {
	c.curMu.Lock()
	code, ok := c.currencies[id]
	c.curMu.Unlock()
	if ok {
		return code, nil
	}
	if _, err := c.Currencies(ctx); err != nil {
		return "", err
	}
	c.curMu.Lock()
	code, ok = c.currencies[id]
	if !ok { // remember the miss so one odd id does not cost a GET per call
		c.currencies[id] = "#" + strconv.FormatInt(id, 10)
		code = c.currencies[id]
	}
	c.curMu.Unlock()
	return code, nil
}

// Quote prices an order request through the vertical's charges endpoint.
func (c *Client) Quote(ctx context.Context, r api.OrderRequest) (api.Quote, error) {
	p, err := checkRequest(r, false)
	if err != nil {
		return api.Quote{}, err
	}
	var ch Charges
	switch r.Vertical {
	case VerticalVoucher:
		ch, err = c.VoucherCharges(ctx, p.product, VoucherChargesRequest{Denomination: r.Amount, Quantity: p.quantity, WalletID: p.wallet})
	case VerticalTopup:
		ch, err = c.TopupCharges(ctx, TopupChargesRequest{ProductID: p.product, Amount: r.Amount, WalletID: p.wallet, Category: r.Category})
	case VerticalESIM:
		ch, err = c.ESIMCharges(ctx, ESIMChargesRequest{ProductID: p.product, Amount: r.Amount, WalletID: p.wallet})
	}
	if err != nil {
		return api.Quote{}, err
	}
	return ch.ToAPI(r.Vertical, r.WalletID), nil
}

type checkedRequest struct {
	product, wallet int64
	quantity        int
}

func checkRequest(r api.OrderRequest, placing bool) (checkedRequest, error) {
	var p checkedRequest
	if _, err := orderPrefix(r.Vertical); err != nil {
		return p, err
	}
	var err error
	if p.product, err = parseID("product_id", r.ProductID); err != nil {
		return p, err
	}
	if p.wallet, err = optionalID("wallet_id", r.WalletID); err != nil {
		return p, err
	}
	if !(r.Amount > 0) || math.IsInf(r.Amount, 0) || r.Amount > 1e9 {
		return p, invalid("amount", "amount must be a positive number")
	}
	p.quantity = r.Quantity
	if p.quantity == 0 {
		p.quantity = 1
	}
	switch {
	case p.quantity < 0:
		return p, invalid("quantity", "quantity must be positive")
	case r.Vertical == VerticalVoucher && p.quantity > 5000:
		return p, invalid("quantity", "quantity is capped at 5000")
	case r.Vertical != VerticalVoucher && p.quantity != 1:
		return p, invalid("quantity", "topup and eSIM orders are one unit each")
	}
	if placing {
		if err := checkReference(r.ClientReference); err != nil {
			return p, err
		}
		if r.Email != "" {
			if err := checkEmail("", r.Email); err != nil {
				return p, err
			}
		}
	}
	return p, nil
}

// PlaceOrder sends exactly one create request and never retries it. A reply
// lost after sending is an *api.Error of KindOutcomeUnknown: resolve it with
// FindByReference. For topups and eSIMs an Email is attached afterwards with
// the notification-email call; a failure there is logged, not returned,
// because the order itself was placed.
func (c *Client) PlaceOrder(ctx context.Context, r api.OrderRequest) (api.Order, error) {
	p, err := checkRequest(r, true)
	if err != nil {
		return api.Order{}, err
	}
	var o Order
	switch r.Vertical {
	case VerticalVoucher:
		o, err = c.CreateVoucherOrder(ctx, CreateVoucherOrderRequest{
			ProductID: p.product, Denomination: r.Amount, Quantity: p.quantity,
			WalletID: p.wallet, ClientReference: r.ClientReference, Email: r.Email,
		})
	case VerticalTopup:
		o, err = c.CreateTopupOrder(ctx, CreateTopupOrderRequest{
			ProductID: p.product, Amount: r.Amount, InputData: r.InputData, Category: r.Category,
			ClientReference: r.ClientReference, WalletID: p.wallet,
		})
	case VerticalESIM:
		o, err = c.CreateESIMOrder(ctx, CreateESIMOrderRequest{
			ProductID: p.product, Amount: r.Amount, ClientReference: r.ClientReference, WalletID: p.wallet,
		})
	}
	if err != nil {
		return api.Order{}, err
	}
	out := o.ToAPI(r.Vertical)
	if r.Email != "" && r.Vertical != VerticalVoucher && ctx.Err() == nil {
		prefix, _ := orderPrefix(r.Vertical)
		if _, err := c.notify(ctx, prefix, int64(o.ID), r.Email); err != nil {
			c.logf("octopus: order %s placed, but attaching the notification email failed: %v", out.Key(), err)
		} else {
			out.Email = r.Email
		}
	}
	return out, nil
}

// SetNotificationEmail attaches an email for terminal-transition receipts.
func (c *Client) SetNotificationEmail(ctx context.Context, v api.Vertical, id, email string) (api.Order, error) {
	prefix, err := orderPrefix(v)
	if err != nil {
		return api.Order{}, err
	}
	n, err := parseID("id", id)
	if err != nil {
		return api.Order{}, err
	}
	o, err := c.notify(ctx, prefix, n, email)
	if err != nil {
		return api.Order{}, err
	}
	out := o.ToAPI(v)
	if out.Email == "" {
		out.Email = email
	}
	return out, nil
}

const (
	catalogPageSize = 100
	catalogMaxPages = 5
)

// Products lists a vertical's catalogue matching search (server-side
// search), reading at most a few pages.
func (c *Client) Products(ctx context.Context, v api.Vertical, search string) ([]api.Product, error) {
	if _, err := orderPrefix(v); err != nil {
		return nil, err
	}
	var out []api.Product
	for pageNo := 1; pageNo <= catalogMaxPages; pageNo++ {
		var (
			items []api.Product
			page  api.Page
			err   error
		)
		switch v {
		case VerticalVoucher:
			items, page, err = productsPage(c.VoucherProducts(ctx, VoucherProductsQuery{Search: search, Page: pageNo, Limit: catalogPageSize}))
		case VerticalTopup:
			items, page, err = productsPage(c.TopupProducts(ctx, TopupProductsQuery{Search: search, Page: pageNo, PerPage: catalogPageSize}))
		case VerticalESIM:
			items, page, err = productsPage(c.ESIMProducts(ctx, ESIMProductsQuery{Search: search, Page: pageNo, PerPage: catalogPageSize}))
		}
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if !page.HasMore || len(items) == 0 {
			break
		}
	}
	return out, nil
}

// productsPage maps one catalogue page of a vertical to the model.
func productsPage[T interface{ ToAPI() api.Product }](items []T, page api.Page, err error) ([]api.Product, api.Page, error) {
	if err != nil {
		return nil, page, err
	}
	out := make([]api.Product, 0, len(items))
	for _, p := range items {
		out = append(out, p.ToAPI())
	}
	return out, page, nil
}

// Product returns one product with its variants (and a topup's input fields).
func (c *Client) Product(ctx context.Context, v api.Vertical, id string) (api.Product, error) {
	if _, err := orderPrefix(v); err != nil {
		return api.Product{}, err
	}
	n, err := parseID("id", id)
	if err != nil {
		return api.Product{}, err
	}
	switch v {
	case VerticalVoucher:
		p, err := c.VoucherProduct(ctx, n)
		if err != nil {
			return api.Product{}, err
		}
		return p.ToAPI(), nil
	case VerticalTopup:
		p, err := c.TopupProduct(ctx, n)
		if err != nil {
			return api.Product{}, err
		}
		if len(p.Variants) == 0 {
			if p.Variants, err = c.TopupVariants(ctx, n); err != nil {
				return api.Product{}, err
			}
		}
		return p.ToAPI(), nil
	default:
		p, err := c.ESIMProduct(ctx, n)
		if err != nil {
			return api.Product{}, err
		}
		if len(p.Variants) == 0 {
			if p.Variants, err = c.ESIMVariants(ctx, n); err != nil {
				return api.Product{}, err
			}
		}
		return p.ToAPI(), nil
	}
}

// Transactions lists wallet movements, newest first. walletID "" means all
// wallets; q.Status filters on the client (the server does not).
func (c *Client) Transactions(ctx context.Context, walletID string, q api.ListQuery) ([]api.Transaction, api.Page, error) {
	w, err := optionalID("wallet_id", walletID)
	if err != nil {
		return nil, api.Page{}, err
	}
	if q.Page < 0 || q.PerPage < 0 {
		return nil, api.Page{}, invalid("page", "page and per-page must not be negative")
	}
	items, page, err := c.ListTransactions(ctx, TransactionsQuery{Page: q.Page, Limit: q.PerPage, WalletID: w})
	if err != nil {
		return nil, api.Page{}, err
	}
	out := make([]api.Transaction, 0, len(items))
	for _, t := range items {
		if q.Status != "" && !strings.EqualFold(q.Status, string(t.Status)) {
			continue
		}
		at := t.ToAPI()
		if t.CurrencyID > 0 {
			// A missing code is cosmetic here: keep the list.
			if code, err := c.currencyCode(ctx, int64(t.CurrencyID)); err == nil {
				at.Currency = code
			}
		}
		out = append(out, at)
	}
	return out, page, nil
}

// ClassOf names the rate-limit class of a request, as §6.2 counts them:
// login and refresh (AUTH), the three create endpoints (CREATE), the three
// charges endpoints (CHARGES), everything else (GET). PATCH, availability
// and lookup have no class of their own; they are counted as GET.
func ClassOf(method, path string) api.EndpointClass {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	path = strings.TrimRight(path, "/")
	if !strings.EqualFold(method, http.MethodPost) {
		return api.ClassGET
	}
	switch {
	case strings.Contains(path, "/auth/"):
		return api.ClassAuth
	case strings.HasSuffix(path, "/charges"):
		return api.ClassCharges
	case strings.HasSuffix(path, "/api/v1/orders"), strings.HasSuffix(path, "/api/v1/topups/orders"),
		strings.HasSuffix(path, "/api/v1/esim/orders"):
		return api.ClassCreate
	}
	return api.ClassGET
}

// --- mapping to the model ---

var orderInRemarks = regexp.MustCompile(`(?i)order\s*#\s*(\d+)`)

// ToAPI maps a transaction (Currency is filled by the adapter).
func (t Transaction) ToAPI() api.Transaction {
	out := api.Transaction{
		Provider:     ProviderID,
		ID:           t.ID.String(),
		WalletID:     t.WalletID.String(),
		RawType:      string(t.TransactionType),
		Amount:       float64(t.Amount),
		Status:       strings.ToUpper(string(t.Status)),
		Remarks:      string(t.Remarks),
		OrderID:      t.OrderID.String(),
		BalanceAfter: float64(t.BalanceAfter),
		CreatedAt:    t.CreatedAt.Time,
		FXRate:       float64(t.ForexRate),
	}
	switch strings.ToUpper(string(t.TransactionType)) {
	case "CREDIT":
		out.Kind = api.TxCredit
	case "DEBIT":
		out.Kind = api.TxDebit
	}
	if out.OrderID == "" {
		if m := orderInRemarks.FindStringSubmatch(out.Remarks); m != nil {
			out.OrderID = m[1]
		}
	}
	return out
}

// ToAPI maps a quote.
func (ch Charges) ToAPI(v api.Vertical, walletID string) api.Quote {
	q := api.Quote{
		Provider:       ProviderID,
		Vertical:       v,
		FaceValue:      float64(ch.NonDiscountedTotal),
		Discount:       float64(ch.DiscountAmount),
		DiscountPct:    float64(ch.Discount),
		Total:          float64(ch.TotalAmount),
		TotalPayable:   float64(ch.TotalPayable),
		Currency:       string(ch.ChargesDetails.SourceCurrency),
		WalletCurrency: string(ch.ChargesDetails.DestinationCurrency),
		WalletID:       walletID,
		FXRate:         float64(ch.ChargesDetails.ForexRate),
		MaxQuantity:    int(ch.MaxQuantity),
		VariantName:    firstText(ch.ChargesDetails.VariantName, ch.VariantName),
	}
	if q.TotalPayable == 0 {
		q.TotalPayable = float64(ch.NetAmount)
		if q.TotalPayable == 0 {
			q.TotalPayable = q.Total
		}
	}
	if q.WalletCurrency == "" {
		q.WalletCurrency = q.Currency
	}
	return q
}

// ToAPI maps a voucher product.
func (p VoucherProduct) ToAPI() api.Product {
	out := api.Product{
		Provider: ProviderID, Vertical: VerticalVoucher,
		ID: p.ID.String(), Name: string(p.Name), Category: string(p.Category), SubCategory: string(p.SubCategory),
		CountryCode: string(p.CountryCode), Currency: string(p.CurrencyCode), Enabled: true,
	}
	for _, d := range p.AvailableDenominations {
		lo, hi := float64(d.MinValue), float64(d.MaxValue)
		if hi == 0 {
			hi = lo
		}
		if lo == 0 {
			lo = hi
		}
		out.Denominations = append(out.Denominations, api.Denomination{Min: lo, Max: hi, Discount: float64(d.Discount)})
	}
	return out
}

// ToAPI maps a topup product with its input fields and variants.
func (p TopupProduct) ToAPI() api.Product {
	out := api.Product{
		Provider: ProviderID, Vertical: VerticalTopup,
		ID: p.ID.String(), Name: string(p.Name), CountryCode: string(p.CountryCode),
		Currency: string(p.CurrencyCode), Type: strings.ToUpper(string(p.TopupType)), Enabled: true,
	}
	for _, f := range p.InputFields {
		out.InputFields = append(out.InputFields, api.InputField{Name: f.Name, Label: f.Label, Required: f.Required, Pattern: f.Pattern, Example: f.Example})
	}
	for _, v := range p.Variants {
		out.Variants = append(out.Variants, v.ToAPI())
	}
	return out
}

// ToAPI maps a topup variant.
func (v TopupVariant) ToAPI() api.Variant {
	out := api.Variant{
		ID: v.ID.String(), Name: string(v.Name), Category: string(v.Category), Currency: string(v.CurrencyCode),
		Min: float64(v.MinAmount), Max: float64(v.MaxAmount), Stock: -1,
	}
	for _, f := range v.FixedAmounts {
		out.Fixed = append(out.Fixed, float64(f))
	}
	if len(v.Fields) > 0 {
		out.Fields = make(map[string]string, len(v.Fields))
		for k, s := range v.Fields {
			out.Fields[k] = s
		}
	}
	if d, err := strconv.Atoi(strings.TrimSpace(v.Fields["validity_days"])); err == nil {
		out.ValidityDays = d
	}
	return out
}

// ToAPI maps an eSIM product with its plans.
func (p ESIMProduct) ToAPI() api.Product {
	out := api.Product{
		Provider: ProviderID, Vertical: VerticalESIM,
		ID: p.ID.String(), Name: string(p.Name), CountryCode: string(p.CountryCode),
		Currency: string(p.CurrencyCode), Enabled: true,
	}
	for _, v := range p.Variants {
		out.Variants = append(out.Variants, v.ToAPI())
	}
	return out
}

// ToAPI maps an eSIM plan; Price is the amount to echo when ordering.
func (v ESIMVariant) ToAPI() api.Variant {
	out := api.Variant{
		ID: v.ID.String(), Name: string(v.Name), Currency: string(v.CurrencyCode),
		Price: float64(v.Amount), DataGB: float64(v.DataAmountGB), ValidityDays: int(v.ValidityDays),
		Discount: float64(v.ClientDiscount), Stock: -1,
	}
	if v.Description != "" {
		out.Fields = map[string]string{"description": string(v.Description)}
	}
	return out
}

// ToAPI maps an order of vertical v to the normalized model.
func (o Order) ToAPI(v api.Vertical) api.Order {
	out := api.Order{
		Provider:          ProviderID,
		Vertical:          v,
		ID:                o.ID.String(),
		ClientReference:   firstText(o.ClientReference, o.ReferenceCode),
		Status:            Normalize(string(o.Status)),
		RawStatus:         string(o.Status),
		StatusText:        string(o.StatusText),
		ProductID:         o.ProductID.String(),
		ProductName:       string(o.ProductName),
		VariantID:         o.VariantID.String(),
		VariantName:       string(o.VariantName),
		Category:          string(o.Category),
		CountryCode:       string(o.CountryCode),
		Denomination:      float64(o.Denomination),
		Amount:            float64(o.Amount),
		Currency:          strings.ToUpper(firstText(o.Currency, o.CurrencyCode, o.BaseCurrency, o.DeductionCurrency)),
		Discount:          float64(o.Discount),
		Refunded:          float64(o.RefundedAmount),
		Quantity:          int(o.Quantity),
		DeliveredQuantity: int(o.DeliveredQuantity),
		CreatedAt:         o.CreatedAt.Time,
		UpdatedAt:         o.UpdatedAt.Time,
		CompletedAt:       o.CompletedAt.Time,
		FailureCode:       string(o.FailureCode),
		FailureReason:     string(o.FailureReason),
		UserFixable:       bool(o.IsUserFixable),
		WalletID:          o.WalletID.String(),
		TransactionID:     string(o.TransactionID),
		Email:             firstText(o.Email, o.NotifyEmail),
	}
	if out.CompletedAt.IsZero() {
		out.CompletedAt = o.DeliveredOn.Time
	}
	// The wallet pays in its own currency (deduction_currency): a JPY
	// voucher bought from a USD wallet debits USD.
	out.DebitCurrency = strings.ToUpper(string(o.DeductionCurrency))
	out.Debited = float64(o.DeductionAmount)
	if out.Debited == 0 {
		out.Debited = float64(o.TotalPayable)
	}
	switch v {
	case VerticalVoucher:
		out.Paid = float64(o.TotalAmount)
		if out.Paid == 0 && o.Amount > 0 && o.Discount > 0 {
			out.Paid = float64(o.Amount - o.Discount)
		}
	default: // a topup's or eSIM's amount is its price after discount
		out.Paid = float64(o.Amount)
		if o.RequestedAmount > 0 {
			out.Amount = float64(o.RequestedAmount)
		}
		if out.Debited == 0 && out.DebitCurrency == "" {
			out.Debited = out.Paid
		}
		if out.Quantity == 0 {
			out.Quantity = 1
		}
		// One unit per order: delivered means that unit was delivered.
		if out.DeliveredQuantity == 0 && out.Status == api.StatusDelivered {
			out.DeliveredQuantity = out.Quantity
		}
	}
	for _, vc := range o.Vouchers {
		out.Vouchers = append(out.Vouchers, api.Voucher{
			CardNumber: string(vc.CardNumber), PIN: string(vc.PinCode), ClaimURL: string(vc.ClaimURL),
			ExpiresAt: vc.ExpiresAt.Time, Reference: string(vc.VoucherReferenceNumber),
		})
	}
	if out.DeliveredQuantity == 0 && len(out.Vouchers) > 0 {
		out.DeliveredQuantity = len(out.Vouchers)
	}
	if len(o.InputData) > 0 {
		out.InputData = make(map[string]string, len(o.InputData))
		for k, s := range o.InputData {
			out.InputData[k] = s
		}
		for _, k := range []string{"phone_number", "player_id", "mobile_number"} {
			if s := strings.TrimSpace(o.InputData[k]); s != "" {
				out.Recipient = s
				break
			}
		}
	}
	if v == VerticalESIM || o.ICCID != "" || o.ActivationCode != "" || o.ActivationStatus != "" {
		raw := strings.ToUpper(strings.TrimSpace(string(o.ActivationStatus)))
		e := &api.ESIM{
			ICCID:          string(o.ICCID),
			ActivationCode: string(o.ActivationCode),
			RawActivation:  string(o.ActivationStatus),
			Installed:      bool(o.IsInstalled),
			InstalledAt:    o.InstalledAt.Time,
			ActivatedAt:    o.ActivatedAt.Time,
			DataGB:         float64(o.DataAmountGB),
			ValidityDays:   int(o.ValidityDays),
		}
		switch api.ActivationStatus(raw) {
		case api.ActivationNotInstalled, api.ActivationActive, api.ActivationExpired:
			e.ActivationStatus = api.ActivationStatus(raw)
		}
		out.ESIM = e
	}
	return out
}

// DecodeOrder reads one order body (raw or {success, data}), e.g. a detail
// reply or a webhook's data member, into the normalized model. A body with
// no order id is an error.
func DecodeOrder(body []byte, v api.Vertical) (api.Order, error) {
	var o Order
	if err := decodeBody(body, &o); err != nil {
		return api.Order{}, &api.Error{Kind: api.KindDecode, Provider: ProviderID, Err: err}
	}
	if o.ID <= 0 {
		return api.Order{}, &api.Error{Kind: api.KindDecode, Provider: ProviderID, Message: "order has no id"}
	}
	return o.ToAPI(v), nil
}
