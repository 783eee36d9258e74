package commands

import (
	"io"
	"log"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/engine"
)

// The dashboard's and serve's alert engine (newAlerts) keeps an
// acknowledgement in the journal: the next process on it sees it.
func TestNewAlertsKeepsAcknowledgementsInTheJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	min := 10.0
	cfg := &config.Config{}
	cfg.Alerts.WalletMin = &min
	// run is one process: it opens the journal, raises the wallet alert
	// and returns who acknowledged it, then acknowledges it as alice.
	run := func() string {
		j, err := engine.OpenJournal(path)
		require.NoError(t, err)
		defer j.Close()
		al, err := newAlerts(&backend{cfg: cfg, journal: j, logger: log.New(io.Discard, "", 0)})
		require.NoError(t, err)
		al.Observe(engine.Batch{engine.WalletUpdate{Provider: api.ProviderOctopus, At: time.Now(),
			Wallets: []api.Wallet{{ID: "1", Currency: "USD", Balance: 3}}}})
		s := al.Snapshot()
		require.Len(t, s.Alerts, 1)
		require.NoError(t, al.Acknowledge(s.Alerts[0].ID, "alice"))
		return s.Alerts[0].AckedBy
	}
	require.Equal(t, "", run(), "acknowledged before anyone did")
	require.Equal(t, "alice", run(), "the acknowledgement did not survive the restart")
}
