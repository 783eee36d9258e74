package headless

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

// Deps are what Place needs. Engine must not be running: Place runs it for
// the duration of the call (the reference lookup and --wait need it).
type Deps struct {
	Engine  *engine.Engine
	Catalog api.Catalog
	Placer  api.Placer
	// Wallets, when set, is asked for balances so an insufficient balance is
	// caught before sending; nil skips the local check (the server still checks).
	Wallets func(ctx context.Context) ([]api.Wallet, error)
	// Retry bounds the retries of the reads before the create (catalogue,
	// quote); zero values take DefaultRetry's.
	Retry Retry
}

// Retry is how reads before the create are retried on a transient error
// (429, 5xx, a dropped connection): up to Attempts tries, waiting the
// server's Retry-After or else Base doubling, never more than MaxWait in
// all. A create is never retried.
type Retry struct {
	Attempts int
	Base     time.Duration
	MaxWait  time.Duration
}

// DefaultRetry keeps a place run under a minute of waiting for reads.
var DefaultRetry = Retry{Attempts: 5, Base: time.Second, MaxWait: time.Minute}

// Read runs fn, retrying transient errors within r; it returns the last
// error when they are spent (or ctx ends).
func Read[T any](ctx context.Context, r Retry, fn func(context.Context) (T, error)) (T, error) {
	if r.Attempts <= 0 {
		r.Attempts = DefaultRetry.Attempts
	}
	if r.Base <= 0 {
		r.Base = DefaultRetry.Base
	}
	if r.MaxWait <= 0 {
		r.MaxWait = DefaultRetry.MaxWait
	}
	var waited time.Duration
	for attempt := 0; ; attempt++ {
		v, err := fn(ctx)
		k := api.KindOf(err)
		if err == nil || attempt+1 >= r.Attempts || (k != api.KindRateLimited && k != api.KindServer && k != api.KindNetwork) {
			return v, err
		}
		d := api.RetryAfterOf(err)
		if d <= 0 {
			d = r.Base << attempt
		}
		if waited+d > r.MaxWait {
			return v, err
		}
		waited += d
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return v, err
		case <-t.C:
		}
	}
}

// transient reports an error worth a "could not start" rather than a
// failed order: the provider was busy or unreachable, nothing was sent.
func transient(err error) bool {
	switch api.KindOf(err) {
	case api.KindRateLimited, api.KindServer, api.KindNetwork, api.KindDecode:
		return true
	}
	return false
}

// Result is the one JSON object `orderwatch place` prints.
type Result struct {
	ID                string       `json:"id,omitempty"`
	Vertical          api.Vertical `json:"vertical"`
	ClientReference   string       `json:"client_reference"`
	Status            string       `json:"status"`
	RawStatus         string       `json:"raw_status,omitempty"`
	StatusText        string       `json:"status_text,omitempty"`
	ProductID         string       `json:"product_id,omitempty"`
	ProductName       string       `json:"product_name,omitempty"`
	VariantName       string       `json:"variant_name,omitempty"`
	Amount            float64      `json:"amount"`
	Currency          string       `json:"currency,omitempty"`
	Quantity          int          `json:"quantity"`
	DeliveredQuantity int          `json:"delivered_quantity"`
	FailureCode       string       `json:"failure_code,omitempty"`
	FailureReason     string       `json:"failure_reason,omitempty"`
	IsUserFixable     bool         `json:"is_user_fixable"`
	Quote             *QuoteJSON   `json:"quote,omitempty"`
	Vouchers          []VoucherOut `json:"vouchers,omitempty"`
	ESIM              *ESIMOut     `json:"esim,omitempty"`
	// OneClickDz: the number topped up, the price of one gift card, what
	// the balance paid and got back (partial fills), offers after a refund.
	Recipient       string     `json:"recipient,omitempty"`
	PricePerCard    float64    `json:"price_per_card,omitempty"`
	Debited         float64    `json:"debited,omitempty"`
	Refunded        float64    `json:"refunded,omitempty"`
	SuggestedOffers []OfferOut `json:"suggested_offers,omitempty"`
	// Revealed says whether codes are printed in full (--reveal) or masked.
	Revealed bool `json:"revealed"`
	// OutcomeUnknown is true when the create's reply was lost and the
	// reference was not found (yet): the order may or may not exist.
	OutcomeUnknown bool   `json:"outcome_unknown,omitempty"`
	Error          string `json:"error,omitempty"`
	ExitCode       int    `json:"exit_code"`

	// Rerun is true when the reference was used before: this run sent
	// nothing and reports the earlier attempt as it stands now.
	Rerun bool `json:"rerun,omitempty"`
}

