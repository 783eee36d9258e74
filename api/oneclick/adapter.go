package oneclick

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

var (
	_ api.OrderSource  = (*Client)(nil)
	_ api.Placer       = (*Client)(nil)
	_ api.Catalog      = (*Client)(nil)
	_ api.Transactions = (*Client)(nil)
)

// WalletID is the one wallet a OneClickDz account has.
const WalletID = "DZD"

// --- orders ---------------------------------------------------------------------

// Order maps a mobile top-up onto the domain model.
func (m MobileTopup) Order() api.Order {
	o := api.Order{Provider: ProviderID, Vertical: VerticalMobile, ID: m.ID, ClientReference: m.Ref,
		Status: Normalize(m.Status), RawStatus: m.Status, VariantID: m.PlanCode, VariantName: m.PlanCode,
		Recipient: m.MSISDN, Amount: m.TopupAmount, Paid: m.BalanceAmount, Debited: m.BalanceAmount, Currency: "DZD", Quantity: 1,
		CreatedAt: m.CreatedAt, FailureReason: m.RefundMessage, WalletID: WalletID}
	if o.Status.Success() {
		o.DeliveredQuantity = 1
	}
	for _, s := range m.SuggestedOffers {
		o.SuggestedOffers = append(o.SuggestedOffers, api.Offer{Name: s.TypeName, PlanCode: s.PlanCode, Amount: s.Amount})
	}
	if len(m.SuggestedOffers) > 0 {
		o.UserFixable = true // another plan may go through
	}
	if m.FollowOrderID != "" || m.RetryOrderID != "" {
		o.InputData = map[string]string{}
		if m.FollowOrderID != "" {
			o.InputData["follow_orderid"] = m.FollowOrderID
		}
		if m.RetryOrderID != "" {
			o.InputData["retry_orderid"] = m.RetryOrderID
		}
	}
	return o
}

// Order maps an internet top-up; the card code is the first voucher.
func (t InternetTopup) Order() api.Order {
	o := api.Order{Provider: ProviderID, Vertical: VerticalInternet, ID: t.ID, ClientReference: t.Ref,
		Status: Normalize(t.Status), RawStatus: t.Status, VariantID: t.Type, VariantName: t.Type,
		Recipient: t.Number, Amount: t.TopupAmount, Currency: "DZD", Quantity: 1, CreatedAt: t.CreatedAt,
		CompletedAt: t.DateTraitement, WalletID: WalletID}
	if !t.CardCode.Empty() || t.NumTrans != "" {
		o.Vouchers = []api.Voucher{{CardNumber: t.CardCode.Reveal(), Reference: t.NumTrans}}
		o.DeliveredQuantity = 1
	}
	return o
}

