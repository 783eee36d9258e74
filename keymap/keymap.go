// Package keymap declares every key binding of orderwatch with its help text,
// its group, the scope it works in and whether it is dangerous (spends money
// or changes an order). The UI matches keys and generates help from the same
// values, so --readonly removes an action from both at once.
package keymap

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// Scope is where a binding is active.
type Scope string

const (
	ScopeGlobal Scope = "global" // everywhere except a focused text input
	ScopeTable  Scope = "table"  // the order table (also while the detail pane is open)
	ScopeDetail Scope = "detail" // the detail pane
	ScopeInput  Scope = "input"  // a focused text input (filter, email): it gets every other key
	ScopeHelp   Scope = "help"   // the help view
	ScopeLog    Scope = "log"    // the event log view
	// ScopeForm is the order form: it gets every key but these (its own
	// keys are listed by FormKeys).
	ScopeForm Scope = "form"
)

// View is what the user is looking at; it decides which scopes are active.
type View int

const (
	ViewTable View = iota
	ViewDetail
	ViewInput
	ViewHelp
	ViewLog
	ViewForm
	ViewInbox
	ViewAccount
)

// Scopes lists the scopes active in a view. A text input takes every key, so
// no global binding works there.
func (v View) Scopes() []Scope {
	switch v {
	case ViewDetail:
		return []Scope{ScopeGlobal, ScopeTable, ScopeDetail}
	case ViewInput:
		return []Scope{ScopeInput}
	case ViewHelp:
		return []Scope{ScopeGlobal, ScopeHelp}
	case ViewLog:
		return []Scope{ScopeGlobal, ScopeLog}
	case ViewForm:
		return []Scope{ScopeForm}
	case ViewInbox:
		return []Scope{ScopeGlobal, ScopeInbox}
	case ViewAccount:
		return []Scope{ScopeGlobal, ScopeAccount}
	}
	return []Scope{ScopeGlobal, ScopeTable}
}

// AllViews lists every view, for checks over all of them.
var AllViews = []View{ViewTable, ViewDetail, ViewInput, ViewHelp, ViewLog, ViewForm, ViewInbox, ViewAccount}

// KeyMap holds every binding. Use DefaultKeyMap for a fresh one.
type KeyMap struct {
	// global
	Quit         key.Binding
	Help         key.Binding
	NextTab      key.Binding
	PrevTab      key.Binding
	GotoTab      key.Binding
	Log          key.Binding
	DismissError key.Binding

	// table
	Up         key.Binding
	Down       key.Binding
	PageUp     key.Binding
	PageDown   key.Binding
	Top        key.Binding
	Bottom     key.Binding
	Detail     key.Binding
	Back       key.Binding
	Filter     key.Binding
	Problems   key.Binding
	Sort       key.Binding
	Reverse    key.Binding
	Refresh    key.Binding
	Pin        key.Binding
	Email      key.Binding
	PlaceOrder key.Binding
	Export     key.Binding
	ToggleWide key.Binding

	// detail
	Reveal       key.Binding
	CopyCard     key.Binding
	CopyPIN      key.Binding
	CopyClaimURL key.Binding
	CopyLPA      key.Binding
	CopyICCID    key.Binding
	CopySerial   key.Binding
	PrevVoucher  key.Binding
	NextVoucher  key.Binding
	DetailDown   key.Binding
	DetailUp     key.Binding

	// text input
	InputAccept key.Binding
	InputCancel key.Binding
	InputQuit   key.Binding

	// help
	HelpClose key.Binding
	HelpDown  key.Binding
	HelpUp    key.Binding

	// log
	LogClose  key.Binding
	LogDown   key.Binding
	LogUp     key.Binding
	LogTop    key.Binding
	LogBottom key.Binding

	// order form (the form handles every other key itself)
	FormHelp key.Binding
	FormQuit key.Binding

	// problems inbox and account view (alerts.go)
	AlertKeys
}

