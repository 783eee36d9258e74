package orderform

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

// harness is a tiny program loop: commands run in goroutines, their
// messages come back through a channel and are delivered on the test
// goroutine only.
type harness struct {
	t    *testing.T
	m    *Model
	msgs chan tea.Msg
	out  []tea.Msg // PlacedMsg, ClosedMsg, CopyMsg
	// follow, when set, plays the dashboard: once an order is placed, its
	// tracked state comes to the form as OrderMsg.
	follow func(api.OrderKey) (api.Order, bool)
	stop   chan struct{}
}

var cmdType = reflect.TypeOf((tea.Cmd)(nil))

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, m: New(opts), msgs: make(chan tea.Msg, 1024), stop: make(chan struct{})}
	t.Cleanup(func() { close(h.stop) })
	h.m.SetSize(120, 60)
	h.exec(h.m.Init())
	return h
}

func (h *harness) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		defer func() { _ = recover() }() // a send after the test ended
		h.msgs <- cmd()
	}()
}

func (h *harness) deliver(msg tea.Msg) {
	if msg == nil {
		return
	}
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			h.exec(c)
		}
		return
	case PlacedMsg:
		h.out = append(h.out, msg)
		h.relay(msg.Order.Key())
		return
	case ClosedMsg, CopyMsg:
		h.out = append(h.out, msg)
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		for i := 0; i < v.Len(); i++ { // tea.Sequence
			h.exec(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	_, cmd := h.m.Update(msg)
	h.exec(cmd)
}

// relay sends the form the order's tracked state as it changes, as the
// dashboard forwards engine updates.
func (h *harness) relay(k api.OrderKey) {
	if h.follow == nil {
		return
	}
	go func() {
		var last api.Order
		for {
			select {
			case <-h.stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			if o, ok := h.follow(k); ok && (o.Status != last.Status || o.StatusText != last.StatusText || len(o.Vouchers) != len(last.Vouchers)) {
				last = o
				select {
				case h.msgs <- OrderMsg{Order: o}:
				case <-h.stop:
					return
				}
			}
		}
	}()
}

// press delivers keys synchronously, then lets pending messages settle.
func (h *harness) press(keys ...string) {
	for _, k := range keys {
		h.deliver(uitest.Key(k))
		h.settle()
	}
}

// typeText types each rune.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.deliver(uitest.Key(string(r)))
	}
	h.settle()
}

// settle delivers messages that arrive within a short quiet period.
func (h *harness) settle() {
	for {
		select {
		case msg := <-h.msgs:
			h.deliver(msg)
		case <-time.After(30 * time.Millisecond):
			return
		}
	}
}

func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case msg := <-h.msgs:
			h.deliver(msg)
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s; stage %s; view:\n%s", what, h.m.Stage(), h.view())
		}
	}
}

// waitStage waits for stage s with its form, if any, drawn.
func (h *harness) waitStage(s string) {
	h.t.Helper()
	h.waitFor("stage "+s, func() bool { return h.m.Stage() == s && h.drawn() })
}

// waitFocus waits for the field key to have focus, its form drawn.
func (h *harness) waitFocus(key string) {
	h.t.Helper()
	h.waitFor("focus on "+key, func() bool { return h.focused() == key && h.drawn() })
}

