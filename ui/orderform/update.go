package orderform

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/orderwatch/orderwatch/api"
)

// Update handles one message. Forward every message while the form is open.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
		return m, nil
	case productsMsg:
		if msg.id != m.id || msg.seq != m.seq {
			return m, nil
		}
		return m, m.onProducts(msg)
	case resolvedMsg:
		if msg.id != m.id || msg.seq != m.seq {
			return m, nil
		}
		return m, m.onResolved(msg)
	case productMsg:
		if msg.id != m.id || msg.seq != m.seq {
			return m, nil
		}
		return m, m.onProduct(msg)
	case quoteMsg:
		if msg.id != m.id || msg.seq != m.seq || m.stage != stageQuoting {
			return m, nil
		}
		m.onQuote(msg)
		return m, nil
	case placedMsg:
		if msg.id != m.id {
			return m, nil
		}
		return m, m.onPlaced(msg)
	case spinMsg:
		if msg.id != m.id || m.stage != stagePlacing {
			return m, nil
		}
		m.spin++
		return m, spinTick(m.id)
	case foundMsg:
		if msg.id != m.id || msg.seq != m.seq {
			return m, nil
		}
		return m, m.onFound(msg)
	case OrderMsg:
		if m.order != nil && msg.Order.Key() == m.order.Key() && msg.Order.Status != "" {
			m.setOrder(msg.Order)
		}
		return m, nil
	case formDoneMsg:
		if msg.id != m.id || msg.form != m.form {
			return m, nil
		}
		return m, m.advance()
	case tea.KeyPressMsg:
		if cmd, handled := m.onKey(msg); handled {
			return m, cmd
		}
	}
	return m, m.forward(msg)
}

// forward passes a message to the active huh form.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	if m.form == nil || (m.stage != stagePick && m.stage != stageDetails) {
		return nil
	}
	f, cmd := m.form.Update(msg)
	if hf, ok := f.(*huh.Form); ok {
		m.form = hf
	}
	switch m.form.State {
	case huh.StateCompleted:
		// The SubmitCmd also arrives; advance once, here.
		done := m.form
		next := m.advance()
		if m.form == done {
			m.form = nil
		}
		return tea.Batch(cmd, next)
	case huh.StateAborted:
		return m.closed()
	}
	return cmd
}

// advance moves on after a huh form completed.
func (m *Model) advance() tea.Cmd {
	if m.form == nil || m.form.State != huh.StateCompleted {
		return nil
	}
	m.banner = ""
	switch m.stage {
	case stagePick:
		switch m.step {
		case stepIntro:
			m.form = nil
			return m.resolve()
		case stepNarrow:
			return m.showPick()
		default:
			m.form = nil
			return m.loadProduct(m.val(api.KeyProduct))
		}
	case stageDetails:
		r, err := m.buildRequest()
		if err == nil {
			err = m.spec.Validate(r, m.product)
		}
		if err != nil {
			// The field rules should have caught it: say so and reopen.
			m.banner = api.Describe(err)
			return m.setForm(m.detailsForm())
		}
		m.form = nil
		m.req = r
		return m.requestQuote()
	}
	return nil
}

func describe(err error) string { return api.Describe(err) }

func (m *Model) onProducts(msg productsMsg) tea.Cmd {
	if msg.err != nil {
		m.loadErr = fmt.Errorf("loading the catalogue: %s", describe(msg.err))
		return nil
	}
	m.loadErr = nil
	m.products = msg.products
	if m.opts.Prefill != nil && m.opts.Prefill.ProductID != "" && m.product == nil {
		return m.loadProduct(m.opts.Prefill.ProductID)
	}
	if len(m.products) == 0 {
		m.loadErr = fmt.Errorf("the %s catalogue is empty", m.opts.Vertical.Title())
		return nil
	}
	m.stage = stagePick
	if f := m.narrowForm(); f != nil {
		m.step = stepNarrow
		return m.setForm(f)
	}
	return m.showPick()
}

