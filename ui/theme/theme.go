// Package theme is the look the dashboard and the order form share: one
// palette that honours NO_COLOR and the terminal's light or dark
// background, and one sanitizer for text that came from the network.
package theme

import (
	"image/color"
	"reflect"
	"strings"

	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
)

// Palette picks colors for a light or dark terminal, or none at all
// (NO_COLOR: bold, faint and reverse only).
type Palette struct {
	IsDark, NoColor bool
	set             bool
}

// New returns the palette for the background and NO_COLOR.
func New(isDark, noColor bool) Palette { return Palette{IsDark: isDark, NoColor: noColor, set: true} }

// Zero reports a palette nobody chose (the zero value).
func (p Palette) Zero() bool { return !p.set }

// Color is light or dark, for the background.
func (p Palette) Color(light, dark string) color.Color {
	return lipgloss.LightDark(p.IsDark)(lipgloss.Color(light), lipgloss.Color(dark))
}

// Fg gives s a foreground, unless NO_COLOR.
func (p Palette) Fg(s lipgloss.Style, light, dark string) lipgloss.Style {
	if p.NoColor {
		return s
	}
	return s.Foreground(p.Color(light, dark))
}

// Bg gives s a background, unless NO_COLOR.
func (p Palette) Bg(s lipgloss.Style, light, dark string) lipgloss.Style {
	if p.NoColor {
		return s
	}
	return s.Background(p.Color(light, dark))
}

// The roles both the dashboard and the form draw with.

func (p Palette) Title() lipgloss.Style {
	return p.Fg(lipgloss.NewStyle().Bold(true), "#111827", "#f9fafb")
}
func (p Palette) Label() lipgloss.Style { return p.Fg(lipgloss.NewStyle(), "#6b7280", "#9ca3af") }
func (p Palette) Dim() lipgloss.Style {
	return p.Fg(lipgloss.NewStyle().Faint(p.NoColor), "#6b7280", "#6b7280")
}
func (p Palette) Error() lipgloss.Style {
	return p.Fg(lipgloss.NewStyle().Bold(true), "#b91c1c", "#f87171")
}
func (p Palette) OK() lipgloss.Style {
	return p.Fg(lipgloss.NewStyle().Bold(true), "#166534", "#86efac")
}
func (p Palette) Warn() lipgloss.Style {
	return p.Fg(lipgloss.NewStyle().Bold(true), "#92400e", "#fcd34d")
}
func (p Palette) Key() lipgloss.Style {
	return p.Fg(lipgloss.NewStyle().Bold(true), "#1d4ed8", "#93c5fd")
}
func (p Palette) Border() lipgloss.Style { return p.Fg(lipgloss.NewStyle(), "#d1d5db", "#374151") }

// Live is the loud LIVE badge: white on red, or reversed.
func (p Palette) Live() lipgloss.Style {
	s := lipgloss.NewStyle().Bold(true).Reverse(p.NoColor)
	if p.NoColor {
		return s
	}
	return s.Foreground(lipgloss.Color("#ffffff")).Background(lipgloss.Color("#dc2626"))
}

// QR is drawn light on dark whatever the theme, so phones read it.
func (p Palette) QR() lipgloss.Style {
	if p.NoColor {
		return lipgloss.NewStyle()
	}
	return lipgloss.NewStyle().Foreground(lipgloss.Color("#ffffff")).Background(lipgloss.Color("#000000"))
}

// Huh is the theme of the form's huh fields, in this palette.
func (p Palette) Huh() huh.Theme {
	return huh.ThemeFunc(func(bool) *huh.Styles {
		t := huh.ThemeCharm(p.IsDark)
		if p.NoColor {
			uncolor(reflect.ValueOf(t).Elem())
		}
		return t
	})
}

var styleType = reflect.TypeOf(lipgloss.Style{})

// uncolor drops every color of every style reachable from v.
func uncolor(v reflect.Value) {
	switch {
	case v.Type() == styleType:
		s := v.Interface().(lipgloss.Style)
		v.Set(reflect.ValueOf(s.UnsetForeground().UnsetBackground().UnsetBorderForeground()))
	case v.Kind() == reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				uncolor(f)
			}
		}
	}
}

// Clean makes text from the network safe to draw: control characters (C0,
// DEL, C1) become spaces, so it can neither break the layout nor reach the
// terminal as an escape sequence.
func Clean(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }
