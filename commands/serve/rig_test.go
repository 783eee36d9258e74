package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/octopus"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/engine/alerts"
	"github.com/orderwatch/orderwatch/engine/enginetest"
	"github.com/orderwatch/orderwatch/ui"
)

const testScale = 0.01

type rig struct {
	t      testing.TB
	sb     *octosb.Server
	client *octopus.Client
	engine *engine.Engine
	srv    *Server
	audit  *team.MemAudit
	keys   map[string]gossh.Signer
	team   string
	stop   func()
}

type rigOpts struct {
	traffic float64
	perMin  int     // GET budget; 0 = the engine's default
	sbScale float64 // the sandbox's time scale; 0 = testScale
	keep    int     // the engine's KeepFinished; 0 = its default
	alerts  bool    // wire an alert engine as orderwatch serve does
	tweak   func(*Config)
	noServe bool
}

func newSigner(t testing.TB) gossh.Signer {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func authorized(s gossh.Signer) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
}

// teamFile writes members as "name:role" with their keys from r.keys.
func (r *rig) writeTeam(members ...string) {
	var b strings.Builder
	for _, m := range members {
		name, role, _ := strings.Cut(m, ":")
		if r.keys[name] == nil {
			r.keys[name] = newSigner(r.t)
		}
		fmt.Fprintf(&b, "[[member]]\nname = %q\nrole = %q\nkeys = [%q]\n\n", name, role, authorized(r.keys[name]))
	}
	if err := os.WriteFile(r.team, []byte(b.String()), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

func newRig(t testing.TB, o rigOpts) *rig {
	t.Helper()
	if o.sbScale == 0 {
		o.sbScale = testScale
	}
	sbc := octosb.Config{Seed: 7, TimeScale: o.sbScale, TrafficPerMinute: o.traffic}
	if o.perMin > 0 {
		sbc.Limits = &octosb.Limits{Login: 1000, Refresh: 1000, GET: 100000, Create: 1000, Charges: 1000}
	}
	sb, err := octosb.New(sbc)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(); err != nil {
		t.Fatal(err)
	}
	cr := sb.Credentials()
	c, err := octopus.New(octopus.Config{BaseURL: sb.URL(), APIKey: api.Secret(cr.APIKey), APISecret: api.Secret(cr.APISecret),
		Timeout: 10 * time.Second, HTTPClient: &http.Client{Transport: enginetest.Transport(t, nil)}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Config{Sources: []api.OrderSource{c}, Journal: enginetest.Journal(t), TimeScale: testScale,
		WalletEvery: -1, Discover: true, KeepFinished: o.keep, GETPerMinute: map[api.Provider]int{api.ProviderOctopus: o.perMin}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := &rig{t: t, sb: sb, client: c, engine: e, audit: &team.MemAudit{}, keys: map[string]gossh.Signer{},
		team: filepath.Join(dir, "team.toml")}
	r.writeTeam("alice:agent", "val:viewer", "root:admin")
	cfg := Config{Listen: "127.0.0.1:0", TeamPath: r.team, StateDir: filepath.Join(dir, "state"), Engine: e, Audit: r.audit,
		Discover: true, UI: ui.Options{Providers: []ui.ProviderTabs{{Provider: api.ProviderOctopus, Mode: "SANDBOX"}},
			Ordering: map[api.Provider]ui.OrderingDeps{api.ProviderOctopus: {Catalog: c, Quoter: c, PlaceTracks: true,
				Find: c.FindByReference, Place: func(ctx context.Context, req api.OrderRequest) (api.Order, error) { return e.Place(ctx, c, req) }}},
			Actions: c}}
	ctx, cancel := context.WithCancel(context.Background())
	var al *alerts.Engine
	if o.alerts {
		al = alerts.New(alerts.Config{Rules: alerts.DefaultRules()})
		cfg.UI.Alerts = al
		cfg.Updates = alerts.Tee(ctx, e, al).Updates()
	}
	if o.tweak != nil {
		o.tweak(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	r.srv = srv
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.Run(ctx) })
	if al != nil {
		wg.Go(func() { al.Run(ctx) })
	}
	wg.Go(func() { _ = srv.Serve(ctx) })
	r.stop = sync.OnceFunc(func() { cancel(); wg.Wait(); _ = sb.Close() })
	t.Cleanup(r.stop)
	return r
}

// dial connects as member (its key) and checks the host key.
func (r *rig) dial(member string, banner *strings.Builder) (*gossh.Client, error) {
	signer := r.keys[member]
	if signer == nil {
		signer = newSigner(r.t)
	}
	cfg := &gossh.ClientConfig{User: member, Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, Timeout: 10 * time.Second,
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
			if gossh.FingerprintSHA256(k) != r.srv.HostFingerprint() {
				return fmt.Errorf("host key %s, want %s", gossh.FingerprintSHA256(k), r.srv.HostFingerprint())
			}
			return nil
		},
		BannerCallback: func(m string) error {
			if banner != nil {
				banner.WriteString(m)
			}
			return nil
		}}
	return gossh.Dial("tcp", r.srv.Addr(), cfg)
}

func (r *rig) mustDial(member string) *gossh.Client {
	r.t.Helper()
	c, err := r.dial(member, nil)
	if err != nil {
		r.t.Fatalf("dial as %s: %v", member, err)
	}
	r.t.Cleanup(func() { _ = c.Close() })
	return c
}

// screen is a session's output, safe to read while it grows.
type screen struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{} // poked on every write, for waiters
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	n, err := s.buf.Write(p)
	if s.notify == nil {
		s.notify = make(chan struct{}, 1)
	}
	ch := s.notify
	s.mu.Unlock()
	select {
	case ch <- struct{}{}:
	default:
	}
	return n, err
}

func (s *screen) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Len()
}

// waitAfter waits until want appears in the output written after offset.
func (s *screen) waitAfter(offset int, want string, d time.Duration) bool {
	s.mu.Lock()
	if s.notify == nil {
		s.notify = make(chan struct{}, 1)
	}
	ch := s.notify
	s.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		s.mu.Lock()
		found := strings.Contains(plain(string(s.buf.Bytes()[offset:])), want)
		s.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-ch:
		case <-t.C:
			return false
		}
	}
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (s *screen) Reset() {
	s.mu.Lock()
	s.buf.Reset()
	s.mu.Unlock()
}

// waitFor waits until the output holds want (ANSI stripped).
func (s *screen) waitFor(t testing.TB, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(plain(s.String()), want) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %q on screen within %s; screen ends:\n%s", want, d, tail(plain(s.String()), 1500))
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// dashboard opens an interactive session with a pty.
type dash struct {
	sess *gossh.Session
	in   interface{ Write([]byte) (int, error) }
	out  *screen
}

func (r *rig) dashboard(c *gossh.Client) *dash {
	r.t.Helper()
	s, err := c.NewSession()
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { _ = s.Close() })
	d := &dash{sess: s, out: &screen{}}
	s.Stdout, s.Stderr = d.out, d.out
	in, err := s.StdinPipe()
	if err != nil {
		r.t.Fatal(err)
	}
	d.in = in
	if err := s.RequestPty("xterm-256color", 40, 160, gossh.TerminalModes{}); err != nil {
		r.t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		r.t.Fatal(err)
	}
	return d
}

func (d *dash) keys(s string) { _, _ = d.in.Write([]byte(s)) }

func plain(s string) string { return ansi.Strip(s) }
