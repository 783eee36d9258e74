package orderform

import (
	"fmt"
	"strings"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/ui/qrterm"
)

// The result screen, in small pieces: no order (why, and what to do), or
// the order with its status, the spec's rows, its codes and its eSIM.

func (m *Model) resultView() string {
	if m.order == nil {
		return m.notPlacedView()
	}
	// Provider text is drawn cleaned; copies use the raw m.order.
	o := displayOrder(*m.order)
	var b strings.Builder
	keys := []string{"esc close"}
	b.WriteString(m.headerView(o))
	keys = append(m.statusView(&b, o), keys...)
	if m.spec.Result.Rows != nil {
		b.WriteString(m.rows(m.spec.Result.Rows(o)))
	}
	keys = append(m.codesView(&b, o), keys...)
	keys = append(m.esimView(&b, o), keys...)
	if m.lastCopy != "" {
		b.WriteString(m.styles.OK.Render(m.lastCopy+" copied") + "\n")
	}
	b.WriteString(m.keys(keys...))
	return b.String()
}

// notPlacedView explains a place call that returned no order.
func (m *Model) notPlacedView() string {
	err := m.placeErr
	var b strings.Builder
	switch {
	case api.KindOf(err) == api.KindOutcomeUnknown:
		lost := "The reply to the create request was lost. The order was not sent again;\n" +
			"the journal keeps looking up reference " + m.req.ClientReference + " and the order\n" +
			"appears in the table if it exists."
		if f := m.spec.Texts.LostReply; f != nil {
			lost = f(m.req)
		}
		b.WriteString(m.styles.Warn.Render("Outcome unknown") + "\n" + lost + "\n")
		b.WriteString(m.styles.Dim.Render(clean(describe(err))) + "\n")
		b.WriteString(m.keys(or(m.spec.Texts.LostKey, "r look up again"), "esc close"))
	case !refused(err):
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
	default:
		b.WriteString(m.styles.Error.Render("Not placed: "+clean(describe(err))) + "\n")
		if api.KindOf(err) == api.KindInsufficientFunds {
			b.WriteString("The wallet cannot pay this order.\n")
		}
		b.WriteString(m.keys("E edit and retry", "esc close"))
	}
	return b.String()
}

// headerView: which order, its reference, its recipient, its status.
func (m *Model) headerView(o api.Order) string {
	r := m.spec.Result
	var b strings.Builder
	if m.found {
		b.WriteString(m.styles.Dim.Render("found by reference "+o.ClientReference) + "\n")
	}
	b.WriteString(m.row("Order", fmt.Sprintf("%s:%s", o.Vertical, o.ID)))
	b.WriteString(m.row(or(r.ReferenceLabel, "Reference"), o.ClientReference))
	if o.Recipient != "" {
		label := "Number"
		if r.RecipientLabel != nil {
			label = r.RecipientLabel(o)
		}
		b.WriteString(m.row(label, o.Recipient))
	}
	b.WriteString(m.row("Status", m.statusText(o)))
	if o.StatusText != "" {
		b.WriteString(m.row("", m.styles.Dim.Render(o.StatusText)))
	}
	return b.String()
}

// statusView says what the status means and returns the keys it offers.
func (m *Model) statusView(b *strings.Builder, o api.Order) []string {
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
			b.WriteString(m.offersView(o))
			return []string{"↑/↓ select offer", "E edit and retry with it"}
		}
		if o.UserFixable {
			b.WriteString(m.styles.Warn.Render("The customer can fix this: edit and retry (a new reference is generated).") + "\n")
			return []string{"E edit and retry"}
		}
	case o.Status == api.StatusUncertain:
		b.WriteString(m.styles.Warn.Render("UNKNOWN_ERROR — the outcome is uncertain; support resolves it within hours. Do not refund.") + "\n")
		if o.FailureReason != "" {
			b.WriteString(m.row("Message", o.FailureReason))
		}
	case o.Status == api.StatusScheduled:
		b.WriteString(m.styles.Warn.Render("QUEUED — scheduled, not failed: processed within 12–48 h; tracked in the table.") + "\n")
	case o.Status == api.StatusPending || o.Status == api.StatusProcessing || o.Status == api.StatusUnknown:
		b.WriteString(m.styles.Warn.Render("Not finished yet — tracked; it updates here and in the table.") + "\n")
	}
	return nil
}

// offersView lists the offers the provider suggests after a refusal.
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

// codesView lists the delivered codes, masked until revealed.
func (m *Model) codesView(b *strings.Builder, o api.Order) []string {
	if len(o.Vouchers) == 0 {
		return nil
	}
	r := m.spec.Result
	fmt.Fprintf(b, "%d of %d codes:\n", len(o.Vouchers), max(o.Quantity, len(o.Vouchers)))
	for i, v := range o.Vouchers {
		line := m.code(v.CardNumber)
		if v.PIN != "" {
			line += "  PIN " + m.code(v.PIN)
		}
		if v.Serial != "" {
			line += "  serial " + v.Serial
		}
		if r.CodeExtra != nil {
			line += r.CodeExtra(v)
		}
		mark := "  "
		if i == m.cursor {
			mark = "▸ "
		}
		b.WriteString(mark + line + "\n")
	}
	if o.Status == api.StatusPartial && !r.PartialFinal {
		b.WriteString(m.styles.Warn.Render("partially delivered — tracked in the table") + "\n")
	}
	if r.Serials {
		return []string{"v reveal", "c copy code", "N copy serial", "↑/↓ select"}
	}
	return []string{"v reveal", "c copy code", "C copy PIN", "↑/↓ select"}
}

// esimView draws the activation code as a QR, with its LPA and ICCID.
func (m *Model) esimView(b *strings.Builder, o api.Order) []string {
	e := o.ESIM
	if e == nil || e.ActivationCode == "" {
		return nil
	}
	if lines, err := qrterm.Lines(e.ActivationCode); err == nil {
		b.WriteString(m.styles.QR.Render(strings.Join(lines, "\n")) + "\n")
	}
	b.WriteString(m.row("LPA", e.ActivationCode))
	if e.ICCID != "" {
		b.WriteString(m.row("ICCID", e.ICCID))
	}
	return []string{"Q copy LPA"}
}
