// Package enginetest is test support for the packages that drive the engine
// end to end against the embedded sandboxes (the order form, orderwatch
// place): a transport that loses replies, a journal and a running engine,
// each cleaned up with the test.
package enginetest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

// DropReply forwards every request; for those Match selects, it loses the
// reply after the server acted on it: the "outcome unknown" case.
type DropReply struct {
	Base  http.RoundTripper
	Match func(*http.Request) bool
}

func (d DropReply) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.Base.RoundTrip(r)
	if err != nil || !d.Match(r) {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, errors.New("connection reset by peer")
}

// Transport is a fresh transport closed with the test; with a non-nil drop
// it loses the replies drop selects.
func Transport(t testing.TB, drop func(*http.Request) bool) http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	if drop == nil {
		return tr
	}
	return DropReply{Base: tr, Match: drop}
}

// Journal opens a journal in a temporary directory, closed with the test.
func Journal(t testing.TB) *engine.Journal {
	t.Helper()
	j, err := engine.OpenJournal(filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatalf("journal: %v", err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

// Run runs the engine and drains its updates (as the dashboard would) until
// the test ends.
func Run(t testing.TB, e *engine.Engine) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.Run(ctx) })
	wg.Go(func() {
		for range e.Updates() {
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// Engine starts an engine over sources with a temporary journal, at the
// given time scale and without wallet polling, running until the test ends.
func Engine(t testing.TB, scale float64, sources ...api.OrderSource) *engine.Engine {
	t.Helper()
	e, err := engine.New(engine.Config{Sources: sources, Journal: Journal(t), TimeScale: scale, WalletEvery: -1})
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	Run(t, e)
	return e
}
