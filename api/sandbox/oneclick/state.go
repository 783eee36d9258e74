package oneclick

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Simulated timings (unscaled). TimeScale multiplies them.
const (
	mobileHandlingAt = 5 * time.Second  // PENDING for ≈5 s
	mobileFinalAt    = 20 * time.Second // then HANDLING for ≈15 s
	unknownResolveAt = 2 * time.Hour    // UNKNOWN_ERROR resolves to FULFILLED
	internetFinalAt  = 15 * time.Second
	queuedResolveAt  = 24 * time.Hour // QUEUED resolves to FULFILLED
	giftFinalAt      = 10 * time.Second
)

// Magic inputs (see MAGIC.md).
const (
	NumberRefund       = "0600000001"
	NumberSuggest      = "0600000002"
	NumberUnknown      = "0600000003"
	ADSLQueued         = "099999999"
	ADSLRefund         = "099999998"
	LTEQueued          = "213999999999"
	LTERefund          = "213999999998"
	TypeRefund         = "TEST_REFUND"
	TypePartial        = "TEST_PARTIAL"
	refundMessage      = "هذا الرقم لا يقبل العرض المرسل، يرجى إرسال أحد العروض التالية"
	plainRefundMessage = "تعذر شحن هذا الرقم، تم إرجاع المبلغ إلى رصيدك"
	unknownMessage     = "تعذر تحديد حالة العملية، سيتم التحقق منها يدويا"
)

type step struct {
	after  time.Duration // unscaled, from creation
	status string
}

type offer struct {
	TypeName string  `json:"typename"`
	PlanCode string  `json:"plan_code"`
	Amount   float64 `json:"amount"`
}

type card struct {
	Value  string `json:"value"`
	Serial string `json:"serial"`
}

type order struct {
	vertical string
	id, ref  string
	created  time.Time
	status   string
	steps    []step
	scenario string

	// mobile
	plan, msisdn  string
	topupAmount   float64
	balanceAmount float64
	refundMsg     string
	offers        []offer

	// internet
	typ, number, cardCode, numTrans string
	cost                            float64
	dateTraitement                  time.Time

	// gift cards
	product, typeID string
	quantity, fq    int
	price           float64
	cards           []card
	final           bool
}

type tx struct {
	ID         string  `json:"_id"`
	Type       string  `json:"type"`
	Operation  string  `json:"operation"`
	Amount     float64 `json:"amount"`
	OldBalance float64 `json:"oldBalance"`
	NewBalance float64 `json:"newBalance"`
	ObjID      string  `json:"objid"`
	Note       string  `json:"note"`
	Time       string  `json:"time"`
	at         time.Time
}

// state is the account; every method runs under Server.mu.
type state struct {
	s          *Server
	balance    float64
	txs        []*tx
	orders     map[string]*order // by id, all verticals
	lists      map[string][]*order
	refs       map[string]map[string]*order // vertical → ref → order
	active     []*order
	catalog    []giftProduct
	stock      map[string]map[string]int
	pending    []Transition
	lastAuto   int64
	trafficSeq int
}

func newState(s *Server, now time.Time) *state {
	st := &state{
		s:       s,
		orders:  map[string]*order{},
		lists:   map[string][]*order{},
		refs:    map[string]map[string]*order{"mobile": {}, "internet": {}},
		catalog: giftCatalog(),
		stock:   map[string]map[string]int{},
	}
	for _, p := range st.catalog {
		st.stock[p.ID] = map[string]int{}
		for _, t := range p.types {
			st.stock[p.ID][t.ID] = t.Quantity
		}
	}
	st.move("DEPOSIT", InitialBalance, "", "Sandbox opening balance", now)
	return st
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func (st *state) newID(now time.Time) string {
	return fmt.Sprintf("%08x%016x", uint32(now.Unix()), st.s.rng.Uint64())
}

// move changes the balance and records a transaction; amount > 0 credits.
func (st *state) move(typ string, amount float64, objid, note string, now time.Time) {
	op := "increment"
	if amount < 0 {
		op = "decrement"
	}
	old := st.balance
	st.balance = round2(st.balance + amount)
	st.txs = append(st.txs, &tx{ID: st.newID(now), Type: typ, Operation: op, Amount: round2(math.Abs(amount)),
		OldBalance: old, NewBalance: st.balance, ObjID: objid, Note: note, Time: ts(now), at: now})
}

func (st *state) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * st.s.scale)
}

