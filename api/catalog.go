package api

import "strings"

// Product is a catalogue entry of any vertical.
type Product struct {
	Provider    Provider
	Vertical    Vertical
	ID          string
	Name        string
	Category    string
	SubCategory string
	CountryCode string
	Currency    string
	Type        string // GAMING, MOBILE, UTILITY; ADSL, 4G; operator for plans
	Enabled     bool
	// Denominations of a voucher: Min == Max is a fixed value.
	Denominations []Denomination
	// Variants of a topup, an eSIM product, or gift-card types.
	Variants    []Variant
	InputFields []InputField
}

// Denomination is a fixed face value (Min == Max) or a range.
type Denomination struct {
	Min, Max float64
	Discount float64
}

// Fixed reports a single value.
func (d Denomination) Fixed() bool { return d.Min == d.Max }

// Contains reports whether v is allowed by this denomination.
func (d Denomination) Contains(v float64) bool { return v >= d.Min && v <= d.Max }

// Variant is a purchasable option of a product.
type Variant struct {
	ID           string
	Name         string
	Category     string
	Currency     string
	Min, Max     float64   // a range, when both are set
	Fixed        []float64 // fixed amounts
	Price        float64   // eSIM amount, gift-card personal price
	DataGB       float64
	ValidityDays int
	Discount     float64
	Stock        int // gift cards: units in stock; -1 when unknown
	MaxQuantity  int // gift cards: per-order cap of the provider; 0 when none is known
	Fields       map[string]string
}

// Allows reports whether amount is one of the fixed amounts or inside the range.
func (v Variant) Allows(amount float64) bool {
	for _, f := range v.Fixed {
		if f == amount {
			return true
		}
	}
	if v.Max > 0 && amount >= v.Min && amount <= v.Max {
		return true
	}
	return v.Price > 0 && amount == v.Price
}

// InputField is a key a topup's input_data asks for.
type InputField struct {
	Name     string
	Label    string
	Required bool
	Pattern  string
	Example  string
}

// InputLabel is how the product names an input field ("Player ID"), never
// the wire name (player_id).
func InputLabel(p *Product, name string) string {
	if p != nil {
		for _, f := range p.InputFields {
			if f.Name == name && f.Label != "" {
				return f.Label
			}
		}
	}
	words := strings.Fields(strings.ReplaceAll(name, "_", " "))
	for i, w := range words {
		switch strings.ToLower(w) {
		case "id":
			words[i] = "ID"
		default:
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}
