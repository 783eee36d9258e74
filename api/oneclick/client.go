// Package oneclick is a typed client for the OneClickDz Flexy API v3
// (shared/api/oneclickdz.md): key validation, balance and transactions,
// mobile and internet top-ups, and gift cards. It also adapts the API to the
// domain interfaces in package api (OrderSource, Placer, Catalog,
// Transactions).
//
// The client never retries: the poller owns backoff and the rate budget.
// A create (mobile/internet send, gift-card placeOrder) whose request was
// written but whose answer was lost is an *api.Error of KindOutcomeUnknown.
// A 401 is KindAuth and must not be retried: five invalid keys lock the
// caller's IP out for 15 minutes.
package oneclick

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// DefaultTimeout bounds one request when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// maxBody caps what is read of one response.
const maxBody = 8 << 20

// Config configures a Client.
type Config struct {
	BaseURL    string     // https://api.oneclickdz.com, or http:// to loopback (sandbox)
	APIKey     api.Secret // sent as X-Access-Token
	HTTPClient *http.Client
	Timeout    time.Duration // per request; default DefaultTimeout
	// Logf receives one line per request (method, path, status, duration,
	// requestId); never a key, a body or a card code.
	Logf func(string, ...any)
	// MaxGiftQuantity caps the quantity of one gift-card order (reported as
	// Variant.MaxQuantity). The provider documents no cap; default
	// DefaultMaxGiftQuantity, the sandbox's. A negative value means none.
	MaxGiftQuantity int
	// Now is the clock gift-card intents are stamped with (tests); default time.Now.
	Now func() time.Time
}

// DefaultMaxGiftQuantity is the per-order gift-card cap when Config sets none.
const DefaultMaxGiftQuantity = 50

// Client talks to one OneClickDz account. Safe for concurrent use.
type Client struct {
	base *url.URL
	// key sits behind a pointer: fmt prints an unexported field's value raw
	// (api.Secret's Format is not called), but a nested pointer as an address.
	key     *api.Secret
	hc      *http.Client
	timeout time.Duration
	logf    func(string, ...any)
	maxGift int
	now     func() time.Time

	gifts giftIntents // gift cards placed by this process, by journal reference

	catMu sync.Mutex
	cat   *Catalog
	catAt time.Time
}

// New validates cfg (api.CheckBaseURL: https, or http to loopback) and
// returns a client.
func New(cfg Config) (*Client, error) {
	u, err := api.CheckBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("oneclickdz: base URL: %w", err)
	}
	if strings.TrimSpace(cfg.APIKey.Reveal()) == "" {
		return nil, errors.New("oneclickdz: API key is empty")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("oneclickdz: timeout must not be negative")
	}
	key := cfg.APIKey
	c := &Client{base: u, key: &key, hc: cfg.HTTPClient, timeout: cfg.Timeout, logf: cfg.Logf,
		maxGift: cfg.MaxGiftQuantity, now: cfg.Now}
	if c.maxGift == 0 {
		c.maxGift = DefaultMaxGiftQuantity
	}
	if c.maxGift < 0 {
		c.maxGift = 0
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	return c, nil
}

// String never shows the key.
func (c *Client) String() string { return "oneclickdz.Client{" + c.base.String() + "}" }

// GoString keeps %#v from printing the unexported key field.
func (c *Client) GoString() string { return c.String() }

// response is a decoded success envelope.
type response struct {
	Data      json.RawMessage
	Meta      json.RawMessage
	RequestID string
}

