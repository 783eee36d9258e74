package ui

import (
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/ui/orderform"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

// pressRun presses keys and runs what they start until it settles: the
// audit is written in a command, and the action happens when it returns.
func pressRun(m *Model, keys ...string) {
	for _, k := range keys {
		run(m, press(m, k))
	}
}

// teamModel is a dashboard whose keymap still has every binding: the
// policy alone must stop what the role may not do.
func teamModel(t *testing.T, role team.Role, audit team.AuditStore, p *team.Presence) (*Model, *[]string, *fakeNotifier) {
	var copied []string
	n := &fakeNotifier{}
	seat := 0
	if p != nil {
		seat = p.Join("alice", nil)
	}
	ts := &team.Session{Member: "alice", Role: role, Addr: "127.0.0.1:5000", Fingerprint: "SHA256:abc", Audit: audit,
		Presence: p, Seat: seat, Now: uitest.Clock(0)}
	m, _ := newTestModel(t, 140, 40, func(o *Options) {
		o.Team = ts
		o.Actions = n
		o.Clipboard = func(s string) tea.Cmd { copied = append(copied, s); return nil }
	})
	send(m, batchMsg(uitest.Demo()))
	selectID(t, m, "48213")
	return m, &copied, n
}

func TestViewerRefusedWhereTheActionHappens(t *testing.T) {
	audit := &team.MemAudit{}
	m, copied, n := teamModel(t, team.Viewer, audit, nil)
	press(m, "enter")
	assert.Contains(t, plain(m), "codes stay masked for your role")
	pressRun(m, "v")
	assert.False(t, m.reveal, "a viewer revealed codes")
	assert.Contains(t, m.lastErr, "a viewer may not reveal")
	assert.NotContains(t, plain(m), "4417-2290")
	pressRun(m, "C", "c", "u")
	assert.Empty(t, *copied, "a viewer copied a secret")
	press(m, "esc", "n")
	assert.Nil(t, m.form, "a viewer opened the order form")
	press(m, "e")
	assert.False(t, m.prompt.active(), "a viewer got the email prompt")
	assert.Empty(t, n.calls)
	pressRun(m, "p")
	assert.Contains(t, m.lastErr, "may not pin")
	recs, _ := audit.List(time.Time{})
	assert.Empty(t, recs, "refusals are not audited as actions")
}

func TestAgentRevealAndCopyAreAudited(t *testing.T) {
	audit := &team.MemAudit{}
	m, copied, _ := teamModel(t, team.Agent, audit, nil)
	pressRun(m, "enter", "v")
	require.True(t, m.reveal)
	assert.Contains(t, plain(m), "4417-2290")
	pressRun(m, "C")
	assert.Equal(t, []string{"4417-2290"}, *copied)
	recs, _ := audit.List(time.Time{})
	require.Len(t, recs, 2)
	assert.Equal(t, team.ActReveal, recs[0].Action)
	assert.Equal(t, "48213", recs[0].OrderID)
	assert.Equal(t, team.ActCopy, recs[1].Action)
	assert.Contains(t, recs[1].Detail, "PIN of voucher #1")
	assert.Equal(t, "SHA256:abc", recs[1].Fingerprint)
	for _, r := range recs {
		assert.NotContains(t, r.Detail, "4417", "the audit trail never holds the code")
	}
	// Hiding again is not a reveal.
	press(m, "v")
	recs, _ = audit.List(time.Time{})
	assert.Len(t, recs, 2)
	// An email change is audited with the address, when it is sent.
	press(m, "esc", "e")
	require.True(t, m.prompt.active())
	m.prompt.input.SetValue("")
	typeText(m, "cust@example.com")
	pressRun(m, "enter")
	recs, _ = audit.List(time.Time{})
	require.Len(t, recs, 3)
	assert.Equal(t, team.ActEmail, recs[2].Action)
	assert.Equal(t, "cust@example.com", recs[2].Detail)
}

func TestStatusBarAndDetailShowPeople(t *testing.T) {
	audit := &team.MemAudit{}
	require.NoError(t, audit.Append(team.Record{Time: uitest.Epoch.Add(-time.Hour), Member: "bob", Action: team.ActPlace,
		Vertical: api.VerticalVoucher, OrderID: "48213"}))
	p := &team.Presence{}
	bob := p.Join("bob", nil)
	m, _, _ := teamModel(t, team.Agent, audit, p)
	p.Focus(bob, api.OrderKey{Vertical: api.VerticalVoucher, ID: "48213"})
	press(m, "enter")
	v := plain(m)
	assert.Contains(t, v, "alice agent · online bob")
	assert.Regexp(t, `placed by bob \d\d:\d\d · also open: bob`, v)
}

type brokenAudit struct{ team.MemAudit }

func (*brokenAudit) Append(team.Record) error { return errors.New("journal is read-only") }

// An action the trail cannot record does not happen.
func TestUnauditableActionDoesNotHappen(t *testing.T) {
	m, copied, n := teamModel(t, team.Agent, &brokenAudit{}, nil)
	pressRun(m, "enter", "v")
	assert.False(t, m.reveal)
	assert.Contains(t, m.lastErr, "read-only")
	pressRun(m, "C")
	assert.Empty(t, *copied)
	pressRun(m, "esc", "e")
	m.prompt.input.SetValue("")
	typeText(m, "cust@example.com")
	pressRun(m, "enter")
	assert.Empty(t, n.calls, "the email was attached without an audit record")
}

// The order form's reveal and copies go through the same policy and audit
// as the detail pane's, with the order they are about.
func TestOrderFormRevealAndCopyAreAudited(t *testing.T) {
	k := api.OrderKey{Vertical: "voucher", ID: "90001"}
	audit := &team.MemAudit{}
	m, copied, _ := teamModel(t, team.Agent, audit, nil)
	run(m, send(m, orderform.RevealMsg{Form: 7, Order: k}))
	run(m, send(m, orderform.CopyMsg{What: "voucher PIN", Text: "9911", Order: k}))
	assert.Equal(t, []string{"9911"}, *copied)
	recs, _ := audit.List(time.Time{})
	require.Len(t, recs, 2)
	assert.Equal(t, team.ActReveal, recs[0].Action)
	assert.Equal(t, "90001", recs[0].OrderID)
	assert.Equal(t, team.ActCopy, recs[1].Action)
	assert.Equal(t, "90001", recs[1].OrderID)

	audit = &team.MemAudit{}
	m, copied, _ = teamModel(t, team.Viewer, audit, nil)
	run(m, send(m, orderform.RevealMsg{Form: 7, Order: k}))
	run(m, send(m, orderform.CopyMsg{What: "voucher PIN", Text: "9911", Order: k}))
	assert.Empty(t, *copied)
	assert.Contains(t, m.lastErr, "may not")
	recs, _ = audit.List(time.Time{})
	assert.Empty(t, recs)
}

// Two people on one problem see each other in the inbox: the one whose
// inbox has it selected is "looking at" it; moving away clears it.
func TestInboxSaysWhoElseIsLooking(t *testing.T) {
	p := &team.Presence{}
	a := uitest.Alerts()
	model := func(name string) *Model {
		ts := &team.Session{Member: name, Role: team.Agent, Addr: "127.0.0.1:5000", Audit: &team.MemAudit{},
			Presence: p, Seat: p.Join(name, nil), Now: uitest.Clock(0)}
		m, _ := newTestModel(t, 160, 48, func(o *Options) { o.Team, o.Alerts = ts, a })
		send(m, batchMsg(uitest.Demo()), alertsMsg(a.Snapshot()))
		return m
	}
	alice, bob := model("alice"), model("bob")
	press(bob, "!")
	press(alice, "!")
	assert.Contains(t, plain(alice), "also looking: bob")
	assert.Contains(t, plain(bob), "also looking: alice")
	press(bob, "esc")
	assert.NotContains(t, plain(alice), "also looking: bob", "bob left the inbox")
	press(bob, "!", "down")
	assert.NotContains(t, plain(alice), "also looking: bob", "bob is on another problem")
}
