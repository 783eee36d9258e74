package orderform

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/orderwatch/orderwatch/api"
)

// QuantityHelp is the voucher quantity rule, said where the quantity is typed.
const QuantityHelp = "1 to 5,000: up to 5 are delivered in the response; more are fulfilled in the background"

// values are what the huh fields edit (bound by pointer).
type values struct {
	Phone     string
	Country   string
	ProductID string
	Denom     string
	Amount    string
	VariantID string
	Category  string
	Quantity  string
	Email     string
	Reference string
	WalletID  string
	Inputs    map[string]*string
	// OneClickDz: internet type and line number, gift-card category. The
	// mobile number is Phone.
	NetType      string
	Number       string
	GiftCategory string
	// walletSet is true once the wallet was chosen (prefill), so loading a
	// product does not override it.
	walletSet bool
}

func newValues() *values {
	return &values{Quantity: "1", Inputs: map[string]*string{}, NetType: api.InternetADSL}
}

func fmtAmount(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (v *values) fromRequest(r api.OrderRequest) {
	v.ProductID = r.ProductID
	if r.Amount > 0 {
		v.Denom, v.Amount = fmtAmount(r.Amount), fmtAmount(r.Amount)
	}
	if r.Quantity > 0 {
		v.Quantity = strconv.Itoa(r.Quantity)
	}
	v.VariantID, v.Category, v.Email = r.VariantID, r.Category, r.Email
	if r.ClientReference != "" {
		v.Reference = r.ClientReference
	}
	if r.WalletID != "" {
		v.WalletID, v.walletSet = r.WalletID, true
	}
	for k, s := range r.InputData {
		s := s
		v.Inputs[k] = &s
	}
	switch r.Vertical {
	case api.VerticalMobile:
		v.Phone = r.Recipient
	case api.VerticalInternet:
		v.Number = r.Recipient
		if t, ok := api.NormalizeInternetType(r.RecipientType); ok {
			v.NetType = t
		} else if t, ok := api.NormalizeInternetType(r.ProductID); ok {
			v.NetType = t
		}
	}
}

func (v *values) input(name string) *string {
	if p, ok := v.Inputs[name]; ok {
		return p
	}
	s := ""
	v.Inputs[name] = &s
	return &s
}

// parseAmount reads a decimal the user typed ("4.50", " 10 ").
func parseAmount(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("type a number, e.g. 10 or 4.50")
	}
	if f <= 0 {
		return 0, errors.New("must be more than 0")
	}
	return f, nil
}

func parseQuantity(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, errors.New("type a whole number")
	}
	return n, nil
}

// plain strips the field name an *api.Error carries: huh shows the message
// next to the field already.
func plain(err error) error {
	if err == nil {
		return nil
	}
	var fe api.FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		return errors.New(fe[0].Message)
	}
	var e *api.Error
	if errors.As(err, &e) && e.Message != "" {
		return errors.New(e.Message)
	}
	return err
}

// --- the field validators (the same api rules the CLI applies) ---------------

func (m *Model) validateDenomination(s string) error {
	f, err := parseAmount(s)
	if err != nil {
		return err
	}
	return plain(api.ValidateAmount(api.VerticalVoucher, m.product, f, ""))
}

func (m *Model) validateAmount(s string) error {
	f, err := parseAmount(s)
	if err != nil {
		return err
	}
	return plain(api.ValidateAmount(m.opts.Vertical, m.product, f, m.vals.Category))
}

func validateQuantity(s string) error {
	n, err := parseQuantity(s)
	if err != nil {
		return err
	}
	return plain(api.ValidateQuantity(api.VerticalVoucher, n))
}

func validateEmail(s string) error     { return plain(api.ValidateEmail(s)) }
func validateReference(s string) error { return plain(api.ValidateReference(s)) }

func validatePhoneOptional(s string) error {
	if s == "" {
		return nil
	}
	return plain(api.ValidatePhone(s))
}

func (m *Model) validateVariant(id string) error {
	if m.product == nil {
		return errors.New("no product")
	}
	for _, v := range m.product.Variants {
		if v.ID == id {
			return nil
		}
	}
	return errors.New("pick a plan")
}

// --- forms ----------------------------------------------------------------

func (m *Model) newForm(fields ...huh.Field) *huh.Form {
	f := huh.NewForm(huh.NewGroup(fields...)).
		WithTheme(huh.ThemeFunc(huh.ThemeCharm)).
		WithShowHelp(true).
		WithShowErrors(true).
		WithWidth(m.formWidth()).
		WithHeight(m.formHeight()) // a set height makes huh scroll to the focused field
	id := m.id
	f.SubmitCmd = func() tea.Msg { return formDoneMsg{id: id, form: f} }
	return f
}

