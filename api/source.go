package api

import (
	"context"
	"time"
)

// ListQuery narrows a list call. Zero values mean "provider default".
type ListQuery struct {
	Status          string // raw provider status filter, e.g. PENDING
	ClientReference string
	Page            int
	PerPage         int
	From, To        time.Time // OneClickDz date range
}

// Page describes where a list response sits (X-Page* headers, data.pagination).
type Page struct {
	Page, PerPage, TotalCount, TotalPages, Size int
	HasMore                                     bool
}

// OrderPage is one page of a list call.
type OrderPage struct {
	Orders []Order
	Page   Page
}

// EndpointClass is a rate-limit bucket of a provider (Octopus counts per class).
type EndpointClass string

const (
	ClassGET     EndpointClass = "GET"
	ClassCreate  EndpointClass = "CREATE"
	ClassCharges EndpointClass = "CHARGES"
	ClassAuth    EndpointClass = "AUTH"
)

// OrderSource is what the tracking engine needs from a provider.
type OrderSource interface {
	Provider() Provider
	Verticals() []Vertical
	// GetOrder returns the freshest state of one order (the detail call).
	GetOrder(ctx context.Context, v Vertical, id string) (Order, error)
	// FindByReference looks an order up by its idempotency key; found is
	// false (with a nil error) when the provider has no such order.
	FindByReference(ctx context.Context, v Vertical, ref string) (o Order, found bool, err error)
	// ListOrders returns one page, newest first.
	ListOrders(ctx context.Context, v Vertical, q ListQuery) (OrderPage, error)
	Wallets(ctx context.Context) ([]Wallet, error)
}

// OrderRequest is everything needed to quote or place an order of any vertical.
type OrderRequest struct {
	Vertical        Vertical
	ProductID       string
	VariantID       string  // OneClickDz plan_code or gift-card typeId
	Amount          float64 // denomination (vouchers) or amount (topup, eSIM, mobile, internet value)
	Quantity        int
	WalletID        string
	ClientReference string
	Email           string
	Category        string
	InputData       map[string]string // Octopus topup input_data
	Recipient       string            // OneClickDz MSISDN or internet number
	RecipientType   string            // OneClickDz internet ADSL | 4G
}

// Placer quotes and places orders. PlaceOrder sends exactly one create
// request and never retries it; a transport failure after sending is an
// *Error of KindOutcomeUnknown.
type Placer interface {
	Quote(ctx context.Context, r OrderRequest) (Quote, error)
	PlaceOrder(ctx context.Context, r OrderRequest) (Order, error)
}

// Notifier attaches a notification email to an order.
type Notifier interface {
	SetNotificationEmail(ctx context.Context, v Vertical, id, email string) (Order, error)
}

// Catalog lists what can be bought.
type Catalog interface {
	Products(ctx context.Context, v Vertical, search string) ([]Product, error)
	Product(ctx context.Context, v Vertical, id string) (Product, error)
}

// Transactions lists wallet movements, newest first.
type Transactions interface {
	Transactions(ctx context.Context, walletID string, q ListQuery) ([]Transaction, Page, error)
}
