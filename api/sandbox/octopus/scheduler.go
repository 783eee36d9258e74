package octopus

import (
	"container/heap"
	"sort"
	"time"
)

// event says "order o has a step due at". Stale events (the step already ran
// on a read) are harmless: advancing is idempotent.
type event struct {
	at time.Time
	o  *order
}

type eventHeap []event

func (h eventHeap) Len() int           { return len(h) }
func (h eventHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h eventHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)        { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// scheduleLocked adds a step to o and wakes the scheduler.
func (s *Server) scheduleLocked(o *order, at time.Time, do func(time.Time)) {
	i := sort.Search(len(o.steps), func(i int) bool { return o.steps[i].at.After(at) })
	o.steps = append(o.steps, step{})
	copy(o.steps[i+1:], o.steps[i:])
	o.steps[i] = step{at: at, do: do}
	heap.Push(&s.events, event{at: at, o: o})
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// advanceLocked runs every step of o that is due by now, each at its own
// time, so transitions carry the moment they happened in the sandbox.
func (s *Server) advanceLocked(o *order, now time.Time) {
	for len(o.steps) > 0 && !o.steps[0].at.After(now) {
		st := o.steps[0]
		o.steps = o.steps[1:]
		st.do(st.at)
	}
}

// schedulerLoop applies due steps as they fall due, and publishes current
// state to lists every ListLag.
func (s *Server) schedulerLoop() {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	nextSync := time.Now().Add(s.lag)
	for {
		s.mu.Lock()
		next := nextSync
		if len(s.events) > 0 && s.events[0].at.Before(next) {
			next = s.events[0].at
		}
		s.mu.Unlock()
		timer.Reset(max(time.Until(next), 0))
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			continue
		case <-timer.C:
		}
		now := time.Now()
		s.mu.Lock()
		for len(s.events) > 0 && !s.events[0].at.After(now) {
			e := heap.Pop(&s.events).(event)
			s.advanceLocked(e.o, now)
		}
		if !now.Before(nextSync) {
			for o := range s.dirty {
				o.listed = o.cur
			}
			clear(s.dirty)
			nextSync = now.Add(s.lag)
		}
		s.mu.Unlock()
		s.flush()
	}
}

// flush hands pending transitions to observers and pending events to the
// webhook sender, outside s.mu.
func (s *Server) flush() {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	s.mu.Lock()
	trs, hooks := s.pendingTr, s.pendingHooks
	s.pendingTr, s.pendingHooks = nil, nil
	obs := s.observers
	url, secret := s.webhookURL, s.webhookSecret
	s.mu.Unlock()
	for _, t := range trs {
		for _, fn := range obs {
			fn(t)
		}
	}
	for _, h := range hooks {
		s.dispatchWebhook(h, url, secret)
	}
}
