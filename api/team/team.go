// Package team is what team mode knows about people: the team file (members,
// roles, SSH keys), what each role may do, who is connected and looking at
// which order, and the append-only audit trail. It knows nothing of SSH
// servers or terminals, so the local dashboard uses it too.
package team

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	gossh "golang.org/x/crypto/ssh"
)

// Role is what a member may do.
type Role string

const (
	Viewer Role = "viewer" // watches; no money, no order changes, no codes
	Agent  Role = "agent"  // places, attaches emails, reveals and copies codes
	Admin  Role = "admin"  // an agent who also pins for everyone and reads the audit
)

// Action is an action checked where it happens.
type Action string

const (
	ActPlace       Action = "place"        // place an order (spends money)
	ActEmail       Action = "email"        // attach a notification email
	ActReveal      Action = "reveal"       // show codes, PINs, claim URLs, LPA codes
	ActCopy        Action = "copy"         // copy a code, PIN, claim URL or LPA code
	ActExportCodes Action = "export-codes" // export a tab with codes and PINs
	ActPin         Action = "pin"          // pin an order for everyone (the journal)
	ActAudit       Action = "audit"        // read the audit trail
)

// Audited lists the actions written to the audit trail when allowed.
func (a Action) Audited() bool {
	switch a {
	case ActPlace, ActEmail, ActReveal, ActCopy, ActExportCodes, ActPin:
		return true
	}
	return false
}

// Can reports whether the role may do a.
func (r Role) Can(a Action) bool {
	switch r {
	case Admin:
		return true
	case Agent:
		return a != ActPin && a != ActAudit
	}
	return false // viewers: none of the guarded actions
}

func (r Role) Valid() bool { return r == Viewer || r == Agent || r == Admin }

// Member is one person in the team file.
type Member struct {
	Name string
	Role Role
	Keys []gossh.PublicKey
}

// Team is a parsed team file.
type Team struct {
	Path    string
	Members []Member
	byKey   map[string]int // marshalled public key -> index
}

// Error names the file, the member and the field that is wrong.
type Error struct {
	Path   string
	Member string // name, or "#N" when the name is missing
	Field  string
	Msg    string
}

func (e *Error) Error() string {
	where := e.Path
	if e.Member != "" {
		where += ": member " + e.Member
	}
	if e.Field != "" {
		where += ": " + e.Field
	}
	return "team " + where + ": " + e.Msg
}

type fileMember struct {
	Name string   `toml:"name"`
	Role string   `toml:"role"`
	Keys []string `toml:"keys"`
}

type file struct {
	Member []fileMember `toml:"member"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// Load reads and checks the team file at path.
func Load(path string) (*Team, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	return Parse(path, data)
}

// Parse checks a team file's content; path is only for messages.
func Parse(path string, data []byte) (*Team, error) {
	var f file
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var sm *toml.StrictMissingError
		if errors.As(err, &sm) && len(sm.Errors) > 0 {
			e := sm.Errors[0]
			row, _ := e.Position()
			return nil, &Error{Path: path, Member: memberAt(data, row), Field: strings.Join(e.Key(), "."), Msg: fmt.Sprintf("unknown field (line %d)", row)}
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return nil, &Error{Path: path, Member: memberAt(data, row), Field: strings.Join(de.Key(), "."), Msg: fmt.Sprintf("%s (line %d)", de.Error(), row)}
		}
		return nil, &Error{Path: path, Msg: err.Error()}
	}
	if len(f.Member) == 0 {
		return nil, &Error{Path: path, Field: "member", Msg: "no [[member]] entries"}
	}
	t := &Team{Path: path, byKey: map[string]int{}}
	names := map[string]bool{}
	for i, fm := range f.Member {
		who := fmt.Sprintf("#%d", i+1)
		if fm.Name != "" {
			who = fmt.Sprintf("%q", fm.Name)
		}
		bad := func(field, msg string) error { return &Error{Path: path, Member: who, Field: field, Msg: msg} }
		if !nameRE.MatchString(fm.Name) {
			return nil, bad("name", "want 1-32 letters, digits, '.', '_' or '-'")
		}
		if names[fm.Name] {
			return nil, bad("name", "listed twice")
		}
		names[fm.Name] = true
		r := Role(fm.Role)
		if !r.Valid() {
			return nil, bad("role", fmt.Sprintf("%q: want viewer, agent or admin", fm.Role))
		}
		if len(fm.Keys) == 0 {
			return nil, bad("keys", "no public key")
		}
		m := Member{Name: fm.Name, Role: r}
		for j, ks := range fm.Keys {
			pk, _, _, _, err := gossh.ParseAuthorizedKey([]byte(ks))
			if err != nil {
				return nil, bad(fmt.Sprintf("keys[%d]", j), "not an SSH public key (want \"ssh-ed25519 AAAA… comment\")")
			}
			if prev, dup := t.byKey[string(pk.Marshal())]; dup {
				return nil, bad(fmt.Sprintf("keys[%d]", j), "already the key of "+f.Member[prev].Name)
			}
			t.byKey[string(pk.Marshal())] = i
			m.Keys = append(m.Keys, pk)
		}
		t.Members = append(t.Members, m)
	}
	return t, nil
}

// memberAt names the [[member]] block a line falls in, for errors.
func memberAt(data []byte, row int) string {
	lines := strings.Split(string(data), "\n")
	n := 0
	name := ""
	for i := 0; i < len(lines) && i < row; i++ {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "[[member]]") {
			n++
			name = ""
		}
		if k, v, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == "name" {
			name = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	if n == 0 {
		return ""
	}
	if name != "" {
		return fmt.Sprintf("%q", name)
	}
	return fmt.Sprintf("#%d", n)
}

// Lookup finds the member holding key.
func (t *Team) Lookup(key gossh.PublicKey) (Member, bool) {
	if t == nil || key == nil {
		return Member{}, false
	}
	i, ok := t.byKey[string(key.Marshal())]
	if !ok {
		return Member{}, false
	}
	return t.Members[i], true
}

// Names lists the members' names, sorted.
func (t *Team) Names() []string {
	out := make([]string, 0, len(t.Members))
	for _, m := range t.Members {
		out = append(out, m.Name)
	}
	sort.Strings(out)
	return out
}

// Fingerprint is the SHA256 fingerprint ssh-keygen -l prints.
func Fingerprint(k gossh.PublicKey) string {
	if k == nil {
		return ""
	}
	return gossh.FingerprintSHA256(k)
}
