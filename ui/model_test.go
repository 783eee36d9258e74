package ui

import (
	"context"
	"encoding/csv"
	"errors"
	"image/color"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/uitest"

	"github.com/charmbracelet/x/ansi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertFrame checks the view is exactly w×h cells: no line too long, none
// missing, so nothing wraps or tears.
func assertFrame(t *testing.T, content string, w, h int) {
	t.Helper()
	lines := strings.Split(content, "\n")
	require.Len(t, lines, h, "line count")
	for i, l := range lines {
		assert.Equal(t, w, ansi.StringWidth(l), "line %d width: %q", i, ansi.Strip(l))
	}
}

func plain(m *Model) string { return ansi.Strip(m.View().Content) }

type clockT struct{ t time.Time }

func (c *clockT) now() time.Time         { return c.t }
func (c *clockT) add(d time.Duration)    { c.t = c.t.Add(d) }
func withClock(c *clockT) func(*Options) { return func(o *Options) { o.Now = c.now } }
func ids(m *Model) []string {
	var out []string
	for _, r := range m.activeTab().table.index {
		out = append(out, r.t.Order.ID)
	}
	return out
}

func TestCursorFollowsOrderAcrossResort(t *testing.T) {
	m, _ := newTestModel(t, 100, 30)
	send(m, batchMsg(uitest.Demo()))
	press(m, "s") // sort by status: problems first
	require.Equal(t, sortStatus, m.activeTab().table.sort)
	selectID(t, m, "48220") // pending
	before := m.activeTab().table.cursor

	tr := uitest.Vouchers()[1]
	require.Equal(t, "48220", tr.Order.ID)
	tr.Order.Status, tr.Order.RawStatus = api.StatusFailed, "FAILED"
	send(m, batchMsg{engine.OrderUpdate{Tracked: tr, Event: &engine.Event{Changed: true, From: api.StatusPending, To: api.StatusFailed}}})

	tb := m.activeTab().table
	assert.Equal(t, "48220", tb.cursorID)
	assert.Equal(t, "48220", tb.selected().t.Order.ID)
	assert.NotEqual(t, before, tb.cursor, "the row moved, the cursor went with it")
}

func TestFilterSubstringRegexpInvertProblems(t *testing.T) {
	m, _ := newTestModel(t, 100, 30)
	send(m, batchMsg(uitest.Demo()))
	press(m, "/")
	typeText(m, "amazon")
	assert.ElementsMatch(t, []string{"48213", "48199"}, ids(m), "live filter while typing")
	press(m, "enter")
	assert.False(t, m.prompt.active())
	assert.Contains(t, plain(m), "filter amazon")

	press(m, "/")
	for range len("amazon") {
		press(m, "backspace")
	}
	typeText(m, "^4821[39]")
	press(m, "enter")
	assert.ElementsMatch(t, []string{"48213", "48219"}, ids(m), "regexp")

	m.setFilter("!amazon", false)
	assert.ElementsMatch(t, []string{"48220", "48219", "48207"}, ids(m), "inverted")

	m.setFilter("", false)
	press(m, "f")
	assert.ElementsMatch(t, []string{"48219", "48207", "48199"}, ids(m), "problems: partial, failed, unknown")
	press(m, "f")
	assert.Len(t, ids(m), 5)

	m.setFilter("([", false) // not a regexp: a substring search, no panic
	assert.Empty(t, ids(m))
	assert.Contains(t, plain(m), "(text)")
	press(m, "esc")
	assert.Len(t, ids(m), 5, "esc clears the filter")
}

func TestFilterInputGetsEveryKey(t *testing.T) {
	m, c := newTestModel(t, 100, 30)
	send(m, batchMsg(uitest.Demo()))
	press(m, "/")
	cmd := press(m, "q")
	assert.False(t, isQuit(cmd), "q typed into the filter must not quit")
	typeText(m, "?rLe")
	assert.Equal(t, "q?rLe", m.prompt.input.Value())
	assert.Equal(t, overlayNone, m.over, "? did not open help")
	r, _, _ := c.Calls()
	assert.Empty(t, r, "r did not refresh")
	press(m, "esc")
	assert.False(t, m.prompt.active())
	assert.Len(t, ids(m), 5, "cancel restores the previous filter")
	assert.True(t, isQuit(press(m, "q")))
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if isQuit(c) {
				return true
			}
		}
		return false
	}
	_, ok := msg.(tea.QuitMsg)
	return ok
}

