package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/x/term"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/commands/headless"
	"github.com/orderwatch/orderwatch/engine"
)

func runPlace(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	args = verbFirst(args, func(a string) bool { _, err := api.ParseVertical(a); return err == nil })
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, headless.Usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return exitOK
		}
		return exitBadInput
	}
	vertical := args[0]
	var c common
	rest, err := c.take(args[1:])
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch place:", err)
		return exitBadInput
	}
	opts, err := headless.ParsePlaceArgs(vertical, rest)
	if errors.Is(err, headless.ErrHelp) {
		fmt.Fprint(stderr, headless.UsageFor(opts.Vertical))
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch place:", err)
		return exitBadInput
	}
	p := opts.Vertical.Provider()
	c.need = p // another provider's account being down does not stop this one
	// couldNotStart ends a run that failed before it could look its
	// reference up: an earlier attempt at it that may have placed the order
	// is reported (outcome unknown, exit 5), never hidden behind "not placed".
	couldNotStart := func(code int, err error, j *engine.Journal) int {
		if in, ok := earlierAttempt(&c, j, opts.Vertical, opts.Values[api.KeyReference]); ok {
			if code, ok := headless.StartFailed(opts, in, err, stdout, stderr); ok {
				return code
			}
		}
		sayErr(stderr, "orderwatch place", err)
		return code
	}
	b, err := openBackend(ctx, &c, false)
	if err != nil {
		return couldNotStart(openCode(err), err, nil)
	}
	defer b.Close()
	placer, ok := b.placers[p]
	if !ok {
		return couldNotStart(exitBadInput, fmt.Errorf("%s is not configured", p.Title()), b.journal)
	}
	catalog, _ := placer.(api.Catalog)
	audit, err := openAudit(&c, b)
	if err != nil {
		return couldNotStart(exitBadInput, err, b.journal)
	}
	defer audit.Close()
	deps := headless.Deps{Engine: b.engine, Placer: auditedPlacer{Placer: placer, s: localSession(audit)}, Catalog: catalog}
	for _, src := range b.sources {
		if src.Provider() == p {
			deps.Wallets = src.Wallets
		}
	}
	for _, pt := range b.providers {
		if pt.Provider == p {
			opts.Live = pt.Mode == "LIVE"
		}
	}
	if isTerminal(stderr) {
		opts.Progress = stderr
	}
	return headless.Place(ctx, deps, opts, stdout, stderr)
}

// isTerminal reports whether w is a terminal (progress is drawn only there:
// a log file or a pipe stays quiet).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// earlierAttempt is the journal's record of an earlier attempt at ref, read
// from j, or else from the journal this run would have used (none when the
// configuration cannot be read or it is the embedded sandbox's temporary one).
func earlierAttempt(c *common, j *engine.Journal, v api.Vertical, ref string) (engine.Intent, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return engine.Intent{}, false
	}
	if j == nil {
		path := c.journal
		if path == "" {
			if cfg, err := config.Load(c.configPath, os.Getenv); err == nil {
				path = journalOf(c, cfg)
			}
		}
		if _, err := os.Stat(path); path == "" || err != nil {
			return engine.Intent{}, false // no journal: no earlier attempt (and none is created here)
		}
		var err error
		if j, err = engine.OpenJournal(path); err != nil {
			return engine.Intent{}, false
		}
		defer j.Close()
	}
	in, ok, err := j.Intent(v, ref)
	return in, ok && err == nil
}