// setForm installs f and returns its Init.
func (m *Model) setForm(f *huh.Form) tea.Cmd {
	m.form = f
	return f.Init()
}

func (m *Model) phoneForm() *huh.Form {
	return m.newForm(
		huh.NewInput().Key("phone").Title("Phone number").
			Description("E.164, e.g. +918879685100: the lookup suggests the operator. Leave empty to browse the catalogue.").
			Value(&m.vals.Phone).Validate(validatePhoneOptional),
	)
}

// countryCodes are the distinct product countries, sorted.
func (m *Model) countryCodes() []string {
	seen := map[string]bool{}
	var codes []string
	for _, p := range m.products {
		if p.CountryCode != "" && !seen[p.CountryCode] {
			seen[p.CountryCode] = true
			codes = append(codes, p.CountryCode)
		}
	}
	sort.Strings(codes)
	return codes
}

// countryOptions are the labels of the country step, in order.
func (m *Model) countryOptions() []string {
	out := []string{"Any country"}
	for _, c := range m.countryCodes() {
		out = append(out, countryLabel(c))
	}
	return out
}

func (m *Model) countryForm() *huh.Form {
	opts := []huh.Option[string]{opt("Any country", "")}
	for _, c := range m.countryCodes() {
		opts = append(opts, opt(countryLabel(c), c))
	}
	return m.newForm(
		huh.NewSelect[string]().Key("country").Title("Country").
			Description("Where the eSIM is used (GLO: global plans). / to search.").
			Options(opts...).Value(&m.vals.Country).Height(min(len(opts)+2, m.formHeight()-2)),
	)
}

func countryLabel(code string) string {
	if code == "GLO" {
		return "GLO · Global"
	}
	return code
}

// candidates are the products the product step offers.
func (m *Model) candidates() []api.Product {
	var out []api.Product
	for _, p := range m.products {
		if m.opts.Vertical == api.VerticalESIM && m.vals.Country != "" && p.CountryCode != m.vals.Country {
			continue
		}
		out = append(out, p)
	}
	return out
}

// productLabel is what the product filter matches: name, category, country.
func productLabel(p api.Product) string {
	parts := []string{p.Name}
	cat := p.Category
	if p.SubCategory != "" && p.SubCategory != p.Category {
		cat = strings.TrimPrefix(cat+" / "+p.SubCategory, " / ")
	}
	if cat == "" {
		cat = p.Type
	}
	if cat != "" {
		parts = append(parts, cat)
	}
	if p.CountryCode != "" {
		parts = append(parts, p.CountryCode)
	}
	if p.Currency != "" {
		parts = append(parts, p.Currency)
	}
	return strings.Join(parts, " · ") + "  #" + p.ID
}

func (m *Model) productForm(ps []api.Product, desc string) *huh.Form {
	opts := make([]huh.Option[string], 0, len(ps))
	for _, p := range ps {
		opts = append(opts, opt(productLabel(p), p.ID))
	}
	if desc == "" {
		desc = "/ to search by name, category or country; enter to choose"
	}
	return m.newForm(
		huh.NewSelect[string]().Key("product").Title("Product").Description(desc).
			Options(opts...).Value(&m.vals.ProductID).Height(min(len(opts)+2, max(m.formHeight()-3, 4))).
			Validate(func(id string) error {
				if id == "" {
					return errors.New("pick a product")
				}
				return nil
			}),
	)
}

func (m *Model) walletField() huh.Field {
	if len(m.opts.Wallets) == 0 {
		return nil
	}
	opts := make([]huh.Option[string], 0, len(m.opts.Wallets))
	for _, w := range m.opts.Wallets {
		opts = append(opts, opt(fmt.Sprintf("%s · %s %s · %s", w.ID, api.FormatAmount(w.Balance, w.Currency), w.Currency, strings.ToLower(w.Type)), w.ID))
	}
	return huh.NewSelect[string]().Key("wallet").Title("Pay from wallet").Options(opts...).Value(&m.vals.WalletID)
}

func (m *Model) referenceField() huh.Field {
	return huh.NewInput().Key("reference").Title("Client reference").
		Description("The idempotency key: printable ASCII, up to 255 characters. Generated; edit if you must.").
		Value(&m.vals.Reference).Validate(validateReference).CharLimit(api.MaxReferenceLen + 1)
}

