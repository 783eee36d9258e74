package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/engine"
)

// openAudit is the team's audit trail in the shared journal.
func openAudit(_ *common, b *backend) (journalAudit, error) {
	if b.journal == nil {
		return journalAudit{}, errors.New("audit: no journal")
	}
	return newJournalAudit(b.journal), nil
}

func newJournalAudit(j *engine.Journal) journalAudit {
	return journalAudit{j: j, placed: &placedCache{m: map[api.OrderKey]placedEntry{}}}
}

// journalAudit keeps team.Records in the journal's append-only table, so
// every orderwatch process on the machine writes one trail.
type journalAudit struct {
	j      *engine.Journal
	placed *placedCache
}

// placedCache keeps the detail pane's "placed by" off the journal on every
// frame: a placement never changes once found; "none" is asked again after
// a few seconds (another process may place it).
type placedCache struct {
	mu sync.Mutex
	m  map[api.OrderKey]placedEntry
}

type placedEntry struct {
	r  team.Record
	ok bool
	at time.Time
}

const placedRecheck = 5 * time.Second

func (a journalAudit) Close() error { return nil } // the backend closes the journal

func (a journalAudit) Append(r team.Record) error {
	if r.Action == team.ActPlace && r.OrderID != "" && a.placed != nil {
		defer func() {
			a.placed.mu.Lock()
			delete(a.placed.m, r.Key())
			a.placed.mu.Unlock()
		}()
	}
	return a.j.AppendAudit(engine.AuditRecord{Time: r.Time, Member: r.Member, Role: string(r.Role), Fingerprint: r.Fingerprint,
		Addr: r.Addr, Action: string(r.Action), Vertical: r.Vertical, OrderID: r.OrderID, Detail: r.Detail})
}

func fromJournal(r engine.AuditRecord) team.Record {
	return team.Record{Time: r.Time, Member: r.Member, Role: team.Role(r.Role), Fingerprint: r.Fingerprint, Addr: r.Addr,
		Action: team.Action(r.Action), Vertical: r.Vertical, OrderID: r.OrderID, Detail: r.Detail}
}

func (a journalAudit) List(since time.Time) ([]team.Record, error) {
	rs, err := a.j.Audit(since)
	out := make([]team.Record, 0, len(rs))
	for _, r := range rs {
		out = append(out, fromJournal(r))
	}
	return out, err
}

func (a journalAudit) PlacedBy(k api.OrderKey) (team.Record, bool) {
	now := time.Now()
	if a.placed != nil {
		a.placed.mu.Lock()
		e, hit := a.placed.m[k]
		a.placed.mu.Unlock()
		if hit && (e.ok || now.Sub(e.at) < placedRecheck) {
			return e.r, e.ok
		}
	}
	r, ok, err := a.j.AuditPlaced(k, string(team.ActPlace))
	if err != nil {
		return team.Record{}, false
	}
	e := placedEntry{ok: ok, at: now}
	if ok {
		e.r = fromJournal(r)
	}
	if a.placed != nil {
		a.placed.mu.Lock()
		if len(a.placed.m) > 100000 {
			clear(a.placed.m)
		}
		a.placed.m[k] = e
		a.placed.mu.Unlock()
	}
	return e.r, e.ok
}

// localSession is the local dashboard's identity: the OS user, with every
// action allowed and audited.
func localSession(a team.AuditStore) *team.Session {
	return &team.Session{Member: osUser(), Role: team.Admin, Addr: "local", Audit: a}
}

func runAudit(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch audit", stderr)
	configPath := fs.String("config", os.Getenv("ORDERWATCH_CONFIG"), "config file (default <config dir>/orderwatch/config.toml)")
	journal := fs.String("journal", "", "journal file, which holds the trail (default <config dir>/orderwatch/journal.db)")
	since := fs.String("since", "", "records since a duration ago (24h), a day (2006-01-02) or an RFC 3339 time")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if _, code, ok := parse(fs, args, stderr, false); !ok {
		return code
	}
	cfg, err := config.Load(*configPath, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch audit:", err)
		return exitBadInput
	}
	t, err := team.ParseSince(*since, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch audit:", err)
		return exitBadInput
	}
	path := *journal
	if path == "" {
		path = cfg.JournalPath
	}
	j, err := openJournal(path)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch audit:", err)
		return exitBadInput
	}
	defer j.Close()
	recs, err := newJournalAudit(j).List(t)
	if err == nil {
		err = team.WriteAudit(stdout, recs, *asJSON)
	}
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch audit:", err)
		return exitFailure
	}
	return exitOK
}

// auditedPlacer records each create request sent by `orderwatch place`
// under the OS user, whatever its outcome.
type auditedPlacer struct {
	api.Placer
	s *team.Session
}

func (p auditedPlacer) PlaceOrder(ctx context.Context, r api.OrderRequest) (api.Order, error) {
	o, err := p.Placer.PlaceOrder(ctx, r)
	detail := "ref " + r.ClientReference + " (orderwatch place)"
	if err != nil {
		detail += " failed: " + err.Error()
	}
	if rerr := p.s.Record(team.ActPlace, api.OrderKey{Vertical: r.Vertical, ID: o.ID}, detail); rerr != nil && err == nil {
		err = fmt.Errorf("placed %s, but the audit trail failed: %w", o.ID, rerr)
	}
	return o, err
}
