package alerts

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCommandGetsAlertJSONOnStdin(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "alerts.jsonl")
	script := filepath.Join(dir, "page.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncat >> \""+out+"\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	ch := make(chan Event, 4)
	a := &Alert{ID: "wallet_low:octopus:USD 1", Rule: RuleWalletLow, Severity: Critical, Text: "low"}
	ch <- newEvent(Raised, a)
	ch <- newEvent(Cleared, a) // not a raise: no run
	ch <- newEvent(Raised, a)  // inside the rate limit: held back, counted
	close(ch)
	RunCommand(context.Background(), ch, script, time.Hour, t.Logf)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got CommandPayload
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("%v in %q", err, data)
	}
	if got.Type != Raised || got.Alert.ID != a.ID || got.Alert.Text != "low" {
		t.Fatalf("payload %+v", got)
	}
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	if m["alert"].(map[string]any)["severity"] != "critical" {
		t.Fatalf("severity not by name: %s", data)
	}
	if n := len(splitLines(data)); n != 1 {
		t.Fatalf("%d runs, want 1 (rate limit)", n)
	}
}

func splitLines(b []byte) (out []string) {
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	return out
}

func TestLimiterCountsHeldBack(t *testing.T) {
	l := Limiter{Every: time.Minute}
	t0 := time.Unix(0, 0)
	if ok, _ := l.Allow(t0); !ok {
		t.Fatal("first refused")
	}
	for i := range 3 {
		if ok, _ := l.Allow(t0.Add(time.Duration(i+1) * time.Second)); ok {
			t.Fatal("allowed inside the interval")
		}
	}
	ok, held := l.Allow(t0.Add(time.Minute))
	if !ok || held != 3 {
		t.Fatalf("ok %v held %d, want true 3", ok, held)
	}
}