// do sends one request; path is already escaped. create marks a non-idempotent call: a failure after
// the request was written becomes KindOutcomeUnknown.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body any, create bool) (response, error) {
	op := method + " " + path
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{}, &api.Error{Kind: api.KindValidation, Provider: ProviderID, Op: op, Message: "could not encode the request", Err: err}
		}
		rd = bytes.NewReader(b)
	}
	target := strings.TrimRight(c.base.String(), "/") + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, target, rd)
	if err != nil {
		return response{}, &api.Error{Kind: api.KindNetwork, Provider: ProviderID, Op: op, Message: "could not build the request", Err: err}
	}
	req.Header.Set("X-Access-Token", c.key.Reveal())
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	res, err := c.hc.Do(req)
	if err != nil {
		c.logf("oneclickdz: %s failed after %s: %v", op, time.Since(start).Round(time.Millisecond), scrub(err))
		return response{}, transportError(op, create, wrote.Load(), err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		c.logf("oneclickdz: %s → %d, body lost: %v", op, res.StatusCode, scrub(err))
		return response{}, transportError(op, create, true, err)
	}
	r, err := decodeEnvelope(op, res.StatusCode, res.Header, raw)
	rid := r.RequestID
	var ae *api.Error
	if errors.As(err, &ae) {
		rid = ae.RequestID
		if create && ae.Kind == api.KindDecode && res.StatusCode/100 == 2 {
			// Accepted, but we cannot read the id: the order may exist.
			ae.Kind = api.KindOutcomeUnknown
			ae.Message = "the answer could not be read; the order may have been placed (look it up before placing again)"
		}
		if create && res.StatusCode >= 500 {
			// A 5xx does not prove nothing was bought (the provider itself
			// says not to refund before support looked).
			ae.Kind = api.KindOutcomeUnknown
			ae.Message = strings.TrimSpace(ae.Message + "; the order may have been placed (look it up before placing again)")
		}
	}
	c.logf("oneclickdz: %s → %d in %s %s", op, res.StatusCode, time.Since(start).Round(time.Millisecond), rid)
	return r, err
}

// scrub drops URLs from transport errors (they carry ids, never keys, but
// keep log lines short).
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func transportError(op string, create, wrote bool, err error) error {
	e := &api.Error{Kind: api.KindNetwork, Provider: ProviderID, Op: op, Err: scrub(err)}
	if errors.Is(err, context.DeadlineExceeded) {
		e.Message = "timed out"
	}
	if create && wrote {
		e.Kind = api.KindOutcomeUnknown
		e.Message = "the request was sent but no answer came back; the order may have been placed (look it up by reference before placing again)"
	}
	return e
}

// --- envelope and errors ----------------------------------------------------

type rawEnvelope struct {
	Success   *bool           `json:"success"`
	Data      json.RawMessage `json:"data"`
	Meta      json.RawMessage `json:"meta"`
	RequestID flexString      `json:"requestId"`
	Error     json.RawMessage `json:"error"`
}

type rawError struct {
	Code    flexString      `json:"code"`
	Message flexString      `json:"message"`
	Details json.RawMessage `json:"details"`
}

func isNull(b json.RawMessage) bool {
	s := bytes.TrimSpace(b)
	return len(s) == 0 || bytes.Equal(s, []byte("null"))
}

// decodeEnvelope turns one HTTP answer into data or an *api.Error.
func decodeEnvelope(op string, status int, hdr http.Header, body []byte) (response, error) {
	var env rawEnvelope
	jerr := json.Unmarshal(body, &env)
	ok2xx := status >= 200 && status < 300
	if ok2xx && jerr == nil && (env.Success == nil || *env.Success) && isNull(env.Error) {
		if isNull(env.Data) {
			return response{RequestID: string(env.RequestID)}, &api.Error{Kind: api.KindDecode, Provider: ProviderID,
				Op: op, HTTPStatus: status, RequestID: string(env.RequestID), Message: "the response has no data"}
		}
		return response{Data: env.Data, Meta: env.Meta, RequestID: string(env.RequestID)}, nil
	}
	if ok2xx && jerr != nil {
		return response{}, &api.Error{Kind: api.KindDecode, Provider: ProviderID, Op: op, HTTPStatus: status,
			Message: "the response is not the documented JSON envelope", Err: jerr}
	}
	var re rawError
	if jerr == nil && !isNull(env.Error) {
		if err := json.Unmarshal(env.Error, &re); err != nil {
			// "error" as a bare string
			var s string
			if json.Unmarshal(env.Error, &s) == nil {
				re.Message = flexString(s)
			}
		}
	}
	return response{}, mapError(op, status, hdr, string(env.RequestID), re)
}

