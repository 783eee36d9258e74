package api

import (
	"fmt"
	"time"
)

// Wallet is a balance the provider debits. Octopus has one per currency;
// OneClickDz has one DZD balance.
type Wallet struct {
	Provider Provider
	ID       string
	Currency string
	Balance  float64
	Type     string // PREPAID, POSTPAID
}

func (w Wallet) String() string {
	return fmt.Sprintf("%s %s %s", w.Provider, w.Currency, FormatAmount(w.Balance, w.Currency))
}

// TxKind says whether money left or came back.
type TxKind string

const (
	TxDebit  TxKind = "DEBIT"
	TxCredit TxKind = "CREDIT"
)

// Transaction is one wallet movement.
type Transaction struct {
	Provider     Provider
	ID           string
	WalletID     string
	Kind         TxKind
	RawType      string // provider type (FLEXY, REFUND-ORDER, …)
	Amount       float64
	Currency     string
	Status       string
	Remarks      string
	OrderID      string // the order it belongs to, when it can be told
	BalanceAfter float64
	CreatedAt    time.Time
	FXRate       float64
}

// Quote is a price before buying (the charges endpoints).
type Quote struct {
	Provider       Provider
	Vertical       Vertical
	FaceValue      float64 // non_discounted_total
	Discount       float64 // discount_amount
	DiscountPct    float64
	Total          float64 // total_amount, source currency
	TotalPayable   float64 // in the wallet currency
	Currency       string  // source (product) currency
	WalletCurrency string
	WalletID       string
	FXRate         float64
	MaxQuantity    int
	VariantName    string
}

// FormatAmount prints an amount with the currency's usual precision.
func FormatAmount(v float64, currency string) string {
	prec := 2
	switch currency {
	case "DZD", "JPY", "KRW":
		prec = 0
		if v != float64(int64(v)) {
			prec = 2
		}
	}
	return fmt.Sprintf("%.*f", prec, v)
}
