package octopus

import (
	"fmt"

	"github.com/orderwatch/orderwatch/api"
)

// Wire types of the Octopus Cards API v1. Field names follow the contract;
// unknown fields are ignored and absent ones stay zero.

// Country is an entry of /api/v1/countries.
type Country struct {
	ID            Int  `json:"id"`
	Name          Text `json:"name"`
	OfficialName  Text `json:"official_name"`
	Alpha2        Text `json:"alpha_2"`
	Alpha3        Text `json:"alpha_3"`
	NumericCode   Text `json:"numeric_code"`
	DialingPrefix Text `json:"dialing_prefix"`
}

// Currency is an entry of /api/v1/currencies; Currency is the ISO 4217 code.
type Currency struct {
	ID        Int  `json:"id"`
	Name      Text `json:"name"`
	Currency  Text `json:"currency"`
	Code      Text `json:"code"` // tolerated alternative spelling
	Precision Int  `json:"precision"`
}

// ISO returns the currency code.
func (c Currency) ISO() string { return firstText(c.Currency, c.Code) }

// Category is an entry of /api/v1/categories.
type Category struct {
	ID   Int  `json:"id"`
	Name Text `json:"name"`
}

// Subcategory is an entry of /api/v1/subcategories.
type Subcategory struct {
	ID   Int  `json:"id"`
	Name Text `json:"name"`
}

// Denomination: MinValue == MaxValue is a fixed value, otherwise a range.
type Denomination struct {
	MinValue Float `json:"min_value"`
	MaxValue Float `json:"max_value"`
	Discount Float `json:"discount"`
}

// VoucherProduct is a gift-card product of /api/v1/products.
type VoucherProduct struct {
	ID                     Int            `json:"id"`
	Name                   Text           `json:"name"`
	Category               Text           `json:"category"`
	SubCategory            Text           `json:"sub_category"`
	CountryCode            Text           `json:"country_code"`
	CurrencyCode           Text           `json:"currency_code"`
	ImageURL               Text           `json:"image_url"`
	DeliveryMode           Text           `json:"delivery_mode"`
	DeliveryTime           Text           `json:"delivery_time"`
	Validity               Text           `json:"validity"`
	AvailableDenominations []Denomination `json:"available_denominations"`
}

// Availability is the reply of the availability check.
type Availability struct {
	IsAvailable Bool `json:"is_available"`
}

// ChargesDetails says which currencies a quote converts between.
type ChargesDetails struct {
	SourceCurrency      Text  `json:"source_currency"`
	DestinationCurrency Text  `json:"destination_currency"`
	ForexRate           Float `json:"forex_rate"`
	ConversionFee       Float `json:"conversion_fee"`
	VariantID           Int   `json:"variant_id"`
	VariantName         Text  `json:"variant_name"`
}

// Charges is a price quote of any vertical.
type Charges struct {
	NonDiscountedTotal Float          `json:"non_discounted_total"`
	DiscountAmount     Float          `json:"discount_amount"`
	TotalAmount        Float          `json:"total_amount"`
	Discount           Float          `json:"discount"`
	GSTAmount          Float          `json:"gst_amount"`
	TotalPayable       Float          `json:"total_payable"`
	MaxQuantity        Int            `json:"max_quantity"`
	NetAmount          Float          `json:"net_amount"`
	HandlingFeeAmount  Float          `json:"handling_fee_amount"`
	ChargesDetails     ChargesDetails `json:"charges_details"`
	VariantName        Text           `json:"variant_name"`
}

// Voucher is one delivered code. String never shows the code or PIN.
type Voucher struct {
	CardNumber             Text `json:"card_number"`
	PinCode                Text `json:"pin_code"`
	ClaimURL               Text `json:"claim_url"`
	ExpiresAt              Time `json:"expires_at"`
	VoucherReferenceNumber Text `json:"voucher_reference_number"`
}

func (v Voucher) String() string {
	return fmt.Sprintf("Voucher{card:%s, pin:%s}", api.Mask(string(v.CardNumber)), api.Mask(string(v.PinCode)))
}

// GoString keeps %#v from printing the codes.
func (v Voucher) GoString() string { return v.String() }

