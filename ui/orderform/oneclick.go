package orderform

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"charm.land/huh/v2"

	"github.com/orderwatch/orderwatch/api"
)

// The OneClickDz verticals: mobile (number → plan → amount), internet
// (type and number → line check → card value) and gift cards (category →
// product → type and quantity). The rules are api's, as for `orderwatch place`.

// --- validators ---------------------------------------------------------------

func validateMSISDN(s string) error { return plain(api.ValidateMSISDN(strings.TrimSpace(s))) }

// validatePlanNumber also checks the number's operator against the plan.
func (m *Model) validatePlanNumber(s string) error {
	s = strings.TrimSpace(s)
	if err := api.ValidateMSISDN(s); err != nil {
		return plain(err)
	}
	if m.product != nil {
		return plain(api.CheckMobileOperator(m.product.Type, m.product.ID, s))
	}
	return nil
}

func (m *Model) validateMobileAmount(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return errors.New("type a whole number of DZD, e.g. 500")
	}
	return plain(api.ValidateMobileAmount(m.product, f))
}

func (m *Model) validateLineNumber(s string) error {
	return plain(api.ValidateInternetNumber(m.vals.NetType, strings.TrimSpace(s)))
}

func (m *Model) validateValue(s string) error {
	f, err := parseAmount(s)
	if err != nil {
		return err
	}
	return plain(api.ValidateInternetValue(m.product, f))
}

func (m *Model) validateGiftType(id string) error {
	v, ok := api.GiftVariant(m.product, id)
	if !ok {
		return errors.New("pick a type")
	}
	if v.Stock == 0 {
		return fmt.Errorf("%s is out of stock", v.Name)
	}
	return nil
}

func (m *Model) validateGiftQuantity(s string) error {
	n, err := parseQuantity(s)
	if err != nil {
		return err
	}
	v, ok := api.GiftVariant(m.product, m.vals.VariantID)
	if !ok {
		return plain(api.ValidateQuantity(api.VerticalGiftCard, n))
	}
	return plain(api.ValidateGiftQuantity(v, n))
}

// --- pick step forms ------------------------------------------------------------

func (m *Model) msisdnForm() *huh.Form {
	return m.newForm(
		huh.NewInput().Key("msisdn").Title("Mobile number").Placeholder("0778037340").
			Description("10 digits starting with 05, 06 or 07 (no +213, no spaces): the operator is suggested from the prefix.").
			Value(&m.vals.Phone).Validate(validateMSISDN).CharLimit(16),
	)
}

func (m *Model) lineForm() *huh.Form {
	return m.newForm(
		huh.NewSelect[string]().Key("type").Title("Line type").
			Options(opt("ADSL (Algérie Télécom)", api.InternetADSL), opt("4G LTE", api.Internet4G)).
			Value(&m.vals.NetType),
		huh.NewInput().Key("number").Title("Line number").Placeholder("036362608 · 213472731602").
			Description("ADSL: 0 and 8 digits (036362608). 4G: 213 and 9 digits (213472731602).").
			Value(&m.vals.Number).Validate(m.validateLineNumber).CharLimit(16),
	)
}

// giftCategories are the catalogue's categories, sorted.
func (m *Model) giftCategories() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range m.products {
		if p.Category != "" && !seen[p.Category] {
			seen[p.Category] = true
			out = append(out, p.Category)
		}
	}
	sort.Strings(out)
	return out
}

// categoryOptions are the labels of the category step, in order.
func (m *Model) categoryOptions() []string {
	return append([]string{"Any category"}, m.giftCategories()...)
}

func (m *Model) categoryForm() *huh.Form {
	opts := []huh.Option[string]{opt("Any category", "")}
	for _, c := range m.giftCategories() {
		opts = append(opts, opt(c, c))
	}
	return m.newForm(
		huh.NewSelect[string]().Key("category").Title("Category").Description("/ to search; enter to choose").
			Options(opts...).Value(&m.vals.GiftCategory).Height(min(len(opts)+2, m.formHeight()-2)),
	)
}

// planCandidates are the enabled plans of the number's operator (all
// enabled plans when the prefix names none).
func (m *Model) planCandidates() []api.Product {
	op := api.MobileOperator(strings.TrimSpace(m.vals.Phone))
	var mine, all []api.Product
	for _, p := range m.products {
		if !p.Enabled {
			continue
		}
		all = append(all, p)
		if op != "" && strings.EqualFold(api.PlanOperator(p.Type), op) {
			mine = append(mine, p)
		}
	}
	if len(mine) > 0 {
		return mine
	}
	return all
}

