package octopus

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The sandbox's own traffic is valid input: hundreds of its orders are all
// placed, none refused (a refused one logs "not placed").
func TestTrafficOrdersAreAllValid(t *testing.T) {
	var mu sync.Mutex
	var refused []string
	s, err := New(Config{Seed: 7, TimeScale: 0.001, Logf: func(f string, a ...any) {
		mu.Lock()
		refused = append(refused, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	require.NoError(t, err)
	for range 400 {
		s.placeTrafficOrder()
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, refused)
}