// drawn reports that the huh form, if any, has drawn its focused field
// (the thick left border): a new form draws its fields only once a
// message reaches it, and its Init commands come back asynchronously.
func (h *harness) drawn() bool {
	if h.m.form == nil || h.m.form.GetFocusedField() == nil {
		return true
	}
	return strings.Contains(h.view(), "┃")
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;:?]*[a-zA-Z]|\x1b\][^\x07]*\x07`)

func (h *harness) view() string { return ansiRE.ReplaceAllString(h.m.View(), "") }

// focused is the key of the huh field with focus.
func (h *harness) focused() string {
	if h.m.form == nil {
		return ""
	}
	if f := h.m.form.GetFocusedField(); f != nil {
		return f.GetKey()
	}
	return ""
}

// to presses enter until the field key has focus (earlier fields keep
// their values). huh moves the focus through a NextField command, so each
// press waits (up to the deadline) for the focus to leave the field rather
// than take a slow scheduler for a stuck field.
func (h *harness) to(key string) {
	h.t.Helper()
	for i := 0; i < 20 && h.focused() != key; i++ {
		before := h.focused()
		h.press("enter")
		h.waitFor(fmt.Sprintf("the focus to leave %q on the way to %q (stuck?)", before, key),
			func() bool { return h.focused() != before && h.drawn() })
	}
	require.Equal(h.t, key, h.focused())
}

// replace clears the focused input and types s.
func (h *harness) replace(s string) {
	f := h.m.form.GetFocusedField()
	cur, _ := f.GetValue().(string)
	for range []rune(cur) {
		h.deliver(uitest.Key("backspace"))
	}
	h.typeText(s)
}

// pickOption moves a select down to the option whose label contains text.
func (h *harness) pickOption(labels []string, text string) {
	h.t.Helper()
	for i, l := range labels {
		if strings.Contains(l, text) {
			for range i {
				h.deliver(uitest.Key("down"))
			}
			h.settle()
			return
		}
	}
	h.t.Fatalf("no option %q in %q", text, labels)
}

// outSince is the messages of type T in h.out from index n on.
func outSince[T any](h *harness, n int) []T {
	var got []T
	for _, m := range h.out[n:] {
		if v, ok := m.(T); ok {
			got = append(got, v)
		}
	}
	return got
}

// copyOn presses keys and returns the one CopyMsg they emit. It comes from
// a command, maybe after the keys settled: wait for it (up to the
// deadline), then settle so that a second one is counted too.
func (h *harness) copyOn(keys ...string) CopyMsg {
	h.t.Helper()
	n := len(h.out)
	h.press(keys...)
	h.waitFor(fmt.Sprintf("a CopyMsg after %q", keys), func() bool { return len(outSince[CopyMsg](h, n)) > 0 })
	h.settle()
	got := outSince[CopyMsg](h, n)
	require.Len(h.t, got, 1, "one copy for %q", keys)
	return got[0]
}

// closesOn presses keys and waits (up to the deadline) for the ClosedMsg
// they emit.
func (h *harness) closesOn(keys ...string) {
	h.t.Helper()
	n := len(h.out)
	h.press(keys...)
	h.waitFor(fmt.Sprintf("a ClosedMsg after %q", keys), func() bool { return len(outSince[ClosedMsg](h, n)) > 0 })
}

// closed reports a ClosedMsg so far, after a settle: only for checking
// that none came (closesOn waits for one).
func (h *harness) closed() bool {
	h.settle()
	return len(outSince[ClosedMsg](h, 0)) > 0
}

// placeFromDetails goes from the details form to the wallet, confirms the
// quote and waits for the result.
func (h *harness) placeFromDetails() {
	h.t.Helper()
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	h.press("enter")
	h.waitStage("result")
}

// placed waits (up to the harness deadline) for at least n PlacedMsg, then
// settles so that any extra one would be counted too: the message is
// emitted by a command, after the stage has already changed.
func (h *harness) placed(n int) []PlacedMsg {
	h.t.Helper()
	if n > 0 {
		h.waitFor("PlacedMsg", func() bool { return len(h.placedNow()) >= n })
	}
	h.settle()
	return h.placedNow()
}

func (h *harness) placedNow() []PlacedMsg {
	var out []PlacedMsg
	for _, m := range h.out {
		if p, ok := m.(PlacedMsg); ok {
			out = append(out, p)
		}
	}
	return out
}

// --- fakes --------------------------------------------------------------------

type fakeCatalog struct {
	products []api.Product
	calls    atomic.Int32
}

func (c *fakeCatalog) Products(_ context.Context, v api.Vertical, _ string) ([]api.Product, error) {
	c.calls.Add(1)
	var out []api.Product
	for _, p := range c.products {
		if p.Vertical == v {
			q := p
			q.Variants, q.InputFields = nil, nil // lists are light, as the real ones
			out = append(out, q)
		}
	}
	return out, nil
}

func (c *fakeCatalog) Product(_ context.Context, v api.Vertical, id string) (api.Product, error) {
	c.calls.Add(1)
	for _, p := range c.products {
		if p.Vertical == v && p.ID == id {
			return p, nil
		}
	}
	return api.Product{}, &api.Error{Kind: api.KindNotFound, Message: "Product not found"}
}

type fakePlacer struct {
	mu       sync.Mutex
	quote    api.Quote
	quoteErr error
	quotes   int
	// result of Place
	order    api.Order
	placeErr error
	places   int
	gate     chan struct{} // when set, Place waits for it
	requests []api.OrderRequest
}

func (p *fakePlacer) Quote(_ context.Context, r api.OrderRequest) (api.Quote, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.quotes++
	q := p.quote
	if q.TotalPayable == 0 && p.quoteErr == nil {
		q = api.Quote{Vertical: r.Vertical, FaceValue: r.Amount * float64(max(r.Quantity, 1)), Currency: "USD", WalletCurrency: "USD"}
		q.Discount = q.FaceValue * 0.035
		q.DiscountPct = 3.5
		q.Total = q.FaceValue - q.Discount
		q.TotalPayable = q.Total
	}
	return q, p.quoteErr
}

func (p *fakePlacer) PlaceOrder(ctx context.Context, r api.OrderRequest) (api.Order, error) {
	return p.place(ctx, r)
}

func (p *fakePlacer) place(_ context.Context, r api.OrderRequest) (api.Order, error) {
	p.mu.Lock()
	p.places++
	p.requests = append(p.requests, r)
	gate := p.gate
	o, err := p.order, p.placeErr
	p.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if o.ID != "" && o.ClientReference == "" {
		o.ClientReference = r.ClientReference
	}
	return o, err
}

func (p *fakePlacer) counts() (quotes, places int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.quotes, p.places
}

func (p *fakePlacer) lastRequest() api.OrderRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests[len(p.requests)-1]
}

func catalogue() *fakeCatalog {
	return &fakeCatalog{products: []api.Product{
		{Vertical: api.VerticalVoucher, ID: "1000", Name: "Amazon.com Gift Card", Category: "Shopping", CountryCode: "USA", Currency: "USD",
			Denominations: []api.Denomination{{Min: 1, Max: 2000, Discount: 2}}},
		{Vertical: api.VerticalVoucher, ID: "1001", Name: "Steam Wallet USD", Category: "Gaming", SubCategory: "Steam", CountryCode: "USA", Currency: "USD",
			Denominations: []api.Denomination{{Min: 5, Max: 5}, {Min: 10, Max: 10}, {Min: 20, Max: 20}}},
		{Vertical: api.VerticalTopup, ID: "4218", Name: "PUBG Mobile UC", Type: "GAMING", CountryCode: "GLO", Currency: "USD",
			InputFields: []api.InputField{{Name: "player_id", Label: "Player ID", Required: true, Pattern: `^[0-9]{5,12}$`}, {Name: "server", Label: "Server"}},
			Variants:    []api.Variant{{ID: "88001", Name: "60 UC", Category: "In-Game Currency", Fixed: []float64{0.99}}, {ID: "88002", Name: "325 UC", Category: "In-Game Currency", Fixed: []float64{4.99}}}},
		{Vertical: api.VerticalTopup, ID: "4219", Name: "Airtel India", Type: "MOBILE", CountryCode: "IND", Currency: "INR",
			InputFields: []api.InputField{{Name: "phone_number", Label: "Phone number (E.164)", Required: true}},
			Variants: []api.Variant{{ID: "a", Name: "Airtime", Category: "Airtime", Min: 10, Max: 5000},
				{ID: "d", Name: "1.5 GB/day", Category: "Data", Fixed: []float64{299}}}},
		{Vertical: api.VerticalESIM, ID: "712", Name: "Japan eSIM", CountryCode: "JPN", Currency: "USD",
			Variants: []api.Variant{{ID: "5511", Name: "Japan 1 GB / 7 days", Price: 4.5, DataGB: 1, ValidityDays: 7},
				{ID: "5512", Name: "Japan 5 GB / 30 days", Price: 15, DataGB: 5, ValidityDays: 30}}},
		{Vertical: api.VerticalESIM, ID: "904", Name: "Global Roaming", CountryCode: "GLO", Currency: "USD",
			Variants: []api.Variant{{ID: "6001", Name: "Global 1 GB", Price: 9, DataGB: 1, ValidityDays: 7}}},
	}}
}

func wallets() []api.Wallet {
	return []api.Wallet{{Provider: api.ProviderOctopus, ID: "1", Currency: "USD", Balance: 10000, Type: "PREPAID"},
		{Provider: api.ProviderOctopus, ID: "2", Currency: "EUR", Balance: 500, Type: "PREPAID"}}
}

func fakeOpts(v api.Vertical, cat *fakeCatalog, p *fakePlacer) Options {
	return Options{Vertical: v, Catalog: cat, Quoter: p, Place: p.place, Wallets: wallets()}
}

// lookupCatalog is a catalogue that can also look a phone number up (the
// api.PhoneLookup capability, found by type assertion).
type lookupCatalog struct {
	*fakeCatalog
	lookup func(ctx context.Context, phone string) ([]api.LookupHit, error)
}

func (c lookupCatalog) LookupPhone(ctx context.Context, phone string) ([]api.LookupHit, error) {
	return c.lookup(ctx, phone)
}

// lineCatalog is a catalogue that can also check an internet line.
type lineCatalog struct {
	api.Catalog
	check func(ctx context.Context, typ, number string) (api.LineInfo, error)
}

func (c lineCatalog) CheckLine(ctx context.Context, typ, number string) (api.LineInfo, error) {
	return c.check(ctx, typ, number)
}

// catalogOnly hides every capability of a client but its catalogue.
type catalogOnly struct{ api.Catalog }

// quoterOnly hides every capability of a client but its quotes.
type quoterOnly struct{ api.Quoter }

func productLabels(ps []api.Product) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = api.ProductLabel(p)
	}
	return out
}

// picks is what the spec's product step offers from the list, now.
func (m *Model) picks() []api.Product {
	p, _ := m.spec.Pick(m.products, m.values())
	return p.Products
}

// checkIntro runs the rule of the spec's Intro field key on s, as the form
// does while the value is typed.
func (m *Model) checkIntro(key, s string) error {
	return m.checkIn(m.spec.Intro(m.caps()), key, s)
}

// checkDetail runs the rule of the chosen product's field key on s.
func (m *Model) checkDetail(key, s string) error {
	return m.checkIn(m.spec.Details(m.product, m.values()), key, s)
}

func (m *Model) checkIn(fs []api.Field, key, s string) error {
	for _, f := range fs {
		if f.Key == key && f.Check != nil {
			return plain(f.Check(s, m.values()))
		}
	}
	panic("no field " + key)
}
