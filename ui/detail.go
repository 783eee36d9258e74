package ui

import (
	"cmp"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/qrterm"
	"github.com/orderwatch/orderwatch/ui/theme"
)

// detailPane shows everything known about one order. Its content is a pure
// function of the order, the clock and the reveal switch; the pane only
// scrolls it.
type detailPane struct {
	width, height int
	offset        int
	voucher       int // selected voucher for copying
	lines         []string
}

func (d *detailPane) SetSize(w, h int) {
	d.width, d.height = clamp0(w), clamp0(h)
}

func (d *detailPane) scroll(n int) {
	d.offset = min(max(d.offset+n, 0), clamp0(len(d.lines)-d.height))
}

// View returns exactly height lines of width cells.
func (d *detailPane) View() string {
	d.offset = min(d.offset, clamp0(len(d.lines)-d.height))
	out := make([]string, 0, d.height)
	for i := d.offset; i < len(d.lines) && len(out) < d.height; i++ {
		out = append(out, fit(d.lines[i], d.width))
	}
	for len(out) < d.height {
		out = append(out, strings.Repeat(" ", d.width))
	}
	return strings.Join(out, "\n")
}

type detailCtx struct {
	st       *Styles
	now      time.Time
	revealed bool
	voucher  int
	width    int
	note     string // team mode: placed by whom, who else has it open
	noReveal string // team mode: why v does nothing for this role
}

// field is one labelled value. A value too long for the pane wraps under
// itself: what support reads aloud or types (codes, PINs, claim URLs, LPA
// strings, references) is always whole, never cut with an ellipsis.
func (c *detailCtx) field(lines []string, label, value string) []string {
	if value == "" {
		return lines
	}
	const lw = 13
	vl := c.wrap(theme.Clean(value), c.width-lw)
	lines = append(lines, c.st.Label.Render(fit(label, lw))+vl[0])
	for _, l := range vl[1:] {
		lines = append(lines, strings.Repeat(" ", lw)+l)
	}
	return lines
}

