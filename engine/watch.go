package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Exit codes of `orderwatch watch`.
const (
	ExitDelivered   = 0 // every watched order delivered (or interrupted with nothing pending)
	ExitFailed      = 1 // some order failed, was refunded or cancelled
	ExitBadInput    = 2 // a target could not be parsed or found
	ExitPartial     = 3 // some outcome partial, uncertain or scheduled (none failed)
	ExitInterrupted = 4 // interrupted or timed out with some order still pending
	ExitNotFound    = 7 // some named order the provider does not have (none failed)
)

// StatusNotFound is the status of a watch line for a named order the
// provider answered 404 for.
const StatusNotFound api.Status = "not_found"

// WatchLine is one JSON line of watch output. It never carries codes, PINs
// or activation codes.
type WatchLine struct {
	Time              time.Time    `json:"time"`
	Vertical          api.Vertical `json:"vertical"`
	ID                string       `json:"id"`
	ClientReference   string       `json:"client_reference,omitempty"`
	Status            api.Status   `json:"status"`
	RawStatus         string       `json:"raw_status"`
	StatusText        string       `json:"status_text,omitempty"`
	Source            Source       `json:"source"`
	From              api.Status   `json:"from,omitempty"`
	FailureReason     string       `json:"failure_reason,omitempty"`
	DeliveredQuantity int          `json:"delivered_quantity,omitempty"`
	Quantity          int          `json:"quantity,omitempty"`
}

type watchTarget struct {
	key api.OrderKey
	ref string // when the target names a client reference
}

// parseTarget reads "VERTICAL:ID" or "VERTICAL:ref:REFERENCE".
func parseTarget(s string) (watchTarget, error) {
	v, rest, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || strings.TrimSpace(rest) == "" {
		return watchTarget{}, fmt.Errorf("target %q: want VERTICAL:ID or VERTICAL:ref:REFERENCE", s)
	}
	vert, err := api.ParseVertical(v)
	if err != nil {
		return watchTarget{}, fmt.Errorf("target %q: %w", s, err)
	}
	if r, ok := strings.CutPrefix(rest, "ref:"); ok {
		if err := api.ValidateReference(r); err != nil {
			return watchTarget{}, fmt.Errorf("target %s: reference %v", quoteTarget(s), strings.TrimPrefix(err.Error(), "client_reference "))
		}
		return watchTarget{key: api.OrderKey{Vertical: vert}, ref: r}, nil
	}
	id := strings.TrimSpace(rest)
	if err := api.CheckOrderID(vert, id); err != nil || strings.ContainsAny(id, " /?#") {
		if err == nil {
			err = fmt.Errorf("bad order id")
		}
		return watchTarget{}, fmt.Errorf("target %s: %v", quoteTarget(s), err)
	}
	return watchTarget{key: api.OrderKey{Vertical: vert, ID: id}}, nil
}

// CheckTargets checks watch targets without running anything, so that a
// command can refuse a bad one before it opens the providers.
func CheckTargets(targets []string) error {
	for _, s := range targets {
		if _, err := parseTarget(s); err != nil {
			return err
		}
	}
	return nil
}

// quoteTarget quotes a target for a message, shortened: a 300-character
// reference is not worth echoing whole.
func quoteTarget(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return strconv.Quote(s)
}

// settled reports whether a watched order reached an outcome the watch can
// stop on: done, delivered (an eSIM's install is the customer's pace), or a
// slow re-check state (uncertain, scheduled).
func settled(t Tracked) bool {
	if t.NotFound && t.Order.Status == "" {
		return true
	}
	switch t.Phase {
	case PhaseDone, PhaseInstall, PhaseOnDemand:
		return t.Order.Status != ""
	}
	s := t.Order.Status
	return s == api.StatusUncertain || s == api.StatusScheduled
}

