package serve

import (
	"context"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

func contextWithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}

func ts0() api.OrderKey { return api.OrderKey{} }
