package oneclick

import (
	"fmt"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
)

// What the client can do beyond tracking, for the rest of the program
// (linecheck.go: api.LineChecker).
var _ api.IntentRecaller = (*Client)(nil)

// Open opens the configured OneClickDz account (a zero Account when the
// configuration has none).
func Open(c *config.Config, logf func(string, ...any)) (api.Account, error) {
	o := c.Account(ProviderID)
	if o == nil {
		return api.Account{}, nil
	}
	cl, err := New(Config{BaseURL: o.BaseURL, APIKey: o.APIKey, Logf: logf})
	if err != nil {
		return api.Account{}, fmt.Errorf("oneclickdz: %w", err)
	}
	return api.Account{Client: cl, BaseURL: o.BaseURL, GETPerMinute: o.GETPerMinute}, nil
}

// RecallIntent remembers an unresolved gift-card placement: gift cards carry
// no reference, so a lost answer is resolved by matching the list against
// it (giftref.go). Other verticals are found by their reference anyway.
func (c *Client) RecallIntent(in api.Intent) error {
	r := in.Request
	if r.Vertical != VerticalGiftCard {
		return nil
	}
	return c.RememberGiftIntent(r.ClientReference, r.ProductID, r.VariantID, r.Quantity, in.Sent, in.OrderID)
}
