package ui

import (
	"strings"
	"testing"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
)

// A budget lowered after a 429 that stated the limit is said once.
func TestLoweredBudgetIsSaidOnce(t *testing.T) {
	m, _ := newTestModel(t, 120, 40)
	m.message = ""
	m.applyBatch(engine.Batch{engine.BudgetUpdate{Provider: api.ProviderOneClick, PerMinute: 100}})
	if m.message != "" {
		t.Fatalf("said %q before anything was lowered", m.message)
	}
	m.applyBatch(engine.Batch{engine.BudgetUpdate{Provider: api.ProviderOneClick, PerMinute: 108, LoweredFrom: 300}})
	if !strings.Contains(m.message, "lowered from 300 to 108/min") {
		t.Fatalf("message %q", m.message)
	}
	m.message = ""
	m.applyBatch(engine.Batch{engine.BudgetUpdate{Provider: api.ProviderOneClick, PerMinute: 54, LoweredFrom: 300}})
	if m.message != "" {
		t.Fatalf("said again: %q", m.message)
	}
}
