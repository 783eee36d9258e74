package keymap

import "charm.land/bubbles/v2/key"

// Scopes and views of the problems inbox and the account view.
const (
	ScopeInbox   Scope = "inbox"   // the problems inbox
	ScopeAccount Scope = "account" // the account view (charts)
)

// AlertKeys are the bindings of the problems inbox and the account view;
// KeyMap embeds them so they are matched, listed and overridden like the rest.
type AlertKeys struct {
	Inbox   key.Binding // global: open/close the problems inbox
	Account key.Binding // global: open/close the account view

	InboxUp     key.Binding
	InboxDown   key.Binding
	InboxOpen   key.Binding
	InboxAck    key.Binding
	InboxSnooze key.Binding
	InboxClose  key.Binding

	AccountNext  key.Binding
	AccountPrev  key.Binding
	AccountClose key.Binding
}

func defaultAlertKeys() AlertKeys {
	return AlertKeys{
		Inbox:   nb("!", "problems inbox", "!"),
		Account: nb("A", "account charts", "A"),

		InboxUp:     nb("↑/k", "up", "up", "k"),
		InboxDown:   nb("↓/j", "down", "down", "j"),
		InboxOpen:   nb("enter", "open the newest order of the problem", "enter"),
		InboxAck:    nb("a", "acknowledge", "a"),
		InboxSnooze: nb("z", "snooze for an hour", "z"),
		InboxClose:  nb("esc", "close inbox", "esc"),

		AccountNext:  nb("→/l", "next vertical", "right", "l"),
		AccountPrev:  nb("←/h", "previous vertical", "left", "h"),
		AccountClose: nb("esc", "close account view", "esc"),
	}
}

func (k *KeyMap) alertEntries() []Entry {
	g := func(action, group string, s Scope, b *key.Binding) Entry {
		return Entry{Action: action, Group: group, Scope: s, Binding: b}
	}
	return []Entry{
		g("inbox", "General", ScopeGlobal, &k.Inbox),
		g("account", "General", ScopeGlobal, &k.Account),
		g("inbox_up", "Inbox", ScopeInbox, &k.InboxUp),
		g("inbox_down", "Inbox", ScopeInbox, &k.InboxDown),
		g("inbox_open", "Inbox", ScopeInbox, &k.InboxOpen),
		g("inbox_ack", "Inbox", ScopeInbox, &k.InboxAck),
		g("inbox_snooze", "Inbox", ScopeInbox, &k.InboxSnooze),
		g("inbox_close", "Inbox", ScopeInbox, &k.InboxClose),
		g("account_next", "Account", ScopeAccount, &k.AccountNext),
		g("account_prev", "Account", ScopeAccount, &k.AccountPrev),
		g("account_close", "Account", ScopeAccount, &k.AccountClose),
	}
}