func TestRelayDeliversOneMessagePerBatchAndRearms(t *testing.T) {
	c := uitest.NewController(4)
	m := New(Options{Controller: c, Now: uitest.Clock(0), NoColor: true})
	c.Send(engine.Batch{engine.ListUpdate{Vertical: api.VerticalVoucher, At: uitest.Epoch}})
	msg := m.relay()()
	b, ok := msg.(batchMsg)
	require.True(t, ok)
	assert.Len(t, b, 1)

	// Handling a batch re-arms the relay: the returned command reads the next one.
	c.Send(uitest.OrderUpdates(uitest.Vouchers(), true))
	_, cmd := m.Update(msg)
	require.NotNil(t, cmd)
	var got []batchMsg
	collect(cmd, func(msg tea.Msg) {
		if b, ok := msg.(batchMsg); ok {
			got = append(got, b)
		}
	})
	require.Len(t, got, 1)
	assert.Len(t, got[0], 5)

	c.Close()
	done := m.relay()()
	assert.IsType(t, engineDoneMsg{}, done)
	send(m, done)
	assert.Nil(t, m.relay(), "no re-arm after the engine stopped")
	assert.Contains(t, plain(m), "tracking engine stopped")
}

// collect runs cmd and its batches, skipping ticks, and passes messages to f.
func collect(cmd tea.Cmd, f func(tea.Msg)) {
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				collect(c, f)
			}
			return
		}
		f(msg)
	case <-time.After(200 * time.Millisecond):
		// a tick or a blocked relay: not what we collect
	}
}

func TestTickOnlyWhenAShownFigureChanges(t *testing.T) {
	clk := &clockT{t: uitest.Epoch}
	m, _ := newTestModel(t, 100, 30, withClock(clk))
	send(m, batchMsg{engine.BudgetUpdate{Provider: api.ProviderOctopus, PerMinute: 60, Available: 48}})
	assert.True(t, m.tickAt.IsZero(), "empty table, no toast, no list yet: no tick")

	// Finished orders, all older than an hour, last checked long ago: the
	// ages print in hours and only change on the hour.
	old := uitest.Vouchers()
	for i := range old {
		old[i].Phase, old[i].NextCheck = engine.PhaseDone, time.Time{}
		old[i].Order.CreatedAt = clk.t.Add(-90*time.Minute - time.Duration(i)*time.Minute)
		old[i].FirstSeen, old[i].LastChecked = old[i].Order.CreatedAt, old[i].Order.CreatedAt.Add(time.Minute)
		old[i].History = nil // no change to highlight
	}
	send(m, batchMsg(uitest.OrderUpdates(old, false)))
	require.False(t, m.tickAt.IsZero(), "rows with ages")
	assert.Equal(t, clk.t.Add(maxTickWait), m.tickAt, "nothing flips within a minute: the bound")

	// A list a few seconds ago prints in seconds: the next second.
	clk.add(3 * time.Second)
	listAt := clk.t.Add(-2500 * time.Millisecond)
	send(m, batchMsg{engine.ListUpdate{Vertical: api.VerticalVoucher, At: listAt}})
	assert.Equal(t, listAt.Add(listStep), m.tickAt, "listed <10s ago becomes 10s")
	assert.Contains(t, plain(m), "listed <10s ago")

	// A stale tick (an earlier arm) changes nothing; the armed one re-arms.
	armed := m.tickAt
	send(m, tickMsg(armed.Add(-time.Minute)))
	assert.Equal(t, armed, m.tickAt)
	clk.t = armed
	cmd := send(m, tickMsg(armed))
	assert.NotNil(t, cmd)
	assert.Equal(t, armed.Add(listStep), m.tickAt)
	assert.Contains(t, plain(m), "listed 10s ago")

	press(m, "?")
	clk.t = listAt.Add(2*time.Minute + 10*time.Second)
	send(m, tickMsg(m.tickAt))
	assert.Equal(t, listAt.Add(3*time.Minute+lateBy(time.Minute)), m.tickAt,
		"help covers the table: only the header's list age (2m) is shown, redrawn up to 5 s late")
}

