package oneclick

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	reMSISDN = regexp.MustCompile(`^0[567][0-9]{8}$`)
	reADSL   = regexp.MustCompile(`^0[0-9]{8}$`)
	reLTE    = regexp.MustCompile(`^213[0-9]{9}$`)
)

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	h := func(pattern string, f handlerFunc) { m.HandleFunc(pattern, s.wrap(f)) }
	h("GET /v3/validate", s.validate)
	h("GET /v3/account/balance", s.balance)
	h("GET /v3/account/transactions", s.transactions)

	h("GET /v3/mobile/plans", s.mobilePlans)
	h("POST /v3/mobile/send", s.mobileSend)
	h("GET /v3/mobile/check-id/{id}", s.check("mobile", "id", (*order).mobileJSON))
	h("GET /v3/mobile/check-ref/{ref}", s.check("mobile", "ref", (*order).mobileJSON))
	h("GET /v3/mobile/list", s.list("mobile"))

	h("GET /v3/internet/products", s.internetProducts)
	h("GET /v3/internet/check-number", s.internetCheckNumber)
	h("POST /v3/internet/send", s.internetSend)
	h("GET /v3/internet/check-id/{id}", s.check("internet", "id", (*order).internetJSON))
	h("GET /v3/internet/check-ref/{ref}", s.check("internet", "ref", (*order).internetJSON))
	h("GET /v3/internet/list", s.list("internet"))

	h("GET /v3/gift-cards/catalog", s.giftCatalog)
	for _, p := range []string{"checkProduct", "check-product"} {
		h("GET /v3/gift-cards/"+p+"/{id}", s.giftCheckProduct)
	}
	for _, p := range []string{"placeOrder", "place-order"} {
		h("POST /v3/gift-cards/"+p, s.giftPlaceOrder)
	}
	for _, p := range []string{"checkOrder", "check-order"} {
		h("GET /v3/gift-cards/"+p+"/{id}", s.check("giftcard", "id", giftCheckOrder))
	}
	h("GET /v3/gift-cards/list", s.list("giftcard"))

	h("/", func(r *http.Request, _ time.Time) (reply, *apiErr) {
		return reply{}, errNotFound(fmt.Sprintf("Route %s:%s not found", r.Method, r.URL.Path))
	})
	return m
}

// --- body parsing with Fastify/AJV-style messages ---------------------------

type body map[string]json.RawMessage

func readBody(r *http.Request) (body, *apiErr) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return nil, errValidation("body", nil, "body could not be read")
	}
	var m body
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, errValidation("body", nil, "body must be object")
	}
	return m, nil
}

func (b body) has(name string) bool {
	v, ok := b[name]
	return ok && string(v) != "null"
}

