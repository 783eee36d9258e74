package ui

import (
	"math/rand/v2"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/keymap"
	"github.com/orderwatch/orderwatch/ui/theme"
	"github.com/orderwatch/orderwatch/ui/uitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An order the engine evicts (Removed) leaves the table and its counts: the
// UI is bounded like the engine, and a stale failure stops counting.
func TestRemovedOrderLeavesTableAndCounts(t *testing.T) {
	m, _ := newTestModel(t, 100, 30)
	send(m, batchMsg(uitest.Demo()))
	tb := m.activeTab().table
	require.Contains(t, tb.rows, "48207")
	failedBefore := tb.failed
	selectID(t, m, "48207")

	var gone engine.Tracked
	for _, tr := range uitest.Vouchers() {
		if tr.Order.ID == "48207" {
			gone = tr
		}
	}
	send(m, batchMsg{engine.OrderUpdate{Tracked: gone, Removed: true}})

	assert.NotContains(t, tb.rows, "48207")
	assert.NotContains(t, ids(m), "48207")
	assert.Equal(t, failedBefore-1, tb.failed)
	require.NotNil(t, tb.selected(), "the cursor lands on a remaining order")
	assert.NotEqual(t, "48207", tb.selected().t.Order.ID)
	assert.NotContains(t, plain(m), "48207")
	// Filtered out and then removed: gone too, and nothing else lost.
	m.setFilter("amazon", false)
	for _, tr := range uitest.Vouchers() {
		if tr.Order.ID == "48220" {
			send(m, batchMsg{engine.OrderUpdate{Tracked: tr, Removed: true}})
		}
	}
	assert.NotContains(t, tb.rows, "48220")
	m.setFilter("", false)
	assert.ElementsMatch(t, []string{"48213", "48219", "48199"}, ids(m))
}

// Removals mixed with updates keep the index equal to a full rebuild.
func TestRemoveMatchesRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, filter := range []filterSpec{{}, parseFilter("product 1", false)} {
		tb := newOrderTable()
		tb.sort, tb.filter = sortStatus, filter
		tb.setHeight(10)
		base := uitest.Many(200)
		tb.upsert(base, nil, uitest.Epoch)
		for round := 0; round < 20; round++ {
			var drop []string
			for range 1 + rng.IntN(8) {
				drop = append(drop, base[rng.IntN(len(base))].Order.ID)
			}
			tb.remove(drop)
			re := base[rng.IntN(len(base))] // a removed order may come back
			re.Order.Status = api.AllStatuses[rng.IntN(len(api.AllStatuses))]
			tb.upsert([]engine.Tracked{re}, nil, uitest.Epoch)

			ref := newOrderTable()
			ref.sort, ref.filter = tb.sort, tb.filter
			for _, r := range tb.rows {
				ref.rows[r.t.Order.ID] = &row{t: r.t, haystack: newHaystack(&r.t)}
			}
			ref.rebuild()
			require.Equal(t, indexIDs(ref), indexIDs(tb), "round %d", round)
			p, f := 0, 0
			for _, r := range tb.rows {
				dp, df, _ := countDelta(&r.t)
				p, f = p+dp, f+df
			}
			require.Equal(t, p, tb.pending)
			require.Equal(t, f, tb.failed)
			for _, id := range drop {
				if id != re.Order.ID {
					require.NotContains(t, tb.rows, id)
				}
			}
		}
	}
}

// A claim URL redeems a voucher: masked in the detail pane until revealed,
// like the card number and PIN (and like the CSV export).
func TestClaimURLMaskedUntilRevealed(t *testing.T) {
	m, _ := newTestModel(t, 160, 48)
	send(m, batchMsg(uitest.Demo()))
	selectID(t, m, "48213")
	press(m, "enter")
	s := plain(m)
	assert.NotContains(t, s, "claim.example.com/v/8f2a")
	assert.Contains(t, s, "https://claim.example.com/")
	press(m, "v")
	assert.Contains(t, plain(m), "https://claim.example.com/v/8f2a")
}

// What the journal learns about an order placed here (reconciled at start)
// reaches the user: the event log, and a toast for a verdict.
func TestJournalVerdictIsShown(t *testing.T) {
	m, _ := newTestModel(t, 160, 48)
	send(m, batchMsg(uitest.Demo()))
	send(m, batchMsg{engine.JournalUpdate{Vertical: api.VerticalVoucher, ClientReference: "ow-lost-1",
		State: engine.IntentAbsent, At: uitest.Epoch, Note: "never placed: no order has this reference"}})
	assert.Contains(t, plain(m), "ref:ow-lost-1 never placed")
	send(m, batchMsg{engine.JournalUpdate{Vertical: api.VerticalTopup, ClientReference: "ow-lost-2",
		State: engine.IntentPending, At: uitest.Epoch, Note: "lookup failed, retrying later"}})
	press(m, "L")
	s := plain(m)
	assert.Contains(t, s, "intent → never placed")
	assert.Contains(t, s, "ow-lost-1")
	assert.Contains(t, s, "intent → outcome unknown")
	assert.Contains(t, s, "lookup failed, retrying later")
}

