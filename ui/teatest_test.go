package ui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/uitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ttW, ttH = 100, 30

// startProgram runs the real program against a fake engine, with the color
// profile, TERM and size pinned in one WithProgramOptions call.
func startProgram(t *testing.T) (*teatest.TestModel, *uitest.Controller) {
	t.Helper()
	c := uitest.NewController(8)
	t.Cleanup(c.Close) // unblocks the relay goroutine
	m := New(Options{Controller: c, Now: uitest.Clock(0)})
	tm := teatest.NewTestModel(t, m,
		teatest.WithInitialTermSize(ttW, ttH),
		teatest.WithProgramOptions(
			tea.WithColorProfile(colorprofile.ANSI256),
			tea.WithEnvironment([]string{"TERM=xterm-256color", "TERM_PROGRAM=Apple_Terminal"}),
			tea.WithWindowSize(ttW, ttH),
		),
	)
	return tm, c
}

func waitFor(t *testing.T, tm *teatest.TestModel, what ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range what {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func finalModel(t *testing.T, tm *teatest.TestModel) *Model {
	t.Helper()
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	m, ok := fm.(*Model)
	require.True(t, ok)
	return m
}

func TestProgramStartsAndUpdatesArrive(t *testing.T) {
	tm, c := startProgram(t)
	waitFor(t, tm, "No Vouchers orders tracked yet")
	c.Send(uitest.Demo())
	waitFor(t, tm, "Steam Wallet EU", "Netflix TR")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	m := finalModel(t, tm)
	assert.Len(t, m.activeTab().table.rows, 5)
	assert.Equal(t, "orderwatch — 5 pending, 2 failed", m.View().WindowTitle)
}

func TestProgramNavigateAndOpenDetail(t *testing.T) {
	tm, c := startProgram(t)
	c.Send(uitest.Demo())
	waitFor(t, tm, "Netflix TR")
	tm.Send(uitest.Key("j"))
	tm.Send(uitest.Key("j"))
	tm.Send(uitest.Key("enter"))
	waitFor(t, tm, "Vouchers 48213", "Vouchers (2)") // the delivered codes come first in the detail
	tm.Send(uitest.Key("2"))
	waitFor(t, tm, "PUBG Mobile")
	tm.Send(uitest.Key("q"))
	m := finalModel(t, tm)
	assert.True(t, m.showDetail)
	assert.Equal(t, 1, m.active)
	_, focused, _ := c.Calls()
	assert.Contains(t, focused, keyOf("voucher", "48213"))
}

func TestProgramFilterAndQuit(t *testing.T) {
	tm, c := startProgram(t)
	c.Send(uitest.Demo())
	waitFor(t, tm, "Netflix TR")
	tm.Send(uitest.Key("/"))
	tm.Type("netflix q")
	waitFor(t, tm, "No orders match")
	tm.Send(uitest.Key("backspace"))
	tm.Send(uitest.Key("backspace"))
	tm.Send(uitest.Key("enter"))
	waitFor(t, tm, "1 of 5")
	tm.Send(uitest.Key("q"))
	m := finalModel(t, tm)
	assert.Equal(t, []string{"48207"}, ids(m))
	assert.Equal(t, "netflix", m.activeTab().table.filter.text)
}

func TestProgramLiveUpdateMovesHighlightAndLog(t *testing.T) {
	tm, c := startProgram(t)
	c.Send(uitest.Demo())
	waitFor(t, tm, "Netflix TR")
	tr := uitest.Vouchers()[1]
	tr.Order.Status, tr.Order.RawStatus = "delivered", "DELIVERED"
	tr.Order.DeliveredQuantity = 3
	c.Send(uitest.OrderUpdates([]engine.Tracked{tr}, false))
	waitFor(t, tm, "Vouchers 48220 delivered")
	tm.Send(uitest.Key("L"))
	waitFor(t, tm, "EVENT LOG")
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	m := finalModel(t, tm)
	assert.Equal(t, 3, m.activeTab().table.rows["48220"].t.Order.DeliveredQuantity)
}