// Entry describes one binding of a KeyMap.
type Entry struct {
	Action    string // the name used in config overrides, e.g. "refresh"
	Group     string // help group
	Scope     Scope
	Dangerous bool // spends money or changes an order: removed by --readonly
	Binding   *key.Binding
}

func nb(help string, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// DefaultKeyMap returns a fresh KeyMap with the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:         nb("q", "quit", "q", "ctrl+c"),
		Help:         nb("?", "help", "?"),
		NextTab:      nb("tab", "next tab", "tab"),
		PrevTab:      nb("shift+tab", "previous tab", "shift+tab"),
		GotoTab:      nb("1-9", "go to tab", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		Log:          nb("L", "event log", "L"),
		DismissError: nb("x", "dismiss error", "x"),

		Up:         nb("↑/k", "up", "up", "k"),
		Down:       nb("↓/j", "down", "down", "j"),
		PageUp:     nb("pgup", "page up", "pgup", "ctrl+b"),
		PageDown:   nb("pgdn", "page down", "pgdown", "ctrl+f"),
		Top:        nb("g/home", "first order", "g", "home"),
		Bottom:     nb("G/end", "last order", "G", "end"),
		Detail:     nb("enter", "toggle detail", "enter"),
		Back:       nb("esc", "close detail / clear filter", "esc"),
		Filter:     nb("/", "filter (text, regexp, !invert)", "/"),
		Problems:   nb("f", "only problems", "f"),
		Sort:       nb("s", "sort by next column", "s"),
		Reverse:    nb("S", "reverse sort", "S"),
		Refresh:    nb("r", "refresh order now", "r"),
		Pin:        nb("p", "pin order", "p"),
		Email:      nb("e", "attach notification email", "e"),
		PlaceOrder: nb("n", "place order", "n"),
		Export:     nb("w", "export tab to CSV", "w"),
		ToggleWide: nb("D", "detail beside/below", "D"),

		Reveal:       nb("v", "reveal/hide codes", "v"),
		CopyCard:     nb("c", "copy card number", "c"),
		CopyPIN:      nb("C", "copy PIN", "C"),
		CopyClaimURL: nb("u", "copy claim URL", "u"),
		CopyLPA:      nb("Q", "copy LPA code (the text of the QR)", "Q"),
		CopyICCID:    nb("i", "copy ICCID", "i"),
		CopySerial:   nb("N", "copy serial number", "N"),
		PrevVoucher:  nb("[", "previous voucher", "["),
		NextVoucher:  nb("]", "next voucher", "]"),
		DetailDown:   nb("J", "scroll detail down", "J"),
		DetailUp:     nb("K", "scroll detail up", "K"),

		InputAccept: nb("enter", "apply", "enter"),
		InputCancel: nb("esc", "cancel", "esc"),
		InputQuit:   nb("ctrl+c", "quit", "ctrl+c"),

		HelpClose: nb("esc", "close help", "esc"),
		HelpDown:  nb("↓/j", "scroll down", "down", "j"),
		HelpUp:    nb("↑/k", "scroll up", "up", "k"),

		LogClose:  nb("esc", "close log", "esc"),
		LogDown:   nb("↓/j", "down", "down", "j"),
		LogUp:     nb("↑/k", "up", "up", "k"),
		LogTop:    nb("g", "newest", "g", "home"),
		LogBottom: nb("G", "oldest", "G", "end"),

		// ? is also a character a field can take: a printable help key only
		// opens help where nothing is being typed; f1 always does.
		FormHelp: nb("?/f1", "form keys (? only when no field takes text)", "?", "f1"),
		FormQuit: nb("ctrl+c", "quit (while placing: asks again, never drops the order silently)", "ctrl+c"),

		AlertKeys: defaultAlertKeys(),
	}
}

