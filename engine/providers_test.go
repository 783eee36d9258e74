package engine

// The engine knows providers only through the registry; its tests track
// the built-in providers' verticals, so these register them.
import (
	_ "github.com/orderwatch/orderwatch/api/octopus"
	_ "github.com/orderwatch/orderwatch/api/oneclick"
)