func (b body) str(name string, required bool) (string, *apiErr) {
	if !b.has(name) {
		if required {
			return "", errValidation(name, nil, fmt.Sprintf("body must have required property '%s'", name))
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(b[name], &s); err != nil {
		return "", errValidation(name, json.RawMessage(b[name]), "body/"+name+" must be string")
	}
	return s, nil
}

func (b body) num(name string, required, integer bool) (float64, bool, *apiErr) {
	if !b.has(name) {
		if required {
			return 0, false, errValidation(name, nil, fmt.Sprintf("body must have required property '%s'", name))
		}
		return 0, false, nil
	}
	var f float64
	kind := "number"
	if integer {
		kind = "integer"
	}
	if err := json.Unmarshal(b[name], &f); err != nil || (integer && f != math.Trunc(f)) {
		return 0, false, errValidation(name, json.RawMessage(b[name]), "body/"+name+" must be "+kind)
	}
	return f, true, nil
}

// --- core & account ---------------------------------------------------------

func (s *Server) validate(*http.Request, time.Time) (reply, *apiErr) {
	return reply{data: map[string]any{"username": Username, "apiKey": map[string]any{
		"key": SandboxAPIKey, "isEnabled": true, "type": "SANDBOX", "allowedips": []string{}, "scope": "READ-WRITE"}}}, nil
}

func (s *Server) balance(*http.Request, time.Time) (reply, *apiErr) {
	return reply{data: map[string]any{"balance": s.st.balance, "currency": "DZD"}}, nil
}

type listQuery struct {
	page, size int
	from, to   time.Time
}

func parseList(r *http.Request, together bool) (listQuery, *apiErr) {
	q := r.URL.Query()
	lq := listQuery{page: 1, size: 20}
	for _, f := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"page", &lq.page, 1, math.MaxInt32}, {"pageSize", &lq.size, 1, 100}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return lq, &apiErr{400, "ERR_VALIDATION", "querystring/" + f.name + " must be integer", map[string]any{"field": f.name, "value": v}, 0}
		}
		if n < f.min {
			return lq, &apiErr{400, "ERR_VALIDATION", fmt.Sprintf("querystring/%s must be >= %d", f.name, f.min), map[string]any{"field": f.name, "value": n}, 0}
		}
		if n > f.max {
			return lq, &apiErr{400, "ERR_VALIDATION", fmt.Sprintf("querystring/%s must be <= %d", f.name, f.max), map[string]any{"field": f.name, "value": n}, 0}
		}
		*f.dst = n
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from", &lq.from}, {"to", &lq.to}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return lq, &apiErr{400, "ERR_VALIDATION", "querystring/" + f.name + ` must match format "date-time"`, map[string]any{"field": f.name, "value": v}, 0}
		}
		*f.dst = t
	}
	if together && lq.from.IsZero() != lq.to.IsZero() {
		return lq, &apiErr{400, "ERR_VALIDATION", "from and to must be provided together", map[string]any{"field": "from"}, 0}
	}
	return lq, nil
}

func (lq listQuery) keep(t time.Time) bool {
	return (lq.from.IsZero() || !t.Before(lq.from)) && (lq.to.IsZero() || !t.After(lq.to))
}

// page cuts one page of n newest-first items and its pagination object.
func (lq listQuery) page_(n int) (lo, hi int, pag map[string]any) {
	pages := (n + lq.size - 1) / lq.size
	lo = min((lq.page-1)*lq.size, n)
	hi = min(lo+lq.size, n)
	return lo, hi, map[string]any{"page": lq.page, "pageSize": lq.size, "totalPages": pages, "totalResults": n}
}

func (s *Server) transactions(r *http.Request, _ time.Time) (reply, *apiErr) {
	lq, e := parseList(r, true)
	if e != nil {
		return reply{}, e
	}
	var sel []*tx
	for i := len(s.st.txs) - 1; i >= 0; i-- {
		if t := s.st.txs[i]; lq.keep(t.at) {
			sel = append(sel, t)
		}
	}
	lo, hi, pag := lq.page_(len(sel))
	items := sel[lo:hi]
	if items == nil {
		items = []*tx{}
	}
	return reply{data: map[string]any{"items": items, "pagination": pag}}, nil
}

func (s *Server) list(vertical string) handlerFunc {
	return func(r *http.Request, _ time.Time) (reply, *apiErr) {
		lq, e := parseList(r, vertical == "mobile")
		if e != nil {
			return reply{}, e
		}
		all := s.st.lists[vertical]
		var sel []*order
		for i := len(all) - 1; i >= 0; i-- {
			if lq.keep(all[i].created) {
				sel = append(sel, all[i])
			}
		}
		lo, hi, pag := lq.page_(len(sel))
		items := make([]map[string]any, 0, hi-lo)
		for _, o := range sel[lo:hi] {
			switch vertical {
			case "mobile":
				items = append(items, o.mobileJSON())
			case "internet":
				items = append(items, o.internetJSON())
			default:
				items = append(items, o.giftJSON(true))
			}
		}
		return reply{data: map[string]any{"items": items, "pagination": pag}}, nil
	}
}

