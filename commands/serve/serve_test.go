package serve

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/engine"
)

func TestAllowedKeyGetsFramesAndKeysWork(t *testing.T) {
	r := newRig(t, rigOpts{})
	d := r.dashboard(r.mustDial("alice"))
	d.out.waitFor(t, "alice", 10*time.Second) // the status bar: member and role
	d.out.waitFor(t, "agent", 5*time.Second)
	d.keys("?")
	d.out.waitFor(t, "place", 5*time.Second) // help lists what an agent may do
	d.keys("q")
	done := make(chan error, 1)
	go func() { done <- d.sess.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("session ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("q did not end the session")
	}
}

func TestUnknownKeyRefusedWithOneLine(t *testing.T) {
	r := newRig(t, rigOpts{})
	var banner strings.Builder
	_, err := r.dial("mallory", &banner)
	if err == nil {
		t.Fatal("an unknown key was let in")
	}
	lines := strings.Split(strings.TrimSpace(banner.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "not in the team file") {
		t.Fatalf("banner %q: want one line saying the key is not in the team file", banner.String())
	}
}

func TestPasswordsAndKeyboardInteractiveRefused(t *testing.T) {
	r := newRig(t, rigOpts{})
	cfg := &gossh.ClientConfig{User: "alice", Timeout: 5 * time.Second, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
		Auth: []gossh.AuthMethod{gossh.Password("hunter2"), gossh.KeyboardInteractive(
			func(string, string, []string, []bool) ([]string, error) { return nil, nil })}}
	if c, err := gossh.Dial("tcp", r.srv.Addr(), cfg); err == nil {
		c.Close()
		t.Fatal("password or keyboard-interactive auth let a client in")
	}
}

func TestHostKeyMode600AndStable(t *testing.T) {
	dir := t.TempDir()
	s1, err := hostKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir + "/ssh_host_ed25519_key")
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %o, want 600", st.Mode().Perm())
	}
	s2, err := hostKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if gossh.FingerprintSHA256(s1.PublicKey()) != gossh.FingerprintSHA256(s2.PublicKey()) {
		t.Fatal("the host key changed between starts")
	}
	if err := os.Chmod(dir+"/ssh_host_ed25519_key", 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := hostKey(dir); err == nil || !strings.Contains(err.Error(), "600") {
		t.Fatalf("a world-readable host key: err %v, want one asking for mode 600", err)
	}
}

func TestFailedAttemptsRateLimitedPerAddress(t *testing.T) {
	r := newRig(t, rigOpts{tweak: func(c *Config) { c.FailLimit = 2; c.FailWindow = time.Minute }})
	for i := 0; i < 2; i++ {
		if _, err := r.dial("mallory", nil); err == nil {
			t.Fatal("unknown key let in")
		}
	}
	// The failure is counted as the server closes the connection: wait for it.
	for deadline := time.Now().Add(10 * time.Second); r.srv.limiter.locked("127.0.0.1") == 0; {
		if time.Now().After(deadline) {
			t.Fatal("two failed connections did not lock the address out")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if c, err := r.dial("alice", nil); err == nil {
		c.Close()
		t.Fatal("a locked-out address still got in, even with a good key")
	}
}

func TestNoForwardingNoShell(t *testing.T) {
	r := newRig(t, rigOpts{})
	c := r.mustDial("alice")
	if conn, err := c.Dial("tcp", r.sb.URL()[len("http://"):]); err == nil {
		conn.Close()
		t.Fatal("local port forwarding was allowed")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Fatal("remote port forwarding was allowed")
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.CombinedOutput("sh -c id")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 2 || !strings.Contains(string(out), "no shell") {
		t.Fatalf("a shell command: err %v, output %q; want exit 2 saying there is no shell", err, out)
	}
}

func TestSessionCapPerMember(t *testing.T) {
	r := newRig(t, rigOpts{tweak: func(c *Config) { c.MaxPerMember = 1 }})
	d := r.dashboard(r.mustDial("alice"))
	d.out.waitFor(t, "alice", 10*time.Second)
	s, err := r.mustDial("alice").NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.CombinedOutput("watch")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 1 || !strings.Contains(string(out), "already has 1 open, the most sessions allowed per member") {
		t.Fatalf("second session: err %v, output %q; want exit 1 naming the cap", err, out)
	}
}

func TestIdleSessionEnds(t *testing.T) {
	r := newRig(t, rigOpts{tweak: func(c *Config) { c.IdleTimeout = 300 * time.Millisecond }})
	d := r.dashboard(r.mustDial("alice"))
	done := make(chan error, 1)
	go func() { done <- d.sess.Wait() }()
	select {
	case <-done:
		d.out.waitFor(t, "idle", time.Second)
	case <-time.After(10 * time.Second):
		t.Fatal("an idle session was not ended")
	}
}

func TestSIGHUPReloadClosesRemovedMembersSessions(t *testing.T) {
	r := newRig(t, rigOpts{})
	alice := r.dashboard(r.mustDial("alice"))
	root := r.dashboard(r.mustDial("root"))
	alice.out.waitFor(t, "alice", 10*time.Second)
	root.out.waitFor(t, "root", 10*time.Second)
	// A bad file is refused, naming file, member and field; the old team stays.
	if err := os.WriteFile(r.team, []byte("[[member]]\nname = \"bob\"\nrole = \"boss\"\nkeys = []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := r.srv.Reload()
	if err == nil || !strings.Contains(err.Error(), r.team) || !strings.Contains(err.Error(), `"bob"`) || !strings.Contains(err.Error(), "role") {
		t.Fatalf("bad team file: %v; want the file, the member and the field named", err)
	}
	r.writeTeam("root:admin", "val:viewer")
	if err := r.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- alice.sess.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the removed member's session stayed open")
	}
	// root stays.
	root.keys("?")
	root.out.waitFor(t, "help", 5*time.Second)
	if _, err := r.dial("alice", nil); err == nil {
		t.Fatal("a removed member could still log in")
	}
}

func TestViewerCannotPlaceRevealOrAttachByAnyPath(t *testing.T) {
	r := newRig(t, rigOpts{})
	// An order with codes, so there is something to reveal.
	o, err := r.engine.Place(context.Background(), r.client, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001",
		Amount: 10, Quantity: 1, ClientReference: "viewer-test-1"})
	if err != nil {
		t.Fatal(err)
	}
	before := r.sb.Stats().Orders
	// Keys: the bindings are gone from help, and pressing them does nothing.
	d := r.dashboard(r.mustDial("val"))
	d.out.waitFor(t, "viewer", 10*time.Second)
	d.keys("?")
	d.out.waitFor(t, "help", 5*time.Second)
	for _, banned := range []string{"place order", "reveal", "copy PIN", "notification email"} {
		if strings.Contains(plain(d.out.String()), banned) {
			t.Errorf("viewer help offers %q", banned)
		}
	}
	d.keys("\x1b")
	d.keys("\r") // detail pane
	d.keys("v")  // reveal
	d.keys("C")  // copy PIN
	d.keys("n")  // place
	d.keys("e")  // email
	// Keys are handled in order: once help opens again, those were handled.
	off := d.out.Len()
	d.keys("?")
	if !d.out.waitAfter(off, "first order", 10*time.Second) {
		t.Fatal("the dashboard stopped answering keys")
	}
	if pin := o.Vouchers[0].PIN; pin != "" && strings.Contains(d.out.String(), pin) {
		t.Fatal("a viewer's screen shows the PIN")
	}
	// Commands over ssh.
	for _, cmd := range []string{"place voucher --product 1001", "audit"} {
		s, err := r.mustDial("val").NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.CombinedOutput(cmd)
		var ee *gossh.ExitError
		if !errors.As(err, &ee) || ee.ExitStatus() != 1 || !strings.Contains(string(out), "a viewer may not") {
			t.Errorf("%q as viewer: err %v, output %q; want exit 1, refused", cmd, err, out)
		}
	}
	// Where the action happens: the guarded place and email functions.
	ts := &team.Session{Member: "val", Role: team.Viewer, Audit: r.audit}
	deps := GuardOrdering(r.srv.cfg.UI.Ordering, ts)[api.ProviderOctopus]
	if _, err := deps.Place(context.Background(), api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 10,
		Quantity: 1, ClientReference: "viewer-test-2"}); !errors.Is(err, team.ErrNotAllowed) {
		t.Fatalf("viewer place: %v, want refused", err)
	}
	if _, err := GuardActions(r.client, ts).SetNotificationEmail(context.Background(), o.Vertical, o.ID, "x@example.com"); !errors.Is(err, team.ErrNotAllowed) {
		t.Fatalf("viewer email: %v, want refused", err)
	}
	if after := r.sb.Stats().Orders; sum(after) != sum(before) {
		t.Fatalf("the sandbox created orders for a viewer: before %v after %v", before, after)
	}
	recs, _ := r.audit.List(time.Time{})
	for _, rec := range recs {
		if rec.Member == "val" {
			t.Fatalf("audit records an action by the viewer: %+v", rec)
		}
	}
}

func sum(m map[string]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

func TestPlacementAuditedWithMemberKeyAddress(t *testing.T) {
	r := newRig(t, rigOpts{})
	ts := &team.Session{Member: "alice", Role: team.Agent, Fingerprint: "SHA256:alicekey", Addr: "127.0.0.1:40000", Audit: r.audit}
	deps := GuardOrdering(r.srv.cfg.UI.Ordering, ts)[api.ProviderOctopus]
	o, err := deps.Place(context.Background(), api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001", Amount: 10,
		Quantity: 1, ClientReference: "audit-test-1"})
	if err != nil {
		t.Fatal(err)
	}
	rec, ok := r.audit.PlacedBy(o.Key())
	if !ok {
		t.Fatal("no placement record")
	}
	if rec.Member != "alice" || rec.Fingerprint != "SHA256:alicekey" || rec.Addr != "127.0.0.1:40000" || rec.Time.IsZero() ||
		!strings.Contains(rec.Detail, "audit-test-1") {
		t.Fatalf("placement record %+v: want member, key, address, time and reference", rec)
	}
	if note := ts.OrderNote(o.Key()); !strings.HasPrefix(note, "placed by alice ") {
		t.Fatalf("detail note %q, want \"placed by alice HH:MM\"", note)
	}
}

// ssh HOST watch streams the JSON lines of orderwatch watch from the shared
// engine; a viewer may watch (the lines never carry codes).
func TestWatchOverSSH(t *testing.T) {
	// Time is compressed 100x here (testScale), so the budget is too, as the
	// benches do: 300 GETs a real minute at 0.01 is 30,000. Left at 300, the
	// lists' compressed cadence alone asks for more than the budget.
	r := newRig(t, rigOpts{perMin: int(300 / testScale)})
	o, err := r.engine.Place(context.Background(), r.client, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001",
		Amount: 10, Quantity: 6, ClientReference: "watch-ssh-1"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.mustDial("val").NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	s.Stderr = &stderr
	out, err := s.Output("watch --until-terminal --timeout 30s voucher:" + o.ID)
	if err != nil {
		t.Fatalf("watch: %v (stderr %q)", err, stderr.String())
	}
	var lines []engine.WatchLine
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var w engine.WatchLine
		if err := json.Unmarshal([]byte(l), &w); err != nil {
			t.Fatalf("not a JSON watch line: %q", l)
		}
		if w.ID != o.ID {
			t.Fatalf("line for another order: %q", l)
		}
		lines = append(lines, w)
	}
	if len(lines) == 0 || lines[len(lines)-1].Status != api.StatusDelivered {
		t.Fatalf("watch lines %s: want the order followed to delivered", out)
	}
	if pin := strings.Join(codes(r, o), ""); pin != "" && strings.Contains(string(out), pin) {
		t.Fatal("watch printed codes")
	}
	// A bad target is exit 2, as the local command.
	s2, _ := r.mustDial("val").NewSession()
	err = s2.Run("watch nonsense")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != engine.ExitBadInput {
		t.Fatalf("bad target: %v, want exit 2", err)
	}
}

func codes(r *rig, o api.Order) []string {
	tr, _ := r.engine.Get(o.Key())
	var out []string
	for _, v := range tr.Order.Vouchers {
		out = append(out, v.PIN, v.CardNumber)
	}
	return out
}

// Presence: each session sees who else is connected and who has the same
// order open.
func TestPresenceAcrossSessions(t *testing.T) {
	r := newRig(t, rigOpts{})
	if _, err := r.engine.Place(context.Background(), r.client, api.OrderRequest{Vertical: api.VerticalVoucher, ProductID: "1001",
		Amount: 10, Quantity: 1, ClientReference: "presence-1"}); err != nil {
		t.Fatal(err)
	}
	alice := r.dashboard(r.mustDial("alice"))
	alice.out.waitFor(t, "presence-1", 10*time.Second)
	root := r.dashboard(r.mustDial("root"))
	root.out.waitFor(t, "presence-1", 10*time.Second)
	alice.out.waitFor(t, "online", 5*time.Second)
	alice.out.waitFor(t, "root", 5*time.Second)
	alice.keys("\r")
	root.keys("\r")
	alice.out.waitFor(t, "also open: root", 5*time.Second)
	root.out.waitFor(t, "also open: alice", 5*time.Second)
}

// An admin reads the audit trail over ssh; an agent may not.
func TestAuditOverSSH(t *testing.T) {
	r := newRig(t, rigOpts{})
	if err := r.audit.Append(team.Record{Time: time.Now(), Member: "alice", Action: team.ActReveal, Vertical: api.VerticalVoucher, OrderID: "42"}); err != nil {
		t.Fatal(err)
	}
	s, _ := r.mustDial("root").NewSession()
	out, err := s.Output("audit --json --since 1h")
	if err != nil || !strings.Contains(string(out), `"member":"alice"`) || !strings.Contains(string(out), `"order_id":"42"`) {
		t.Fatalf("admin audit: %v %s", err, out)
	}
	s2, _ := r.mustDial("alice").NewSession()
	out, err = s2.CombinedOutput("audit")
	if err == nil || !strings.Contains(string(out), "an agent may not read the audit trail") {
		t.Fatalf("agent audit: %v %s", err, out)
	}
}
