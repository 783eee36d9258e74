// Package orderform is the order form of the dashboard: pick a product,
// fill the fields, see the quote, confirm, place exactly once, and show the
// result. It is a self-contained Bubble Tea component (huh forms inside);
// the dashboard forwards every message to it while it is open and reacts to
// PlacedMsg, ClosedMsg and CopyMsg.
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
)

// LookupHit is one operator guess for a phone number.
type LookupHit struct {
	ProductID   string
	Name        string
	CountryCode string
	Identified  bool
}

// Options configure a form. Catalog, Placer (for the quote) and Place are
// required unless ReadOnly.
type Options struct {
	Vertical api.Vertical
	Catalog  api.Catalog
	Placer   api.Placer
	// Place sends the order exactly once (the dashboard passes Engine.Place
	// bound to its placer).
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
	IsDark   bool
	// Lookup suggests topup operators for a phone number (optional).
	Lookup func(ctx context.Context, phone string) ([]LookupHit, error)
	// Prefill fills the form (edit and retry); its reference is kept as given.
	Prefill *api.OrderRequest
	// Focus is the field that gets the focus once the details show (edit
	// and retry: the one the provider refused), by its key; optional.
	Focus string
	// Timeout bounds each catalogue, quote and lookup call (default 30 s);
	// placing is bounded by the Place func itself.
	Timeout time.Duration
	// CheckNumber checks an internet line (OneClickDz check-number) before
	// the value is chosen; optional.
	CheckNumber func(ctx context.Context, typ, number string) (LineInfo, error)
	// Current returns the tracked state of a placed order (Engine.Get); the
	// result follows it every FollowEvery while the order is in flight.
	// Optional: the dashboard may push OrderMsg instead.
	Current     func(key api.OrderKey) (api.Order, bool)
	FollowEvery time.Duration
}

// LineInfo is what a check of an internet line returns.
type LineInfo struct {
	NCLI, Offer, Type string
}

// OrderMsg tells an open form the newest state of an order; a form showing
// that order's result updates it.
type OrderMsg struct{ Order api.Order }

// PlacedMsg says an order exists now (whatever its status): the dashboard
// tracks and highlights it.
type PlacedMsg struct{ Order api.Order }

// ClosedMsg asks the dashboard to close the form Form (its ID): a late one
// must not close a form opened since.
type ClosedMsg struct{ Form int64 }

// CopyMsg asks the dashboard to copy Text (OSC 52); What names it.
type CopyMsg struct{ What, Text string }

// Supported reports verticals that have a form.
func Supported(v api.Vertical) bool { return v.Valid() }

type stage int

const (
	stageRefused stage = iota // read-only or misconfigured
	stageLoading              // catalogue, lookup or product detail on the way
	stagePick                 // choosing the product (eSIM: country first; topup: phone lookup)
	stageDetails              // the vertical's fields
	stageQuoting
	stageConfirm
	stagePlacing
	stageLookup // outcome unknown: looking the reference up
	stageResult
)

// step is a sub-step of stagePick.
type step int

const (
	stepProduct  step = iota
	stepCountry       // eSIM
	stepPhone         // topup: optional phone for the lookup; mobile: the number
	stepCategory      // gift cards
	stepLine          // internet: type and number
)

var formIDs atomic.Int64

// Model is the form component.
type Model struct {
	opts   Options
	id     int64 // tags async results so a reopened form drops stale ones
	seq    int   // bumps on every request; stale replies are dropped
	stage  stage
	step   step
	width  int
	height int
	styles styles

	form *huh.Form
	vals *values

	products []api.Product // the catalogue list
	hits     []LookupHit   // phone lookup suggestions
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

	loadErr  error
	banner   string // a message above the form (final validation, server error)
	reveal   bool
	cursor   int // selected voucher in the result
	lastCopy string

	line    *LineInfo // internet: the check-number result
	lineErr string    // internet: why the check failed (not a format error)
}

