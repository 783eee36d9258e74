package theme

import (
	"reflect"
	"regexp"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/stretchr/testify/assert"
)

func TestCleanDropsControlsAndKeepsText(t *testing.T) {
	assert.Equal(t, "plain — text ✓", Clean("plain — text ✓"))
	assert.Equal(t, "a  [31mred b", Clean("a \x1b[31mred\nb"), "ESC and newline become spaces")
	assert.Equal(t, "csi  [2J here", Clean("csi \u009b[2J\u0007here"), "C1 CSI and BEL")
	assert.Equal(t, "del ", Clean("del\x7f"))
}

// colorSGR matches a foreground or background color in an SGR sequence.
var colorSGR = regexp.MustCompile(`\x1b\[[0-9;:]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])[;m:]`)

func TestNoColorPaletteDrawsNoColor(t *testing.T) {
	for _, dark := range []bool{true, false} {
		p := New(dark, true)
		for _, s := range []lipgloss.Style{p.Title(), p.Label(), p.Dim(), p.Error(), p.OK(), p.Warn(), p.Key(), p.Border(), p.Live(), p.QR()} {
			out := s.Render("x")
			assert.False(t, colorSGR.MatchString(out), "%q", out)
		}
		assert.Contains(t, p.Live().Render("LIVE"), "\x1b[", "LIVE is still loud: bold and reverse")
		styles := p.Huh().Theme(dark)
		var walk func(v reflect.Value)
		walk = func(v reflect.Value) {
			switch {
			case v.Type() == styleType:
				out := v.Interface().(lipgloss.Style).Render("x")
				assert.False(t, colorSGR.MatchString(out), "huh style %q", out)
			case v.Kind() == reflect.Struct:
				for i := 0; i < v.NumField(); i++ {
					if v.Type().Field(i).IsExported() {
						walk(v.Field(i))
					}
				}
			}
		}
		walk(reflect.ValueOf(*styles))
	}
	// With colors, the roles are colored.
	assert.True(t, colorSGR.MatchString(New(true, false).Error().Render("x")))
}
