package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/commands/headless"
	"github.com/orderwatch/orderwatch/engine"
)

// dropper stands in front of a provider's server and drops the connection
// of the requests drop picks (after reading them, as the trials' sandbox
// does), passing the others on. hits counts the dropped ones.
type dropper struct {
	URL  string
	hits atomic.Int64
}

func newDropper(t *testing.T, target string, drop func(r *http.Request, n int64) bool) *dropper {
	t.Helper()
	d := &dropper{}
	var seen atomic.Int64
	var proxy http.Handler = http.NotFoundHandler()
	if target != "" {
		u, err := url.Parse(target)
		require.NoError(t, err)
		proxy = httputil.NewSingleHostReverseProxy(u)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if drop(r, seen.Add(1)) {
			d.hits.Add(1)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close() // the client reads EOF: a network error
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	d.URL = srv.URL
	return d
}

// fastStart makes the start-up check's retries quick for the test.
func fastStart(t *testing.T) {
	saved := startRetry
	startRetry = headless.Retry{Attempts: saved.Attempts, Base: time.Millisecond, MaxWait: time.Second}
	t.Cleanup(func() { startRetry = saved })
}

type placeRun struct {
	code   int
	res    headless.Result
	stderr string
}

func runPlaceCmd(t *testing.T, args ...string) placeRun {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"place"}, args...), &out, &errb)
	r := placeRun{code: code, stderr: errb.String()}
	if s := strings.TrimSpace(out.String()); s != "" {
		require.NoError(t, json.Unmarshal([]byte(s), &r.res), s)
		assert.Equal(t, code, r.res.ExitCode)
	}
	return r
}

var (
	octoVoucher = []string{"voucher", "--product", "1001", "--denomination", "5"}
	octoTopup   = []string{"topup", "--product", "4218", "--amount", "4.99", "--player-id", "51234", "--server", "asia"}
	oneMobile   = []string{"mobile", "--plan", "PREPAID_DJEZZY", "--phone", "0778037340", "--amount", "100"}
)

func with(base []string, more ...string) []string {
	return append(append([]string{}, base...), more...)
}

// place needs only the account of the vertical it places: the other
// provider being unreachable does not stop it (watch still checks both).
func TestPlaceChecksOnlyItsOwnProvider(t *testing.T) {
	fastStart(t)
	j := configured(t)
	t.Setenv("ONECLICKDZ_BASE_URL", closedPort(t))
	r := runPlaceCmd(t, with(octoVoucher, "--journal", j)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.NotEmpty(t, r.res.ID)

	j = configured(t)
	t.Setenv("OCTOPUS_BASE_URL", closedPort(t))
	r = runPlaceCmd(t, with(oneMobile, "--journal", j)...)
	assert.Contains(t, []int{exitOK, headless.ExitPending}, r.code, r.stderr)
	assert.NotEmpty(t, r.res.ID)
}

// A dropped connection on the start-up check is transient: it is retried,
// and the order is placed.
func TestStartCheckRetriesADroppedConnection(t *testing.T) {
	j := configured(t)
	d := newDropper(t, mustEnv(t, "ONECLICKDZ_BASE_URL"), func(r *http.Request, n int64) bool {
		return strings.HasSuffix(r.URL.Path, "/validate") && n == 1
	})
	t.Setenv("ONECLICKDZ_BASE_URL", d.URL)
	r := runPlaceCmd(t, with(oneMobile, "--journal", j)...)
	assert.Contains(t, []int{exitOK, headless.ExitPending}, r.code, r.stderr)
	assert.NotEmpty(t, r.res.ID)
	assert.EqualValues(t, 1, d.hits.Load(), "the first validate was dropped")
}

// The trials' case: a place was killed during the create (the journal holds
// its intent, unresolved), and the rerun cannot start (its provider drops
// every connection). The order may exist: the rerun says "outcome unknown"
// (exit 5) and to rerun, never "could not start" (6), which reads as not
// placed. Likewise when the provider is not configured any more, and a
// placed intent is reported by its id.
func TestRerunThatCannotStartIsNeverNotPlaced(t *testing.T) {
	fastStart(t)
	j := configured(t)
	jr, err := engine.OpenJournal(j)
	require.NoError(t, err)
	now := time.Now()
	require.NoError(t, jr.Begin(engine.Intent{Vertical: api.VerticalTopup, ClientReference: "rs-pending", Created: now}))
	require.NoError(t, jr.Begin(engine.Intent{Vertical: api.VerticalTopup, ClientReference: "rs-placed", Created: now}))
	require.NoError(t, jr.Resolve(api.VerticalTopup, "rs-placed", engine.IntentPlaced, "9123456", "", now))
	require.NoError(t, jr.Begin(engine.Intent{Vertical: api.VerticalMobile, ClientReference: "rs-mobile", Created: now}))
	require.NoError(t, jr.Close())

	octoURL := mustEnv(t, "OCTOPUS_BASE_URL")
	d := newDropper(t, "", func(*http.Request, int64) bool { return true })
	t.Setenv("OCTOPUS_BASE_URL", d.URL)

	r := runPlaceCmd(t, with(octoTopup, "--reference", "rs-pending", "--journal", j)...)
	assert.Equal(t, headless.ExitUnknown, r.code, r.stderr)
	assert.True(t, r.res.OutcomeUnknown)
	assert.True(t, r.res.Rerun)
	assert.Equal(t, "rs-pending", r.res.ClientReference)
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
	assert.Contains(t, r.stderr, "the earlier run may have placed it")
	assert.Contains(t, r.stderr, "Octopus Cards is unreachable")
	assert.Contains(t, r.stderr, "try again with the same reference to look it up (it is never sent twice)")
	assert.NotContains(t, r.stderr, "nothing was sent")
	assert.EqualValues(t, startRetry.Attempts, d.hits.Load(), "the check was retried before giving up")

	r = runPlaceCmd(t, with(octoTopup, "--reference", "rs-placed", "--journal", j)...)
	assert.Equal(t, "9123456", r.res.ID, r.stderr)
	assert.True(t, r.res.Rerun)
	assert.Contains(t, r.stderr, "that order exists, id 9123456")

	r = runPlaceCmd(t, with(octoTopup, "--reference", "rs-new", "--journal", j)...)
	assert.Equal(t, exitCouldNotStart, r.code, "a new reference: nothing was ever sent; %s", r.stderr)

	t.Setenv("ONECLICKDZ_API_KEY", "")
	t.Setenv("ONECLICKDZ_BASE_URL", "")
	t.Setenv("OCTOPUS_BASE_URL", octoURL) // Octopus answers again; OneClickDz is gone from the config
	r = runPlaceCmd(t, with(oneMobile, "--reference", "rs-mobile", "--journal", j)...)
	assert.Equal(t, headless.ExitUnknown, r.code, r.stderr)
	assert.Contains(t, r.stderr, "OneClickDz is not configured")
	assert.True(t, r.res.OutcomeUnknown)
}

func mustEnv(t *testing.T, k string) string {
	t.Helper()
	v := strings.TrimSpace(os.Getenv(k))
	require.NotEmpty(t, v, k)
	return v
}
