package octopus

import (
	"context"

	"github.com/orderwatch/orderwatch/api"
)

// LookupPhone makes the client an api.PhoneLookup: the operators that may
// serve a phone number, best guess first (POST /api/v1/topups/lookup).
func (c *Client) LookupPhone(ctx context.Context, phone string) ([]api.LookupHit, error) {
	res, err := c.TopupLookup(ctx, phone)
	if err != nil {
		return nil, err
	}
	hits := make([]api.LookupHit, 0, len(res))
	for _, r := range res {
		hits = append(hits, api.LookupHit{ProductID: r.ProductID.String(), Name: string(r.Name),
			CountryCode: string(r.CountryCode), Identified: bool(r.Identified)})
	}
	return hits, nil
}

var _ api.PhoneLookup = (*Client)(nil)
