// Package serve is `orderwatch serve`: one engine, many terminals over SSH.
// Each SSH session gets its own dashboard model (tab, cursor, filter, size,
// colour profile) over the one shared engine, budget and journal; members
// and roles come from the team file.
package serve

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui"
)

// Config configures a Server.
type Config struct {
	Listen   string // default 127.0.0.1:23234
	TeamPath string
	StateDir string // the host key lives here (mode 600)
	Engine   *engine.Engine
	Audit    team.AuditStore
	// UI is the template of every session's dashboard options; Controller,
	// Team, KeyMap and Context are set per session.
	UI ui.Options
	// Discover says the engine runs discovery (for watch over ssh).
	Discover bool
	// Updates is what the hub fans out; nil means Engine.Updates(). The
	// command passes the alert engine's tee here, and UI.Alerts is shared
	// by every session through a relay of its own.
	Updates <-chan engine.Batch

	IdleTimeout  time.Duration // default 30m; a session with no input this long ends
	MaxPerMember int           // default 4
	MaxTotal     int           // default 32
	FailLimit    int           // failed connections per address before a lock-out; default 5
	FailWindow   time.Duration // default 1m; also the lock-out's length
	Logf         func(format string, args ...any)
	Now          func() time.Time
}

// Server is a running `orderwatch serve`.
type Server struct {
	cfg      Config
	hub      *Hub
	team     atomic.Pointer[team.Team]
	srv      *ssh.Server
	ln       net.Listener
	hostFP   string
	limiter  *limiter
	alerts   *alertsHub // nil without an alert engine
	mu       sync.Mutex
	sessions map[*session]struct{}
	wg       sync.WaitGroup
}

const (
	extMember = "orderwatch-member"
	extPubKey = "gliderlabs/ssh.PublicKey" // where charm.land/ssh looks for the key
)

// New loads the team file and host key and builds the server; Serve runs it.
func New(cfg Config) (*Server, error) {
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:23234"
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxPerMember == 0 {
		cfg.MaxPerMember = 4
	}
	if cfg.MaxTotal == 0 {
		cfg.MaxTotal = 32
	}
	if cfg.FailLimit == 0 {
		cfg.FailLimit = 5
	}
	if cfg.FailWindow == 0 {
		cfg.FailWindow = time.Minute
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Audit == nil {
		cfg.Audit = &team.MemAudit{}
	}
	if cfg.Engine == nil {
		return nil, errors.New("serve: no engine")
	}
	t, err := team.Load(cfg.TeamPath)
	if err != nil {
		return nil, err
	}
	signer, err := hostKey(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, hub: NewHub(cfg.Engine, nil), sessions: map[*session]struct{}{},
		limiter: newLimiter(cfg.FailLimit, cfg.FailWindow, cfg.Now)}
	s.hub.src = cfg.Updates
	if cfg.UI.Alerts != nil {
		s.alerts = newAlertsHub(cfg.UI.Alerts)
	}
	s.team.Store(t)
	s.hostFP = gossh.FingerprintSHA256(signer.PublicKey())
	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Listen),
		func(srv *ssh.Server) error {
			srv.AddHostKey(signer)
			srv.ServerConfigCallback = s.serverConfig
			srv.ConnCallback = s.connCallback
			srv.ConnectionFailedCallback = s.connFailed
			// No port forwarding either way, no subsystems (sftp).
			srv.LocalPortForwardingCallback = nil
			srv.ReversePortForwardingCallback = nil
			srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
			srv.HandshakeTimeout = 20 * time.Second
			return nil
		},
		wish.WithMiddleware(bm.MiddlewareWithProgramHandler(s.program), s.sessionMiddleware),
	)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s.srv = srv
	return s, nil
}

// HostFingerprint is the SHA256 fingerprint of the host key.
func (s *Server) HostFingerprint() string { return s.hostFP }

// Hub is the fan-out to sessions.
func (s *Server) Hub() *Hub { return s.hub }

// Team is the team file in force.
func (s *Server) Team() *team.Team { return s.team.Load() }

// Listen binds the address (so callers learn a :0 port before Serve).
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	s.ln = ln
	return nil
}

// Addr is the bound address (after Listen).
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.cfg.Listen
	}
	return s.ln.Addr().String()
}

