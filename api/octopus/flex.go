package octopus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The wire types below decode leniently: the contract promises numbers but
// shows strings in places (fixed_amounts), and null for absent values. They
// convert to plain Go types with a conversion: float64(x), int64(x), string(x).

// Float is a JSON number that may also arrive as a numeric string, "" or null.
type Float float64

func (f *Float) UnmarshalJSON(b []byte) error {
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		*f = 0
		return err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("octopus: %q is not a number", truncate(s, 40))
	}
	*f = Float(v)
	return nil
}

// Int is an integer that may arrive as a number (12 or 12.0), a string, "" or null.
type Int int64

func (n *Int) UnmarshalJSON(b []byte) error {
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		*n = 0
		return err
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = Int(v)
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return fmt.Errorf("octopus: %q is not an integer", truncate(s, 40))
	}
	*n = Int(v)
	return nil
}

// String prints the id in decimal ("" for zero).
func (n Int) String() string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(int64(n), 10)
}

// Text is a string that tolerates numbers, booleans and null; an object or
// array is kept as its compact JSON text.
type Text string

func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return fmt.Errorf("octopus: empty value")
	}
	switch b[0] {
	case 'n':
		*t = ""
		return nil
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
		return nil
	case '{', '[':
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return err
		}
		*t = Text(buf.String())
		return nil
	}
	// number or boolean: keep the literal text after checking it is valid JSON
	if !json.Valid(b) {
		return fmt.Errorf("octopus: invalid JSON value")
	}
	*t = Text(b)
	return nil
}

// Bool accepts true/false, "true"/"false", 1/0 and null.
type Bool bool

func (v *Bool) UnmarshalJSON(b []byte) error {
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		*v = false
		return err
	}
	switch strings.ToLower(s) {
	case "true", "1", "yes":
		*v = true
	case "false", "0", "no":
		*v = false
	default:
		return fmt.Errorf("octopus: %q is not a boolean", truncate(s, 40))
	}
	return nil
}

// Time accepts RFC 3339 with or without fractional seconds, a few common
// variants, unix seconds, "" and null. Unreadable values become the zero time
// rather than failing a whole response.
type Time struct{ time.Time }

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func (t *Time) UnmarshalJSON(b []byte) error {
	t.Time = time.Time{}
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		return nil
	}
	t.Time = parseTime(s)
	return nil
}

func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, s); err == nil {
			return v.UTC()
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		if n > 1e12 { // milliseconds
			return time.UnixMilli(n).UTC()
		}
		return time.Unix(n, 0).UTC()
	}
	return time.Time{}
}

// StringMap is an object whose values are turned into text; anything that
// is not an object decodes to nil (input_data, variant fields).
type StringMap map[string]string

func (m *StringMap) UnmarshalJSON(b []byte) error {
	*m = nil
	var raw map[string]json.RawMessage
	if json.Unmarshal(b, &raw) != nil || raw == nil {
		return nil
	}
	out := make(StringMap, len(raw))
	for k, v := range raw {
		var t Text
		if t.UnmarshalJSON(v) == nil {
			out[k] = string(t)
		}
	}
	*m = out
	return nil
}

// InputField describes one key of a topup's input_data.
type InputField struct {
	Name        string
	Label       string
	Type        string
	Required    bool
	Pattern     string
	Example     string
	Description string
}

// InputFields accepts an array of objects, an array of names, or an object
// keyed by name (values: objects, labels, or required flags): the contract
// does not fix the shape.
type InputFields []InputField

type inputFieldWire struct {
	Name        Text `json:"name"`
	Key         Text `json:"key"`
	Field       Text `json:"field"`
	Label       Text `json:"label"`
	Title       Text `json:"title"`
	DisplayName Text `json:"display_name"`
	Type        Text `json:"type"`
	Pattern     Text `json:"pattern"`
	Regex       Text `json:"regex"`
	Validation  Text `json:"validation"`
	Example     Text `json:"example"`
	Placeholder Text `json:"placeholder"`
	Description Text `json:"description"`
	Required    Bool `json:"required"`
	IsRequired  Bool `json:"is_required"`
	Mandatory   Bool `json:"mandatory"`
}

func (w inputFieldWire) field(name string) InputField {
	f := InputField{
		Name:        firstText(w.Name, w.Key, w.Field, Text(name)),
		Label:       firstText(w.Label, w.Title, w.DisplayName),
		Type:        string(w.Type),
		Required:    bool(w.Required || w.IsRequired || w.Mandatory),
		Pattern:     firstText(w.Pattern, w.Regex, w.Validation),
		Example:     firstText(w.Example, w.Placeholder),
		Description: string(w.Description),
	}
	return f
}

func (fs *InputFields) UnmarshalJSON(b []byte) error {
	*fs = nil
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	var out InputFields
	switch b[0] {
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(b, &items) != nil {
			return nil
		}
		for _, it := range items {
			if f, ok := decodeInputField(it, ""); ok {
				out = append(out, f)
			}
		}
	case '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(b, &m) != nil {
			return nil
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if f, ok := decodeInputField(m[k], k); ok {
				out = append(out, f)
			}
		}
	}
	*fs = out
	return nil
}

func decodeInputField(raw json.RawMessage, name string) (InputField, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return InputField{}, false
	}
	switch raw[0] {
	case '{':
		var w inputFieldWire
		if json.Unmarshal(raw, &w) != nil {
			return InputField{}, false
		}
		f := w.field(name)
		return f, f.Name != ""
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return InputField{}, false
		}
		if name == "" { // ["player_id", "server"]: a list of the keys asked for
			return InputField{Name: s, Required: true}, s != ""
		}
		return InputField{Name: name, Label: s, Required: true}, true
	case 't', 'f':
		if name == "" {
			return InputField{}, false
		}
		return InputField{Name: name, Required: raw[0] == 't'}, true
	}
	return InputField{}, false
}

func firstText(ts ...Text) string {
	for _, t := range ts {
		if s := strings.TrimSpace(string(t)); s != "" {
			return s
		}
	}
	return ""
}

// scalarText returns the text of a JSON scalar: the content of a string or
// the literal of a number or boolean. null and "" report isNull.
func scalarText(b []byte) (s string, isNull bool, err error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", false, fmt.Errorf("octopus: empty value")
	}
	switch b[0] {
	case 'n':
		return "", true, nil
	case '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return "", false, err
		}
		v = strings.TrimSpace(v)
		return v, v == "", nil
	case '{', '[':
		return "", false, fmt.Errorf("octopus: expected a scalar, got %s", kindOfJSON(b[0]))
	}
	return string(b), false, nil
}

func kindOfJSON(c byte) string {
	if c == '{' {
		return "an object"
	}
	return "an array"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
