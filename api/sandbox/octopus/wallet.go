package octopus

import (
	"fmt"
	"math"
	"net/http"
	"time"
)

type wallet struct {
	ID         int64   `json:"id"`
	CurrencyID int64   `json:"currency_id"`
	Amount     float64 `json:"amount"`
	Type       string  `json:"type"`
	code       string
}

type transaction struct {
	ID                  int64     `json:"id"`
	WalletID            int64     `json:"wallet_id"`
	CurrencyID          int64     `json:"currency_id"`
	Amount              float64   `json:"amount"`
	TransactionType     string    `json:"transaction_type"`
	Status              string    `json:"status"`
	SourceCurrency      *string   `json:"source_currency"`
	DestinationCurrency *string   `json:"destination_currency"`
	ForexRate           *float64  `json:"forex_rate"`
	ConversionCharges   *float64  `json:"conversion_charges"`
	Remarks             string    `json:"remarks"`
	CreatedAt           time.Time `json:"created_at"`
}

// Starting balance of each pre-credited wallet.
const initialBalance = 10000.0

// initWallets pre-credits a USD and a EUR wallet (ids 1 and 2).
func (s *Server) initWallets() {
	now := s.now()
	for i, code := range []string{"USD", "EUR"} {
		c, _ := currencyByCode(code)
		w := &wallet{ID: int64(i + 1), CurrencyID: c.ID, Type: "PREPAID", code: code}
		s.wallets = append(s.wallets, w)
		s.creditLocked(w, initialBalance, "Initial sandbox credit", 0, nil, now, false)
	}
}

func (s *Server) walletByIDLocked(id int64) *wallet {
	for _, w := range s.wallets {
		if w.ID == id {
			return w
		}
	}
	return nil
}

// chooseWalletLocked applies the wallet rule: the given id, else the wallet in
// the product currency, else the default (USD) wallet.
func (s *Server) chooseWalletLocked(id *int64, productCur string) (*wallet, error) {
	if id != nil {
		if *id < 1 {
			return nil, errValidation("wallet_id must be a positive integer")
		}
		w := s.walletByIDLocked(*id)
		if w == nil {
			return nil, errBadRequest("Wallet not found")
		}
		return w, nil
	}
	for _, w := range s.wallets {
		if w.code == productCur {
			return w, nil
		}
	}
	return s.wallets[0], nil
}

// fx is the FX detail of a debit in another currency.
type fx struct {
	from, to string
	rate     float64
}

// unitsPerUSD is the sandbox's fixed rate table. GBP is picked so that
// GBP→EUR is 1.17, the contract's example.
var unitsPerUSD = map[string]float64{
	"USD": 1, "EUR": 0.92, "GBP": 0.7863, "INR": 83.12, "JPY": 151.4, "CAD": 1.362, "AUD": 1.521,
}

func forexRate(from, to string) float64 {
	if from == to {
		return 1
	}
	return round(unitsPerUSD[to]/unitsPerUSD[from], 4)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func (s *Server) addTxLocked(w *wallet, typ string, amount float64, remarks string, f *fx, at time.Time) *transaction {
	t := &transaction{
		ID: s.nextTx, WalletID: w.ID, CurrencyID: w.CurrencyID, Amount: amount, TransactionType: typ,
		Status: "COMPLETED", Remarks: remarks, CreatedAt: at,
	}
	s.nextTx++
	if f != nil {
		from, to, rate, fee := f.from, f.to, f.rate, 0.0
		t.SourceCurrency, t.DestinationCurrency, t.ForexRate, t.ConversionCharges = &from, &to, &rate, &fee
	}
	s.txs = append(s.txs, t)
	return t
}

// debitLocked takes amount from w; the caller has checked the balance.
func (s *Server) debitLocked(w *wallet, amount float64, what string, orderID int64, f *fx, at time.Time) *transaction {
	w.Amount = round(w.Amount-amount, 4)
	t := s.addTxLocked(w, "DEBIT", amount,
		fmt.Sprintf("%s Wallet debited by amount %.2f - %s #%d", w.code, amount, what, orderID), f, at)
	s.walletEventLocked("wallet.debited", w, t, orderID, at)
	return t
}

// creditLocked returns money to w (refunds, sandbox top-ups).
func (s *Server) creditLocked(w *wallet, amount float64, remark string, orderID int64, f *fx, at time.Time, notify bool) *transaction {
	w.Amount = round(w.Amount+amount, 4)
	t := s.addTxLocked(w, "CREDIT", amount,
		fmt.Sprintf("%s Wallet credited by amount %.2f - %s", w.code, amount, remark), f, at)
	if notify {
		s.walletEventLocked("wallet.credited", w, t, orderID, at)
	}
	return t
}

func (s *Server) handleWallets(r *http.Request) (*reply, error) {
	page, per, err := parsePage(r.URL.Query(), "limit", 50, 10000)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]wallet, 0, len(s.wallets))
	for i := len(s.wallets) - 1; i >= 0; i-- { // id DESC, as the sibling API does
		out = append(out, *s.wallets[i])
	}
	return paginate(out, page, per), nil
}