// Each flip is exactly where the printed text changes: one nanosecond before
// it the text is the one shown now, at it the text differs.
func TestFlipsAreWhereTheTextChanges(t *testing.T) {
	now := uitest.Epoch
	for _, d := range []time.Duration{
		0, 300 * time.Millisecond, 5 * time.Second, 59500 * time.Millisecond, 60 * time.Second,
		90 * time.Second, 59*time.Minute + 30*time.Second, 3 * time.Hour, 47*time.Hour + 30*time.Minute,
		50 * time.Hour, 9*24*time.Hour + time.Second,
	} {
		at := now.Add(-d)
		f := flips{now: now}
		f.age(at)
		require.False(t, f.at.IsZero(), "age %s", d)
		flip := f.at.Add(-lateBy(unit(d)))
		assert.Equal(t, ago(now, at), ago(flip.Add(-time.Nanosecond), at), "age %s: unchanged before the flip", d)
		assert.NotEqual(t, ago(now, at), ago(flip, at), "age %s: changed at the flip", d)
		assert.LessOrEqual(t, f.at.Sub(flip), unit(d)/12, "age %s: redrawn late by a twelfth of its unit at most", d)

		if d < time.Second {
			continue // a countdown under a second prints "due" at its end (order)
		}
		due := now.Add(d)
		f = flips{now: now}
		f.countdown(due)
		require.False(t, f.at.IsZero(), "countdown %s", d)
		flip = f.at.Add(-lateBy(unit(d)))
		assert.Equal(t, shortDur(due.Sub(now)), shortDur(due.Sub(flip.Add(-time.Nanosecond))), "countdown %s: unchanged before", d)
		assert.NotEqual(t, shortDur(due.Sub(now)), shortDur(due.Sub(flip)), "countdown %s: changed at the flip", d)
	}
	for _, d := range []time.Duration{0, 9 * time.Second, 10 * time.Second, 59 * time.Second, 61 * time.Second, 3 * time.Hour} {
		at := now.Add(-d)
		f := flips{now: now}
		f.listAge(at)
		flip := f.at
		if d >= time.Minute {
			flip = flip.Add(-lateBy(unit(d)))
		}
		assert.Equal(t, listAge(now, at), listAge(flip.Add(-time.Nanosecond), at), "list age %s: unchanged before", d)
		assert.NotEqual(t, listAge(now, at), listAge(flip, at), "list age %s: changed at the flip", d)
	}
	f := flips{now: now}
	f.age(time.Time{})
	f.countdown(now.Add(-time.Second))
	assert.True(t, f.at.IsZero(), "no time shown, or a countdown already due: no flip")
}

func TestToastForTerminalTransitionExpires(t *testing.T) {
	clk := &clockT{t: uitest.Epoch}
	m, _ := newTestModel(t, 100, 30, withClock(clk))
	send(m, batchMsg(uitest.Demo()))
	assert.Empty(t, m.toasts, "orders found already finished are not toasted")

	tr := uitest.Topups()[2]
	tr.Order.Status, tr.Order.RawStatus = api.StatusDelivered, "DELIVERED"
	send(m, batchMsg{engine.OrderUpdate{Tracked: tr, Event: &engine.Event{At: clk.t, Changed: true, From: api.StatusPending, To: api.StatusDelivered, Source: engine.SourcePoll}}})
	require.Len(t, m.toasts, 1)
	assert.Contains(t, plain(m), "✓ Topups 77110 delivered")
	assert.Equal(t, "pending → delivered", m.events.entries[len(m.events.entries)-1].from+" → "+m.events.entries[len(m.events.entries)-1].to)

	clk.add(toastFor + time.Second)
	send(m, tickMsg(clk.t))
	assert.Empty(t, m.toasts)
	assert.NotContains(t, plain(m), "✓ Topups 77110")
}

