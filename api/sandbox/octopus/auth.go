package octopus

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

type token struct {
	refresh bool
	client  int64
	expires time.Time
	revoked bool
}

type tokenPair struct {
	AccessToken      string    `json:"access_token"`
	RefreshToken     string    `json:"refresh_token"`
	AccessExpiresAt  time.Time `json:"access_expires_at"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	ClientID         int64     `json:"client_id"`
}

// wrapped is the {success, data} envelope used on /auth/* only.
type wrapped struct {
	Success bool `json:"success"`
	Data    any  `json:"data"`
}

// newJWT makes a JWT-shaped token. The server only ever looks it up in its
// table (revocation needs that anyway); the signature is for realism.
func (s *Server) newJWT(kind string, client int64, exp time.Time) string {
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{
		"sub": client, "client_id": client, "typ": kind,
		"iat": time.Now().Unix(), "exp": exp.Unix(), "jti": s.idRng.str(16, base62),
	})
	msg := head + "." + enc.EncodeToString(claims)
	m := hmac.New(sha256.New, s.signKey)
	m.Write([]byte(msg))
	return msg + "." + enc.EncodeToString(m.Sum(nil))
}

// issueLocked creates a fresh access/refresh pair. s.mu must be held.
func (s *Server) issueLocked(client int64) tokenPair {
	now := time.Now().UTC()
	p := tokenPair{
		AccessExpiresAt:  now.Add(s.cfg.TokenTTL),
		RefreshExpiresAt: now.Add(s.cfg.RefreshTTL),
		ClientID:         client,
	}
	p.AccessToken = s.newJWT("access", client, p.AccessExpiresAt)
	p.RefreshToken = s.newJWT("refresh", client, p.RefreshExpiresAt)
	s.tokens[p.AccessToken] = &token{client: client, expires: p.AccessExpiresAt}
	s.tokens[p.RefreshToken] = &token{refresh: true, client: client, expires: p.RefreshExpiresAt}
	s.pruneTokensLocked()
	return p
}

func (s *Server) handleLogin(r *http.Request) (*reply, error) {
	var body struct {
		Username *string `json:"username"`
		Password *string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	if body.Username == nil || body.Password == nil || *body.Username == "" || *body.Password == "" {
		return nil, errValidation("Username and password are required")
	}
	userOK := subtle.ConstantTimeCompare([]byte(*body.Username), []byte(s.creds.APIKey)) == 1
	passOK := subtle.ConstantTimeCompare([]byte(*body.Password), []byte(s.creds.APISecret)) == 1
	if !userOK || !passOK {
		return nil, errUnauthorized("Invalid credentials")
	}
	s.mu.Lock()
	p := s.issueLocked(DemoClientID)
	s.mu.Unlock()
	return ok(wrapped{Success: true, Data: p})
}

func (s *Server) handleRefresh(r *http.Request) (*reply, error) {
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	if body.RefreshToken == "" {
		return nil, errValidation("Refresh token is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[body.RefreshToken]
	if t == nil || !t.refresh || t.revoked {
		return nil, errUnauthorized("Invalid token")
	}
	if !time.Now().Before(t.expires) {
		return nil, errUnauthorized("Refresh token expired")
	}
	t.revoked = true // rotation: the old refresh token is single-use
	return ok(wrapped{Success: true, Data: s.issueLocked(t.client)})
}

func (s *Server) handleLogout(r *http.Request) (*reply, error) {
	client := clientOf(r)
	s.mu.Lock()
	for _, t := range s.tokens {
		if t.client == client {
			t.revoked = true
		}
	}
	s.mu.Unlock()
	return ok(wrapped{Success: true, Data: map[string]string{"message": "Successfully logged out"}})
}

// authenticate checks the Bearer header and returns the client id.
func (s *Server) authenticate(r *http.Request) (int64, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return 0, errUnauthorized("Authorization header required")
	}
	raw, found := strings.CutPrefix(h, "Bearer ")
	if !found || raw == "" {
		return 0, errUnauthorized("Invalid token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[strings.TrimSpace(raw)]
	if t == nil || t.refresh || t.revoked {
		return 0, errUnauthorized("Invalid token")
	}
	if !time.Now().Before(t.expires) {
		return 0, errUnauthorized("Token expired")
	}
	return t.client, nil
}

// pruneTokensLocked forgets revoked tokens and those that expired long ago,
// so a long demo (logins or refreshes alike) does not grow the table
// forever. A forgotten token is refused as "Invalid token", as a revoked
// one is.
func (s *Server) pruneTokensLocked() {
	if len(s.tokens) < 1024 {
		return
	}
	cutoff := time.Now().Add(-time.Hour)
	for k, t := range s.tokens {
		if t.revoked || t.expires.Before(cutoff) {
			delete(s.tokens, k)
		}
	}
}
