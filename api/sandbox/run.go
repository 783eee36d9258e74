package sandbox

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Run starts a server, prints the client's environment as eval-able
// `export NAME='value'` lines, and serves until ctx is done.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	s, err := New(cfg)
	if err != nil {
		return err
	}
	if err := s.Start(); err != nil {
		_ = s.Close()
		return err
	}
	c := s.Credentials()
	for _, kv := range [][2]string{
		{"OCTOPUS_BASE_URL", s.URL()},
		{"OCTOPUS_API_KEY", c.APIKey},
		{"OCTOPUS_API_SECRET", c.APISecret},
		{"OCTOPUS_WEBHOOK_SECRET", c.WebhookSecret},
	} {
		if _, err := fmt.Fprintf(out, "export %s=%s\n", kv[0], shellQuote(kv[1])); err != nil {
			_ = s.Close()
			return err
		}
	}
	<-ctx.Done()
	return s.Close()
}

func shellQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