// showPick offers the products the spec picks from the list; nothing to
// offer goes back to the narrowing (or says so).
func (m *Model) showPick() tea.Cmd {
	pickFn := m.spec.Pick
	if pickFn == nil {
		pickFn = func(ps []api.Product, _ api.Values) (api.Pick, error) { return api.Pick{Products: ps}, nil }
	}
	v := m.values()
	pick, err := pickFn(m.products, v)
	m.setValues(v)
	if err != nil {
		if f := m.narrowForm(); f != nil {
			m.banner = err.Error()
			m.stage, m.step = stagePick, stepNarrow
			return m.setForm(f)
		}
		m.stage, m.loadErr = stageLoading, err
		return nil
	}
	m.pick = pick
	m.stage, m.step = stagePick, stepProduct
	return m.setForm(m.productForm())
}

// onResolved goes where the spec's Resolve said.
func (m *Model) onResolved(msg resolvedMsg) tea.Cmd {
	if msg.err != nil {
		m.banner = describe(msg.err)
		return m.loadProducts()
	}
	n := msg.next
	m.setValues(n.Set)
	m.banner = n.Banner
	switch {
	case n.Again:
		m.stage, m.step = stagePick, stepIntro
		return m.setForm(m.fieldsForm(m.spec.Intro(m.caps())))
	case len(n.Products) > 0:
		m.products = n.Products
		m.pick = api.Pick{Products: n.Products, Description: n.PickNote}
		m.set(api.KeyProduct, n.Products[0].ID)
		m.stage, m.step = stagePick, stepProduct
		return m.setForm(m.productForm())
	case n.ProductID != "":
		return m.loadProduct(n.ProductID)
	}
	return m.loadProducts()
}

func (m *Model) onProduct(msg productMsg) tea.Cmd {
	if msg.err != nil {
		m.banner = "loading the product: " + describe(msg.err)
		if len(m.products) == 0 {
			m.loadErr = errors.New(m.banner)
			return nil
		}
		m.stage, m.step = stagePick, stepProduct
		if len(m.pick.Products) == 0 {
			m.pick = api.Pick{Products: m.products}
		}
		return m.setForm(m.productForm())
	}
	p := msg.product
	m.product = &p
	m.stage = stageDetails
	cmd := m.setForm(m.detailsForm())
	m.focusField(m.opts.Focus)
	return cmd
}

// focusField moves the details form's focus down to the field with key k,
// if there is one. Moving inside a group is synchronous; the commands it
// returns (cursor focus, or leaving the last field: submitting) are dropped.
func (m *Model) focusField(k string) {
	if k == "" || m.form == nil {
		return
	}
	for range 64 {
		f := m.form.GetFocusedField()
		if f == nil || f.GetKey() == k {
			return
		}
		before := f.GetKey()
		_ = m.form.NextField()
		if g := m.form.GetFocusedField(); g == nil || g.GetKey() == before {
			return // the last field: k is not in this form
		}
	}
}

func (m *Model) onQuote(msg quoteMsg) {
	m.stage = stageConfirm
	if msg.err != nil {
		m.quoteErr = msg.err
		return
	}
	q := msg.quote
	m.quote = &q
	if w, ok := m.payingWallet(q); ok {
		m.wallet = &w
		if err := api.CheckBalance(q, w); err != nil {
			m.quoteErr = err
		}
	}
}

func (m *Model) payingWallet(q api.Quote) (api.Wallet, bool) {
	if m.req.WalletID != "" {
		for _, w := range m.opts.Wallets {
			if w.ID == m.req.WalletID {
				return w, true
			}
		}
		return api.Wallet{}, false
	}
	cur := q.WalletCurrency
	if cur == "" {
		cur = q.Currency
	}
	for _, w := range m.opts.Wallets {
		if strings.EqualFold(w.Currency, cur) {
			return w, true
		}
	}
	return api.Wallet{}, false
}

// setOrder shows a newer state of the placed order.
func (m *Model) setOrder(o api.Order) {
	o = o.Clone()
	if o.ClientReference == "" && m.order != nil {
		o.ClientReference = m.order.ClientReference
	}
	m.order = &o
	m.cursor = min(m.cursor, max(max(len(o.Vouchers), len(o.SuggestedOffers))-1, 0))
}

