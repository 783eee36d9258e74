package commands

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/commands/headless"
)

// validateTimeout bounds the start-up check of each account.
const validateTimeout = 15 * time.Second

// startRetry is how the start-up check is retried on a transient error (a
// dropped connection, 429, 5xx): place's read retries, on a shorter budget
// so that a base URL nobody answers at is still said within a second.
var startRetry = headless.Retry{Attempts: 3, Base: 250 * time.Millisecond, MaxWait: 10 * time.Second}

// startError is a misconfiguration found by asking the provider at start:
// the command could not start (exit code exitCouldNotStart).
type startError struct{ msg string }

func (e *startError) Error() string { return e.msg }

// validateAccounts asks each provider that can (api.Validator) whether its
// base URL answers and its credentials are accepted, all at once, and says
// what is wrong in one line per provider, naming where it was configured.
func validateAccounts(ctx context.Context, accs []api.Account) error {
	msgs := make([]string, len(accs))
	var wg sync.WaitGroup
	for i, acc := range accs {
		v, ok := acc.Client.(api.Validator)
		if !ok {
			continue
		}
		wg.Go(func() {
			vctx, cancel := context.WithTimeout(ctx, validateTimeout)
			defer cancel()
			_, err := headless.Read(vctx, startRetry, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, v.ValidateAccount(ctx)
			})
			if err != nil && ctx.Err() == nil {
				msgs[i] = describeStartErr(acc, err)
			}
		})
	}
	wg.Wait()
	var out []string
	for _, m := range msgs {
		if m != "" {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &startError{msg: strings.Join(out, "\n")}
}

func describeStartErr(acc api.Account, err error) string {
	title := acc.Client.Provider().Title()
	keyFrom, baseFrom := acc.KeyFrom, acc.BaseFrom
	if keyFrom == "" {
		keyFrom = "the credentials"
	}
	if baseFrom == "" {
		baseFrom = "the base URL"
	}
	switch api.KindOf(err) {
	case api.KindAuth, api.KindForbidden:
		return fmt.Sprintf("%s refused the credentials: check %s (%v)", title, keyFrom, err)
	case api.KindNetwork:
		return fmt.Sprintf("%s is unreachable at %s: check %s (%v)", title, acc.BaseURL, baseFrom, err)
	case api.KindRateLimited, api.KindServer:
		return fmt.Sprintf("%s is not answering at %s right now: try again later (%v)", title, acc.BaseURL, err)
	}
	return fmt.Sprintf("%s does not answer as its API at %s: check %s (%v)", title, acc.BaseURL, baseFrom, err)
}
