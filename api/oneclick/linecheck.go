package oneclick

import (
	"context"

	"github.com/orderwatch/orderwatch/api"
)

// CheckLine makes the client an api.LineChecker: what the provider knows
// of an internet line before it is topped up (GET /v3/internet/check-number).
func (c *Client) CheckLine(ctx context.Context, typ, number string) (api.LineInfo, error) {
	r, err := c.InternetCheckNumber(ctx, typ, number)
	return api.LineInfo{NCLI: r.NCLI, Offer: r.Offre, Type: r.Type}, err
}

var _ api.LineChecker = (*Client)(nil)
