package oneclick

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

func validationErr(op, field, msg string) *api.Error {
	return &api.Error{Kind: api.KindValidation, Provider: ProviderID, Op: op, Field: field, Message: msg}
}

// withOp stamps the operation on decode errors from data decoders.
func withOp(err error, op string, r response) error {
	if e, ok := err.(*api.Error); ok && e.Op == "" {
		e.Op = op
		e.RequestID = r.RequestID
	}
	return err
}

func (o ListOptions) query(op string, together bool) (url.Values, error) {
	q := url.Values{}
	if o.Page < 0 || o.PageSize < 0 || o.PageSize > 100 {
		return nil, validationErr(op, "pageSize", "page must be ≥ 1 and pageSize within 1..100")
	}
	if o.Page > 0 {
		q.Set("page", strconv.Itoa(o.Page))
	}
	if o.PageSize > 0 {
		q.Set("pageSize", strconv.Itoa(o.PageSize))
	}
	if together && o.From.IsZero() != o.To.IsZero() {
		return nil, validationErr(op, "from", "from and to must be given together")
	}
	if !o.From.IsZero() && !o.To.IsZero() && o.To.Before(o.From) {
		return nil, validationErr(op, "to", "to is before from")
	}
	if !o.From.IsZero() {
		q.Set("from", o.From.UTC().Format(time.RFC3339))
	}
	if !o.To.IsZero() {
		q.Set("to", o.To.UTC().Format(time.RFC3339))
	}
	return q, nil
}

func pathID(op, field, id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return "", validationErr(op, field, field+" is empty")
	}
	return url.PathEscape(id), nil
}

// getData sends a GET and decodes the answer's data; a decode error carries op and the request id.
func getData[T any](ctx context.Context, c *Client, op, path string, q url.Values, dec func([]byte) (T, error)) (T, error) {
	r, err := c.do(ctx, "GET", path, q, nil, false)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := dec(r.Data)
	return v, withOp(err, op, r)
}

// getByKey fetches path/{key}; field names the key in a validation error.
func getByKey[T any](ctx context.Context, c *Client, path, field, key string, dec func([]byte) (T, error)) (T, error) {
	op := "GET " + path
	p, err := pathID(op, field, key)
	if err != nil {
		var zero T
		return zero, err
	}
	return getData(ctx, c, op, path+"/"+p, nil, dec)
}

// getList fetches one page of a list; together: From and To must come as a pair.
func getList[T any](ctx context.Context, c *Client, op, path string, o ListOptions, together bool,
	dec func(data, meta []byte) ([]T, api.Page, error)) ([]T, api.Page, error) {
	q, err := o.query(op, together)
	if err != nil {
		return nil, api.Page{}, err
	}
	r, err := c.do(ctx, "GET", path, q, nil, false)
	if err != nil {
		return nil, api.Page{}, err
	}
	l, p, err := dec(r.Data, r.Meta)
	return l, p, withOp(err, op, r)
}

// send POSTs one create (never retried); an answer that cannot be read is KindOutcomeUnknown.
func send[T any](ctx context.Context, c *Client, op, path string, body map[string]any, dec func([]byte) (T, error)) (T, error) {
	var zero T
	r, err := c.do(ctx, "POST", path, nil, body, true)
	if err != nil {
		return zero, err
	}
	v, err := dec(r.Data)
	if err != nil {
		return zero, outcomeUnknown(withOp(err, op, r))
	}
	return v, nil
}

// --- core and account -----------------------------------------------------------

// Validate checks the key (GET /v3/validate).
func (c *Client) Validate(ctx context.Context) (ValidateResult, error) {
	return getData(ctx, c, "GET /v3/validate", "/v3/validate", nil, decodeValidate)
}

// Balance returns the DZD balance.
func (c *Client) Balance(ctx context.Context) (Balance, error) {
	return getData(ctx, c, "GET /v3/account/balance", "/v3/account/balance", nil, decodeBalance)
}

// AccountTransactions lists balance movements, newest first. From and To go together.
func (c *Client) AccountTransactions(ctx context.Context, o ListOptions) ([]Transaction, api.Page, error) {
	return getList(ctx, c, "GET /v3/account/transactions", "/v3/account/transactions", o, true, decodeTransactions)
}

