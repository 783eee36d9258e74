package orderform

import (
	"context"
	"strings"
	"testing"

	ocspec "github.com/orderwatch/orderwatch/api/spec/oneclick"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

func ocCatalogue() *fakeCatalog {
	oc := func(p api.Product) api.Product { p.Provider, p.Currency = api.ProviderOneClick, "DZD"; return p }
	return &fakeCatalog{products: []api.Product{
		oc(api.Product{Vertical: api.VerticalMobile, ID: "PREPAID_DJEZZY", Name: "PREPAID", Type: "Djezzy", Enabled: true,
			Variants: []api.Variant{{ID: "PREPAID_DJEZZY", Min: 100, Max: 10000, Stock: -1}}}),
		oc(api.Product{Vertical: api.VerticalMobile, ID: "PREPAID_MOBILIS", Name: "PREPAID", Type: "Mobilis", Enabled: true,
			Variants: []api.Variant{{ID: "PREPAID_MOBILIS", Min: 40, Max: 3999, Stock: -1}}}),
		oc(api.Product{Vertical: api.VerticalMobile, ID: "MIX500_MOBILIS", Name: "MIX 500", Type: "Mobilis", Enabled: true,
			Variants: []api.Variant{{ID: "MIX500_MOBILIS", Fixed: []float64{500}, Stock: -1}}}),
		oc(api.Product{Vertical: api.VerticalMobile, ID: "PREPAID_PIXX", Name: "Pixx", Type: "Pixx", Enabled: false,
			Variants: []api.Variant{{ID: "PREPAID_PIXX", Min: 100, Max: 1000}}}),
		oc(api.Product{Vertical: api.VerticalInternet, ID: "ADSL", Type: "ADSL", Enabled: true,
			Variants: []api.Variant{{ID: "500", Fixed: []float64{500}, Price: 490, Stock: -1}, {ID: "2000", Fixed: []float64{2000}, Price: 1960, Stock: 0}}}),
		oc(api.Product{Vertical: api.VerticalInternet, ID: "4G", Type: "4G", Enabled: true,
			Variants: []api.Variant{{ID: "1000", Fixed: []float64{1000}, Price: 980, Stock: -1}}}),
		oc(api.Product{Vertical: api.VerticalGiftCard, ID: "psn", Name: "PlayStation Network", Category: "Gaming Cards", Enabled: true,
			Variants: []api.Variant{{ID: "t1", Name: "PSN 500 DA", Price: 490, Stock: 3, MaxQuantity: 50},
				{ID: "t3", Name: "PSN 2000 DA", Price: 1960, Stock: 0, MaxQuantity: 50},
				{ID: "t9", Name: "PSN 100 DA", Price: 98, Stock: 500, MaxQuantity: 50}}}),
		oc(api.Product{Vertical: api.VerticalGiftCard, ID: "pubg", Name: "PUBG Mobile UC", Category: "Mobile Games", Enabled: false}),
		oc(api.Product{Vertical: api.VerticalGiftCard, ID: "nflx", Name: "Netflix", Category: "Streaming", Enabled: true,
			Variants: []api.Variant{{ID: "n1", Name: "Netflix 1 month", Price: 1500, Stock: 10}}}),
	}}
}

func dzd() []api.Wallet {
	return []api.Wallet{{Provider: api.ProviderOneClick, ID: "DZD", Currency: "DZD", Balance: 5000, Type: "PREPAID"}}
}

func ocOpts(v api.Vertical, p *fakePlacer) Options {
	return Options{Vertical: v, Catalog: ocCatalogue(), Quoter: p, Place: p.place, Wallets: dzd()}
}

func withProduct(m *Model, id string) *Model {
	for _, p := range ocCatalogue().products {
		if p.ID == id {
			m.product = &p
		}
	}
	return m
}

func TestMobileNumberStep(t *testing.T) {
	h := newHarness(t, ocOpts(api.VerticalMobile, &fakePlacer{}))
	h.waitStage("pick")
	require.Equal(t, "msisdn", h.focused())
	h.typeText("+213778037340")
	h.press("enter")
	assert.Equal(t, "pick", h.m.Stage(), "a bad number does not move on")
	assert.Contains(t, h.view(), "not a mobile number")
	h.replace("0778037340")
	h.press("enter")
	h.waitFocus("product")
	ids := []string{}
	for _, p := range h.m.picks() {
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"PREPAID_DJEZZY"}, ids, "the Djezzy plans of 077")
	assert.Contains(t, h.view(), "0778037340 is a Djezzy number")

	h.m.set("msisdn", "0600000002")
	ids = ids[:0]
	for _, p := range h.m.picks() {
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"PREPAID_DJEZZY", "PREPAID_MOBILIS", "MIX500_MOBILIS"}, ids, "unknown prefix: every enabled plan, never a disabled one")
}

