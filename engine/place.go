package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// DefaultAbsentAfter is how long after an intent a "not found" lookup is
// trusted: a create that timed out on our side may still land on the server
// for a while.
const DefaultAbsentAfter = time.Minute

// reconcileEvery is the retry cadence of unresolved intents.
const reconcileEvery = time.Minute

// lookupTries bounds the reference lookups inside one Place call.
const lookupTries = 4

func summarize(r api.OrderRequest) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("product", r.ProductID)
	add("variant", r.VariantID)
	if r.Amount != 0 {
		add("amount", fmt.Sprintf("%g", r.Amount))
	}
	if r.Quantity != 0 {
		add("qty", fmt.Sprint(r.Quantity))
	}
	add("wallet", r.WalletID)
	add("category", r.Category)
	add("recipient", r.Recipient)
	add("recipient_type", r.RecipientType)
	return strings.Join(parts, " ")
}

// Request reads back what summarize wrote: enough to recognise the order in
// a provider's list when the provider has no reference field (gift cards).
func (in Intent) Request() api.OrderRequest {
	r := api.OrderRequest{Vertical: in.Vertical, ClientReference: in.ClientReference}
	for _, part := range strings.Fields(in.Summary) {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "product":
			r.ProductID = v
		case "variant":
			r.VariantID = v
		case "amount":
			r.Amount, _ = strconv.ParseFloat(v, 64)
		case "qty":
			r.Quantity, _ = strconv.Atoi(v)
		case "wallet":
			r.WalletID = v
		case "category":
			r.Category = v
		case "recipient":
			r.Recipient = v
		case "recipient_type":
			r.RecipientType = v
		}
	}
	return r
}

func newReference() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "ow-" + hex.EncodeToString(b[:])
}

// validReference is api.ValidateReference, the rule the form and the
// command line apply too.
func validReference(ref string) error {
	var e *api.Error
	if err := api.ValidateReference(ref); errors.As(err, &e) {
		return fmt.Errorf("client reference %q %s", ref, e.Message)
	} else if err != nil {
		return err
	}
	return nil
}

// definiteReject lists create errors after which no order exists.
func definiteReject(k api.ErrorKind) bool {
	switch k {
	case api.KindValidation, api.KindAuth, api.KindForbidden, api.KindNotFound,
		api.KindInsufficientFunds, api.KindRateLimited:
		return true
	}
	return false
}

