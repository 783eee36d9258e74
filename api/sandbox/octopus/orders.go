package octopus

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Verticals, as in Transition.Vertical.
const (
	VerticalVoucher = "voucher"
	VerticalTopup   = "topup"
	VerticalESIM    = "esim"
)

// Magic inputs (documented in doc.go and MAGIC.md).
const (
	MagicCancelPrefix         = "cancel-" // client_reference prefix: PENDING, then CANCELLED and refunded (any vertical)
	MagicQtyPartial           = 13        // voucher quantity: PARTIALLY_DELIVERED (10 of 13), rest refunded; stays partial
	MagicQtyPartialThenFull   = 17        // voucher quantity: PARTIALLY_DELIVERED (12 of 17), DELIVERED 1–3 minutes later
	MagicQtyFailed            = 99        // voucher quantity: PENDING, then FAILED and refunded
	MagicPlayerFail           = "0000000" // topup player_id: FAILED inside the request (user-fixable), refunded
	MagicPlayerInstant        = "1111111" // topup player_id: DELIVERED inside the request
	MagicSlowSuffix           = "7777777" // topup player_id or phone_number ending in it: PENDING for 3–5 minutes
	MagicPhoneFailSuffix      = "0000000" // topup phone_number ending in it: PENDING, then FAILED (user-fixable), refunded
	voucherSyncMaxQuantity    = 5
	voucherLargeBatchQuantity = 1000
)

var (
	e164       = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	emailRe    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	voucherSts = []string{"PENDING", "DELIVERED", "PARTIALLY_DELIVERED", "FAILED", "CANCELLED"}
	topupSts   = []string{"PENDING", "DELIVERED", "FAILED", "CANCELLED", "RECHARGED"}
	esimSts    = []string{"PENDING", "DELIVERED", "FAILED", "CANCELLED"}
)

type voucherCode struct {
	CardNumber             string `json:"card_number"`
	PinCode                string `json:"pin_code"`
	ClaimURL               string `json:"claim_url"`
	ExpiresAt              string `json:"expires_at"`
	VoucherReferenceNumber string `json:"voucher_reference_number"`
}

// state is the part of an order that changes. Each order keeps the current
// one and the one lists see (copied by the scheduler every ListLag).
type state struct {
	Status         string
	StatusText     string
	UpdatedAt      time.Time
	CompletedAt    *time.Time
	Vouchers       []voucherCode // replaced, never mutated in place
	DeliveredQty   int
	Refunded       float64 // in the wallet currency
	FailureCode    string
	FailureReason  string
	Activation     string
	InstalledAt    *time.Time
	ActivatedAt    *time.Time
	ExpiresAt      *time.Time
	ICCID          string
	ActivationCode string
	Email          string
}

type step struct {
	at time.Time
	do func(at time.Time)
}

type order struct {
	vert    string
	id      int64
	ref     string
	created time.Time
	wallet  *wallet
	q       quote
	debitTx int64

	vprod        *voucherProduct
	denomination float64
	quantity     int

	tprod    *topupProduct
	tvar     *topupVariant
	input    map[string]string
	face     float64
	category string

	eprod *esimProduct
	evar  *esimVariant

	cur, listed state
	steps       []step
}

func (o *order) what() string {
	switch o.vert {
	case VerticalTopup:
		return "Topup Order"
	case VerticalESIM:
		return "eSIM Order"
	}
	return "Order"
}

func terminal(status string) bool {
	return status == "DELIVERED" || status == "FAILED" || status == "CANCELLED"
}

// --- shared create steps (s.mu held) -----------------------------------------------

func checkRef(ref *string) (string, error) {
	if ref == nil || *ref == "" {
		return "", nil
	}
	r := *ref
	if len(r) > 255 {
		return "", errValidation("client_reference must be at most 255 characters")
	}
	for i := 0; i < len(r); i++ {
		if r[i] < 0x20 || r[i] > 0x7e {
			return "", errValidation("client_reference must be printable ASCII")
		}
	}
	return r, nil
}

func checkEmail(email *string) (string, error) {
	if email == nil || *email == "" {
		return "", nil
	}
	if len(*email) > 254 || !emailRe.MatchString(*email) {
		return "", errValidation("email must be a valid email address")
	}
	return *email, nil
}

