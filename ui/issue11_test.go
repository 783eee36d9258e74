package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"

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

func bothProviders(oneclickMode string) func(*Options) {
	return func(o *Options) {
		o.Providers = []ProviderTabs{{Provider: api.ProviderOctopus, Mode: "SANDBOX"}, {Provider: api.ProviderOneClick, Mode: oneclickMode}}
	}
}

func demoBoth(m *Model) {
	send(m, batchMsg(uitest.Demo()), batchMsg(uitest.OneClickStatus()), batchMsg(uitest.OrderUpdates(uitest.OneClick(), true)))
}

// At every size, on every tab: the active tab is drawn whole, and every
// provider's mode badge (and READ-ONLY) is on the status bar.
func TestActiveTabAndBadgesAlwaysVisible(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{60, 15}, {80, 24}, {100, 30}, {120, 40}, {160, 48}, {200, 50}} {
		m, _ := newTestModel(t, sz.w, sz.h, bothProviders("LIVE"), func(o *Options) { o.ReadOnly = true })
		demoBoth(m)
		for i, tb := range m.tabs {
			press(m, fmt.Sprint(i+1))
			lines := strings.Split(plain(m), "\n")
			assert.Contains(t, lines[0], fmt.Sprintf(" %d %s", i+1, tb.vertical.Title()), "%dx%d tab %d", sz.w, sz.h, i+1)
			status := lines[len(lines)-1]
			for _, b := range []string{"READ-ONLY", "OCTOPUS SANDBOX", "1CLICK LIVE"} {
				assert.Contains(t, status, b, "%dx%d tab %d", sz.w, sz.h, i+1)
			}
		}
	}
}

// The status bar drops its least important parts first and is never cut
// mid-word: at 200 columns everything fits; narrower, the list ages go
// before the 429 count, and a non-zero 429 count outlives the wallets.
func TestStatusBarDropsLeastImportantFirst(t *testing.T) {
	status := func(w int) string {
		m, _ := newTestModel(t, w, 24, bothProviders("SANDBOX"))
		demoBoth(m)
		send(m, batchMsg{engine.BudgetUpdate{Provider: api.ProviderOneClick, PerMinute: 100, UsedLastMin: 7, Got429: 3}})
		lines := strings.Split(plain(m), "\n")
		return lines[len(lines)-1]
	}
	wide := status(200)
	assert.NotContains(t, wide, "…")
	assert.Contains(t, wide, "listed Vouchers")
	assert.Contains(t, wide, "429×3")
	for _, w := range []int{60, 80, 100, 120, 160} {
		s := status(w)
		assert.NotContains(t, s, "…", "width %d: %q", w, s)
		assert.Contains(t, s, "429×3", "width %d", w)
	}
	assert.NotContains(t, status(120), "listed", "list ages go first")
}

// --readonly says so on screen, and a removed key says why it did nothing.
func TestReadOnlyBadgeAndWhyAKeyDidNothing(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, func(o *Options) { o.ReadOnly = true; o.Actions = &fakeNotifier{} })
	send(m, batchMsg(uitest.Demo()))
	assert.Contains(t, plain(m), "READ-ONLY")
	press(m, "n")
	assert.Contains(t, plain(m), "n does nothing: READ-ONLY (--readonly)")
	press(m, "e")
	assert.False(t, m.prompt.active())
	assert.Contains(t, plain(m), "e does nothing: READ-ONLY (--readonly)")

	m, _ = newTestModel(t, 80, 24)
	send(m, batchMsg(uitest.Status()))
	press(m, "r")
	assert.Contains(t, plain(m), "no order selected")
}