// Serve runs the hub and accepts connections until ctx ends; then it closes
// every session and waits for them.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		if err := s.Listen(); err != nil {
			return err
		}
	}
	hubCtx, stopHub := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	go func() {
		defer close(hubDone)
		if s.alerts != nil {
			go s.alerts.run(hubCtx)
		}
		s.hub.Run(hubCtx)
	}()
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	s.closeSessions(func(*session) bool { return true }, "the server is stopping")
	_ = s.srv.Close()
	if err == nil {
		<-errc
	}
	s.wg.Wait()
	stopHub()
	<-hubDone
	if errors.Is(err, ssh.ErrServerClosed) {
		err = nil
	}
	return err
}

// Reload re-reads the team file. On error the old team stays; on success
// the sessions of removed members (or removed keys, or changed roles) end.
func (s *Server) Reload() error {
	t, err := team.Load(s.cfg.TeamPath)
	if err != nil {
		return err
	}
	s.team.Store(t)
	s.closeSessions(func(ss *session) bool {
		m, ok := t.Lookup(ss.key)
		return !ok || m.Name != ss.member.Name || m.Role != ss.member.Role
	}, "removed from the team file (or the role changed)")
	return nil
}

func (s *Server) closeSessions(match func(*session) bool, why string) {
	s.mu.Lock()
	var hit []*session
	for ss := range s.sessions {
		if match(ss) {
			hit = append(hit, ss)
		}
	}
	s.mu.Unlock()
	for _, ss := range hit {
		ss.end(why)
	}
}

// hostKey loads or creates the ed25519 host key in dir with mode 600.
func hostKey(dir string) (gossh.Signer, error) {
	if dir == "" {
		return nil, errors.New("serve: no state directory for the host key")
	}
	path := filepath.Join(dir, "ssh_host_ed25519_key")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("serve: host key: %w", err)
		}
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		blk, err := gossh.MarshalPrivateKey(priv, "orderwatch serve host key")
		if err != nil {
			return nil, err
		}
		data = pem.EncodeToMemory(blk)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("serve: host key: %w", err)
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return nil, fmt.Errorf("serve: host key %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("serve: host key %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("serve: host key: %w", err)
	} else if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("serve: host key %s: mode %o, want 600 (chmod 600 %s)", path, st.Mode().Perm(), path)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("serve: host key %s: %w", path, err)
	}
	return signer, nil
}

// serverConfig allows public keys only, and refuses an unknown key with a
// banner line saying so.
func (s *Server) serverConfig(ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		MaxAuthTries: 6,
		PublicKeyCallback: func(c gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
			host := hostOf(c.RemoteAddr())
			if wait := s.limiter.locked(host); wait > 0 {
				return nil, &gossh.BannerError{Err: errors.New("rate limited"),
					Message: fmt.Sprintf("orderwatch: too many failed attempts from %s; try again in %s\n", host, wait.Round(time.Second))}
			}
			m, ok := s.team.Load().Lookup(key)
			if !ok {
				return nil, &gossh.BannerError{Err: errors.New("unknown key"),
					Message: fmt.Sprintf("orderwatch: key %s is not in the team file; ask an admin to add it\n", gossh.FingerprintSHA256(key))}
			}
			return &gossh.Permissions{Extensions: map[string]string{
				extPubKey: base64.StdEncoding.EncodeToString(key.Marshal()),
				extMember: m.Name,
			}}, nil
		},
	}
}

func (s *Server) connCallback(_ ssh.Context, c net.Conn) net.Conn {
	if s.limiter.locked(hostOf(c.RemoteAddr())) > 0 {
		return nil
	}
	return c
}

func (s *Server) connFailed(c net.Conn, err error) {
	s.limiter.fail(hostOf(c.RemoteAddr()))
	s.cfg.Logf("serve: connection from %s failed: %v", c.RemoteAddr(), err)
}

func hostOf(a net.Addr) string {
	if a == nil {
		return ""
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// limiter counts failed connections per address; past the limit within the
// window the address is refused for one window.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	addrs  map[string]*failures
}

type failures struct {
	n      int
	since  time.Time
	locked time.Time
}

func newLimiter(limit int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{limit: limit, window: window, now: now, addrs: map[string]*failures{}}
}

func (l *limiter) fail(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.addrs[host]
	if f == nil || now.Sub(f.since) > l.window {
		if len(l.addrs) > 10000 { // bounded: forget the oldest windows
			for k, v := range l.addrs {
				if now.Sub(v.since) > l.window && now.After(v.locked) {
					delete(l.addrs, k)
				}
			}
		}
		f = &failures{since: now}
		l.addrs[host] = f
	}
	f.n++
	if f.n >= l.limit {
		f.locked = now.Add(l.window)
	}
}

func (l *limiter) locked(host string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.addrs[host]
	if f == nil {
		return 0
	}
	return max(f.locked.Sub(l.now()), 0)
}