// New builds the form. Call Init for its first command.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.FollowEvery <= 0 {
		opts.FollowEvery = time.Second
	}
	m := &Model{opts: opts, id: formIDs.Add(1), width: 80, height: 24, styles: newStyles(opts.IsDark), vals: newValues()}
	switch {
	case opts.ReadOnly:
		m.stage = stageRefused
		m.loadErr = errors.New("read-only mode: placing orders is disabled")
	case !Supported(opts.Vertical):
		m.stage = stageRefused
		m.loadErr = fmt.Errorf("no order form for %s yet", opts.Vertical.Title())
	case opts.Catalog == nil || opts.Placer == nil || opts.Place == nil:
		m.stage = stageRefused
		m.loadErr = errors.New("placing is not configured (no catalogue, quote or place function)")
	default:
		m.stage = stageLoading
		m.vals.Reference = api.NewClientReference()
		if opts.Prefill != nil {
			m.vals.fromRequest(*opts.Prefill)
		}
		m.vals.WalletID = m.defaultWallet()
	}
	return m
}

// Init loads the catalogue.
func (m *Model) Init() tea.Cmd {
	if m.stage != stageLoading {
		return nil
	}
	switch {
	case m.opts.Vertical == api.VerticalTopup && m.opts.Lookup != nil && !m.editing():
		m.stage, m.step = stagePick, stepPhone
		return m.setForm(m.phoneForm())
	case m.opts.Vertical == api.VerticalMobile && !m.editing():
		m.stage, m.step = stagePick, stepPhone
		return m.setForm(m.msisdnForm())
	case m.opts.Vertical == api.VerticalInternet && !m.editing():
		m.stage, m.step = stagePick, stepLine
		return m.setForm(m.lineForm())
	case m.opts.Vertical == api.VerticalInternet:
		return m.loadProduct(m.vals.NetType)
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

func (m *Model) formWidth() int  { return max(m.width-4, 16) }
func (m *Model) formHeight() int { return max(m.height-5, 6) }

func (m *Model) defaultWallet() string {
	if m.vals.WalletID != "" {
		for _, w := range m.opts.Wallets {
			if w.ID == m.vals.WalletID {
				return w.ID
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

type lookupMsg struct {
	id   int64
	seq  int
	hits []LookupHit
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

func (m *Model) lookup(phone string) tea.Cmd {
	m.stage = stageLoading
	m.seq++
	id, seq, f := m.id, m.seq, m.opts.Lookup
	ctx, cancel := m.ctx()
	return func() tea.Msg {
		defer cancel()
		hits, err := f(ctx, phone)
		return lookupMsg{id: id, seq: seq, hits: hits, err: err}
	}
}

func (m *Model) requestQuote() tea.Cmd {
	m.stage = stageQuoting
	m.quote, m.quoteErr, m.wallet, m.typed = nil, nil, nil, ""
	m.seq++
	id, seq, p, req := m.id, m.seq, m.opts.Placer, cloneRequest(m.req)
	ctx, cancel := m.ctx()
	return func() tea.Msg {
		defer cancel()
		q, err := p.Quote(ctx, req)
		return quoteMsg{id: id, seq: seq, quote: q, err: err}
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

func (m *Model) closed() tea.Cmd { return emit(ClosedMsg{Form: m.id}) }

// editing reports a prefill that names what to buy (edit and retry), not
// just a reference.
func (m *Model) editing() bool {
	p := m.opts.Prefill
	return p != nil && (p.ProductID != "" || p.VariantID != "" || p.Recipient != "")
}

type lineMsg struct {
	id   int64
	seq  int
	info LineInfo
	err  error
}

func (m *Model) checkLine() tea.Cmd {
	m.stage = stageLoading
	m.seq++
	id, seq, f, typ, num := m.id, m.seq, m.opts.CheckNumber, m.vals.NetType, m.vals.Number
	ctx, cancel := m.ctx()
	return func() tea.Msg {
		defer cancel()
		info, err := f(ctx, typ, num)
		return lineMsg{id: id, seq: seq, info: info, err: err}
	}
}

// followMsg re-reads the placed order's tracked state.
type followMsg struct{ id int64 }

func (m *Model) follow() tea.Cmd {
	if m.opts.Current == nil || m.order == nil || !following(*m.order) {
		return nil
	}
	id := m.id
	return tea.Tick(m.opts.FollowEvery, func(time.Time) tea.Msg { return followMsg{id: id} })
}

// following: an order expected to change soon. Uncertain and scheduled
// orders resolve in hours, and a OneClickDz partial fill is final.
func following(o api.Order) bool {
	switch {
	case o.Status == api.StatusUncertain || o.Status == api.StatusScheduled:
		return false
	case o.Status == api.StatusPartial && o.Provider == api.ProviderOneClick:
		return false
	}
	return o.Status.InFlight()
}
