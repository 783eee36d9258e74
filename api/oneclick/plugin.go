package oneclick

import (
	"context"

	"github.com/orderwatch/orderwatch/api"
)

// What the client can do beyond tracking, for the rest of the program.
var _ api.LineChecker = (*Client)(nil)

// CheckLine checks an internet line (ADSL or 4G) before a top-up.
func (c *Client) CheckLine(ctx context.Context, typ, number string) (api.LineInfo, error) {
	r, err := c.InternetCheckNumber(ctx, typ, number)
	return api.LineInfo{NCLI: r.NCLI, Offer: r.Offre, Type: r.Type}, err
}