func (m *Model) onPlaced(msg placedMsg) tea.Cmd {
	m.stage = stageResult
	if msg.err == nil || msg.order.ID != "" {
		o := msg.order
		m.order, m.placeErr = &o, msg.err
		return emit(PlacedMsg{Order: o})
	}
	m.placeErr = msg.err
	if !refused(msg.err) {
		if cmd := m.find(); cmd != nil {
			return cmd
		}
	}
	return nil
}

func (m *Model) onFound(msg foundMsg) tea.Cmd {
	m.stage = stageResult
	if msg.err != nil {
		m.banner = "lookup failed: " + describe(msg.err) + " — press l to look again"
		return nil
	}
	if !msg.found {
		m.banner = "no order has this reference yet — press l to look again"
		return nil
	}
	o := msg.order
	m.order, m.found, m.banner = &o, true, ""
	return emit(PlacedMsg{Order: o})
}

// liveWordOK reports the typed confirmation: "buy" or the product name.
func (m *Model) liveWordOK() bool {
	w := strings.TrimSpace(m.typed)
	return strings.EqualFold(w, "buy") || (m.product != nil && w != "" && strings.EqualFold(w, strings.TrimSpace(m.product.Name)))
}

// searching reports a field that uses esc itself (a list being searched, or
// one whose search text is still set): esc then goes to it instead of
// cancelling the whole form.
func (m *Model) searching() bool {
	if m.form == nil {
		return false
	}
	f := m.form.GetFocusedField()
	if f == nil {
		return false
	}
	for _, b := range f.KeyBinds() {
		if b.Enabled() && slices.Contains(b.Keys(), "esc") {
			return true
		}
	}
	return false
}

func (m *Model) onKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	s := k.String()
	switch m.stage {
	case stageRefused, stageLoading:
		switch s {
		case "esc": // not q: q quits everywhere else
			return m.closed(), true
		case "r":
			if m.loadErr != nil && m.stage == stageLoading {
				return m.loadProducts(), true
			}
		}
		return nil, true
	case stagePick, stageDetails:
		if s == "esc" && !m.searching() {
			return m.closed(), true
		}
		return nil, false
	case stageQuoting:
		if s == "esc" {
			m.seq++ // drop the quote in flight
			return m.backToDetails(), true
		}
		return nil, true
	case stageConfirm:
		return m.confirmKey(k), true
	case stagePlacing, stageLookup:
		return nil, true // one request in flight: every key waits
	case stageResult:
		return m.resultKey(s), true
	}
	return nil, false
}

func (m *Model) backToDetails() tea.Cmd {
	m.stage = stageDetails
	m.quote, m.quoteErr, m.typed = nil, nil, ""
	return m.setForm(m.detailsForm())
}

func (m *Model) confirmKey(k tea.KeyPressMsg) tea.Cmd {
	s := k.String()
	switch s {
	case "esc":
		return m.backToDetails()
	case "enter":
		if m.quoteErr != nil || m.quote == nil {
			return nil
		}
		if m.opts.Live && !m.liveWordOK() {
			m.banner = `type "buy" or the product name, then enter`
			return nil
		}
		return m.place()
	}
	if m.quoteErr != nil && s == "r" {
		return m.requestQuote()
	}
	if m.opts.Live {
		switch s {
		case "backspace":
			if r := []rune(m.typed); len(r) > 0 {
				m.typed = string(r[:len(r)-1])
			}
		default:
			if t := k.Text; t != "" && len([]rune(m.typed)) < 200 {
				m.typed += t
			}
		}
		return nil
	}
	if s == "y" && m.quoteErr == nil && m.quote != nil {
		return m.place()
	}
	return nil
}