// A configuration that yields no tab draws a message, never panics.
func TestNoTabsDoesNotPanic(t *testing.T) {
	m := New(Options{Providers: []ProviderTabs{{Provider: api.ProviderOctopus, Verticals: []api.Vertical{"bogus"}}}})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	require.NotPanics(t, func() {
		for _, k := range []string{"enter", "/", "f", "s", "w", "n", "r", "tab", "1", "D", "esc", "?", "esc", "L"} {
			press(m, k)
			_ = m.View()
		}
	})
	press(m, "esc")
	assert.Contains(t, plain(m), "No tabs")
	assertFrame(t, m.View().Content, 80, 24)
}

// Provider text (an unknown raw status, an id) reaches neither the detail
// title nor the event log as an escape sequence; C1 controls included.
func TestProviderTextWithoutControlsInDetailAndLog(t *testing.T) {
	m, _ := newTestModel(t, 160, 48)
	tr := uitest.Vouchers()[0]
	tr.Order.ID = "777\x1b]0;pwned\x07"
	tr.Order.Status, tr.Order.RawStatus = api.StatusUnknown, "RECH\u009b2JARGED\x1b[31m"
	tr.History = []engine.Event{{At: uitest.Epoch, Source: engine.SourcePoll, To: api.StatusUnknown, RawTo: tr.Order.RawStatus, Changed: true}}
	send(m, batchMsg(uitest.OrderUpdates([]engine.Tracked{tr}, true)))
	press(m, "enter")
	for _, s := range []string{m.View().Content, func() string { press(m, "L"); return m.View().Content }()} {
		assert.NotContains(t, s, "\x1b]0;")
		assert.NotContains(t, s, "\x07")
		assert.NotContains(t, s, "\u009b")
		assert.NotContains(t, s, "\x1b[31m")
	}
	assert.Equal(t, "a b c", theme.Clean("a\u0085b\u009fc"))
}

// goto_tab overridden with keys that are not digits still goes to the n-th
// tab for its n-th key.
func TestGotoTabOverride(t *testing.T) {
	km := keymap.DefaultKeyMap()
	require.NoError(t, km.Apply(map[string][]string{"goto_tab": {"f1", "f2", "f3"}}))
	m, _ := newTestModel(t, 100, 30, func(o *Options) { o.KeyMap = &km })
	send(m, tea.KeyPressMsg{Code: tea.KeyF3})
	assert.Equal(t, 2, m.active)
	send(m, tea.KeyPressMsg{Code: tea.KeyF1})
	assert.Equal(t, 0, m.active)
	press(m, "2") // no longer bound
	assert.Equal(t, 0, m.active)
}

// A reveal is for the order it was asked on: moving the selection masks the
// next order's codes again; a live re-sort that keeps the order does not.
func TestRevealEndsWhenTheSelectionMoves(t *testing.T) {
	m, _ := newTestModel(t, 160, 48)
	send(m, batchMsg(uitest.Demo()))
	selectID(t, m, "48213")
	press(m, "enter")
	press(m, "v")
	require.Contains(t, plain(m), "https://claim.example.com/v/8f2a")
	send(m, batchMsg(uitest.Demo())) // the same orders again: the selection stays
	assert.Contains(t, plain(m), "https://claim.example.com/v/8f2a")
	press(m, "j")
	press(m, "k")
	assert.NotContains(t, plain(m), "https://claim.example.com/v/8f2a", "back on the order, masked again")
}

// Closing the detail pane masks codes again, and an export made while
// codes are revealed says so.
func TestRevealEndsWithTheDetailPane(t *testing.T) {
	dir := t.TempDir()
	m, _ := newTestModel(t, 160, 48, func(o *Options) { o.ExportDir = dir })
	send(m, batchMsg(uitest.Demo()))
	selectID(t, m, "48213")
	press(m, "enter")
	press(m, "v")
	require.Contains(t, plain(m), "codes revealed")
	done := export(t, m)
	assert.True(t, done.revealed)
	send(m, done)
	assert.Contains(t, plain(m), "WITH CODES AND PINS")

	press(m, "esc")
	assert.NotContains(t, plain(m), "codes revealed")
	press(m, "enter")
	assert.NotContains(t, plain(m), "https://claim.example.com/v/8f2a", "reopened: masked")
}

// Within one batch the last word on an order wins: evicted then tracked
// again stays, tracked then evicted goes.
func TestBatchEvictThenRetrackKeepsTheOrder(t *testing.T) {
	m, _ := newTestModel(t, 120, 30)
	send(m, batchMsg(uitest.Demo()))
	tb := m.activeTab().table
	var a, b engine.Tracked
	for _, tr := range uitest.Vouchers() {
		switch tr.Order.ID {
		case "48207":
			a = tr
		case "48213":
			b = tr
		}
	}
	send(m, batchMsg{
		engine.OrderUpdate{Tracked: a, Removed: true}, engine.OrderUpdate{Tracked: a},
		engine.OrderUpdate{Tracked: b}, engine.OrderUpdate{Tracked: b, Removed: true},
	})
	assert.Contains(t, tb.rows, "48207", "evicted, then tracked again")
	assert.NotContains(t, tb.rows, "48213", "updated, then evicted")
}
