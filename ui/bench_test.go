package ui

import (
	"fmt"
	"testing"
	"time"

	"charm.land/bubbles/v2/table"
	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

var benchSizes = []int{100, 10_000, 100_000}

// benchModel is a 160x48 dashboard with n orders on the active tab. The clock
// moves one second per call, so every frame re-renders the visible rows
// (their ages change): the honest worst case, not a cache hit.
func benchModel(b *testing.B, n int) (*Model, []engine.Tracked) {
	b.Helper()
	clk := uitest.Epoch
	m := New(Options{Now: func() time.Time { return clk }, NoColor: false})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	items := uitest.Many(n)
	m.byVert[api.VerticalVoucher].table.upsert(items, make([]bool, n), clk)
	m.loaded = true
	m.opts.Now = func() time.Time { clk = clk.Add(time.Second); return clk }
	return m, items
}

// BenchmarkFrame is one View() of the root model with every visible row
// drawn again (the worst case: each row's age changed since the last frame).
func BenchmarkFrame(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			m, _ := benchModel(b, n)
			m.View()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m.gen++ // no row's cached line is reused
				_ = m.View()
			}
		})
	}
}

// BenchmarkBubblesTable is the reference: the bubbles v2 table given the same
// rows (SetRows then View).
func BenchmarkBubblesTable(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			items := uitest.Many(n)
			now := uitest.Epoch
			rows := make([]table.Row, n)
			for i := range items {
				t := &items[i]
				rows[i] = table.Row{t.Order.ID, t.Order.ClientReference, productText(&t.Order), amountText(&t.Order),
					qtyText(&t.Order), t.Order.StatusLabel(), ago(now, createdAt(t)), ago(now, t.LastChecked),
					nextCheck(now, t), reasonText(t)}
			}
			var cols []table.Column
			for _, c := range columns {
				cols = append(cols, table.Column{Title: c.title, Width: c.width + 4})
			}
			tb := table.New(table.WithColumns(cols), table.WithWidth(160), table.WithHeight(44), table.WithFocused(true))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				tb.SetRows(rows)
				_ = tb.View()
			}
		})
	}
}

// BenchmarkApplyBatch applies a batch of 1,000 status changes under the
// status sort, so rows really move.
func BenchmarkApplyBatch(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			m, items := benchModel(b, n)
			m.activeTab().table.setSort(sortStatus, false)
			batches := [2]engine.Batch{}
			for k := range batches {
				for i := range 1000 {
					t := items[(i*7919)%n]
					t.Order.Status = api.AllStatuses[(i+k)%len(api.AllStatuses)]
					e := &engine.Event{Changed: true, To: t.Order.Status}
					batches[k] = append(batches[k], engine.OrderUpdate{Tracked: t, Event: e})
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				m.applyBatch(batches[i%2])
				i++
			}
		})
	}
}

// BenchmarkRebuild is what applying a batch would cost with a full re-sort.
func BenchmarkRebuild(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			m, _ := benchModel(b, n)
			tb := m.activeTab().table
			tb.sort = sortStatus
			b.ResetTimer()
			for b.Loop() {
				tb.rebuild()
			}
		})
	}
}

// BenchmarkFilterKeystroke is one key typed into the filter with the tab's
// orders behind it: "type" narrows ("product" to "product 1"), "delete"
// widens it back, "regexp" types the key that makes "prod.ct" "prod.ct 1".
func BenchmarkFilterKeystroke(b *testing.B) {
	for _, n := range benchSizes {
		for _, dir := range []string{"type", "delete", "regexp"} {
			b.Run(fmt.Sprintf("orders=%d/%s", n, dir), func(b *testing.B) {
				m, _ := benchModel(b, n)
				tb := m.activeTab().table
				wide, narrow := parseFilter("product", false), parseFilter("product 1", false)
				from, to := wide, narrow
				switch dir {
				case "delete":
					from, to = narrow, wide
				case "regexp":
					from, to = parseFilter("prod.ct", false), parseFilter("prod.ct 1", false)
				}
				for b.Loop() {
					b.StopTimer()
					tb.setFilter(from)
					b.StartTimer()
					tb.setFilter(to)
				}
			})
		}
	}
}
