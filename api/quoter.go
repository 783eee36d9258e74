package api

import "context"

// Quoter prices an order without placing it. The order form holds a Quoter
// and the engine's journaled place function, never a Placer: it cannot
// send an order past the journal.
type Quoter interface {
	Quote(ctx context.Context, r OrderRequest) (Quote, error)
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
