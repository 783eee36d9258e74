package octopus

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The base URL works with or without /api/v1 and a trailing slash.
func TestBaseURLWithOrWithoutVersion(t *testing.T) {
	srv, _ := startSandbox(t, octosb.Config{})
	creds := srv.Credentials()
	for _, suffix := range []string{"", "/", "/api/v1", "/api/v1/"} {
		c, err := New(Config{BaseURL: srv.URL() + suffix, APIKey: api.Secret(creds.APIKey), APISecret: api.Secret(creds.APISecret), Timeout: 5 * time.Second})
		require.NoError(t, err)
		_, err = c.Wallets(context.Background())
		assert.NoError(t, err, "suffix %q", suffix)
		c.hc.CloseIdleConnections()
	}
}

// An error names the full URL requested.
func TestErrorNamesTheFullURL(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(ts.Close)
	c, err := New(Config{BaseURL: ts.URL + "/wrong", APIKey: "k", APISecret: "s", Timeout: 5 * time.Second})
	require.NoError(t, err)
	_, err = c.Wallets(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "POST "+ts.URL+"/wrong/auth/login")
}
