package api

// Status is the normalized state of an order. Raw provider values are kept on
// the order beside it; a value no mapping knows becomes StatusUnknown.
type Status string

const (
	StatusUnknown    Status = "unknown"    // a raw value we do not understand: shown verbatim, polled on
	StatusPending    Status = "pending"    // accepted, waiting for fulfilment
	StatusProcessing Status = "processing" // a server is working on it (OneClickDz HANDLING)
	StatusDelivered  Status = "delivered"  // DELIVERED / FULFILLED
	StatusPartial    Status = "partial"    // some units delivered (PARTIALLY_DELIVERED / PARTIALLY_FILLED)
	StatusFailed     Status = "failed"     // rejected; the provider refunds it
	StatusRefunded   Status = "refunded"   // OneClickDz REFUNDED: failed, balance returned
	StatusCancelled  Status = "cancelled"  // cancelled administratively
	StatusUncertain  Status = "uncertain"  // OneClickDz UNKNOWN_ERROR: outcome not known yet; never refund
	StatusScheduled  Status = "scheduled"  // OneClickDz QUEUED: processed within 12–48 h
)

// AllStatuses lists the normalized statuses in the order tables sort them.
var AllStatuses = []Status{
	StatusUnknown, StatusUncertain, StatusFailed, StatusRefunded, StatusCancelled,
	StatusPartial, StatusPending, StatusProcessing, StatusScheduled, StatusDelivered,
}

// InFlight reports whether the order is still expected to change by itself.
// Uncertain and scheduled orders are in flight: they resolve later.
func (s Status) InFlight() bool {
	switch s {
	case StatusPending, StatusProcessing, StatusUnknown, StatusUncertain, StatusScheduled, StatusPartial:
		return true
	}
	return false
}

// Failure reports a definite failure (the money came back or never left).
// Uncertain is deliberately not a failure.
func (s Status) Failure() bool {
	return s == StatusFailed || s == StatusRefunded || s == StatusCancelled
}

// Success reports a complete delivery.
func (s Status) Success() bool { return s == StatusDelivered }

// Problem reports states a support person should look at.
func (s Status) Problem() bool {
	return s.Failure() || s == StatusUnknown || s == StatusUncertain || s == StatusPartial
}

// Rank orders statuses for sorting: problems first.
func (s Status) Rank() int {
	for i, k := range AllStatuses {
		if k == s {
			return i
		}
	}
	return 0
}

// Normalize maps a raw status with the provider's registered mapping; a
// provider nobody registered knows no status.
func Normalize(p Provider, raw string) Status {
	if pi, ok := loadRegistry().byID[p]; ok && pi.Normalize != nil {
		return pi.Normalize(raw)
	}
	return StatusUnknown
}

// ActivationStatus is the eSIM install lifecycle, separate from the order status.
type ActivationStatus string

const (
	ActivationNone         ActivationStatus = ""
	ActivationNotInstalled ActivationStatus = "NOT_INSTALLED"
	ActivationActive       ActivationStatus = "ACTIVE"
	ActivationExpired      ActivationStatus = "EXPIRED"
)
