// Package octopus is the Octopus Cards verticals' specs (vouchers, topups,
// eSIMs) and the provider's input rules they apply. It imports only the
// domain, so the UI may read it without the provider's client.
package octopus

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/orderwatch/orderwatch/api"
)

// The input rules of Octopus orders (contract §2.3, §6.3), shared by the
// three verticals' specs: the order form and `orderwatch place` apply them.

// e164 is the phone format Octopus asks for.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func ruleErr(field, format string, args ...any) *api.Error {
	return api.FieldError(field, format, args...)
}

// IsPhoneField reports input_data keys that carry a phone number.
func IsPhoneField(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "phone") || strings.Contains(n, "mobile") || strings.Contains(n, "msisdn")
}

// IsPlayerField reports input_data keys that carry a game's player id.
func IsPlayerField(name string) bool { return strings.Contains(strings.ToLower(name), "player") }

// ValidatePhone checks E.164: a plus, then 7 to 15 digits, no spaces.
func ValidatePhone(s string) error {
	if !e164.MatchString(s) {
		return ruleErr("phone", "%q is not an E.164 phone number (e.g. +918879685100, no spaces)", api.TruncateText(s, 40))
	}
	return nil
}

// ValidateInputField checks one input_data value against its field.
func ValidateInputField(f api.InputField, value string) error {
	field := api.KeyInput + f.Name
	if value == "" {
		if f.Required {
			return ruleErr(field, "%s is required", fieldLabel(f))
		}
		return nil
	}
	if IsPhoneField(f.Name) {
		if err := ValidatePhone(value); err != nil {
			return ruleErr(field, "%s", err.(*api.Error).Message)
		}
	}
	if f.Pattern != "" {
		// A pattern we cannot compile is the server's business, not a reason to block.
		if re, err := regexp.Compile(f.Pattern); err == nil && !re.MatchString(value) {
			return ruleErr(field, "%q does not look like a %s", api.TruncateText(value, 40), strings.ToLower(fieldLabel(f)))
		}
	}
	for _, r := range value {
		if r < 0x20 || r == 0x7f {
			return ruleErr(field, "must not contain control characters")
		}
	}
	return nil
}

func fieldLabel(f api.InputField) string {
	if f.Label != "" {
		return f.Label
	}
	return f.Name
}

// ValidateInputData checks a topup's input_data against the product's
// input fields: required keys present, no extra keys, values well formed.
func ValidateInputData(p *api.Product, in map[string]string) error {
	var c api.Collect
	known := map[string]bool{}
	for _, f := range p.InputFields {
		known[f.Name] = true
		c.Add(ValidateInputField(f, in[f.Name]))
	}
	var extra []string
	for k := range in {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		want := make([]string, 0, len(p.InputFields))
		for _, f := range p.InputFields {
			want = append(want, f.Name)
		}
		c.Add(ruleErr(api.KeyInput+k, "%s does not take %q (it takes: %s)", p.Name, k, strings.Join(want, ", ")))
	}
	return c.Err()
}

// validateOrder applies the rules every Octopus vertical shares around
// amount, its own check of the amount (and input data).
func validateOrder(r api.OrderRequest, p *api.Product, amountField string, amount func(p *api.Product) error, quantity func(int) error) error {
	var c api.Collect
	c.Add(api.CheckProduct(r, p))
	if p != nil {
		c.Add(amount(p))
	} else {
		c.Add(api.CheckPositive(amountField, r.Amount))
	}
	if r.Vertical == api.VerticalTopup {
		if p != nil {
			c.Add(ValidateInputData(p, r.InputData))
		}
	} else if len(r.InputData) > 0 {
		c.Add(ruleErr("input_data", "only topups take input data"))
	}
	c.Add(quantity(r.Quantity))
	c.Add(api.ValidateEmail(r.Email))
	c.Add(api.ValidateReference(r.ClientReference))
	return c.Err()
}

// octopusTexts are what the form says while an Octopus order is quoted,
// placed, or looked for after a lost reply.
var octopusTexts = api.Texts{Quoting: "getting the price (charges)…", ZeroDiscount: true}

// refuseTopupFlags are the topup-only flags, refused by the other verticals.
func refuseTopupFlags(m map[string]string) map[string]string {
	for _, f := range []string{"player-id", "server", "input", "phone", "category"} {
		m[f] = fmt.Sprintf("--%s is for topups", f)
	}
	return m
}

// commonFlags are the flags of every Octopus vertical besides its own.
var commonFlags = []api.Flag{
	{Name: "product", Key: api.KeyProduct, Arg: "ID", Help: "catalogue product id (required)"},
	{Name: "email", Key: api.KeyEmail, Arg: "ADDRESS", Help: "notification email (optional)"},
}

// flagsOf are an Octopus vertical's flags: --product, its own, --email.
func flagsOf(own ...api.Flag) []api.Flag {
	return append(append([]api.Flag{commonFlags[0]}, own...), commonFlags[1])
}

// checkProductFlag: --product is required.
func checkProductFlag(v api.Values) error {
	v[api.KeyProduct] = strings.TrimSpace(v[api.KeyProduct])
	if v[api.KeyProduct] == "" {
		return fmt.Errorf("--product is required")
	}
	return nil
}
