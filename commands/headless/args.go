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
	Vertical     api.Vertical
	ProductID    string
	Denomination float64 // vouchers
	Amount       float64 // topups, eSIMs and the OneClickDz verticals
	Quantity     int
	PlayerID     string
	Server       string
	Phone        string
	Category     string
	Email        string
	WalletID     string
	Reference    string
	Input        map[string]string // --input key=value
	// OneClickDz: --plan (mobile, becomes ProductID), --type and --number
	// (internet; the type becomes ProductID), --type-id (gift cards).
	// --phone/--msisdn fill Phone; --value fills Amount.
	Plan    string
	Type    string
	Number  string
	TypeID  string
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

// ErrHelp is returned by ParsePlaceArgs for -h/--help.
var ErrHelp = flag.ErrHelp

// ParsePlaceArgs reads the flags of `orderwatch place VERTICAL`. Errors name
// the flag; nothing is checked against the catalogue here.
func ParsePlaceArgs(vertical string, args []string) (PlaceOptions, error) {
	var o PlaceOptions
	v, err := api.ParseVertical(vertical)
	if err != nil {
		return o, err
	}
	o.Vertical = v
	o.Input = map[string]string{}
	fs := flag.NewFlagSet("place "+string(v), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	denom := &amountFlag{v: &o.Denomination}
	amount := &amountFlag{v: &o.Amount}
	fs.StringVar(&o.ProductID, "product", "", "")
	fs.Var(denom, "denomination", "")
	fs.IntVar(&o.Quantity, "quantity", 1, "")
	fs.Var(amount, "amount", "")
	fs.StringVar(&o.PlayerID, "player-id", "", "")
	fs.StringVar(&o.Server, "server", "", "")
	fs.StringVar(&o.Phone, "phone", "", "")
	fs.StringVar(&o.Phone, "msisdn", "", "")
	fs.StringVar(&o.Plan, "plan", "", "")
	fs.StringVar(&o.Type, "type", "", "")
	fs.StringVar(&o.Number, "number", "", "")
	fs.Var(&amountFlag{v: &o.Amount}, "value", "")
	fs.StringVar(&o.TypeID, "type-id", "", "")
	fs.StringVar(&o.Category, "category", "", "")
	fs.StringVar(&o.Email, "email", "", "")
	fs.StringVar(&o.WalletID, "wallet", "", "")
	fs.StringVar(&o.Reference, "reference", "", "")
	fs.Var(inputFlag(o.Input), "input", "")
	fs.BoolVar(&o.Wait, "wait", false, "")
	fs.DurationVar(&o.Timeout, "timeout", 0, "")
	fs.BoolVar(&o.Reveal, "reveal", false, "")
	fs.BoolVar(&o.Yes, "yes", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, ErrHelp
		}
		return o, fmt.Errorf("place %s: %w", v, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("place %s: unexpected argument %q (flags only; see --help)", v, fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	bad := func(format string, args ...any) (PlaceOptions, error) {
		return o, fmt.Errorf("place %s: "+format, append([]any{v}, args...)...)
	}
	if set["phone"] && set["msisdn"] {
		return bad("--phone and --msisdn are the same flag; give one")
	}
	if set["msisdn"] {
		set["phone"] = true
	}
	if set["value"] && set["amount"] {
		return bad("--value and --amount both set the amount; give one")
	}
	for _, f := range oneClickFlags(v) {
		if set[f] {
			return bad("--%s is not a flag of place %s (see --help)", f, v)
		}
	}
	if v.Provider() == api.ProviderOneClick {
		if err := parseOneClick(&o, set); err != nil {
			return bad("%s", err.Error())
		}
	} else {
		if strings.TrimSpace(o.ProductID) == "" {
			return bad("--product is required")
		}
		o.ProductID = strings.TrimSpace(o.ProductID)
		switch v {
		case api.VerticalVoucher:
			if amount.set {
				return bad("--amount is for topups and eSIMs; a voucher takes --denomination")
			}
			if !denom.set {
				return bad("--denomination is required")
			}
		default:
			if denom.set {
				return bad("--denomination is for vouchers; use --amount")
			}
			if !amount.set {
				return bad("--amount is required")
			}
		}
		if v != api.VerticalTopup {
			for _, f := range []string{"player-id", "server", "input", "phone", "category"} {
				if set[f] {
					return bad("--%s is for topups", f)
				}
			}
		}
		if set["phone"] {
			if err := api.ValidatePhone(o.Phone); err != nil {
				return bad("--phone: %s", err.(*api.Error).Message)
			}
		}
	}
	if set["quantity"] && v != api.VerticalGiftCard {
		if err := api.ValidateQuantity(v, o.Quantity); err != nil {
			return bad("--quantity %d: %s", o.Quantity, err.(*api.Error).Message)
		}
	}
	if set["email"] {
		if err := api.ValidateEmail(o.Email); err != nil {
			return bad("--email: %s", err.(*api.Error).Message)
		}
	}
	if set["reference"] {
		if err := api.ValidateReference(o.Reference); err != nil {
			return bad("--reference: %s", err.(*api.Error).Message)
		}
	}
	if o.Timeout < 0 {
		return bad("--timeout must not be negative")
	}
	if set["timeout"] && !o.Wait {
		return bad("--timeout needs --wait")
	}
	if o.Wait && o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if len(o.Input) == 0 {
		o.Input = nil
	}
	return o, nil
}

// oneClickOnly are the flags of the OneClickDz verticals alone.
var oneClickOnly = []string{"plan", "msisdn", "type", "number", "value", "type-id"}

// oneClickFlags lists the flags v does not take, among the provider-specific ones.
func oneClickFlags(v api.Vertical) []string {
	switch v {
	case api.VerticalMobile:
		return []string{"product", "denomination", "type", "number", "value", "type-id", "player-id", "server", "input", "category", "email"}
	case api.VerticalInternet:
		return []string{"product", "denomination", "plan", "phone", "msisdn", "amount", "type-id", "player-id", "server", "input", "category", "email"}
	case api.VerticalGiftCard:
		return []string{"denomination", "amount", "value", "plan", "phone", "msisdn", "type", "number", "player-id", "server", "input", "category", "email"}
	}
	return oneClickOnly
}

// parseOneClick checks the flags of mobile, internet and giftcard and sets
// ProductID to what the catalogue is asked for (plan, type or product).
func parseOneClick(o *PlaceOptions, set map[string]bool) error {
	switch o.Vertical {
	case api.VerticalMobile:
		o.Plan = strings.TrimSpace(o.Plan)
		if o.Plan == "" {
			return errors.New("--plan is required (e.g. PREPAID_DJEZZY)")
		}
		if !set["phone"] {
			return errors.New("--phone (or --msisdn) is required")
		}
		if err := api.ValidateMSISDN(o.Phone); err != nil {
			return fmt.Errorf("--phone: %s", err.(*api.Error).Message)
		}
		if set["amount"] && o.Amount != math.Trunc(o.Amount) {
			return errors.New("--amount: must be a whole number of DZD")
		}
		o.ProductID = o.Plan
	case api.VerticalInternet:
		typ, ok := api.NormalizeInternetType(o.Type)
		if !ok {
			return fmt.Errorf("--type %q: want ADSL or 4G", o.Type)
		}
		o.Type = typ
		if !set["number"] {
			return errors.New("--number is required")
		}
		if err := api.ValidateInternetNumber(typ, o.Number); err != nil {
			return fmt.Errorf("--number: %s", err.(*api.Error).Message)
		}
		if !set["value"] {
			return errors.New("--value is required (e.g. 1000)")
		}
		o.ProductID = typ
	case api.VerticalGiftCard:
		o.ProductID, o.TypeID = strings.TrimSpace(o.ProductID), strings.TrimSpace(o.TypeID)
		if o.ProductID == "" {
			return errors.New("--product is required")
		}
		if o.TypeID == "" {
			return errors.New("--type-id is required (the product's types are in the catalogue)")
		}
		if o.Quantity < 1 {
			return fmt.Errorf("--quantity %d: must be at least 1", o.Quantity)
		}
	}
	return nil
}