// --- mobile -------------------------------------------------------------------

// MobilePlans lists the mobile plans (stable; safe to cache).
func (c *Client) MobilePlans(ctx context.Context) (Plans, error) {
	return getData(ctx, c, "GET /v3/mobile/plans", "/v3/mobile/plans", nil, decodePlans)
}

// MobileSend sends one top-up. It is never retried; an answer lost after the
// request was written is KindOutcomeUnknown (look the ref up before resending).
func (c *Client) MobileSend(ctx context.Context, req MobileSendRequest) (SendResult, error) {
	const op = "POST /v3/mobile/send"
	if strings.TrimSpace(req.PlanCode) == "" {
		return SendResult{}, validationErr(op, "plan_code", "plan_code is required")
	}
	if err := ValidMSISDN(req.MSISDN); err != nil {
		return SendResult{}, err
	}
	if req.Amount < 0 {
		return SendResult{}, validationErr(op, "amount", "amount must not be negative")
	}
	body := map[string]any{"plan_code": req.PlanCode, "MSSIDN": req.MSISDN}
	if req.Amount > 0 {
		body["amount"] = req.Amount
	}
	if req.Ref != "" {
		body["ref"] = req.Ref
	}
	return send(ctx, c, op, "/v3/mobile/send", body, decodeSendResult)
}

// outcomeUnknown turns a decode failure of a create's answer into
// KindOutcomeUnknown: the order may exist.
func outcomeUnknown(err error) error {
	if e, ok := err.(*api.Error); ok && e.Kind == api.KindDecode {
		e.Kind = api.KindOutcomeUnknown
		e.Message = "the answer could not be read; the order may have been placed (look it up before placing again)"
	}
	return err
}

// MobileCheckID returns one top-up by id.
func (c *Client) MobileCheckID(ctx context.Context, id string) (MobileTopup, error) {
	return c.mobileCheck(ctx, "check-id", id)
}

// MobileCheckRef returns one top-up by ref.
func (c *Client) MobileCheckRef(ctx context.Context, ref string) (MobileTopup, error) {
	return c.mobileCheck(ctx, "check-ref", ref)
}

func (c *Client) mobileCheck(ctx context.Context, by, key string) (MobileTopup, error) {
	return getByKey(ctx, c, "/v3/mobile/"+by, by[len("check-"):], key, decodeMobileTopup)
}

// MobileList lists top-ups, newest first. From and To go together.
func (c *Client) MobileList(ctx context.Context, o ListOptions) ([]MobileTopup, api.Page, error) {
	return getList(ctx, c, "GET /v3/mobile/list", "/v3/mobile/list", o, true, decodeMobileList)
}

// --- internet -------------------------------------------------------------------

func internetTypeParam(op, t string) (string, error) {
	switch strings.ToUpper(strings.TrimSpace(t)) {
	case "ADSL":
		return "ADSL", nil
	case "4G", "4GLTE", "LTE":
		return "4G", nil
	}
	return "", validationErr(op, "type", "type must be ADSL or 4G")
}

// InternetProducts lists the card values of ADSL or 4G.
func (c *Client) InternetProducts(ctx context.Context, typ string) ([]InternetProduct, error) {
	const op = "GET /v3/internet/products"
	t, err := internetTypeParam(op, typ)
	if err != nil {
		return nil, err
	}
	return getData(ctx, c, op, "/v3/internet/products", url.Values{"type": {t}}, func(b []byte) ([]InternetProduct, error) {
		p, _, err := decodeInternetProducts(b)
		return p, err
	})
}

// InternetCheckNumber asks the provider whether the line exists.
func (c *Client) InternetCheckNumber(ctx context.Context, typ, number string) (NumberCheck, error) {
	const op = "GET /v3/internet/check-number"
	t, err := internetTypeParam(op, typ)
	if err != nil {
		return NumberCheck{}, err
	}
	if err := ValidInternetNumber(t, number); err != nil {
		return NumberCheck{}, err
	}
	return getData(ctx, c, op, "/v3/internet/check-number", url.Values{"type": {t}, "number": {number}}, decodeNumberCheck)
}

