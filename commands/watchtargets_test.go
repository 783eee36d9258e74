package commands

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// watch refuses bad targets and a negative timeout at once (exit 2, before
// opening anything); a named order the provider answers 404 for is a
// not_found line and exit 7; Ctrl-C ends quietly with exit 4.
func TestWatchRefusesBadTargetsAtOnce(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"voucher:abc"}, {"voucher:-1"}, {"mobile:zzz"},
		{"voucher:ref:" + strings.Repeat("x", 300)}, {"voucher:ref:bad\x07bell"},
		{"voucher:1", "--timeout", "-1s"},
	} {
		var out, errb bytes.Buffer
		start := time.Now()
		code := Run(context.Background(), append([]string{"watch", "--until-terminal"}, args...), &out, &errb)
		assert.Equal(t, exitBadInput, code, "%q: %s", args, errb.String())
		assert.Less(t, time.Since(start), 2*time.Second, "%q refused at once", args)
		assert.Equal(t, 1, strings.Count(errb.String(), "\n"), "one line: %q", errb.String())
		assert.Less(t, len(errb.String()), 200, "a long target is not echoed whole")
		assert.Empty(t, out.String())
	}
}

func TestWatchNotFoundAndCtrlC(t *testing.T) {
	j := configured(t)
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"watch", "voucher:987654321", "--until-terminal", "--timeout", "20s", "--journal", j}, &out, &errb)
	assert.Equal(t, 7, code, errb.String())
	assert.Contains(t, out.String(), `"status":"not_found"`)
	assert.Contains(t, out.String(), `"id":"987654321"`)

	out.Reset()
	errb.Reset()
	code = Run(context.Background(), []string{"watch", "voucher:ref:nobody-has-this", "--until-terminal", "--journal", j}, &out, &errb)
	assert.Equal(t, 7, code, errb.String())
	assert.Contains(t, out.String(), `"client_reference":"nobody-has-this"`)

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }() // Ctrl-C
	errb.Reset()
	code = Run(ctx, []string{"watch", "--journal", j}, &out, &errb)
	require.Contains(t, []int{0, 4}, code)
	assert.NotContains(t, errb.String(), "context canceled")
}
