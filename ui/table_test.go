package ui

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/theme"
	"github.com/orderwatch/orderwatch/ui/uitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func indexIDs(tb *orderTable) []string { return rowIDs(tb.index) }

func rowIDs(rs []*row) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.t.Order.ID
	}
	return out
}

// The incremental repair must give exactly what a full rebuild gives, for
// every sort, direction and filter, across random batches.
func TestIncrementalIndexMatchesRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	statuses := api.AllStatuses
	for _, s := range []sortBy{sortAge, sortStatus, sortAmount, sortProduct} {
		for _, desc := range []bool{false, true} {
			for _, filter := range []filterSpec{{}, parseFilter("product 1", false), parseFilter("!^v00000[0-4]", true)} {
				t.Run(fmt.Sprintf("%s_%v_%q", s, desc, filter.text), func(t *testing.T) {
					tb := newOrderTable()
					tb.sort, tb.desc, tb.filter = s, desc, filter
					tb.setHeight(10)
					base := uitest.Many(300)
					for round := 0; round < 30; round++ {
						n := 1 + rng.IntN(40)
						if round%7 == 0 {
							n = 120 // a big batch takes the merge path
						}
						var items []engine.Tracked
						for range n {
							tr := base[rng.IntN(len(base))]
							if rng.IntN(3) == 0 {
								tr.Order.Status = statuses[rng.IntN(len(statuses))]
							}
							if rng.IntN(4) == 0 {
								tr.Order.Amount = float64(rng.IntN(50))
							}
							if rng.IntN(5) == 0 {
								tr.Order.ProductName = fmt.Sprintf("Product %d", rng.IntN(20))
							}
							if rng.IntN(6) == 0 { // the age sort's key
								tr.Order.CreatedAt = uitest.Epoch.Add(-time.Duration(rng.IntN(3600)) * time.Second)
							}
							if rng.IntN(6) == 0 { // problems-only membership
								tr.LastError = []string{"", "HTTP 500"}[rng.IntN(2)]
							}
							base[indexOf(base, tr.Order.ID)] = tr
							items = append(items, tr)
						}
						tb.upsert(items, nil, uitest.Epoch)
						if round%5 == 4 { // evictions
							var gone []string
							for range 1 + rng.IntN(10) {
								gone = append(gone, base[rng.IntN(len(base))].Order.ID)
							}
							tb.remove(gone)
						}
						if round%3 == 2 { // widen to everything and back: the index comes from the unfiltered run
							tb.setFilter(filterSpec{})
							require.Len(t, tb.index, len(tb.rows))
							tb.setFilter(filter)
						}
						got := indexIDs(tb)
						ref := newOrderTable()
						ref.sort, ref.desc, ref.filter = s, desc, filter
						for _, r := range tb.rows {
							ref.rows[r.t.Order.ID] = &row{t: r.t, haystack: newHaystack(&r.t)}
						}
						ref.rebuild()
						require.Equal(t, indexIDs(ref), got, "round %d", round)
						require.Equal(t, rowIDs(ref.all), rowIDs(tb.all), "round %d: the unfiltered run", round)
						for _, r := range tb.all {
							require.False(t, r.moving || r.movingAll, "scratch flags cleared")
							require.Equal(t, tb.filter.match(r), r.in)
						}
						if len(tb.index) > 0 {
							require.Equal(t, tb.cursorID, tb.index[tb.cursor].t.Order.ID)
						}
						p, f := 0, 0
						for _, r := range tb.rows {
							if r.t.Order.Status.InFlight() {
								p++
							}
							if countsAsFailed(r.t.Order.Status) {
								f++
							}
						}
						require.Equal(t, p, tb.pending)
						require.Equal(t, f, tb.failed)
					}
				})
			}
		}
	}
}

func indexOf(ts []engine.Tracked, id string) int {
	for i := range ts {
		if ts[i].Order.ID == id {
			return i
		}
	}
	return -1
}

