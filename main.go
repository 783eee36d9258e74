// Command orderwatch is a terminal dashboard for reseller orders. This file
// only dispatches: each command lives in commands/.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/orderwatch/orderwatch/commands"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := commands.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
