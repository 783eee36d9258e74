// Package orderform is the order form of the dashboard: pick a product,
// fill the fields, see the quote, confirm, place exactly once, and show the
// result. It is a self-contained Bubble Tea component (huh forms inside)
// driven by the vertical's api.Spec: the steps, fields, rules, summary and
// result section are the spec's, the same the `place` command reads. The
// dashboard forwards every message to it while it is open, sends it OrderMsg
// for the order it placed, and reacts to PlacedMsg, ClosedMsg and CopyMsg.
package orderform

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/ui/theme"
)

// Options configure a form. Catalog, Quoter and Place are required unless
// ReadOnly.
type Options struct {
	Vertical api.Vertical
	Catalog  api.Catalog
	// Quoter prices the order. The form never holds a Placer: orders are
	// sent only through Place.
	Quoter api.Quoter
	// Place sends the order exactly once, through the journal (the
	// dashboard passes the engine's journaled place function).
	Place func(ctx context.Context, r api.OrderRequest) (api.Order, error)
	// Find looks an order up by reference after an unknown outcome; nil
	// leaves that to the journal.
	Find    func(ctx context.Context, v api.Vertical, ref string) (api.Order, bool, error)
	Wallets []api.Wallet
	// Live marks a LIVE account: the confirm step needs a typed word.
	Live bool
	// ReadOnly refuses to open the form (--readonly).
	ReadOnly bool
	Now      func() time.Time
	// Palette draws the form; the zero value is the dark palette in color.
	Palette theme.Palette
	// Prefill fills the form (edit and retry); its reference is kept as given.
	Prefill *api.OrderRequest
	// Focus is the field that gets the focus once the details show (edit
	// and retry: the one the provider refused), by its key; optional.
	Focus string
	// Timeout bounds each catalogue, quote and lookup call (default 30 s);
	// placing is bounded by the Place func itself.
	Timeout time.Duration
}

// OrderMsg tells an open form the newest state of an order; a form showing
// that order's result updates it. The dashboard sends one for every engine
// update of the order the form placed.
type OrderMsg struct{ Order api.Order }

// PlacedMsg says an order exists now (whatever its status): the dashboard
// tracks and highlights it, and from then on sends the form its updates.
type PlacedMsg struct{ Order api.Order }

// ClosedMsg asks the dashboard to close the form Form (its ID): a late one
// must not close a form opened since.
type ClosedMsg struct{ Form int64 }

// CopyMsg asks the dashboard to copy Text (OSC 52); What names it.
type CopyMsg struct{ What, Text string }

type stage int

const (
	stageRefused stage = iota // read-only or misconfigured
	stageLoading              // catalogue, intro resolution or product detail on the way
	stagePick                 // the intro, the narrowing, the product
	stageDetails              // the product's fields
	stageQuoting
	stageConfirm
	stagePlacing
	stageLookup // outcome unknown: looking the reference up
	stageResult
)

// step is a sub-step of stagePick.
type step int

const (
	stepProduct step = iota
	stepIntro        // the spec's Intro fields (a phone, a line)
	stepNarrow       // the spec's Narrow select (a country, a category)
)

var formIDs atomic.Int64

// Model is the form component.
type Model struct {
	opts   Options
	spec   *api.Spec
	id     int64 // tags async results so a reopened form drops stale ones
	seq    int   // bumps on every request; stale replies are dropped
	stage  stage
	step   step
	width  int
	height int
	styles styles

	form *huh.Form
	vals map[string]*string // the fields' values by key, bound by pointer

	products []api.Product // the catalogue list (or the intro's products)
	pick     api.Pick      // what the product step offers
	product  *api.Product  // the chosen product, with variants

	req      api.OrderRequest
	quote    *api.Quote
	wallet   *api.Wallet
	quoteErr error
	typed    string // LIVE confirmation word

	sent bool // the one Place call was issued
	// placingAt is when the create left; spin turns the spinner while it
	// is in flight (an eSIM create may take its documented 60 s).
	placingAt time.Time
	spin      int
	order     *api.Order
	placeErr  error
	found     bool // the order came from a reference lookup

	loadErr   error
	banner    string // a message above the form (final validation, server error)
	walletSet bool   // the wallet was chosen (prefill): loading a product keeps it
	reveal    bool
	cursor    int // selected voucher (or offer) in the result
	lastCopy  string
}