func (s *Server) handleWallet(r *http.Request) (*reply, error) {
	id, err := pathID(r, "wallet")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.walletByIDLocked(id); w != nil {
		return ok(*w)
	}
	return nil, errNotFound("Wallet not found")
}

func (s *Server) handleTransactions(r *http.Request) (*reply, error) {
	q := r.URL.Query()
	page, per, err := parsePage(q, "limit", 50, 10000)
	if err != nil {
		return nil, err
	}
	walletID, filter, err := optInt(q, "wallet_id")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []transaction{}
	for i := len(s.txs) - 1; i >= 0; i-- {
		if !filter || s.txs[i].WalletID == walletID {
			out = append(out, *s.txs[i])
		}
	}
	return paginate(out, page, per), nil
}

func (s *Server) handleTransaction(r *http.Request) (*reply, error) {
	id, err := pathID(r, "transaction")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.txs {
		if t.ID == id {
			return ok(*t)
		}
	}
	return nil, errNotFound("Transaction not found")
}

// --- charges ---------------------------------------------------------------------

type chargesDetails struct {
	SourceCurrency      string   `json:"source_currency"`
	DestinationCurrency string   `json:"destination_currency"`
	ForexRate           *float64 `json:"forex_rate,omitempty"`
	ConversionFee       *float64 `json:"conversion_fee,omitempty"`
	VariantID           int64    `json:"variant_id,omitempty"`
	VariantName         string   `json:"variant_name,omitempty"`
}

type quote struct {
	NonDiscountedTotal float64        `json:"non_discounted_total"`
	DiscountAmount     float64        `json:"discount_amount"`
	TotalAmount        float64        `json:"total_amount"`
	Discount           float64        `json:"discount"`
	GSTAmount          float64        `json:"gst_amount"`
	TotalPayable       float64        `json:"total_payable"`
	MaxQuantity        *int           `json:"max_quantity,omitempty"`
	NetAmount          *float64       `json:"net_amount,omitempty"`
	HandlingFeeAmount  *float64       `json:"handling_fee_amount,omitempty"`
	ChargesDetails     chargesDetails `json:"charges_details"`

	wallet *wallet
	fx     *fx
}

// priceLocked does the maths of contract §2.3/§3.5: totals in the product
// currency; with a wallet in another currency, net = total × rate (rounded
// to cents) is what the wallet pays.
func priceLocked(unit float64, qty int, discount float64, productCur string, w *wallet) quote {
	q := quote{Discount: discount, wallet: w}
	q.NonDiscountedTotal = round(unit*float64(qty), 4)
	q.DiscountAmount = round(q.NonDiscountedTotal*discount/100, 4)
	q.TotalAmount = round(q.NonDiscountedTotal-q.DiscountAmount, 4)
	q.TotalPayable = q.TotalAmount
	q.ChargesDetails = chargesDetails{SourceCurrency: productCur, DestinationCurrency: w.code}
	if w.code != productCur {
		rate := forexRate(productCur, w.code)
		net, fee := round(q.TotalAmount*rate, 2), 0.0
		q.NetAmount, q.HandlingFeeAmount = &net, &fee
		q.TotalPayable = net
		q.ChargesDetails.ForexRate = &rate
		q.ChargesDetails.ConversionFee = &fee
		q.fx = &fx{from: productCur, to: w.code, rate: rate}
	}
	return q
}

type voucherPriceReq struct {
	Denomination *float64 `json:"denomination"`
	Quantity     *int     `json:"quantity"`
	WalletID     *int64   `json:"wallet_id"`
}