// outcomeCode maps settled orders to an exit code.
func outcomeCode(ts []Tracked) int {
	code, missing := ExitDelivered, false
	for _, t := range ts {
		switch s := t.Order.Status; {
		case s == "" && t.NotFound:
			missing = true
		case s.Failure():
			return ExitFailed
		case s.Success():
		default:
			code = ExitPartial
		}
	}
	if missing {
		return ExitNotFound
	}
	return code
}

// Watch runs the engine (it calls e.Run itself; e must not be running) and
// prints each status transition of the targets as one JSON line (WatchLine).
//
// Targets are "voucher:1234", "topup:9123456", "esim:9302481" or
// "voucher:ref:REFERENCE"; none means every in-flight order (discovery must be
// on in the engine's config). With untilTerminal it returns once every target
// has settled (with no targets: once every vertical was listed and every
// tracked order settled).
//
// Exit codes:
//
//	0  all delivered (eSIM: delivered, install not awaited)
//	1  any failed, refunded or cancelled
//	2  bad input: a target that cannot be parsed or found (nothing is run for a bad target)
//	3  some outcome partial, uncertain (UNKNOWN_ERROR) or scheduled (QUEUED), none failed
//	4  interrupted or timed out (ctx done) with some order still pending
//	7  some named order is not found (the provider answered 404; a
//	   "not_found" line says so), none failed
//
// Without untilTerminal, Watch runs until ctx is done and returns 4 if any
// order is still pending then, otherwise the outcome code.
func Watch(ctx context.Context, e *Engine, targets []string, untilTerminal bool, out io.Writer) (int, error) {
	ts, err := parseTargets(targets)
	if err != nil {
		return ExitBadInput, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	wg.Go(func() { _ = e.Run(ctx) })
	return watch(ctx, e, e.Updates(), ts, untilTerminal, false, out)
}

// WatchShared is Watch over an engine that is already running and shared
// (orderwatch serve): updates is this watcher's own subscription. It starts
// from the engine's snapshot instead of waiting for the first lists.
func WatchShared(ctx context.Context, e *Engine, updates <-chan Batch, targets []string, untilTerminal bool, out io.Writer) (int, error) {
	ts, err := parseTargets(targets)
	if err != nil {
		return ExitBadInput, err
	}
	return watch(ctx, e, updates, ts, untilTerminal, true, out)
}

func parseTargets(targets []string) ([]watchTarget, error) {
	var ts []watchTarget
	for _, s := range targets {
		t, err := parseTarget(s)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

func watch(ctx context.Context, e *Engine, updates <-chan Batch, ts []watchTarget, untilTerminal, shared bool, out io.Writer) (int, error) {
	watched := map[api.OrderKey]bool{}
	missingRefs := 0 // named references the provider has no order for
	for _, t := range ts {
		if t.ref != "" {
			o, err := e.TrackRef(ctx, t.key.Vertical, t.ref)
			if err != nil {
				if ctx.Err() != nil {
					return ExitInterrupted, ctx.Err()
				}
				if errors.Is(err, api.ErrNotFound) {
					// Said as a line, like an id the provider answers 404 for.
					missingRefs++
					if err := json.NewEncoder(out).Encode(WatchLine{Time: e.now(), Vertical: t.key.Vertical,
						ClientReference: t.ref, Status: StatusNotFound, Source: SourcePoll, FailureReason: err.Error()}); err != nil {
						return ExitInterrupted, fmt.Errorf("watch: write: %w", err)
					}
					continue
				}
				return ExitInterrupted, err
			}
			watched[o.Key()] = true
			continue
		}
		e.Track(api.Order{Vertical: t.key.Vertical, ID: t.key.ID}, OriginNamed)
		watched[t.key] = true
	}
	named := len(ts) > 0
	if untilTerminal && named && len(watched) == 0 {
		return ExitNotFound, nil // every target was a reference not found
	}
	enc := json.NewEncoder(out)
	listed := map[api.Vertical]bool{}
	wantLists := 0
	for _, b := range e.budgets {
		wantLists += len(b.verticals)
	}
	var first Batch
	if shared {
		// The engine has been running: its snapshot is the state now, and
		// its lists are not awaited.
		wantLists = 0
		for _, t := range e.Snapshot() {
			if !named || watched[t.Order.Key()] {
				first = append(first, OrderUpdate{Tracked: t, New: true})
			}
		}
	}
	relevant := func(k api.OrderKey) bool { return !named || watched[k] }
	// Print the current state of each target once, then every transition.
	printed := map[api.OrderKey]bool{}
	// seen holds the last state printed (or skipped) per order: the exit
	// code is decided on what was reported, never on a state not yet printed.
	seen := map[api.OrderKey]Tracked{}
	done := func() (bool, int) {
		var all []Tracked
		if named {
			for k := range watched {
				t, ok := seen[k]
				if !ok || !settled(t) {
					return false, 0
				}
				all = append(all, t)
			}
			for range missingRefs {
				all = append(all, Tracked{NotFound: true})
			}
			return true, outcomeCode(all)
		}
		if e.cfg.Discover && len(listed) < wantLists {
			return false, 0
		}
		for k, t := range seen {
			if !settled(t) {
				return false, 0
			}
			if printed[k] {
				all = append(all, t)
			}
		}
		return true, outcomeCode(all)
	}
	for {
		select {
		case <-ctx.Done():
			if ok, code := done(); ok {
				return code, nil
			}
			return ExitInterrupted, ctx.Err()
		case batch, ok := <-pending(first, updates):
			first = nil
			if !ok {
				if fin, code := done(); fin {
					return code, nil
				}
				return ExitInterrupted, ctx.Err()
			}
			for _, u := range batch {
				switch u := u.(type) {
				case ListUpdate:
					listed[u.Vertical] = true
				case OrderUpdate:
					o := u.Tracked.Order
					k := o.Key()
					if u.Removed {
						delete(seen, k)
						continue
					}
					if relevant(k) && named && o.Status == "" && u.Tracked.NotFound {
						if !printed[k] { // said once; the order is still looked for
							printed[k] = true
							if err := enc.Encode(WatchLine{Time: u.Tracked.LastChecked, Vertical: k.Vertical, ID: k.ID,
								Status: StatusNotFound, Source: SourcePoll, FailureReason: u.Tracked.LastError}); err != nil {
								return ExitInterrupted, fmt.Errorf("watch: write: %w", err)
							}
						}
						seen[k] = u.Tracked
					}
					if !relevant(k) || o.Status == "" {
						continue
					}
					seen[k] = u.Tracked
					if !named && !printed[k] && !o.Status.InFlight() && u.Tracked.Origin == OriginDiscovered {
						continue // finished before we started: not a transition we watched
					}
					if u.Event == nil && printed[k] {
						continue
					}
					printed[k] = true
					line := WatchLine{Time: u.Tracked.LastChecked, Vertical: o.Vertical, ID: o.ID,
						ClientReference: o.ClientReference, Status: o.Status, RawStatus: o.RawStatus,
						StatusText: o.StatusText, Source: SourcePoll, FailureReason: o.FailureReason,
						DeliveredQuantity: o.DeliveredQuantity, Quantity: o.Quantity}
					if u.Event != nil {
						line.Time, line.Source, line.From = u.Event.At, u.Event.Source, u.Event.From
					}
					if err := enc.Encode(line); err != nil {
						return ExitInterrupted, fmt.Errorf("watch: write: %w", err)
					}
				}
			}
			if untilTerminal {
				if ok, code := done(); ok {
					return code, nil
				}
			}
		}
	}
}

// pending yields first (when set) before the live updates.
func pending(first Batch, updates <-chan Batch) <-chan Batch {
	if first == nil {
		return updates
	}
	ch := make(chan Batch, 1)
	ch <- first
	return ch
}