// autoRef builds API-<username>-test-<epochMs>-<scenario>, unique per call.
func (st *state) autoMs(now time.Time) int64 {
	ms := now.UnixMilli()
	if ms <= st.lastAuto {
		ms = st.lastAuto + 1
	}
	st.lastAuto = ms
	return ms
}

func (st *state) add(o *order, now time.Time) {
	st.orders[o.id] = o
	st.lists[o.vertical] = append(st.lists[o.vertical], o)
	if o.ref != "" && st.refs[o.vertical] != nil {
		st.refs[o.vertical][o.ref] = o
	}
	st.active = append(st.active, o)
	st.pending = append(st.pending, Transition{Vertical: o.vertical, ID: o.id, Ref: o.ref, To: o.status, At: now})
}

// flush returns transitions produced by handlers since the last call.
func (st *state) flush() []Transition {
	p := st.pending
	st.pending = nil
	return p
}

// advance applies every step due at now.
func (st *state) advance(now time.Time) []Transition {
	out := st.flush()
	keep := st.active[:0]
	for _, o := range st.active {
		for len(o.steps) > 0 {
			at := o.created.Add(st.scaled(o.steps[0].after))
			if now.Before(at) {
				break
			}
			from := o.status
			o.status = o.steps[0].status
			o.steps = o.steps[1:]
			st.apply(o, at)
			out = append(out, Transition{Vertical: o.vertical, ID: o.id, Ref: o.ref, From: from, To: o.status, At: at})
		}
		if len(o.steps) > 0 {
			keep = append(keep, o)
		}
	}
	for i := len(keep); i < len(st.active); i++ {
		st.active[i] = nil
	}
	st.active = keep
	return out
}

// apply is the side effect of reaching o.status.
func (st *state) apply(o *order, at time.Time) {
	switch o.vertical {
	case "mobile":
		switch o.status {
		case "REFUNDED":
			st.move("REFUND-FLEXY", o.balanceAmount, o.id, "Refund of top-up to "+o.msisdn, at)
			o.balanceAmount = 0
			o.refundMsg = plainRefundMessage
			if o.scenario == "suggest" {
				o.refundMsg = refundMessage
				o.offers = []offer{{TypeName: "📋 FACTURE | فاتورة", PlanCode: "FACTURE_DJEZZY", Amount: 500}}
			}
		case "UNKNOWN_ERROR":
			o.refundMsg = unknownMessage
		case "FULFILLED":
			o.refundMsg = ""
			if o.scenario == "menu" {
				o.offers = menuOffers(o.plan)
			}
		}
	case "internet":
		switch o.status {
		case "FULFILLED":
			o.dateTraitement = at
		case "REFUNDED":
			st.move("REFUND-ADSL", o.cost, o.id, "Refund of internet top-up to "+o.number, at)
		}
	case "giftcard":
		if o.status == "HANDLING" {
			return
		}
		o.final = true
		o.cards = make([]card, o.fq)
		for i := range o.cards {
			n := strconv.Itoa(i + 1)
			o.cards[i] = card{Value: "SANDBOX-CARD-" + n, Serial: "SANDBOX-" + n}
		}
		if back := float64(o.quantity-o.fq) * o.price; back > 0 {
			st.move("REFUND-ORDER", back, o.id, fmt.Sprintf("Refund of %d undelivered card(s)", o.quantity-o.fq), at)
		}
	}
}

func menuOffers(planCode string) []offer {
	op := planCode[len("GETMENU_"):]
	var out []offer
	for _, p := range append(append([]plan(nil), dynamicPlans...), fixedPlans...) {
		if p.Operator != op || !p.Enabled || p.Code == planCode {
			continue
		}
		amt := p.Min
		if p.Amount != nil {
			amt = *p.Amount
		}
		out = append(out, offer{TypeName: p.Name, PlanCode: p.Code, Amount: amt})
	}
	return out
}

// --- creation ---------------------------------------------------------------

