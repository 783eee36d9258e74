package orderform

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/ui/theme"
)

type styles struct {
	Title, Label, Dim, Error, OK, Warn, Live, Key, QR lipgloss.Style
}

// newStyles are the form's styles, from the palette the dashboard uses.
func newStyles(p theme.Palette) styles {
	return styles{Title: p.Title(), Label: p.Label(), Dim: p.Dim(), Error: p.Error(), OK: p.OK(), Warn: p.Warn(),
		Live: p.Live().Padding(0, 1), Key: p.Key(), QR: p.QR()}
}

// clean is the one sanitizer for provider text.
func clean(s string) string { return theme.Clean(s) }

// View renders the form (the dashboard places it).
func (m *Model) View() string {
	var b strings.Builder
	title := m.spec.Title
	if title == "" {
		title = "New " + strings.ToLower(m.opts.Vertical.Title()) + " order"
	}
	b.WriteString(m.styles.Title.Render(title))
	if m.opts.Live {
		b.WriteString("  " + m.styles.Live.Render("LIVE"))
	}
	b.WriteString("\n")
	if m.banner != "" && m.stage != stageConfirm {
		b.WriteString(m.styles.Warn.Render(clean(m.banner)) + "\n")
	}
	b.WriteString(m.stageView())
	return b.String()
}

func (m *Model) stageView() string {
	t := m.spec.Texts
	switch m.stage {
	case stageRefused:
		return m.styles.Error.Render(errText(m.loadErr)) + "\n" + m.keys("esc close")
	case stageLoading:
		if m.loadErr != nil {
			return m.styles.Error.Render(clean(m.loadErr.Error())) + "\n" + m.keys("r retry", "esc close")
		}
		return m.styles.Dim.Render("loading the catalogue…")
	case stagePick, stageDetails:
		s := ""
		if m.form != nil {
			s = m.form.View()
		}
		return s + "\n" + m.keys("esc cancel")
	case stageQuoting:
		return m.styles.Dim.Render(or(t.Quoting, "getting the price…")) + "\n" + m.keys("esc back")
	case stageConfirm:
		return m.confirmView()
	case stagePlacing:
		return m.summary() + "\n" + m.styles.Warn.Render(m.placingText()) + "\n" +
			m.styles.Dim.Render(or(t.Placing, "sent once; if the reply is lost it is looked up by reference, never sent again"))
	case stageLookup:
		return m.lookupView()
	case stageResult:
		return m.resultView()
	}
	return ""
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return clean(err.Error())
}

func (m *Model) keys(ks ...string) string {
	parts := make([]string, 0, len(ks))
	for _, k := range ks {
		key, desc, _ := strings.Cut(k, " ")
		parts = append(parts, m.styles.Key.Render(key)+" "+m.styles.Dim.Render(desc))
	}
	return strings.Join(parts, "  ")
}

func (m *Model) row(label, value string) string {
	return m.styles.Label.Render(fmt.Sprintf("%-15s", label)) + value + "\n"
}

// rows draws a spec's rows; provider text is cleaned.
func (m *Model) rows(rs []api.Row) string {
	var b strings.Builder
	for _, r := range rs {
		v := clean(r.Value)
		if r.Note != "" {
			v += m.styles.Dim.Render(clean(r.Note))
		}
		b.WriteString(m.row(r.Label, v))
	}
	return b.String()
}

// summary describes the request being quoted or placed: the product, then
// the spec's rows.
func (m *Model) summary() string {
	name := m.req.ProductID
	if m.product != nil {
		name = m.product.Name + "  #" + m.product.ID
	}
	s := m.row("Product", clean(name))
	if m.spec.Summary != nil {
		s += m.rows(m.spec.Summary(m.req, m.product, m.values()))
	}
	return s
}

func (m *Model) lookupView() string {
	var b strings.Builder
	if m.placeErr == nil || api.KindOf(m.placeErr) == api.KindOutcomeUnknown {
		b.WriteString(m.styles.Warn.Render("Outcome unknown: the reply was lost after sending.") + "\n")
	} else {
		b.WriteString(m.styles.Warn.Render("Not confirmed: "+clean(describe(m.placeErr))) + "\n")
	}
	looking := "looking the order up by reference " + m.req.ClientReference + "… (it is never sent again)"
	if f := m.spec.Texts.Looking; f != nil {
		looking = f(m.req)
	}
	b.WriteString(m.styles.Dim.Render(looking))
	return b.String()
}