func (m *Model) planPickDescription() string {
	n := strings.TrimSpace(m.vals.Phone)
	if op := api.MobileOperator(n); op != "" {
		return fmt.Sprintf("%s is a %s number: its enabled plans. / to search.", n, op)
	}
	return fmt.Sprintf("The prefix of %s names no operator: every enabled plan. / to search.", n)
}

// planLabel says what a plan takes: a range or its fixed amount, and its cost.
func planLabel(p api.Product) string {
	parts := []string{p.ID}
	if p.Name != "" && p.Name != p.ID {
		parts = append(parts, p.Name)
	}
	if p.Type != "" {
		parts = append(parts, p.Type)
	}
	if len(p.Variants) > 0 {
		v := p.Variants[0]
		switch {
		case v.Max > 0:
			parts = append(parts, fmt.Sprintf("%s–%s DZD", fmtAmount(v.Min), fmtAmount(v.Max)))
		case len(v.Fixed) > 0:
			parts = append(parts, "fixed "+fmtAmount(v.Fixed[0])+" DZD")
		}
		if c := v.Fields["cost"]; c != "" {
			parts = append(parts, "cost ×"+c)
		}
	}
	return strings.Join(parts, " · ")
}

func (m *Model) planForm(ps []api.Product) *huh.Form {
	opts := make([]huh.Option[string], 0, len(ps))
	for _, p := range ps {
		opts = append(opts, opt(planLabel(p), p.ID))
	}
	if len(ps) > 0 && !containsProduct(ps, m.vals.ProductID) {
		m.vals.ProductID = ps[0].ID
	}
	return m.newForm(
		huh.NewSelect[string]().Key("product").Title("Plan").Description(m.planPickDescription()).
			Options(opts...).Value(&m.vals.ProductID).Height(min(len(opts)+2, max(m.formHeight()-3, 4))),
	)
}

func containsProduct(ps []api.Product, id string) bool {
	for _, p := range ps {
		if p.ID == id {
			return true
		}
	}
	return false
}

// giftCandidates are the enabled products of the chosen category.
func (m *Model) giftCandidates() []api.Product {
	var out []api.Product
	for _, p := range m.products {
		if p.Enabled && (m.vals.GiftCategory == "" || p.Category == m.vals.GiftCategory) {
			out = append(out, p)
		}
	}
	return out
}

// --- details ---------------------------------------------------------------------

