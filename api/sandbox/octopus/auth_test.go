package octopus

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoginRefreshRotationLogout(t *testing.T) {
	c := start(t, Config{})

	var bad errBody
	assert.Equal(t, 401, c.call("POST", "/auth/login", map[string]string{"username": DemoAPIKey, "password": "nope"}, &bad))
	assert.Equal(t, "UNAUTHORIZED", bad.Error.Code)
	assert.Equal(t, "Invalid credentials", bad.Error.Message)
	assert.Equal(t, 400, c.call("POST", "/auth/login", map[string]string{"username": ""}, &bad))
	assert.Equal(t, "VALIDATION_FAILURE", bad.Error.Code)
	assert.Equal(t, "Username and password are required", bad.Error.Message)

	var login struct {
		Success bool
		Data    tokenPair
	}
	require.Equal(t, 200, c.call("POST", "/auth/login", map[string]string{"username": DemoAPIKey, "password": DemoAPISecret}, &login))
	assert.True(t, login.Success)
	assert.EqualValues(t, 42, login.Data.ClientID)
	assert.WithinDuration(t, time.Now().Add(time.Hour), login.Data.AccessExpiresAt, time.Minute)
	assert.WithinDuration(t, time.Now().Add(7*24*time.Hour), login.Data.RefreshExpiresAt, time.Minute)

	var refreshed struct {
		Success bool
		Data    tokenPair
	}
	require.Equal(t, 200, c.call("POST", "/auth/refresh", map[string]string{"refresh_token": login.Data.RefreshToken}, &refreshed))
	assert.NotEqual(t, login.Data.RefreshToken, refreshed.Data.RefreshToken)
	// Rotation: the old refresh token is revoked.
	assert.Equal(t, 401, c.call("POST", "/auth/refresh", map[string]string{"refresh_token": login.Data.RefreshToken}, &bad))
	assert.Equal(t, "UNAUTHORIZED", bad.Error.Code)
	assert.Equal(t, 400, c.call("POST", "/auth/refresh", map[string]string{}, &bad))
	assert.Equal(t, "Refresh token is required", bad.Error.Message)
	// An access token is not a refresh token.
	assert.Equal(t, 401, c.call("POST", "/auth/refresh", map[string]string{"refresh_token": refreshed.Data.AccessToken}, nil))

	c.token = refreshed.Data.AccessToken
	assert.Equal(t, 200, c.call("GET", "/api/v1/wallets", nil, nil))

	var out struct {
		Success bool
		Data    struct{ Message string }
	}
	require.Equal(t, 200, c.call("POST", "/auth/logout", nil, &out))
	assert.Equal(t, "Successfully logged out", out.Data.Message)
	// Logout revokes every token of the client, the first login's too.
	assert.Equal(t, 401, c.call("GET", "/api/v1/wallets", nil, &bad))
	assert.Equal(t, "Invalid token", bad.Error.Message)
	c.token = login.Data.AccessToken
	assert.Equal(t, 401, c.call("GET", "/api/v1/wallets", nil, nil))
	assert.Equal(t, 401, c.call("POST", "/auth/refresh", map[string]string{"refresh_token": refreshed.Data.RefreshToken}, nil))
}

func TestAccessTokenExpires(t *testing.T) {
	c := start(t, Config{TokenTTL: time.Second}) // login and a first call fit in it even on a loaded machine
	require.Equal(t, 200, c.call("GET", "/api/v1/currencies", nil, nil))
	var raw []byte
	require.Eventually(t, func() bool {
		var resp *http.Response
		resp, raw = c.do("GET", "/api/v1/currencies", nil)
		return resp.StatusCode == 401
	}, 5*time.Second, 20*time.Millisecond)
	var bad errBody
	require.NoError(t, json.Unmarshal(raw, &bad))
	assert.Equal(t, "UNAUTHORIZED", bad.Error.Code)
	assert.Equal(t, "UnauthorizedError", bad.Error.Name)
}

func TestMissingHeaderAndRequestID(t *testing.T) {
	c := start(t, Config{})
	c.token = ""
	resp, raw := c.do("GET", "/api/v1/countries", nil)
	assert.Equal(t, 401, resp.StatusCode)
	assert.JSONEq(t, `{"error":{"name":"UnauthorizedError","code":"UNAUTHORIZED","message":"Authorization header required"}}`, string(raw))
	gen := resp.Header.Get("X-Request-Id")
	assert.Len(t, gen, 27, "generated KSUID-like id")

	req, err := http.NewRequest("GET", c.base+"/api/v1/nothing-here", nil)
	require.NoError(t, err)
	req.Header.Set("X-Request-Id", "2DAJbXbD7hYKoQ3fTwzqYYYxk3E")
	r2, err := c.hc.Do(req)
	require.NoError(t, err)
	r2.Body.Close()
	assert.Equal(t, "2DAJbXbD7hYKoQ3fTwzqYYYxk3E", r2.Header.Get("X-Request-Id"))
	assert.Equal(t, 404, r2.StatusCode)
}

// Refreshes alone (a client that never logs in again) still let the token
// table forget tokens that expired long ago and refresh tokens already
// rotated.
func TestRefreshPrunesLongExpiredTokens(t *testing.T) {
	c := start(t, Config{})
	var login struct{ Data tokenPair }
	require.Equal(t, 200, c.call("POST", "/auth/login", map[string]string{"username": DemoAPIKey, "password": DemoAPISecret}, &login))
	c.s.mu.Lock()
	for i := range 1500 {
		c.s.tokens[fmt.Sprintf("old-%d", i)] = &token{client: DemoClientID, expires: time.Now().Add(-2 * time.Hour)}
		// rotated refresh tokens: revoked, not expired for days
		c.s.tokens[fmt.Sprintf("old-rotated-%d", i)] = &token{refresh: true, revoked: true, client: DemoClientID, expires: time.Now().Add(7 * 24 * time.Hour)}
	}
	c.s.mu.Unlock()
	require.Equal(t, 200, c.call("POST", "/auth/refresh", map[string]string{"refresh_token": login.Data.RefreshToken}, nil))
	c.s.mu.Lock()
	old, live := 0, 0
	for k := range c.s.tokens {
		if strings.HasPrefix(k, "old-") {
			old++
		} else {
			live++
		}
	}
	c.s.mu.Unlock()
	assert.Zero(t, old, "the long-expired and the revoked tokens are gone")
	assert.Positive(t, live, "current tokens stay")
}