// --- mobile -------------------------------------------------------------------

func (s *Server) mobilePlans(*http.Request, time.Time) (reply, *apiErr) {
	return reply{data: map[string]any{"dynamicPlans": dynamicPlans, "fixedPlans": fixedPlans}}, nil
}

func magicNumber(n string) bool { return n == NumberRefund || n == NumberSuggest || n == NumberUnknown }

func (s *Server) mobileSend(r *http.Request, now time.Time) (reply, *apiErr) {
	b, e := readBody(r)
	if e != nil {
		return reply{}, e
	}
	code, e := b.str("plan_code", true)
	if e != nil {
		return reply{}, e
	}
	msisdn, e := b.str("MSSIDN", true)
	if e != nil {
		return reply{}, e
	}
	amount, hasAmount, e := b.num("amount", false, true)
	if e != nil {
		return reply{}, e
	}
	ref, e := b.str("ref", false)
	if e != nil {
		return reply{}, e
	}
	if !reMSISDN.MatchString(msisdn) {
		return reply{}, errValidation("MSSIDN", msisdn, `body/MSSIDN must match pattern "^0[567][0-9]{8}$"`)
	}
	p, ok := findPlan(code)
	if !ok {
		return reply{}, errValidation("plan_code", code, fmt.Sprintf("Plan '%s' does not exist", code))
	}
	if !p.Enabled {
		return reply{}, errValidation("plan_code", code, fmt.Sprintf("Plan '%s' is disabled", code))
	}
	if op, pop := operatorOf(msisdn), planOperator(p.Operator); !magicNumber(msisdn) && op != "" && pop != "Pixx" && op != pop {
		return reply{}, errValidation("MSSIDN", msisdn, fmt.Sprintf("MSSIDN %s is a %s number; plan %s is for %s", msisdn, op, code, pop))
	}
	if p.dynamic() {
		if !hasAmount {
			return reply{}, errValidation("amount", nil, fmt.Sprintf("amount is required for plan %s", code))
		}
		if amount < p.Min || amount > p.Max {
			return reply{}, errValidation("amount", amount, fmt.Sprintf("amount must be between %s and %s for plan %s", fmtAmount(p.Min), fmtAmount(p.Max), code))
		}
	} else {
		amount = *p.Amount // fixed plans ignore amount
	}
	if e := s.st.freeRef("mobile", ref); e != nil {
		return reply{}, e
	}
	if e := s.st.afford(round2(amount * p.costOf())); e != nil {
		return reply{}, e
	}
	o := s.st.createMobile(p, msisdn, amount, ref, now)
	return reply{data: map[string]any{"topupId": o.id, "topupRef": o.ref, "newBalance": s.st.balance}}, nil
}

// freeRef refuses a ref already used by an order of vertical ("" is always free).
func (st *state) freeRef(vertical, ref string) *apiErr {
	if _, dup := st.refs[vertical][ref]; dup && ref != "" {
		return &apiErr{status: 403, code: "DUPLICATED_REF", msg: "This reference ID is already in use", details: map[string]any{"ref": ref}}
	}
	return nil
}

func (st *state) afford(cost float64) *apiErr {
	if cost > st.balance {
		return &apiErr{status: 403, code: "INSUFFICIENT_BALANCE", msg: "Your balance is insufficient for this operation",
			details: map[string]any{"required": cost, "available": st.balance}}
	}
	return nil
}

// check answers one order of vertical found by "id" or "ref" (the path value of that name).
func (s *Server) check(vertical, by string, view func(*order) map[string]any) handlerFunc {
	return func(r *http.Request, _ time.Time) (reply, *apiErr) {
		o, e := s.lookup(vertical, by, r.PathValue(by))
		if e != nil {
			return reply{}, e
		}
		return reply{data: view(o)}, nil
	}
}

