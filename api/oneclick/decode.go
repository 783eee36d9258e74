package oneclick

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// decodeErr wraps a data decoding failure.
func decodeErr(what string, err error) error {
	return &api.Error{Kind: api.KindDecode, Provider: ProviderID, Message: "could not read " + what, Err: err}
}

// unmarshalObj decodes b into v, refusing non-objects with a clear error.
func unmarshalObj(what string, b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return decodeErr(what, errNotObject)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return decodeErr(what, err)
	}
	return nil
}

type notObject struct{}

func (notObject) Error() string { return "data is not a JSON object" }

var errNotObject error = notObject{}

// --- account ------------------------------------------------------------------

func decodeValidate(b []byte) (ValidateResult, error) {
	var r struct {
		Username flexString `json:"username"`
		APIKey   struct {
			Key        api.Secret      `json:"key"`
			Enabled    flexBool        `json:"isEnabled"`
			Type       flexString      `json:"type"`
			AllowedIPs json.RawMessage `json:"allowedips"`
			Scope      flexString      `json:"scope"`
		} `json:"apiKey"`
	}
	if err := unmarshalObj("the key validation", b, &r); err != nil {
		return ValidateResult{}, err
	}
	var ips []string
	_ = json.Unmarshal(r.APIKey.AllowedIPs, &ips)
	return ValidateResult{Username: string(r.Username), APIKey: KeyInfo{Key: r.APIKey.Key, Enabled: bool(r.APIKey.Enabled),
		Type: string(r.APIKey.Type), AllowedIPs: ips, Scope: string(r.APIKey.Scope)}}, nil
}

func decodeBalance(b []byte) (Balance, error) {
	var r struct {
		Balance  *flexFloat `json:"balance"`
		Currency flexString `json:"currency"`
	}
	if err := unmarshalObj("the balance", b, &r); err != nil {
		return Balance{}, err
	}
	if r.Balance == nil {
		return Balance{}, decodeErr("the balance", errMissing("balance"))
	}
	cur := string(r.Currency)
	if cur == "" {
		cur = "DZD"
	}
	return Balance{Balance: float64(*r.Balance), Currency: cur}, nil
}

type missingField string

func (m missingField) Error() string { return "field " + string(m) + " is missing" }

func errMissing(f string) error { return missingField(f) }

type rawTx struct {
	ID         flexString `json:"_id"`
	Type       flexString `json:"type"`
	Operation  flexString `json:"operation"`
	Amount     flexFloat  `json:"amount"`
	OldBalance flexFloat  `json:"oldBalance"`
	NewBalance flexFloat  `json:"newBalance"`
	ObjID      flexString `json:"objid"`
	Note       flexString `json:"note"`
	Time       flexTime   `json:"time"`
}

func (r rawTx) value() Transaction {
	return Transaction{ID: string(r.ID), Type: string(r.Type), Operation: string(r.Operation), Amount: float64(r.Amount),
		OldBalance: float64(r.OldBalance), NewBalance: float64(r.NewBalance), ObjID: string(r.ObjID), Note: string(r.Note),
		Time: time.Time(r.Time)}
}

func decodeTransactions(data, meta []byte) ([]Transaction, api.Page, error) {
	return decodeList(data, meta, "transactions", rawTx.value)
}

// --- lists ----------------------------------------------------------------------

type rawPagination struct {
	Page         flexInt `json:"page"`
	PageSize     flexInt `json:"pageSize"`
	TotalPages   flexInt `json:"totalPages"`
	TotalResults flexInt `json:"totalResults"`
}

