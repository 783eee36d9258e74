// Package octopus is the typed client of the Octopus Cards API v1
// (/work/shared/api/octopus-cards.md) and its adapter to the root model's
// interfaces (api.OrderSource, api.Placer, api.Notifier, api.Catalog,
// api.Transactions), so nothing above it sees wire types.
//
// The client logs in on first use, refreshes the access token before it
// expires (one refresh in flight at a time), refreshes once and retries once
// on a 401, and otherwise never retries: create requests never, GETs only when
// Config.GETRetries asks for it. The poller owns backoff and the rate budget.
package octopus

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/orderwatch/orderwatch/api"
)

// DefaultTimeout bounds every request when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

const (
	maxBody      = 32 << 20 // a catalogue page is large but never this large
	maxErrorBody = 64 << 10
	maxMessage   = 300
)

// Config configures a Client. Printing it never shows the key or secret.
type Config struct {
	BaseURL   string // e.g. https://api.octopuscards.io or http://127.0.0.1:PORT
	APIKey    api.Secret
	APISecret api.Secret
	// WebhookSecret, when set, lets the client hand out the verifier of
	// this account's webhooks (WebhookVerifier).
	WebhookSecret api.Secret
	HTTPClient    *http.Client // optional; its own Timeout, if any, also applies
	// Timeout bounds each request, body read included; default 30 s.
	Timeout time.Duration
	// Logf receives one line per request (method, path, status, request id,
	// duration). Never bodies, never secrets.
	Logf func(string, ...any)
	// Now is the clock used for token expiry; default time.Now.
	Now func() time.Time
	// GETRetries is how many extra attempts a GET gets after a retryable
	// failure (network, 5xx, 429, bad body), with backoff from 200 ms doubling
	// to 10 s, or Retry-After. Default 0: the poller owns retries. Creates and
	// other writes are never retried.
	GETRetries int
}

// Client talks to one Octopus Cards environment with one set of credentials.
// It is safe for concurrent use.
type Client struct {
	base       *url.URL
	creds      *credentials // behind a pointer so printing a Client value shows an address
	hooks      *Webhooks    // nil without a webhook secret
	hc         *http.Client
	timeout    time.Duration
	logf       func(string, ...any)
	now        func() time.Time
	getRetries int
	retryBase  time.Duration

	mu  sync.Mutex
	tok *session
	sf  singleflight.Group

	curMu      sync.Mutex
	currencies map[int64]string
}

