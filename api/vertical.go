package api

import (
	"fmt"
	"strings"
)

// Provider names a reseller API.
type Provider string

const (
	ProviderOctopus  Provider = "octopus"
	ProviderOneClick Provider = "oneclickdz"
)

// Title is the provider's display name.
func (p Provider) Title() string {
	switch p {
	case ProviderOctopus:
		return "Octopus Cards"
	case ProviderOneClick:
		return "OneClickDz"
	}
	return string(p)
}

// Vertical is one kind of product of one provider; every order belongs to one.
type Vertical string

const (
	VerticalVoucher  Vertical = "voucher"  // Octopus gift-card vouchers
	VerticalTopup    Vertical = "topup"    // Octopus gaming and mobile top-ups
	VerticalESIM     Vertical = "esim"     // Octopus travel eSIMs
	VerticalMobile   Vertical = "mobile"   // OneClickDz mobile top-ups
	VerticalInternet Vertical = "internet" // OneClickDz ADSL / 4G top-ups
	VerticalGiftCard Vertical = "giftcard" // OneClickDz gift cards
)

// AllVerticals lists every vertical in display order.
var AllVerticals = []Vertical{
	VerticalVoucher, VerticalTopup, VerticalESIM,
	VerticalMobile, VerticalInternet, VerticalGiftCard,
}

// Provider returns the provider that sells this vertical.
func (v Vertical) Provider() Provider {
	switch v {
	case VerticalMobile, VerticalInternet, VerticalGiftCard:
		return ProviderOneClick
	}
	return ProviderOctopus
}

// Title is the tab name of the vertical.
func (v Vertical) Title() string {
	switch v {
	case VerticalVoucher:
		return "Vouchers"
	case VerticalTopup:
		return "Topups"
	case VerticalESIM:
		return "eSIM"
	case VerticalMobile:
		return "Mobile"
	case VerticalInternet:
		return "Internet"
	case VerticalGiftCard:
		return "Gift cards"
	}
	return string(v)
}

// Valid reports whether v is one of the known verticals.
func (v Vertical) Valid() bool {
	for _, k := range AllVerticals {
		if k == v {
			return true
		}
	}
	return false
}

// ParseVertical accepts a vertical's name in any case, plus a few plurals.
func ParseVertical(s string) (Vertical, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	switch n {
	case "vouchers", "order", "orders":
		n = "voucher"
	case "topups":
		n = "topup"
	case "esims":
		n = "esim"
	case "giftcards", "gift-card", "gift-cards", "gift_card":
		n = "giftcard"
	}
	v := Vertical(n)
	if !v.Valid() {
		return "", fmt.Errorf("unknown vertical %q (want one of voucher, topup, esim, mobile, internet, giftcard)", s)
	}
	return v, nil
}

// OrderKey identifies one order across providers: ids are unique per vertical.
type OrderKey struct {
	Vertical Vertical
	ID       string
}

func (k OrderKey) String() string { return string(k.Vertical) + ":" + k.ID }

// ParseOrderKey reads "VERTICAL:ID".
func ParseOrderKey(s string) (OrderKey, error) {
	v, id, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(id) == "" {
		return OrderKey{}, fmt.Errorf("order %q: want VERTICAL:ID", s)
	}
	vert, err := ParseVertical(v)
	if err != nil {
		return OrderKey{}, err
	}
	return OrderKey{Vertical: vert, ID: strings.TrimSpace(id)}, nil
}
