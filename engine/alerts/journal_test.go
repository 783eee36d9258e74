package alerts

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

// lowWallets raises one wallet alert per provider.
func lowWallets(t *testing.T, j *engine.Journal, c *clock, logf func(string, ...any)) *Engine {
	t.Helper()
	e := New(Config{Now: c.now, Store: NewJournalStore(j, c.now, logf)})
	e.rules.WalletMin = 10
	for _, p := range []api.Provider{api.ProviderOctopus, api.ProviderOneClick} {
		e.Observe(engine.Batch{engine.WalletUpdate{Provider: p, At: c.t,
			Wallets: []api.Wallet{{ID: "1", Currency: "USD", Balance: 3}}}})
	}
	if n := len(e.Snapshot().Alerts); n != 2 {
		t.Fatalf("%d alerts, want a wallet alert per provider", n)
	}
	return e
}

func byProvider(s Snapshot, p api.Provider) Alert {
	for _, a := range s.Alerts {
		if a.Provider == p {
			return a
		}
	}
	return Alert{}
}

func TestJournalStoreKeepsAcksAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	c := newClock()
	j, err := engine.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	e := lowWallets(t, j, c, nil)
	s := e.Snapshot()
	acked, snoozed := byProvider(s, api.ProviderOctopus).ID, byProvider(s, api.ProviderOneClick).ID
	if err := e.Acknowledge(acked, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := e.Snooze(snoozed, time.Hour); err != nil {
		t.Fatal(err)
	}
	j.Close()

	// Restart: a new journal handle and a new engine see the same problems.
	restart := func(logf func(string, ...any)) (*engine.Journal, Snapshot) {
		j, err := engine.OpenJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { j.Close() })
		return j, lowWallets(t, j, c, logf).Snapshot()
	}
	c.add(time.Minute)
	_, s = restart(nil)
	if a := byProvider(s, api.ProviderOctopus); a.AckedBy != "alice" || a.AckedAt.IsZero() {
		t.Fatalf("acknowledgement lost on restart: %+v", a)
	}
	if a := byProvider(s, api.ProviderOneClick); !a.Snoozed(c.t) {
		t.Fatalf("snooze lost on restart: %+v", a)
	}
	if s.Open != 0 {
		t.Fatalf("open %d after restart, want 0", s.Open)
	}

	// Past the snooze, a restart brings the snoozed alert back open.
	c.add(time.Hour)
	j2, s := restart(nil)
	if a := byProvider(s, api.ProviderOneClick); a.Snoozed(c.t) || !a.SnoozedUntil.IsZero() || !a.Open(c.t) {
		t.Fatalf("expired snooze still there: %+v", a)
	}
	if s.Open != 1 || byProvider(s, api.ProviderOctopus).AckedBy != "alice" {
		t.Fatalf("open %d, acked %+v", s.Open, byProvider(s, api.ProviderOctopus))
	}
	j2.Close()

	// A damaged row reads as no acknowledgement, said once in the log.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE alert_acks SET acked_at='not a time' WHERE alert_id=?", acked); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var logged []string
	_, s = restart(func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) })
	if a := byProvider(s, api.ProviderOctopus); a.AckedBy != "" || !a.Open(c.t) {
		t.Fatalf("damaged acknowledgement read as %+v", a)
	}
	if len(logged) != 1 || !strings.Contains(logged[0], acked) {
		t.Fatalf("logged %q, want one line naming %s", logged, acked)
	}
}
