package ui

import (
	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/team"
)

// Team is the team-mode hook (orderwatch serve, and the OS user locally):
// a policy the model consults where a guarded action happens, plus the
// lines about people it draws. Nil allows everything and draws nothing.
type Team interface {
	// Can reports whether the role allows a, without recording anything.
	Can(a team.Action) bool
	// Allow checks a and records it in the audit trail; non-nil refuses.
	Allow(a team.Action, k api.OrderKey, detail string) error
	// Status is the status bar's segment: member, role, who is connected.
	Status() (who, online string)
	// OrderNote is the detail pane's line: placed by whom, who else has it open.
	OrderNote(k api.OrderKey) string
	// LookAt says which problem the inbox has selected ("": none);
	// ProblemNote is who else is looking at one.
	LookAt(problem string)
	ProblemNote(problem string) string
}

func (m *Model) can(a team.Action) bool {
	return m.opts.Team == nil || m.opts.Team.Can(a)
}

// guardDoneMsg says whether an audited action may go ahead; then runs it
// (in Update) when it may.
type guardDoneMsg struct {
	err  error
	then func() tea.Cmd
}

// guard checks a against the role now and, when allowed, writes the audit
// record in a command (a journal write, never in Update); then runs once
// the record is written. Without a team everything is allowed at once.
func (m *Model) guard(a team.Action, k api.OrderKey, detail string, then func() tea.Cmd) tea.Cmd {
	tm := m.opts.Team
	if tm == nil {
		return then()
	}
	if !tm.Can(a) {
		return m.refuse(a)
	}
	return func() tea.Msg { return guardDoneMsg{err: tm.Allow(a, k, detail), then: then} }
}

func (m *Model) guardDone(msg guardDoneMsg) tea.Cmd {
	if msg.err != nil {
		m.setError(msg.err.Error())
		return nil
	}
	return msg.then()
}

// audited writes the record of an action a command is about to do; for
// commands, which run off the UI goroutine already.
func audited(tm Team, a team.Action, k api.OrderKey, detail string) error {
	if tm == nil {
		return nil
	}
	return tm.Allow(a, k, detail)
}

// refuse says why an action the role lacks does nothing (nothing is
// written: a refusal is not audited).
func (m *Model) refuse(a team.Action) tea.Cmd {
	if err := m.opts.Team.Allow(a, api.OrderKey{}, ""); err != nil {
		m.setError(err.Error())
	}
	return nil
}

// copySecret copies a code, PIN, claim URL or LPA code once the policy
// allows it and the audit trail has it.
func (m *Model) copySecret(k api.OrderKey, what, value string) tea.Cmd {
	if value == "" {
		m.flash("nothing to copy: no " + what)
		return nil
	}
	return m.guard(team.ActCopy, k, what, func() tea.Cmd { return m.copy(what, value) })
}