// Order is an order of any vertical: the three verticals share most fields
// and each adds a few (vouchers; topup variant and failure; eSIM activation).
type Order struct {
	ID              Int  `json:"id"`
	ClientReference Text `json:"client_reference"`
	ReferenceCode   Text `json:"reference_code"` // legacy webhook spelling

	Status     Text `json:"status"`
	StatusText Text `json:"status_text"`

	ProductID   Int  `json:"product_id"`
	ProductName Text `json:"product_name"`
	VariantID   Int  `json:"variant_id"`
	VariantName Text `json:"variant_name"`
	Category    Text `json:"category"`
	CountryCode Text `json:"country_code"`

	Denomination      Float `json:"denomination"`
	Quantity          Int   `json:"quantity"`
	DeliveredQuantity Int   `json:"delivered_quantity"`
	Amount            Float `json:"amount"`
	RequestedAmount   Float `json:"requested_amount"` // a topup's face value
	TotalAmount       Float `json:"total_amount"`     // a voucher order's price after discount
	Discount          Float `json:"discount"`
	DeductionAmount   Float `json:"deduction_amount"`
	TotalPayable      Float `json:"total_payable"`
	RefundedAmount    Float `json:"refunded_amount"`

	Currency          Text `json:"currency"`
	CurrencyCode      Text `json:"currency_code"`
	BaseCurrency      Text `json:"base_currency"`
	DeductionCurrency Text `json:"deduction_currency"`

	WalletID      Int  `json:"wallet_id"`
	TransactionID Text `json:"transaction_id"`
	Email         Text `json:"email"`
	NotifyEmail   Text `json:"notification_email"`

	CreatedAt   Time `json:"created_at"`
	UpdatedAt   Time `json:"updated_at"`
	CompletedAt Time `json:"completed_at"`
	DeliveredOn Time `json:"delivered_on"`

	Vouchers []Voucher `json:"vouchers"`

	InputData     StringMap `json:"input_data"`
	FailureCode   Text      `json:"failure_code"`
	FailureReason Text      `json:"failure_reason"`
	IsUserFixable Bool      `json:"is_user_fixable"`

	ICCID            Text  `json:"iccid"`
	ActivationCode   Text  `json:"activation_code"`
	ActivationStatus Text  `json:"activation_status"`
	IsInstalled      Bool  `json:"is_installed"`
	InstalledAt      Time  `json:"installed_at"`
	ActivatedAt      Time  `json:"activated_at"`
	DataAmountGB     Float `json:"data_amount_gb"`
	ValidityDays     Int   `json:"validity_days"`
}

// String is short and never shows codes.
func (o Order) String() string {
	return fmt.Sprintf("octopus.Order{id:%d, ref:%q, status:%s, vouchers:%d}", o.ID, o.ClientReference, o.Status, len(o.Vouchers))
}

// GoString keeps %#v from printing voucher or activation codes.
func (o Order) GoString() string { return o.String() }

// Region is an entry of a topup variant's available_in.
type Region struct {
	Code Text `json:"code"`
	Name Text `json:"name"`
}

// TopupProduct is a gaming, mobile or utility top-up product.
type TopupProduct struct {
	ID           Int            `json:"id"`
	Name         Text           `json:"name"`
	TopupType    Text           `json:"topup_type"`
	CountryCode  Text           `json:"country_code"`
	CurrencyCode Text           `json:"currency_code"`
	ImageURL     Text           `json:"image_url"`
	Description  Text           `json:"description"`
	InputFields  InputFields    `json:"input_fields"`
	Variants     []TopupVariant `json:"variants"`
}

// TopupVariant is a purchasable denomination or range of a topup product.
type TopupVariant struct {
	ID           Int       `json:"id"`
	ProductID    Int       `json:"product_id"`
	Name         Text      `json:"name"`
	Category     Text      `json:"category"`
	CurrencyCode Text      `json:"currency_code"`
	MinAmount    Float     `json:"min_amount"`
	MaxAmount    Float     `json:"max_amount"`
	FixedAmounts []Float   `json:"fixed_amounts"`
	AvailableIn  []Region  `json:"available_in"`
	Fields       StringMap `json:"fields"`
}

// LookupResult is one guess of the mobile-number lookup.
type LookupResult struct {
	ProductID   Int  `json:"product_id"`
	Name        Text `json:"name"`
	CountryCode Text `json:"country_code"`
	Identified  Bool `json:"identified"`
}

// ESIMProduct is a travel eSIM product; Variants are inlined on the detail.
type ESIMProduct struct {
	ID           Int           `json:"id"`
	Name         Text          `json:"name"`
	CountryCode  Text          `json:"country_code"`
	CurrencyCode Text          `json:"currency_code"`
	ImageURL     Text          `json:"image_url"`
	Description  Text          `json:"description"`
	Variants     []ESIMVariant `json:"variants"`
}

// ESIMVariant is one eSIM plan; Amount is echoed when ordering.
type ESIMVariant struct {
	ID             Int   `json:"id"`
	ESIMProductID  Int   `json:"esim_product_id"`
	Name           Text  `json:"name"`
	Description    Text  `json:"description"`
	CurrencyCode   Text  `json:"currency_code"`
	Amount         Float `json:"amount"`
	DataAmountGB   Float `json:"data_amount_gb"`
	ValidityDays   Int   `json:"validity_days"`
	ClientDiscount Float `json:"client_discount"`
}

// Wallet is one currency balance; Amount is the available balance.
type Wallet struct {
	ID           Int   `json:"id"`
	CurrencyID   Int   `json:"currency_id"`
	Currency     Text  `json:"currency"`      // tolerated; the contract sends only currency_id
	CurrencyCode Text  `json:"currency_code"` // tolerated
	Amount       Float `json:"amount"`
	Type         Text  `json:"type"`
}

