package octopus

import (
	"fmt"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
)

// What the client can do beyond tracking, for the rest of the program
// (lookup.go: api.PhoneLookup).
var _ api.WebhookSource = (*Client)(nil)

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