// Entries lists every binding with its metadata, pointing into k.
func (k *KeyMap) Entries() []Entry {
	g := func(action, group string, s Scope, b *key.Binding) Entry {
		return Entry{Action: action, Group: group, Scope: s, Binding: b}
	}
	danger := func(e Entry) Entry { e.Dangerous = true; return e }
	return append([]Entry{
		g("quit", "General", ScopeGlobal, &k.Quit),
		g("help", "General", ScopeGlobal, &k.Help),
		g("next_tab", "General", ScopeGlobal, &k.NextTab),
		g("prev_tab", "General", ScopeGlobal, &k.PrevTab),
		g("goto_tab", "General", ScopeGlobal, &k.GotoTab),
		g("log", "General", ScopeGlobal, &k.Log),
		g("dismiss_error", "General", ScopeGlobal, &k.DismissError),

		g("up", "Navigate", ScopeTable, &k.Up),
		g("down", "Navigate", ScopeTable, &k.Down),
		g("page_up", "Navigate", ScopeTable, &k.PageUp),
		g("page_down", "Navigate", ScopeTable, &k.PageDown),
		g("top", "Navigate", ScopeTable, &k.Top),
		g("bottom", "Navigate", ScopeTable, &k.Bottom),
		g("detail", "Navigate", ScopeTable, &k.Detail),
		g("back", "Navigate", ScopeTable, &k.Back),
		g("filter", "View", ScopeTable, &k.Filter),
		g("problems", "View", ScopeTable, &k.Problems),
		g("sort", "View", ScopeTable, &k.Sort),
		g("reverse", "View", ScopeTable, &k.Reverse),
		g("toggle_wide", "View", ScopeTable, &k.ToggleWide),
		g("export", "View", ScopeTable, &k.Export),
		g("refresh", "Order", ScopeTable, &k.Refresh),
		g("pin", "Order", ScopeTable, &k.Pin),
		danger(g("email", "Order", ScopeTable, &k.Email)),
		danger(g("place_order", "Order", ScopeTable, &k.PlaceOrder)),

		g("reveal", "Detail", ScopeDetail, &k.Reveal),
		g("copy_card", "Detail", ScopeDetail, &k.CopyCard),
		g("copy_pin", "Detail", ScopeDetail, &k.CopyPIN),
		g("copy_claim_url", "Detail", ScopeDetail, &k.CopyClaimURL),
		g("copy_lpa", "Detail", ScopeDetail, &k.CopyLPA),
		g("copy_iccid", "Detail", ScopeDetail, &k.CopyICCID),
		g("copy_serial", "Detail", ScopeDetail, &k.CopySerial),
		g("prev_voucher", "Detail", ScopeDetail, &k.PrevVoucher),
		g("next_voucher", "Detail", ScopeDetail, &k.NextVoucher),
		g("detail_down", "Detail", ScopeDetail, &k.DetailDown),
		g("detail_up", "Detail", ScopeDetail, &k.DetailUp),

		g("input_accept", "Input", ScopeInput, &k.InputAccept),
		g("input_cancel", "Input", ScopeInput, &k.InputCancel),
		g("input_quit", "Input", ScopeInput, &k.InputQuit),

		g("help_close", "Help", ScopeHelp, &k.HelpClose),
		g("help_down", "Help", ScopeHelp, &k.HelpDown),
		g("help_up", "Help", ScopeHelp, &k.HelpUp),

		g("log_close", "Log", ScopeLog, &k.LogClose),
		g("log_down", "Log", ScopeLog, &k.LogDown),
		g("log_up", "Log", ScopeLog, &k.LogUp),
		g("log_top", "Log", ScopeLog, &k.LogTop),
		g("log_bottom", "Log", ScopeLog, &k.LogBottom),

		g("form_help", "General", ScopeForm, &k.FormHelp),
		g("form_quit", "General", ScopeForm, &k.FormQuit),
	}, k.alertEntries()...)
}

// SetReadOnly removes every dangerous binding from keys and help alike.
func (k *KeyMap) SetReadOnly() {
	for _, e := range k.Entries() {
		if e.Dangerous {
			e.Binding.Unbind()
			e.Binding.SetEnabled(false)
		}
	}
}

