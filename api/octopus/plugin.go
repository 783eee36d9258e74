package octopus

import (
	"context"
	"fmt"
	"strconv"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
)

// What the client can do beyond tracking, for the rest of the program.
var (
	_ api.PhoneLookup   = (*Client)(nil)
	_ api.WebhookSource = (*Client)(nil)
)

// Open opens the configured Octopus Cards account (a zero Account when the
// configuration has none).
func Open(c *config.Config, logf func(string, ...any)) (api.Account, error) {
	o := c.Account(ProviderID)
	if o == nil {
		return api.Account{}, nil
	}
	cl, err := New(Config{BaseURL: o.BaseURL, APIKey: o.APIKey, APISecret: o.APISecret, WebhookSecret: o.WebhookSecret, Logf: logf})
	if err != nil {
		return api.Account{}, fmt.Errorf("octopus: %w", err)
	}
	return api.Account{Client: cl, BaseURL: o.BaseURL, GETPerMinute: o.GETPerMinute}, nil
}

// LookupPhone names the topup products of a phone number's operator.
func (c *Client) LookupPhone(ctx context.Context, phone string) ([]api.PhoneMatch, error) {
	res, err := c.TopupLookup(ctx, phone)
	if err != nil {
		return nil, err
	}
	out := make([]api.PhoneMatch, 0, len(res))
	for _, r := range res {
		out = append(out, api.PhoneMatch{ProductID: strconv.FormatInt(int64(r.ProductID), 10), Name: string(r.Name),
			CountryCode: string(r.CountryCode), Identified: bool(r.Identified)})
	}
	return out, nil
}
