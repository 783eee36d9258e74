package team

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/orderwatch/orderwatch/api"
)

func pubKey(t *testing.T) string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := gossh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k))) + " someone@laptop"
}

func TestParseTeam(t *testing.T) {
	a, b := pubKey(t), pubKey(t)
	tm, err := Parse("team.toml", []byte(`
[[member]]
name = "alice"
role = "agent"
keys = ["`+a+`"]

[[member]]
name = "bob"
role = "admin"
keys = ["`+b+`"]
`))
	if err != nil {
		t.Fatal(err)
	}
	k, _, _, _, _ := gossh.ParseAuthorizedKey([]byte(b))
	m, ok := tm.Lookup(k)
	if !ok || m.Name != "bob" || m.Role != Admin {
		t.Fatalf("lookup bob's key: %+v %v", m, ok)
	}
	other, _, _, _, _ := gossh.ParseAuthorizedKey([]byte(pubKey(t)))
	if _, ok := tm.Lookup(other); ok {
		t.Fatal("an unknown key found a member")
	}
}

func TestBadTeamFileNamesFileMemberField(t *testing.T) {
	a := pubKey(t)
	for _, c := range []struct{ name, body, want string }{
		{"role", `[[member]]
name = "alice"
role = "boss"
keys = ["` + a + `"]`, `team t.toml: member "alice": role: "boss": want viewer, agent or admin`},
		{"key", `[[member]]
name = "alice"
role = "agent"
keys = ["ssh-ed25519 nope"]`, `team t.toml: member "alice": keys[0]: not an SSH public key`},
		{"no keys", `[[member]]
name = "carol"
role = "viewer"
keys = []`, `member "carol": keys: no public key`},
		{"unknown field", `[[member]]
name = "alice"
role = "agent"
rol = "x"
keys = ["` + a + `"]`, `team t.toml: member "alice": member.rol: unknown field (line 4)`},
		{"name", `[[member]]
role = "agent"
keys = ["` + a + `"]`, `team t.toml: member #1: name:`},
		{"twice", `[[member]]
name = "a"
role = "agent"
keys = ["` + a + `"]
[[member]]
name = "b"
role = "agent"
keys = ["` + a + `"]`, `member "b": keys[0]: already the key of a`},
		{"empty", ``, `team t.toml: member: no [[member]] entries`},
	} {
		_, err := Parse("t.toml", []byte(c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.toml")); err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestRoles(t *testing.T) {
	for _, c := range []struct {
		r    Role
		a    Action
		want bool
	}{
		{Viewer, ActPlace, false}, {Viewer, ActEmail, false}, {Viewer, ActReveal, false}, {Viewer, ActCopy, false},
		{Viewer, ActExportCodes, false}, {Viewer, ActPin, false}, {Viewer, ActAudit, false},
		{Agent, ActPlace, true}, {Agent, ActEmail, true}, {Agent, ActReveal, true}, {Agent, ActCopy, true},
		{Agent, ActPin, false}, {Agent, ActAudit, false},
		{Admin, ActPin, true}, {Admin, ActAudit, true}, {Admin, ActPlace, true},
	} {
		if got := c.r.Can(c.a); got != c.want {
			t.Errorf("%s can %s = %v, want %v", c.r, c.a, got, c.want)
		}
	}
}

func TestWriteAudit(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 14, 2, 0, 0, time.UTC)
	recs := []Record{{Time: t0, Member: "alice", Action: ActEmail, Vertical: api.VerticalVoucher, OrderID: "77", Detail: "a@b.co\nx"}}
	var out bytes.Buffer
	if err := WriteAudit(&out, recs, true); err != nil || !strings.Contains(out.String(), `"action":"email"`) {
		t.Fatalf("json: %v %s", err, out.String())
	}
	out.Reset()
	_ = WriteAudit(&out, recs, false)
	if !strings.Contains(out.String(), "alice") || !strings.Contains(out.String(), "voucher:77") || strings.Count(out.String(), "\n") != 2 {
		t.Fatalf("table (a header and one line; control characters flattened): %q", out.String())
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	if got, _ := ParseSince("24h", now); !got.Equal(now.Add(-24 * time.Hour)) {
		t.Errorf("24h: %v", got)
	}
	if got, err := ParseSince("2026-12-01", now); err != nil || got.Day() != 1 {
		t.Errorf("day: %v %v", got, err)
	}
	if _, err := ParseSince("yesterday", now); err == nil {
		t.Error("a bad --since was accepted")
	}
}

func TestPresence(t *testing.T) {
	var p Presence
	pokes := 0
	a := p.Join("alice", func() { pokes++ })
	b := p.Join("bob", nil)
	b2 := p.Join("bob", nil)
	k := api.OrderKey{Vertical: api.VerticalTopup, ID: "9"}
	p.Focus(b, k)
	p.Focus(a, k)
	if v := p.Viewing(k, a); len(v) != 1 || v[0] != "bob" {
		t.Fatalf("viewing: %v", v)
	}
	if on := p.Online(); strings.Join(on, ",") != "alice,bob×2" {
		t.Fatalf("online: %v", on)
	}
	p.Leave(b)
	p.Leave(b2)
	if v := p.Viewing(k, a); len(v) != 0 {
		t.Fatalf("viewing after leave: %v", v)
	}
	if pokes < 5 {
		t.Fatalf("alice's session was poked %d times for 5 changes", pokes)
	}
}