// decodeList reads data.items (or data.topups, or a bare array) and the
// pagination from data.pagination or meta.pagination.
func decodeList[R any, T any](data, meta []byte, what string, conv func(R) T) ([]T, api.Page, error) {
	var items []R
	var pag *rawPagination
	d := bytes.TrimSpace(data)
	switch {
	case len(d) > 0 && d[0] == '[':
		if err := json.Unmarshal(d, &items); err != nil {
			return nil, api.Page{}, decodeErr(what, err)
		}
	default:
		var r struct {
			Items      json.RawMessage `json:"items"`
			Topups     json.RawMessage `json:"topups"`
			Orders     json.RawMessage `json:"orders"`
			Pagination *rawPagination  `json:"pagination"`
		}
		if err := unmarshalObj(what, d, &r); err != nil {
			return nil, api.Page{}, err
		}
		list := r.Items
		for _, alt := range []json.RawMessage{r.Topups, r.Orders} {
			if isNull(list) {
				list = alt
			}
		}
		if !isNull(list) {
			if err := json.Unmarshal(list, &items); err != nil {
				return nil, api.Page{}, decodeErr(what, err)
			}
		}
		pag = r.Pagination
	}
	if pag == nil && len(bytes.TrimSpace(meta)) > 0 {
		var m struct {
			Pagination *rawPagination `json:"pagination"`
		}
		if json.Unmarshal(meta, &m) == nil {
			pag = m.Pagination
		}
	}
	out := make([]T, 0, len(items))
	for _, it := range items {
		out = append(out, conv(it))
	}
	p := api.Page{Page: 1, PerPage: len(out), Size: len(out), TotalCount: len(out), TotalPages: 1}
	if pag != nil {
		p.Page, p.PerPage = max(int(pag.Page), 1), int(pag.PageSize)
		p.TotalPages, p.TotalCount = max(int(pag.TotalPages), 0), max(int(pag.TotalResults), 0)
		p.HasMore = p.Page < p.TotalPages
	}
	return out, p, nil
}

// --- mobile -------------------------------------------------------------------

type rawPlan struct {
	Code     flexString `json:"code"`
	Name     flexString `json:"name"`
	Operator flexString `json:"operator"`
	Cost     flexFloat  `json:"cost"`
	Enabled  *flexBool  `json:"isEnabled"`
	Min      *flexFloat `json:"min_amount"`
	Max      *flexFloat `json:"max_amount"`
	Amount   *flexFloat `json:"amount"`
}

func (r rawPlan) value(dynamic bool) Plan {
	p := Plan{Code: string(r.Code), Name: string(r.Name), Operator: string(r.Operator), Cost: float64(r.Cost),
		Enabled: r.Enabled == nil || bool(*r.Enabled), Dynamic: dynamic}
	if r.Min != nil {
		p.Min = float64(*r.Min)
	}
	if r.Max != nil {
		p.Max = float64(*r.Max)
	}
	if r.Amount != nil {
		p.Amount = float64(*r.Amount)
	}
	return p
}

// decodePlans reads {dynamicPlans, fixedPlans} or a bare list (a plan with
// min/max is dynamic).
func decodePlans(b []byte) (Plans, error) {
	d := bytes.TrimSpace(b)
	var out Plans
	if len(d) > 0 && d[0] == '[' {
		var all []rawPlan
		if err := json.Unmarshal(d, &all); err != nil {
			return Plans{}, decodeErr("the plans", err)
		}
		for _, r := range all {
			if r.Amount == nil && (r.Min != nil || r.Max != nil) {
				out.Dynamic = append(out.Dynamic, r.value(true))
			} else {
				out.Fixed = append(out.Fixed, r.value(false))
			}
		}
		return out, nil
	}
	var r struct {
		Dynamic []rawPlan `json:"dynamicPlans"`
		Fixed   []rawPlan `json:"fixedPlans"`
	}
	if err := unmarshalObj("the plans", d, &r); err != nil {
		return Plans{}, err
	}
	for _, p := range r.Dynamic {
		out.Dynamic = append(out.Dynamic, p.value(true))
	}
	for _, p := range r.Fixed {
		out.Fixed = append(out.Fixed, p.value(false))
	}
	return out, nil
}