// InternetSend sends one internet top-up; never retried (see MobileSend).
func (c *Client) InternetSend(ctx context.Context, req InternetSendRequest) (SendResult, error) {
	const op = "POST /v3/internet/send"
	t, err := internetTypeParam(op, req.Type)
	if err != nil {
		return SendResult{}, err
	}
	if err := ValidInternetNumber(t, req.Number); err != nil {
		return SendResult{}, err
	}
	if req.Value <= 0 {
		return SendResult{}, validationErr(op, "value", "value must be a card value from the products list")
	}
	body := map[string]any{"type": t, "number": req.Number, "value": req.Value}
	if req.Ref != "" {
		body["ref"] = req.Ref
	}
	return send(ctx, c, op, "/v3/internet/send", body, decodeSendResult)
}

// InternetCheckID returns one internet top-up by id.
func (c *Client) InternetCheckID(ctx context.Context, id string) (InternetTopup, error) {
	return c.internetCheck(ctx, "check-id", id)
}

// InternetCheckRef returns one internet top-up by ref.
func (c *Client) InternetCheckRef(ctx context.Context, ref string) (InternetTopup, error) {
	return c.internetCheck(ctx, "check-ref", ref)
}

func (c *Client) internetCheck(ctx context.Context, by, key string) (InternetTopup, error) {
	return getByKey(ctx, c, "/v3/internet/"+by, by[len("check-"):], key, decodeInternetTopup)
}

// InternetList lists internet top-ups, newest first.
func (c *Client) InternetList(ctx context.Context, o ListOptions) ([]InternetTopup, api.Page, error) {
	return getList(ctx, c, "GET /v3/internet/list", "/v3/internet/list", o, false, decodeInternetList)
}

// --- gift cards -----------------------------------------------------------------

// GiftCatalog returns the gift-card catalogue (cache for hours).
func (c *Client) GiftCatalog(ctx context.Context) (Catalog, error) {
	const op = "GET /v3/gift-cards/catalog"
	r, err := c.do(ctx, "GET", "/v3/gift-cards/catalog", nil, nil, false)
	if err != nil {
		return Catalog{}, err
	}
	cat, err := decodeCatalog(r.Data, r.Meta)
	return cat, withOp(err, op, r)
}

// GiftCheckProduct returns a product's types with price and stock.
func (c *Client) GiftCheckProduct(ctx context.Context, productID string) (GiftProduct, error) {
	return getByKey(ctx, c, "/v3/gift-cards/checkProduct", "productId", productID, decodeGiftProduct)
}

// GiftPlaceOrder places one order and returns its id. Gift cards have no
// ref: a lost answer (KindOutcomeUnknown) must be resolved from GiftList,
// never by ordering again.
func (c *Client) GiftPlaceOrder(ctx context.Context, req PlaceOrderRequest) (string, error) {
	const op = "POST /v3/gift-cards/placeOrder"
	switch {
	case strings.TrimSpace(req.ProductID) == "":
		return "", validationErr(op, "productId", "productId is required")
	case strings.TrimSpace(req.TypeID) == "":
		return "", validationErr(op, "typeId", "typeId is required")
	case req.Quantity < 1:
		return "", validationErr(op, "quantity", "quantity must be at least 1")
	}
	body := map[string]any{"productId": req.ProductID, "typeId": req.TypeID, "quantity": req.Quantity}
	return send(ctx, c, op, "/v3/gift-cards/placeOrder", body, decodePlaceOrder)
}

// GiftCheckOrder returns one order with its cards once delivered.
func (c *Client) GiftCheckOrder(ctx context.Context, orderID string) (GiftOrder, error) {
	return getByKey(ctx, c, "/v3/gift-cards/checkOrder", "orderId", orderID, decodeGiftOrder)
}

// GiftList lists gift-card orders, newest first.
func (c *Client) GiftList(ctx context.Context, o ListOptions) ([]GiftOrder, api.Page, error) {
	return getList(ctx, c, "GET /v3/gift-cards/list", "/v3/gift-cards/list", o, false, decodeGiftList)
}