// QuoteJSON is the price shown before buying.
type QuoteJSON struct {
	FaceValue      float64  `json:"face_value"`
	Discount       float64  `json:"discount"`
	DiscountPct    float64  `json:"discount_pct"`
	Total          float64  `json:"total"`
	TotalPayable   float64  `json:"total_payable"`
	Currency       string   `json:"currency,omitempty"`
	WalletCurrency string   `json:"wallet_currency,omitempty"`
	WalletID       string   `json:"wallet_id,omitempty"`
	FXRate         float64  `json:"fx_rate,omitempty"`
	BalanceAfter   *float64 `json:"balance_after,omitempty"`
}

// VoucherOut is one delivered code, masked unless --reveal.
type VoucherOut struct {
	CardNumber string    `json:"card_number,omitempty"`
	PIN        string    `json:"pin,omitempty"`
	Serial     string    `json:"serial,omitempty"`
	ClaimURL   string    `json:"claim_url,omitempty"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	Reference  string    `json:"reference,omitempty"`
}

// OfferOut is a plan OneClickDz suggests after a refused mobile top-up.
type OfferOut struct {
	Name     string  `json:"name"`
	PlanCode string  `json:"plan_code"`
	Amount   float64 `json:"amount"`
}

// ESIMOut is a delivered eSIM; the activation code is masked unless --reveal.
type ESIMOut struct {
	ICCID            string  `json:"iccid,omitempty"`
	ActivationCode   string  `json:"activation_code,omitempty"`
	ActivationStatus string  `json:"activation_status,omitempty"`
	Installed        bool    `json:"installed"`
	DataGB           float64 `json:"data_gb,omitempty"`
	ValidityDays     int     `json:"validity_days,omitempty"`
}

// flagOf names the flag behind a request field, for error messages: the
// spec's own names first, then the flags every vertical shares.
func flagOf(field string, spec *api.Spec, inputFlags map[string]string) string {
	if f, ok := spec.Place.FlagOf[field]; ok {
		return f
	}
	switch field {
	case "product_id", "vertical", "productId":
		return "--product"
	case "quantity":
		return "--quantity"
	case "email":
		return "--email"
	case "client_reference":
		return "--reference"
	case "wallet_id":
		return "--wallet"
	}
	if k, ok := strings.CutPrefix(field, api.KeyInput); ok {
		if f, ok := inputFlags[k]; ok {
			return f
		}
		return "--input " + k + "=…"
	}
	return "--" + field
}

// Place runs the order flow: validate against the catalogue, quote, check
// the balance, place exactly once through the engine (journal first), and
// with --wait follow the order to an outcome. It prints one JSON object on
// stdout (except for bad input, which is one message on stderr) and returns
// the exit code.
func Place(ctx context.Context, deps Deps, o PlaceOptions, stdout, stderr io.Writer) int {
	fail := func(code int, format string, args ...any) int {
		fmt.Fprintf(stderr, "orderwatch place: "+format+"\n", args...)
		return code
	}
	if deps.Engine == nil || deps.Catalog == nil || deps.Placer == nil {
		return fail(ExitBadInput, "not configured (no engine, catalogue or placer)")
	}
	spec, ok := api.SpecOf(o.Vertical)
	if !ok || spec.Request == nil || spec.Validate == nil {
		return fail(ExitBadInput, "unknown vertical")
	}
	pid := strings.TrimSpace(o.Values[spec.Place.ProductKey])

	// The engine resolves lost replies, looks earlier attempts up and
	// follows the order: run it for the rest of the call.
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stop()
	wg.Go(func() { _ = deps.Engine.Run(runCtx) })
	updates := deps.Engine.Updates()

	// A journaled reference is a rerun: reported before anything else can
	// fail, so its answer is about the earlier attempt.
	if ref := strings.TrimSpace(o.Values[api.KeyReference]); ref != "" {
		if found, err := deps.Engine.Rerun(ctx, o.Vertical, ref); err != nil {
			var prior *engine.PriorError
			if !errors.As(err, &prior) {
				return fail(ExitBadInput, "%v", err)
			}
			qty, _ := api.ParseQuantity(o.Values[api.KeyQuantity])
			res := Result{Vertical: o.Vertical, ClientReference: ref, Revealed: o.Reveal, ProductID: pid,
				Quantity: max(qty, 1)}
			return rerun(ctx, deps.Engine, updates, o, res, found, prior, stdout, stderr)
		}
	}
	// Checked after the rerun: a rerun sends nothing, and its answer must
	// not be lost to a flag only a new order needs.
	if o.Live && !o.Yes {
		return fail(ExitBadInput, "this is a LIVE account and the order spends real money: add --yes to confirm (nothing was sent)")
	}
	if pid == "" {
		return fail(ExitBadInput, "%s is required", flagOf("product_id", spec, nil))
	}

	prod, err := Read(ctx, deps.Retry, func(ctx context.Context) (api.Product, error) {
		return deps.Catalog.Product(ctx, o.Vertical, pid)
	})
	if err != nil {
		switch api.KindOf(err) {
		case api.KindNotFound, api.KindValidation:
			return fail(ExitBadInput, "%s %s: unknown product (%v) (nothing was sent)", flagOf("product_id", spec, nil), pid, err)
		}
		return fail(ExitCouldNotStart, "could not start: reading the catalogue: %v (nothing was sent)", err)
	}
	req, inputFlags, err := buildRequest(spec, o, &prod, pid)
	if err != nil {
		return fail(ExitBadInput, "%s (nothing was sent)", describeErr(err, spec, inputFlags))
	}
	if err := spec.Validate(req, &prod); err != nil {
		var fe api.FieldErrors
		if errors.As(err, &fe) {
			msgs := make([]string, 0, len(fe))
			for _, e := range fe {
				msgs = append(msgs, flagOf(e.Field, spec, inputFlags)+": "+e.Message)
			}
			return fail(ExitBadInput, "%s (nothing was sent)", strings.Join(msgs, "; "))
		}
		return fail(ExitBadInput, "%v (nothing was sent)", err)
	}

	q, err := Read(ctx, deps.Retry, func(ctx context.Context) (api.Quote, error) { return deps.Placer.Quote(ctx, req) })
	if err != nil {
		if code, ok := rejectCode(err); ok {
			return fail(code, "quote refused: %s (nothing was sent)", describeErr(err, spec, inputFlags))
		}
		if transient(err) || ctx.Err() != nil {
			return fail(ExitCouldNotStart, "could not start: quote: %v (nothing was sent)", err)
		}
		return fail(ExitFailed, "quote: %v (nothing was sent)", err)
	}
	qj := quoteJSON(q)
	if deps.Wallets != nil {
		ws, werr := deps.Wallets(ctx)
		if werr == nil {
			if w, ok := pickWallet(ws, req.WalletID, q); ok {
				qj.WalletID = w.ID
				after := w.Balance - q.TotalPayable
				qj.BalanceAfter = &after
				if err := api.CheckBalance(q, w); err != nil {
					return fail(ExitBadInput, "--wallet %s: %s (nothing was sent)", w.ID, err.(*api.Error).Message)
				}
			} else if req.WalletID != "" {
				return fail(ExitBadInput, "--wallet %s: no such wallet (nothing was sent)", req.WalletID)
			}
		}
	}

	placed, perr := deps.Engine.Place(ctx, deps.Placer, req)
	res := Result{Vertical: o.Vertical, ClientReference: req.ClientReference, Quote: qj, Revealed: o.Reveal,
		ProductID: req.ProductID, ProductName: prod.Name, Amount: req.Amount, Currency: prod.Currency, Quantity: max(req.Quantity, 1)}
	if perr != nil {
		var prior *engine.PriorError
		switch {
		case errors.Is(perr, engine.ErrUnreadableRecord) || errors.Is(perr, engine.ErrNothingSent):
			return fail(ExitBadInput, "%v", perr)
		case errors.As(perr, &prior):
			return rerun(ctx, deps.Engine, updates, o, res, placed, prior, stdout, stderr)
		case errors.Is(perr, engine.ErrDuplicatePlace):
			if placed.ID != "" {
				fill(&res, placed, o.Reveal)
			}
			res.Error = perr.Error()
			res.ExitCode = ExitBadInput
			fmt.Fprintf(stderr, "orderwatch place: --reference %q is being placed by this process; nothing was sent\n", req.ClientReference)
			return emit(stdout, stderr, res)
		case api.KindOf(perr) == api.KindOutcomeUnknown && placed.ID == "":
			res.Status = "unknown"
			res.OutcomeUnknown = true
			res.Error = perr.Error()
			res.ExitCode = ExitUnknown
			return emit(stdout, stderr, res)
		case placed.ID == "":
			if code, ok := rejectCode(perr); ok {
				return fail(code, "the provider refused the order: %s (nothing was placed)", describeErr(perr, spec, inputFlags))
			}
			res.Status = "not_placed"
			res.Error = perr.Error()
			res.ExitCode = ExitFailed
			return emit(stdout, stderr, res)
		}
		// A lost reply resolved by reference: placed is the order found.
	}
	// An order found by reference after a lost reply comes from a list,
	// which omits codes: fetch the detail once.
	placed = fetchCodes(ctx, deps.Engine, updates, placed)
	fill(&res, placed, o.Reveal)
	if o.Wait && !settled(placed) {
		final, ok := wait(ctx, deps.Engine, updates, placed.Key(), o.Timeout, o.Progress)
		if ok {
			fill(&res, final, o.Reveal)
		}
	}
	res.ExitCode = exitFor(res.status())
	return emit(stdout, stderr, res)
}

// StartFailed answers a run that failed before it could look its reference
// up (cause: it could not start), when the journal holds an earlier attempt
// at that reference (in) which may have placed the order: an unresolved one
// is "outcome unknown" (exit 5), a placed one is reported by its id with its
// last journaled status. ok is false for any other attempt (none placed):
// the caller's own failure is then the whole answer.
func StartFailed(o PlaceOptions, in engine.Intent, cause error, stdout, stderr io.Writer) (code int, ok bool) {
	if in.State != engine.IntentPending && in.State != engine.IntentPlaced {
		return 0, false
	}
	why := strings.Join(strings.Split(strings.TrimSpace(cause.Error()), "\n"), "; ")
	prior := &engine.PriorError{Vertical: in.Vertical, Reference: in.ClientReference, State: in.State, OrderID: in.OrderID,
		Created: in.Created, LookupErr: errors.New("could not start: " + why)}
	qty, _ := api.ParseQuantity(o.Values[api.KeyQuantity])
	res := Result{Vertical: o.Vertical, ClientReference: in.ClientReference, Revealed: o.Reveal, Quantity: max(qty, 1)}
	if spec, ok := api.SpecOf(o.Vertical); ok {
		res.ProductID = strings.TrimSpace(o.Values[spec.Place.ProductKey])
	}
	var found api.Order
	if in.State == engine.IntentPlaced {
		found = api.Order{Provider: in.Vertical.Provider(), Vertical: in.Vertical, ID: in.OrderID,
			ClientReference: in.ClientReference, Status: in.Status}
	}
	return rerun(context.Background(), nil, nil, o, res, found, prior, stdout, stderr), true
}

// rerun reports an earlier attempt at the same reference, as the engine
// found it (an unresolved one was looked up on the spot), with the exit code
// of that outcome; with no engine (e nil), as the journal had it. Nothing was
// sent by this run.
func rerun(ctx context.Context, e *engine.Engine, updates <-chan engine.Batch, o PlaceOptions, res Result, found api.Order,
	prior *engine.PriorError, stdout, stderr io.Writer) int {
	res.Error, res.Rerun = prior.Error(), true
	fmt.Fprintf(stderr, "orderwatch place %s: %s\n", o.Vertical, prior.Error())
	switch prior.State {
	case engine.IntentPlaced:
		if found.ID == "" {
			found = api.Order{Provider: prior.Vertical.Provider(), Vertical: prior.Vertical, ID: prior.OrderID, ClientReference: prior.Reference}
		}
		res.Vertical = found.Vertical
		if e != nil {
			found = current(ctx, e, updates, found)
		}
		fill(&res, found, o.Reveal)
		if e != nil && o.Wait && !settled(found) {
			if final, ok := wait(ctx, e, updates, found.Key(), o.Timeout, o.Progress); ok {
				fill(&res, final, o.Reveal)
			}
		}
		res.ExitCode = exitFor(res.status())
	case engine.IntentRejected, engine.IntentAbsent:
		res.Status = "not_placed"
		res.ExitCode = ExitFailed
	default:
		res.Status = "unknown"
		res.OutcomeUnknown = true
		res.ExitCode = ExitUnknown
	}
	return emit(stdout, stderr, res)
}

// current asks the engine for a fresh detail of an order placed earlier,
// so a rerun reports its status now (with codes when it has them).
func current(ctx context.Context, e *engine.Engine, updates <-chan engine.Batch, o api.Order) api.Order {
	if _, ok := e.Get(o.Key()); !ok {
		e.Track(o, engine.OriginPlaced)
	}
	start := time.Now()
	e.Refresh(o.Key())
	ctx, cancel := context.WithTimeout(ctx, codesTimeout)
	defer cancel()
	for {
		if t, ok := e.Get(o.Key()); ok && t.Order.Status != "" && !t.LastChecked.Before(start) {
			return t.Order
		}
		select {
		case <-ctx.Done():
			if t, ok := e.Get(o.Key()); ok && t.Order.Status != "" {
				return t.Order
			}
			return o
		case _, ok := <-updates:
			if !ok {
				return o
			}
		}
	}
}

// status of the result as the normalized value.
func (r Result) status() api.Status { return api.Status(r.Status) }

func exitFor(s api.Status) int {
	switch {
	case s.Success():
		return ExitDelivered
	case s.Failure():
		return ExitFailed
	case s == api.StatusPartial || s == api.StatusUncertain || s == api.StatusScheduled:
		return ExitPartial
	}
	return ExitPending
}

// settled: nothing more will happen soon by itself (an Octopus partial may
// still complete, so it is waited on until the timeout).
func settled(o api.Order) bool {
	return o.Status != "" && !o.Status.InFlight()
}

// wait follows one order through the engine until it settles or timeout.
func wait(ctx context.Context, e *engine.Engine, updates <-chan engine.Batch, key api.OrderKey, timeout time.Duration, progress io.Writer) (api.Order, bool) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last, have := api.Order{}, false
	start := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	say := func() {
		if progress == nil {
			return
		}
		st := "waiting for its first check"
		if t, ok := e.Get(key); ok && t.Order.Status != "" {
			st = strings.ToUpper(string(t.Order.Status))
			if t.Order.Quantity > 1 {
				st += fmt.Sprintf(", %d of %d delivered", t.Order.DeliveredQuantity, t.Order.Quantity)
			}
		}
		// One line, rewritten in place; ctrl+c stops waiting.
		fmt.Fprintf(progress, "\r\x1b[Korderwatch place: %s %s: %s · %s of %s", key.Vertical, key.ID, st,
			time.Since(start).Round(time.Second), timeout)
	}
	if progress != nil {
		defer fmt.Fprint(progress, "\r\x1b[K")
	}
	check := func() bool {
		t, ok := e.Get(key)
		if !ok {
			return false
		}
		last, have = t.Order, true
		switch t.Phase {
		case engine.PhaseDone, engine.PhaseInstall, engine.PhaseOnDemand:
			return t.Order.Status != ""
		}
		return settled(t.Order) || t.Order.Status == api.StatusUncertain || t.Order.Status == api.StatusScheduled
	}
	if check() {
		return last, have
	}
	say()
	for {
		select {
		case <-ctx.Done():
			check()
			return last, have
		case <-tick.C:
			say()
		case _, ok := <-updates:
			if !ok {
				check()
				return last, have
			}
			if check() {
				return last, have
			}
		}
	}
}

// codesTimeout bounds the detail fetch after a reference lookup.
const codesTimeout = 10 * time.Second

// missingCodes: the vertical's spec says a delivered order still lacks
// its codes (a list that left them out).
func missingCodes(o api.Order) bool {
	spec, ok := api.SpecOf(o.Vertical)
	return ok && spec.Result.MissingCodes != nil && spec.Result.MissingCodes(o)
}

// fetchCodes asks the engine for a fresh detail of an order found by
// reference when the list left its codes out.
func fetchCodes(ctx context.Context, e *engine.Engine, updates <-chan engine.Batch, o api.Order) api.Order {
	if !missingCodes(o) {
		return o
	}
	ctx, cancel := context.WithTimeout(ctx, codesTimeout)
	defer cancel()
	e.Refresh(o.Key())
	for {
		if t, ok := e.Get(o.Key()); ok && !missingCodes(t.Order) {
			return t.Order
		}
		select {
		case <-ctx.Done():
			return o
		case _, ok := <-updates:
			if !ok {
				return o
			}
		}
	}
}

// buildRequest makes the request from the flags' values, by the spec: the
// same Request the order form builds from its fields.
func buildRequest(spec *api.Spec, o PlaceOptions, p *api.Product, pid string) (api.OrderRequest, map[string]string, error) {
	vals, flags := o.Values.Clone(), map[string]string{}
	if spec.Place.FromFlags != nil {
		var err error
		if vals, flags, err = spec.Place.FromFlags(p, vals); err != nil {
			return api.OrderRequest{}, flags, err
		}
	}
	req, err := spec.Request(p, vals)
	if err != nil {
		return req, flags, err
	}
	req.ProductID = pid // as given: the rules say when it is not the catalogue's
	if req.ClientReference == "" {
		req.ClientReference = api.NewClientReference()
	}
	return req, flags, nil
}

// rejectCode maps a refusal that proves nothing was placed to its exit code.
func rejectCode(err error) (int, bool) {
	switch api.KindOf(err) {
	case api.KindValidation, api.KindInsufficientFunds, api.KindNotFound, api.KindDuplicateReference:
		return ExitBadInput, true
	}
	return 0, false
}

func describeErr(err error, spec *api.Spec, flags map[string]string) string {
	var e *api.Error
	if errors.As(err, &e) && e.Field != "" {
		msg := e.Message
		if msg == "" {
			msg = e.Kind.String()
		}
		return flagOf(e.Field, spec, flags) + ": " + msg
	}
	if errors.As(err, &e) && e.Kind == api.KindInsufficientFunds {
		return "insufficient balance: " + e.Error()
	}
	return err.Error()
}

func pickWallet(ws []api.Wallet, id string, q api.Quote) (api.Wallet, bool) {
	if id != "" {
		for _, w := range ws {
			if w.ID == id {
				return w, true
			}
		}
		return api.Wallet{}, false
	}
	cur := q.WalletCurrency
	if cur == "" {
		cur = q.Currency
	}
	for _, w := range ws {
		if cur != "" && strings.EqualFold(w.Currency, cur) {
			return w, true
		}
	}
	return api.Wallet{}, false
}

func quoteJSON(q api.Quote) *QuoteJSON {
	return &QuoteJSON{FaceValue: q.FaceValue, Discount: q.Discount, DiscountPct: q.DiscountPct, Total: q.Total,
		TotalPayable: q.TotalPayable, Currency: q.Currency, WalletCurrency: q.WalletCurrency, WalletID: q.WalletID, FXRate: q.FXRate}
}

func maskIf(reveal bool, s string) string {
	if reveal {
		return s
	}
	return api.Mask(s)
}

// fill copies the order into the result; codes are masked unless reveal.
func fill(r *Result, o api.Order, reveal bool) {
	r.ID = o.ID
	if o.ClientReference != "" {
		r.ClientReference = o.ClientReference
	}
	r.Status = string(o.Status)
	if o.Status == "" {
		r.Status = string(api.StatusUnknown)
	}
	r.RawStatus, r.StatusText = o.RawStatus, o.StatusText
	if o.ProductID != "" {
		r.ProductID = o.ProductID
	}
	if o.ProductName != "" {
		r.ProductName = o.ProductName
	}
	r.VariantName = o.VariantName
	if o.Amount != 0 {
		r.Amount = o.Amount
	}
	if o.Currency != "" {
		r.Currency = o.Currency
	}
	if o.Quantity != 0 {
		r.Quantity = o.Quantity
	}
	r.DeliveredQuantity = o.DeliveredQuantity
	r.FailureCode, r.FailureReason, r.IsUserFixable = o.FailureCode, o.FailureReason, o.UserFixable
	r.Vouchers = nil
	for _, v := range o.Vouchers {
		r.Vouchers = append(r.Vouchers, VoucherOut{CardNumber: maskIf(reveal, v.CardNumber), PIN: maskIf(reveal, v.PIN),
			Serial: v.Serial, ClaimURL: maskIf(reveal, v.ClaimURL), ExpiresAt: v.ExpiresAt, Reference: v.Reference})
	}
	r.Recipient, r.PricePerCard, r.Debited, r.Refunded = o.Recipient, 0, o.Debited, o.Refunded
	if spec, ok := api.SpecOf(o.Vertical); ok && spec.Result.PerCardPrice {
		r.PricePerCard = o.Denomination
	}
	r.SuggestedOffers = nil
	for _, s := range o.SuggestedOffers {
		r.SuggestedOffers = append(r.SuggestedOffers, OfferOut{Name: s.Name, PlanCode: s.PlanCode, Amount: s.Amount})
	}
	r.ESIM = nil
	if o.ESIM != nil {
		r.ESIM = &ESIMOut{ICCID: o.ESIM.ICCID, ActivationCode: maskIf(reveal, o.ESIM.ActivationCode),
			ActivationStatus: string(o.ESIM.ActivationStatus), Installed: o.ESIM.Installed,
			DataGB: o.ESIM.DataGB, ValidityDays: o.ESIM.ValidityDays}
	}
}

func emit(stdout, stderr io.Writer, r Result) int {
	b, err := json.Marshal(r)
	if err != nil {
		fmt.Fprintf(stderr, "orderwatch place: encoding the result: %v\n", err)
		return r.ExitCode
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
		fmt.Fprintf(stderr, "orderwatch place: writing the result: %v\n", err)
	}
	return r.ExitCode
}