// checkRefEmail checks a create's optional client_reference and email, in that order.
func checkRefEmail(ref, email *string) (string, string, error) {
	r, err := checkRef(ref)
	if err != nil {
		return "", "", err
	}
	e, err := checkEmail(email)
	if err != nil {
		return "", "", err
	}
	return r, e, nil
}

// admitLocked is a create's last check: one order per (client,
// client_reference) across all verticals, and enough funds.
func (s *Server) admitLocked(ref string, q quote) error {
	if _, dup := s.byRef[ref]; dup && ref != "" {
		return errBadRequest("Duplicate client_reference")
	}
	if q.wallet.Amount+1e-9 < q.TotalPayable {
		return errInsufficientFunds()
	}
	return nil
}

// registerLocked assigns the id, debits the wallet and makes the order visible
// (lists see a new order at once; only its later changes lag).
func (s *Server) registerLocked(o *order, status, text string, at time.Time) {
	o.id = s.nextID[o.vert]
	s.nextID[o.vert]++
	o.created = at
	o.cur.Status, o.cur.StatusText, o.cur.UpdatedAt = status, text, at
	t := s.debitLocked(o.wallet, o.q.TotalPayable, o.what(), o.id, o.q.fx, at)
	o.debitTx = t.ID
	s.orders[o.vert] = append(s.orders[o.vert], o)
	s.byID[o.vert][o.id] = o
	if o.ref != "" {
		s.byRef[o.ref] = o
	}
	o.listed = o.cur
	s.count(func(st *Stats) { st.Orders[o.vert]++ })
	s.transitionLocked(o, "status", "", status, at)
}

func (s *Server) transitionLocked(o *order, field, from, to string, at time.Time) {
	s.pendingTr = append(s.pendingTr, Transition{
		Vertical: o.vert, ID: o.id, ClientReference: o.ref, Field: field, From: from, To: to, At: at,
	})
}

// setStatusLocked moves the order and records the transition.
func (s *Server) setStatusLocked(o *order, to, text string, at time.Time) {
	from := o.cur.Status
	o.cur.Status, o.cur.StatusText, o.cur.UpdatedAt = to, text, at
	if terminal(to) {
		t := at
		o.cur.CompletedAt = &t
	}
	s.dirty[o] = struct{}{}
	if from != to {
		s.transitionLocked(o, "status", from, to, at)
	}
}

func (s *Server) refundLocked(o *order, amount float64, at time.Time) {
	amount = round(amount, 4)
	if amount <= 0 {
		return
	}
	o.cur.Refunded = round(o.cur.Refunded+amount, 4)
	s.creditLocked(o.wallet, amount, fmt.Sprintf("Refund for %s #%d", o.what(), o.id), o.id, o.q.fx, at, true)
}

func (s *Server) failLocked(o *order, status, code, reason string, at time.Time) {
	o.cur.FailureCode, o.cur.FailureReason = code, reason
	text := "Order failed"
	if status == "CANCELLED" {
		text = "Order cancelled"
	}
	if o.vert == VerticalTopup && status == "FAILED" {
		text = "Top-up failed"
	}
	s.setStatusLocked(o, status, text, at)
	s.refundLocked(o, o.q.TotalPayable-o.cur.Refunded, at)
	if o.vert == VerticalVoucher {
		typ := "order.failed"
		if status == "CANCELLED" {
			typ = "order.cancelled"
		}
		s.voucherEventLocked(o, typ, at)
	}
}

func (s *Server) scheduleCancelLocked(o *order, now time.Time) {
	s.scheduleLocked(o, now.Add(s.between(5*time.Second, 15*time.Second)), func(at time.Time) {
		s.failLocked(o, "CANCELLED", "CANCELLED", "The order was cancelled administratively", at)
	})
}

// --- vouchers --------------------------------------------------------------------------

type createVoucherReq struct {
	ProductID *int64 `json:"product_id"`
	voucherPriceReq
	ClientReference *string `json:"client_reference"`
	Email           *string `json:"email"`
	Ref             *string `json:"ref"` // legacy; accepted and ignored
}

