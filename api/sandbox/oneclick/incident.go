package oneclick

import (
	"fmt"
	"strings"
)

// Incidents this sandbox causes on demand (`--sandbox-incident`, MAGIC.md).
// The stuck batch and the failing operator are the Octopus sandbox's.
const (
	// IncidentDrainingWallet drains the balance to 100 DZD; on stop it is
	// credited back to InitialBalance.
	IncidentDrainingWallet = "draining-wallet"
	// IncidentOutage answers every /v3 request 500 until it stops.
	IncidentOutage = "outage"
)

// Incidents lists the incident names this sandbox knows.
var Incidents = []string{IncidentDrainingWallet, IncidentOutage}

const drainedBalance = 100.0

// StartIncident starts a named incident.
func (s *Server) StartIncident(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	if s.incidents == nil {
		s.incidents = map[string]bool{}
	}
	switch name {
	case IncidentDrainingWallet:
		if b := s.st.balance; b > drainedBalance {
			s.st.move("WITHDRAWAL", -(b - drainedBalance), "", "Sandbox incident: draining wallet", now)
		}
	case IncidentOutage:
	default:
		return fmt.Errorf("unknown incident %q (want one of %s)", name, strings.Join(Incidents, ", "))
	}
	s.incidents[name] = true
	return nil
}

// StopIncident ends a named incident and undoes its problem.
func (s *Server) StopIncident(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.incidents[name] {
		return fmt.Errorf("incident %q is not running", name)
	}
	delete(s.incidents, name)
	if name == IncidentDrainingWallet && s.st.balance < InitialBalance {
		s.st.move("DEPOSIT", InitialBalance-s.st.balance, "", "Sandbox incident over: balance topped up", s.cfg.Now())
	}
	return nil
}