func TestMobileFieldValidation(t *testing.T) {
	m := withProduct(New(ocOpts(api.VerticalMobile, &fakePlacer{})), "PREPAID_DJEZZY")
	assert.NoError(t, m.checkDetail("msisdn", "0778037340"))
	assert.NoError(t, m.checkDetail("msisdn", "0600000002"), "magic numbers name no operator")
	assert.ErrorContains(t, m.checkDetail("msisdn", "0661234567"), "is a Mobilis number; plan PREPAID_DJEZZY is for Djezzy")
	assert.ErrorContains(t, m.checkDetail("msisdn", "778037340"), "not a mobile number")
	assert.NoError(t, m.checkDetail("amount", "100"))
	assert.NoError(t, m.checkDetail("amount", "10000"))
	assert.ErrorContains(t, m.checkDetail("amount", "99"), "outside 100–10000")
	assert.ErrorContains(t, m.checkDetail("amount", "10001"), "outside")
	assert.ErrorContains(t, m.checkDetail("amount", "150.5"), "whole number")
	assert.ErrorContains(t, m.checkDetail("amount", "abc"), "whole number")
	assert.Error(t, m.checkIntro("msisdn", "0778 037 340"))

	// A fixed plan has no amount to type; its amount is sent.
	p := &fakePlacer{order: api.Order{Provider: api.ProviderOneClick, Vertical: api.VerticalMobile, ID: "m1", Status: api.StatusPending}}
	o := ocOpts(api.VerticalMobile, p)
	o.Prefill = &api.OrderRequest{Vertical: api.VerticalMobile, ProductID: "MIX500_MOBILIS", Recipient: "0661234567", ClientReference: "ow-fixed-1"}
	h := newHarness(t, o)
	h.waitStage("details")
	h.settle()
	assert.Contains(t, h.view(), "500 DZD (fixed plan)")
	h.placeFromDetails()
	assert.Equal(t, api.OrderRequest{Vertical: api.VerticalMobile, ProductID: "MIX500_MOBILIS", Recipient: "0661234567", Amount: 500,
		Quantity: 1, WalletID: "DZD", ClientReference: "ow-fixed-1"}, p.lastRequest())
}

func TestMobileDetailsRefuseAnotherOperator(t *testing.T) {
	p := &fakePlacer{}
	o := ocOpts(api.VerticalMobile, p)
	o.Prefill = &api.OrderRequest{Vertical: api.VerticalMobile, ProductID: "PREPAID_DJEZZY", Recipient: "0661234567", Amount: 500}
	h := newHarness(t, o)
	h.waitStage("details")
	h.settle()
	require.Equal(t, "msisdn", h.focused())
	h.press("enter")
	assert.Equal(t, "msisdn", h.focused(), "the operator check keeps the focus on the number")
	assert.Contains(t, h.view(), "0661234567 is a Mobilis number; plan PREPAID_DJEZZY is for Djezzy")
	h.replace("0778037340")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.Equal(t, "0778037340", h.m.req.Recipient)
	q, _ := p.counts()
	assert.Equal(t, 1, q, "quoted once, after the number was fixed")
}

