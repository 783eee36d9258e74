// Package sandbox runs both providers' sandboxes together (octopus/ and
// oneclick/ beside it): the default backend and `orderwatch sandbox`.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
)

// Embedded is both providers' sandboxes running in this process: what `go run .`
// uses when no credentials are configured, and what `orderwatch sandbox` serves.
type Embedded struct {
	Octopus  *octosb.Server
	OneClick *oneclicksb.Server
}

// StartEmbedded starts both sandboxes on their own loopback ports.
func StartEmbedded(octo octosb.Config, one oneclicksb.Config) (*Embedded, error) {
	o, err := octosb.New(octo)
	if err != nil {
		return nil, fmt.Errorf("octopus sandbox: %w", err)
	}
	if err := o.Start(); err != nil {
		return nil, fmt.Errorf("octopus sandbox: %w", err)
	}
	c, err := oneclicksb.New(one)
	if err == nil {
		err = c.Start()
	}
	if err != nil {
		_ = o.Close()
		return nil, fmt.Errorf("oneclickdz sandbox: %w", err)
	}
	return &Embedded{Octopus: o, OneClick: c}, nil
}

// Close stops both.
func (e *Embedded) Close() error {
	return errors.Join(e.Octopus.Close(), e.OneClick.Close())
}

// Configure points the configuration at both sandboxes, as if their
// credentials had been set in the environment.
func (e *Embedded) Configure(c *config.Config) {
	cr := e.Octopus.Credentials()
	c.Accounts = map[api.Provider]*config.Account{
		api.ProviderOctopus: {BaseURL: e.Octopus.URL(), APIKey: api.Secret(cr.APIKey), APISecret: api.Secret(cr.APISecret),
			WebhookSecret: api.Secret(cr.WebhookSecret), GETPerMinute: config.DefaultGETPerMin},
		api.ProviderOneClick: {BaseURL: e.OneClick.URL(), APIKey: api.Secret(e.OneClick.APIKey()), GETPerMinute: 100},
	}
}

// SetWebhook has the sandboxes that send webhooks (Octopus) deliver them to
// url, signed with the secret Configure set.
func (e *Embedded) SetWebhook(url string) {
	e.Octopus.SetWebhook(url, e.Octopus.Credentials().WebhookSecret)
}

// Exports writes the environment a client needs, one `export NAME='value'`
// per line, so a shell can eval it.
func (e *Embedded) Exports(w io.Writer) error {
	cr := e.Octopus.Credentials()
	for _, kv := range [][2]string{
		{"OCTOPUS_BASE_URL", e.Octopus.URL()},
		{"OCTOPUS_API_KEY", cr.APIKey},
		{"OCTOPUS_API_SECRET", cr.APISecret},
		{"OCTOPUS_WEBHOOK_SECRET", cr.WebhookSecret},
		{"ONECLICKDZ_BASE_URL", e.OneClick.URL()},
		{"ONECLICKDZ_API_KEY", e.OneClick.APIKey()},
	} {
		if _, err := fmt.Fprintf(w, "export %s=%s\n", kv[0], shellQuote(kv[1])); err != nil {
			return err
		}
	}
	return nil
}

// RunEmbedded serves both sandboxes, prints their environment and blocks until
// ctx ends. The named incidents start before anything is printed.
func RunEmbedded(ctx context.Context, octo octosb.Config, one oneclicksb.Config, out io.Writer, incidents ...string) error {
	e, err := StartEmbedded(octo, one)
	if err != nil {
		return err
	}
	defer e.Close()
	for _, n := range incidents {
		if err := e.StartIncident(n); err != nil {
			return err
		}
	}
	if err := e.Exports(out); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

func shellQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
