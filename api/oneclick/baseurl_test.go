package oneclick

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The provider's changelog gives the base URL with /v3; the README without.
// Every form reaches the same endpoints.
func TestBaseURLWithOrWithoutVersion(t *testing.T) {
	sb, err := oneclicksb.New(oneclicksb.Config{Seed: 1, RatePerMinute: -1})
	require.NoError(t, err)
	ts := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { ts.Close(); _ = sb.Close() })
	for _, suffix := range []string{"", "/", "/v3", "/v3/", "/V3"} {
		tr := &http.Transport{}
		c, err := New(Config{BaseURL: ts.URL + suffix, APIKey: api.Secret(sb.APIKey()), HTTPClient: &http.Client{Transport: tr}, Timeout: 5 * time.Second})
		require.NoError(t, err, suffix)
		_, err = c.Validate(context.Background())
		assert.NoError(t, err, "base URL %q", ts.URL+suffix)
		tr.CloseIdleConnections()
	}
}

// An error names the full URL requested, so a wrong base path is visible.
func TestErrorNamesTheFullURL(t *testing.T) {
	c, _ := newFake(t, 404, `{"success":false,"error":{"code":"NOT_FOUND","message":"no such route"}}`)
	_, err := c.Validate(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GET "+c.base.String()+"/v3/validate")
}

// The sandbox's 429 states its limit; the client reports it.
func TestRateLimitedStatesTheLimit(t *testing.T) {
	sb, err := oneclicksb.New(oneclicksb.Config{Seed: 1, RatePerMinute: 2})
	require.NoError(t, err)
	ts := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { ts.Close(); _ = sb.Close() })
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := New(Config{BaseURL: ts.URL, APIKey: api.Secret(sb.APIKey()), HTTPClient: &http.Client{Transport: tr}, Timeout: 5 * time.Second})
	require.NoError(t, err)
	for range 2 {
		_, err = c.Validate(context.Background())
		require.NoError(t, err)
	}
	_, err = c.Validate(context.Background())
	require.Equal(t, api.KindRateLimited, api.KindOf(err), "%v", err)
	assert.Equal(t, 2, api.PerMinuteOf(err))
}
