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
	Status() string
	// OrderNote is the detail pane's line: placed by whom, who else has it open.
	OrderNote(k api.OrderKey) string
}

func (m *Model) can(a team.Action) bool {
	return m.opts.Team == nil || m.opts.Team.Can(a)
}

// allow consults the team policy; a refusal is shown and nothing happens.
func (m *Model) allow(a team.Action, k api.OrderKey, detail string) bool {
	if m.opts.Team == nil {
		return true
	}
	if err := m.opts.Team.Allow(a, k, detail); err != nil {
		m.setError(err.Error())
		return false
	}
	return true
}

// refuse says why an action the role lacks does nothing.
func (m *Model) refuse(a team.Action) tea.Cmd {
	if err := m.opts.Team.Allow(a, api.OrderKey{}, ""); err != nil {
		m.setError(err.Error())
	}
	return nil
}

// copySecret copies a code, PIN, claim URL or LPA code once the policy
// allows it (and the audit trail has it).
func (m *Model) copySecret(k api.OrderKey, what, value string) tea.Cmd {
	if value == "" || !m.allow(team.ActCopy, k, what) {
		if value == "" {
			m.flash("nothing to copy: no " + what)
		}
		return nil
	}
	return m.copy(what, value)
}