// Place sends one order exactly once. The intent is journaled before the
// request leaves; an unknown outcome is resolved by looking the reference up
// (only the lookup is retried, never the create). An empty ClientReference
// gets a generated one. Reusing a reference already journaled (by any
// process on the journal) sends nothing and returns a *PriorError, which
// wraps ErrDuplicatePlace: an unresolved earlier attempt is looked up first,
// and a found order is returned with it.
func (e *Engine) Place(ctx context.Context, placer api.Placer, req api.OrderRequest) (api.Order, error) {
	if placer == nil {
		return api.Order{}, fmt.Errorf("place: no placer")
	}
	v := req.Vertical
	if !v.Valid() {
		return api.Order{}, fmt.Errorf("place: unknown vertical %q", v)
	}
	b := e.budgets[v.Provider()]
	if b == nil {
		return api.Order{}, fmt.Errorf("place: no order source for %s to resolve outcomes", v.Provider().Title())
	}
	if req.ClientReference == "" {
		req.ClientReference = newReference()
	}
	ref := req.ClientReference
	if err := validReference(ref); err != nil {
		return api.Order{}, fmt.Errorf("place: %w", err)
	}
	mk := string(intentKey(v, ref))
	e.mu.Lock()
	if e.placing[mk] {
		e.mu.Unlock()
		return api.Order{}, fmt.Errorf("place %s ref %q: in flight: %w", v, ref, ErrDuplicatePlace)
	}
	if o, ok := e.placed[mk]; ok {
		e.mu.Unlock()
		return o.Clone(), fmt.Errorf("place %s ref %q: placed as %s: %w", v, ref, o.ID, ErrDuplicatePlace)
	}
	e.placing[mk] = true
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.placing, mk)
		e.mu.Unlock()
	}()

	now := e.now()
	if e.journal != nil {
		if in, ok, err := e.journal.Intent(v, ref); err != nil {
			return api.Order{}, fmt.Errorf("place: %w", err)
		} else if ok {
			return e.rerun(ctx, b, in)
		}
		err := e.journal.Begin(Intent{Vertical: v, ClientReference: ref, Summary: summarize(req), Created: now})
		if errors.Is(err, ErrDuplicatePlace) { // another process took it a moment ago
			if in, ok, ierr := e.journal.Intent(v, ref); ierr == nil && ok {
				return e.rerun(ctx, b, in)
			}
		}
		if err != nil && !errors.Is(err, ErrUnreadableRecord) {
			err = fmt.Errorf("%w: %w", ErrNothingSent, err)
		}
		if err != nil {
			return api.Order{}, fmt.Errorf("place: %w", err)
		}
	}

	o, err := placer.PlaceOrder(ctx, req)
	if err == nil {
		if o.ClientReference == "" {
			o.ClientReference = ref
		}
		o.Vertical = v
		e.recordPlaced(o, SourceCreate)
		return o, nil
	}
	kind := api.KindOf(err)
	if definiteReject(kind) {
		e.resolveJournal(v, ref, IntentRejected, "", err.Error())
		return api.Order{}, err
	}
	// The request may have landed: find out by reference, retrying only
	// the lookup.
	delay := e.scaled(time.Second)
	for try := 0; try < lookupTries; try++ {
		if try > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				e.wakeReconcile()
				return api.Order{}, fmt.Errorf("place %s ref %q: %w (still unresolved: %v)", v, ref, err, ctx.Err())
			case <-t.C:
			}
			delay *= 2
		}
		found, st, lerr := e.resolveIntent(ctx, b, v, ref, now)
		if lerr != nil {
			continue
		}
		switch st {
		case IntentPlaced:
			if kind == api.KindDuplicateReference {
				return found, err
			}
			return found, nil
		case IntentAbsent:
			return api.Order{}, fmt.Errorf("place %s ref %q: not placed (no order has this reference): %w", v, ref, err)
		}
	}
	e.wakeReconcile()
	return api.Order{}, fmt.Errorf("place %s ref %q: outcome still unknown, the journal keeps checking the reference: %w", v, ref, err)
}

// ErrNothingSent wraps a failure before the create request left (the
// journal could not record the intent).
var ErrNothingSent = errors.New("nothing was sent")

// PriorError says a reference was already journaled, so this call sent
// nothing, and what is known of the earlier attempt: an unresolved one is
// looked up on the spot. It wraps ErrDuplicatePlace.
type PriorError struct {
	Vertical  api.Vertical // of the earlier attempt
	Reference string
	State     IntentState // after the lookup: IntentPending means still unknown
	OrderID   string
	Reason    string    // why the provider refused it (IntentRejected)
	Created   time.Time // of the earlier attempt
	SureAt    time.Time // IntentPending: when a lookup that finds nothing proves it absent
	LookupErr error     // the lookup failed, or this run could not start (IntentPlaced: the status was not read)
}

func (e *PriorError) Error() string {
	head := fmt.Sprintf("--reference %q was already used from here (%s, %s); this run sent nothing", e.Reference, e.Vertical,
		e.Created.UTC().Format(time.RFC3339))
	switch e.State {
	case IntentPlaced:
		if e.LookupErr != nil {
			return head + ": that order exists, id " + e.OrderID + "; its status could not be read now (" + e.LookupErr.Error() + ")"
		}
		return head + ": that order exists, id " + e.OrderID
	case IntentRejected:
		return head + ": the provider refused it then (" + e.Reason + "), so no order exists; use a new reference"
	case IntentAbsent:
		return head + ": a lookup proved it was never placed; use a new reference to place it"
	}
	msg := head + ": outcome unknown, no order with this reference was found yet"
	if e.LookupErr != nil {
		msg = head + ": outcome unknown, the earlier run may have placed it and this run could not look it up (" +
			e.LookupErr.Error() + ")"
		if e.SureAt.IsZero() {
			msg += ": try again with the same reference to look it up (it is never sent twice)"
		}
	}
	if !e.SureAt.IsZero() {
		sure := e.SureAt.Add(time.Second - 1).Truncate(time.Second) // rounded up: the message has whole seconds
		msg += "; a rerun after " + sure.UTC().Format(time.RFC3339) + " gives a sure answer"
	}
	return msg
}

