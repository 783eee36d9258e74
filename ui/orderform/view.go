package orderform

import (
	"fmt"
	"strings"
	"time"

	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/ui/qrterm"
)

type styles struct {
	Title, Label, Dim, Error, OK, Warn, Live, Key, Box, QR lipgloss.Style
}

func newStyles(isDark bool) styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) lipgloss.Style {
		return lipgloss.NewStyle().Foreground(ld(lipgloss.Color(light), lipgloss.Color(dark)))
	}
	return styles{
		Title: c("#111827", "#f9fafb").Bold(true),
		Label: c("#6b7280", "#9ca3af"),
		Dim:   c("#6b7280", "#6b7280"),
		Error: c("#b91c1c", "#f87171").Bold(true),
		OK:    c("#166534", "#86efac").Bold(true),
		Warn:  c("#92400e", "#fcd34d").Bold(true),
		Live:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#ffffff")).Background(lipgloss.Color("#dc2626")).Padding(0, 1),
		Key:   c("#1d4ed8", "#93c5fd").Bold(true),
		Box:   lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(ld(lipgloss.Color("#d1d5db"), lipgloss.Color("#374151"))).Padding(0, 1),
		// The QR is drawn light-on-dark explicitly so it scans on any theme.
		QR: lipgloss.NewStyle().Foreground(lipgloss.Color("#ffffff")).Background(lipgloss.Color("#000000")),
	}
}