// Order maps a gift-card order, with the refund of undelivered cards.
func (g GiftOrder) Order() api.Order {
	o := api.Order{Provider: ProviderID, Vertical: VerticalGiftCard, ID: g.ID,
		Status: Normalize(g.Status), RawStatus: g.Status, ProductID: g.Product, VariantID: g.Type,
		Quantity: g.Quantity, DeliveredQuantity: g.FulfilledQuantity, Denomination: g.PricePerCard,
		Debited: g.FulfilledAmount, Currency: "DZD", CreatedAt: g.Time, WalletID: WalletID}
	if g.PricePerCard > 0 {
		o.Amount = round2(float64(g.Quantity) * g.PricePerCard)
		o.Paid = o.Amount
	}
	// The refund is known only with a price; never claim a negative one.
	switch undelivered := g.Quantity - g.FulfilledQuantity; {
	case g.PricePerCard <= 0:
	case o.Status == api.StatusPartial && undelivered > 0:
		o.Refunded = round2(float64(undelivered) * g.PricePerCard)
	case o.Status == api.StatusRefunded && g.Quantity > 0:
		o.Refunded = round2(float64(g.Quantity) * g.PricePerCard)
	}
	for _, c := range g.Cards {
		o.Vouchers = append(o.Vouchers, api.Voucher{CardNumber: c.Value.Reveal(), Serial: c.Serial})
	}
	return o
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// --- OrderSource ----------------------------------------------------------------

// Provider is ProviderID.
func (c *Client) Provider() api.Provider { return ProviderID }

// Verticals are mobile, internet and gift cards.
func (c *Client) Verticals() []api.Vertical {
	return []api.Vertical{VerticalMobile, VerticalInternet, VerticalGiftCard}
}

func badVertical(op string, v api.Vertical) error {
	return validationErr(op, "vertical", fmt.Sprintf("OneClickDz does not sell %q", v))
}

// GetOrder is check-id (mobile, internet) or checkOrder (gift cards).
func (c *Client) GetOrder(ctx context.Context, v api.Vertical, id string) (api.Order, error) {
	switch v {
	case VerticalMobile:
		m, err := c.MobileCheckID(ctx, id)
		return m.Order(), err
	case VerticalInternet:
		t, err := c.InternetCheckID(ctx, id)
		return t.Order(), err
	case VerticalGiftCard:
		g, err := c.GiftCheckOrder(ctx, id)
		o := g.Order()
		if err == nil {
			c.nameGift(ctx, &o)
		}
		return o, err
	}
	return api.Order{}, badVertical("GetOrder", v)
}

// nameGift fills a gift-card order's product name and category from the
// (cached) catalogue: the order itself carries only the product id, and a
// person reads names.
func (c *Client) nameGift(ctx context.Context, o *api.Order) {
	if o.ProductName != "" || o.ProductID == "" {
		return
	}
	if cp, cat, ok := c.catalogEntry(ctx, o.ProductID); ok {
		o.ProductName = cp.Title
		if o.Category == "" {
			o.Category = cat
		}
	}
}

// FindByReference is check-ref; a 404 is found=false. Gift cards have no
// reference at OneClickDz: ref is the journal key of an order this client
// placed, matched in gift-cards/list by product, type, quantity and time
// (see giftref.go). An ambiguous match, or a reference this process never
// placed, is a KindOutcomeUnknown error: never proof that nothing exists.
func (c *Client) FindByReference(ctx context.Context, v api.Vertical, ref string) (api.Order, bool, error) {
	var o api.Order
	var err error
	switch v {
	case VerticalMobile:
		var m MobileTopup
		m, err = c.MobileCheckRef(ctx, ref)
		o = m.Order()
	case VerticalInternet:
		var t InternetTopup
		t, err = c.InternetCheckRef(ctx, ref)
		o = t.Order()
	case VerticalGiftCard:
		return c.findGift(ctx, ref)
	default:
		return api.Order{}, false, badVertical("FindByReference", v)
	}
	if api.KindOf(err) == api.KindNotFound {
		return api.Order{}, false, nil
	}
	if err != nil {
		return api.Order{}, false, err
	}
	return o, true, nil
}

// ListOrders is one page of a list, newest first. The API has no status or
// reference filter, so q.Status (raw or normalized name) and
// q.ClientReference filter the page client-side: a page may come back
// shorter than PerPage while Page.HasMore is still true.
func (c *Client) ListOrders(ctx context.Context, v api.Vertical, q api.ListQuery) (api.OrderPage, error) {
	lo := ListOptions{Page: q.Page, PageSize: min(q.PerPage, 100), From: q.From, To: q.To}
	var orders []api.Order
	var page api.Page
	var err error
	switch v {
	case VerticalMobile:
		orders, page, err = asOrders(c.MobileList(ctx, lo))
	case VerticalInternet:
		orders, page, err = asOrders(c.InternetList(ctx, lo))
	case VerticalGiftCard:
		orders, page, err = asOrders(c.GiftList(ctx, lo))
	default:
		return api.OrderPage{}, badVertical("ListOrders", v)
	}
	if err != nil {
		return api.OrderPage{}, err
	}
	out := orders[:0]
	for _, o := range orders {
		if matchStatus(o, q.Status) && (q.ClientReference == "" || o.ClientReference == q.ClientReference) {
			if v == VerticalGiftCard {
				c.nameGift(ctx, &o)
			}
			out = append(out, o)
		}
	}
	page.Size = len(out)
	return api.OrderPage{Orders: out, Page: page}, nil
}

// asOrders maps one page of a vertical's list to orders.
func asOrders[T interface{ Order() api.Order }](l []T, p api.Page, err error) ([]api.Order, api.Page, error) {
	if err != nil {
		return nil, api.Page{}, err
	}
	var orders []api.Order
	for _, x := range l {
		orders = append(orders, x.Order())
	}
	return orders, p, nil
}

// matchStatus accepts a raw status (FULFILLED) or a normalized name (delivered).
func matchStatus(o api.Order, want string) bool {
	want = strings.TrimSpace(want)
	if want == "" {
		return true
	}
	if strings.EqualFold(o.RawStatus, want) || strings.EqualFold(string(o.Status), want) {
		return true
	}
	n := Normalize(want)
	return n != api.StatusUnknown && n == o.Status
}

// Wallets is the one DZD balance.
func (c *Client) Wallets(ctx context.Context) ([]api.Wallet, error) {
	b, err := c.Balance(ctx)
	if err != nil {
		return nil, err
	}
	return []api.Wallet{{Provider: ProviderID, ID: WalletID, Currency: b.Currency, Balance: b.Balance, Type: "PREPAID"}}, nil
}

// --- Transactions ---------------------------------------------------------------

var creditTypes = map[string]bool{"DEPOSIT": true, "REFUND-FLEXY": true, "REFUND-ADSL": true, "REFUND-ORDER": true,
	"RECEIVE": true, "POINT-EXCHANGE": true}

// Transaction maps an account movement; refunds and deposits are credits.
func (t Transaction) Transaction() api.Transaction {
	kind := api.TxDebit
	typ := strings.ToUpper(t.Type)
	switch {
	case creditTypes[typ], strings.HasPrefix(typ, "REFUND"):
		kind = api.TxCredit
	case typ == "" && (strings.EqualFold(t.Operation, "increment") || t.NewBalance > t.OldBalance):
		kind = api.TxCredit
	}
	return api.Transaction{Provider: ProviderID, ID: t.ID, WalletID: WalletID, Kind: kind, RawType: t.Type,
		Amount: math.Abs(t.Amount), Currency: "DZD", Remarks: t.Note, OrderID: t.ObjID, BalanceAfter: t.NewBalance,
		CreatedAt: t.Time}
}

// Transactions lists balance movements; walletID must be "" or "DZD".
func (c *Client) Transactions(ctx context.Context, walletID string, q api.ListQuery) ([]api.Transaction, api.Page, error) {
	if walletID != "" && !strings.EqualFold(walletID, WalletID) {
		return nil, api.Page{}, validationErr("Transactions", "wallet", fmt.Sprintf("OneClickDz has one DZD wallet, not %q", walletID))
	}
	l, p, err := c.AccountTransactions(ctx, ListOptions{Page: q.Page, PageSize: min(q.PerPage, 100), From: q.From, To: q.To})
	if err != nil {
		return nil, api.Page{}, err
	}
	out := make([]api.Transaction, 0, len(l))
	for _, t := range l {
		out = append(out, t.Transaction())
	}
	return out, p, nil
}

// --- Catalog --------------------------------------------------------------------

func planProduct(p Plan) api.Product {
	v := api.Variant{ID: p.Code, Name: p.Name, Currency: "DZD", Stock: -1,
		Fields: map[string]string{"operator": p.Operator}}
	if p.Dynamic {
		v.Min, v.Max = p.Min, p.Max
	} else {
		v.Fixed = []float64{p.Amount}
	}
	if p.Cost > 0 {
		v.Fields["cost"] = strconv.FormatFloat(p.Cost, 'f', -1, 64)
		v.Discount = round2((1 - p.Cost) * 100)
	}
	return api.Product{Provider: ProviderID, Vertical: VerticalMobile, ID: p.Code, Name: p.Name,
		Category: p.Operator, Type: p.Operator, Currency: "DZD", Enabled: p.Enabled, Variants: []api.Variant{v}}
}

func internetProduct(typ string, items []InternetProduct) api.Product {
	p := api.Product{Provider: ProviderID, Vertical: VerticalInternet, ID: typ, Name: "Algérie Télécom " + typ,
		Category: "Internet", Type: typ, Currency: "DZD", Enabled: true}
	for _, it := range items {
		stock := -1
		if !it.Available {
			stock = 0
		}
		val := strconv.FormatFloat(it.Value, 'f', -1, 64)
		p.Variants = append(p.Variants, api.Variant{ID: val, Name: val + " DA", Currency: "DZD", Fixed: []float64{it.Value},
			Price: it.Cost, Stock: stock})
	}
	return p
}

func giftProduct(gp GiftProduct, maxQty int) api.Product {
	p := api.Product{Provider: ProviderID, Vertical: VerticalGiftCard, ID: gp.ProductID, Name: gp.ProductTitle,
		Currency: "DZD", Enabled: true}
	for _, t := range gp.Types {
		p.Variants = append(p.Variants, api.Variant{ID: t.ID, Name: t.Name, Currency: "DZD", Price: t.Price, Stock: t.Quantity,
			MaxQuantity: maxQty})
	}
	return p
}

// giftCatalogTTL is how long the catalogue is reused for a product's
// category and enabled flag (the docs advise caching it for 24 h).
const giftCatalogTTL = 10 * time.Minute

// catalogEntry finds a product in the (cached) catalogue.
func (c *Client) catalogEntry(ctx context.Context, id string) (CatalogProduct, string, bool) {
	c.catMu.Lock()
	cat, at := c.cat, c.catAt
	c.catMu.Unlock()
	if cat == nil || c.now().Sub(at) > giftCatalogTTL {
		got, err := c.GiftCatalog(ctx)
		if err != nil {
			return CatalogProduct{}, "", false
		}
		cat = &got
		c.catMu.Lock()
		c.cat, c.catAt = cat, c.now()
		c.catMu.Unlock()
	}
	for _, cg := range cat.Categories {
		for _, p := range cg.Products {
			if p.ID == id {
				return p, cg.Name, true
			}
		}
	}
	return CatalogProduct{}, "", false
}

func matches(search string, fields ...string) bool {
	search = strings.ToLower(strings.TrimSpace(search))
	if search == "" {
		return true
	}
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), search) {
			return true
		}
	}
	return false
}