func TestHighlightNewAndChangedRowsForAFewSeconds(t *testing.T) {
	clk := &clockT{t: uitest.Epoch}
	m, _ := newTestModel(t, 100, 30, withClock(clk), func(o *Options) { o.NoColor = false })
	send(m, batchMsg(uitest.OrderUpdates(uitest.Vouchers(), true)))
	r := m.activeTab().table.rows["48207"]
	hl := renderRow(&m.lay, &m.styles, clk.t, r, false, true)
	plainRow := renderRow(&m.lay, &m.styles, clk.t, r, false, false)
	require.NotEqual(t, hl, plainRow)
	assert.Contains(t, m.View().Content, hl)
	clk.add(highlightFor + time.Second)
	assert.Contains(t, m.View().Content, renderRow(&m.lay, &m.styles, clk.t, r, false, false))
	// A timing-only update (no event) does not highlight.
	tr := r.t
	tr.LastChecked = clk.t
	send(m, batchMsg{engine.OrderUpdate{Tracked: tr}})
	assert.False(t, clk.t.Sub(r.changedAt) < highlightFor)
}

func TestSelectionFocusRefreshPin(t *testing.T) {
	m, c := newTestModel(t, 100, 30)
	send(m, batchMsg(uitest.Demo()))
	_, focused, _ := c.Calls()
	require.NotEmpty(t, focused)
	assert.Equal(t, api.OrderKey{Vertical: api.VerticalVoucher, ID: "48220"}, focused[len(focused)-1])

	press(m, "j")
	_, focused, _ = c.Calls()
	assert.Equal(t, "48219", focused[len(focused)-1].ID)
	n := len(focused)
	press(m, "k", "k") // second k hits the top: no new focus
	_, focused, _ = c.Calls()
	assert.Len(t, focused, n+1)

	press(m, "r")
	run(m, press(m, "p")) // the journal write runs in a command
	refreshed, _, pinned := c.Calls()
	assert.Equal(t, []api.OrderKey{{Vertical: api.VerticalVoucher, ID: "48220"}}, refreshed)
	assert.Equal(t, []api.OrderKey{{Vertical: api.VerticalVoucher, ID: "48220"}}, pinned)

	c.PinErr = errors.New("journal full")
	run(m, press(m, "p"))
	assert.Contains(t, plain(m), "journal full")

	press(m, "tab")
	_, focused, _ = c.Calls()
	assert.Equal(t, api.VerticalTopup, focused[len(focused)-1].Vertical)
}

type fakeNotifier struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeNotifier) SetNotificationEmail(_ context.Context, v api.Vertical, id, email string) (api.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, string(v)+":"+id+":"+email)
	return api.Order{}, f.err
}

func TestNotificationEmail(t *testing.T) {
	n := &fakeNotifier{}
	m, c := newTestModel(t, 100, 30, func(o *Options) { o.Actions = n })
	send(m, batchMsg(uitest.Demo()))
	press(m, "e")
	require.True(t, m.prompt.active())
	typeText(m, "not-an-email")
	assert.Nil(t, press(m, "enter"))
	assert.True(t, m.prompt.active(), "stays open on a bad address")
	assert.Contains(t, plain(m), "not a valid email address")
	assert.Empty(t, n.calls)

	m.prompt.input.SetValue("buyer@example.com")
	cmd := press(m, "enter")
	require.NotNil(t, cmd)
	assert.False(t, m.prompt.active())
	var done []emailDoneMsg
	collect(cmd, func(msg tea.Msg) {
		if d, ok := msg.(emailDoneMsg); ok {
			done = append(done, d)
		}
	})
	require.Len(t, done, 1)
	assert.Equal(t, []string{"voucher:48220:buyer@example.com"}, n.calls)
	send(m, done[0])
	assert.Contains(t, plain(m), "attached")
	refreshed, _, _ := c.Calls()
	assert.Contains(t, refreshed, api.OrderKey{Vertical: api.VerticalVoucher, ID: "48220"})

	send(m, emailDoneMsg{key: done[0].key, email: "x@y.z", err: errors.New("validation (HTTP 400)")})
	assert.Contains(t, plain(m), "validation (HTTP 400)")
}

