package ui

// The dashboard knows providers only through the registry; its tests show
// the built-in providers' tabs, so these register them.
import (
	_ "github.com/orderwatch/orderwatch/api/octopus"
	_ "github.com/orderwatch/orderwatch/api/oneclick"
)