func TestOnlyVisibleRowsAreRendered(t *testing.T) {
	m, _ := newTestModel(t, 100, 30)
	items := uitest.Many(2000)
	m.byVert[api.VerticalVoucher].table.upsert(items, nil, uitest.Epoch)
	m.loaded = true
	m.View()
	rendered := 0
	for _, r := range m.activeTab().table.rows {
		if r.cache != "" {
			rendered++
		}
	}
	assert.Equal(t, m.activeTab().table.height, rendered)
}

func TestShortDurAndFormat(t *testing.T) {
	assert.Equal(t, "0s", shortDur(0))
	assert.Equal(t, "59s", shortDur(59*time.Second))
	assert.Equal(t, "2m", shortDur(2*time.Minute+5*time.Second))
	assert.Equal(t, "47h", shortDur(47*time.Hour))
	assert.Equal(t, "3d", shortDur(72*time.Hour))
	assert.Equal(t, "1,234,567", formatInt(1234567))
	assert.Equal(t, "-1,000", formatInt(-1000))
	assert.Equal(t, "ab…", fit("abcdef", 3))
	assert.Equal(t, "ab ", fit("ab", 3))
	assert.Equal(t, "", fit("ab", -1))
	assert.Equal(t, "a b", theme.Clean("a\nb"))
}

// A filter change (typing, deleting, inverting, problems only) keeps the
// index exactly what a full rebuild gives, for every sort.
func TestFilterChangesMatchRebuild(t *testing.T) {
	for _, c := range []struct {
		n     int
		sorts []sortBy
	}{
		{300, []sortBy{sortAge, sortStatus, sortAmount, sortProduct}},
		{2*parallelFrom + 7, []sortBy{sortProduct}}, // scanned in parallel chunks
	} {
		filterStepsMatchRebuild(t, c.n, c.sorts)
	}
}

func filterStepsMatchRebuild(t *testing.T, n int, sorts []sortBy) {
	for _, s := range sorts {
		for _, desc := range []bool{false, true} {
			tb := newOrderTable()
			tb.sort, tb.desc = s, desc
			tb.setHeight(10)
			tb.upsert(uitest.Many(n), nil, uitest.Epoch)
			steps := []filterSpec{parseFilter("p", false), parseFilter("pr", false), parseFilter("product 1", false),
				parseFilter("product 1", true), parseFilter("!product 1", true), parseFilter("!product 1", false),
				parseFilter("v0000[0-4]", false), parseFilter("", true), parseFilter("", false)}
			for i, f := range steps {
				tb.setFilter(f)
				ref := newOrderTable()
				ref.sort, ref.desc, ref.filter = s, desc, f
				for _, r := range tb.rows {
					ref.rows[r.t.Order.ID] = &row{t: r.t, haystack: newHaystack(&r.t)}
				}
				ref.rebuild()
				require.Equal(t, indexIDs(ref), indexIDs(tb), "%d orders %s desc=%v step %d %q", n, s, desc, i, f.text)
				for _, r := range tb.rows {
					require.Equal(t, f.match(r), r.in, "in flag of %s", r.t.Order.ID)
				}
			}
		}
	}
}

func TestRequiredText(t *testing.T) {
	for q, want := range map[string][]string{
		"prod.ct 1":      {"prod", "ct 1"},
		"Netflix|Amazon": nil,
		"^V0000[0-4]":    {"v0000"},
		"stat.s":         {"tat"}, // 's' may be U+017F in the text
		`\d+USD`:         {"u", "d"},
		"(":              nil,
	} {
		assert.Equal(t, want, requiredText(q), q)
	}
}

// The prefilter never changes what a regular expression matches.
func FuzzRequiredText(f *testing.F) {
	for _, s := range [][2]string{{"prod.ct 1", "Product 12"}, {"stat.s", "ſtatus"}, {"k.", "\u212aX"}, {"^v0+[0-4]", "v00003"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, q, text string) {
		re, err := regexp.Compile("(?i)" + q)
		if err != nil || regexp.QuoteMeta(q) == q {
			return
		}
		r := &row{haystack: strings.ToLower(text)}
		spec := parseFilter(q, false)
		require.Equal(t, re.MatchString(r.haystack), spec.match(r), "pattern %q on %q (needs %q)", q, text, spec.need)
	})
}
