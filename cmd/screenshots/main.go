// Command screenshots draws the README's pictures from the real program: the
// dashboard exactly as `orderwatch` starts it on its embedded sandbox
// (seeded, with live traffic), driven by key presses, each frame rendered to
// a PNG. Nothing is staged: what the pictures show, the program shows.
//
//	go run ./cmd/screenshots [-out screenshots] [-warmup 25s]
//
// Run it with no provider credentials in the environment (it refuses
// otherwise: that would be a LIVE account).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
	"github.com/orderwatch/orderwatch/commands"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui"
	"github.com/orderwatch/orderwatch/ui/screenshot"
	"github.com/orderwatch/orderwatch/ui/uitest"
)

// A shot is a terminal size and the keys pressed before the picture.
// "wait:" lets the program's commands land; "find:NAME" moves the cursor to
// an order the finder of that name picks from the engine's state.
type shot struct {
	name string
	w, h int
	keys []string
}

var shots = []shot{
	{"main-table", 140, 32, []string{"1"}},
	{"detail-vouchers", 160, 44, []string{"1", "find:voucher-codes", "enter"}},
	{"esim-qr", 160, 48, []string{"3", "find:esim-code", "enter", "v"}},
	{"help", 120, 32, []string{"1", "?"}},
	{"narrow-60x15", 60, 15, []string{"1"}},
	{"event-log", 120, 24, []string{"L"}},
	{"giftcard-partial", 160, 40, []string{"6", "find:gift-partial", "enter", "v"}},
	// The order form on the sandbox's catalogue: Steam Wallet USD, 10 USD,
	// quantity 3; then its result.
	{"order-form", 120, 36, []string{"1", "n", "wait:", "enter", "wait:", "down", "enter", "wait:", "backspace", "3", "wait:"}},
	{"order-result", 120, 36, []string{"1", "n", "wait:", "enter", "wait:", "down", "enter", "wait:", "backspace", "3",
		"enter", "wait:", "enter", "wait:", "enter", "wait:", "enter", "wait:", "enter", "wait:", "wait:"}},
	// The problems inbox and the account view, with the sandbox's
	// failing-operator incident raising a real alert.
	{"alerts-inbox", 160, 36, []string{"wait-alert:", "!"}},
	{"account-charts", 160, 48, []string{"A"}},
}

// finders pick the order a picture is about.
var finders = map[string]func(t engine.Tracked) bool{
	"voucher-codes": func(t engine.Tracked) bool {
		return t.Order.Vertical == api.VerticalVoucher && t.Order.Status == api.StatusDelivered && len(t.Order.Vouchers) >= 2
	},
	"esim-code": func(t engine.Tracked) bool {
		return t.Order.Vertical == api.VerticalESIM && t.Order.ESIM != nil && t.Order.ESIM.ActivationCode != ""
	},
	"gift-partial": func(t engine.Tracked) bool {
		return t.Order.Vertical == api.VerticalGiftCard && t.Order.Status == api.StatusPartial
	},
}

// The sandbox these pictures are taken on: seeded, faster than real time
// so orders move while the pictures are taken, with traffic from other
// channels.
var sandboxArgs = []string{"--sandbox-seed", "7", "--sandbox-time-scale", "0.2", "--sandbox-traffic", "30",
	"--sandbox-incident", "failing-operator", "--no-bell", "--notify", "off"}