func (e *PriorError) Unwrap() error { return ErrDuplicatePlace }

// Rerun reports the earlier attempt at a reference when the journal has
// one (a *PriorError, with the order when one exists; an unresolved attempt
// is looked up first), a *RecordError when its record is damaged, and nil
// when the reference is new. It never sends.
func (e *Engine) Rerun(ctx context.Context, v api.Vertical, ref string) (api.Order, error) {
	b := e.budgets[v.Provider()]
	if e.journal == nil || b == nil || ref == "" {
		return api.Order{}, nil
	}
	in, ok, err := e.journal.Intent(v, ref)
	if err != nil {
		return api.Order{}, fmt.Errorf("place: %w", err)
	}
	if !ok {
		return api.Order{}, nil
	}
	return e.rerun(ctx, b, in)
}

// rerun reports an earlier attempt at a reference, looking an unresolved
// one up first. It never sends.
func (e *Engine) rerun(ctx context.Context, b *budget, in Intent) (api.Order, error) {
	pe := &PriorError{Vertical: in.Vertical, Reference: in.ClientReference, State: in.State, OrderID: in.OrderID,
		Reason: in.Error, Created: in.Created}
	if in.State == IntentPending {
		o, st, err := e.resolveIntent(ctx, b, in.Vertical, in.ClientReference, in.Created)
		pe.State, pe.LookupErr = st, err
		if st == IntentPlaced {
			pe.OrderID = o.ID
			return o, pe
		}
		if st == IntentPending {
			pe.SureAt = in.Created.Add(e.absentAfter())
		}
		return api.Order{}, pe
	}
	if in.OrderID != "" {
		return e.knownOrder(api.OrderKey{Vertical: in.Vertical, ID: in.OrderID}, in.ClientReference), pe
	}
	return api.Order{}, pe
}

func (e *Engine) absentAfter() time.Duration {
	if e.cfg.AbsentAfter > 0 {
		return e.cfg.AbsentAfter
	}
	return e.scaled(DefaultAbsentAfter)
}

// knownOrder returns the tracked state of an order, or a stub.
func (e *Engine) knownOrder(k api.OrderKey, ref string) api.Order {
	if t, ok := e.Get(k); ok {
		return t.Order
	}
	return api.Order{Provider: k.Vertical.Provider(), Vertical: k.Vertical, ID: k.ID, ClientReference: ref}
}

func (e *Engine) resolveJournal(v api.Vertical, ref string, st IntentState, id, errText string) {
	if e.journal == nil {
		return
	}
	if err := e.journal.Resolve(v, ref, st, id, errText, e.now()); err != nil {
		e.logf("journal: %v", err)
		e.out.put(ErrorUpdate{Provider: v.Provider(), Vertical: v, At: e.now(), Err: "journal: " + err.Error()})
	}
}

// recordPlaced journals and tracks an order known to exist.
func (e *Engine) recordPlaced(o api.Order, src Source) {
	v, ref := o.Vertical, o.ClientReference
	e.resolveJournal(v, ref, IntentPlaced, o.ID, "")
	if e.journal != nil && o.Status != "" {
		_ = e.journal.SetStatus(v, ref, o.Status)
	}
	e.mu.Lock()
	e.placed[string(intentKey(v, ref))] = o.Clone()
	if b := e.budgets[v.Provider()]; b != nil && e.walletEv > 0 && !b.walletBusy {
		b.walletDue = e.now() // the wallet was debited
	}
	after := e.trackLocked(o, OriginPlaced, src, e.now())
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
	e.pokeProvider(v.Provider())
}

