package ui

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/orderwatch/orderwatch/poller"
)

func TestNextCheckCell(t *testing.T) {
	now := time.Date(2026, 5, 14, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		t    poller.Tracked
		want string
	}{
		{"finished order covered by webhooks has nothing scheduled", poller.Tracked{Phase: poller.PhaseDone, Webhook: true}, "-"},
		{"install watch over", poller.Tracked{Phase: poller.PhaseOnDemand}, "on demand"},
		{"pending voucher waits for its webhook", poller.Tracked{Phase: poller.PhaseForeground, Webhook: true, NextCheck: now.Add(3 * time.Minute)}, "webhook"},
		{"scheduled", poller.Tracked{Phase: poller.PhaseForeground, NextCheck: now.Add(12 * time.Second)}, "12s"},
		{"overdue", poller.Tracked{Phase: poller.PhaseBackground, NextCheck: now.Add(-time.Second)}, "due"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, nextCheck(now, &tc.t), tc.name)
	}
}