func TestInternetFieldValidation(t *testing.T) {
	m := New(ocOpts(api.VerticalInternet, &fakePlacer{}))
	m.set("type", ocspec.InternetADSL)
	assert.NoError(t, m.checkIntro("number", "036362608"))
	assert.ErrorContains(t, m.checkIntro("number", "36362608"), "not an ADSL number")
	assert.ErrorContains(t, m.checkIntro("number", "213472731602"), "not an ADSL number")
	m.set("type", ocspec.Internet4G)
	assert.NoError(t, m.checkIntro("number", "213472731602"))
	assert.ErrorContains(t, m.checkIntro("number", "+213472731602"), "not a 4G number")

	withProduct(m, "ADSL")
	assert.NoError(t, m.checkDetail("value", "500"))
	assert.ErrorContains(t, m.checkDetail("value", "2000"), "out of stock")
	assert.ErrorContains(t, m.checkDetail("value", "700"), "not a ADSL card")
	assert.Error(t, m.checkDetail("value", "x"))
}

func TestInternetLineCheck(t *testing.T) {
	p := &fakePlacer{}
	o := ocOpts(api.VerticalInternet, p)
	var refused bool
	o.Catalog = lineCatalog{o.Catalog, func(_ context.Context, typ, number string) (api.LineInfo, error) {
		if number == "099999990" && !refused {
			refused = true
			return api.LineInfo{}, &api.Error{Kind: api.KindValidation, Field: "number", Message: "Invalid phone number for ADSL service"}
		}
		if number == "099999991" {
			return api.LineInfo{}, &api.Error{Kind: api.KindNetwork, Message: "timed out"}
		}
		return api.LineInfo{NCLI: "11022*****", Offer: "FTTc-b_10M'", Type: typ}, nil
	}}
	h := newHarness(t, o)
	h.waitStage("pick")
	h.to("number") // keeps ADSL
	h.typeText("099999990")
	h.press("enter")
	// The old form is still up until huh completes it: wait for the new one.
	h.waitFor("the line form again, with the refusal", func() bool {
		return h.m.Stage() == "pick" && h.drawn() && strings.Contains(h.view(), "the line check refused the number: number: Invalid phone number")
	})

	require.Equal(t, "type", h.focused())
	h.to("number") // keeps ADSL
	h.replace("099999991")
	h.press("enter")
	h.waitStage("details")
	assert.Contains(t, h.view(), "not checked: timed out", "a failed check does not block")

	h2 := newHarness(t, o)
	h2.waitStage("pick")
	h2.to("number") // keeps ADSL
	h2.typeText("036362608")
	h2.press("enter")
	h2.waitStage("details")
	v := h2.view()
	assert.Contains(t, v, "ncli 11022*****")
	assert.Contains(t, v, "offre FTTc-b_10M'", "underscores survive the note")
	assert.Contains(t, v, "2000 DA · out of stock")
	h2.to("wallet")
	h2.press("enter")
	h2.waitStage("confirm")
	h2.press("enter")
	h2.waitStage("result")
	assert.Equal(t, api.OrderRequest{Vertical: api.VerticalInternet, ProductID: "ADSL", RecipientType: "ADSL", Recipient: "036362608",
		Amount: 500, Quantity: 1, WalletID: "DZD", ClientReference: p.lastRequest().ClientReference}, p.lastRequest())
}

func TestGiftCardFieldValidation(t *testing.T) {
	m := withProduct(New(ocOpts(api.VerticalGiftCard, &fakePlacer{})), "psn")
	assert.NoError(t, m.checkDetail("type", "t1"))
	assert.ErrorContains(t, m.checkDetail("type", "t3"), "out of stock")
	assert.Error(t, m.checkDetail("type", "nope"))
	m.set("type", "t1")
	assert.NoError(t, m.checkDetail("quantity", "3"))
	assert.ErrorContains(t, m.checkDetail("quantity", "4"), "only 3 of PSN 500 DA in stock")
	assert.ErrorContains(t, m.checkDetail("quantity", "0"), "at least 1")
	assert.ErrorContains(t, m.checkDetail("quantity", "two"), "whole number")
	m.set("type", "t9")
	assert.NoError(t, m.checkDetail("quantity", "50"))
	assert.ErrorContains(t, m.checkDetail("quantity", "51"), "at most 50 cards per order")
}