func (s *Server) lookup(vertical, by, key string) (*order, *apiErr) {
	var o *order
	if by == "id" {
		o = s.st.orders[key]
		if o != nil && o.vertical != vertical {
			o = nil
		}
	} else {
		o = s.st.refs[vertical][key]
	}
	if o == nil {
		what := "Top-up"
		if vertical == "giftcard" {
			what = "Order"
		}
		label := by
		if by == "ref" {
			label = "reference"
		}
		return nil, errNotFound(fmt.Sprintf("%s with %s '%s' not found", what, label, key))
	}
	return o, nil
}

// --- internet -----------------------------------------------------------------

func internetType(v string, in string) (string, *apiErr) {
	if v == "" {
		return "", errValidation("type", nil, in+" must have required property 'type'")
	}
	if _, ok := internetProducts[v]; !ok {
		return "", errValidation("type", v, in+"/type must be equal to one of the allowed values")
	}
	return v, nil
}

func phoneErr(number, typ string) *apiErr {
	return &apiErr{status: 400, code: "ERR_PHONE", msg: "Invalid phone number for " + typ + " service",
		details: map[string]any{"number": number, "type": typ, "reason": "Number does not match required format"}}
}

func validInternet(typ, number string) bool {
	if typ == "ADSL" {
		return reADSL.MatchString(number)
	}
	return reLTE.MatchString(number)
}

func (s *Server) internetProducts(r *http.Request, _ time.Time) (reply, *apiErr) {
	typ, e := internetType(r.URL.Query().Get("type"), "querystring")
	if e != nil {
		return reply{}, e
	}
	return reply{data: map[string]any{"products": internetProducts[typ], "type": typ}}, nil
}

func (s *Server) internetCheckNumber(r *http.Request, _ time.Time) (reply, *apiErr) {
	q := r.URL.Query()
	typ, e := internetType(q.Get("type"), "querystring")
	if e != nil {
		return reply{}, e
	}
	number := q.Get("number")
	if !validInternet(typ, number) {
		return reply{}, phoneErr(number, typ)
	}
	if typ == "ADSL" {
		return reply{data: map[string]any{"ncli": "11" + number[1:4] + "*****", "offre": "FTTc-b_10M", "type": "ADSL"}}, nil
	}
	return reply{data: map[string]any{"ncli": "11" + number[3:6] + "*****", "type": "4GLTE"}}, nil
}

func (s *Server) internetSend(r *http.Request, now time.Time) (reply, *apiErr) {
	b, e := readBody(r)
	if e != nil {
		return reply{}, e
	}
	typ, e := b.str("type", true)
	if e != nil {
		return reply{}, e
	}
	if typ, e = internetType(typ, "body"); e != nil {
		return reply{}, e
	}
	number, e := b.str("number", true)
	if e != nil {
		return reply{}, e
	}
	value, _, e := b.num("value", true, false)
	if e != nil {
		return reply{}, e
	}
	ref, e := b.str("ref", false)
	if e != nil {
		return reply{}, e
	}
	if !validInternet(typ, number) {
		return reply{}, phoneErr(number, typ)
	}
	i := slices.IndexFunc(internetProducts[typ], func(p internetProduct) bool { return p.Value == value })
	if i < 0 {
		var vals []string
		for _, p := range internetProducts[typ] {
			vals = append(vals, fmtAmount(p.Value))
		}
		return reply{}, errValidation("value", value, fmt.Sprintf("value must be one of %s for %s", strings.Join(vals, ", "), typ))
	}
	prod := internetProducts[typ][i]
	if !prod.Available {
		return reply{}, &apiErr{status: 400, code: "OUT_OF_STOCK", msg: fmt.Sprintf("Card value %s is out of stock for %s", fmtAmount(value), typ),
			details: map[string]any{"field": "value", "value": value}}
	}
	if e := s.st.freeRef("internet", ref); e != nil {
		return reply{}, e
	}
	if e := s.st.afford(prod.Cost); e != nil {
		return reply{}, e
	}
	o := s.st.createInternet(typ, number, prod, ref, now)
	return reply{data: map[string]any{"topupId": o.id, "topupRef": o.ref, "newBalance": s.st.balance}}, nil
}