func (st *state) createMobile(p plan, msisdn string, amount float64, ref string, now time.Time) *order {
	scenario := "success"
	final := "FULFILLED"
	switch {
	case msisdn == NumberRefund:
		scenario, final = "refund", "REFUNDED"
	case msisdn == NumberSuggest:
		scenario, final = "suggest", "REFUNDED"
	case msisdn == NumberUnknown:
		scenario, final = "unknown", "UNKNOWN_ERROR"
	case len(p.Code) > 8 && p.Code[:8] == "GETMENU_":
		scenario = "menu"
	}
	cost := round2(amount * p.costOf())
	o := &order{vertical: "mobile", id: st.newID(now), ref: ref, created: now, status: "PENDING", scenario: scenario,
		plan: p.Code, msisdn: msisdn, topupAmount: amount, balanceAmount: cost,
		steps: []step{{mobileHandlingAt, "HANDLING"}, {mobileFinalAt, final}}}
	if scenario == "unknown" {
		o.steps = append(o.steps, step{mobileFinalAt + unknownResolveAt, "FULFILLED"})
	}
	if o.ref == "" {
		o.ref = fmt.Sprintf("API-%s-test-%d-%s", Username, st.autoMs(now), scenario)
	}
	if cost > 0 {
		st.move("FLEXY", -cost, o.id, fmt.Sprintf("Flexy %s DA to %s (%s)", fmtAmount(amount), msisdn, p.Code), now)
	}
	st.add(o, now)
	return o
}

func (st *state) createInternet(typ, number string, prod internetProduct, ref string, now time.Time) *order {
	o := &order{vertical: "internet", id: st.newID(now), ref: ref, created: now, status: "HANDLING",
		typ: typ, number: number, topupAmount: prod.Value, cost: prod.Cost}
	// Card data is drawn now so outcomes do not depend on when they are read.
	o.cardCode = fmt.Sprintf("%012d", st.s.rng.Int64N(1e12))
	o.numTrans = fmt.Sprintf("AT-%d-%05d", now.Year(), st.s.rng.IntN(100000))
	switch number {
	case ADSLQueued, LTEQueued:
		o.steps = []step{{internetFinalAt, "QUEUED"}, {internetFinalAt + queuedResolveAt, "FULFILLED"}}
	case ADSLRefund, LTERefund:
		o.steps = []step{{internetFinalAt, "REFUNDED"}}
	default:
		o.steps = []step{{internetFinalAt, "FULFILLED"}}
	}
	if o.ref == "" {
		o.ref = fmt.Sprintf("API-%s-test-internet-%d", Username, st.autoMs(now))
	}
	st.move("ADSL", -prod.Cost, o.id, fmt.Sprintf("%s %s DA to %s", typ, fmtAmount(prod.Value), number), now)
	st.add(o, now)
	return o
}

func (st *state) createGift(p giftProduct, t giftType, qty int, now time.Time) *order {
	o := &order{vertical: "giftcard", id: st.newID(now), created: now, status: "HANDLING",
		product: p.ID, typeID: t.ID, quantity: qty, price: t.Price, fq: qty}
	final := "FULFILLED"
	switch t.ID {
	case TypeRefund:
		o.fq, final = 0, "REFUNDED"
	case TypePartial:
		o.fq, final = qty/2, "PARTIALLY_FILLED"
		if o.fq == 0 {
			final = "REFUNDED"
		}
	}
	o.steps = []step{{giftFinalAt, final}}
	st.stock[p.ID][t.ID] -= qty
	st.move("ORDER", -round2(t.Price*float64(qty)), o.id, fmt.Sprintf("%d × %s", qty, t.Name), now)
	st.add(o, now)
	return o
}

func fmtAmount(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// --- rendering --------------------------------------------------------------

func (o *order) mobileJSON() map[string]any {
	m := map[string]any{"_id": o.id, "ref": o.ref, "status": o.status, "plan_code": o.plan, "MSSIDN": o.msisdn,
		"topup_amount": o.topupAmount, "balance_amount": o.balanceAmount, "created_at": ts(o.created)}
	if o.refundMsg != "" {
		m["refund_message"] = o.refundMsg
	}
	if len(o.offers) > 0 {
		m["suggested_offers"] = o.offers
	}
	return m
}

func (o *order) internetJSON() map[string]any {
	m := map[string]any{"_id": o.id, "ref": o.ref, "status": o.status, "type": o.typ, "number": o.number,
		"topup_amount": o.topupAmount, "created_at": ts(o.created)}
	if o.status == "FULFILLED" {
		m["card_code"] = o.cardCode
		m["num_trans"] = o.numTrans
		m["date_traitement"] = ts(o.dateTraitement)
	}
	return m
}

func (o *order) giftJSON(full bool) map[string]any {
	m := map[string]any{"_id": o.id, "status": o.status, "quantity": o.quantity, "product": o.product,
		"type": o.typeID, "time": ts(o.created)}
	if o.final || full {
		fq := 0
		cards := []card{}
		if o.final {
			fq = o.fq
			cards = o.cards
		}
		m["fulfilled_quantity"] = fq
		m["fulfilled_amount"] = round2(float64(fq) * o.price)
		m["price_per_card"] = o.price
		m["cards"] = cards
	}
	return m
}