func TestGiftCardCategoryProductTypeQuantity(t *testing.T) {
	p := &fakePlacer{}
	h := newHarness(t, ocOpts(api.VerticalGiftCard, p))
	h.waitStage("pick")
	assert.Equal(t, []string{"Any category", "Gaming Cards", "Mobile Games", "Streaming"}, h.m.narrowOptions())
	h.pickOption(h.m.narrowOptions(), "Mobile Games")
	h.press("enter")
	// PUBG is disabled: the category step comes back with a banner (the
	// step completes through huh's commands).
	h.waitFor("the no-product banner", func() bool {
		return h.drawn() && strings.Contains(h.view(), "no enabled product in Mobile Games")
	})
	require.Equal(t, "category", h.focused(), "back on the category step")
	h.pickOption(h.m.narrowOptions(), "Gaming Cards")
	h.press("enter")
	h.waitFocus("product")
	require.Len(t, h.m.pick.Products, 1)
	h.press("enter")
	h.waitStage("details")
	v := h.view()
	assert.Contains(t, v, "PSN 500 DA · 490 DZD · 3 in stock")
	assert.Contains(t, v, "PSN 2000 DA · 1960 DZD · out of stock")
	assert.Contains(t, v, "at most 50 per order")
	h.to("quantity")
	h.replace("4")
	h.press("enter")
	assert.Equal(t, "quantity", h.focused(), "4 is more than the stock")
	assert.Contains(t, h.view(), "only 3 of PSN 500 DA in stock")
	h.replace("2")
	h.to("wallet")
	h.press("enter")
	h.waitStage("confirm")
	assert.Contains(t, h.view(), "not sent: gift cards have no reference")
	h.press("enter")
	h.waitStage("result")
	r := p.lastRequest()
	assert.Equal(t, api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: "psn", VariantID: "t1", Quantity: 2, WalletID: "DZD",
		ClientReference: r.ClientReference}, r)
}

func TestGiftCardUnknownOutcomeSaysWhereItLooks(t *testing.T) {
	p := &fakePlacer{placeErr: &api.Error{Kind: api.KindOutcomeUnknown, Message: "the request was sent but no answer came back"}}
	o := ocOpts(api.VerticalGiftCard, p)
	o.Prefill = &api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: "psn", VariantID: "t1", Quantity: 1}
	h := newHarness(t, o)
	h.waitStage("details")
	h.placeFromDetails()
	v := h.view()
	assert.Contains(t, v, "Outcome unknown")
	assert.Contains(t, v, "gift-cards/list")
	assert.Contains(t, v, "until found or ruled out")
	_, n := p.counts()
	assert.Equal(t, 1, n)
	h.press("E")
	_, n = p.counts()
	assert.Equal(t, 1, n, "no edit-and-retry on an unknown outcome")
	assert.Equal(t, "result", h.m.Stage())
}

func TestResultFollowsOrderUpdates(t *testing.T) {
	placed := api.Order{Provider: api.ProviderOneClick, Vertical: api.VerticalGiftCard, ID: "g1", Status: api.StatusProcessing,
		RawStatus: "HANDLING", Quantity: 4, Denomination: 490}
	p := &fakePlacer{order: placed}
	o := ocOpts(api.VerticalGiftCard, p)
	o.Prefill = &api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: "psn", VariantID: "t9", Quantity: 4}
	h := newHarness(t, o)
	h.waitStage("details")
	h.placeFromDetails()
	assert.Contains(t, h.view(), "PROCESSING")

	other := placed
	other.ID, other.Status = "g2", api.StatusDelivered
	h.deliver(OrderMsg{Order: other})
	assert.Contains(t, h.view(), "PROCESSING", "another order's update is ignored")

	done := placed
	done.Status, done.RawStatus, done.DeliveredQuantity, done.Debited, done.Refunded = api.StatusPartial, "PARTIALLY_FILLED", 2, 980, 980
	done.Vouchers = []api.Voucher{{CardNumber: "CARD-AAAA-0001", Serial: "S1"}, {CardNumber: "CARD-AAAA-0002", Serial: "S2"}}
	h.deliver(OrderMsg{Order: done})
	v := h.view()
	assert.Contains(t, v, "PARTIAL")
	assert.Contains(t, v, "2 of 4 codes")
	assert.Contains(t, v, "980 DZD for 2 undelivered")
	assert.Contains(t, v, "Journal key")
	assert.NotContains(t, v, "CARD-AAAA-0001")
}
