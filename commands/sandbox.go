package commands

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/orderwatch/orderwatch/api/sandbox"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
)

func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("orderwatch sandbox", stderr)
	var sf sandboxFlags
	fs.StringVar(&sf.octo.Addr, "addr", "127.0.0.1:0", "Octopus Cards listen address (loopback only)")
	fs.StringVar(&sf.one.Addr, "oneclick-addr", "127.0.0.1:0", "OneClickDz listen address (loopback only)")
	fs.DurationVar(&sf.octo.TokenTTL, "token-ttl", time.Hour, "Octopus access-token lifetime")
	fs.StringVar(&sf.octo.WebhookURL, "webhook-url", "", "POST signed Octopus webhooks here (loopback only)")
	noLimits := fs.Bool("no-rate-limits", false, "serve without rate limits (crash trials and load tests start many clients)")
	sf.register(fs, "", 6)
	if code, ok := parse(fs, args, stderr, false); !ok {
		return code
	}
	if err := sf.finish(); err != nil {
		fmt.Fprintln(stderr, "orderwatch sandbox:", err)
		return exitBadInput
	}
	if *noLimits {
		sf.octo.Limits, sf.one.RatePerMinute = &octosb.Limits{}, -1
	}
	if err := sandbox.RunEmbedded(ctx, sf.octo, sf.one, stdout, sf.incidents...); err != nil {
		fmt.Fprintln(stderr, "orderwatch sandbox:", err)
		return exitFailure
	}
	return exitOK
}
