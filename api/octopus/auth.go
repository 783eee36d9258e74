package octopus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// session is one login's tokens. Values are never mutated once published.
type session struct {
	access     api.Secret
	refresh    api.Secret
	accessExp  time.Time
	refreshExp time.Time
	renewAt    time.Time // when to refresh proactively
	clientID   int64
}

const (
	refreshLead   = 5 * time.Minute
	defaultAccess = time.Hour
)

// newSession computes the proactive refresh time: 5 minutes before expiry,
// or at 80% of a TTL shorter than 10 minutes (short sandbox TTLs).
func newSession(w tokenWire, now time.Time) (*session, error) {
	if w.AccessToken == "" {
		return nil, errors.New("login response carries no access_token")
	}
	s := &session{
		access:     api.Secret(w.AccessToken),
		refresh:    api.Secret(w.RefreshToken),
		accessExp:  w.AccessExpiresAt.Time,
		refreshExp: w.RefreshExpiresAt.Time,
		clientID:   int64(w.ClientID),
	}
	if s.accessExp.IsZero() {
		ttl := defaultAccess
		if w.ExpiresIn > 0 {
			ttl = time.Duration(w.ExpiresIn) * time.Second
		}
		s.accessExp = now.Add(ttl)
	}
	ttl := s.accessExp.Sub(now)
	switch {
	case ttl <= 0:
		s.renewAt = now
	case ttl >= 2*refreshLead:
		s.renewAt = s.accessExp.Add(-refreshLead)
	default:
		s.renewAt = now.Add(ttl * 8 / 10)
	}
	return s, nil
}

// Format never prints the tokens (fmt ignores api.Secret's own Format on
// unexported fields).
func (s session) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "session{client:%d, expires:%s}", s.clientID, s.accessExp.Format(time.RFC3339))
}

func (s *session) refreshUsable(now time.Time) bool {
	return s != nil && s.refresh != "" && (s.refreshExp.IsZero() || now.Before(s.refreshExp))
}

// session returns a usable token, logging in or refreshing first when needed.
func (c *Client) session(ctx context.Context) (*session, error) {
	c.mu.Lock()
	s := c.tok
	c.mu.Unlock()
	if s != nil && c.now().Before(s.renewAt) {
		return s, nil
	}
	return c.renew(ctx, false)
}

// invalidate marks the token a 401 rejected, unless another caller already
// replaced it, so concurrent 401s lead to one refresh.
func (c *Client) invalidate(used *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok == used && used != nil {
		stale := *used
		stale.renewAt = time.Time{}
		c.tok = &stale
	}
}

// renew runs one refresh (or login) however many goroutines ask; each caller
// waits on its own context. forceLogin skips the refresh token.
func (c *Client) renew(ctx context.Context, forceLogin bool) (*session, error) {
	// One key for login and refresh: never two auth calls in flight.
	ch := c.sf.DoChan("auth", func() (any, error) {
		c.mu.Lock()
		cur := c.tok
		c.mu.Unlock()
		now := c.now()
		if !forceLogin && cur != nil && now.Before(cur.renewAt) {
			return cur, nil // renewed while we queued
		}
		// Detached from the first caller's cancellation: others share it.
		actx := context.WithoutCancel(ctx)
		var s *session
		var err error
		if !forceLogin && cur.refreshUsable(now) {
			s, err = c.refreshTokens(actx, cur.refresh)
			if err != nil {
				c.logf("octopus: token refresh failed (%v); logging in again", api.KindOf(err))
				s, err = c.login(actx)
			}
		} else {
			s, err = c.login(actx)
		}
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.tok = s
		c.mu.Unlock()
		return s, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*session), nil
	case <-ctx.Done():
		return nil, &api.Error{Kind: api.KindNetwork, Provider: ProviderID, Op: "POST /auth/login", Message: "gave up waiting for the login", Err: ctx.Err()}
	}
}

func (c *Client) login(ctx context.Context) (*session, error) {
	body := map[string]string{"username": c.creds.key.Reveal(), "password": c.creds.secret.Reveal()}
	var w tokenWire
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/auth/login", body: body, noAuth: true}, &w); err != nil {
		return nil, err
	}
	return c.sessionFrom(w, "POST /auth/login")
}

func (c *Client) refreshTokens(ctx context.Context, refresh api.Secret) (*session, error) {
	body := map[string]string{"refresh_token": refresh.Reveal()}
	var w tokenWire
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/auth/refresh", body: body, noAuth: true}, &w); err != nil {
		return nil, err
	}
	return c.sessionFrom(w, "POST /auth/refresh")
}

func (c *Client) sessionFrom(w tokenWire, op string) (*session, error) {
	s, err := newSession(w, c.now())
	if err != nil {
		return nil, &api.Error{Kind: api.KindDecode, Provider: ProviderID, Op: op, Err: err}
	}
	return s, nil
}

// Login logs in now (otherwise the first call does) and keeps the tokens.
func (c *Client) Login(ctx context.Context) error {
	_, err := c.renew(ctx, true)
	return err
}

// Refresh rotates the tokens now, logging in again if the refresh fails.
func (c *Client) Refresh(ctx context.Context) error {
	c.mu.Lock()
	if c.tok != nil {
		stale := *c.tok
		stale.renewAt = time.Time{}
		c.tok = &stale
	}
	c.mu.Unlock()
	_, err := c.renew(ctx, false)
	return err
}

// Logout revokes every token of the client account (server side) and forgets
// the local ones. A later call logs in again.
func (c *Client) Logout(ctx context.Context) error {
	c.mu.Lock()
	s := c.tok
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	_, err := c.do(ctx, request{method: http.MethodPost, path: "/auth/logout", token: s}, nil)
	if err == nil || api.KindOf(err) == api.KindAuth {
		c.mu.Lock()
		if c.tok == s || (c.tok != nil && c.tok.access == s.access) {
			c.tok = nil
		}
		c.mu.Unlock()
	}
	return err
}

// ClientID is the account id of the current login, 0 before the first login.
func (c *Client) ClientID() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok == nil {
		return 0
	}
	return c.tok.clientID
}