func (m *Model) resultKey(s string) tea.Cmd {
	// The dashboard's letters where the action is the same (keymap.FormEntries):
	// v reveals, c copies a code, C a PIN, N a serial, Q an LPA code, r looks again.
	switch s {
	case "esc": // not enter: a double-pressed confirm must not hide what was just bought
		return m.closed()
	case "r": // look the reference up again: the order's state, fetched again
		if m.order == nil && m.placeErr != nil && !refused(m.placeErr) {
			return m.find()
		}
	case "E":
		if m.canRetry() {
			return m.editRetry()
		}
	}
	if m.order == nil {
		return nil
	}
	o := m.order
	switch s {
	case "v":
		m.reveal = !m.reveal
	case "up", "k":
		m.cursor = max(m.cursor-1, 0)
	case "down", "j":
		m.cursor = min(m.cursor+1, max(max(len(o.Vouchers), len(o.SuggestedOffers))-1, 0))
	case "Q":
		if o.ESIM != nil && o.ESIM.ActivationCode != "" {
			m.lastCopy = "activation code"
			return emit(CopyMsg{What: "activation code", Text: o.ESIM.ActivationCode})
		}
	case "c":
		if m.cursor < len(o.Vouchers) {
			m.lastCopy = "code"
			what := m.spec.Result.CodeName
			if what == "" {
				what = "code"
			}
			return emit(CopyMsg{What: what, Text: o.Vouchers[m.cursor].CardNumber})
		}
	case "N":
		if m.cursor < len(o.Vouchers) && o.Vouchers[m.cursor].Serial != "" {
			m.lastCopy = "serial"
			return emit(CopyMsg{What: "card serial", Text: o.Vouchers[m.cursor].Serial})
		}
	case "C":
		if m.cursor < len(o.Vouchers) && o.Vouchers[m.cursor].PIN != "" {
			m.lastCopy = "PIN"
			return emit(CopyMsg{What: "voucher PIN", Text: o.Vouchers[m.cursor].PIN})
		}
	}
	return nil
}

// canRetry: a failure the customer can fix, or a request the provider
// refused (nothing placed).
func (m *Model) canRetry() bool {
	if m.order != nil {
		return m.order.Status.Failure() && m.order.UserFixable
	}
	return m.placeErr != nil && refused(m.placeErr)
}

// refused reports an error that proves the order was not taken (the
// engine's definite rejections). Any other error may follow a create that
// landed, so it is never called "not placed" nor offered a retry under a
// new reference: that could buy the same thing twice.
func refused(err error) bool {
	switch api.KindOf(err) {
	case api.KindValidation, api.KindAuth, api.KindForbidden, api.KindNotFound,
		api.KindInsufficientFunds, api.KindRateLimited:
		return true
	}
	return false
}

// editRetry reopens the form filled in from the last request, with a NEW
// reference (the old one is spent).
func (m *Model) editRetry() tea.Cmd {
	prefill := cloneRequest(m.req)
	prefill.ClientReference = api.NewClientReference()
	// A refused order with offers: retry with the offer under the cursor.
	if o := m.order; o != nil && m.spec.Retry != nil && len(o.SuggestedOffers) > 0 {
		m.spec.Retry(&prefill, o.SuggestedOffers[min(m.cursor, len(o.SuggestedOffers)-1)])
	}
	opts := m.opts
	opts.Prefill = &prefill
	opts.Focus = m.refusedField()
	w, h := m.width, m.height
	*m = *New(opts)
	m.SetSize(w, h)
	return m.Init()
}

// refusedField is the key of the field the provider refused, from the
// validation error's field or the failure code (INVALID_PLAYER_ID,
// INVALID_RECIPIENT…), so edit and retry starts where the fix goes.
func (m *Model) refusedField() string {
	has := func(name string) bool {
		if m.product == nil {
			return false
		}
		for _, f := range m.product.InputFields {
			if f.Name == name {
				return true
			}
		}
		return false
	}
	input := func(pred func(string) bool) string {
		if m.product != nil {
			for _, f := range m.product.InputFields {
				if pred(f.Name) {
					return "input_data." + f.Name
				}
			}
		}
		return ""
	}
	var e *api.Error
	if errors.As(m.placeErr, &e) && e.Field != "" {
		switch {
		case has(e.Field):
			return "input_data." + e.Field
		case e.Field == "client_reference":
			return "reference"
		}
		return e.Field
	}
	if m.order == nil {
		return ""
	}
	code := strings.ToUpper(m.order.FailureCode)
	switch {
	case strings.Contains(code, "PLAYER"):
		return input(func(n string) bool { return strings.Contains(n, "player") })
	case strings.Contains(code, "RECIPIENT") || strings.Contains(code, "PHONE"):
		if k := input(api.IsPhoneField); k != "" {
			return k
		}
		return input(func(n string) bool { return true })
	case strings.Contains(code, "AMOUNT"):
		return "amount"
	}
	return ""
}