// Products lists plans (mobile), ADSL and 4G (internet) or the catalogue
// (gift cards; their types come from Product). search filters by name, id
// or category.
func (c *Client) Products(ctx context.Context, v api.Vertical, search string) ([]api.Product, error) {
	var out []api.Product
	switch v {
	case VerticalMobile:
		plans, err := c.MobilePlans(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range plans.All() {
			if matches(search, p.Code, p.Name, p.Operator) {
				out = append(out, planProduct(p))
			}
		}
	case VerticalInternet:
		for _, typ := range []string{"ADSL", "4G"} {
			if !matches(search, typ, "internet") {
				continue
			}
			items, err := c.InternetProducts(ctx, typ)
			if err != nil {
				return nil, err
			}
			out = append(out, internetProduct(typ, items))
		}
	case VerticalGiftCard:
		cat, err := c.GiftCatalog(ctx)
		if err != nil {
			return nil, err
		}
		for _, cg := range cat.Categories {
			for _, p := range cg.Products {
				if matches(search, p.ID, p.Title, cg.Name) {
					out = append(out, api.Product{Provider: ProviderID, Vertical: v, ID: p.ID, Name: p.Title,
						Category: cg.Name, CountryCode: strings.ToUpper(p.Region), Currency: "DZD", Enabled: p.Enabled})
				}
			}
		}
	default:
		return nil, badVertical("Products", v)
	}
	return out, nil
}

// Product returns one plan, internet type or gift-card product with its
// variants (gift-card types carry price and stock).
func (c *Client) Product(ctx context.Context, v api.Vertical, id string) (api.Product, error) {
	switch v {
	case VerticalMobile:
		plans, err := c.MobilePlans(ctx)
		if err != nil {
			return api.Product{}, err
		}
		p, ok := plans.Find(id)
		if !ok {
			return api.Product{}, &api.Error{Kind: api.KindNotFound, Provider: ProviderID, Op: "Product", Message: fmt.Sprintf("no mobile plan %q", id)}
		}
		return planProduct(p), nil
	case VerticalInternet:
		typ, err := internetTypeParam("Product", id)
		if err != nil {
			return api.Product{}, err
		}
		items, err := c.InternetProducts(ctx, typ)
		if err != nil {
			return api.Product{}, err
		}
		return internetProduct(typ, items), nil
	case VerticalGiftCard:
		gp, err := c.GiftCheckProduct(ctx, id)
		if err != nil {
			return api.Product{}, err
		}
		p := giftProduct(gp, c.maxGift)
		// checkProduct has no enabled flag or category: the catalogue has.
		if cp, cat, ok := c.catalogEntry(ctx, gp.ProductID); ok {
			p.Enabled, p.Category, p.CountryCode = cp.Enabled, cat, strings.ToUpper(cp.Region)
		}
		return p, nil
	}
	return api.Product{}, badVertical("Product", v)
}

// --- Placer ---------------------------------------------------------------------

func planCode(r api.OrderRequest) string {
	if r.VariantID != "" {
		return r.VariantID
	}
	return r.ProductID
}

func internetType(r api.OrderRequest) string {
	if r.RecipientType != "" {
		return r.RecipientType
	}
	if r.VariantID != "" && r.ProductID == "" {
		return r.VariantID
	}
	return r.ProductID
}

// Quote prices an order from the catalogue, since the API has no charges
// endpoint: mobile amount × plan cost, the internet product cost, or
// gift-card price × quantity (MaxQuantity is the stock).
func (c *Client) Quote(ctx context.Context, r api.OrderRequest) (api.Quote, error) {
	q := api.Quote{Provider: ProviderID, Vertical: r.Vertical, Currency: "DZD", WalletCurrency: "DZD", WalletID: WalletID, MaxQuantity: 1}
	switch r.Vertical {
	case VerticalMobile:
		if r.Recipient != "" {
			if err := ValidMSISDN(r.Recipient); err != nil {
				return api.Quote{}, err
			}
		}
		plans, err := c.MobilePlans(ctx)
		if err != nil {
			return api.Quote{}, err
		}
		p, ok := plans.Find(planCode(r))
		if !ok {
			return api.Quote{}, formErr("plan_code", "no mobile plan %q", planCode(r))
		}
		if err := CheckPlanAmount(p, r.Amount); err != nil {
			return api.Quote{}, err
		}
		if r.Recipient != "" {
			if err := CheckOperator(p, r.Recipient); err != nil {
				return api.Quote{}, err
			}
		}
		q.FaceValue, q.Total, q.VariantName = p.AmountFor(r.Amount), p.Price(r.Amount), p.Code
	case VerticalInternet:
		typ, err := internetTypeParam("Quote", internetType(r))
		if err != nil {
			return api.Quote{}, err
		}
		if r.Recipient != "" {
			if err := ValidInternetNumber(typ, r.Recipient); err != nil {
				return api.Quote{}, err
			}
		}
		items, err := c.InternetProducts(ctx, typ)
		if err != nil {
			return api.Quote{}, err
		}
		found := false
		for _, it := range items {
			if it.Value == r.Amount {
				if !it.Available {
					return api.Quote{}, formErr("value", "%s %s DA is out of stock", typ, api.FormatAmount(it.Value, "DZD"))
				}
				q.FaceValue, q.Total, found = it.Value, it.Cost, true
			}
		}
		if !found {
			return api.Quote{}, formErr("value", "%s has no %s DA card", typ, api.FormatAmount(r.Amount, "DZD"))
		}
		q.VariantName = typ + " " + api.FormatAmount(r.Amount, "DZD") + " DA"
	case VerticalGiftCard:
		qty := r.Quantity
		if qty < 1 {
			return api.Quote{}, formErr("quantity", "quantity must be at least 1")
		}
		gp, err := c.GiftCheckProduct(ctx, r.ProductID)
		if err != nil {
			return api.Quote{}, err
		}
		var t *GiftType
		for i := range gp.Types {
			if gp.Types[i].ID == r.VariantID {
				t = &gp.Types[i]
			}
		}
		if t == nil {
			return api.Quote{}, formErr("typeId", "product %s has no type %q", r.ProductID, r.VariantID)
		}
		if t.Quantity <= 0 {
			return api.Quote{}, formErr("typeId", "%s is out of stock", t.Name)
		}
		if qty > t.Quantity {
			return api.Quote{}, formErr("quantity", "only %d of %s in stock", t.Quantity, t.Name)
		}
		q.Total, q.FaceValue, q.MaxQuantity, q.VariantName = round2(t.Price*float64(qty)), round2(t.Price*float64(qty)), t.Quantity, t.Name
	default:
		return api.Quote{}, badVertical("Quote", r.Vertical)
	}
	q.TotalPayable = q.Total
	if q.FaceValue > q.Total {
		q.Discount = round2(q.FaceValue - q.Total)
		q.DiscountPct = round2(q.Discount / q.FaceValue * 100)
	}
	return q, nil
}

// readBack reads a sent top-up back; if only the read fails, the order
// exists and the poller will find its state.
func (c *Client) readBack(ctx context.Context, r api.OrderRequest, res SendResult, err error) (api.Order, error) {
	if err != nil {
		return api.Order{}, err
	}
	o, err := c.GetOrder(ctx, r.Vertical, res.TopupID)
	if err != nil {
		return placed(r, res.TopupID, res.TopupRef), nil
	}
	return o, nil
}

// PlaceOrder sends exactly one create (mobile/internet send, gift-card
// placeOrder), then reads the order back once. The create is never retried.
// If only the read-back fails, the order is returned as placed (pending)
// with a nil error: it exists, and the poller will find its state.
func (c *Client) PlaceOrder(ctx context.Context, r api.OrderRequest) (api.Order, error) {
	switch r.Vertical {
	case VerticalMobile:
		if r.Amount < 0 || r.Amount != math.Trunc(r.Amount) || r.Amount > math.MaxInt32 {
			return api.Order{}, formErr("amount", "amount must be a whole number of DZD")
		}
		res, err := c.MobileSend(ctx, MobileSendRequest{PlanCode: planCode(r), MSISDN: r.Recipient, Amount: int(r.Amount), Ref: r.ClientReference})
		return c.readBack(ctx, r, res, err)
	case VerticalInternet:
		res, err := c.InternetSend(ctx, InternetSendRequest{Type: internetType(r), Number: r.Recipient, Value: r.Amount, Ref: r.ClientReference})
		return c.readBack(ctx, r, res, err)
	case VerticalGiftCard:
		// The intent is remembered before sending: a lost answer is then
		// resolved from gift-cards/list (FindByReference), never re-sent.
		ref := r.ClientReference
		if ref != "" {
			if id, ok := c.gifts.begin(ref, giftIntent{product: r.ProductID, typ: r.VariantID, qty: r.Quantity, sentAt: c.now()}); !ok {
				return api.Order{}, &api.Error{Kind: api.KindDuplicateReference, Provider: ProviderID, Op: "PlaceOrder giftcard",
					Message: fmt.Sprintf("reference %q already placed gift-card order %s; nothing was sent", ref, id)}
			}
		}
		id, err := c.GiftPlaceOrder(ctx, PlaceOrderRequest{ProductID: r.ProductID, TypeID: r.VariantID, Quantity: r.Quantity})
		if err != nil {
			switch api.KindOf(err) {
			case api.KindValidation, api.KindAuth, api.KindForbidden, api.KindNotFound, api.KindInsufficientFunds, api.KindRateLimited:
				c.gifts.forget(ref) // refused: nothing to find later
			}
			return api.Order{}, err
		}
		if ref != "" {
			c.gifts.claim(ref, id)
		}
		o, err := c.GetOrder(ctx, r.Vertical, id)
		if err != nil {
			return placed(r, id, ""), nil
		}
		return o, nil
	}
	return api.Order{}, badVertical("PlaceOrder", r.Vertical)
}

// placed is the order as we sent it, when it could not be read back.
func placed(r api.OrderRequest, id, ref string) api.Order {
	o := api.Order{Provider: ProviderID, Vertical: r.Vertical, ID: id, ClientReference: ref,
		Status: api.StatusPending, ProductID: r.ProductID, VariantID: r.VariantID, VariantName: planCode(r),
		Recipient: r.Recipient, Amount: r.Amount, Quantity: max(r.Quantity, 1), Currency: "DZD", WalletID: WalletID,
		StatusText: "placed; state not read yet"}
	if r.Vertical == VerticalGiftCard {
		o.Amount, o.ClientReference = 0, ""
	}
	return o
}