// New checks cfg and returns a client. Nothing is sent until the first call.
func New(cfg Config) (*Client, error) {
	if cfg.APIKey.Empty() || cfg.APISecret.Empty() {
		return nil, errors.New("octopus: API key and API secret are required")
	}
	base, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 || cfg.GETRetries < 0 {
		return nil, errors.New("octopus: Timeout and GETRetries must not be negative")
	}
	c := &Client{
		base:       base,
		creds:      &credentials{key: cfg.APIKey, secret: cfg.APISecret},
		hc:         cfg.HTTPClient,
		timeout:    cfg.Timeout,
		logf:       cfg.Logf,
		now:        cfg.Now,
		getRetries: cfg.GETRetries,
		retryBase:  200 * time.Millisecond,
	}
	if !cfg.WebhookSecret.Empty() {
		c.hooks = NewWebhooks(cfg.WebhookSecret)
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	if c.hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		c.hc = &http.Client{
			Transport: tr,
			// An API never redirects; following one could downgrade to plain HTTP.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return c, nil
}

func checkBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("octopus: BaseURL is required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("octopus: bad BaseURL %q: %v", raw, errors.Unwrap(err))
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("octopus: BaseURL %q has no host", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("octopus: BaseURL must be scheme://host[:port][/path] with no credentials, query or fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !api.IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("octopus: plain http is allowed only to a loopback host, not %q (the API rejects plain HTTP; use https)", u.Hostname())
		}
	default:
		return nil, fmt.Errorf("octopus: BaseURL scheme must be https (or http to loopback), got %q", u.Scheme)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// credentials are the account's key and secret. fmt does not call the
// Format method of api.Secret on unexported fields, hence this one.
type credentials struct{ key, secret api.Secret }

func (credentials) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

// String never shows credentials or tokens.
func (c *Client) String() string { return "octopus.Client{" + c.base.String() + "}" }

// GoString keeps %#v as safe as %v.
func (c *Client) GoString() string { return c.String() }

// BaseURL returns the configured base URL.
func (c *Client) BaseURL() string { return c.base.String() }

// request is one API call.
type request struct {
	method string
	path   string // below the base URL, e.g. /api/v1/orders/12
	query  url.Values
	body   any
	create bool // a create-order POST: never retried, outcome may be unknown
	noAuth bool // login and refresh
	// emptyOK accepts a 2xx with no body (out is left untouched).
	emptyOK bool
	token   *session
	// minTimeout lengthens Timeout for a call the server is known to hold
	// (the eSIM create waits up to 60 s for fulfilment).
	minTimeout time.Duration
}

func (r request) op() string { return r.method + " " + r.path }

type response struct {
	status int
	header http.Header
	body   []byte
	reqID  string
}

// do sends r with auth, the one 401 refresh-and-retry, the optional GET
// retries, and decodes a 2xx body into out (unwrapping {success, data}).
func (c *Client) do(ctx context.Context, r request, out any) (api.Page, error) {
	var payload []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return api.Page{}, &api.Error{Kind: api.KindValidation, Provider: ProviderID, Op: r.op(), Message: "request cannot be encoded", Err: err}
		}
		payload = b
	}
	authRetried := false
	for attempt := 0; ; attempt++ {
		tok := r.token
		if !r.noAuth && tok == nil {
			var err error
			if tok, err = c.session(ctx); err != nil {
				return api.Page{}, err
			}
		}
		res, err := c.send(ctx, r, payload, tok)
		if err == nil && res.status == http.StatusUnauthorized && !r.noAuth && r.token == nil && !authRetried {
			// The token was rejected before anything was done, so retrying
			// is safe even for a create.
			authRetried = true
			c.invalidate(tok)
			attempt--
			continue
		}
		if err == nil {
			var page api.Page
			if err = c.handle(r, res, out); err == nil {
				page = parsePage(res.header)
				return page, nil
			}
		}
		if c.shouldRetry(ctx, r, attempt, err) {
			continue
		}
		return api.Page{}, err
	}
}

func (c *Client) shouldRetry(ctx context.Context, r request, attempt int, err error) bool {
	if r.method != http.MethodGet || attempt >= c.getRetries || ctx.Err() != nil || !api.KindOf(err).Retryable() {
		return false
	}
	wait := c.retryBase << attempt
	if wait > 10*time.Second || wait <= 0 {
		wait = 10 * time.Second
	}
	if ra := api.RetryAfterOf(err); ra > 0 {
		wait = ra
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// handle turns a response into nil (after decoding into out) or an *api.Error.
func (c *Client) handle(r request, res *response, out any) error {
	if res.status >= 200 && res.status < 300 {
		if e := wrappedFailure(r.op(), res); e != nil {
			return c.createOutcome(r, e)
		}
		if out == nil || (r.emptyOK && len(bytes.TrimSpace(res.body)) == 0) {
			return nil
		}
		if err := decodeBody(res.body, out); err != nil {
			e := &api.Error{Kind: api.KindDecode, Provider: ProviderID, Op: r.op(), HTTPStatus: res.status, RequestID: res.reqID, Err: err}
			if r.create { // the order may well exist; we just cannot read it
				return outcomeUnknown(e)
			}
			return e
		}
		return nil
	}
	e := parseError(r.op(), res.status, res.header, res.body, res.reqID, c.now())
	return c.createOutcome(r, e)
}

// createOutcome turns a server failure of a create into KindOutcomeUnknown:
// a 5xx does not prove the order was not created.
func (c *Client) createOutcome(r request, e *api.Error) error {
	if r.create && (e.HTTPStatus >= 500 || e.Kind == api.KindServer || e.Kind == api.KindDecode) {
		return outcomeUnknown(e)
	}
	return e
}

func outcomeUnknown(cause *api.Error) *api.Error {
	return &api.Error{
		Kind:       api.KindOutcomeUnknown,
		Provider:   ProviderID,
		Op:         cause.Op,
		HTTPStatus: cause.HTTPStatus,
		Code:       cause.Code,
		Name:       cause.Name,
		Message:    "the order may or may not have been created; look it up by client_reference",
		RequestID:  cause.RequestID,
		Err:        cause,
	}
}

// send performs one HTTP exchange. Transport failures come back as
// *api.Error: KindNetwork, or KindOutcomeUnknown for a create whose request
// may have reached the server.
func (c *Client) send(ctx context.Context, r request, payload []byte, tok *session) (*response, error) {
	timeout := max(c.timeout, r.minTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	u := *c.base
	u.Path = c.base.Path + r.path
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { wrote.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, &api.Error{Kind: api.KindValidation, Provider: ProviderID, Op: r.op(), Err: err}
	}
	reqID := newRequestID()
	req.Header.Set("X-Request-Id", reqID)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "orderwatch")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != nil {
		req.Header.Set("Authorization", "Bearer "+tok.access.Reveal())
	}

	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.logf("octopus: %s failed after %s [request %s]: %v", r.op(), time.Since(start).Round(time.Millisecond), reqID, err)
		return nil, c.transportError(r, reqID, 0, wrote.Load(), err)
	}
	defer resp.Body.Close()
	if echoed := strings.TrimSpace(resp.Header.Get("X-Request-Id")); echoed != "" && len(echoed) <= 128 {
		reqID = echoed
	}
	limit := int64(maxBody)
	if resp.StatusCode >= 300 {
		limit = maxErrorBody
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	c.logf("octopus: %s -> %d in %s [request %s]", r.op(), resp.StatusCode, time.Since(start).Round(time.Millisecond), reqID)
	if err != nil {
		// The server answered: a create it answered may have been done.
		return nil, c.transportError(r, reqID, resp.StatusCode, true, err)
	}
	if int64(len(data)) > limit {
		if resp.StatusCode >= 300 {
			data = data[:limit] // an error body is only read for its code
		} else {
			return nil, c.createOutcome(r, &api.Error{Kind: api.KindDecode, Provider: ProviderID, Op: r.op(), HTTPStatus: resp.StatusCode, RequestID: reqID, Message: "response body too large"})
		}
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data, reqID: reqID}, nil
}

func (c *Client) transportError(r request, reqID string, status int, wrote bool, err error) *api.Error {
	e := &api.Error{Kind: api.KindNetwork, Provider: ProviderID, Op: r.op(), HTTPStatus: status, RequestID: reqID, Err: err}
	if r.create && wrote {
		e.Kind = api.KindOutcomeUnknown
		e.Message = "connection lost after the request was sent; the order may or may not exist: look it up by client_reference"
	}
	return e
}

// decodeBody unwraps {success, data} if present and decodes into out.
func decodeBody(body []byte, out any) error {
	body = unwrap(body)
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("empty response body")
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decode %T: %w", out, err)
	}
	return nil
}

// unwrap returns the data member of a {success, data} envelope, or body.
func unwrap(body []byte) []byte {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' {
		return body
	}
	var env map[string]json.RawMessage
	if json.Unmarshal(t, &env) != nil {
		return body
	}
	data, hasData := env["data"]
	_, hasSuccess := env["success"]
	if !hasData || !hasSuccess {
		return body
	}
	d := bytes.TrimSpace(data)
	if len(d) > 0 && (d[0] == '{' || d[0] == '[') {
		return d
	}
	return body
}

// wrappedFailure catches a 2xx body of {"success": false, "error": {...}}.
func wrappedFailure(op string, res *response) *api.Error {
	t := bytes.TrimSpace(res.body)
	if len(t) == 0 || t[0] != '{' || !bytes.Contains(t, []byte(`"success"`)) {
		return nil
	}
	var env struct {
		Success *bool           `json:"success"`
		Error   json.RawMessage `json:"error"`
	}
	if json.Unmarshal(t, &env) != nil || env.Success == nil || *env.Success || len(env.Error) == 0 {
		return nil
	}
	return parseError(op, res.status, res.header, res.body, res.reqID, time.Now())
}

type errorBody struct {
	Name    Text `json:"name"`
	Code    Text `json:"code"`
	Message Text `json:"message"`
	Field   Text `json:"field"`
}

// parseError decodes {"error":{name,code,message}} into an *api.Error. It
// never fails: an unreadable body gives KindDecode (KindServer for a 5xx,
// KindRateLimited for a 429).
func parseError(op string, status int, h http.Header, body []byte, reqID string, now time.Time) *api.Error {
	e := &api.Error{Provider: ProviderID, Op: op, HTTPStatus: status, RequestID: reqID}
	parsed := false
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message Text            `json:"message"`
	}
	if json.Unmarshal(bytes.TrimSpace(body), &env) == nil {
		var eb errorBody
		var s string
		switch {
		case len(env.Error) > 0 && json.Unmarshal(env.Error, &eb) == nil:
			e.Name, e.Code, e.Message, e.Field = clean(string(eb.Name), 80), clean(string(eb.Code), 80), clean(string(eb.Message), maxMessage), clean(string(eb.Field), 80)
			parsed = e.Code != "" || e.Message != "" || e.Name != ""
		case len(env.Error) > 0 && json.Unmarshal(env.Error, &s) == nil:
			e.Message = clean(s, maxMessage)
			parsed = e.Message != ""
		case env.Message != "":
			e.Message = clean(string(env.Message), maxMessage)
			parsed = true
		}
	}
	e.Kind = kindFor(status, e.Code, e.Message, parsed)
	if e.Kind == api.KindRateLimited || status == http.StatusServiceUnavailable {
		e.RetryAfter = retryAfter(h, e.Message, now)
	}
	if !parsed {
		e.Err = fmt.Errorf("unreadable error body (HTTP %d, %d bytes)", status, len(body))
	}
	return e
}

func kindFor(status int, code, message string, parsed bool) api.ErrorKind {
	if parsed {
		switch strings.ToUpper(code) {
		case "VALIDATION_FAILURE", "VALIDATION_ERROR":
			return api.KindValidation
		case "BAD_REQUEST":
			if strings.Contains(strings.ToLower(message), "duplicate") {
				return api.KindDuplicateReference
			}
			return api.KindValidation
		case "DUPLICATE_REFERENCE", "DUPLICATE_CLIENT_REFERENCE":
			return api.KindDuplicateReference
		case "INSUFFICIENT_FUNDS", "INSUFFICIENT_BALANCE":
			return api.KindInsufficientFunds
		case "UNAUTHORIZED":
			return api.KindAuth
		case "FORBIDDEN", "INVALID_FEATURE":
			return api.KindForbidden
		case "NOT_FOUND":
			return api.KindNotFound
		case "TOO_MANY_REQUESTS":
			return api.KindRateLimited
		case "INTERNAL_SERVER_ERROR":
			return api.KindServer
		}
	}
	switch {
	case status == http.StatusTooManyRequests:
		return api.KindRateLimited
	case status >= 500:
		return api.KindServer
	case !parsed:
		return api.KindDecode
	case status == http.StatusUnauthorized:
		return api.KindAuth
	case status == http.StatusForbidden:
		return api.KindForbidden
	case status == http.StatusNotFound:
		return api.KindNotFound
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		return api.KindValidation
	}
	return api.KindUnknown
}

var retryAfterMsg = regexp.MustCompile(`(?i)retry\s+after\s+(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|secs|seconds?|m|min|minutes?)?`)

// retryAfter reads the Retry-After header (seconds or an HTTP date), else
// the number in "Retry after 12 seconds.".
func retryAfter(h http.Header, message string, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 && n < 86400 {
			return time.Duration(n * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := t.Sub(now); d > 0 && d < 24*time.Hour {
				return d
			}
			return 0
		}
	}
	m := retryAfterMsg.FindStringSubmatch(message)
	if m == nil {
		return 0
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil || n < 0 || n >= 86400 {
		return 0
	}
	unit := time.Second
	switch u := strings.ToLower(m[2]); {
	case strings.HasPrefix(u, "ms"), strings.HasPrefix(u, "milli"):
		unit = time.Millisecond
	case strings.HasPrefix(u, "m"):
		unit = time.Minute
	}
	return time.Duration(n * float64(unit))
}

// clean keeps server text printable and short.
func clean(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return truncate(strings.TrimSpace(s), n)
}

func parsePage(h http.Header) api.Page {
	atoi := func(k string) int {
		n, err := strconv.Atoi(strings.TrimSpace(h.Get(k)))
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
	p := api.Page{
		Page:       atoi("X-Page"),
		PerPage:    atoi("X-Per-Page"),
		TotalCount: atoi("X-Total-Count"),
		TotalPages: atoi("X-Total-Pages"),
		Size:       atoi("X-Page-Size"),
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("X-Has-More"))) {
	case "true", "1", "yes":
		p.HasMore = true
	case "":
		p.HasMore = p.TotalPages > 0 && p.Page > 0 && p.Page < p.TotalPages
	}
	return p
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ksuidEpoch is the KSUID epoch (2014-05-13T16:53:20Z).
const ksuidEpoch = 1400000000

// newRequestID returns a KSUID-shaped id: 4 bytes of time and 16 random
// bytes, base62, 27 characters.
func newRequestID() string {
	var b [20]byte
	ts := uint32(time.Now().Unix() - ksuidEpoch)
	b[0], b[1], b[2], b[3] = byte(ts>>24), byte(ts>>16), byte(ts>>8), byte(ts)
	_, _ = rand.Read(b[4:])
	n := new(big.Int).SetBytes(b[:])
	out := make([]byte, 27)
	radix := big.NewInt(62)
	mod := new(big.Int)
	for i := 26; i >= 0; i-- {
		n.DivMod(n, radix, mod)
		out[i] = base62[mod.Int64()]
	}
	return string(out)
}