// New builds the form. Call Init for its first command.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Palette.Zero() {
		opts.Palette = theme.New(true, false)
	}
	m := &Model{opts: opts, id: formIDs.Add(1), width: 80, height: 24, styles: newStyles(opts.Palette), vals: map[string]*string{}}
	spec, ok := api.SpecOf(opts.Vertical)
	m.spec = spec
	switch {
	case opts.ReadOnly:
		m.stage = stageRefused
		m.loadErr = errors.New("read-only mode: placing orders is disabled")
	case !ok:
		m.stage = stageRefused
		m.spec = &api.Spec{Vertical: opts.Vertical}
		m.loadErr = fmt.Errorf("no order form for %s", opts.Vertical.Title())
	case opts.Catalog == nil || opts.Quoter == nil || opts.Place == nil:
		m.stage = stageRefused
		m.loadErr = errors.New("placing is not configured (no catalogue, quote or place function)")
	default:
		m.stage = stageLoading
		v := api.Values{api.KeyQuantity: "1", api.KeyReference: api.NewClientReference()}
		for k, s := range spec.Defaults {
			v[k] = s
		}
		if p := opts.Prefill; p != nil {
			m.prefill(*p, v)
		}
		m.setValues(v)
		m.set(api.KeyWallet, m.defaultWallet())
	}
	return m
}

// prefill reads a request back into v: what every request has, then the spec's part.
func (m *Model) prefill(r api.OrderRequest, v api.Values) {
	v[api.KeyProduct] = r.ProductID
	if r.ClientReference != "" {
		v[api.KeyReference] = r.ClientReference
	}
	if r.WalletID != "" {
		v[api.KeyWallet], m.walletSet = r.WalletID, true
	}
	if m.spec.Prefill != nil {
		m.spec.Prefill(r, v)
	}
}

// caps are the values a spec searches for the provider's capabilities.
func (m *Model) caps() []any { return []any{m.opts.Catalog, m.opts.Quoter} }

// --- values ---------------------------------------------------------------------

// bind is the pointer a field edits.
func (m *Model) bind(key string) *string {
	if p, ok := m.vals[key]; ok {
		return p
	}
	s := ""
	m.vals[key] = &s
	return &s
}

func (m *Model) val(key string) string {
	if p, ok := m.vals[key]; ok {
		return *p
	}
	return ""
}

func (m *Model) set(key, s string) { *m.bind(key) = s }

// values is a snapshot of the fields' values.
func (m *Model) values() api.Values {
	v := make(api.Values, len(m.vals))
	for k, p := range m.vals {
		v[k] = *p
	}
	return v
}

// setValues writes v back (a spec may change or add values).
func (m *Model) setValues(v api.Values) {
	for k, s := range v {
		m.set(k, s)
	}
}

// Init loads the catalogue, or asks the spec's Intro first.
func (m *Model) Init() tea.Cmd {
	if m.stage != stageLoading {
		return nil
	}
	if m.editing() {
		if m.spec.Direct != nil {
			if id := m.spec.Direct(m.values()); id != "" {
				return m.loadProduct(id)
			}
		}
		return m.loadProducts()
	}
	if m.spec.Intro != nil {
		if fs := m.spec.Intro(m.caps()); len(fs) > 0 {
			m.stage, m.step = stagePick, stepIntro
			return m.setForm(m.fieldsForm(fs))
		}
	}
	return m.loadProducts()
}

// Stage names where the form is, for the dashboard's help and tests.
func (m *Model) Stage() string {
	return [...]string{"refused", "loading", "pick", "details", "quoting", "confirm", "placing", "lookup", "result"}[m.stage]
}

// Request is the request being quoted or placed (zero before).
func (m *Model) Request() api.OrderRequest { return m.req }

// Order is the placed order, if any.
func (m *Model) Order() (api.Order, bool) {
	if m.order == nil {
		return api.Order{}, false
	}
	return *m.order, true
}

// Busy reports a request in flight that must not be abandoned (placing).
func (m *Model) Busy() bool { return m.stage == stagePlacing || m.stage == stageLookup }

// SetSize fits the form into w×h cells.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 8)
	if m.form != nil {
		m.form = m.form.WithWidth(m.formWidth()).WithHeight(m.formHeight())
	}
}

// SetPalette redraws the form in p (the terminal's background changed).
func (m *Model) SetPalette(p theme.Palette) {
	m.opts.Palette = p
	m.styles = newStyles(p)
	if m.form != nil {
		m.form = m.form.WithTheme(p.Huh())
	}
}

func (m *Model) formWidth() int  { return max(m.width-4, 16) }
func (m *Model) formHeight() int { return max(m.height-5, 6) }

func (m *Model) defaultWallet() string {
	if w := m.val(api.KeyWallet); w != "" {
		for _, x := range m.opts.Wallets {
			if x.ID == w {
				return x.ID
			}
		}
	}
	if len(m.opts.Wallets) == 0 {
		return ""
	}
	return m.opts.Wallets[0].ID
}

func (m *Model) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), m.opts.Timeout)
}

// --- async messages (tagged with the form id and sequence) -------------------

type productsMsg struct {
	id       int64
	seq      int
	products []api.Product
	err      error
}

type resolvedMsg struct {
	id   int64
	seq  int
	next api.Next
	err  error
}

