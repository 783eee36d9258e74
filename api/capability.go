package api

import "context"

// Quoter prices an order without placing it. The order form holds a Quoter
// and the engine's journaled place function, never a Placer: it cannot
// send an order past the journal.
type Quoter interface {
	Quote(ctx context.Context, r OrderRequest) (Quote, error)
}

// PhoneLookup suggests topup operators for a phone number. A provider that
// can do this says so by implementing it; callers find it by type assertion.
type PhoneLookup interface {
	LookupPhone(ctx context.Context, phone string) ([]LookupHit, error)
}

// LookupHit is one operator guess for a phone number.
type LookupHit struct {
	ProductID   string
	Name        string
	CountryCode string
	Identified  bool
}

// LineChecker checks an internet line before it is topped up.
type LineChecker interface {
	CheckLine(ctx context.Context, typ, number string) (LineInfo, error)
}

// LineInfo is what a check of an internet line returns.
type LineInfo struct {
	NCLI, Offer, Type string
}

// Capability returns the first of xs that implements T: a provider's
// optional abilities are found by type assertion, never by its name.
func Capability[T any](xs ...any) (T, bool) {
	for _, x := range xs {
		if t, ok := x.(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}