// wrap breaks s into lines of at most w cells (at spaces where it can, inside
// a word where it must); w <= 0 means no limit.
func (c *detailCtx) wrap(s string, w int) []string {
	if w <= 0 || ansi.StringWidth(s) <= w {
		return []string{s}
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// text appends free text (a reason, an error) in a style, wrapped whole.
func (c *detailCtx) text(lines []string, style lipgloss.Style, s string) []string {
	for _, l := range c.wrap(theme.Clean(s), c.width) {
		lines = append(lines, style.Render(l))
	}
	return lines
}

func (c *detailCtx) section(lines []string, title string) []string {
	return c.text(append(lines, ""), c.st.Title, title)
}

func (c *detailCtx) secret(s string) string {
	if c.revealed {
		return s
	}
	return api.Mask(s)
}

// secretURL masks a bearer link but keeps where it points.
func (c *detailCtx) secretURL(s string) string {
	if c.revealed || s == "" {
		return s
	}
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		prefix := u.Scheme + "://" + u.Host + "/"
		if strings.HasPrefix(s, prefix) {
			return prefix + api.Mask(s[len(prefix):])
		}
	}
	return api.Mask(s)
}

func money(v float64, cur string) string {
	if v == 0 {
		return ""
	}
	return api.FormatAmount(v, cur) + " " + cur
}

// detailLines renders the detail of one tracked order.
func detailLines(t *engine.Tracked, c detailCtx) []string {
	o := &t.Order
	var l []string
	title := fmt.Sprintf("%s %s", o.Vertical.Title(), o.ID)
	l = append(l, c.st.Title.Render(theme.Clean(title))+"  "+c.st.StatusStyle(o.Status).Render(theme.Clean(o.StatusLabel())))
	st := o.StatusLabel()
	if o.RawStatus != "" && !strings.EqualFold(o.RawStatus, st) {
		st += " (provider: " + o.RawStatus + ")"
	}
	l = c.field(l, "Status", st)
	l = c.field(l, "Team", c.note)
	l = c.field(l, "Status text", o.StatusText)
	// Uncertain and scheduled are not failures: say what they mean instead.
	switch o.Status {
	case api.StatusUncertain:
		l = append(l, c.st.StatusStyle(o.Status).Render("Not known yet: resolves within hours. Do not refund."))
		l = c.field(l, "Provider says", o.FailureReason) // refund_message, verbatim
	case api.StatusScheduled:
		l = append(l, c.st.StatusStyle(o.Status).Render("Scheduled: processed within 12–48 h; not a failure."))
	}
	// A failure is what the reader came for: right under the status.
	if o.Status.Failure() || (o.Status != api.StatusUncertain && (o.FailureReason != "" || o.FailureCode != "")) {
		reason := o.FailureReason
		if reason == "" {
			reason = noReason(o.Status)
		}
		l = c.text(l, c.st.Error, reason)
		l = c.field(l, "Code", o.FailureCode)
		fix := "no: contact support or retry"
		if o.UserFixable {
			fix = "yes: the customer can correct it"
		}
		l = c.field(l, "User-fixable", fix)
		for _, off := range o.SuggestedOffers {
			l = c.field(l, "Offer", fmt.Sprintf("%s (%s) %s", off.Name, off.PlanCode, api.FormatAmount(off.Amount, o.Currency)))
		}
	}

	// What was delivered comes first: it is what support reads out or shows,
	// and an eSIM's QR then fits without scrolling wherever it can.
	if len(o.Vouchers) > 0 {
		l = c.voucherLines(l, o)
	}
	if o.ESIM != nil {
		l = c.esimLines(l, o)
	}
	if missing := o.DeliveredQuantity - len(o.Vouchers); missing > 0 && deliversCodes(o.Vertical) {
		l = c.text(l, c.st.Dim, fmt.Sprintf("%d delivered code(s) not here yet: they come with the order's detail, being fetched (r fetches it now)", missing))
	}
	if len(o.Vouchers) > 0 || o.ESIM != nil {
		l = c.section(l, "Order")
	}
	l = c.field(l, "Provider", o.Provider.Title())
	l = c.field(l, "Reference", o.ClientReference)
	l = c.field(l, "Product", productText(o))
	l = c.field(l, "Product ID", o.ProductID)
	l = c.field(l, "Category", o.Category)
	l = c.field(l, "Country", o.CountryCode)
	l = c.amountLines(l, o)
	if o.Quantity > 0 {
		l = c.field(l, "Quantity", fmt.Sprintf("%d of %d delivered", o.DeliveredQuantity, o.Quantity))
	}
	l = c.field(l, "Recipient", o.Recipient)
	if len(o.InputData) > 0 {
		keys := make([]string, 0, len(o.InputData))
		for k := range o.InputData {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var kv []string
		for _, k := range keys {
			kv = append(kv, k+"="+o.InputData[k])
		}
		l = c.field(l, "Input", strings.Join(kv, ", "))
	}
	l = c.field(l, "Email", o.Email)
	l = c.field(l, "Created", stampOr(o.CreatedAt))
	l = c.field(l, "Updated", stampOr(o.UpdatedAt))
	l = c.field(l, "Completed", stampOr(o.CompletedAt))

	l = c.section(l, "Wallet")
	debit := money(o.Debited, debitCurrency(o))
	if debit == "" {
		debit = "unknown"
	}
	l = c.field(l, "Debited", debit)
	l = c.field(l, "Refunded", refundText(o))
	for _, f := range fillFields(o) {
		l = c.field(l, f[0], f[1])
	}
	l = c.field(l, "Wallet", o.WalletID)
	l = c.field(l, "Transaction", o.TransactionID)

	l = c.trackingLines(l, t)
	return l
}

// amountLines shows the face value (the table's AMOUNT) and the price paid
// apart, whenever the provider tells them apart.
func (c *detailCtx) amountLines(l []string, o *api.Order) []string {
	face := money(o.Amount, o.Currency)
	if face != "" && o.Quantity > 1 && o.Denomination > 0 {
		face += fmt.Sprintf(" (%d × %s)", o.Quantity, money(o.Denomination, o.Currency))
	}
	if o.Paid != 0 && o.Paid == o.Amount && o.Discount == 0 {
		return c.field(l, "Price paid", face) // no other face value is known
	}
	l = c.field(l, "Face value", face)
	l = c.field(l, "Discount", money(o.Discount, o.Currency))
	return c.field(l, "Price paid", money(o.Paid, o.Currency))
}

// debitCurrency is the paying wallet's currency.
func debitCurrency(o *api.Order) string {
	if o.DebitCurrency != "" {
		return o.DebitCurrency
	}
	return o.Currency
}

func stampOr(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return stamp(t)
}

func (c *detailCtx) voucherLines(l []string, o *api.Order) []string {
	hint := "v reveals"
	if c.noReveal != "" {
		hint = c.noReveal
	}
	if c.revealed {
		hint = "revealed, v hides"
	}
	l = c.section(l, fmt.Sprintf("Vouchers (%d) · %s", len(o.Vouchers), hint))
	for i, v := range o.Vouchers {
		mark := "  "
		if i == c.voucher {
			mark = "▶ "
		}
		l = append(l, mark+c.st.Label.Render(fmt.Sprintf("#%d", i+1)))
		l = c.field(l, "  Card", c.secret(v.CardNumber))
		l = c.field(l, "  PIN", c.secret(v.PIN))
		l = c.field(l, "  Serial", v.Serial)
		if !v.ExpiresAt.IsZero() {
			l = c.field(l, "  Expires", v.ExpiresAt.Format("2006-01-02"))
		}
		// A claim URL redeems the voucher like its code does: masked too.
		l = c.field(l, "  Claim URL", c.secretURL(v.ClaimURL))
		l = c.field(l, "  Reference", v.Reference)
	}
	return l
}

func (c *detailCtx) esimLines(l []string, o *api.Order) []string {
	e := o.ESIM
	l = c.section(l, "eSIM")
	l = c.field(l, "ICCID", e.ICCID)
	if e.DataGB > 0 || e.ValidityDays > 0 {
		data := fmt.Sprintf("%g GB", e.DataGB)
		if e.DataGB == 0 {
			data = "unlimited data" // the contract: 0 = unlimited or per-minute
		}
		l = c.field(l, "Plan", data+", "+plural(e.ValidityDays, "day"))
	}
	act := string(e.ActivationStatus)
	if act == "" {
		act = e.RawActivation
	}
	l = c.field(l, "Activation", act)
	if e.ActivationCode != "" {
		l = c.field(l, "LPA code", c.secret(e.ActivationCode))
		if c.revealed {
			qrl, err := qrterm.Lines(e.ActivationCode)
			if w := ansi.StringWidth(strings.Join(qrl[:min(1, len(qrl))], "")); err == nil && c.width > 0 && w > c.width {
				// A cut QR does not scan: say what would show it whole.
				l = c.text(l, c.st.Dim, fmt.Sprintf("the QR needs %d columns, the pane has %d: a wider terminal, or D to put the detail below the table", w, c.width))
			} else if err == nil {
				l = append(l, "")
				for _, q := range qrl {
					l = append(l, c.st.QR.Render(q))
				}
			} else {
				l = append(l, c.st.Error.Render("cannot draw QR: "+err.Error()))
			}
		} else {
			l = append(l, c.st.Dim.Render(cmp.Or(c.noReveal, "v reveals the code and its QR")))
		}
	} else if e.Installed {
		l = append(l, c.st.Dim.Render("code no longer sent: the profile is installed"))
	} else if o.Status == api.StatusDelivered {
		l = c.text(l, c.st.Dim, "the ICCID and LPA code come with the order's detail, being fetched (r fetches it now)")
	}
	l = c.section(l, "Install timeline")
	type step struct {
		name string
		at   time.Time
		done bool
		note string
	}
	delivered := o.Status == api.StatusDelivered
	expired := e.ActivationStatus == api.ActivationExpired
	active := e.ActivationStatus == api.ActivationActive || expired || !e.ActivatedAt.IsZero()
	steps := []step{
		{name: "ordered", at: o.CreatedAt, done: true},
		{name: "delivered", at: o.CompletedAt, done: delivered},
		{name: "installed", at: e.InstalledAt, done: e.Installed || !e.InstalledAt.IsZero()},
		{name: "active", at: e.ActivatedAt, done: active},
		{name: "expired", done: expired},
	}
	if !e.ActivatedAt.IsZero() && e.ValidityDays > 0 {
		end := e.ActivatedAt.Add(time.Duration(e.ValidityDays) * 24 * time.Hour)
		steps[4].at = end
		if !expired {
			steps[4].note = " (expected)"
		}
	}
	for _, s := range steps {
		dot := c.st.Dim.Render("○")
		if s.done {
			dot = c.st.ToastOK.Render("●")
		}
		when := "—"
		if !s.at.IsZero() {
			when = stamp(s.at) + s.note
		}
		l = append(l, c.wrap(dot+" "+fit(s.name, 10)+when, c.width)...)
	}
	return l
}

func (c *detailCtx) trackingLines(l []string, t *engine.Tracked) []string {
	l = c.section(l, "Tracking")
	l = c.field(l, "Origin", string(t.Origin))
	l = c.field(l, "Phase", string(t.Phase))
	l = c.field(l, "First seen", stampOr(t.FirstSeen))
	if !t.LastChecked.IsZero() {
		l = c.field(l, "Last check", stamp(t.LastChecked)+" ("+ago(c.now, t.LastChecked)+" ago)")
	}
	next := nextCheck(c.now, t)
	if t.Webhook && !t.NextCheck.IsZero() {
		next = "webhook; fallback poll in " + shortDur(t.NextCheck.Sub(c.now))
	} else if next != "-" && next != "due" && next != "webhook" {
		next = "in " + next
	}
	l = c.field(l, "Next check", next)
	if t.ListOnly {
		l = c.field(l, "Detail", listOnlyText(t)+"; a refresh fetches it now")
	}
	if t.LastError != "" {
		l = c.text(l, c.st.Error, fmt.Sprintf("Last check failed (%d in a row): %s", t.Errors, t.LastError))
	}
	l = c.section(l, fmt.Sprintf("History (%d)", len(t.History)))
	if len(t.History) == 0 {
		l = append(l, c.st.Dim.Render("no checks yet"))
	}
	for i := len(t.History) - 1; i >= 0; i-- {
		e := t.History[i]
		what := "no change"
		if e.Changed {
			what = fmt.Sprintf("%s → %s", statusName(e.From, e.RawFrom), statusName(e.To, e.RawTo))
		}
		line := fmt.Sprintf("%s %-7s %s", clock(e.At), e.Source, what)
		if e.Note != "" {
			line += " · " + e.Note
		}
		l = append(l, c.wrap(theme.Clean(line), c.width)...)
	}
	return l
}

func statusName(s api.Status, raw string) string {
	if s == "" && raw == "" {
		return "new"
	}
	if s == api.StatusUnknown || s == "" {
		return raw
	}
	return string(s)
}

// refundText never says "none" for an order the provider refunds by rule
// while its payload does not carry the amount (OneClickDz REFUNDED items show
// balance_amount 0; Octopus FAILED and CANCELLED orders are auto-refunded).
func refundText(o *api.Order) string {
	if r := money(o.Refunded, debitCurrency(o)); r != "" {
		return r
	}
	switch o.Status {
	case api.StatusRefunded, api.StatusFailed, api.StatusCancelled:
		return "yes, by the provider (amount not reported)"
	}
	return "none"
}

// fillFields is the partial-fill arithmetic: ordered, delivered, undelivered.
func fillFields(o *api.Order) [][2]string {
	if o.Status != api.StatusPartial || o.Quantity <= 1 || o.Denomination <= 0 {
		return nil
	}
	line := func(n int) string {
		return fmt.Sprintf("%d × %s = %s", n, money(o.Denomination, o.Currency), money(float64(n)*o.Denomination, o.Currency))
	}
	return [][2]string{{"Ordered", line(o.Quantity)}, {"Delivered", line(o.DeliveredQuantity)},
		{"Undelivered", line(o.Quantity - o.DeliveredQuantity)}}
}

// noReason says what a failed, refunded or cancelled order without a
// provider reason means (OneClickDz sends none for internet refunds).
func noReason(s api.Status) string {
	switch s {
	case api.StatusRefunded:
		return "refunded automatically by the provider, which gives no reason (cancelled upstream)"
	case api.StatusCancelled:
		return "cancelled; the provider refunds it automatically (no reason given)"
	}
	return "no reason given"
}

// deliversCodes: the vertical's delivered orders carry a code per unit.
func deliversCodes(v api.Vertical) bool {
	info, ok := api.LookupVertical(v)
	return ok && info.Codes
}
