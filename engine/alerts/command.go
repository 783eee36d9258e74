package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"time"
)

// Limiter lets one notification through per interval; the ones it holds
// back are counted, so the next one can say how many were folded in.
type Limiter struct {
	Every time.Duration
	last  time.Time
	held  int
}

// Allow reports whether a notification may go out at now, and how many were
// held back since the last one.
func (l *Limiter) Allow(now time.Time) (bool, int) {
	if !l.last.IsZero() && now.Sub(l.last) < l.Every {
		l.held++
		return false, 0
	}
	held := l.held
	l.last, l.held = now, 0
	return true, held
}

// CommandPayload is what an --on-alert command reads on stdin.
type CommandPayload struct {
	Event
	// Suppressed counts alerts raised since the last run and not sent,
	// because of the rate limit.
	Suppressed int `json:"suppressed,omitempty"`
}

// RunCommand runs cmd (through sh -c) for each raised alert, with the alert
// as JSON on stdin, at most once per every; it returns when events closes
// or ctx ends. Each run gets 30 s. Failures go to logf, never stop it.
func RunCommand(ctx context.Context, events <-chan Event, cmd string, every time.Duration, logf func(string, ...any)) {
	lim := Limiter{Every: every}
	for {
		var ev Event
		select {
		case <-ctx.Done():
			return
		case e, ok := <-events:
			if !ok {
				return
			}
			ev = e
		}
		if ev.Type != Raised {
			continue
		}
		ok, held := lim.Allow(time.Now())
		if !ok {
			logf("alerts: --on-alert held back for %s (rate limit)", ev.Alert.ID)
			continue
		}
		body, err := json.Marshal(CommandPayload{Event: ev, Suppressed: held})
		if err != nil {
			logf("alerts: %v", err)
			continue
		}
		runOne(ctx, cmd, body, logf)
	}
}

func runOne(ctx context.Context, cmd string, body []byte, logf func(string, ...any)) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	c.Stdin = bytes.NewReader(append(body, '\n'))
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Run(); err != nil {
		logf("alerts: --on-alert %q: %v: %s", cmd, err, bytes.TrimSpace(out.Bytes()))
	}
}
