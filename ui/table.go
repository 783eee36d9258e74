package ui

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

// highlightFor is how long a new or changed row stays highlighted.
const highlightFor = 3 * time.Second

type sortBy int

const (
	sortAge sortBy = iota
	sortStatus
	sortAmount
	sortProduct
	sortCount
)

func (s sortBy) String() string {
	return [...]string{"age", "status", "amount", "product"}[s]
}

// row is one order in a table, keyed by ID, with its rendered line cached.
type row struct {
	t         engine.Tracked
	ver       uint64
	changedAt time.Time
	haystack  string // lower-case text the filter searches
	in        bool   // currently in the sorted, filtered index
	moving    bool   // scratch flag while a batch is applied
	movingAll bool   // the same, for the unfiltered run

	cacheKey renderKey
	cache    string
}

type renderKey struct {
	ver       uint64
	layout    int
	times     string // the cells the clock changes: a row is redrawn when they do, not every second
	selected  bool
	highlight bool
	styles    int
}

func newHaystack(t *engine.Tracked) string {
	o := &t.Order
	// One field a line: a regexp's ^ and $ anchor to each field ((?m)), so
	// /^steam finds the products that start with Steam, not only IDs.
	return strings.ToLower(strings.Join([]string{
		o.ID, o.ClientReference, o.ProductName, o.ProductID, o.VariantName,
		o.StatusLabel(), o.RawStatus, o.FailureReason, o.FailureCode, o.Recipient, o.CountryCode, o.Currency,
		t.LastError,
	}, "\n"))
}

// filterSpec is the table's filter: text (regexp when it compiles), '!'
// inverts, and an independent problems-only switch.
type filterSpec struct {
	text     string
	invert   bool
	re       *regexp.Regexp
	need     []string // texts every match of re contains: checked first, cheaply
	sub      string
	problems bool
	badRegex bool
	reErr    string // why the text is not a regexp (then it is matched as text)
}

func parseFilter(text string, problems bool) filterSpec {
	f := filterSpec{text: text, problems: problems}
	q := text
	if strings.HasPrefix(q, "!") {
		f.invert = true
		q = q[1:]
	}
	if q == "" {
		return f
	}
	f.sub = strings.ToLower(q)
	if re, err := regexp.Compile("(?im)" + q); err == nil {
		// A plain word is faster as a substring search.
		if regexp.QuoteMeta(q) != q {
			f.re, f.need = re, requiredText(q)
		}
	} else {
		f.badRegex, f.reErr = true, err.Error()
		var se *syntax.Error
		if errors.As(err, &se) {
			f.reErr = string(se.Code)
		}
	}
	return f
}

