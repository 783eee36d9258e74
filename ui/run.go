package ui

import (
	"context"
	"errors"
	"io"
	"log"

	tea "charm.land/bubbletea/v2"
)

// Run shows the dashboard until the user quits or ctx ends. Debug logs go to
// debugLog (a file; never the terminal); nil discards them.
func Run(ctx context.Context, opts Options, debugLog io.Writer) error {
	if debugLog != nil && opts.Logger == nil {
		opts.Logger = log.New(debugLog, "ui ", log.LstdFlags|log.Lmicroseconds)
	}
	if opts.Context == nil {
		opts.Context = ctx
	}
	// 20 frames a second: a key reaches the screen within 50 ms. The renderer
	// parks after half a second with nothing to draw; at the default 60 each
	// wake-up would cost three times the idle frames.
	p := tea.NewProgram(New(opts), tea.WithContext(ctx), tea.WithFPS(20))
	_, err := p.Run()
	if err != nil && errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}