// Apply replaces the keys of the named actions. An unknown action, an empty
// key list or an empty key is an error naming it, and then nothing changes.
func (k *KeyMap) Apply(overrides map[string][]string) error {
	byName := map[string]*key.Binding{}
	for _, e := range k.Entries() {
		byName[e.Action] = e.Binding
	}
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, ok := byName[n]; !ok {
			return fmt.Errorf("keymap: unknown action %q", n)
		}
		keys := overrides[n]
		if len(keys) == 0 {
			return fmt.Errorf("keymap: action %q: no keys given", n)
		}
		for _, s := range keys {
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("keymap: action %q: empty key", n)
			}
		}
	}
	saved := *k
	for _, n := range names {
		b := byName[n]
		keys := append([]string(nil), overrides[n]...)
		desc := b.Help().Desc
		enabled := b.Enabled()
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), desc)
		// An unbound (readonly) action stays unbound.
		if !enabled {
			b.Unbind()
			b.SetEnabled(false)
		}
	}
	if err := k.Validate(); err != nil {
		*k = saved
		return err
	}
	return nil
}

// Conflicts returns a message for every key bound twice among the enabled
// bindings active in one view; empty means none.
func (k *KeyMap) Conflicts() []string {
	var out []string
	said := map[string]bool{} // a scope active in several views is one conflict
	entries := k.Entries()
	for _, v := range AllViews {
		active := map[Scope]bool{}
		for _, s := range v.Scopes() {
			active[s] = true
		}
		seen := map[string]string{}
		for _, e := range entries {
			if !active[e.Scope] || !e.Binding.Enabled() {
				continue
			}
			for _, ks := range e.Binding.Keys() {
				if prev, ok := seen[ks]; ok && prev != e.Action {
					if msg := fmt.Sprintf("key %q bound to both %s and %s in %s", ks, prev, e.Action, e.Scope); !said[msg] {
						said[msg] = true
						out = append(out, msg)
					}
					continue
				}
				seen[ks] = e.Action
			}
		}
	}
	return out
}

// Validate reports key conflicts as an error.
func (k *KeyMap) Validate() error {
	if c := k.Conflicts(); len(c) > 0 {
		return fmt.Errorf("keymap: %s", strings.Join(c, "; "))
	}
	return nil
}

// Group is a help section.
type Group struct {
	Name     string
	Bindings []key.Binding
}

// FormEntry is one of the order form's own keys, with the action it stands
// for: the same action name as a dashboard binding when it means the same
// (reveal, copy_card, copy_pin, refresh…), so one key keeps one meaning.
type FormEntry struct {
	Action  string
	Group   string
	Binding key.Binding
}

// FormEntries lists the order form's own keys. The form handles them itself,
// so they are fixed (not remappable); they use the dashboard's letters where
// they do the same thing (v reveals and C copies a PIN in both).
func FormEntries() []FormEntry {
	e := func(group, action string, b key.Binding) FormEntry {
		return FormEntry{Action: action, Group: group, Binding: b}
	}
	return []FormEntry{
		e("Order form", "form_next", nb("enter", "next field / choose / submit", "enter")),
		e("Order form", "form_fields", nb("tab/shift+tab", "next / previous field", "tab", "shift+tab")),
		e("Order form", "form_list", nb("↑/↓", "move in a list", "up", "down")),
		e("Order form", "form_search", nb("/", "search the list (name, category, country)", "/")),
		e("Order form", "form_back", nb("esc", "back a step / close the form", "esc")),
		e("Confirm", "form_place", nb("enter", "place the order (sent once)", "enter")),
		e("Confirm", "form_place_yes", nb("y", "place the order (sandbox accounts)", "y")),
		e("Confirm", "form_buy", nb("buy", `LIVE: type "buy" or the product name, then enter`, "b")),
		e("Confirm", "refresh", nb("r", "quote again after an error", "r")),
		e("Confirm", "form_back", nb("esc", "back to the fields", "esc")),
		e("Result", "reveal", nb("v", "reveal / hide codes", "v")),
		e("Result", "form_select", nb("↑/↓", "select a code", "up", "down")),
		e("Result", "copy_card", nb("c", "copy code", "c")),
		e("Result", "copy_pin", nb("C", "copy PIN", "C")),
		e("Result", "copy_serial", nb("N", "copy serial number", "N")),
		e("Result", "copy_lpa", nb("Q", "copy LPA code (the text of the QR)", "Q")),
		e("Result", "form_edit_retry", nb("E", "edit and retry (new reference)", "E")),
		e("Result", "refresh", nb("r", "look the reference up again", "r")),
		e("Result", "form_back", nb("esc", "close the form", "esc")),
	}
}