func decodeSendResult(b []byte) (SendResult, error) {
	var r struct {
		TopupID    flexString `json:"topupId"`
		ID         flexString `json:"_id"`
		TopupRef   flexString `json:"topupRef"`
		NewBalance *flexFloat `json:"newBalance"`
	}
	if err := unmarshalObj("the send result", b, &r); err != nil {
		return SendResult{}, err
	}
	id := r.TopupID
	if id == "" {
		id = r.ID
	}
	if id == "" {
		return SendResult{}, decodeErr("the send result", errMissing("topupId"))
	}
	s := SendResult{TopupID: string(id), TopupRef: string(r.TopupRef)}
	if r.NewBalance != nil {
		s.NewBalance, s.HasNewBalance = float64(*r.NewBalance), true
	}
	return s, nil
}

type rawOffer struct {
	TypeName flexString `json:"typename"`
	PlanCode flexString `json:"plan_code"`
	Amount   flexFloat  `json:"amount"`
}

type rawMobile struct {
	ID              flexString `json:"_id"`
	Ref             flexString `json:"ref"`
	Status          flexString `json:"status"`
	PlanCode        flexString `json:"plan_code"`
	MSISDN          flexString `json:"MSSIDN"`
	MSISDNAlt       flexString `json:"MSISDN"`
	TopupAmount     flexFloat  `json:"topup_amount"`
	BalanceAmount   flexFloat  `json:"balance_amount"`
	CreatedAt       flexTime   `json:"created_at"`
	RefundMessage   flexString `json:"refund_message"`
	SuggestedOffers []rawOffer `json:"suggested_offers"`
	FollowOrderID   flexString `json:"follow_orderid"`
	RetryOrderID    flexString `json:"retry_orderid"`
}

func (r rawMobile) value() MobileTopup {
	m := MobileTopup{ID: string(r.ID), Ref: string(r.Ref), Status: string(r.Status), PlanCode: string(r.PlanCode),
		MSISDN: string(r.MSISDN), TopupAmount: float64(r.TopupAmount), BalanceAmount: float64(r.BalanceAmount),
		CreatedAt: time.Time(r.CreatedAt), RefundMessage: string(r.RefundMessage), FollowOrderID: string(r.FollowOrderID),
		RetryOrderID: string(r.RetryOrderID)}
	if m.MSISDN == "" {
		m.MSISDN = string(r.MSISDNAlt)
	}
	for _, o := range r.SuggestedOffers {
		m.SuggestedOffers = append(m.SuggestedOffers, SuggestedOffer{TypeName: string(o.TypeName), PlanCode: string(o.PlanCode), Amount: float64(o.Amount)})
	}
	return m
}

func decodeMobileTopup(b []byte) (MobileTopup, error) {
	var r rawMobile
	if err := unmarshalObj("the top-up", b, &r); err != nil {
		return MobileTopup{}, err
	}
	if r.ID == "" && r.Ref == "" {
		return MobileTopup{}, decodeErr("the top-up", errMissing("_id"))
	}
	return r.value(), nil
}

func decodeMobileList(data, meta []byte) ([]MobileTopup, api.Page, error) {
	return decodeList(data, meta, "the top-up list", rawMobile.value)
}

// --- internet -------------------------------------------------------------------

type rawInternetProduct struct {
	Value     flexFloat `json:"value"`
	Cost      flexFloat `json:"cost"`
	Available *flexBool `json:"available"`
}

// decodeInternetProducts reads {products, type} or a bare array.
func decodeInternetProducts(b []byte) ([]InternetProduct, string, error) {
	d := bytes.TrimSpace(b)
	var items []rawInternetProduct
	var typ string
	if len(d) > 0 && d[0] == '[' {
		if err := json.Unmarshal(d, &items); err != nil {
			return nil, "", decodeErr("the internet products", err)
		}
	} else {
		var r struct {
			Products []rawInternetProduct `json:"products"`
			Type     flexString           `json:"type"`
		}
		if err := unmarshalObj("the internet products", d, &r); err != nil {
			return nil, "", err
		}
		items, typ = r.Products, string(r.Type)
	}
	out := make([]InternetProduct, 0, len(items))
	for _, p := range items {
		out = append(out, InternetProduct{Value: float64(p.Value), Cost: float64(p.Cost), Available: p.Available == nil || bool(*p.Available)})
	}
	return out, typ, nil
}

