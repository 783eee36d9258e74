package orderform

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/ui/theme"
)

// The spec's fields, drawn as huh fields. The rules are the spec's: the
// form runs them as the user types, `orderwatch place` runs the same.

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

func (m *Model) newForm(fields ...huh.Field) *huh.Form {
	f := huh.NewForm(huh.NewGroup(fields...)).
		WithTheme(m.opts.Palette.Huh()).
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

// opt is a select option whose label, often a provider's catalogue text, is
// drawn without its control sequences.
func opt(label, value string) huh.Option[string] { return huh.NewOption(theme.Clean(label), value) }

// field draws one spec field; height caps a select (0: the field's own cap).
func (m *Model) field(f api.Field, height int) huh.Field {
	check := func(s string) error {
		if f.Check == nil {
			return nil
		}
		return plain(f.Check(s, m.values()))
	}
	switch f.Kind {
	case api.FieldNote:
		return huh.NewNote().Title(theme.Clean(f.Title)).Description(mdEscape(theme.Clean(f.Description)))
	case api.FieldSelect:
		opts := make([]huh.Option[string], 0, len(f.Options))
		for _, o := range f.Options {
			opts = append(opts, opt(o.Label, o.Value))
		}
		s := huh.NewSelect[string]().Key(f.Key).Title(f.Title).Options(opts...).Value(m.bind(f.Key)).Validate(check)
		if f.Description != "" {
			s = s.Description(theme.Clean(f.Description))
		}
		if height == 0 && f.Height > 0 {
			height = f.Height
		}
		if height > 0 {
			s = s.Height(min(len(opts)+2, height))
		}
		return s
	}
	in := huh.NewInput().Key(f.Key).Title(theme.Clean(f.Title)).Value(m.bind(f.Key)).Validate(check)
	if f.Description != "" {
		in = in.Description(theme.Clean(f.Description))
	}
	if f.Placeholder != "" {
		in = in.Placeholder(theme.Clean(f.Placeholder))
	}
	if f.CharLimit > 0 {
		in = in.CharLimit(f.CharLimit)
	}
	return in
}

// fieldsForm is a form of the spec's fields (the Intro).
func (m *Model) fieldsForm(fs []api.Field) *huh.Form {
	out := make([]huh.Field, 0, len(fs))
	for _, f := range fs {
		out = append(out, m.field(f, 0))
	}
	return m.newForm(out...)
}

// narrowForm is the spec's Narrow select over the catalogue list, or nil.
func (m *Model) narrowForm() *huh.Form {
	if m.spec.Narrow == nil {
		return nil
	}
	f := m.spec.Narrow(m.products)
	if f == nil {
		return nil
	}
	return m.newForm(m.field(*f, m.formHeight()-2))
}

// narrowOptions are the labels of the narrowing step, in order.
func (m *Model) narrowOptions() []string {
	if m.spec.Narrow == nil {
		return nil
	}
	f := m.spec.Narrow(m.products)
	if f == nil {
		return nil
	}
	out := make([]string, 0, len(f.Options))
	for _, o := range f.Options {
		out = append(out, o.Label)
	}
	return out
}

// pickLabel is what the product step shows of p.
func (m *Model) pickLabel(p api.Product) string {
	if m.pick.Label != nil {
		return m.pick.Label(p)
	}
	return api.ProductLabel(p)
}

func (m *Model) productForm() *huh.Form {
	ps := m.pick.Products
	opts := make([]huh.Option[string], 0, len(ps))
	found := false
	for _, p := range ps {
		opts = append(opts, opt(m.pickLabel(p), p.ID))
		found = found || p.ID == m.val(api.KeyProduct)
	}
	if !found && len(ps) > 0 {
		m.set(api.KeyProduct, ps[0].ID)
	}
	title, desc := m.pick.Title, m.pick.Description
	if title == "" {
		title = "Product"
	}
	if desc == "" {
		desc = "/ to search by name, category or country; enter to choose"
	}
	return m.newForm(
		huh.NewSelect[string]().Key("product").Title(title).Description(theme.Clean(desc)).
			Options(opts...).Value(m.bind(api.KeyProduct)).Height(min(len(opts)+2, max(m.formHeight()-3, 4))).
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
	return huh.NewSelect[string]().Key("wallet").Title("Pay from wallet").Options(opts...).Value(m.bind(api.KeyWallet))
}

// detailsForm is the spec's field set for the chosen product, between its
// title and the wallet.
func (m *Model) detailsForm() *huh.Form {
	p := m.product
	m.chooseWallet()
	v := m.values()
	specFields := m.spec.Details(p, v)
	m.setValues(v)
	fields := []huh.Field{huh.NewNote().Title(theme.Clean(p.Name)).Description(mdEscape(theme.Clean(api.ProductSummary(p))))}
	for _, f := range specFields {
		fields = append(fields, m.field(f, 0))
	}
	if w := m.walletField(); w != nil {
		fields = append(fields, w)
	}
	return m.newForm(fields...)
}

// mdEscape keeps a huh note (rendered as markdown) from eating the
// underscores of plan codes and offers.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "_", `\_`, "*", `\*`, "`", "\\`").Replace(s)
}

// chooseWallet defaults to the wallet in the product's currency (no FX).
func (m *Model) chooseWallet() {
	if m.walletSet || m.product == nil {
		return
	}
	for _, w := range m.opts.Wallets {
		if strings.EqualFold(w.Currency, m.product.Currency) {
			m.set(api.KeyWallet, w.ID)
			return
		}
	}
}

// buildRequest turns the values into a request; the caller validates it.
func (m *Model) buildRequest() (api.OrderRequest, error) {
	return m.spec.Request(m.product, m.values())
}
