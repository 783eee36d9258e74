package sandbox

import (
	"fmt"
	"slices"
	"strings"

	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
)

// Incidents lists every incident either sandbox can cause.
func Incidents() []string {
	out := slices.Clone(octosb.Incidents)
	for _, n := range oneclicksb.Incidents {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// CheckIncidents validates a comma-separated list of incident names.
func CheckIncidents(list string) ([]string, error) {
	var out []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !slices.Contains(Incidents(), n) {
			return nil, fmt.Errorf("unknown incident %q (want one of %s)", n, strings.Join(Incidents(), ", "))
		}
		out = append(out, n)
	}
	return out, nil
}

// StartIncident starts the incident on every sandbox that knows it.
func (e *Embedded) StartIncident(name string) error {
	return e.incident(name, e.Octopus.StartIncident, e.OneClick.StartIncident)
}

// StopIncident ends it on every sandbox that knows it.
func (e *Embedded) StopIncident(name string) error {
	return e.incident(name, e.Octopus.StopIncident, e.OneClick.StopIncident)
}

func (e *Embedded) incident(name string, octo, one func(string) error) error {
	known := false
	if slices.Contains(octosb.Incidents, name) {
		known = true
		if err := octo(name); err != nil {
			return err
		}
	}
	if slices.Contains(oneclicksb.Incidents, name) {
		known = true
		if err := one(name); err != nil {
			return err
		}
	}
	if !known {
		return fmt.Errorf("unknown incident %q (want one of %s)", name, strings.Join(Incidents(), ", "))
	}
	return nil
}
