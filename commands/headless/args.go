// Package headless is `orderwatch place`: the dashboard's order flow
// (validate, quote, place exactly once, optionally wait) without a terminal
// UI, printing one JSON object for scripts and integration suites.
package headless

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Exit codes of `orderwatch place`.
const (
	ExitDelivered = 0 // the order was delivered
	ExitFailed    = 1 // failed, refunded or cancelled (or refused by the provider for a non-input reason)
	ExitBadInput  = 2 // bad flags or input, insufficient balance, LIVE without --yes: nothing was sent
	ExitPartial   = 3 // partially delivered, uncertain or scheduled
	ExitPending   = 4 // still pending (at --timeout, or without --wait)
	ExitUnknown   = 5 // the outcome is unknown: the reference was not found (yet)
)

// DefaultTimeout bounds --wait when --timeout is not given.
const DefaultTimeout = 10 * time.Minute

// PlaceOptions are the flags of `orderwatch place VERTICAL`.
type PlaceOptions struct {
	Vertical api.Vertical
	// Values are the vertical's flags by the keys of its spec (product,
	// denomination, amount, quantity, reference, wallet, …): the same keys
	// the order form fills.
	Values  api.Values
	Wait    bool
	Timeout time.Duration
	Reveal  bool
	Yes     bool
	// Live is set by the caller from the configuration, not by a flag.
	Live bool
}

// inputFlag collects repeated --input key=value.
type inputFlag map[string]string

