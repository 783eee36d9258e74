package alerts

import (
	"time"

	"github.com/orderwatch/orderwatch/engine"
)

// JournalStore keeps acknowledgements and snoozes in the shared journal,
// so they survive a restart and every process on the journal reads the
// same ones. A record that does not read back counts as no record (the
// alert shows as open again) and is replaced by the next acknowledgement.
type JournalStore struct {
	j    *engine.Journal
	now  func() time.Time
	logf func(string, ...any)
}

// NewJournalStore builds a Store on j. now is the alert engine's clock
// (nil: time.Now), to drop snoozes that ended; logf (nil: silent) hears
// of unreadable records.
func NewJournalStore(j *engine.Journal, now func() time.Time, logf func(string, ...any)) *JournalStore {
	if now == nil {
		now = time.Now
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &JournalStore{j: j, now: now, logf: logf}
}

func (s *JournalStore) Get(id string) (Ack, bool) {
	a, ok, err := s.j.AlertAck(id, s.now())
	if err != nil {
		s.logf("alerts: %v", err)
		return Ack{}, false
	}
	return Ack{By: a.By, At: a.At, SnoozedUntil: a.SnoozedUntil}, ok
}

func (s *JournalStore) Put(id string, a Ack) error {
	return s.j.PutAlertAck(id, engine.AlertAck{By: a.By, At: a.At, SnoozedUntil: a.SnoozedUntil})
}

func (s *JournalStore) Delete(id string) error { return s.j.DeleteAlertAck(id) }
