package serve

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	bm "charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui"
)

// session is one SSH session of a member.
type session struct {
	s      *Server
	sess   ssh.Session
	member team.Member
	key    gossh.PublicKey
	addr   string
	ctx    context.Context
	cancel context.CancelCauseFunc

	mu        sync.Mutex
	lastInput time.Time
}

type ctxKey struct{}

// end closes the session, saying why; a client that reads nothing any more
// still ends, because the connection is closed too after a grace period.
func (ss *session) end(why string) {
	ss.cancel(fmt.Errorf("%s", why))
	go func() {
		t := time.NewTimer(2 * time.Second)
		defer t.Stop()
		select {
		case <-ss.sess.Context().Done():
		case <-t.C:
			_ = ss.sess.Close()
		}
	}()
}

func (ss *session) touch() {
	ss.mu.Lock()
	ss.lastInput = ss.s.cfg.Now()
	ss.mu.Unlock()
}

func (ss *session) idleFor() time.Duration {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.s.cfg.Now().Sub(ss.lastInput)
}

// watchIdle ends the session after IdleTimeout without input. Output does
// not count: a dashboard draws every second.
func (ss *session) watchIdle() {
	d := ss.s.cfg.IdleTimeout
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ss.ctx.Done():
			return
		case <-t.C:
			if idle := ss.idleFor(); idle >= d {
				ss.end(fmt.Sprintf("idle for %s", d))
				return
			} else {
				t.Reset(d - idle)
			}
		}
	}
}

// inputReader marks the session active on every read.
type inputReader struct {
	r  io.Reader
	ss *session
}

func (r inputReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.ss.touch()
	}
	return n, err
}

// sessionMiddleware runs first: it re-checks the member against the team
// file in force, applies the caps, then runs a command or the dashboard.
func (s *Server) sessionMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		key := sess.PublicKey()
		m, ok := s.team.Load().Lookup(key)
		if !ok {
			fmt.Fprintf(sess.Stderr(), "orderwatch: key %s is not in the team file\n", team.Fingerprint(key))
			_ = sess.Exit(1)
			return
		}
		ss := &session{s: s, sess: sess, member: m, key: key, addr: sess.RemoteAddr().String()}
		ss.ctx, ss.cancel = context.WithCancelCause(sess.Context())
		defer ss.cancel(nil)
		ss.touch()
		if err := s.admit(ss); err != nil {
			fmt.Fprintln(sess.Stderr(), "orderwatch:", err)
			_ = sess.Exit(1)
			return
		}
		defer s.leave(ss)
		s.cfg.Logf("serve: %s (%s) connected from %s, command %q", m.Name, m.Role, ss.addr, sess.RawCommand())
		if cmd := sess.Command(); len(cmd) > 0 {
			// Commands are not timed out for idleness: watch streams on
			// behalf of its user until its own --timeout or the connection.
			code := s.runCommand(ss, cmd)
			_ = sess.Exit(code)
			return
		}
		if _, _, hasPty := sess.Pty(); !hasPty {
			fmt.Fprintln(sess.Stderr(), "orderwatch: the dashboard needs a terminal (ssh -t), or run a command: watch, audit")
			_ = sess.Exit(2)
			return
		}
		idleDone := make(chan struct{})
		go func() { defer close(idleDone); ss.watchIdle() }()
		defer func() { ss.cancel(nil); <-idleDone }()
		sess.Context().SetValue(ctxKey{}, ss)
		next(sess)
		if err := context.Cause(ss.ctx); err != nil && err != context.Canceled && ss.sess.Context().Err() == nil {
			fmt.Fprintf(sess.Stderr(), "\r\norderwatch: session closed: %v\r\n", err)
		}
	}
}

func (s *Server) admit(ss *session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	mine := 0
	for o := range s.sessions {
		if o.member.Name == ss.member.Name {
			mine++
		}
	}
	switch {
	case len(s.sessions) >= s.cfg.MaxTotal:
		return fmt.Errorf("the server is full (%d sessions); try again later", s.cfg.MaxTotal)
	case mine >= s.cfg.MaxPerMember:
		return fmt.Errorf("%s already has %d open, the most sessions allowed per member", ss.member.Name, mine)
	}
	s.sessions[ss] = struct{}{}
	s.wg.Add(1)
	return nil
}

func (s *Server) leave(ss *session) {
	s.mu.Lock()
	delete(s.sessions, ss)
	s.mu.Unlock()
	s.wg.Done()
}