func (m *Model) emailField() huh.Field {
	return huh.NewInput().Key("email").Title("Customer email (optional)").
		Description("Receives the delivery notification.").Value(&m.vals.Email).Validate(validateEmail)
}

// detailsForm is the vertical's field set for the chosen product. New
// verticals (mobile, internet, giftcard) add a case here.
func (m *Model) detailsForm() *huh.Form {
	p := m.product
	m.chooseWallet()
	var fields []huh.Field
	fields = append(fields, huh.NewNote().Title(p.Name).Description(productSummary(p)))
	switch m.opts.Vertical {
	case api.VerticalVoucher:
		fields = append(fields, m.denominationField(p),
			huh.NewInput().Key("quantity").Title("Quantity").Description(QuantityHelp).
				Value(&m.vals.Quantity).Validate(validateQuantity),
			m.emailField())
	case api.VerticalTopup:
		cats := api.Categories(p)
		if len(cats) > 1 {
			opts := []huh.Option[string]{opt("Any (chosen by amount)", "")}
			for _, c := range cats {
				opts = append(opts, opt(c, c))
			}
			fields = append(fields, huh.NewSelect[string]().Key("category").Title("Category").
				Description("Airtime takes any amount in range; Data and Bundle take exact amounts.").
				Options(opts...).Value(&m.vals.Category))
		}
		fields = append(fields, m.topupAmountField(p))
		for _, f := range p.InputFields {
			f := f
			title := fieldTitle(f)
			in := huh.NewInput().Key("input_data." + f.Name).Title(title).Value(m.vals.input(f.Name)).
				Validate(func(s string) error { return plain(api.ValidateInputField(f, s)) })
			if f.Example != "" {
				in = in.Placeholder(f.Example)
			} else if api.IsPhoneField(f.Name) {
				in = in.Placeholder("+918879685100")
			}
			if api.IsPhoneField(f.Name) {
				in = in.Description("E.164: a plus, the country code, the number; no spaces")
			}
			fields = append(fields, in)
		}
		fields = append(fields, m.emailField())
	case api.VerticalMobile, api.VerticalInternet, api.VerticalGiftCard:
		return m.oneClickDetails(fields)
	case api.VerticalESIM:
		opts := make([]huh.Option[string], 0, len(p.Variants))
		for _, v := range p.Variants {
			opts = append(opts, opt(variantLabel(v, p.Currency), v.ID))
		}
		if m.vals.VariantID == "" && m.vals.Amount != "" {
			if f, err := parseAmount(m.vals.Amount); err == nil {
				if v, ok := api.MatchVariant(p, f, ""); ok {
					m.vals.VariantID = v.ID
				}
			}
		}
		fields = append(fields, huh.NewSelect[string]().Key("variant").Title("Plan").
			Description("data allowance · validity (from activation) · price").
			Options(opts...).Value(&m.vals.VariantID).Validate(m.validateVariant).
			Height(min(len(opts)+2, 8)))
	}
	fields = append(fields, m.referenceField())
	if w := m.walletField(); w != nil {
		fields = append(fields, w)
	}
	return m.newForm(fields...)
}

func fieldTitle(f api.InputField) string {
	t := f.Label
	if t == "" {
		t = f.Name
	}
	if !f.Required {
		t += " (optional)"
	}
	return t
}

func (m *Model) denominationField(p *api.Product) huh.Field {
	allFixed := len(p.Denominations) > 0
	for _, d := range p.Denominations {
		if !d.Fixed() {
			allFixed = false
		}
	}
	if allFixed {
		opts := make([]huh.Option[string], 0, len(p.Denominations))
		for _, d := range p.Denominations {
			opts = append(opts, opt(fmt.Sprintf("%s %s", api.FormatAmount(d.Min, p.Currency), p.Currency), fmtAmount(d.Min)))
		}
		if m.vals.Denom == "" {
			m.vals.Denom = fmtAmount(p.Denominations[0].Min)
		}
		return huh.NewSelect[string]().Key("denomination").Title("Denomination").
			Options(opts...).Value(&m.vals.Denom).Validate(m.validateDenomination)
	}
	return huh.NewInput().Key("denomination").Title("Denomination (" + p.Currency + ")").
		Description("Allowed: " + api.DescribeDenominations(p.Denominations)).
		Value(&m.vals.Denom).Validate(m.validateDenomination)
}

