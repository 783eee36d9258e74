package api

import (
	"encoding/json"
	"fmt"
)

// Secret holds an API key, secret, token or webhook secret. Every way of
// printing it prints a placeholder; Reveal is the only way to read it.
type Secret string

const redacted = "[redacted]"

// Reveal returns the value, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }

// Empty reports whether no secret is set.
func (s Secret) Empty() bool { return s == "" }

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return fmt.Sprintf("api.Secret(%q)", s.String()) }

// Format covers every verb, %x and %q included.
func (s Secret) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.String()) }

// MarshalJSON never writes the value.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