func TestValidEmail(t *testing.T) {
	for _, ok := range []string{"a@b.co", " buyer@example.com "} {
		_, err := validEmail(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"", "a", "a@b", "Bob <a@b.co>", "a@@b.co", "a b@c.d"} {
		_, err := validEmail(bad)
		assert.Error(t, err, bad)
	}
}

func TestReadOnlyHidesDangerousActions(t *testing.T) {
	n := &fakeNotifier{}
	m, _ := newTestModel(t, 160, 48, func(o *Options) { o.ReadOnly = true; o.Actions = n })
	send(m, batchMsg(uitest.Demo()))
	press(m, "e")
	assert.False(t, m.prompt.active(), "e does nothing in readonly")
	press(m, "n")
	assert.NotContains(t, plain(m), "order form")
	press(m, "?")
	help := plain(m)
	assert.Contains(t, help, "refresh order now")
	assert.NotContains(t, help, "notification email")
	assert.NotContains(t, help, "place order")
}

func TestPlaceOrderWithoutOrderingSaysNotConfigured(t *testing.T) {
	m, _ := newTestModel(t, 100, 30)
	send(m, batchMsg(uitest.Demo()))
	press(m, "n")
	assert.Nil(t, m.form)
	assert.Contains(t, plain(m), "ordering is not configured for Octopus Cards")
}

func TestHelpListsOnlyKeysOfTheCurrentView(t *testing.T) {
	m, _ := newTestModel(t, 160, 48)
	send(m, batchMsg(uitest.Demo()))
	press(m, "?")
	s := plain(m)
	assert.Contains(t, s, "refresh order now")
	assert.NotContains(t, s, "copy PIN", "detail keys do not work without the detail pane")
	press(m, "esc", "enter", "?")
	assert.Contains(t, plain(m), "copy PIN")
	press(m, "?")
	assert.Equal(t, overlayNone, m.over)
	press(m, "L", "?")
	s = plain(m)
	assert.Contains(t, s, "close log")
	assert.NotContains(t, s, "refresh order now")
}

func TestRevealAndCopy(t *testing.T) {
	var copied []string
	m, _ := newTestModel(t, 160, 48, func(o *Options) {
		o.Clipboard = func(s string) tea.Cmd { copied = append(copied, s); return nil }
	})
	send(m, batchMsg(uitest.Demo()))
	selectID(t, m, "48213")
	press(m, "enter")
	s := plain(m)
	assert.NotContains(t, s, "4417-2290", "PIN masked")
	assert.Contains(t, s, "••••-2290")
	press(m, "v")
	assert.Contains(t, plain(m), "4417-2290")
	press(m, "v")

	press(m, "C")
	assert.Equal(t, []string{"4417-2290"}, copied)
	s = plain(m)
	assert.Contains(t, s, "copied PIN of voucher #1 (order 48213)")
	assert.NotContains(t, s, "4417-2290", "the message names what, never the value")
	press(m, "]", "c", "u")
	assert.Equal(t, []string{"4417-2290", "BX2M-77QD-PL0Z-1930", "https://claim.example.com/v/91c0"}, copied)
	press(m, "Q")
	assert.Contains(t, plain(m), "not an eSIM")

	press(m, "3")
	selectID(t, m, "9031")
	press(m, "Q", "i")
	assert.Equal(t, []string{uitest.LPA, "8944500102198304826"}, copied[3:])
}

func TestExportCSV(t *testing.T) {
	dir := t.TempDir()
	m, _ := newTestModel(t, 100, 30, func(o *Options) { o.ExportDir = dir })
	send(m, batchMsg(uitest.Demo()))
	press(m, "f") // problems only: the export follows the filter
	done := export(t, m)
	assert.Equal(t, filepath.Join(dir, "orderwatch-voucher-20260514-103000.csv"), done.path)
	send(m, done)
	assert.Contains(t, plain(m), "exported 3 orders to")

	recs := readCSV(t, done.path)
	require.Len(t, recs, 4)
	assert.NotContains(t, recs[0], "pins")
	var b strings.Builder
	rows := []engine.Tracked{uitest.Vouchers()[0]}
	require.NoError(t, writeCSV(&b, rows, false))
	assert.NotContains(t, b.String(), "4417-2290")
	assert.NotContains(t, b.String(), "AQ7K-29XF")
	b.Reset()
	require.NoError(t, writeCSV(&b, rows, true))
	assert.Contains(t, b.String(), "4417-2290")

	// A second export in the same second does not overwrite the first.
	collect(press(m, "w"), func(msg tea.Msg) {
		if d, ok := msg.(exportDoneMsg); ok {
			assert.Error(t, d.err)
		}
	})
}

// export presses w and returns the one export it writes, written without error.
func export(t *testing.T, m *Model) exportDoneMsg {
	t.Helper()
	var done []exportDoneMsg
	collect(press(m, "w"), func(msg tea.Msg) {
		if d, ok := msg.(exportDoneMsg); ok {
			done = append(done, d)
		}
	})
	require.Len(t, done, 1)
	require.NoError(t, done[0].err)
	return done[0]
}

func readCSV(t *testing.T, path string) [][]string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return recs
}