var (
	reBodyField     = regexp.MustCompile(`^(?:body|querystring|params)/([A-Za-z_][A-Za-z0-9_]*)`)
	reRequiredField = regexp.MustCompile(`required property '([A-Za-z_][A-Za-z0-9_]*)'`)
	reRefMention    = regexp.MustCompile(`(?i)\bref(erence)?\b`)
	reRefDuplicate  = regexp.MustCompile(`(?i)already|duplicat|exist|in use|used|unique`)
)

// mapError maps a OneClickDz error onto the shared kinds.
func mapError(op string, status int, hdr http.Header, rid string, re rawError) *api.Error {
	code := strings.ToUpper(strings.TrimSpace(string(re.Code)))
	msg := strings.TrimSpace(string(re.Message))
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	var details map[string]any
	_ = json.Unmarshal(re.Details, &details)
	e := &api.Error{Provider: ProviderID, Op: op, HTTPStatus: status, Code: code, Message: msg, RequestID: rid}
	if e.Message == "" && status != 0 {
		e.Message = http.StatusText(status)
	}
	lower := strings.ToLower(msg)

	switch {
	case status == http.StatusTooManyRequests:
		e.Kind = api.KindRateLimited
		e.RetryAfter = retryAfter(hdr)
		return e
	case status >= 500:
		e.Kind = api.KindServer
		e.Message = strings.TrimSpace(e.Message + " (do not refund before support has looked at this request)")
		return e
	}
	switch code {
	case "ERR_VALIDATION", "ERR_PHONE", "INVALID_PHONE":
		e.Kind = api.KindValidation
		e.Field = validationField(code, msg, details)
	case "MISSING_ACCESS_TOKEN", "INVALID_ACCESS_TOKEN", "ERR_AUTH":
		e.Kind = api.KindAuth
	case "IP_BLOCKED":
		e.Kind = api.KindForbidden
		e.RetryAfter = retryAfter(hdr)
	case "INSUFFICIENT_BALANCE", "NO_BALANCE":
		e.Kind = api.KindInsufficientFunds
		if req, ok := num(details["required"]); ok {
			av, _ := num(details["available"])
			e.Message += fmt.Sprintf(" (required %s DZD, available %s DZD)", api.FormatAmount(req, "DZD"), api.FormatAmount(av, "DZD"))
		}
	case "DUPLICATED_REF":
		e.Kind = api.KindDuplicateReference
	case "NOT_FOUND":
		e.Kind = api.KindNotFound
	case "OUT_OF_STOCK":
		e.Kind = api.KindValidation
		e.Field = validationField(code, msg, details)
	default:
		switch {
		case status == 400 && reRefMention.MatchString(msg) && reRefDuplicate.MatchString(msg):
			e.Kind = api.KindDuplicateReference
		case status == 400:
			e.Kind = api.KindValidation
			e.Field = validationField(code, msg, details)
		case status == 401:
			e.Kind = api.KindAuth
		case status == 403 && strings.Contains(lower, "balance"):
			e.Kind = api.KindInsufficientFunds
		case status == 403:
			e.Kind = api.KindForbidden
		case status == 404:
			e.Kind = api.KindNotFound
		case status == 409 && reRefMention.MatchString(msg):
			e.Kind = api.KindDuplicateReference
		case status >= 200 && status < 300 && strings.Contains(lower, "balance"):
			e.Kind = api.KindInsufficientFunds
		case status >= 200 && status < 300 && strings.Contains(lower, "stock"):
			e.Kind = api.KindValidation
		default:
			e.Kind = api.KindUnknown
		}
	}
	if e.Kind == api.KindAuth {
		if left, ok := num(details["attemptsLeft"]); ok {
			e.Message += fmt.Sprintf(" (%d attempts left)", int(left))
		}
		e.Message += " — not retried: 5 invalid keys block this IP for 15 minutes; check ONECLICKDZ_API_KEY"
	}
	return e
}

func validationField(code, msg string, details map[string]any) string {
	if f, ok := details["field"].(string); ok && f != "" {
		return f
	}
	if m := reBodyField.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	if m := reRequiredField.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	if code == "ERR_PHONE" || code == "INVALID_PHONE" {
		return "number"
	}
	if code == "OUT_OF_STOCK" || strings.Contains(strings.ToLower(msg), "stock") {
		return "typeId"
	}
	return ""
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n <= 0 || n > 24*3600 {
			return 0
		}
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