func (s *Server) createVoucherLocked(req createVoucherReq, now time.Time) (*order, error) {
	if req.ProductID == nil || *req.ProductID < 1 {
		return nil, errValidation("product_id is required and must be positive")
	}
	ref, email, err := checkRefEmail(req.ClientReference, req.Email)
	if err != nil {
		return nil, err
	}
	p := voucherProductByID(*req.ProductID)
	if p == nil {
		return nil, errValidation("product_id does not name an active product")
	}
	q, err := s.voucherQuoteLocked(p, req.voucherPriceReq)
	if err != nil {
		return nil, err
	}
	if err := s.admitLocked(ref, q); err != nil {
		return nil, err
	}
	o := &order{vert: VerticalVoucher, ref: ref, wallet: q.wallet, q: q, vprod: p,
		denomination: *req.Denomination, quantity: *req.Quantity}
	o.cur.Email = email
	qty := o.quantity

	if qty <= voucherSyncMaxQuantity && !strings.HasPrefix(ref, MagicCancelPrefix) {
		o.cur.Vouchers = s.makeCodes(o, 0, qty, now)
		o.cur.DeliveredQty = qty
		s.registerLocked(o, "DELIVERED", "Delivered", now)
		o.cur.CompletedAt = &now
		o.listed = o.cur
		s.voucherEventLocked(o, "order.delivered", now)
		return o, nil
	}
	o.cur.Vouchers = []voucherCode{}
	s.registerLocked(o, "PENDING", "Processing", now)
	delay := s.between(10*time.Second, 60*time.Second)
	if qty >= voucherLargeBatchQuantity {
		delay = s.between(2*time.Minute, 5*time.Minute)
	}
	at := now.Add(delay)
	switch {
	case strings.HasPrefix(ref, MagicCancelPrefix):
		s.scheduleCancelLocked(o, now)
	case qty == MagicQtyStuck:
		// Released by StopIncident(IncidentStuckBatch), or after 30 minutes.
		s.scheduleLocked(o, now.Add(s.scaled(30*time.Minute)), func(at time.Time) { s.deliverVoucherLocked(o, at) })
	case qty == MagicQtyFailed:
		s.scheduleLocked(o, at, func(at time.Time) {
			s.failLocked(o, "FAILED", "FULFILMENT_FAILED", "No voucher codes could be issued", at)
		})
	case qty == MagicQtyPartial:
		s.scheduleLocked(o, at, func(at time.Time) {
			s.partialLocked(o, qty-3, at)
			unit := o.q.TotalPayable / float64(qty)
			s.refundLocked(o, unit*3, at)
		})
	case qty == MagicQtyPartialThenFull:
		s.scheduleLocked(o, at, func(at time.Time) {
			s.partialLocked(o, qty-5, at)
			s.scheduleLocked(o, at.Add(s.between(time.Minute, 3*time.Minute)), func(at time.Time) {
				s.deliverVoucherLocked(o, at)
			})
		})
	default:
		s.scheduleLocked(o, at, func(at time.Time) { s.deliverVoucherLocked(o, at) })
	}
	return o, nil
}

func (s *Server) partialLocked(o *order, n int, at time.Time) {
	o.cur.Vouchers = s.makeCodes(o, 0, n, at)
	o.cur.DeliveredQty = n
	s.setStatusLocked(o, "PARTIALLY_DELIVERED", "Partially delivered", at)
	s.voucherEventLocked(o, "order.partially_delivered", at)
}

func (s *Server) deliverVoucherLocked(o *order, at time.Time) {
	have := o.cur.Vouchers
	codes := make([]voucherCode, 0, o.quantity)
	codes = append(codes, have...)
	codes = append(codes, s.makeCodes(o, len(have), o.quantity, at)...)
	o.cur.Vouchers = codes
	o.cur.DeliveredQty = o.quantity
	s.setStatusLocked(o, "DELIVERED", "Delivered", at)
	s.voucherEventLocked(o, "order.delivered", at)
}

// makeCodes issues mock codes from index i up to j.
func (s *Server) makeCodes(o *order, i, j int, at time.Time) []voucherCode {
	prefix := strings.ToUpper(strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, strings.Fields(o.vprod.Name)[0]))
	if len(prefix) > 6 {
		prefix = prefix[:6]
	}
	exp := at.AddDate(1, 0, 0).Format(time.RFC3339)
	out := make([]voucherCode, 0, j-i)
	for k := i; k < j; k++ {
		out = append(out, voucherCode{
			CardNumber:             fmt.Sprintf("%s-%s-%s-%s", prefix, s.randString(4, alnum), s.randString(4, alnum), s.randString(4, alnum)),
			PinCode:                s.randString(6, digits),
			ClaimURL:               "https://claim.sandbox.octopuscards.invalid/v/" + s.randString(20, base62),
			ExpiresAt:              exp,
			VoucherReferenceNumber: fmt.Sprintf("VRN-%d-%04d", o.id, k+1),
		})
	}
	return out
}