func TestCSVSafe(t *testing.T) {
	assert.Equal(t, "'=HYPERLINK(1)", csvSafe("=HYPERLINK(1)"))
	assert.Equal(t, "-12.5", csvSafe("-12.5"))
	assert.Equal(t, "plain", csvSafe("plain"))
}

func TestWindowTitleAndTabCounts(t *testing.T) {
	m, _ := newTestModel(t, 160, 48)
	assert.Equal(t, "orderwatch", m.View().WindowTitle)
	send(m, batchMsg(uitest.Demo()))
	v := m.View()
	assert.True(t, v.AltScreen)
	assert.Equal(t, "orderwatch — 5 pending, 2 failed", v.WindowTitle)
	assert.Contains(t, plain(m), "Vouchers (3 pending, 1 failed)")
	assert.Equal(t, tea.MouseModeNone, v.MouseMode, "mouse off by default")
}

func TestTooSmall(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{59, 15}, {60, 14}, {20, 5}, {0, 0}, {1, 1}} {
		m, _ := newTestModel(t, sz.w, sz.h)
		send(m, batchMsg(uitest.Demo()))
		s := plain(m)
		if sz.w*sz.h > 40 {
			assert.Contains(t, strings.ReplaceAll(s, "\n", ""), "too small", "%dx%d", sz.w, sz.h)
		}
		if sz.h > 0 {
			assert.Len(t, strings.Split(s, "\n"), sz.h)
		}
	}
}

func TestEverySizeKeepsTheFrame(t *testing.T) {
	for _, w := range []int{60, 61, 79, 80, 100, 119, 120, 121, 200} {
		for _, h := range []int{15, 16, 24, 48} {
			m, _ := newTestModel(t, w, h)
			send(m, batchMsg(uitest.Demo()))
			assertFrame(t, m.View().Content, w, h)
			press(m, "enter")
			assertFrame(t, m.View().Content, w, h)
			press(m, "3", "v", "J", "J")
			assertFrame(t, m.View().Content, w, h)
			press(m, "?")
			assertFrame(t, m.View().Content, w, h)
			press(m, "L")
			assertFrame(t, m.View().Content, w, h)
		}
	}
}

func TestBackgroundColorSwitchesStyles(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, func(o *Options) { o.NoColor = false })
	send(m, batchMsg(uitest.Demo()))
	dark := m.View().Content
	send(m, tea.BackgroundColorMsg{Color: color.White})
	assert.False(t, m.isDark)
	assert.NotEqual(t, dark, m.View().Content)
}

