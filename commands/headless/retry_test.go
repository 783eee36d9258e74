package headless

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
)

// flaky answers the first n requests whose path contains match with status.
type flaky struct {
	base   http.RoundTripper
	match  string
	status int
	mu     *sync.Mutex
	left   *int
}

func (f flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	hit := strings.Contains(r.URL.Path, f.match) && *f.left > 0
	if hit {
		*f.left--
	}
	f.mu.Unlock()
	if !hit {
		return f.base.RoundTrip(r)
	}
	body := `{"error":{"name":"TooManyRequestsError","code":"TOO_MANY_REQUESTS","message":"busy"}}`
	return &http.Response{StatusCode: f.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// place retries the catalogue and the quote on a 429 or a 5xx, within its
// retries; when they are spent it "could not start" (exit 6), never a
// failed order (1), and nothing was sent.
func TestPlaceRetriesTransientReads(t *testing.T) {
	for _, tc := range []struct {
		match  string
		status int
		fails  int
		code   int
	}{
		{"/products", 429, 2, ExitDelivered},
		{"/charges", 503, 2, ExitDelivered},
		{"/products", 502, 10, ExitCouldNotStart},
		{"/charges", 429, 10, ExitCouldNotStart},
	} {
		left, mu := tc.fails, &sync.Mutex{}
		e := newEnv(t, octosb.Config{}, func(rt http.RoundTripper) http.RoundTripper {
			return flaky{base: rt, match: tc.match, status: tc.status, mu: mu, left: &left}
		})
		e.deps.Retry = Retry{Attempts: 4, Base: time.Millisecond, MaxWait: time.Second}
		code, _, stderr := e.run(t, "voucher", "--product", "1001", "--denomination", "10", "--quantity", "1")
		assert.Equal(t, tc.code, code, "%s %d ×%d: %s", tc.match, tc.status, tc.fails, stderr)
		if tc.code == ExitCouldNotStart {
			assert.Contains(t, stderr, "could not start")
			assert.Contains(t, stderr, "nothing was sent")
			assert.Zero(t, e.created("voucher"))
		}
	}
}

// The wait between tries is the server's Retry-After when it names one.
func TestReadHonoursRetryAfter(t *testing.T) {
	var at []time.Time
	_, err := Read(context.Background(), Retry{Attempts: 3, Base: time.Hour, MaxWait: time.Second}, func(context.Context) (int, error) {
		at = append(at, time.Now())
		return 0, &api.Error{Kind: api.KindRateLimited, RetryAfter: 30 * time.Millisecond}
	})
	require.Error(t, err)
	require.Len(t, at, 3, "Base (an hour) was not used: Retry-After was")
	assert.GreaterOrEqual(t, at[1].Sub(at[0]), 30*time.Millisecond)
	// A refusal that is not transient is not retried.
	n := 0
	_, err = Read(context.Background(), Retry{Attempts: 3}, func(context.Context) (int, error) {
		n++
		return 0, &api.Error{Kind: api.KindValidation}
	})
	assert.Error(t, err)
	assert.Equal(t, 1, n)
	// Past MaxWait it gives up rather than sleep.
	n = 0
	_, err = Read(context.Background(), Retry{Attempts: 3, MaxWait: time.Millisecond}, func(context.Context) (int, error) {
		n++
		return 0, &api.Error{Kind: api.KindServer, RetryAfter: time.Minute}
	})
	assert.True(t, errors.As(err, new(*api.Error)))
	assert.Equal(t, 1, n)
}

// --wait reports progress on the writer it is given (stderr, when a
// terminal), and clears its line at the end.
func TestWaitShowsProgress(t *testing.T) {
	e := newEnv(t, octosb.Config{}, nil)
	o, err := ParsePlaceArgs("voucher", []string{"--product", "1001", "--denomination", "5", "--quantity", "17", "--wait", "--timeout", "1m"})
	require.NoError(t, err)
	var prog bytes.Buffer
	o.Progress = &prog
	code, _, _ := e.runOpts(t, o)
	assert.Contains(t, []int{ExitDelivered, ExitPartial}, code)
	assert.Contains(t, prog.String(), "orderwatch place: voucher ")
	assert.Contains(t, prog.String(), " of 1m0s")
	assert.True(t, strings.HasSuffix(prog.String(), "\r\x1b[K"), "the line is cleared")
}