type voucherView struct {
	ID                int64          `json:"id"`
	ProductID         int64          `json:"product_id"`
	ProductName       string         `json:"product_name"`
	Denomination      float64        `json:"denomination"`
	Quantity          int            `json:"quantity"`
	DeliveredQuantity int            `json:"delivered_quantity"`
	Amount            float64        `json:"amount"`
	Discount          float64        `json:"discount"`
	TotalAmount       float64        `json:"total_amount"`
	ClientReference   *string        `json:"client_reference"`
	WalletID          int64          `json:"wallet_id"`
	Status            string         `json:"status"`
	BaseCurrency      string         `json:"base_currency"`
	DeductionCurrency string         `json:"deduction_currency"`
	DeductionAmount   float64        `json:"deduction_amount"`
	RefundedAmount    float64        `json:"refunded_amount"`
	TransactionID     int64          `json:"transaction_id"`
	Email             *string        `json:"email"`
	Vouchers          *[]voucherCode `json:"vouchers,omitempty"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
	CompletedAt       *time.Time     `json:"completed_at"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (o *order) voucherJSON(st state, detail bool) voucherView {
	v := voucherView{
		ID: o.id, ProductID: o.vprod.ID, ProductName: o.vprod.Name, Denomination: o.denomination,
		Quantity: o.quantity, DeliveredQuantity: st.DeliveredQty, Amount: o.q.NonDiscountedTotal,
		Discount: o.q.DiscountAmount, TotalAmount: o.q.TotalAmount, ClientReference: strOrNil(o.ref),
		WalletID: o.wallet.ID, Status: st.Status, BaseCurrency: o.vprod.CurrencyCode,
		DeductionCurrency: o.wallet.code, DeductionAmount: o.q.TotalPayable, RefundedAmount: st.Refunded,
		TransactionID: o.debitTx, Email: strOrNil(st.Email),
		CreatedAt: o.created, UpdatedAt: st.UpdatedAt, CompletedAt: st.CompletedAt,
	}
	if detail {
		codes := st.Vouchers
		if codes == nil {
			codes = []voucherCode{}
		}
		v.Vouchers = &codes
	}
	return v
}

func (s *Server) handleCreateVoucher(r *http.Request) (*reply, error) {
	return runCreate(s, r, http.StatusCreated, s.createVoucherLocked)
}

// runCreate decodes a create request, places the order under the lock and
// answers status with its detail view.
func runCreate[Req any](s *Server, r *http.Request, status int, create func(Req, time.Time) (*order, error)) (*reply, error) {
	var req Req
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	s.mu.Lock()
	o, err := create(req, s.now())
	var view any
	if err == nil {
		view = o.view(o.cur, true)
	}
	s.mu.Unlock()
	s.flush()
	if err != nil {
		return nil, err
	}
	return &reply{status: status, body: view}, nil
}

// --- topups ---------------------------------------------------------------------------------

type createTopupReq struct {
	topupPriceReq
	InputData       map[string]any `json:"input_data"`
	ClientReference *string        `json:"client_reference"`
	Email           *string        `json:"email"`
}

// checkInput validates input_data against the product's input_fields.
func checkInput(p *topupProduct, in map[string]any) (map[string]string, error) {
	out := map[string]string{}
	known := map[string]inputField{}
	for _, f := range p.InputFields {
		known[f.Name] = f
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, found := known[k]
		if !found {
			return nil, errValidation("input_data.%s is not an allowed field", printable(k))
		}
		v, isStr := in[k].(string)
		if !isStr {
			return nil, errValidation("input_data.%s must be a string", k)
		}
		if f.Pattern != "" && !regexp.MustCompile(f.Pattern).MatchString(v) {
			return nil, errValidation("input_data.%s is not valid", k)
		}
		if len(f.Options) > 0 && !contains(f.Options, v) {
			return nil, errValidation("input_data.%s must be one of %s", k, strings.Join(f.Options, ", "))
		}
		out[k] = v
	}
	for _, f := range p.InputFields {
		if _, has := out[f.Name]; f.Required && !has {
			return nil, errValidation("input_data.%s is required", f.Name)
		}
	}
	return out, nil
}

// printable keeps a hostile key from putting control bytes in a message.
func printable(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) createTopupLocked(req createTopupReq, now time.Time) (*order, error) {
	ref, email, err := checkRefEmail(req.ClientReference, req.Email)
	if err != nil {
		return nil, err
	}
	p, v, q, err := s.topupQuoteLocked(req.topupPriceReq)
	if err != nil {
		return nil, err
	}
	input, err := checkInput(p, req.InputData)
	if err != nil {
		return nil, err
	}
	if err := s.admitLocked(ref, q); err != nil {
		return nil, err
	}
	o := &order{vert: VerticalTopup, ref: ref, wallet: q.wallet, q: q, tprod: p, tvar: v, input: input,
		face: *req.Amount, category: req.Category}
	o.cur.Email = email
	player, phone := input["player_id"], input["phone_number"]

	switch {
	case player == MagicPlayerFail:
		s.registerLocked(o, "PENDING", "Order submitted for fulfilment", now)
		s.failLocked(o, "FAILED", "INVALID_PLAYER_ID", "The player ID was not found. Check it and try again.", now)
		o.listed = o.cur
		return o, nil
	case player == MagicPlayerInstant:
		s.registerLocked(o, "PENDING", "Order submitted for fulfilment", now)
		s.deliverTopupLocked(o, now)
		o.listed = o.cur
		return o, nil
	}
	s.registerLocked(o, "PENDING", "Order submitted for fulfilment", now)
	switch {
	case strings.HasPrefix(ref, MagicCancelPrefix):
		s.scheduleCancelLocked(o, now)
	case phone != "" && (strings.HasSuffix(phone, MagicPhoneFailSuffix) || s.incident(IncidentFailingOperator) && p.ID == FailingOperatorProduct):
		s.scheduleLocked(o, now.Add(s.between(5*time.Second, 30*time.Second)), func(at time.Time) {
			s.failLocked(o, "FAILED", "INVALID_RECIPIENT", "The phone number is not served by this operator. Check it and try again.", at)
		})
	case strings.HasSuffix(player, MagicSlowSuffix) || strings.HasSuffix(phone, MagicSlowSuffix):
		s.scheduleLocked(o, now.Add(s.scaled(time.Minute)), func(at time.Time) {
			o.cur.StatusText, o.cur.UpdatedAt = "Retrying with the operator", at
			s.dirty[o] = struct{}{}
		})
		s.scheduleLocked(o, now.Add(s.between(3*time.Minute, 5*time.Minute)), func(at time.Time) { s.deliverTopupLocked(o, at) })
	default:
		s.scheduleLocked(o, now.Add(s.between(5*time.Second, 30*time.Second)), func(at time.Time) { s.deliverTopupLocked(o, at) })
	}
	return o, nil
}

func (s *Server) deliverTopupLocked(o *order, at time.Time) {
	s.setStatusLocked(o, "DELIVERED", "Top-up delivered", at)
}

type topupView struct {
	ID                int64             `json:"id"`
	ClientReference   *string           `json:"client_reference"`
	ProductID         int64             `json:"product_id"`
	ProductName       string            `json:"product_name"`
	VariantID         int64             `json:"variant_id"`
	VariantName       string            `json:"variant_name"`
	Category          string            `json:"category"`
	CountryCode       string            `json:"country_code"`
	RequestedAmount   float64           `json:"requested_amount"`
	Amount            float64           `json:"amount"`
	Currency          string            `json:"currency"`
	WalletID          int64             `json:"wallet_id"`
	DeductionCurrency string            `json:"deduction_currency"`
	DeductionAmount   float64           `json:"deduction_amount"`
	InputData         map[string]string `json:"input_data,omitempty"`
	Status            string            `json:"status"`
	StatusText        string            `json:"status_text"`
	FailureCode       *string           `json:"failure_code,omitempty"`
	FailureReason     *string           `json:"failure_reason,omitempty"`
	IsUserFixable     *bool             `json:"is_user_fixable,omitempty"`
	TransactionID     int64             `json:"transaction_id"`
	Email             *string           `json:"email"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
	CompletedAt       *time.Time        `json:"completed_at"`
}

func failureFields(st state) (*string, *string, *bool) {
	if st.Status != "FAILED" {
		return nil, nil, nil
	}
	fixable := true
	return strOrNil(st.FailureCode), strOrNil(st.FailureReason), &fixable
}

func (o *order) topupJSON(st state, detail bool) topupView {
	v := topupView{
		ID: o.id, ClientReference: strOrNil(o.ref), ProductID: o.tprod.ID, ProductName: o.tprod.Name,
		VariantID: o.tvar.ID, VariantName: o.tvar.Name, Category: o.tvar.Category, CountryCode: o.tprod.CountryCode,
		RequestedAmount: o.face, Amount: o.q.TotalAmount, Currency: o.tprod.CurrencyCode, WalletID: o.wallet.ID,
		DeductionCurrency: o.wallet.code, DeductionAmount: o.q.TotalPayable, Status: st.Status,
		StatusText: st.StatusText, TransactionID: o.debitTx, Email: strOrNil(st.Email),
		CreatedAt: o.created, UpdatedAt: st.UpdatedAt, CompletedAt: st.CompletedAt,
	}
	v.FailureCode, v.FailureReason, v.IsUserFixable = failureFields(st)
	if detail {
		v.InputData = o.input
	}
	return v
}

func (s *Server) handleCreateTopup(r *http.Request) (*reply, error) {
	return runCreate(s, r, http.StatusOK, s.createTopupLocked)
}

// --- eSIM ------------------------------------------------------------------------------------------

type createESIMReq struct {
	esimPriceReq
	Quantity        *float64 `json:"quantity"` // coerced to 1
	ClientReference *string  `json:"client_reference"`
	Email           *string  `json:"email"`
}

// eSIM create handler deadline (contract: the handler waits up to 60 s).
const esimInlineDeadline = 60 * time.Second

func (s *Server) createESIMLocked(req createESIMReq, now time.Time) (*order, error) {
	ref, email, err := checkRefEmail(req.ClientReference, req.Email)
	if err != nil {
		return nil, err
	}
	p, v, q, err := s.esimQuoteLocked(req.esimPriceReq)
	if err != nil {
		return nil, err
	}
	if err := s.admitLocked(ref, q); err != nil {
		return nil, err
	}
	o := &order{vert: VerticalESIM, ref: ref, wallet: q.wallet, q: q, eprod: p, evar: v}
	o.cur.Email = email
	s.registerLocked(o, "PENDING", "Provisioning eSIM profile", now)
	switch {
	case p.ID == ESIMProductFailing:
		s.failLocked(o, "FAILED", "PLAN_UNAVAILABLE", "This plan is not available at the moment. Choose another plan.", now)
		o.listed = o.cur
	case strings.HasPrefix(ref, MagicCancelPrefix):
		s.scheduleCancelLocked(o, now)
	case p.ID == ESIMProductSlow:
		s.scheduleLocked(o, now.Add(s.between(2*time.Minute, 4*time.Minute)), func(at time.Time) { s.deliverESIMLocked(o, at) })
	default:
		s.scheduleLocked(o, now.Add(s.between(time.Second, 6*time.Second)), func(at time.Time) { s.deliverESIMLocked(o, at) })
	}
	return o, nil
}

func (s *Server) deliverESIMLocked(o *order, at time.Time) {
	o.cur.ICCID = "89810" + s.randString(14, digits)
	o.cur.ActivationCode = "LPA:1$smdp.example.net$" + s.randString(24, hexUp)
	o.cur.Activation = "NOT_INSTALLED"
	s.setStatusLocked(o, "DELIVERED", "eSIM profile issued", at)
	s.transitionLocked(o, "activation", "", "NOT_INSTALLED", at)
	if o.eprod.ID == ESIMProductNeverInstall {
		return
	}
	s.scheduleLocked(o, at.Add(s.between(time.Minute, 4*time.Minute)), func(at time.Time) {
		t := at
		o.cur.InstalledAt, o.cur.ActivatedAt = &t, &t
		o.cur.Activation, o.cur.UpdatedAt = "ACTIVE", at
		exp := at.Add(s.scaled(time.Duration(o.evar.ValidityDays) * 24 * time.Hour))
		o.cur.ExpiresAt = &exp
		s.dirty[o] = struct{}{}
		s.transitionLocked(o, "activation", "NOT_INSTALLED", "ACTIVE", at)
		s.scheduleLocked(o, exp, func(at time.Time) {
			o.cur.Activation, o.cur.UpdatedAt = "EXPIRED", at
			s.dirty[o] = struct{}{}
			s.transitionLocked(o, "activation", "ACTIVE", "EXPIRED", at)
		})
	})
}

type esimView struct {
	ID                int64      `json:"id"`
	ClientReference   *string    `json:"client_reference"`
	Status            string     `json:"status"`
	StatusText        string     `json:"status_text"`
	ProductID         int64      `json:"product_id"`
	ProductName       string     `json:"product_name"`
	VariantID         int64      `json:"variant_id"`
	VariantName       string     `json:"variant_name"`
	CountryCode       string     `json:"country_code"`
	DataAmountGB      float64    `json:"data_amount_gb"`
	ValidityDays      int        `json:"validity_days"`
	Amount            float64    `json:"amount"`
	Currency          string     `json:"currency"`
	WalletID          int64      `json:"wallet_id"`
	DeductionCurrency string     `json:"deduction_currency"`
	DeductionAmount   float64    `json:"deduction_amount"`
	ActivationStatus  *string    `json:"activation_status"`
	IsInstalled       bool       `json:"is_installed"`
	InstalledAt       *time.Time `json:"installed_at"`
	ActivatedAt       *time.Time `json:"activated_at"`
	ExpiresAt         *time.Time `json:"expires_at"`
	FailureCode       *string    `json:"failure_code,omitempty"`
	FailureReason     *string    `json:"failure_reason,omitempty"`
	IsUserFixable     *bool      `json:"is_user_fixable,omitempty"`
	TransactionID     int64      `json:"transaction_id"`
	Email             *string    `json:"email"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	CompletedAt       *time.Time `json:"completed_at"`
	ICCID             *string    `json:"iccid,omitempty"`
	ActivationCode    *string    `json:"activation_code,omitempty"`
}

func (o *order) esimJSON(st state, detail bool) esimView {
	v := esimView{
		ID: o.id, ClientReference: strOrNil(o.ref), Status: st.Status, StatusText: st.StatusText,
		ProductID: o.eprod.ID, ProductName: o.eprod.Name, VariantID: o.evar.ID, VariantName: o.evar.Name,
		CountryCode: o.eprod.CountryCode, DataAmountGB: o.evar.DataAmountGB, ValidityDays: o.evar.ValidityDays,
		Amount: o.q.TotalAmount, Currency: o.evar.CurrencyCode, WalletID: o.wallet.ID,
		DeductionCurrency: o.wallet.code, DeductionAmount: o.q.TotalPayable,
		ActivationStatus: strOrNil(st.Activation), IsInstalled: st.InstalledAt != nil,
		InstalledAt: st.InstalledAt, ActivatedAt: st.ActivatedAt, ExpiresAt: st.ExpiresAt,
		TransactionID: o.debitTx, Email: strOrNil(st.Email),
		CreatedAt: o.created, UpdatedAt: st.UpdatedAt, CompletedAt: st.CompletedAt,
	}
	v.FailureCode, v.FailureReason, v.IsUserFixable = failureFields(st)
	if detail {
		v.ICCID = strOrNil(st.ICCID)
		if st.InstalledAt == nil { // one-time install: the code is gone once used
			v.ActivationCode = strOrNil(st.ActivationCode)
		}
	}
	return v
}

func (s *Server) handleCreateESIM(r *http.Request) (*reply, error) {
	var req createESIMReq
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.Lock()
	o, err := s.createESIMLocked(req, now)
	var until time.Time
	if err == nil && o.cur.Status == "PENDING" {
		until = now.Add(s.scaled(esimInlineDeadline))
		if len(o.steps) > 0 && o.steps[0].at.Before(until) {
			until = o.steps[0].at
		}
	}
	s.mu.Unlock()
	s.flush()
	if err != nil {
		return nil, err
	}
	if !until.IsZero() {
		s.sleep(r.Context(), time.Until(until))
	}
	s.mu.Lock()
	s.advanceLocked(o, s.now())
	view := o.esimJSON(o.cur, true)
	s.mu.Unlock()
	s.flush()
	return ok(view)
}

// --- reads and the notification-email PATCH ---------------------------------------------------

func (o *order) view(st state, detail bool) any {
	switch o.vert {
	case VerticalTopup:
		return o.topupJSON(st, detail)
	case VerticalESIM:
		return o.esimJSON(st, detail)
	}
	return o.voucherJSON(st, detail)
}

func (s *Server) orderFromPath(r *http.Request, vert string) (*order, error) {
	id, err := pathID(r, "order")
	if err != nil {
		return nil, err
	}
	o := s.byID[vert][id]
	if o == nil {
		return nil, errNotFound("Order not found")
	}
	return o, nil
}

// detailHandler refreshes in-flight state on read, as the real detail GETs do.
func (s *Server) detailHandler(vert string) handlerFunc {
	return func(r *http.Request) (*reply, error) {
		return s.orderReply(r, vert, nil)
	}
}

// orderReply finds the path's order under the lock, brings it up to date,
// applies change (if any) and answers its detail view.
func (s *Server) orderReply(r *http.Request, vert string, change func(*order)) (*reply, error) {
	s.mu.Lock()
	o, err := s.orderFromPath(r, vert)
	var view any
	if err == nil {
		s.advanceLocked(o, s.now())
		if change != nil {
			change(o)
		}
		view = o.view(o.cur, true)
	}
	s.mu.Unlock()
	s.flush()
	if err != nil {
		return nil, err
	}
	return ok(view)
}

// listHandler returns stored state: it may lag the detail view by ListLag.
func (s *Server) listHandler(vert string) handlerFunc {
	return func(r *http.Request) (*reply, error) {
		q := r.URL.Query()
		sizeName, maxPer, statuses := "per_page", 500, topupSts
		switch vert {
		case VerticalVoucher:
			sizeName, statuses = "limit", voucherSts
		case VerticalESIM:
			statuses = esimSts
		}
		page, per, err := parsePage(q, sizeName, 50, maxPer)
		if err != nil {
			return nil, err
		}
		status := strings.ToUpper(q.Get("status"))
		if status != "" && !contains(statuses, status) {
			return nil, errValidation("status must be one of %s", strings.Join(statuses, ", "))
		}
		ref := q.Get("client_reference")
		var productID int64
		var country string
		if vert == VerticalTopup {
			if productID, _, err = optInt(q, "product_id"); err != nil {
				return nil, err
			}
			country = q.Get("country")
			if country != "" && (len(country) != 3 || strings.ToUpper(country) != country) {
				return nil, errValidation("country must be an upper-case alpha-3 code")
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		all := s.orders[vert]
		var sel []*order
		for i := len(all) - 1; i >= 0; i-- {
			o := all[i]
			if (status != "" && o.listed.Status != status) || (ref != "" && o.ref != ref) ||
				(productID != 0 && o.tprod.ID != productID) || (country != "" && o.tprod.CountryCode != country) {
				continue
			}
			sel = append(sel, o)
		}
		// Views only for the page: a list costs no allocation per order held.
		start := min(max((page-1)*per, 0), len(sel))
		out := make([]any, 0, min(per, len(sel)-start))
		for _, o := range sel[start:min(start+per, len(sel))] {
			out = append(out, o.view(o.listed, false))
		}
		return &reply{status: 200, body: out, page: &pageInfo{page: page, per: per, total: len(sel), size: len(out)}}, nil
	}
}

func (s *Server) emailHandler(vert string) handlerFunc {
	return func(r *http.Request) (*reply, error) {
		if _, err := pathID(r, "order"); err != nil {
			return nil, err
		}
		var body struct {
			Email *string `json:"email"`
		}
		if err := decode(r, &body); err != nil {
			return nil, err
		}
		if body.Email == nil || *body.Email == "" {
			return nil, errValidation("email is required")
		}
		email, err := checkEmail(body.Email)
		if err != nil {
			return nil, err
		}
		return s.orderReply(r, vert, func(o *order) { o.cur.Email, o.listed.Email = email, email })
	}
}