// resolveIntent looks an intent's reference up once. It returns the state it
// settled on (IntentPending when not yet), or the lookup error.
func (e *Engine) resolveIntent(ctx context.Context, b *budget, v api.Vertical, ref string, created time.Time) (api.Order, IntentState, error) {
	if err := e.waitToken(ctx, b); err != nil {
		return api.Order{}, IntentPending, err
	}
	o, found, err := b.source.FindByReference(ctx, v, ref)
	if err != nil {
		e.pauseOn429(b, err, e.now())
		return api.Order{}, IntentPending, err
	}
	now := e.now()
	if found {
		o.Vertical = v
		if o.ClientReference == "" {
			o.ClientReference = ref
		}
		e.recordPlaced(o, SourceJournal)
		e.out.put(JournalUpdate{Vertical: v, ClientReference: ref, State: IntentPlaced, OrderID: o.ID, At: now,
			Note: "found by reference"})
		return o, IntentPlaced, nil
	}
	if now.Sub(created) < e.absentAfter() {
		return api.Order{}, IntentPending, nil
	}
	e.resolveJournal(v, ref, IntentAbsent, "", "")
	e.out.put(JournalUpdate{Vertical: v, ClientReference: ref, State: IntentAbsent, At: now,
		Note: "never placed: no order has this reference"})
	return api.Order{}, IntentAbsent, nil
}

func (e *Engine) wakeReconcile() {
	select {
	case e.reconcileWake <- struct{}{}:
	default:
	}
}

// onlyUnreadable: every joined error is about one damaged record.
func onlyUnreadable(err error) bool {
	u, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return errors.Is(err, ErrUnreadableRecord)
	}
	for _, e := range u.Unwrap() {
		if !errors.Is(e, ErrUnreadableRecord) {
			return false
		}
	}
	return true
}

// loadJournal tracks pinned orders and placed orders not known finished.
func (e *Engine) loadJournal(now time.Time) {
	ins, err := e.journal.Intents()
	if err != nil {
		e.out.put(ErrorUpdate{At: now, Err: err.Error()})
	}
	pins, perr := e.journal.Pins()
	if perr != nil {
		e.out.put(ErrorUpdate{At: now, Err: "journal: " + perr.Error()})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, in := range ins {
		if in.State != IntentPlaced || in.OrderID == "" || !in.Vertical.Valid() {
			continue
		}
		if in.Status != "" && !in.Status.InFlight() {
			continue
		}
		e.trackLocked(api.Order{Vertical: in.Vertical, ID: in.OrderID, ClientReference: in.ClientReference}, OriginPlaced, SourceJournal, now)
		e.placed[string(intentKey(in.Vertical, in.ClientReference))] = api.Order{Provider: in.Vertical.Provider(),
			Vertical: in.Vertical, ID: in.OrderID, ClientReference: in.ClientReference}
	}
	for _, k := range pins {
		e.trackLocked(api.Order{Vertical: k.Vertical, ID: k.ID}, OriginPinned, SourceJournal, now)
	}
}

// reconcileLoop resolves unresolved intents at start and keeps retrying the
// ones whose lookup failed (never re-sending them).
func (e *Engine) reconcileLoop(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.reconcileWake:
		}
		left := e.reconcileOnce(ctx)
		if left > 0 {
			t.Reset(e.scaled(reconcileEvery))
		}
	}
}

// reconcileOnce returns how many intents remain unresolved.
func (e *Engine) reconcileOnce(ctx context.Context) int {
	ins, err := e.journal.Intents()
	left := 0
	if err != nil && !onlyUnreadable(err) { // not swallowed: shown, and the loop comes back later
		e.out.put(ErrorUpdate{At: e.now(), Err: "journal: " + err.Error()})
		return 1
	}
	if err != nil {
		// Damaged records were named at start (loadJournal); their
		// references stay refused and the rest is reconciled.
		left++
	}
	for _, in := range ins {
		if in.State != IntentPending || ctx.Err() != nil {
			continue
		}
		e.mu.Lock()
		busy := e.placing[string(intentKey(in.Vertical, in.ClientReference))]
		e.mu.Unlock()
		if busy {
			left++
			continue
		}
		b := e.budgets[in.Vertical.Provider()]
		if b == nil {
			left++
			continue
		}
		_, st, err := e.resolveIntent(ctx, b, in.Vertical, in.ClientReference, in.Created)
		if err != nil {
			if ctx.Err() == nil {
				e.out.put(JournalUpdate{Vertical: in.Vertical, ClientReference: in.ClientReference, State: IntentPending,
					At: e.now(), Note: "lookup failed, retrying later: " + err.Error()})
			}
			left++
			continue
		}
		if st == IntentPending {
			left++
		}
	}
	return left
}