// Transaction is one wallet movement.
type Transaction struct {
	ID                  Int   `json:"id"`
	WalletID            Int   `json:"wallet_id"`
	CurrencyID          Int   `json:"currency_id"`
	Amount              Float `json:"amount"`
	TransactionType     Text  `json:"transaction_type"`
	Status              Text  `json:"status"`
	SourceCurrency      Text  `json:"source_currency"`
	DestinationCurrency Text  `json:"destination_currency"`
	ForexRate           Float `json:"forex_rate"`
	ConversionCharges   Float `json:"conversion_charges"`
	Remarks             Text  `json:"remarks"`
	OrderID             Int   `json:"order_id"` // tolerated; otherwise read from remarks
	BalanceAfter        Float `json:"balance_after"`
	CreatedAt           Time  `json:"created_at"`
}

// tokenWire is the data of /auth/login and /auth/refresh.
type tokenWire struct {
	AccessToken      Text `json:"access_token"`
	RefreshToken     Text `json:"refresh_token"`
	AccessExpiresAt  Time `json:"access_expires_at"`
	RefreshExpiresAt Time `json:"refresh_expires_at"`
	ExpiresIn        Int  `json:"expires_in"` // tolerated alternative
	ClientID         Int  `json:"client_id"`
}

// Requests.

// VoucherProductsQuery filters GET /api/v1/products. Zero values are omitted.
type VoucherProductsQuery struct {
	CountryID  int64
	Category   string
	CurrencyID int64
	Search     string
	Page       int
	Limit      int
}

// VoucherChargesRequest is the body of POST /api/v1/products/:id/charges.
type VoucherChargesRequest struct {
	Denomination float64 `json:"denomination"`
	Quantity     int     `json:"quantity"`
	WalletID     int64   `json:"wallet_id,omitempty"`
}

// CreateVoucherOrderRequest is the body of POST /api/v1/orders.
type CreateVoucherOrderRequest struct {
	ProductID       int64   `json:"product_id"`
	Denomination    float64 `json:"denomination"`
	Quantity        int     `json:"quantity"`
	WalletID        int64   `json:"wallet_id,omitempty"`
	ClientReference string  `json:"client_reference,omitempty"`
	Email           string  `json:"email,omitempty"`
}

// VoucherOrdersQuery filters GET /api/v1/orders.
type VoucherOrdersQuery struct {
	Status          string
	ClientReference string
	Page            int
	Limit           int
}

// TopupProductsQuery filters GET /api/v1/topups/products.
type TopupProductsQuery struct {
	Page    int
	PerPage int
	Type    string // GAMING, MOBILE, UTILITY
	Search  string
}

// TopupChargesRequest is the body of POST /api/v1/topups/charges.
type TopupChargesRequest struct {
	ProductID int64   `json:"product_id"`
	Amount    float64 `json:"amount"`
	WalletID  int64   `json:"wallet_id,omitempty"`
	Category  string  `json:"category,omitempty"`
}

// CreateTopupOrderRequest is the body of POST /api/v1/topups/orders.
type CreateTopupOrderRequest struct {
	ProductID       int64             `json:"product_id"`
	Amount          float64           `json:"amount"`
	InputData       map[string]string `json:"input_data,omitempty"`
	Category        string            `json:"category,omitempty"`
	ClientReference string            `json:"client_reference,omitempty"`
	WalletID        int64             `json:"wallet_id,omitempty"`
}

// TopupOrdersQuery filters GET /api/v1/topups/orders.
type TopupOrdersQuery struct {
	Status          string
	ProductID       int64
	Country         string // alpha-3
	ClientReference string
	Page            int
	PerPage         int
}

// ESIMProductsQuery filters GET /api/v1/esim/products.
type ESIMProductsQuery struct {
	Page        int
	PerPage     int
	CountryCode string // alpha-3, GLO = global
	Search      string
}

// ESIMChargesRequest is the body of POST /api/v1/esim/charges.
type ESIMChargesRequest struct {
	ProductID int64   `json:"product_id"`
	Amount    float64 `json:"amount"`
	WalletID  int64   `json:"wallet_id,omitempty"`
}

// CreateESIMOrderRequest is the body of POST /api/v1/esim/orders.
type CreateESIMOrderRequest struct {
	ProductID       int64   `json:"product_id"`
	Amount          float64 `json:"amount"`
	Quantity        int     `json:"quantity,omitempty"` // the server clamps it to 1
	ClientReference string  `json:"client_reference,omitempty"`
	WalletID        int64   `json:"wallet_id,omitempty"`
}

// ESIMOrdersQuery filters GET /api/v1/esim/orders.
type ESIMOrdersQuery struct {
	Status          string
	ClientReference string
	Page            int
	PerPage         int
}

// TransactionsQuery filters GET /api/v1/transactions.
type TransactionsQuery struct {
	Page     int
	Limit    int
	WalletID int64
}
