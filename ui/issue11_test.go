package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/orderwatch/orderwatch/ui/uitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lineWith returns the first line of the plain frame containing s.
func lineWith(m *Model, s string) string {
	for _, l := range strings.Split(plain(m), "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// D moves the detail pane on its first press at any width, says where, and
// the rule above a pane below the table is exactly the terminal's width.
func TestToggleWideActsOnFirstPress(t *testing.T) {
	m, _ := newTestModel(t, 120, 40)
	send(m, batchMsg(uitest.Demo()))
	press(m, "enter")
	require.True(t, m.detailBeside())
	before := plain(m)
	press(m, "D")
	assert.False(t, m.detailBeside(), "first D at 120x40 moves the pane below")
	assert.NotEqual(t, before, plain(m))
	assert.Contains(t, plain(m), "detail below the table")
	rule := lineWith(m, "── detail ─")
	require.NotEmpty(t, rule)
	assert.Equal(t, 120, ansi.StringWidth(rule))
	assert.True(t, strings.HasSuffix(rule, "─"), "the rule ends with a rule, not an ellipsis: %q", rule)
	press(m, "D")
	assert.True(t, m.detailBeside())
}
