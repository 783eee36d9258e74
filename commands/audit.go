package commands

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/api/team"
)

// openAudit opens the append-only audit trail beside the journal.
func openAudit(c *common, b *backend) (*team.FileAudit, error) {
	p := auditPath(c, b.cfg)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return team.OpenFileAudit(p)
}

// localSession is the local dashboard's identity: the OS user, with every
// action allowed and audited.
func localSession(a team.AuditStore) *team.Session {
	return &team.Session{Member: osUser(), Role: team.Admin, Addr: "local", Audit: a}
}

func runAudit(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch audit", stderr)
	configPath := fs.String("config", os.Getenv("ORDERWATCH_CONFIG"), "config file (default <config dir>/orderwatch/config.toml)")
	journal := fs.String("journal", "", "journal file; the trail is beside it (default <config dir>/orderwatch/journal.db)")
	since := fs.String("since", "", "records since a duration ago (24h), a day (2006-01-02) or an RFC 3339 time")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if code, ok := parse(fs, args, stderr, false); !ok {
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
	recs, err := team.ReadAuditFile(auditPath(&common{journal: *journal}, cfg), t)
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
