package orderform

// The providers register their verticals' specs; the form reads them.
import (
	_ "github.com/orderwatch/orderwatch/api/spec/octopus"
	_ "github.com/orderwatch/orderwatch/api/spec/oneclick"
)
