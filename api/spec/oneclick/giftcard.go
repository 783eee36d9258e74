package oneclick

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/orderwatch/orderwatch/api"
)

// The gift-card vertical: a category, a product, one of its types and a
// quantity up to the type's stock. Gift cards have no reference at
// OneClickDz: the client reference is the journal's key alone.

const (
	keyGiftCategory = "category"
	keyTypeID       = "type"
)

func init() { api.RegisterSpec(GiftCardSpec()) }

// GiftCardSpec is the spec of OneClickDz gift cards.
func GiftCardSpec() *api.Spec {
	return &api.Spec{
		Vertical: api.VerticalGiftCard,
		Title:    "New gift card order",
		Narrow:   giftCategoryField,
		Pick: func(ps []api.Product, v api.Values) (api.Pick, error) {
			var out []api.Product
			for _, p := range ps {
				if p.Enabled && (v[keyGiftCategory] == "" || p.Category == v[keyGiftCategory]) {
					out = append(out, p)
				}
			}
			if len(out) == 0 {
				cat := v[keyGiftCategory]
				v[keyGiftCategory] = ""
				return api.Pick{}, errors.New("no enabled product in " + cat)
			}
			return api.Pick{Products: out}, nil
		},
		Details: giftDetails,
		Prefill: func(r api.OrderRequest, v api.Values) {
			v[keyTypeID] = r.VariantID
			if r.Quantity > 0 {
				v[api.KeyQuantity] = strconv.Itoa(r.Quantity)
			}
		},
		Request: func(p *api.Product, v api.Values) (api.OrderRequest, error) {
			r := api.BaseRequest(api.VerticalGiftCard, p, v)
			r.Email, r.VariantID = "", v[keyTypeID]
			n, err := api.ParseQuantity(v[api.KeyQuantity])
			if err != nil {
				return r, ruleErr(api.KeyQuantity, "%s", err)
			}
			r.Quantity = n
			return r, nil
		},
		Validate: validateRequest,
		Summary: func(r api.OrderRequest, p *api.Product, _ api.Values) []api.Row {
			typ := api.Row{Label: "Type", Value: r.VariantID}
			if v, ok := GiftVariant(p, r.VariantID); ok {
				typ.Value = fmt.Sprintf("%s · %s DZD each", v.Name, api.FormatAmount(v.Price, "DZD"))
			}
			return []api.Row{typ, {Label: "Quantity", Value: fmt.Sprint(r.Quantity)},
				{Label: "Journal key", Value: r.ClientReference, Note: " (not sent: gift cards have no reference)"}}
		},
		Result: oneClickResult(api.ResultSpec{ReferenceLabel: "Journal key", Rows: giftArithmetic, PerCardPrice: true}),
		Texts: api.Texts{
			Quoting: oneClickTexts.Quoting,
			Placing: "sent once; if the reply is lost it is looked for in gift-cards/list, never sent again",
			Looking: func(api.OrderRequest) string {
				return "looking for it in gift-cards/list (same product, type and quantity, placed after the intent)… (it is never sent again)"
			},
			LostReply: func(r api.OrderRequest) string {
				return "The reply to placeOrder was lost and gift cards have no reference. The order was not\n" +
					"sent again; it is looked for in gift-cards/list (same product, type and quantity,\n" +
					"placed after journal intent " + r.ClientReference + ") until found or ruled out."
			},
			LostKey: "r look again",
		},
		Place: api.PlaceSpec{
			Flags: []api.Flag{{Name: "product", Key: api.KeyProduct, Arg: "ID", Help: "catalogue product id (required)"},
				{Name: "type-id", Key: keyTypeID, Arg: "ID", Help: "the product's type (see the catalogue)"}},
			Quantity:   "1 up to the type's stock",
			Example:    "orderwatch place giftcard --product 507f1f77bcf86cd799439011 --type-id type_001 --quantity 2 --wait",
			ProductKey: api.KeyProduct,
			Check: func(v api.Values, _ func(string) bool) error {
				v[api.KeyProduct], v[keyTypeID] = strings.TrimSpace(v[api.KeyProduct]), strings.TrimSpace(v[keyTypeID])
				if v[api.KeyProduct] == "" {
					return errors.New("--product is required")
				}
				if v[keyTypeID] == "" {
					return errors.New("--type-id is required (the product's types are in the catalogue)")
				}
				if q, _ := strconv.Atoi(v[api.KeyQuantity]); q < 1 {
					return fmt.Errorf("--quantity %d: must be at least 1", q)
				}
				return nil
			},
			FlagOf: map[string]string{"type_id": "--type-id", "typeId": "--type-id"},
		},
	}
}

