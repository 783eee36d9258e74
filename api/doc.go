// Package api is the domain model every other package speaks: providers,
// verticals, normalized orders and statuses, wallets, transactions, catalogue
// items, quotes, typed errors, and the small interfaces the poller and the UI
// use to reach a provider. Concrete clients live in sub-packages and are wired
// in main.go.
package api