// FormKeys describes the order form's own keys, for help, by group.
func FormKeys() []Group {
	var out []Group
	idx := map[string]int{}
	for _, f := range FormEntries() {
		i, ok := idx[f.Group]
		if !ok {
			i = len(out)
			idx[f.Group] = i
			out = append(out, Group{Name: f.Group})
		}
		out[i].Bindings = append(out[i].Bindings, f.Binding)
	}
	return out
}

// meanings groups actions that do the same thing in different views: moving
// up or down, accepting, going back, quitting, asking for help.
var meanings = map[string]string{
	"help_up": "up", "log_up": "up", "help_down": "down", "log_down": "down",
	"log_top": "top", "log_bottom": "bottom",
	"detail": "accept", "input_accept": "accept", "form_next": "accept", "form_place": "accept",
	"back": "back", "input_cancel": "back", "help_close": "back", "log_close": "back", "form_back": "back",
	"input_quit": "quit", "form_quit": "quit", "form_help": "help", "form_search": "filter",
	"inbox_up": "up", "inbox_down": "down", "inbox_open": "accept", "inbox_close": "back", "account_close": "back",
	"next_tab": "next", "prev_tab": "previous",
}

// keyMeanings are the meanings of one binding's keys where they differ
// (↑ and ↓ in one help line).
var keyMeanings = map[string]map[string]string{
	"form_fields": {"tab": "next", "shift+tab": "previous"},
	"form_list":   {"up": "up", "down": "down"},
	"form_select": {"up": "up", "down": "down"},
}

// Meaning is what an action does, the same for actions that do the same
// thing in different views.
func Meaning(action string) string {
	if m, ok := meanings[action]; ok {
		return m
	}
	return action
}

// Meanings lists, for every key, the meanings it has anywhere in the
// program (dashboard bindings and the form's own keys). One key, one
// meaning: a key with two is a trap (p pins in the table; it must not copy a
// PIN elsewhere).
func (k *KeyMap) Meanings() map[string]map[string][]string {
	out := map[string]map[string][]string{}
	add := func(ks []string, action string) {
		for _, s := range ks {
			if out[s] == nil {
				out[s] = map[string][]string{}
			}
			m := Meaning(action)
			if km, ok := keyMeanings[action][s]; ok {
				m = km
			}
			out[s][m] = append(out[s][m], action)
		}
	}
	for _, e := range k.Entries() {
		add(e.Binding.Keys(), e.Action)
	}
	for _, f := range FormEntries() {
		add(f.Binding.Keys(), f.Action)
	}
	return out
}

// HelpGroups returns the enabled bindings that work in view v, grouped in
// declaration order; the order form's own keys come first in ViewForm.
func (k *KeyMap) HelpGroups(v View) []Group {
	active := map[Scope]bool{}
	for _, s := range v.Scopes() {
		active[s] = true
	}
	var groups []Group
	idx := map[string]int{}
	if v == ViewForm {
		for _, g := range FormKeys() {
			idx[g.Name] = len(groups)
			groups = append(groups, g)
		}
	}
	for _, e := range k.Entries() {
		if !active[e.Scope] || !e.Binding.Enabled() {
			continue
		}
		i, ok := idx[e.Group]
		if !ok {
			i = len(groups)
			idx[e.Group] = i
			groups = append(groups, Group{Name: e.Group})
		}
		groups[i].Bindings = append(groups[i].Bindings, *e.Binding)
	}
	return groups
}
