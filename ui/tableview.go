package ui

import (
	"strings"
	"sync/atomic"

	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/theme"
)

type colID int

const (
	colOrderID colID = iota
	colRef
	colProduct
	colAmount
	colQty
	colStatus
	colAge
	colChecked
	colNext
	colReason
	numCols
)

type column struct {
	title string
	width int
	right bool
	flex  bool
}

var columns = [numCols]column{
	colOrderID: {title: "ID", width: 8},
	colRef:     {title: "REFERENCE", width: 14},
	colProduct: {title: "PRODUCT", width: 14, flex: true},
	colAmount:  {title: "AMOUNT", width: 11, right: true},
	colQty:     {title: "QTY", width: 5, right: true},
	colStatus:  {title: "STATUS", width: 10},
	colAge:     {title: "AGE", width: 4, right: true},
	colChecked: {title: "CHECKED", width: 7, right: true},
	colNext:    {title: "NEXT", width: 7, right: true},
	colReason:  {title: "REASON", width: 16, flex: true},
}

// priority decides which columns survive on narrow terminals.
var priority = []colID{colOrderID, colStatus, colProduct, colAmount, colAge, colQty, colNext, colRef, colChecked, colReason}

// layout is the set of columns and their widths for one table width.
type layout struct {
	width int
	cols  []colID
	w     [numCols]int
	id    int // changes whenever the layout changes, for the render cache
}

// layoutSeq is shared by every model in the process (orderwatch serve runs
// one per SSH session), hence atomic.
var layoutSeq atomic.Int64

func newLayout(width int) layout {
	l := layout{width: width}
	used := 0
	var on [numCols]bool
	for _, c := range priority {
		need := columns[c].width
		if used > 0 {
			need++
		}
		if used+need > width {
			continue
		}
		on[c] = true
		used += need
	}
	for c := colID(0); c < numCols; c++ {
		if on[c] {
			l.cols = append(l.cols, c)
			l.w[c] = columns[c].width
		}
	}
	// Give what is left to the flexible columns, reason first when shown.
	extra := clamp0(width - used)
	var flex []colID
	for _, c := range l.cols {
		if columns[c].flex {
			flex = append(flex, c)
		}
	}
	if len(flex) > 0 && extra > 0 {
		each := extra / len(flex)
		for i, c := range flex {
			add := each
			if i == len(flex)-1 {
				add = extra - each*(len(flex)-1)
			}
			l.w[c] += add
		}
	}
	if len(l.cols) == 0 && width > 0 {
		l.cols = []colID{colOrderID}
		l.w[colOrderID] = width
	}
	l.id = int(layoutSeq.Add(1))
	return l
}

func (l *layout) header(st *Styles) string {
	var b strings.Builder
	for i, c := range l.cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		if columns[c].right {
			b.WriteString(fitRight(columns[c].title, l.w[c]))
		} else {
			b.WriteString(fit(columns[c].title, l.w[c]))
		}
	}
	return st.Header.Render(fit(b.String(), l.width))
}

func cellText(c colID, now time.Time, t *engine.Tracked) string {
	o := &t.Order
	switch c {
	case colOrderID:
		return o.ID
	case colRef:
		return o.ClientReference
	case colProduct:
		return productText(o)
	case colAmount:
		return amountText(o)
	case colQty:
		return qtyText(o)
	case colStatus:
		return o.StatusLabel()
	case colAge:
		return ago(now, createdAt(t))
	case colChecked:
		return ago(now, t.LastChecked)
	case colNext:
		return nextCheck(now, t)
	case colReason:
		return reasonText(t)
	}
	return ""
}

// timeCells is what the clock alone changes in a row (age, checked, next).
func timeCells(now time.Time, t *engine.Tracked) string {
	return cellText(colAge, now, t) + "|" + cellText(colChecked, now, t) + "|" + cellText(colNext, now, t)
}

// renderRow draws one row: plain cells, the status cell in its status color,
// reverse video when selected, a highlight when new or changed.
func renderRow(l *layout, st *Styles, now time.Time, r *row, selected, highlight bool) string {
	var pre, post strings.Builder
	status := ""
	cur := &pre
	for i, c := range l.cols {
		if i > 0 {
			cur.WriteByte(' ')
		}
		text := theme.Clean(cellText(c, now, &r.t))
		if columns[c].right {
			text = fitRight(text, l.w[c])
		} else {
			text = fit(text, l.w[c])
		}
		if c == colStatus {
			status = text
			cur = &post
			continue
		}
		cur.WriteString(text)
	}
	line := pre.String() + status + post.String()
	if selected {
		return st.Selected.Render(fit(line, l.width))
	}
	tail := strings.Repeat(" ", clamp0(l.width-ansi.StringWidth(line)))
	base := st.Message
	if highlight {
		base = st.Highlight
	}
	out := base.Render(pre.String())
	if status != "" {
		out += st.StatusStyle(r.t.Order.Status).Inherit(base).Render(status)
	}
	return out + base.Render(post.String()+tail)
}
