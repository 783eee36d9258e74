package commands

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/orderwatch/orderwatch/api/config"
	"github.com/orderwatch/orderwatch/engine"
)

const journalUsage = `Usage:
  orderwatch journal check   [--journal FILE]   integrity check; counts records, names damaged ones
  orderwatch journal export  [--journal FILE]   every readable record as one JSON line (codes are never in it)
  orderwatch journal recover [--journal FILE]   salvage what is readable into a new journal; the old file is kept

Close every orderwatch using the journal before recover.
Exit codes: 0 healthy, 2 the journal (or a record in it) cannot be read.
`

func runJournal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, journalUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return exitOK
		}
		return exitBadInput
	}
	verb := args[0]
	fs := newFlags("orderwatch journal "+verb, stderr)
	configPath := fs.String("config", os.Getenv("ORDERWATCH_CONFIG"), "config file (its journal.path is the default)")
	path := fs.String("journal", "", "journal file (default <config dir>/orderwatch/journal.db)")
	if code, ok := parse(fs, args[1:], stderr, false); !ok {
		return code
	}
	if *path == "" {
		cfg, err := config.Load(*configPath, os.Getenv)
		if err != nil {
			fmt.Fprintln(stderr, "orderwatch journal:", err)
			return exitBadInput
		}
		*path = cfg.JournalPath
	}
	switch verb {
	case "check":
		return journalCheck(*path, stdout, stderr)
	case "export":
		return journalExport(*path, stdout, stderr)
	case "recover":
		return journalRecover(*path, stdout, stderr)
	}
	fmt.Fprintf(stderr, "orderwatch journal: unknown action %q\n\n%s", verb, journalUsage)
	return exitBadInput
}

func journalCheck(path string, stdout, stderr io.Writer) int {
	r, err := engine.CheckJournal(path)
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch journal check:", err)
		return exitBadInput
	}
	states := make([]string, 0, len(r.Intents))
	total := 0
	for s, n := range r.Intents {
		states = append(states, fmt.Sprintf("%d %s", n, s))
		total += n
	}
	sort.Strings(states)
	fmt.Fprintf(stdout, "%s: %s, %d bytes", r.Path, r.Format, r.Bytes)
	if r.Schema > 0 {
		fmt.Fprintf(stdout, ", schema %d", r.Schema)
	}
	fmt.Fprintf(stdout, "\n  %d intents (%s), %d pins, %d webhook events remembered\n", total, strings.Join(states, ", "), r.Pins, r.Webhooks)
	if r.Healthy() {
		fmt.Fprintln(stdout, "  ok: every record reads back")
		return exitOK
	}
	for _, u := range r.Unreadable {
		fmt.Fprintln(stdout, "  unreadable:", u)
	}
	fmt.Fprintf(stderr, "orderwatch journal check: %d unreadable record(s) in %s: their references are refused; run orderwatch journal recover to start a clean journal\n",
		len(r.Unreadable), path)
	return exitBadInput
}

func journalExport(path string, stdout, stderr io.Writer) int {
	w := bufio.NewWriter(stdout)
	bad, err := engine.ExportJournal(path, w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch journal export:", err)
		return exitBadInput
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "orderwatch journal export: %d part(s) of %s could not be read (see the \"unreadable\" lines)\n", bad, path)
		return exitBadInput
	}
	return exitOK
}

func journalRecover(path string, stdout, stderr io.Writer) int {
	rec, err := engine.RecoverJournal(path, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "orderwatch journal recover:", err)
		return exitBadInput
	}
	out := struct {
		Journal    string   `json:"journal"`
		KeptAs     string   `json:"old_file_kept_as"`
		Intents    int      `json:"intents_recovered"`
		Pins       int      `json:"pins_recovered"`
		Unreadable []string `json:"unreadable,omitempty"`
	}{rec.Path, rec.KeptAs, rec.Intents, rec.Pins, rec.Unreadable}
	b, _ := json.Marshal(out)
	fmt.Fprintf(stdout, "%s\n", b)
	if len(rec.Unreadable) > 0 {
		fmt.Fprintf(stderr, "orderwatch journal recover: %d part(s) could not be read; orders whose records were lost are not known here: check the provider's order list before reusing their references\n",
			len(rec.Unreadable))
	}
	return exitOK
}
