package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/commands/headless"
)

func runPlace(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, headless.Usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return exitOK
		}
		return exitBadInput
	}
	vertical := args[0]
	var c common
	rest, err := c.take(args[1:])
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch place:", err)
		return exitBadInput
	}
	opts, err := headless.ParsePlaceArgs(vertical, rest)
	if errors.Is(err, headless.ErrHelp) {
		fmt.Fprint(stderr, headless.UsageFor(opts.Vertical))
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch place:", err)
		return exitBadInput
	}
	b, err := openBackend(&c, false)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch place:", err)
		return exitBadInput
	}
	defer b.Close()
	p := opts.Vertical.Provider()
	placer, ok := b.placers[p]
	if !ok {
		fmt.Fprintf(stderr, "orderwatch place: %s is not configured\n", p.Title())
		return exitBadInput
	}
	catalog, _ := placer.(api.Catalog)
	deps := headless.Deps{Engine: b.engine, Placer: placer, Catalog: catalog}
	for _, src := range b.sources {
		if src.Provider() == p {
			deps.Wallets = src.Wallets
		}
	}
	for _, pt := range b.providers {
		if pt.Provider == p {
			opts.Live = pt.Mode == "LIVE"
		}
	}
	return headless.Place(ctx, deps, opts, stdout, stderr)
}
