package engine

// The engine knows providers only through the registry and the
// capabilities they hand it; its tests track the built-in providers'
// verticals and receive Octopus webhooks, so these register them.
import (
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/octopus"
	_ "github.com/orderwatch/orderwatch/api/oneclick"
)

// verifiers is the Octopus webhook verifier of the shared secret s.
func verifiers(s api.Secret) []api.WebhookVerifier {
	return []api.WebhookVerifier{octopus.NewWebhooks(s)}
}