func (m *Model) oneClickDetails(fields []huh.Field) *huh.Form {
	p := m.product
	switch m.opts.Vertical {
	case api.VerticalMobile:
		fields = append(fields, huh.NewInput().Key("msisdn").Title("Mobile number").
			Description("05, 06 or 07 and 8 digits; it must be a number of the plan's operator.").
			Value(&m.vals.Phone).Validate(m.validatePlanNumber).CharLimit(16))
		if api.DynamicPlan(p) {
			v := p.Variants[0]
			fields = append(fields, huh.NewInput().Key("amount").Title("Amount (DZD)").
				Description(fmt.Sprintf("A whole amount from %s to %s DZD.", fmtAmount(v.Min), fmtAmount(v.Max))).
				Value(&m.vals.Amount).Validate(m.validateMobileAmount))
		} else if len(p.Variants) > 0 && len(p.Variants[0].Fixed) > 0 {
			fields = append(fields, huh.NewNote().Title("Amount").
				Description(fmtAmount(p.Variants[0].Fixed[0])+" DZD (fixed plan)"))
		}
		fields = append(fields, m.referenceField())
	case api.VerticalInternet:
		fields = append(fields, huh.NewNote().Title("Line").Description(mdEscape(m.lineText())))
		var opts []huh.Option[string]
		for _, v := range p.Variants {
			for _, f := range v.Fixed {
				label := fmt.Sprintf("%s DA · costs %s DZD", fmtAmount(f), api.FormatAmount(v.Price, "DZD"))
				if v.Stock == 0 {
					label = fmt.Sprintf("%s DA · out of stock", fmtAmount(f))
				} else if m.vals.Amount == "" {
					m.vals.Amount = fmtAmount(f)
				}
				opts = append(opts, opt(label, fmtAmount(f)))
			}
		}
		fields = append(fields, huh.NewSelect[string]().Key("value").Title("Card value").Options(opts...).
			Value(&m.vals.Amount).Validate(m.validateValue).Height(min(len(opts)+2, 8)),
			m.referenceField())
	case api.VerticalGiftCard:
		var opts []huh.Option[string]
		for _, v := range p.Variants {
			label := fmt.Sprintf("%s · %s DZD · %d in stock", v.Name, api.FormatAmount(v.Price, "DZD"), v.Stock)
			if v.Stock == 0 {
				label = fmt.Sprintf("%s · %s DZD · out of stock", v.Name, api.FormatAmount(v.Price, "DZD"))
			} else if v.Stock < 0 {
				label = fmt.Sprintf("%s · %s DZD", v.Name, api.FormatAmount(v.Price, "DZD"))
			}
			if m.vals.VariantID == "" && v.Stock != 0 {
				m.vals.VariantID = v.ID
			}
			opts = append(opts, opt(label, v.ID))
		}
		fields = append(fields,
			huh.NewSelect[string]().Key("type").Title("Type").Description("name · your price · stock").
				Options(opts...).Value(&m.vals.VariantID).Validate(m.validateGiftType).Height(min(len(opts)+2, 8)),
			huh.NewInput().Key("quantity").Title("Quantity").Description(m.giftQuantityHelp()).
				Value(&m.vals.Quantity).Validate(m.validateGiftQuantity),
			huh.NewNote().Title("Journal key").
				Description(mdEscape(m.vals.Reference)+" — kept in the journal only: gift cards have no reference at OneClickDz"))
	}
	if w := m.walletField(); w != nil {
		fields = append(fields, w)
	}
	return m.newForm(fields...)
}

func (m *Model) giftQuantityHelp() string {
	limit := ""
	for _, v := range m.product.Variants {
		if v.MaxQuantity > 0 {
			limit = fmt.Sprintf(", at most %d per order", v.MaxQuantity)
			break
		}
	}
	return "1 up to the type's stock" + limit + "; every card is listed in the result"
}

func (m *Model) lineText() string {
	s := m.vals.NetType + " " + m.vals.Number
	switch {
	case m.line != nil:
		parts := []string{s}
		if m.line.NCLI != "" {
			parts = append(parts, "ncli "+m.line.NCLI)
		}
		if m.line.Offer != "" {
			parts = append(parts, "offre "+m.line.Offer)
		}
		if m.line.Type != "" {
			parts = append(parts, m.line.Type)
		}
		return strings.Join(parts, " · ")
	case m.lineErr != "":
		return s + " · not checked: " + m.lineErr
	}
	return s
}

// buildOneClick finishes r for mobile, internet and gift cards.
func (m *Model) buildOneClick(r api.OrderRequest) (api.OrderRequest, error) {
	p := m.product
	r.Email = ""
	switch m.opts.Vertical {
	case api.VerticalMobile:
		r.Recipient = strings.TrimSpace(m.vals.Phone)
		if api.DynamicPlan(p) {
			f, err := strconv.ParseFloat(strings.TrimSpace(m.vals.Amount), 64)
			if err != nil {
				return r, &api.Error{Kind: api.KindValidation, Field: "amount", Message: "type a whole number of DZD"}
			}
			r.Amount = f
		} else if len(p.Variants) > 0 && len(p.Variants[0].Fixed) > 0 {
			r.Amount = p.Variants[0].Fixed[0] // ignored by fixed plans, sent for clarity
		}
	case api.VerticalInternet:
		r.RecipientType, r.Recipient = m.vals.NetType, strings.TrimSpace(m.vals.Number)
		f, err := parseAmount(m.vals.Amount)
		if err != nil {
			return r, &api.Error{Kind: api.KindValidation, Field: "value", Message: err.Error()}
		}
		r.Amount = f
	case api.VerticalGiftCard:
		r.VariantID = m.vals.VariantID
		n, err := parseQuantity(m.vals.Quantity)
		if err != nil {
			return r, &api.Error{Kind: api.KindValidation, Field: "quantity", Message: err.Error()}
		}
		r.Quantity = n
	}
	return r, nil
}
