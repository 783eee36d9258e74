package ui

import (
	"charm.land/lipgloss/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/ui/theme"
)

// Styles is every style the dashboard uses. DefaultStyles returns a fresh one.
type Styles struct {
	noColor bool
	isDark  bool

	TabActive   lipgloss.Style
	TabInactive lipgloss.Style
	TabAlert    lipgloss.Style
	Info        lipgloss.Style
	Header      lipgloss.Style
	Selected    lipgloss.Style
	Highlight   lipgloss.Style
	Dim         lipgloss.Style
	Label       lipgloss.Style
	Title       lipgloss.Style
	Border      lipgloss.Style
	Sandbox     lipgloss.Style
	Live        lipgloss.Style
	StatusBar   lipgloss.Style
	Error       lipgloss.Style
	ToastOK     lipgloss.Style
	ToastFail   lipgloss.Style
	Message     lipgloss.Style
	HelpKey     lipgloss.Style
	HelpDesc    lipgloss.Style
	QR          lipgloss.Style

	status map[api.Status]lipgloss.Style
}

// DefaultStyles builds the styles from the one palette (theme) the order
// form uses too; noColor keeps only bold, faint and reverse (NO_COLOR).
func DefaultStyles(isDark, noColor bool) Styles {
	p := theme.New(isDark, noColor)
	fg, bg := p.Fg, p.Bg
	n := lipgloss.NewStyle
	s := Styles{noColor: noColor, isDark: isDark}
	s.TabActive = fg(n().Bold(true).Reverse(noColor), "#1d4ed8", "#93c5fd")
	if !noColor {
		s.TabActive = bg(s.TabActive, "#dbeafe", "#1e3a8a")
	}
	s.TabInactive = fg(n(), "#4b5563", "#9ca3af")
	s.TabAlert = fg(n().Bold(true), "#b91c1c", "#f87171")
	s.Info = fg(n(), "#4b5563", "#9ca3af")
	s.Header = fg(n().Bold(true).Underline(noColor), "#111827", "#e5e7eb")
	s.Selected = n().Reverse(true)
	s.Highlight = bg(n().Bold(true), "#fef3c7", "#3f3a12")
	s.Dim = p.Dim()
	s.Label = p.Label()
	s.Title = p.Title()
	s.Border = p.Border()
	s.Sandbox = p.OK()
	s.Live = p.Live()
	s.StatusBar = fg(n(), "#374151", "#d1d5db")
	s.Error = p.Error()
	s.ToastOK = p.OK()
	s.ToastFail = n().Bold(true).Reverse(noColor)
	if !noColor {
		s.ToastFail = s.ToastFail.Foreground(lipgloss.Color("#ffffff")).Background(lipgloss.Color("#b91c1c"))
	}
	s.Message = fg(n(), "#1f2937", "#e5e7eb")
	s.HelpKey = p.Key()
	s.HelpDesc = fg(n(), "#374151", "#d1d5db")
	s.QR = p.QR()

	s.status = map[api.Status]lipgloss.Style{
		api.StatusUnknown:    fg(n().Bold(true).Underline(true), "#a21caf", "#f0abfc"),
		api.StatusUncertain:  fg(n().Bold(true), "#c2410c", "#fdba74"),
		api.StatusFailed:     fg(n().Bold(true), "#b91c1c", "#f87171"),
		api.StatusRefunded:   fg(n().Bold(true), "#b91c1c", "#fca5a5"),
		api.StatusCancelled:  fg(n(), "#991b1b", "#fca5a5"),
		api.StatusPartial:    fg(n().Bold(true), "#a16207", "#fde047"),
		api.StatusPending:    fg(n(), "#1d4ed8", "#93c5fd"),
		api.StatusProcessing: fg(n(), "#0e7490", "#67e8f9"),
		api.StatusScheduled:  fg(n(), "#6d28d9", "#c4b5fd"),
		api.StatusDelivered:  fg(n(), "#15803d", "#86efac"),
	}
	return s
}

// StatusStyle is the one place a normalized status gets its color.
func (s Styles) StatusStyle(st api.Status) lipgloss.Style {
	if v, ok := s.status[st]; ok {
		return v
	}
	return s.status[api.StatusUnknown]
}
