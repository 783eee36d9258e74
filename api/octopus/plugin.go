package octopus

import (
	"context"
	"strconv"

	"github.com/orderwatch/orderwatch/api"
)

// What the client can do beyond tracking, for the rest of the program.
var _ api.PhoneLookup = (*Client)(nil)

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