// View renders the form (the dashboard places it).
func (m *Model) View() string {
	var b strings.Builder
	title := "New " + strings.ToLower(strings.TrimSuffix(m.opts.Vertical.Title(), "s")) + " order"
	if m.opts.Vertical == api.VerticalESIM {
		title = "New eSIM order"
	}
	b.WriteString(m.styles.Title.Render(title))
	if m.opts.Live {
		b.WriteString("  " + m.styles.Live.Render("LIVE"))
	}
	b.WriteString("\n")
	if m.banner != "" && m.stage != stageConfirm {
		b.WriteString(m.styles.Warn.Render(clean(m.banner)) + "\n")
	}
	switch m.stage {
	case stageRefused:
		b.WriteString(m.styles.Error.Render(errText(m.loadErr)) + "\n" + m.keys("esc close"))
	case stageLoading:
		if m.loadErr != nil {
			b.WriteString(m.styles.Error.Render(m.loadErr.Error()) + "\n" + m.keys("r retry", "esc close"))
		} else {
			b.WriteString(m.styles.Dim.Render("loading the catalogue…"))
		}
	case stagePick, stageDetails:
		if m.form != nil {
			b.WriteString(m.form.View())
		}
		b.WriteString("\n" + m.keys("esc cancel"))
	case stageQuoting:
		what := "getting the price (charges)…"
		if m.opts.Vertical.Provider() == api.ProviderOneClick {
			what = "computing the price from the catalogue…"
		}
		b.WriteString(m.styles.Dim.Render(what) + "\n" + m.keys("esc back"))
	case stageConfirm:
		b.WriteString(m.confirmView())
	case stagePlacing:
		b.WriteString(m.summary())
		b.WriteString("\n" + m.styles.Warn.Render(m.placingText()))
		if m.opts.Vertical == api.VerticalGiftCard {
			b.WriteString("\n" + m.styles.Dim.Render("sent once; if the reply is lost it is looked for in gift-cards/list, never sent again"))
		} else {
			b.WriteString("\n" + m.styles.Dim.Render("sent once; if the reply is lost it is looked up by reference, never sent again"))
		}
	case stageLookup:
		if m.placeErr == nil || api.KindOf(m.placeErr) == api.KindOutcomeUnknown {
			b.WriteString(m.styles.Warn.Render("Outcome unknown: the reply was lost after sending.") + "\n")
		} else {
			b.WriteString(m.styles.Warn.Render("Not confirmed: "+clean(describe(m.placeErr))) + "\n")
		}
		if m.opts.Vertical == api.VerticalGiftCard {
			b.WriteString(m.styles.Dim.Render("looking for it in gift-cards/list (same product, type and quantity, placed after the intent)… (it is never sent again)"))
		} else {
			b.WriteString(m.styles.Dim.Render("looking the order up by reference " + m.req.ClientReference + "… (it is never sent again)"))
		}
	case stageResult:
		b.WriteString(m.resultView())
	}
	return b.String()
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
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

// summary describes the request being quoted or placed.
func (m *Model) summary() string {
	var b strings.Builder
	r := m.req
	name := r.ProductID
	cur := ""
	if m.product != nil {
		name = m.product.Name + "  #" + m.product.ID
		cur = m.product.Currency
	}
	b.WriteString(m.row("Product", name))
	switch r.Vertical {
	case api.VerticalVoucher:
		b.WriteString(m.row("Denomination", fmt.Sprintf("%s %s × %d", api.FormatAmount(r.Amount, cur), cur, r.Quantity)))
		if r.Quantity > api.SyncVoucherQuantity {
			b.WriteString(m.row("", m.styles.Dim.Render("more than 5: fulfilled in the background, tracked in the table")))
		}
	case api.VerticalESIM:
		if v, ok := api.MatchVariant(m.product, r.Amount, ""); ok {
			b.WriteString(m.row("Plan", variantLabel(v, cur)))
		}
	case api.VerticalMobile, api.VerticalInternet, api.VerticalGiftCard:
		b.WriteString(m.oneClickSummary(r))
		return b.String()
	default:
		b.WriteString(m.row("Amount", api.FormatAmount(r.Amount, cur)+" "+cur))
		if r.Category != "" {
			b.WriteString(m.row("Category", r.Category))
		}
		for _, k := range sortedKeys(r.InputData) {
			b.WriteString(m.row(inputLabel(m.product, k), r.InputData[k]))
		}
	}
	if r.Email != "" {
		b.WriteString(m.row("Email", r.Email))
	}
	b.WriteString(m.row("Reference", r.ClientReference))
	return b.String()
}

func (m *Model) confirmView() string {
	var b strings.Builder
	if m.opts.Live {
		b.WriteString(m.styles.Live.Render("LIVE ACCOUNT — this spends real money") + "\n")
	}
	b.WriteString(m.summary())
	if q := m.quote; q != nil {
		cur := q.Currency
		wcur := q.WalletCurrency
		if wcur == "" {
			wcur = cur
		}
		b.WriteString(m.row("Face value", api.FormatAmount(q.FaceValue, cur)+" "+cur))
		if q.Discount > 0 || q.Provider != api.ProviderOneClick {
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
		if w := m.wallet; w != nil {
			after := w.Balance - q.TotalPayable
			b.WriteString(m.row("Wallet", fmt.Sprintf("%s · %s %s → %s %s after", w.ID,
				api.FormatAmount(w.Balance, w.Currency), w.Currency, api.FormatAmount(after, w.Currency), w.Currency)))
		} else if m.req.WalletID != "" {
			b.WriteString(m.row("Wallet", m.req.WalletID))
		} else {
			b.WriteString(m.row("Wallet", "the "+wcur+" wallet (provider default)"))
		}
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
		b.WriteString(`Type "buy" or the product name to confirm: ` + m.styles.Title.Render(m.typed) + "█\n")
		b.WriteString(m.keys("enter place", "esc edit"))
		return b.String()
	}
	b.WriteString(m.keys("enter or y place", "esc edit"))
	return b.String()
}

func (m *Model) resultView() string {
	var b strings.Builder
	if m.order == nil {
		err := m.placeErr
		if api.KindOf(err) == api.KindOutcomeUnknown && m.opts.Vertical == api.VerticalGiftCard {
			b.WriteString(m.styles.Warn.Render("Outcome unknown") + "\n")
			b.WriteString("The reply to placeOrder was lost and gift cards have no reference. The order was not\n")
			b.WriteString("sent again; it is looked for in gift-cards/list (same product, type and quantity,\n")
			b.WriteString("placed after journal intent " + m.req.ClientReference + ") until found or ruled out.\n")
			b.WriteString(m.styles.Dim.Render(clean(describe(err))) + "\n")
			b.WriteString(m.keys("r look again", "esc close"))
			return b.String()
		}
		if api.KindOf(err) == api.KindOutcomeUnknown {
			b.WriteString(m.styles.Warn.Render("Outcome unknown") + "\n")
			b.WriteString("The reply to the create request was lost. The order was not sent again;\n")
			b.WriteString("the journal keeps looking up reference " + m.req.ClientReference + " and the order\n")
			b.WriteString("appears in the table if it exists.\n")
			b.WriteString(m.styles.Dim.Render(clean(describe(err))) + "\n")
			b.WriteString(m.keys("r look up again", "esc close"))
			return b.String()
		}
		if !refused(err) {
			// Not a rejection: the create may have landed.
			b.WriteString(m.styles.Warn.Render("Not confirmed") + "\n")
			b.WriteString("Placing ended with an error that does not prove the order was refused. It was not\n")
			b.WriteString("sent again; look reference " + m.req.ClientReference + " up before placing anything similar.\n")
			b.WriteString(m.styles.Dim.Render(clean(describe(err))) + "\n")
			ks := []string{"esc close"}
			if m.opts.Find != nil {
				ks = append([]string{"r look up"}, ks...)
			}
			b.WriteString(m.keys(ks...))
			return b.String()
		}
		b.WriteString(m.styles.Error.Render("Not placed: "+clean(describe(err))) + "\n")
		if api.KindOf(err) == api.KindInsufficientFunds {
			b.WriteString("The wallet cannot pay this order.\n")
		}
		b.WriteString(m.keys("E edit and retry", "esc close"))
		return b.String()
	}
	// Provider text is drawn cleaned; copies use the raw m.order.
	shown := displayOrder(*m.order)
	o := &shown
	if m.found {
		b.WriteString(m.styles.Dim.Render("found by reference "+o.ClientReference) + "\n")
	}
	b.WriteString(m.row("Order", fmt.Sprintf("%s:%s", o.Vertical, o.ID)))
	if o.Vertical == api.VerticalGiftCard {
		b.WriteString(m.row("Journal key", o.ClientReference))
	} else {
		b.WriteString(m.row("Reference", o.ClientReference))
	}
	if o.Recipient != "" {
		label := "Number"
		if o.InputData["player_id"] != "" && o.InputData["phone_number"] == "" {
			label = "Player ID"
		}
		b.WriteString(m.row(label, o.Recipient))
	}
	b.WriteString(m.row("Status", m.statusText(*o)))
	if o.StatusText != "" {
		b.WriteString(m.row("", m.styles.Dim.Render(o.StatusText)))
	}
	keys := []string{"esc close"}
	switch {
	case o.Status.Failure():
		if o.FailureReason != "" || o.FailureCode != "" {
			reason := o.FailureReason
			if o.FailureCode != "" {
				reason = strings.TrimSpace(reason + " (" + o.FailureCode + ")")
			}
			b.WriteString(m.row("Reason", reason))
		}
		if len(o.SuggestedOffers) > 0 {
			b.WriteString(m.offersView(*o))
			keys = append([]string{"↑/↓ select offer", "E edit and retry with it"}, keys...)
		} else if o.UserFixable {
			b.WriteString(m.styles.Warn.Render("The customer can fix this: edit and retry (a new reference is generated).") + "\n")
			keys = append([]string{"E edit and retry"}, keys...)
		}
	case o.Status == api.StatusUncertain:
		b.WriteString(m.styles.Warn.Render("UNKNOWN_ERROR — the outcome is uncertain; support resolves it within hours. Do not refund.") + "\n")
		if o.FailureReason != "" {
			b.WriteString(m.row("Message", o.FailureReason))
		}
	case o.Status == api.StatusScheduled:
		b.WriteString(m.styles.Warn.Render("QUEUED — scheduled, not failed: processed within 12–48 h; tracked in the table.") + "\n")
	case o.Status == api.StatusPending || o.Status == api.StatusProcessing || o.Status == api.StatusUnknown:
		// Not "PENDING": the Status line above says the provider's word.
		if m.opts.Current != nil {
			b.WriteString(m.styles.Warn.Render("Not finished yet — tracked; it updates here and in the table.") + "\n")
		} else {
			b.WriteString(m.styles.Warn.Render("Not finished yet — tracked in the table; it updates there.") + "\n")
		}
	}
	if o.Vertical == api.VerticalGiftCard {
		b.WriteString(m.giftArithmetic(*o))
	}
	if len(o.Vouchers) > 0 {
		b.WriteString(fmt.Sprintf("%d of %d codes:\n", len(o.Vouchers), max(o.Quantity, len(o.Vouchers))))
		for i, v := range o.Vouchers {
			line := m.code(v.CardNumber)
			if v.PIN != "" {
				line += "  PIN " + m.code(v.PIN)
			}
			if v.Serial != "" {
				line += "  serial " + v.Serial
			}
			if v.Reference != "" && o.Vertical == api.VerticalInternet {
				line += "  num_trans " + v.Reference
			}
			mark := "  "
			if i == m.cursor {
				mark = "▸ "
			}
			b.WriteString(mark + line + "\n")
		}
		if o.Status == api.StatusPartial && o.Provider != api.ProviderOneClick {
			b.WriteString(m.styles.Warn.Render("partially delivered — tracked in the table") + "\n")
		}
		ks := []string{"v reveal", "c copy code", "C copy PIN", "↑/↓ select"}
		if o.Vertical.Provider() == api.ProviderOneClick {
			ks = []string{"v reveal", "c copy code", "N copy serial", "↑/↓ select"}
		}
		keys = append(ks, keys...)
	}
	if e := o.ESIM; e != nil && e.ActivationCode != "" {
		if lines, err := qrterm.Lines(e.ActivationCode); err == nil {
			b.WriteString(m.styles.QR.Render(strings.Join(lines, "\n")) + "\n")
		}
		b.WriteString(m.row("LPA", e.ActivationCode))
		if e.ICCID != "" {
			b.WriteString(m.row("ICCID", e.ICCID))
		}
		keys = append([]string{"Q copy LPA"}, keys...)
	}
	if m.lastCopy != "" {
		b.WriteString(m.styles.OK.Render(m.lastCopy+" copied") + "\n")
	}
	b.WriteString(m.keys(keys...))
	return b.String()
}

func (m *Model) statusText(o api.Order) string {
	s := o.StatusLabel()
	switch {
	case o.Status.Success():
		return m.styles.OK.Render(strings.ToUpper(s))
	case o.Status.Failure():
		return m.styles.Error.Render(strings.ToUpper(s))
	}
	return m.styles.Warn.Render(strings.ToUpper(s))
}

func (m *Model) code(s string) string {
	if m.reveal {
		return s
	}
	return api.Mask(s)
}

func sortedKeys(in map[string]string) []string {
	out := make([]string, 0, len(in))
	for k := range in {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// oneClickSummary describes a mobile, internet or gift-card request.
func (m *Model) oneClickSummary(r api.OrderRequest) string {
	var b strings.Builder
	switch r.Vertical {
	case api.VerticalMobile:
		op := api.MobileOperator(r.Recipient)
		if op == "" {
			op = "operator not known from the prefix"
		}
		b.WriteString(m.row("Number", r.Recipient+" ("+op+")"))
		b.WriteString(m.row("Amount", api.FormatAmount(r.Amount, "DZD")+" DZD"))
		b.WriteString(m.row("Reference", r.ClientReference))
	case api.VerticalInternet:
		b.WriteString(m.row("Line", m.lineText()))
		b.WriteString(m.row("Card value", api.FormatAmount(r.Amount, "DZD")+" DA"))
		b.WriteString(m.row("Reference", r.ClientReference))
	case api.VerticalGiftCard:
		if v, ok := api.GiftVariant(m.product, r.VariantID); ok {
			b.WriteString(m.row("Type", fmt.Sprintf("%s · %s DZD each", v.Name, api.FormatAmount(v.Price, "DZD"))))
		} else {
			b.WriteString(m.row("Type", r.VariantID))
		}
		b.WriteString(m.row("Quantity", fmt.Sprint(r.Quantity)))
		b.WriteString(m.row("Journal key", r.ClientReference+m.styles.Dim.Render(" (not sent: gift cards have no reference)")))
	}
	return b.String()
}

// offersView lists the offers OneClickDz suggests after a refused top-up.
func (m *Model) offersView(o api.Order) string {
	var b strings.Builder
	b.WriteString(m.styles.Warn.Render("Suggested offers (edit and retry fills the form with the one selected; a new reference is generated):") + "\n")
	for i, off := range o.SuggestedOffers {
		mark := "  "
		if i == m.cursor {
			mark = "▸ "
		}
		b.WriteString(fmt.Sprintf("%s%s · %s · %s DZD\n", mark, off.Name, off.PlanCode, api.FormatAmount(off.Amount, "DZD")))
	}
	return b.String()
}

// giftArithmetic is what a gift-card order cost and what came back.
func (m *Model) giftArithmetic(o api.Order) string {
	if o.Denomination <= 0 || o.Quantity <= 0 {
		return ""
	}
	var b strings.Builder
	price := api.FormatAmount(o.Denomination, "DZD")
	b.WriteString(m.row("Ordered", fmt.Sprintf("%d × %s DZD = %s DZD", o.Quantity, price, api.FormatAmount(float64(o.Quantity)*o.Denomination, "DZD"))))
	if !o.Status.InFlight() || o.Status == api.StatusPartial {
		b.WriteString(m.row("Delivered", fmt.Sprintf("%d × %s DZD = %s DZD", o.DeliveredQuantity, price, api.FormatAmount(o.Debited, "DZD"))))
		if o.Refunded > 0 {
			b.WriteString(m.row("Refunded", fmt.Sprintf("%s DZD for %d undelivered", api.FormatAmount(o.Refunded, "DZD"), o.Quantity-o.DeliveredQuantity)))
		}
	}
	return b.String()
}

// clean drops control characters (C0, DEL, C1) from provider text so it can
// neither break the layout nor reach the terminal as an escape sequence.
// opt is a select option whose label, often a provider's catalogue text, is
// drawn without its control sequences.
func opt(label, value string) huh.Option[string] { return huh.NewOption(clean(label), value) }

func clean(s string) string {
	bad := func(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }
	if !strings.ContainsFunc(s, bad) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if bad(r) {
			return ' '
		}
		return r
	}, s)
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
// provider's documented wait where there is one (an eSIM create is held up
// to 60 s before it answers PENDING).
func (m *Model) placingText() string {
	el := max(m.opts.Now().Sub(m.placingAt), 0).Truncate(time.Second)
	s := spinFrames[m.spin%len(spinFrames)] + " placing the order… " + fmt.Sprintf("%d s", int(el/time.Second))
	if m.opts.Vertical == api.VerticalESIM {
		s += " of up to 60 s (the provider holds an eSIM create up to 60 s, then answers PENDING)"
	}
	return s
}

// inputLabel is how the product names an input field ("Player ID"), never
// the wire name (player_id).
func inputLabel(p *api.Product, name string) string {
	if p != nil {
		for _, f := range p.InputFields {
			if f.Name == name && f.Label != "" {
				return f.Label
			}
		}
	}
	words := strings.Fields(strings.ReplaceAll(name, "_", " "))
	for i, w := range words {
		switch strings.ToLower(w) {
		case "id":
			words[i] = "ID"
		default:
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}