// teamSession is the policy and audit identity of a session.
func (ss *session) teamSession(seat int) *team.Session {
	return &team.Session{Member: ss.member.Name, Role: ss.member.Role, Fingerprint: team.Fingerprint(ss.key),
		Addr: ss.addr, Audit: ss.s.cfg.Audit, Presence: ss.s.hub.Presence(), Seat: seat, Now: ss.s.cfg.Now}
}

// KeyMapFor removes the bindings the role may not use, from keys and help
// alike (the model still checks where each action happens).
func KeyMapFor(base keymap.KeyMap, r team.Role) keymap.KeyMap {
	k := base
	deny := map[string]team.Action{"place_order": team.ActPlace, "email": team.ActEmail, "reveal": team.ActReveal,
		"copy_card": team.ActCopy, "copy_pin": team.ActCopy, "copy_claim_url": team.ActCopy, "copy_lpa": team.ActCopy,
		"pin": team.ActPin, "export": team.ActExportCodes}
	for _, e := range k.Entries() {
		// Exports are written on the server's disk: never over ssh.
		if a, ok := deny[e.Action]; ok && (!r.Can(a) || e.Action == "export") {
			e.Binding.Unbind()
			e.Binding.SetEnabled(false)
		}
	}
	return k
}

// program builds a session's dashboard: its own model over its own
// subscription to the shared engine.
func (s *Server) program(sess ssh.Session) *tea.Program {
	ss, _ := sess.Context().Value(ctxKey{}).(*session)
	if ss == nil {
		return nil
	}
	sub := s.hub.Subscribe(ss.ctx, ss.member.Name)
	ts := ss.teamSession(sub.Seat())
	opts := s.cfg.UI
	opts.Controller = sub
	opts.Team = ts
	opts.Context = ss.ctx
	base := keymap.DefaultKeyMap()
	if s.cfg.UI.KeyMap != nil {
		base = *s.cfg.UI.KeyMap
	}
	km := KeyMapFor(base, ss.member.Role)
	opts.KeyMap = &km
	opts.Ordering = GuardOrdering(opts.Ordering, ts)
	opts.Actions = GuardActions(opts.Actions, ts)
	opts.User = ss.member.Name
	var sa *sessionAlerts
	if s.alerts != nil {
		sa = s.alerts.session()
		opts.Alerts = sa
	}
	opts.NoColor = opts.NoColor || hasEnv(sess.Environ(), "NO_COLOR")
	popts := append(bm.MakeOptions(sess), tea.WithInput(inputReader{r: sess, ss: ss}))
	p := tea.NewProgram(ui.New(opts), popts...)
	// Ending the session (idle, removed from the team) asks the program to
	// quit; end() closes the connection if it cannot.
	context.AfterFunc(ss.ctx, func() {
		sub.Close()
		if sa != nil {
			sa.close()
		}
		go p.Quit()
	})
	return p
}

func hasEnv(env []string, name string) bool {
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); k == name && v != "" {
			return true
		}
	}
	return false
}

// GuardOrdering makes placing, where it happens, check the role and leave
// an audit record naming the order.
func GuardOrdering(in map[api.Provider]ui.OrderingDeps, ts *team.Session) map[api.Provider]ui.OrderingDeps {
	out := make(map[api.Provider]ui.OrderingDeps, len(in))
	for p, d := range in {
		place := d.Place
		d.Place = func(ctx context.Context, r api.OrderRequest) (api.Order, error) {
			if !ts.Can(team.ActPlace) {
				return api.Order{}, ts.Allow(team.ActPlace, api.OrderKey{}, "")
			}
			o, err := place(ctx, r)
			detail := "ref " + r.ClientReference
			if err != nil {
				detail += " failed: " + err.Error()
			}
			if rerr := ts.Record(team.ActPlace, api.OrderKey{Vertical: r.Vertical, ID: o.ID}, detail); rerr != nil && err == nil {
				err = fmt.Errorf("placed %s, but the audit trail failed: %w", o.ID, rerr)
			}
			return o, err
		}
		out[p] = d
	}
	return out
}

// guardedActions checks and audits a notification-email change.
type guardedActions struct {
	n ui.Actions
	t *team.Session
}

func (g guardedActions) SetNotificationEmail(ctx context.Context, v api.Vertical, id, email string) (api.Order, error) {
	if !g.t.Can(team.ActEmail) {
		return api.Order{}, g.t.Allow(team.ActEmail, api.OrderKey{Vertical: v, ID: id}, "")
	}
	return g.n.SetNotificationEmail(ctx, v, id, email)
}

// GuardActions wraps the notification-email action with the role check.
func GuardActions(n ui.Actions, ts *team.Session) ui.Actions {
	if n == nil {
		return nil
	}
	return guardedActions{n: n, t: ts}
}