func TestNoColorHasNoColorSequences(t *testing.T) {
	m, _ := newTestModel(t, 160, 48)
	send(m, batchMsg(uitest.Demo()))
	press(m, "3", "enter", "v")
	s := m.View().Content
	// SGR color parameters: 30–37, 38;…, 40–47, 48;…, 90–97, 100–107.
	re := regexp.MustCompile(`\x1b\[[0-9;]*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m`)
	assert.Empty(t, re.FindAllString(s, 3))
}

func TestBadInputDoesNotPanicOrChangeState(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	send(m, batchMsg{
		engine.OrderUpdate{Tracked: engine.Tracked{Order: api.Order{Vertical: api.VerticalVoucher}}},         // no id
		engine.OrderUpdate{Tracked: engine.Tracked{Order: api.Order{Vertical: "bogus", ID: "1"}}},            // no tab
		engine.OrderUpdate{Tracked: engine.Tracked{Order: api.Order{Vertical: api.VerticalMobile, ID: "2"}}}, // provider not configured
		engine.ErrorUpdate{Err: "boom\x1b[2J\nsecond line"},
		nil,
	})
	assert.Empty(t, m.activeTab().table.rows)
	s := m.View().Content
	assert.NotContains(t, s, "\x1b[2J", "provider text cannot inject escapes")
	assertFrame(t, s, 80, 24)
	press(m, "j", "enter", "r", "p", "c", "w", "s", "1", "9")
	send(m, tea.WindowSizeMsg{Width: -5, Height: -1}, tea.PasteMsg{Content: "x"})
}

// Quiet news (list ages, the budget meter) waits for company; an order, a
// pause or an error goes at once and takes what waited with it.
func TestRelayHoldsQuietBatches(t *testing.T) {
	listed := engine.Batch{engine.ListUpdate{Vertical: api.VerticalVoucher, At: uitest.Epoch, Pending: -1},
		engine.BudgetUpdate{Provider: api.ProviderOctopus, PerMinute: 300, UsedLastMin: 7}}
	order := uitest.OrderUpdates(uitest.Vouchers()[:1], false)
	paused := engine.Batch{engine.BudgetUpdate{Provider: api.ProviderOctopus, PerMinute: 300,
		PausedUntil: map[api.EndpointClass]time.Time{"orders": uitest.Epoch.Add(time.Minute)}}}
	assert.True(t, quiet(listed))
	assert.False(t, quiet(order))
	assert.False(t, quiet(paused), "a pause is news")

	run := func(cmd tea.Cmd) <-chan tea.Msg {
		out := make(chan tea.Msg, 1)
		go func() { out <- cmd() }()
		return out
	}
	recv := func(c <-chan tea.Msg) tea.Msg {
		select {
		case msg := <-c:
			return msg
		case <-time.After(10 * time.Second):
			t.Fatal("the relay held news that is not quiet")
			return nil
		}
	}

	// An hour's hold: the order ends it, carrying both quiet batches.
	ch := make(chan engine.Batch, 4)
	ch <- listed
	ch <- listed
	ch <- order
	got := recv(run(waitForBatch(ch, time.Hour)))
	require.IsType(t, batchMsg{}, got)
	assert.Len(t, got.(batchMsg), 2*len(listed)+len(order))
	assert.Equal(t, order[0], got.(batchMsg)[len(got.(batchMsg))-1], "in the order sent")

	// A pause goes at once too.
	ch <- paused
	assert.Equal(t, batchMsg(paused), recv(run(waitForBatch(ch, time.Hour))))

	// Quiet alone: delivered when the hold ends, with what came meanwhile.
	ch <- listed
	ch <- listed
	got = recv(run(waitForBatch(ch, 20*time.Millisecond)))
	assert.Len(t, got.(batchMsg), 2*len(listed))

	// No hold: every batch at once.
	ch <- listed
	assert.Equal(t, batchMsg(listed), recv(run(waitForBatch(ch, 0))))

	// The end of the engine still reaches the model, after what waited.
	ch <- listed
	close(ch)
	got = recv(run(waitForBatch(ch, time.Hour)))
	assert.Equal(t, batchMsg(listed), got)
	assert.Equal(t, engineDoneMsg{}, recv(run(waitForBatch(ch, time.Hour))))
}