func (m *Model) confirmView() string {
	var b strings.Builder
	if m.opts.Live {
		b.WriteString(m.styles.Live.Render("LIVE ACCOUNT — this spends real money") + "\n")
	}
	b.WriteString(m.summary())
	if q := m.quote; q != nil {
		b.WriteString(m.quoteView(*q))
	}
	if m.quoteErr != nil {
		b.WriteString(m.styles.Error.Render(clean(describe(m.quoteErr))) + "\n")
		b.WriteString(m.keys("r quote again", "esc edit"))
		return b.String()
	}
	if m.banner != "" {
		b.WriteString(m.styles.Warn.Render(clean(m.banner)) + "\n")
	}
	if m.opts.Live {
		b.WriteString(`Type "buy" or the product name to confirm: ` + m.styles.Title.Render(clean(m.typed)) + "█\n")
		b.WriteString(m.keys("enter place", "esc edit"))
		return b.String()
	}
	b.WriteString(m.keys("enter or y place", "esc edit"))
	return b.String()
}

// quoteView is the price and the wallet that pays it.
func (m *Model) quoteView(q api.Quote) string {
	var b strings.Builder
	cur := q.Currency
	wcur := q.WalletCurrency
	if wcur == "" {
		wcur = cur
	}
	b.WriteString(m.row("Face value", api.FormatAmount(q.FaceValue, cur)+" "+cur))
	if q.Discount > 0 || m.spec.Texts.ZeroDiscount {
		disc := "-" + api.FormatAmount(q.Discount, cur) + " " + cur
		if q.DiscountPct > 0 {
			disc += fmt.Sprintf(" (%g %%)", q.DiscountPct)
		}
		b.WriteString(m.row("Discount", disc))
	}
	if q.FXRate > 0 && !strings.EqualFold(cur, wcur) {
		b.WriteString(m.row("FX rate", fmt.Sprintf("%g %s→%s", q.FXRate, cur, wcur)))
	}
	b.WriteString(m.row("Total payable", m.styles.Title.Render(api.FormatAmount(q.TotalPayable, wcur)+" "+wcur)))
	switch w := m.wallet; {
	case w != nil:
		after := w.Balance - q.TotalPayable
		b.WriteString(m.row("Wallet", fmt.Sprintf("%s · %s %s → %s %s after", w.ID,
			api.FormatAmount(w.Balance, w.Currency), w.Currency, api.FormatAmount(after, w.Currency), w.Currency)))
	case m.req.WalletID != "":
		b.WriteString(m.row("Wallet", m.req.WalletID))
	default:
		b.WriteString(m.row("Wallet", "the "+wcur+" wallet (provider default)"))
	}
	return b.String()
}

func (m *Model) statusText(o api.Order) string {
	s := strings.ToUpper(o.StatusLabel())
	switch {
	case o.Status.Success():
		return m.styles.OK.Render(s)
	case o.Status.Failure():
		return m.styles.Error.Render(s)
	}
	return m.styles.Warn.Render(s)
}

func (m *Model) code(s string) string {
	if m.reveal {
		return s
	}
	return api.Mask(s)
}

// displayOrder is a copy of o with every provider string cleaned.
func displayOrder(o api.Order) api.Order {
	o = o.Clone()
	for _, p := range []*string{&o.ID, &o.ClientReference, &o.Recipient, &o.StatusText, &o.RawStatus,
		&o.FailureReason, &o.FailureCode, &o.ProductName, &o.VariantName} {
		*p = clean(*p)
	}
	for i := range o.Vouchers {
		v := &o.Vouchers[i]
		v.CardNumber, v.PIN, v.Serial, v.Reference = clean(v.CardNumber), clean(v.PIN), clean(v.Serial), clean(v.Reference)
	}
	if e := o.ESIM; e != nil {
		e.ICCID, e.ActivationCode = clean(e.ICCID), clean(e.ActivationCode)
	}
	for i := range o.SuggestedOffers {
		f := &o.SuggestedOffers[i]
		f.Name, f.PlanCode = clean(f.Name), clean(f.PlanCode)
	}
	for k, v := range o.InputData {
		o.InputData[k] = clean(v)
	}
	return o
}

var spinFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// placingText is the spinner and the time the create has taken, against the
// provider's documented wait where the spec names one (an eSIM create).
func (m *Model) placingText() string {
	el := max(m.opts.Now().Sub(m.placingAt), 0).Truncate(time.Second)
	s := spinFrames[m.spin%len(spinFrames)] + " placing the order… " + fmt.Sprintf("%d s", int(el/time.Second))
	if t := m.spec.Texts; t.PlacingWait > 0 {
		s += fmt.Sprintf(" of up to %d s", int(t.PlacingWait/time.Second))
		if t.PlacingWaitWhy != "" {
			s += " (" + t.PlacingWaitWhy + ")"
		}
	}
	return s
}