// requiredText lists lower-case texts that every match of the (?i) pattern
// q contains, from the literals at its top level. Only ASCII runes whose case
// folds stay ASCII are kept ('s' folds to U+017F, which lower-cases to
// itself), so they are found in the lower-cased haystack.
func requiredText(q string) []string {
	re, err := syntax.Parse(q, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, s := range subs {
		if s.Op != syntax.OpLiteral {
			continue
		}
		for _, r := range s.Rune {
			if r >= utf8.RuneSelf || r == 's' || r == 'S' {
				flush()
				continue
			}
			b.WriteRune(unicode.ToLower(r))
		}
		flush()
	}
	return out
}

// narrows reports whether every row f matches is matched by old too.
func (f *filterSpec) narrows(old *filterSpec) bool {
	switch {
	case old.problems && !f.problems:
		return false
	case old.sub == "":
		return true
	case old.invert || f.invert || old.re != nil || f.re != nil:
		return false
	}
	return strings.Contains(f.sub, old.sub)
}

func (f *filterSpec) active() bool { return f.sub != "" || f.problems }

func isProblem(t *engine.Tracked) bool {
	return t.Order.Status.Problem() || t.LastError != ""
}

// matchesAll reports a filter every row passes, whatever its contents.
func (f *filterSpec) matchesAll() bool { return !f.problems && f.sub == "" }

func (f *filterSpec) match(r *row) bool {
	if f.problems && !isProblem(&r.t) {
		return false
	}
	if f.sub == "" {
		return true
	}
	var ok bool
	if f.re != nil {
		ok = true
		for _, n := range f.need {
			if !strings.Contains(r.haystack, n) {
				ok = false
				break
			}
		}
		ok = ok && f.re.MatchString(r.haystack)
	} else {
		ok = strings.Contains(r.haystack, f.sub)
	}
	return ok != f.invert
}

// orderTable is a live table keyed by order ID. The sorted, filtered index
// is kept incrementally, the cursor follows an ID, and only visible rows are
// rendered (each from a cache).
type orderTable struct {
	rows   map[string]*row
	all    []*row // every row, sorted: a widened filter only scans it
	index  []*row // the rows the filter keeps, in the same order
	sort   sortBy
	desc   bool
	filter filterSpec

	cursorID string
	cursor   int
	offset   int
	height   int // rows visible (header excluded)

	pending, failed, problems int
}

func newOrderTable() *orderTable {
	return &orderTable{rows: map[string]*row{}, desc: false}
}

// less is the total order of the index: the sort column, then the ID.
func (tb *orderTable) less(a, b *row) bool { return tb.compare(a, b) < 0 }

// compare orders by the sort column (reversed when desc), then by ID
// ascending either way.
func (tb *orderTable) compare(a, b *row) int {
	c := tb.cmp(a, b)
	if tb.desc {
		c = -c
	}
	if c == 0 {
		c = strings.Compare(a.t.Order.ID, b.t.Order.ID)
	}
	return c
}

func (tb *orderTable) cmp(a, b *row) int {
	oa, ob := &a.t.Order, &b.t.Order
	switch tb.sort {
	case sortStatus:
		return oa.Status.Rank() - ob.Status.Rank()
	case sortAmount:
		switch {
		case oa.Amount < ob.Amount:
			return -1
		case oa.Amount > ob.Amount:
			return 1
		}
		return strings.Compare(oa.Currency, ob.Currency)
	case sortProduct:
		return strings.Compare(productText(oa), productText(ob))
	}
	// Age ascending: newest first.
	return createdAt(&b.t).Compare(createdAt(&a.t))
}

// sortKeyEqual reports whether an update leaves the row's sort position alone.
func (tb *orderTable) sortKeyEqual(a, b *engine.Tracked) bool {
	oa, ob := &a.Order, &b.Order
	switch tb.sort {
	case sortStatus:
		return oa.Status == ob.Status
	case sortAmount:
		return oa.Amount == ob.Amount && oa.Currency == ob.Currency
	case sortProduct:
		return productText(oa) == productText(ob)
	}
	return createdAt(a).Equal(createdAt(b))
}

// unsettled reports an order the engine still expects to change. A status
// alone cannot say: a partial fill is final at OneClickDz but may still
// complete at Octopus, and the engine's phase knows which.
func unsettled(t *engine.Tracked) bool {
	return t.Order.Status.InFlight() && t.Phase != engine.PhaseDone
}

func countDelta(t *engine.Tracked) (pending, failed, problems int) {
	if unsettled(t) {
		pending = 1
	}
	if countsAsFailed(t.Order.Status) {
		failed = 1
	}
	if isProblem(t) {
		problems = 1
	}
	return
}

func (tb *orderTable) count(t *engine.Tracked, sign int) {
	p, f, pr := countDelta(t)
	tb.pending += sign * p
	tb.failed += sign * f
	tb.problems += sign * pr
}

// upsert applies one batch's snapshots. highlight marks rows as changed at now.
// Both sorted runs are repaired with one removal pass and one merge:
// O(n + k log k).
func (tb *orderTable) upsert(items []engine.Tracked, highlight []bool, now time.Time) {
	// Before anything changes, find where the rows of this batch sit (binary
	// search on their old keys), so removal needs no full scan.
	pos, posAll := make(map[*row]int), make(map[*row]int)
	all := tb.filter.matchesAll()
	for i := range items {
		r, ok := tb.rows[items[i].Order.ID]
		if !ok {
			continue
		}
		if all && tb.sortKeyEqual(&r.t, &items[i]) {
			continue // it stays where it is in both runs: no search
		}
		if _, seen := posAll[r]; !seen {
			posAll[r] = tb.find(tb.all, r)
			if r.in {
				pos[r] = tb.find(tb.index, r)
			}
		}
	}
	var moved, movedAll []*row
	removed := 0
	for i := range items {
		t := items[i]
		r, ok := tb.rows[t.Order.ID]
		if !ok {
			r = &row{t: t, movingAll: true}
			tb.rows[t.Order.ID] = r
			movedAll = append(movedAll, r)
			tb.count(&r.t, 1)
		} else {
			tb.count(&r.t, -1)
			sameKey := tb.sortKeyEqual(&r.t, &t)
			r.t = t
			tb.count(&r.t, 1)
			if !sameKey && !r.movingAll {
				r.movingAll = true
				movedAll = append(movedAll, r)
			}
			if r.in && !sameKey && !r.moving {
				r.moving = true
				removed++
				moved = append(moved, r)
			}
		}
		r.ver++
		r.haystack = newHaystack(&r.t)
		if highlight == nil || highlight[i] {
			r.changedAt = now
		}
		match := tb.filter.match(r)
		switch {
		case match && !r.in && !r.moving:
			r.moving = true
			moved = append(moved, r)
		case !match && r.in && !r.moving:
			r.moving = true
			removed++
			moved = append(moved, r)
		}
	}
	tb.all = tb.reinsert(tb.all, movedAll, posAll, func(r *row) *bool { return &r.movingAll })
	if len(moved) == 0 {
		return
	}
	if removed > 0 {
		var gone []int
		for _, r := range moved {
			if r.in {
				gone = append(gone, pos[r])
			}
		}
		tb.index = removeAt(tb.index, gone, func(r *row) bool { return r.moving })
	}
	ins := moved[:0]
	for _, r := range moved {
		r.moving = false
		r.in = tb.filter.match(r)
		if r.in {
			ins = append(ins, r)
		}
	}
	if len(ins) > 0 {
		slices.SortFunc(ins, tb.compare)
		tb.index = tb.merge(tb.index, ins)
	}
	tb.fixCursor()
}

// find is r's position in the sorted run a, by r's current key, or -1.
func (tb *orderTable) find(a []*row, r *row) int {
	p := sort.Search(len(a), func(x int) bool { return !tb.less(a[x], r) })
	if p < len(a) && a[p] == r {
		return p
	}
	return -1
}

// reinsert moves the flagged rows of the unfiltered run to their new
// places; rows without a position in pos are new.
func (tb *orderTable) reinsert(a, moved []*row, pos map[*row]int, flag func(*row) *bool) []*row {
	if len(moved) == 0 {
		return a
	}
	var gone []int
	for _, r := range moved {
		if p, ok := pos[r]; ok {
			gone = append(gone, p)
		}
	}
	if len(gone) > 0 {
		a = removeAt(a, gone, func(r *row) bool { return *flag(r) })
	}
	for _, r := range moved {
		*flag(r) = false
	}
	slices.SortFunc(moved, tb.compare)
	return tb.merge(a, moved)
}

// remove drops orders the engine no longer tracks (finished ones evicted by
// its per-vertical bound), so the table stays as bounded as the engine.
func (tb *orderTable) remove(ids []string) {
	var gone, goneAll []int
	for _, id := range ids {
		r, ok := tb.rows[id]
		if !ok || r.moving {
			continue
		}
		r.moving = true // marks it for removeAt's fallback scan
		if r.in {
			gone = append(gone, tb.find(tb.index, r))
		}
		goneAll = append(goneAll, tb.find(tb.all, r))
		tb.count(&r.t, -1)
		delete(tb.rows, id)
	}
	isGone := func(r *row) bool { return r.moving }
	if len(goneAll) > 0 {
		tb.all = removeAt(tb.all, goneAll, isGone)
	}
	if len(gone) > 0 {
		tb.index = removeAt(tb.index, gone, isGone)
	}
	tb.fixCursor()
}

// removeAt drops the given positions, moving the kept runs as blocks. A
// position of -1 (not found) falls back to a scan for the rows gone says.
func removeAt(a []*row, at []int, gone func(*row) bool) []*row {
	if slices.Contains(at, -1) {
		keep := a[:0]
		for _, r := range a {
			if !gone(r) {
				keep = append(keep, r)
			}
		}
		clear(a[len(keep):])
		return keep
	}
	slices.Sort(at)
	w := at[0]
	for i, p := range at {
		next := len(a)
		if i+1 < len(at) {
			next = at[i+1]
		}
		w += copy(a[w:], a[p+1:next])
	}
	clear(a[w:])
	return a[:w]
}

// merge merges two sorted runs. Few insertions go in place by binary search.
func (tb *orderTable) merge(a, b []*row) []*row {
	// Merge from the back, in place: each insertion finds its place by
	// binary search and the rows after it move as one block, so a batch costs
	// k·log n comparisons plus one memmove, not n comparisons.
	na, nb := len(a), len(b)
	a = slices.Grow(a, nb)[:na+nb]
	i, k := na-1, na+nb-1
	for j := nb - 1; j >= 0; j-- {
		p := sort.Search(i+1, func(x int) bool { return tb.less(b[j], a[x]) })
		n := i + 1 - p
		copy(a[k-n+1:k+1], a[p:i+1])
		k -= n
		a[k] = b[j]
		k--
		i = p - 1
	}
	return a
}

// rebuild re-sorts every row and re-filters: only on a user's sort change.
func (tb *orderTable) rebuild() {
	tb.all = tb.all[:0]
	for _, r := range tb.rows {
		tb.all = append(tb.all, r)
	}
	slices.SortFunc(tb.all, tb.compare)
	tb.refilter()
}

// refilter derives the index from the sorted run: one scan, no sort.
func (tb *orderTable) refilter() {
	matchAll(tb.all, &tb.filter)
	tb.index = tb.index[:0]
	for _, r := range tb.all {
		if r.in {
			tb.index = append(tb.index, r)
		}
	}
	tb.fixCursor()
}

// parallelFrom is the number of rows past which a filter scan is split over
// the cores: a keystroke at 100,000 orders must fit a fifth of a frame.
const parallelFrom = 8192

// matchAll sets r.in for every row, in parallel chunks when there are many.
func matchAll(rows []*row, f *filterSpec) {
	n := runtime.GOMAXPROCS(0)
	if len(rows) < parallelFrom || n < 2 {
		for _, r := range rows {
			r.in = f.match(r)
		}
		return
	}
	var wg sync.WaitGroup
	size := (len(rows) + n - 1) / n
	for chunk := range slices.Chunk(rows, size) {
		wg.Go(func() {
			for _, r := range chunk {
				r.in = f.match(r) // each row is one goroutine's
			}
		})
	}
	wg.Wait()
}

// setFilter applies f. Typing usually narrows the filter, and then the
// sorted index only needs thinning, not rebuilding.
func (tb *orderTable) setFilter(f filterSpec) {
	old := tb.filter
	tb.filter = f
	if !f.narrows(&old) {
		tb.refilter()
		return
	}
	matchAll(tb.index, &tb.filter)
	keep := tb.index[:0]
	for _, r := range tb.index {
		if r.in {
			keep = append(keep, r)
		}
	}
	clear(tb.index[len(keep):])
	tb.index = keep
	tb.fixCursor()
}

func (tb *orderTable) setSort(s sortBy, desc bool) {
	tb.sort, tb.desc = s, desc
	tb.rebuild()
}

// fixCursor finds the cursor's order again after the index changed; if it
// left the view the cursor stays at the same place on the screen.
func (tb *orderTable) fixCursor() {
	if len(tb.index) == 0 {
		tb.cursor, tb.offset = 0, 0
		return
	}
	if r, ok := tb.rows[tb.cursorID]; ok && r.in {
		tb.cursor = sort.Search(len(tb.index), func(i int) bool { return !tb.less(tb.index[i], r) })
	} else {
		tb.cursor = min(max(tb.cursor, 0), len(tb.index)-1)
	}
	tb.cursorID = tb.index[tb.cursor].t.Order.ID
	tb.scroll()
}

func (tb *orderTable) scroll() {
	h := max(tb.height, 1)
	if tb.cursor < tb.offset {
		tb.offset = tb.cursor
	}
	if tb.cursor >= tb.offset+h {
		tb.offset = tb.cursor - h + 1
	}
	tb.offset = min(tb.offset, max(len(tb.index)-h, 0))
	tb.offset = max(tb.offset, 0)
}

// move shifts the cursor by n rows and reports whether the selection changed.
func (tb *orderTable) move(n int) bool {
	if len(tb.index) == 0 {
		return false
	}
	c := min(max(tb.cursor+n, 0), len(tb.index)-1)
	prev := tb.cursorID
	tb.cursor = c
	tb.cursorID = tb.index[c].t.Order.ID
	tb.scroll()
	return prev != tb.cursorID
}

func (tb *orderTable) selected() *row {
	if len(tb.index) == 0 || tb.cursor >= len(tb.index) {
		return nil
	}
	return tb.index[tb.cursor]
}

func (tb *orderTable) setHeight(h int) {
	tb.height = clamp0(h)
	tb.scroll()
}

// visible returns the rows on screen.
func (tb *orderTable) visible() []*row {
	end := min(tb.offset+tb.height, len(tb.index))
	if tb.offset >= end {
		return nil
	}
	return tb.index[tb.offset:end]
}

func keyOf(v api.Vertical, id string) api.OrderKey { return api.OrderKey{Vertical: v, ID: id} }

// countsAsFailed is what a tab's "failed" counts: orders that did not go
// through (failed, refunded), not the ones someone called off (cancelled).
func countsAsFailed(s api.Status) bool { return s.Failure() && s != api.StatusCancelled }
