package team

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Presence is who is connected and which order each session looks at.
type Presence struct {
	mu    sync.Mutex
	next  int
	seats map[int]*seat
}

type seat struct {
	name     string
	focus    api.OrderKey
	problem  string // the alert ID the session's inbox cursor is on
	onChange func()
}

// Join adds a session; onChange (may be nil) is called, never under a lock
// and never blocking, when someone joins, leaves or looks at another order.
func (p *Presence) Join(name string, onChange func()) int {
	p.mu.Lock()
	if p.seats == nil {
		p.seats = map[int]*seat{}
	}
	p.next++
	id := p.next
	p.seats[id] = &seat{name: name, onChange: onChange}
	p.mu.Unlock()
	p.changed()
	return id
}

// Leave removes a session.
func (p *Presence) Leave(id int) {
	p.mu.Lock()
	delete(p.seats, id)
	p.mu.Unlock()
	p.changed()
}

// Focus records the order a session looks at (zero key: none).
func (p *Presence) Focus(id int, k api.OrderKey) {
	p.mu.Lock()
	s := p.seats[id]
	same := s == nil || s.focus == k
	if !same {
		s.focus = k
	}
	p.mu.Unlock()
	if !same {
		p.changed()
	}
}

// LookAt records the problem (alert ID) a session's inbox has selected
// ("": none), so two people do not chase the same problem unknowingly.
func (p *Presence) LookAt(id int, problem string) {
	p.mu.Lock()
	s := p.seats[id]
	same := s == nil || s.problem == problem
	if !same {
		s.problem = problem
	}
	p.mu.Unlock()
	if !same {
		p.changed()
	}
}

// Looking lists the other members whose inbox has problem selected.
func (p *Presence) Looking(problem string, except int) []string {
	if problem == "" {
		return nil
	}
	return p.others(except, func(s *seat) bool { return s.problem == problem })
}

func (p *Presence) changed() {
	p.mu.Lock()
	fs := make([]func(), 0, len(p.seats))
	for _, s := range p.seats {
		if s.onChange != nil {
			fs = append(fs, s.onChange)
		}
	}
	p.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// Online lists connected members, sorted, with a count when one has
// several sessions ("bob×2").
func (p *Presence) Online() []string {
	p.mu.Lock()
	n := map[string]int{}
	for _, s := range p.seats {
		n[s.name]++
	}
	p.mu.Unlock()
	out := make([]string, 0, len(n))
	for name, c := range n {
		if c > 1 {
			name = fmt.Sprintf("%s×%d", name, c)
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Sessions counts the sessions of one member (all when name is empty).
func (p *Presence) Sessions(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := 0
	for _, s := range p.seats {
		if name == "" || s.name == name {
			c++
		}
	}
	return c
}

// Viewing lists the other members whose sessions look at k.
func (p *Presence) Viewing(k api.OrderKey, except int) []string {
	if k.ID == "" {
		return nil
	}
	return p.others(except, func(s *seat) bool { return s.focus == k })
}

// others lists, sorted and once each, the members other than the one in
// seat except whose sessions match.
func (p *Presence) others(except int, match func(*seat) bool) []string {
	p.mu.Lock()
	seen := map[string]bool{}
	self := ""
	if s := p.seats[except]; s != nil {
		self = s.name
	}
	for id, s := range p.seats {
		if id != except && s.name != self && match(s) {
			seen[s.name] = true
		}
	}
	p.mu.Unlock()
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Session is one person's use of the dashboard: who they are, what their
// role allows, where actions are audited and who else is around. The
// dashboard consults it where a guarded action happens.
type Session struct {
	Member      string
	Role        Role
	Fingerprint string // empty for local use
	Addr        string // remote address, or "local"
	Audit       AuditStore
	Presence    *Presence // nil for local use
	Seat        int       // this session's id in Presence
	Now         func() time.Time
}

// ErrNotAllowed is wrapped by every refusal.
var ErrNotAllowed = errors.New("not allowed")

var actionText = map[Action]string{
	ActPlace: "place orders", ActEmail: "attach notification emails", ActReveal: "reveal codes, PINs or LPA codes",
	ActCopy: "copy codes, PINs or LPA codes", ActExportCodes: "export codes and PINs", ActPin: "pin orders for everyone",
	ActAudit: "read the audit trail",
}

// Allow checks a against the role and, for an audited action, writes the
// record first: an action that cannot be audited does not happen.
func (s *Session) Allow(a Action, k api.OrderKey, detail string) error {
	if s == nil {
		return nil
	}
	if !s.Role.Can(a) {
		art := "a"
		if strings.HasPrefix(string(s.Role), "a") {
			art = "an"
		}
		return fmt.Errorf("%w: %s %s may not %s", ErrNotAllowed, art, s.Role, actionText[a])
	}
	if !a.Audited() || s.Audit == nil {
		return nil
	}
	return s.Record(a, k, detail)
}

// Record writes one audit record for this session.
func (s *Session) Record(a Action, k api.OrderKey, detail string) error {
	if s == nil || s.Audit == nil {
		return nil
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return s.Audit.Append(Record{Time: now(), Member: s.Member, Role: s.Role, Fingerprint: s.Fingerprint, Addr: s.Addr,
		Action: a, Vertical: k.Vertical, OrderID: k.ID, Detail: detail})
}

// Status is the status bar's team segment: who ("alice agent") and who
// else is connected ("bob, carol"). Empty outside team mode.
func (s *Session) Status() (who, online string) {
	if s == nil || s.Presence == nil {
		return "", ""
	}
	var others []string
	for _, n := range s.Presence.Online() {
		if n != s.Member {
			others = append(others, n)
		}
	}
	return s.Member + " " + string(s.Role), strings.Join(others, ", ")
}

// OrderNote is the detail pane's line about people: who placed the order
// and who else has it open.
func (s *Session) OrderNote(k api.OrderKey) string {
	if s == nil {
		return ""
	}
	var parts []string
	if s.Audit != nil {
		if r, ok := s.Audit.PlacedBy(k); ok {
			now := time.Now
			if s.Now != nil {
				now = s.Now
			}
			parts = append(parts, "placed by "+r.Member+" "+clock(r.Time, now()))
		}
	}
	if s.Presence != nil {
		if v := s.Presence.Viewing(k, s.Seat); len(v) > 0 {
			parts = append(parts, "also open: "+strings.Join(v, ", "))
		}
	}
	return strings.Join(parts, " · ")
}

// LookAt says which problem this session's inbox has selected.
func (s *Session) LookAt(problem string) {
	if s != nil && s.Presence != nil {
		s.Presence.LookAt(s.Seat, problem)
	}
}

// ProblemNote is the inbox's line for a problem: who else is looking at it.
func (s *Session) ProblemNote(problem string) string {
	if s == nil || s.Presence == nil {
		return ""
	}
	if v := s.Presence.Looking(problem, s.Seat); len(v) > 0 {
		return "also looking: " + strings.Join(v, ", ")
	}
	return ""
}

// clock is "14:02" today, "Dec 3 14:02" before.
func clock(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("Jan 2 15:04")
}

// Can reports whether the role allows a, recording nothing.
func (s *Session) Can(a Action) bool { return s == nil || s.Role.Can(a) }
