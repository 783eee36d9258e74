package alerts

import (
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// MaxLinked bounds the orders an alert links to; Count says how many it
// covers in all.
const MaxLinked = 50

// Alert is one problem, however many orders it covers. ID is stable while
// the problem lasts ("failure_rate:topup:Airtel India"), so a thousand
// failing orders of one operator are one alert with Count 1000.
type Alert struct {
	ID       string         `json:"id"`
	Rule     string         `json:"rule"`
	Severity Severity       `json:"severity"`
	Provider api.Provider   `json:"provider,omitempty"`
	Vertical api.Vertical   `json:"vertical,omitempty"`
	Subject  string         `json:"subject,omitempty"` // product, operator or wallet
	Text     string         `json:"text"`
	Norm     string         `json:"norm,omitempty"` // what the documents call normal
	Count    int            `json:"count"`
	Orders   []api.OrderKey `json:"-"`
	Raised   time.Time      `json:"raised"`
	Updated  time.Time      `json:"updated"`
	Cleared  time.Time      `json:"cleared,omitzero"`
	// AckedBy is who acknowledged it: the OS user locally; in team mode the
	// member (issue 13 fills it in).
	AckedBy      string    `json:"acked_by,omitempty"`
	AckedAt      time.Time `json:"acked_at,omitzero"`
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"`
}

// Open reports whether the alert still needs someone at time now: not
// cleared, not acknowledged, not snoozed.
func (a *Alert) Open(now time.Time) bool {
	return a.Cleared.IsZero() && a.AckedBy == "" && !now.Before(a.SnoozedUntil)
}

// Snoozed reports whether the alert is hidden until later.
func (a *Alert) Snoozed(now time.Time) bool { return now.Before(a.SnoozedUntil) }

// EventType says what happened to an alert.
type EventType string

const (
	Raised  EventType = "raised"
	Changed EventType = "changed" // more orders, new text
	Cleared EventType = "cleared" // the problem went away
	Acked   EventType = "acknowledged"
	Snoozed EventType = "snoozed"
)

// Event is one change of one alert: what `watch --alerts` prints and what
// --on-alert commands get on stdin.
type Event struct {
	Type  EventType `json:"event"`
	Alert Alert     `json:"alert"`
	// OrderIDs are the linked orders as "VERTICAL:ID".
	OrderIDs []string `json:"orders,omitempty"`
}

func newEvent(t EventType, a *Alert) Event {
	ev := Event{Type: t, Alert: *a}
	ev.Alert.Orders = append([]api.OrderKey(nil), a.Orders...)
	for _, k := range a.Orders {
		ev.OrderIDs = append(ev.OrderIDs, k.String())
	}
	return ev
}

// Ack is the acknowledge/snooze state of one alert.
type Ack struct {
	By           string
	At           time.Time
	SnoozedUntil time.Time
}

// Store keeps acknowledgements and snoozes: JournalStore in the shared
// journal (across restarts and processes), Memory for tests.
type Store interface {
	Get(id string) (Ack, bool)
	Put(id string, a Ack) error
	Delete(id string) error
}

// Memory is an in-memory Store.
type Memory struct {
	mu sync.Mutex
	m  map[string]Ack
}

func NewMemory() *Memory { return &Memory{m: map[string]Ack{}} }

func (s *Memory) Get(id string) (Ack, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.m[id]
	return a, ok
}

func (s *Memory) Put(id string, a Ack) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[id] = a
	return nil
}

func (s *Memory) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
	return nil
}