func (m *Model) topupAmountField(p *api.Product) huh.Field {
	ranged := false
	for _, v := range p.Variants {
		if v.Max > 0 {
			ranged = true
		}
	}
	if !ranged && len(p.Variants) > 0 {
		var opts []huh.Option[string]
		for _, v := range p.Variants {
			for _, f := range v.Fixed {
				label := fmt.Sprintf("%s %s · %s", api.FormatAmount(f, p.Currency), p.Currency, v.Name)
				if v.Category != "" {
					label += " · " + v.Category
				}
				opts = append(opts, opt(label, fmtAmount(f)))
			}
		}
		if len(opts) > 0 {
			if m.vals.Amount == "" {
				m.vals.Amount = opts[0].Value
			}
			return huh.NewSelect[string]().Key("amount").Title("Amount").Options(opts...).
				Value(&m.vals.Amount).Validate(m.validateAmount).Height(min(len(opts)+2, 8))
		}
	}
	return huh.NewInput().Key("amount").Title("Amount (" + p.Currency + ")").
		Description("Allowed: " + describeByCategory(p)).
		Value(&m.vals.Amount).Validate(m.validateAmount)
}

func describeByCategory(p *api.Product) string {
	cats := api.Categories(p)
	if len(cats) == 0 {
		return api.DescribeVariants(p.Variants, "")
	}
	parts := make([]string, 0, len(cats))
	for _, c := range cats {
		parts = append(parts, c+" "+api.DescribeVariants(p.Variants, c))
	}
	return strings.Join(parts, "; ")
}

func variantLabel(v api.Variant, cur string) string {
	if v.Currency != "" {
		cur = v.Currency
	}
	data := "unlimited"
	if v.DataGB > 0 {
		data = strconv.FormatFloat(v.DataGB, 'f', -1, 64) + " GB"
	}
	return fmt.Sprintf("%s · %s · %d days · %s %s", v.Name, data, v.ValidityDays, api.FormatAmount(v.Price, cur), cur)
}

func productSummary(p *api.Product) string {
	var parts []string
	if p.ID != "" {
		parts = append(parts, "#"+p.ID)
	}
	seen := map[string]bool{}
	for _, s := range []string{p.Category, p.Type, p.CountryCode, p.Currency} {
		if s != "" && !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	return mdEscape(strings.Join(parts, " · "))
}

// mdEscape keeps a huh note (rendered as markdown) from eating the
// underscores of plan codes and offers.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "`", "\\`").Replace(s)
}

// chooseWallet defaults to the wallet in the product's currency (no FX).
func (m *Model) chooseWallet() {
	if m.vals.walletSet || m.product == nil {
		return
	}
	for _, w := range m.opts.Wallets {
		if strings.EqualFold(w.Currency, m.product.Currency) {
			m.vals.WalletID = w.ID
			return
		}
	}
}

// buildRequest turns the values into a request; the caller validates it.
func (m *Model) buildRequest() (api.OrderRequest, error) {
	p := m.product
	r := api.OrderRequest{Vertical: m.opts.Vertical, ProductID: p.ID, Quantity: 1,
		WalletID: m.vals.WalletID, ClientReference: m.vals.Reference, Email: strings.TrimSpace(m.vals.Email)}
	var err error
	switch m.opts.Vertical {
	case api.VerticalVoucher:
		if r.Amount, err = parseAmount(m.vals.Denom); err != nil {
			return r, &api.Error{Kind: api.KindValidation, Field: "denomination", Message: err.Error()}
		}
		if r.Quantity, err = parseQuantity(m.vals.Quantity); err != nil {
			return r, &api.Error{Kind: api.KindValidation, Field: "quantity", Message: err.Error()}
		}
	case api.VerticalTopup:
		if r.Amount, err = parseAmount(m.vals.Amount); err != nil {
			return r, &api.Error{Kind: api.KindValidation, Field: "amount", Message: err.Error()}
		}
		r.Category = m.vals.Category
		for _, f := range p.InputFields {
			if s := strings.TrimSpace(*m.vals.input(f.Name)); s != "" {
				if r.InputData == nil {
					r.InputData = map[string]string{}
				}
				r.InputData[f.Name] = s
			}
		}
	case api.VerticalMobile, api.VerticalInternet, api.VerticalGiftCard:
		return m.buildOneClick(r)
	case api.VerticalESIM:
		for _, v := range p.Variants {
			if v.ID == m.vals.VariantID {
				r.Amount, r.VariantID = v.Price, v.ID
			}
		}
		if r.Amount == 0 {
			return r, &api.Error{Kind: api.KindValidation, Field: "amount", Message: "pick a plan"}
		}
	}
	return r, nil
}