// --- gift cards ---------------------------------------------------------------

func (s *Server) giftCatalog(*http.Request, time.Time) (reply, *apiErr) {
	var cats []map[string]any
	idx := map[string]int{}
	for _, p := range s.st.catalog {
		i, ok := idx[p.category]
		if !ok {
			i = len(cats)
			idx[p.category] = i
			cats = append(cats, map[string]any{"name": p.category, "products": []giftProduct{}})
		}
		cats[i]["products"] = append(cats[i]["products"].([]giftProduct), p)
	}
	return reply{data: map[string]any{"categories": cats},
		meta: map[string]any{"totalCategories": len(cats), "totalProducts": len(s.st.catalog)}}, nil
}

func (s *Server) product(id string) (giftProduct, *apiErr) {
	for _, p := range s.st.catalog {
		if p.ID == id {
			return p, nil
		}
	}
	return giftProduct{}, errNotFound(fmt.Sprintf("Product '%s' not found", id))
}

func (s *Server) giftCheckProduct(r *http.Request, _ time.Time) (reply, *apiErr) {
	p, e := s.product(r.PathValue("id"))
	if e != nil {
		return reply{}, e
	}
	types := make([]giftType, len(p.types))
	for i, t := range p.types {
		t.Quantity = s.st.stock[p.ID][t.ID]
		types[i] = t
	}
	return reply{data: map[string]any{"productId": p.ID, "productTitle": p.Title, "types": types}}, nil
}

func (s *Server) giftPlaceOrder(r *http.Request, now time.Time) (reply, *apiErr) {
	b, e := readBody(r)
	if e != nil {
		return reply{}, e
	}
	pid, e := b.str("productId", true)
	if e != nil {
		return reply{}, e
	}
	tid, e := b.str("typeId", true)
	if e != nil {
		return reply{}, e
	}
	qf, _, e := b.num("quantity", true, true)
	if e != nil {
		return reply{}, e
	}
	if qf < 1 {
		return reply{}, errValidation("quantity", qf, "body/quantity must be >= 1")
	}
	if qf > MaxGiftQuantity {
		return reply{}, errValidation("quantity", qf, fmt.Sprintf("body/quantity must be <= %d", MaxGiftQuantity))
	}
	qty := int(qf)
	p, e := s.product(pid)
	if e != nil {
		return reply{}, e
	}
	if !p.Enabled {
		return reply{}, errValidation("productId", pid, "Product is disabled")
	}
	i := slices.IndexFunc(p.types, func(t giftType) bool { return t.ID == tid })
	if i < 0 {
		return reply{}, errValidation("typeId", tid, fmt.Sprintf("Type '%s' does not exist for this product", tid))
	}
	t := p.types[i]
	if left := s.st.stock[p.ID][t.ID]; left < qty {
		msg := "Product out of stock"
		if left > 0 {
			msg = fmt.Sprintf("Product out of stock: only %d left", left)
		}
		return reply{}, &apiErr{status: 400, code: "OUT_OF_STOCK", msg: msg, details: map[string]any{"field": "quantity", "available": left}}
	}
	if cost := round2(t.Price * float64(qty)); cost > s.st.balance {
		return reply{}, &apiErr{status: 403, code: "INSUFFICIENT_BALANCE", msg: "Not enough balance",
			details: map[string]any{"required": cost, "available": s.st.balance}}
	}
	o := s.st.createGift(p, t, qty, now)
	return reply{data: map[string]any{"orderId": o.id}}, nil
}

// giftCheckOrder shows the cards only once the order is final.
func giftCheckOrder(o *order) map[string]any { return o.giftJSON(false) }
