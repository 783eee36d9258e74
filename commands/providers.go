package commands

import (
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/api/octopus"
	"github.com/orderwatch/orderwatch/api/oneclick"
)

// providers are the provider plug-ins, each opened from the configuration.
// Adding a provider is one line here (its package registers its verticals;
// see the README's "Add a provider").
var providers = []opener{
	octopus.Open,
	oneclick.Open,
}

// opener opens one provider's account; a zero api.Account when the
// configuration does not enable it.
type opener = func(*config.Config, func(string, ...any)) (api.Account, error)