type productMsg struct {
	id      int64
	seq     int
	product api.Product
	err     error
}

type quoteMsg struct {
	id    int64
	seq   int
	quote api.Quote
	err   error
}

type placedMsg struct {
	id    int64
	order api.Order
	err   error
}

type foundMsg struct {
	id    int64
	seq   int
	order api.Order
	found bool
	err   error
}

// formDoneMsg is the huh form's SubmitCmd.
type formDoneMsg struct {
	id   int64
	form *huh.Form
}

func (m *Model) loadProducts() tea.Cmd {
	m.stage = stageLoading
	m.seq++
	id, seq, cat, v := m.id, m.seq, m.opts.Catalog, m.opts.Vertical
	ctx, cancel := m.ctx()
	return func() tea.Msg {
		defer cancel()
		ps, err := cat.Products(ctx, v, "")
		return productsMsg{id: id, seq: seq, products: ps, err: err}
	}
}

func (m *Model) loadProduct(pid string) tea.Cmd {
	m.stage = stageLoading
	m.seq++
	id, seq, cat, v := m.id, m.seq, m.opts.Catalog, m.opts.Vertical
	ctx, cancel := m.ctx()
	return func() tea.Msg {
		defer cancel()
		p, err := cat.Product(ctx, v, pid)
		return productMsg{id: id, seq: seq, product: p, err: err}
	}
}

// resolve runs the spec's Resolve on a copy of the values.
func (m *Model) resolve() tea.Cmd {
	if m.spec.Resolve == nil {
		return m.loadProducts()
	}
	m.stage = stageLoading
	m.seq++
	id, seq, f, caps, vals := m.id, m.seq, m.spec.Resolve, m.caps(), m.values()
	ctx, cancel := m.ctx()
	return func() tea.Msg {
		defer cancel()
		next, err := f(ctx, caps, vals)
		return resolvedMsg{id: id, seq: seq, next: next, err: err}
	}
}

func (m *Model) requestQuote() tea.Cmd {
	m.stage = stageQuoting
	m.quote, m.quoteErr, m.wallet, m.typed = nil, nil, nil, ""
	m.seq++
	id, seq, q, req := m.id, m.seq, m.opts.Quoter, cloneRequest(m.req)
	ctx, cancel := m.ctx()
	return func() tea.Msg {
		defer cancel()
		quote, err := q.Quote(ctx, req)
		return quoteMsg{id: id, seq: seq, quote: quote, err: err}
	}
}

// place issues the one Place call; every later call is a no-op.
func (m *Model) place() tea.Cmd {
	if m.sent || m.stage != stageConfirm {
		return nil
	}
	m.sent = true
	m.stage = stagePlacing
	m.placingAt = m.opts.Now()
	id, f, req := m.id, m.opts.Place, cloneRequest(m.req)
	return tea.Batch(func() tea.Msg {
		// No deadline of ours: the engine bounds the create and resolves
		// an unknown outcome itself.
		o, err := f(context.Background(), req)
		return placedMsg{id: id, order: o, err: err}
	}, spinTick(id))
}

// spinMsg turns the placing spinner; ticks run only while placing.
type spinMsg struct{ id int64 }

func spinTick(id int64) tea.Cmd {
	return tea.Tick(200*time.Millisecond, func(time.Time) tea.Msg { return spinMsg{id: id} })
}

func (m *Model) find() tea.Cmd {
	if m.opts.Find == nil {
		return nil
	}
	m.stage = stageLookup
	m.seq++
	id, seq, f, v, ref := m.id, m.seq, m.opts.Find, m.req.Vertical, m.req.ClientReference
	ctx, cancel := m.ctx()
	return func() tea.Msg {
		defer cancel()
		o, ok, err := f(ctx, v, ref)
		return foundMsg{id: id, seq: seq, order: o, found: ok, err: err}
	}
}

func cloneRequest(r api.OrderRequest) api.OrderRequest {
	if r.InputData != nil {
		in := make(map[string]string, len(r.InputData))
		for k, v := range r.InputData {
			in[k] = v
		}
		r.InputData = in
	}
	return r
}

func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// ID tells this form apart from any other opened in the process.
func (m *Model) ID() int64 { return m.id }

// Watching is the order whose updates the form wants (OrderMsg), if any.
func (m *Model) Watching() (api.OrderKey, bool) {
	if m.order == nil || m.order.ID == "" {
		return api.OrderKey{}, false
	}
	return m.order.Key(), true
}

func (m *Model) closed() tea.Cmd { return emit(ClosedMsg{Form: m.id}) }

// editing reports a prefill that names what to buy (edit and retry), not
// just a reference.
func (m *Model) editing() bool {
	p := m.opts.Prefill
	return p != nil && (p.ProductID != "" || p.VariantID != "" || p.Recipient != "")
}
