package octopus

import (
	"math"
	"sync"
	"time"
)

// rateWindow is the rolling window of contract §6.2. It is real time on
// purpose: TimeScale speeds up fulfilment, never the limits, so benchmarks
// against production limits stay meaningful.
const rateWindow = time.Minute

// limiter is a sliding-window log per key (client|class).
type limiter struct {
	mu     sync.Mutex
	hits   map[string][]time.Time
	window time.Duration
}

func newLimiter(window time.Duration) *limiter {
	if window <= 0 {
		window = rateWindow
	}
	return &limiter{hits: map[string][]time.Time{}, window: window}
}

// allow records a hit if the key is under limit; otherwise it returns the
// whole seconds until a slot frees up.
func (l *limiter) allow(key string, limit int, now time.Time) (retryAfter int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hits[key]
	cut := now.Add(-l.window)
	i := 0
	for i < len(h) && !h[i].After(cut) {
		i++
	}
	h = h[i:]
	if len(h) >= limit {
		l.hits[key] = h
		wait := h[0].Add(l.window).Sub(now)
		return max(1, int(math.Ceil(wait.Seconds()))), false
	}
	l.hits[key] = append(h, now)
	return 0, true
}
