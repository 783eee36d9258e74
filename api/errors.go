package api

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrorKind classifies a failure independently of the provider.
type ErrorKind int

const (
	KindUnknown ErrorKind = iota
	KindValidation
	KindAuth
	KindForbidden
	KindNotFound
	KindInsufficientFunds
	KindDuplicateReference
	KindRateLimited
	KindServer
	KindNetwork
	KindOutcomeUnknown
	KindDecode // a response we could not read
)

var kindNames = map[ErrorKind]string{
	KindUnknown:            "error",
	KindValidation:         "validation",
	KindAuth:               "auth",
	KindForbidden:          "forbidden",
	KindNotFound:           "not found",
	KindInsufficientFunds:  "insufficient funds",
	KindDuplicateReference: "duplicate reference",
	KindRateLimited:        "rate limited",
	KindServer:             "server error",
	KindNetwork:            "network error",
	KindOutcomeUnknown:     "outcome unknown",
	KindDecode:             "malformed response",
}

func (k ErrorKind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Retryable reports kinds worth retrying with backoff (never for a create).
func (k ErrorKind) Retryable() bool {
	return k == KindRateLimited || k == KindServer || k == KindNetwork || k == KindDecode
}

// Error is the one error type clients return. It never carries secrets.
type Error struct {
	Kind     ErrorKind
	Provider Provider
	Op       string // e.g. "GET /api/v1/orders/12"
	// URL is the full URL requested (no query), shown in place of Op's
	// path so that a wrong base URL is visible in the message.
	URL        string
	HTTPStatus int
	Code       string // provider code: VALIDATION_FAILURE, ERR_VALIDATION, …
	Name       string // provider error name: BadRequestError, …
	Message    string
	Field      string // the field a validation error names, if any
	RetryAfter time.Duration
	// PerMinute is the limit a 429 said the account has, in requests per
	// minute (0 when it did not say).
	PerMinute int
	RequestID string
	Err       error // underlying transport or decode error
}

func (e *Error) Error() string {
	s := e.Kind.String()
	if op := e.Op; op != "" {
		if e.URL != "" {
			method, _, _ := strings.Cut(op, " ")
			op = method + " " + e.URL
		}
		s = op + ": " + s
	}
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" (HTTP %d", e.HTTPStatus)
		if e.Code != "" {
			s += " " + e.Code
		}
		s += ")"
	} else if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	} else if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Field != "" {
		s += " [field " + e.Field + "]"
	}
	if e.Kind == KindRateLimited && e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	if e.RequestID != "" {
		s += " [request " + e.RequestID + "]"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error of the same kind, so errors.Is(err, ErrRateLimited) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Op == "" && t.Code == ""
}

// Sentinels for errors.Is.
var (
	ErrValidation         = &Error{Kind: KindValidation}
	ErrAuth               = &Error{Kind: KindAuth}
	ErrForbidden          = &Error{Kind: KindForbidden}
	ErrNotFound           = &Error{Kind: KindNotFound}
	ErrInsufficientFunds  = &Error{Kind: KindInsufficientFunds}
	ErrDuplicateReference = &Error{Kind: KindDuplicateReference}
	ErrRateLimited        = &Error{Kind: KindRateLimited}
	ErrServer             = &Error{Kind: KindServer}
	ErrNetwork            = &Error{Kind: KindNetwork}
	ErrOutcomeUnknown     = &Error{Kind: KindOutcomeUnknown}
	ErrDecode             = &Error{Kind: KindDecode}
)

// KindOf returns the kind of err, KindUnknown when it is not an *Error.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindUnknown
}

// PerMinuteOf returns the per-minute limit a 429 stated, or 0.
func PerMinuteOf(err error) int {
	var e *Error
	if errors.As(err, &e) && e.Kind == KindRateLimited {
		return e.PerMinute
	}
	return 0
}

// RetryAfterOf returns the retry-after an error carries, or 0.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
