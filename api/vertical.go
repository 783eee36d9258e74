package api

import (
	"fmt"
	"strings"
)

// Provider names a reseller API. What a provider is (its title, verticals,
// statuses) is registered by its package: see RegisterProvider.
type Provider string

// Title is the provider's display name.
func (p Provider) Title() string {
	if pi, ok := LookupProvider(p); ok && pi.Title != "" {
		return pi.Title
	}
	return string(p)
}

// Short is the provider's name where room is scarce.
func (p Provider) Short() string {
	if pi, ok := LookupProvider(p); ok && pi.Short != "" {
		return pi.Short
	}
	return p.Title()
}

// Badge is the provider's name on the status bar.
func (p Provider) Badge() string {
	if pi, ok := LookupProvider(p); ok && pi.Badge != "" {
		return pi.Badge
	}
	return strings.ToUpper(string(p))
}

// Vertical is one kind of product of one provider; every order belongs to one.
type Vertical string

// Provider returns the provider that sells this vertical ("" when unknown).
func (v Vertical) Provider() Provider { return loadRegistry().byVert[v].provider }

// Title is the tab name of the vertical.
func (v Vertical) Title() string {
	if e, ok := loadRegistry().byVert[v]; ok && e.info.Title != "" {
		return e.info.Title
	}
	return string(v)
}

// Valid reports whether v is a registered vertical.
func (v Vertical) Valid() bool {
	_, ok := loadRegistry().byVert[v]
	return ok
}

// ParseVertical accepts a vertical's name in any case, or one of its aliases.
func ParseVertical(s string) (Vertical, error) {
	r := loadRegistry()
	if v, ok := r.alias[strings.ToLower(strings.TrimSpace(s))]; ok {
		return v, nil
	}
	names := make([]string, len(r.verticals))
	for i, v := range r.verticals {
		names[i] = string(v)
	}
	return "", fmt.Errorf("unknown vertical %q (want one of %s)", s, strings.Join(names, ", "))
}

// OrderKey identifies one order across providers: ids are unique per vertical.
type OrderKey struct {
	Vertical Vertical
	ID       string
}

func (k OrderKey) String() string { return string(k.Vertical) + ":" + k.ID }

// ParseOrderKey reads "VERTICAL:ID".
func ParseOrderKey(s string) (OrderKey, error) {
	v, id, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(id) == "" {
		return OrderKey{}, fmt.Errorf("order %q: want VERTICAL:ID", s)
	}
	vert, err := ParseVertical(v)
	if err != nil {
		return OrderKey{}, err
	}
	return OrderKey{Vertical: vert, ID: strings.TrimSpace(id)}, nil
}