func giftCategoryField(ps []api.Product) *api.Field {
	seen := map[string]bool{}
	var cats []string
	for _, p := range ps {
		if p.Category != "" && !seen[p.Category] {
			seen[p.Category] = true
			cats = append(cats, p.Category)
		}
	}
	sort.Strings(cats)
	f := &api.Field{Key: keyGiftCategory, Kind: api.FieldSelect, Title: "Category", Description: "/ to search; enter to choose",
		Options: []api.Option{{Label: "Any category", Value: ""}}}
	for _, c := range cats {
		f.Options = append(f.Options, api.Option{Label: c, Value: c})
	}
	return f
}

func giftDetails(p *api.Product, v api.Values) []api.Field {
	typ := api.Field{Key: keyTypeID, Kind: api.FieldSelect, Title: "Type", Description: "name · your price · stock", Height: 8,
		Check: func(id string, _ api.Values) error {
			vr, ok := GiftVariant(p, id)
			if !ok {
				return errors.New("pick a type")
			}
			if vr.Stock == 0 {
				return fmt.Errorf("%s is out of stock", vr.Name)
			}
			return nil
		}}
	for _, vr := range p.Variants {
		label := fmt.Sprintf("%s · %s DZD · %d in stock", vr.Name, api.FormatAmount(vr.Price, "DZD"), vr.Stock)
		if vr.Stock == 0 {
			label = fmt.Sprintf("%s · %s DZD · out of stock", vr.Name, api.FormatAmount(vr.Price, "DZD"))
		} else if vr.Stock < 0 {
			label = fmt.Sprintf("%s · %s DZD", vr.Name, api.FormatAmount(vr.Price, "DZD"))
		}
		if v[keyTypeID] == "" && vr.Stock != 0 {
			v[keyTypeID] = vr.ID
		}
		typ.Options = append(typ.Options, api.Option{Label: label, Value: vr.ID})
	}
	limit := ""
	for _, vr := range p.Variants {
		if vr.MaxQuantity > 0 {
			limit = fmt.Sprintf(", at most %d per order", vr.MaxQuantity)
			break
		}
	}
	quantity := api.Field{Key: api.KeyQuantity, Title: "Quantity",
		Description: "1 up to the type's stock" + limit + "; every card is listed in the result",
		Check: func(s string, vals api.Values) error {
			n, err := api.ParseQuantity(s)
			if err != nil {
				return err
			}
			vr, ok := GiftVariant(p, vals[keyTypeID])
			if !ok {
				return api.ValidateQuantityRange(n)
			}
			return ValidateGiftQuantity(vr, n)
		}}
	return []api.Field{typ, quantity, {Kind: api.FieldNote, Title: "Journal key",
		Description: v[api.KeyReference] + " — kept in the journal only: gift cards have no reference at OneClickDz"}}
}

// giftArithmetic is what a gift-card order cost and what came back.
func giftArithmetic(o api.Order) []api.Row {
	if o.Denomination <= 0 || o.Quantity <= 0 {
		return nil
	}
	price := api.FormatAmount(o.Denomination, "DZD")
	rows := []api.Row{{Label: "Ordered", Value: fmt.Sprintf("%d × %s DZD = %s DZD", o.Quantity, price, api.FormatAmount(float64(o.Quantity)*o.Denomination, "DZD"))}}
	if !o.Status.InFlight() || o.Status == api.StatusPartial {
		rows = append(rows, api.Row{Label: "Delivered", Value: fmt.Sprintf("%d × %s DZD = %s DZD", o.DeliveredQuantity, price, api.FormatAmount(o.Debited, "DZD"))})
		if o.Refunded > 0 {
			rows = append(rows, api.Row{Label: "Refunded", Value: fmt.Sprintf("%s DZD for %d undelivered", api.FormatAmount(o.Refunded, "DZD"), o.Quantity-o.DeliveredQuantity)})
		}
	}
	return rows
}