func decodeNumberCheck(b []byte) (NumberCheck, error) {
	var r struct {
		NCLI  flexString `json:"ncli"`
		Offre flexString `json:"offre"`
		Type  flexString `json:"type"`
	}
	if err := unmarshalObj("the number check", b, &r); err != nil {
		return NumberCheck{}, err
	}
	return NumberCheck{NCLI: string(r.NCLI), Offre: string(r.Offre), Type: string(r.Type)}, nil
}

type rawInternet struct {
	ID             flexString `json:"_id"`
	Ref            flexString `json:"ref"`
	Status         flexString `json:"status"`
	Type           flexString `json:"type"`
	Number         flexString `json:"number"`
	TopupAmount    flexFloat  `json:"topup_amount"`
	CreatedAt      flexTime   `json:"created_at"`
	CardCode       flexString `json:"card_code"`
	NumTrans       flexString `json:"num_trans"`
	DateTraitement flexTime   `json:"date_traitement"`
}

func (r rawInternet) value() InternetTopup {
	return InternetTopup{ID: string(r.ID), Ref: string(r.Ref), Status: string(r.Status), Type: string(r.Type),
		Number: string(r.Number), TopupAmount: float64(r.TopupAmount), CreatedAt: time.Time(r.CreatedAt),
		CardCode: api.Secret(r.CardCode), NumTrans: string(r.NumTrans), DateTraitement: time.Time(r.DateTraitement)}
}

func decodeInternetTopup(b []byte) (InternetTopup, error) {
	var r rawInternet
	if err := unmarshalObj("the internet top-up", b, &r); err != nil {
		return InternetTopup{}, err
	}
	if r.ID == "" && r.Ref == "" {
		return InternetTopup{}, decodeErr("the internet top-up", errMissing("_id"))
	}
	return r.value(), nil
}

func decodeInternetList(data, meta []byte) ([]InternetTopup, api.Page, error) {
	return decodeList(data, meta, "the internet list", rawInternet.value)
}

// --- gift cards -----------------------------------------------------------------

func decodeCatalog(data, meta []byte) (Catalog, error) {
	type rawProduct struct {
		ID      flexString `json:"id"`
		OID     flexString `json:"_id"`
		Title   flexString `json:"title"`
		Name    flexString `json:"name"`
		Enabled *flexBool  `json:"enabled"`
		Region  flexString `json:"region"`
	}
	type rawCat struct {
		Name     flexString   `json:"name"`
		Products []rawProduct `json:"products"`
	}
	var r struct {
		Categories []rawCat `json:"categories"`
	}
	d := bytes.TrimSpace(data)
	if len(d) > 0 && d[0] == '[' {
		if err := json.Unmarshal(d, &r.Categories); err != nil {
			return Catalog{}, decodeErr("the catalogue", err)
		}
	} else if err := unmarshalObj("the catalogue", d, &r); err != nil {
		return Catalog{}, err
	}
	var c Catalog
	for _, rc := range r.Categories {
		cat := Category{Name: string(rc.Name)}
		for _, p := range rc.Products {
			id := p.ID
			if id == "" {
				id = p.OID
			}
			title := p.Title
			if title == "" {
				title = p.Name
			}
			cat.Products = append(cat.Products, CatalogProduct{ID: string(id), Title: string(title),
				Enabled: p.Enabled == nil || bool(*p.Enabled), Region: string(p.Region)})
			c.TotalProducts++
		}
		c.Categories = append(c.Categories, cat)
	}
	c.TotalCategories = len(c.Categories)
	var m struct {
		TotalCategories *flexInt `json:"totalCategories"`
		TotalProducts   *flexInt `json:"totalProducts"`
	}
	if json.Unmarshal(meta, &m) == nil {
		if m.TotalCategories != nil {
			c.TotalCategories = int(*m.TotalCategories)
		}
		if m.TotalProducts != nil {
			c.TotalProducts = int(*m.TotalProducts)
		}
	}
	return c, nil
}

