package serve

import (
	"context"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/ui"
)

// alertsHub shares one alert engine among sessions: the engine signals one
// Changed channel, so the hub relays each signal to every session's own
// channel (coalesced, never blocking) and closes it when the session ends.
type alertsHub struct {
	src  ui.Alerts
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
	done bool
}

func newAlertsHub(src ui.Alerts) *alertsHub {
	return &alertsHub{src: src, subs: map[chan struct{}]struct{}{}}
}

func (h *alertsHub) run(ctx context.Context) {
	defer func() {
		h.mu.Lock()
		h.done = true
		for ch := range h.subs {
			close(ch)
			delete(h.subs, ch)
		}
		h.mu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-h.src.Changed():
			if !ok {
				return
			}
			h.mu.Lock()
			for ch := range h.subs {
				select {
				case ch <- struct{}{}:
				default:
				}
			}
			h.mu.Unlock()
		}
	}
}

// session gives one session its view of the alerts; close ends it.
func (h *alertsHub) session() *sessionAlerts {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.done {
		close(ch)
	} else {
		h.subs[ch] = struct{}{}
	}
	h.mu.Unlock()
	return &sessionAlerts{h: h, ch: ch}
}

type sessionAlerts struct {
	h    *alertsHub
	ch   chan struct{}
	once sync.Once
}

func (s *sessionAlerts) close() {
	s.once.Do(func() {
		s.h.mu.Lock()
		if _, ok := s.h.subs[s.ch]; ok {
			delete(s.h.subs, s.ch)
			close(s.ch)
		}
		s.h.mu.Unlock()
	})
}

func (s *sessionAlerts) Snapshot() alerts.Snapshot               { return s.h.src.Snapshot() }
func (s *sessionAlerts) Changed() <-chan struct{}                { return s.ch }
func (s *sessionAlerts) Acknowledge(id, who string) error        { return s.h.src.Acknowledge(id, who) }
func (s *sessionAlerts) Snooze(id string, d time.Duration) error { return s.h.src.Snooze(id, d) }

var _ ui.Alerts = (*sessionAlerts)(nil)