// voucherQuoteLocked validates and prices a voucher purchase.
func (s *Server) voucherQuoteLocked(p *voucherProduct, req voucherPriceReq) (quote, error) {
	if req.Denomination == nil {
		return quote{}, errValidation("denomination is required")
	}
	if d := *req.Denomination; !(d >= 0.01 && d <= 1e9) {
		return quote{}, errValidation("denomination must be between 0.01 and 1000000000")
	}
	if req.Quantity == nil {
		return quote{}, errValidation("quantity is required")
	}
	if q := *req.Quantity; q < 1 || q > maxVoucherQuantity {
		return quote{}, errValidation("quantity must be between 1 and %d", maxVoucherQuantity)
	}
	den, found := p.findDenomination(*req.Denomination)
	if !found {
		return quote{}, errValidation("denomination is not available for this product")
	}
	w, err := s.chooseWalletLocked(req.WalletID, p.CurrencyCode)
	if err != nil {
		return quote{}, err
	}
	q := priceLocked(*req.Denomination, *req.Quantity, den.Discount, p.CurrencyCode, w)
	mq := maxVoucherQuantity
	q.MaxQuantity = &mq
	return q, nil
}

func (s *Server) handleVoucherCharges(r *http.Request) (*reply, error) {
	id, err := pathID(r, "product")
	if err != nil {
		return nil, err
	}
	var req voucherPriceReq
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	p := voucherProductByID(id)
	if p == nil {
		return nil, errNotFound("Product not found")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.voucherQuoteLocked(p, req)
	if err != nil {
		return nil, err
	}
	return ok(q)
}

type topupPriceReq struct {
	ProductID *int64   `json:"product_id"`
	Amount    *float64 `json:"amount"`
	WalletID  *int64   `json:"wallet_id"`
	Category  string   `json:"category"`
}

func (s *Server) topupQuoteLocked(req topupPriceReq) (*topupProduct, *topupVariant, quote, error) {
	if req.ProductID == nil || *req.ProductID < 1 {
		return nil, nil, quote{}, errValidation("product_id is required and must be positive")
	}
	if req.Amount == nil || *req.Amount <= 0 {
		return nil, nil, quote{}, errValidation("amount is required and must be positive")
	}
	if c := req.Category; c != "" && c != "Airtime" && c != "Data" && c != "Bundle" {
		return nil, nil, quote{}, errValidation("category must be one of Airtime, Data, Bundle")
	}
	p := topupProductByID(*req.ProductID)
	if p == nil {
		return nil, nil, quote{}, errNotFound("Product not found")
	}
	v := p.pickVariant(*req.Amount, req.Category)
	if v == nil {
		return nil, nil, quote{}, errValidation("amount does not match any denomination of this product")
	}
	w, err := s.chooseWalletLocked(req.WalletID, p.CurrencyCode)
	if err != nil {
		return nil, nil, quote{}, err
	}
	q := priceLocked(*req.Amount, 1, v.discount, p.CurrencyCode, w)
	q.ChargesDetails.VariantID, q.ChargesDetails.VariantName = v.ID, v.Name
	return p, v, q, nil
}

func (s *Server) handleTopupCharges(r *http.Request) (*reply, error) {
	var req topupPriceReq
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _, q, err := s.topupQuoteLocked(req)
	if err != nil {
		return nil, err
	}
	return ok(q)
}

type esimPriceReq struct {
	ProductID *int64   `json:"product_id"`
	Amount    *float64 `json:"amount"`
	WalletID  *int64   `json:"wallet_id"`
}

func (s *Server) esimQuoteLocked(req esimPriceReq) (*esimProduct, *esimVariant, quote, error) {
	if req.ProductID == nil || *req.ProductID < 1 {
		return nil, nil, quote{}, errValidation("product_id is required and must be positive")
	}
	if req.Amount == nil || *req.Amount <= 0 {
		return nil, nil, quote{}, errValidation("amount is required and must be positive")
	}
	p := esimProductByID(*req.ProductID)
	if p == nil {
		return nil, nil, quote{}, errNotFound("Product not found")
	}
	v := p.variantFor(*req.Amount)
	if v == nil {
		return nil, nil, quote{}, errValidation("amount must equal a variant amount")
	}
	w, err := s.chooseWalletLocked(req.WalletID, v.CurrencyCode)
	if err != nil {
		return nil, nil, quote{}, err
	}
	q := priceLocked(v.Amount, 1, v.ClientDiscount, v.CurrencyCode, w)
	q.ChargesDetails.VariantID, q.ChargesDetails.VariantName = v.ID, v.Name
	return p, v, q, nil
}

func (s *Server) handleESIMCharges(r *http.Request) (*reply, error) {
	var req esimPriceReq
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _, q, err := s.esimQuoteLocked(req)
	if err != nil {
		return nil, err
	}
	return ok(q)
}
