package alerts

import (
	"sort"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Minutes is how far back the account figures go, one bucket a minute.
const Minutes = 60

type minuteBucket struct {
	minute  int64 // unix minute; buckets of another minute are stale
	created int
	finals  int
	failed  int
	ttf     time.Duration // sum over finals with a known time
	ttfN    int
}

type walletKey struct {
	provider api.Provider
	currency string
	id       string
}

type walletSample struct {
	minute  int64
	balance float64
}

type stats struct {
	start   time.Time
	verts   map[api.Vertical]*[Minutes]minuteBucket
	wallets map[walletKey][]walletSample
}

func newStats(now time.Time) *stats {
	return &stats{start: now, verts: map[api.Vertical]*[Minutes]minuteBucket{}, wallets: map[walletKey][]walletSample{}}
}

func unixMinute(t time.Time) int64 { return t.Unix() / 60 }

func (s *stats) bucket(v api.Vertical, at time.Time) *minuteBucket {
	r := s.verts[v]
	if r == nil {
		r = &[Minutes]minuteBucket{}
		s.verts[v] = r
	}
	m := unixMinute(at)
	b := &r[int(((m%Minutes)+Minutes)%Minutes)]
	if b.minute != m {
		*b = minuteBucket{minute: m}
	}
	return b
}

func (s *stats) created(v api.Vertical, at time.Time) { s.bucket(v, at).created++ }

func (s *stats) final(v api.Vertical, at time.Time, failed bool, ttf time.Duration) {
	b := s.bucket(v, at)
	b.finals++
	if failed {
		b.failed++
	}
	if ttf > 0 {
		b.ttf += ttf
		b.ttfN++
	}
}

func (s *stats) wallet(p api.Provider, w api.Wallet, at time.Time) {
	k := walletKey{p, w.Currency, w.ID}
	m := unixMinute(at)
	ss := s.wallets[k]
	if n := len(ss); n > 0 && ss[n-1].minute == m {
		ss[n-1].balance = w.Balance
		return
	}
	s.wallets[k] = appendCap(ss, walletSample{minute: m, balance: w.Balance}, Minutes)
}

// Figures are the account view's series over the last hour, one value a
// minute, oldest first: the 60 complete minutes for orders, up to now for
// wallets.
type Figures struct {
	End time.Time // the last minute shown
	// Failures of Of is the failure-rate rule in force, drawn as its norm.
	Failures, Of int
	Verticals    []VerticalFigures
	Wallets      []WalletSeries
}

// VerticalFigures are one vertical's series with its documented norm.
type VerticalFigures struct {
	Vertical    api.Vertical
	PerMinute   []float64 // orders first seen, by creation minute
	FailureRate []float64 // percent of the orders that finished that minute
	TimeToFinal []float64 // mean seconds from creation to a final state
	Norm        time.Duration
	NormText    string
	Orders      int
	Finals      int
	Failed      int
}

// WalletSeries is one wallet's balance at the end of each minute, carried
// forward between updates (NaN-free: minutes before the first sample repeat it).
type WalletSeries struct {
	Provider api.Provider
	Currency string
	ID       string
	Balances []float64
}

func (s *stats) figures(now time.Time, norms map[api.Vertical]VerticalNorms) Figures {
	f := Figures{End: now}
	// Orders and outcomes: the last 60 complete minutes (the one under way
	// would read as a drop); wallets: up to now.
	last := unixMinute(now) - 1
	first := last - Minutes + 1
	for _, v := range api.Verticals() {
		r := s.verts[v]
		if r == nil {
			continue
		}
		vf := VerticalFigures{Vertical: v, PerMinute: make([]float64, Minutes), FailureRate: make([]float64, Minutes),
			TimeToFinal: make([]float64, Minutes), Norm: norms[v].TimeToFinal, NormText: norms[v].NormText}
		for i := range r {
			b := &r[i]
			if b.minute < first || b.minute > last {
				continue
			}
			j := int(b.minute - first)
			vf.PerMinute[j] = float64(b.created)
			vf.Orders += b.created
			vf.Finals += b.finals
			vf.Failed += b.failed
			if b.finals > 0 {
				vf.FailureRate[j] = 100 * float64(b.failed) / float64(b.finals)
			}
			if b.ttfN > 0 {
				vf.TimeToFinal[j] = (b.ttf / time.Duration(b.ttfN)).Seconds()
			}
		}
		f.Verticals = append(f.Verticals, vf)
	}
	last++
	first++
	keys := make([]walletKey, 0, len(s.wallets))
	for k := range s.wallets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].provider != keys[j].provider {
			return keys[i].provider < keys[j].provider
		}
		if keys[i].currency != keys[j].currency {
			return keys[i].currency < keys[j].currency
		}
		return keys[i].id < keys[j].id
	})
	for _, k := range keys {
		ss := s.wallets[k]
		ws := WalletSeries{Provider: k.provider, Currency: k.currency, ID: k.id, Balances: make([]float64, Minutes)}
		cur, i := ss[0].balance, 0
		for j := range Minutes {
			m := first + int64(j)
			for i < len(ss) && ss[i].minute <= m {
				cur = ss[i].balance
				i++
			}
			ws.Balances[j] = cur
		}
		f.Wallets = append(f.Wallets, ws)
	}
	return f
}
