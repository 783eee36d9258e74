package api

import "context"

// PhoneLookup names the products that can top up a phone number.
type PhoneLookup interface {
	LookupPhone(ctx context.Context, phone string) ([]PhoneMatch, error)
}

// PhoneMatch is one product PhoneLookup found.
type PhoneMatch struct {
	ProductID   string
	Name        string
	CountryCode string
	Identified  bool // the operator was identified from the number
}

// LineChecker checks a line before it is topped up (an internet line's
// subscriber and offer).
type LineChecker interface {
	CheckLine(ctx context.Context, typ, number string) (LineInfo, error)
}

// LineInfo is what LineChecker found.
type LineInfo struct {
	NCLI, Offer, Type string
}