func (f inputFlag) String() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k+"="+f[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func (f inputFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	if _, dup := f[k]; dup {
		return fmt.Errorf("key %q given twice", k)
	}
	f[k] = v
	return nil
}

// amountFlag parses a positive, finite decimal.
type amountFlag struct {
	v   *float64
	set bool
}

func (a *amountFlag) String() string {
	if a.v == nil || *a.v == 0 {
		return ""
	}
	return strconv.FormatFloat(*a.v, 'f', -1, 64)
}

func (a *amountFlag) Set(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f > 1e9 {
		return fmt.Errorf("%q is not a positive amount", s)
	}
	*a.v, a.set = f, true
	return nil
}

// Usage is the help text of `orderwatch place`.
const Usage = `usage: orderwatch place VERTICAL [flags]

VERTICAL is voucher, topup or esim (Octopus Cards); mobile, internet, giftcard (OneClickDz).

  --product ID          catalogue product id (required for voucher, topup, esim, giftcard)
  --denomination N      voucher face value (a fixed value or inside the product's range)
  --quantity N          vouchers: 1..5000 (up to 5 delivered in the response; more in the background)
  --amount N            topup amount, eSIM plan price, OneClickDz amount
  --player-id ID        topup: the game's player id
  --server NAME         topup: the game server (optional)
  --phone +E164         topup: the phone number (mobile operators)
  --category NAME       topup: Airtime, Data or Bundle, where the product has several
  --input KEY=VALUE     topup: any other input field (repeatable)
  --email ADDRESS       notification email (optional; Octopus only)
  --plan CODE           mobile: the plan code (PREPAID_DJEZZY, MIX500_MOBILIS, …)
  --phone, --msisdn N   mobile: the number, 10 digits starting 05, 06 or 07 (no +213)
                        (--amount: dynamic plans only, a whole DZD amount in the plan's range)
  --type ADSL|4G        internet: the line type
  --number N            internet: ADSL 0 + 8 digits, 4G 213 + 9 digits
  --value N             internet: the card value (500, 1000, 2000, …)
  --type-id ID          giftcard: the product's type (see the catalogue); --quantity 1..stock
  --wallet ID           wallet to pay from (default: the product currency's)
  --reference REF       client_reference (default: generated)
  --wait                track the order until it is delivered, failed or --timeout
  --timeout D           how long --wait waits (default 10m)
  --reveal              print codes, PINs and activation codes in full
  --yes                 confirm spending on a LIVE account
  --config, --journal, --debug FILE
                        as for the dashboard
  --absent-after D      after an interrupted run, how long until "not found" proves it was never placed (default 1m)
  --sandbox-time-scale X, --sandbox-seed N, --sandbox-latency D, --sandbox-fail-5xx P, …
                        the embedded sandbox's knobs, as for the dashboard (orderwatch -h);
                        --sandbox-time-scale 0.01 makes a --wait 100× faster

Examples:
  orderwatch place mobile --plan PREPAID_DJEZZY --phone 0778037340 --amount 500 --wait
  orderwatch place internet --type ADSL --number 036362608 --value 1000 --wait --reveal
  orderwatch place giftcard --product 507f1f77bcf86cd799439011 --type-id type_001 --quantity 2 --wait

Exit codes: 0 delivered, 1 failed/refunded/cancelled, 2 bad input (nothing sent),
3 partial/uncertain/scheduled (PARTIALLY_FILLED, UNKNOWN_ERROR, QUEUED), 4 still pending, 5 outcome unknown.`

// UsageFor is the help of `orderwatch place VERTICAL`, from its spec: its
// own flags, then the ones every vertical shares.
func UsageFor(v api.Vertical) string {
	spec, ok := api.SpecOf(v)
	if !ok {
		return Usage
	}
	var b strings.Builder
	fmt.Fprintf(&b, "usage: orderwatch place %s [flags]\n\n", v)
	line := func(flag, help string) {
		if len(flag) > 20 {
			fmt.Fprintf(&b, "  %s\n  %-20s  %s\n", flag, "", help)
			return
		}
		fmt.Fprintf(&b, "  %-20s  %s\n", flag, help)
	}
	for _, f := range spec.Place.Flags {
		name := "--" + f.Name
		if f.Alias != "" {
			name += ", --" + f.Alias
		}
		if f.Arg != "" {
			name += " " + f.Arg
		}
		line(name, f.Help)
	}
	if q := spec.Place.Quantity; q != "" {
		line("--quantity N", q)
	}
	line("--wallet ID", "wallet to pay from (default: the product currency's)")
	line("--reference REF", "client_reference (default: generated)")
	line("--wait", "track the order until it is delivered, failed or --timeout")
	line("--timeout D", "how long --wait waits (default 10m)")
	line("--reveal", "print codes, PINs and activation codes in full")
	line("--yes", "confirm spending on a LIVE account")
	b.WriteString("  --config, --journal, --debug FILE, --sandbox-…: as for every vertical (orderwatch place -h)\n")
	if spec.Place.Example != "" {
		b.WriteString("\nExample:\n  " + spec.Place.Example + "\n")
	}
	b.WriteString("\nExit codes: 0 delivered, 1 failed/refunded/cancelled, 2 bad input (nothing sent),\n" +
		"3 partial/uncertain/scheduled, 4 still pending, 5 outcome unknown.\n")
	return b.String()
}

// ErrHelp is returned by ParsePlaceArgs for -h/--help.
var ErrHelp = flag.ErrHelp

// rawFlag keeps a flag's text as given (checked by its kind).
type rawFlag struct {
	kind  api.FlagKind
	text  string
	pairs inputFlag
}

func (f *rawFlag) String() string { return f.text }

func (f *rawFlag) Set(s string) error {
	switch f.kind {
	case api.FlagAmount:
		var v float64
		if err := (&amountFlag{v: &v}).Set(s); err != nil {
			return err
		}
		f.text = strconv.FormatFloat(v, 'f', -1, 64)
	case api.FlagPairs:
		return f.pairs.Set(s)
	default:
		f.text = s
	}
	return nil
}

// ParsePlaceArgs reads the flags of `orderwatch place VERTICAL`: the flags
// every vertical shares and the vertical's own, from its spec. Errors name
// the flag; nothing is checked against the catalogue here.
func ParsePlaceArgs(vertical string, args []string) (PlaceOptions, error) {
	var o PlaceOptions
	v, err := api.ParseVertical(vertical)
	if err != nil {
		// A vertical is placeable as soon as its spec is registered.
		v = api.Vertical(strings.ToLower(strings.TrimSpace(vertical)))
		if _, ok := api.SpecOf(v); !ok {
			return o, err
		}
	}
	o.Vertical = v
	spec, ok := api.SpecOf(v)
	if !ok {
		return o, fmt.Errorf("place %s: no spec for this vertical", v)
	}
	fs := flag.NewFlagSet("place "+string(v), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var quantity int
	var wallet, reference string
	fs.IntVar(&quantity, "quantity", 1, "")
	fs.StringVar(&wallet, "wallet", "", "")
	fs.StringVar(&reference, "reference", "", "")
	fs.BoolVar(&o.Wait, "wait", false, "")
	fs.DurationVar(&o.Timeout, "timeout", 0, "")
	fs.BoolVar(&o.Reveal, "reveal", false, "")
	fs.BoolVar(&o.Yes, "yes", false, "")
	// Every vertical's flags are known, so a flag of another vertical is
	// named as such rather than as unknown.
	raw := map[string]*rawFlag{}
	for _, s := range api.Specs() {
		for _, f := range s.Place.Flags {
			for _, name := range []string{f.Name, f.Alias} {
				if name != "" && raw[name] == nil {
					raw[name] = &rawFlag{kind: f.Kind, pairs: inputFlag{}}
					fs.Var(raw[name], name, "")
				}
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, ErrHelp
		}
		return o, fmt.Errorf("place %s: %w", v, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("place %s: unexpected argument %q (flags only; see --help)", v, fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	bad := func(format string, args ...any) (PlaceOptions, error) {
		return o, fmt.Errorf("place %s: "+format, append([]any{v}, args...)...)
	}
	own := map[string]api.Flag{}
	for _, f := range spec.Place.Flags {
		own[f.Name] = f
		if f.Alias != "" {
			if given[f.Name] && given[f.Alias] {
				return bad("--%s and --%s are the same flag; give one", f.Name, f.Alias)
			}
			own[f.Alias] = f
		}
	}
	names := make([]string, 0, len(given))
	for name := range given {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, mine := own[name]; mine || raw[name] == nil {
			continue // a flag of this vertical, or a common one
		}
		if msg, ok := spec.Place.Refuse[name]; ok {
			return bad("%s", msg)
		}
		return bad("--%s is not a flag of place %s (see --help)", name, v)
	}
	o.Values = api.Values{api.KeyQuantity: strconv.Itoa(quantity)}
	for _, name := range names {
		f, mine := own[name]
		if !mine {
			continue
		}
		if f.Kind == api.FlagPairs {
			for k, s := range raw[name].pairs {
				o.Values[api.KeyInput+k] = s
			}
			continue
		}
		o.Values[f.Key] = raw[name].text
	}
	if given["wallet"] {
		o.Values[api.KeyWallet] = strings.TrimSpace(wallet)
	}
	if given["reference"] {
		o.Values[api.KeyReference] = reference
	}
	set := func(name string) bool {
		if given[name] {
			return true
		}
		f, ok := own[name]
		return ok && f.Alias != "" && given[f.Alias]
	}
	if spec.Place.Check != nil {
		if err := spec.Place.Check(o.Values, set); err != nil {
			return bad("%s", err.Error())
		}
	}
	if given["email"] {
		if err := api.ValidateEmail(o.Values[api.KeyEmail]); err != nil {
			return bad("--email: %s", err.(*api.Error).Message)
		}
	}
	if given["reference"] {
		if err := api.ValidateReference(reference); err != nil {
			return bad("--reference: %s", err.(*api.Error).Message)
		}
	}
	if o.Timeout < 0 {
		return bad("--timeout must not be negative")
	}
	if given["timeout"] && !o.Wait {
		return bad("--timeout needs --wait")
	}
	if o.Wait && o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	return o, nil
}
