package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

// The recipe "add a view": a view is a keymap.View (its scopes and
// bindings, from which help is generated), a key that opens it, and a frame
// that fits. Every view in keymap.AllViews needs a route here; in each, the
// dashboard is in that view, draws within 60x15, 80x24 and 160x48, and its
// help lists the groups of the view's own keys.
func TestRecipeEveryViewOpensFitsAndHasItsHelp(t *testing.T) {
	routes := map[keymap.View][]string{
		keymap.ViewTable:   nil,
		keymap.ViewDetail:  {"enter"},
		keymap.ViewInput:   {"/"},
		keymap.ViewHelp:    {"?"},
		keymap.ViewLog:     {"L"},
		keymap.ViewForm:    {"n"},
		keymap.ViewInbox:   {"!"},
		keymap.ViewAccount: {"A"},
	}
	for _, v := range keymap.AllViews {
		keys, ok := routes[v]
		require.True(t, ok, "view %d has no route in this test: add the keys that open it", v)
		for _, sz := range sizes {
			a := uitest.Alerts()
			m, _ := newTestModel(t, sz.w, sz.h, withOrdering(&fakePlacer{}, false), func(o *Options) { o.Alerts = a })
			send(m, batchMsg(uitest.Demo()), alertsMsg(a.Snapshot()))
			press(m, keys...)
			require.Equal(t, v, m.view(), "keys %q open view %d", keys, v)
			lines := strings.Split(plain(m), "\n")
			assert.LessOrEqual(t, len(lines), sz.h, "view %d at %dx%d: too many lines", v, sz.w, sz.h)
			for i, l := range lines {
				assert.LessOrEqual(t, ansi.StringWidth(l), sz.w, "view %d at %dx%d: line %d too wide", v, sz.w, sz.h, i)
			}
		}
	}
	// Help is generated from the bindings of the view it was opened from.
	for _, v := range []keymap.View{keymap.ViewTable, keymap.ViewDetail, keymap.ViewLog, keymap.ViewForm, keymap.ViewInbox, keymap.ViewAccount} {
		a := uitest.Alerts()
		m, _ := newTestModel(t, 160, 48, withOrdering(&fakePlacer{}, false), func(o *Options) { o.Alerts = a })
		send(m, batchMsg(uitest.Demo()), alertsMsg(a.Snapshot()))
		press(m, routes[v]...)
		press(m, "?")
		require.Equal(t, keymap.ViewHelp, m.view(), "? opens help from view %d", v)
		s := plain(m)
		groups := m.keys.HelpGroups(v)
		require.NotEmpty(t, groups, "view %d has keys", v)
		for _, g := range groups {
			assert.Contains(t, s, g.Name, "help of view %d", v)
		}
	}
}