// decodeGiftProduct accepts id or _id for the product and its types.
func decodeGiftProduct(b []byte) (GiftProduct, error) {
	type rawType struct {
		ID       flexString `json:"id"`
		OID      flexString `json:"_id"`
		Name     flexString `json:"name"`
		Price    flexFloat  `json:"price"`
		Quantity flexInt    `json:"quantity"`
	}
	var r struct {
		ProductID    flexString `json:"productId"`
		ID           flexString `json:"id"`
		OID          flexString `json:"_id"`
		ProductTitle flexString `json:"productTitle"`
		Title        flexString `json:"title"`
		Types        []rawType  `json:"types"`
	}
	if err := unmarshalObj("the product", b, &r); err != nil {
		return GiftProduct{}, err
	}
	p := GiftProduct{ProductID: string(firstNonEmpty(r.ProductID, r.ID, r.OID)), ProductTitle: string(firstNonEmpty(r.ProductTitle, r.Title))}
	for _, t := range r.Types {
		p.Types = append(p.Types, GiftType{ID: string(firstNonEmpty(t.ID, t.OID)), Name: string(t.Name), Price: float64(t.Price), Quantity: int(t.Quantity)})
	}
	return p, nil
}

func firstNonEmpty(v ...flexString) flexString {
	for _, s := range v {
		if strings.TrimSpace(string(s)) != "" {
			return s
		}
	}
	return ""
}

func decodePlaceOrder(b []byte) (string, error) {
	var r struct {
		OrderID flexString `json:"orderId"`
		ID      flexString `json:"_id"`
	}
	if err := unmarshalObj("the order result", b, &r); err != nil {
		return "", err
	}
	id := firstNonEmpty(r.OrderID, r.ID)
	if id == "" {
		return "", decodeErr("the order result", errMissing("orderId"))
	}
	return string(id), nil
}

type rawGift struct {
	ID                flexString `json:"_id"`
	AltID             flexString `json:"id"`
	Status            flexString `json:"status"`
	Product           flexString `json:"product"`
	Type              flexString `json:"type"`
	Quantity          flexInt    `json:"quantity"`
	FulfilledQuantity flexInt    `json:"fulfilled_quantity"`
	FulfilledAmount   flexFloat  `json:"fulfilled_amount"`
	PricePerCard      flexFloat  `json:"price_per_card"`
	Cards             []struct {
		Value  flexString `json:"value"`
		Serial flexString `json:"serial"`
	} `json:"cards"`
	Time flexTime `json:"time"`
}

func (r rawGift) value() GiftOrder {
	g := GiftOrder{ID: string(firstNonEmpty(r.ID, r.AltID)), Status: string(r.Status), Product: string(r.Product), Type: string(r.Type),
		Quantity: int(r.Quantity), FulfilledQuantity: int(r.FulfilledQuantity), FulfilledAmount: float64(r.FulfilledAmount),
		PricePerCard: float64(r.PricePerCard), Time: time.Time(r.Time)}
	for _, c := range r.Cards {
		g.Cards = append(g.Cards, GiftCard{Value: api.Secret(c.Value), Serial: string(c.Serial)})
	}
	return g
}

func decodeGiftOrder(b []byte) (GiftOrder, error) {
	var r rawGift
	if err := unmarshalObj("the gift-card order", b, &r); err != nil {
		return GiftOrder{}, err
	}
	if firstNonEmpty(r.ID, r.AltID) == "" {
		return GiftOrder{}, decodeErr("the gift-card order", errMissing("_id"))
	}
	return r.value(), nil
}

func decodeGiftList(data, meta []byte) ([]GiftOrder, api.Page, error) {
	return decodeList(data, meta, "the gift-card list", rawGift.value)
}