func main() {
	out := flag.String("out", "screenshots", "directory for the PNG files")
	warmup := flag.Duration("warmup", 25*time.Second, "how long the sandbox's traffic runs before the first picture")
	flag.Parse()
	if _, err := run(*out, *warmup, shots); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

// run takes the pictures and returns each one's frame, by name.
func run(out string, warmup time.Duration, shots []shot) (map[string]string, error) {
	frames := map[string]string{}
	for _, k := range []string{"OCTOPUS_API_KEY", "OCTOPUS_API_SECRET", "ONECLICKDZ_API_KEY"} {
		if os.Getenv(k) != "" {
			return nil, fmt.Errorf("%s is set: the pictures are taken on the embedded sandbox only; unset the credentials", k)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "orderwatch-screenshots-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	cfg := filepath.Join(tmp, "config.toml") // empty: the user's own config stays out of the pictures
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		return nil, err
	}
	args := append([]string{"--config", cfg, "--journal", filepath.Join(tmp, "journal.db")}, sandboxArgs...)
	ctx, cancel := context.WithCancel(context.Background())
	opts, stop, err := commands.Dashboard(ctx, args, os.Stderr)
	if err != nil {
		cancel()
		return nil, err
	}
	defer func() { cancel(); stop() }()
	for _, p := range opts.Providers {
		if p.Mode != "SANDBOX" {
			return nil, fmt.Errorf("%s is %s: the pictures are taken on the embedded sandbox only", p.Provider, p.Mode)
		}
	}
	opts.NewReference = func() string { return "ow-3f9c0a7d21e4b6c8" }
	// A partially filled gift card, placed as the dashboard places one.
	if d, ok := opts.Ordering[api.ProviderOneClick]; ok {
		if _, err := d.Place(ctx, api.OrderRequest{Vertical: api.VerticalGiftCard, ProductID: oneclicksb.PSNProductID,
			VariantID: "TEST_PARTIAL", Quantity: 4, ClientReference: "ow-gift-partial-1"}); err != nil {
			return nil, fmt.Errorf("placing the gift card: %w", err)
		}
	}
	r := &runner{m: ui.New(opts), msgs: make(chan tea.Msg, 4096), ctrl: opts.Controller, alerts: opts.Alerts}
	r.exec(r.m.Init())
	r.run(warmup)
	for _, s := range shots {
		frame, err := r.shot(s, out)
		if err != nil {
			return nil, err
		}
		frames[s.name] = frame
	}
	return frames, nil
}

// runner is a minimal program loop: commands run in goroutines, their
// messages are delivered here one at a time.
type runner struct {
	m      *ui.Model
	msgs   chan tea.Msg
	ctrl   engine.Controller
	alerts ui.Alerts
}

func (r *runner) shot(s shot, out string) (string, error) {
	r.deliver(tea.WindowSizeMsg{Width: s.w, Height: s.h})
	// Back to the table: close whatever the previous picture opened.
	for range 3 {
		r.deliver(uitest.Key("esc"))
		r.run(50 * time.Millisecond)
	}
	for _, k := range s.keys {
		switch {
		case k == "wait:":
			r.run(600 * time.Millisecond)
		case k == "wait-alert:":
			if err := r.waitAlert(); err != nil {
				return "", fmt.Errorf("%s: %w", s.name, err)
			}
		case strings.HasPrefix(k, "find:"):
			if err := r.find(strings.TrimPrefix(k, "find:")); err != nil {
				return "", fmt.Errorf("%s: %w", s.name, err)
			}
		default:
			r.deliver(uitest.Key(k))
			r.run(50 * time.Millisecond)
		}
	}
	r.run(300 * time.Millisecond)
	path := filepath.Join(out, s.name+".png")
	frame := r.m.View().Content
	if err := screenshot.SavePNG(path, frame, s.w, s.h, screenshot.Dark); err != nil {
		return "", err
	}
	fmt.Println(path)
	return frame, nil
}

// waitAlert runs the program until the alert engine has raised something.
func (r *runner) waitAlert() error {
	deadline := time.Now().Add(90 * time.Second)
	for r.alerts != nil && r.alerts.Snapshot().Open == 0 {
		if time.Now().After(deadline) {
			return errors.New("no alert raised after 90 s")
		}
		r.run(time.Second)
	}
	return nil
}

// find puts the cursor on the newest order the finder picks, the way a
// person would: filter by its ID, then clear the filter (the cursor stays).
func (r *runner) find(name string) error {
	pick := finders[name]
	var best *engine.Tracked
	deadline := time.Now().Add(30 * time.Second)
	for best == nil {
		for _, t := range r.ctrl.Snapshot() {
			if pick(t) && (best == nil || t.FirstSeen.After(best.FirstSeen)) {
				best = &t
			}
		}
		if best == nil {
			if time.Now().After(deadline) {
				return fmt.Errorf("no %s order in the sandbox after 30 s", name)
			}
			r.run(time.Second)
		}
	}
	r.deliver(uitest.Key("/"))
	for _, c := range best.Order.ID {
		r.deliver(tea.KeyPressMsg{Code: c, Text: string(c)})
	}
	r.deliver(uitest.Key("enter"))
	r.deliver(uitest.Key("esc"))
	r.run(50 * time.Millisecond)
	return nil
}

var cmdType = reflect.TypeOf((tea.Cmd)(nil))

func (r *runner) exec(cmd tea.Cmd) {
	if cmd != nil {
		go func() { r.msgs <- cmd() }()
	}
}

func (r *runner) deliver(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			r.exec(c)
		}
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		for i := 0; i < v.Len(); i++ {
			r.exec(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	_, cmd := r.m.Update(msg)
	r.exec(cmd)
}

// run delivers whatever arrives for d: the engine never goes quiet.
func (r *runner) run(d time.Duration) {
	end := time.After(d)
	for {
		select {
		case msg := <-r.msgs:
			r.deliver(msg)
		case <-end:
			return
		}
	}
}
