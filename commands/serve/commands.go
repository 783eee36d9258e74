package serve

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/orderwatch/orderwatch/api/team"
	"github.com/orderwatch/orderwatch/engine"
)

const sshUsage = `commands over ssh:
  watch [--until-terminal] [--timeout D] [TARGET...]   JSON lines of order transitions, as orderwatch watch
  audit [--since D] [--json]                           the audit trail (admin)
  (no command, with a terminal)                        the dashboard
`

// runCommand runs `ssh HOST COMMAND …` within the member's role; the
// result is the exit code.
func (s *Server) runCommand(ss *session, args []string) int {
	out, errw := ss.sess, ss.sess.Stderr()
	ts := ss.teamSession(0)
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(errw)
	switch args[0] {
	case "watch":
		until := fs.Bool("until-terminal", false, "exit when every named order is terminal")
		timeout := fs.Duration("timeout", 0, "give up after this long")
		if err := fs.Parse(args[1:]); err != nil {
			return flagCode(err)
		}
		ctx := ss.ctx
		if *timeout > 0 {
			var cancel func()
			ctx, cancel = contextWithTimeout(ctx, *timeout)
			defer cancel()
		}
		sub := s.hub.Subscribe(ctx, ss.member.Name)
		defer sub.Close()
		code, err := engine.WatchShared(ctx, s.cfg.Engine, sub.Updates(), fs.Args(), *until, out)
		if err != nil && ctx.Err() == nil {
			fmt.Fprintln(errw, "orderwatch watch:", err)
		}
		return code
	case "audit":
		since := fs.String("since", "", "records since a duration ago (24h), a day (2006-01-02) or a time")
		asJSON := fs.Bool("json", false, "JSON lines")
		if err := fs.Parse(args[1:]); err != nil {
			return flagCode(err)
		}
		if !ts.Can(team.ActAudit) {
			fmt.Fprintln(errw, "orderwatch:", ts.Allow(team.ActAudit, ts0(), ""))
			return 1
		}
		t, err := team.ParseSince(*since, s.cfg.Now())
		if err != nil {
			fmt.Fprintln(errw, "orderwatch audit:", err)
			return 2
		}
		recs, err := s.cfg.Audit.List(t)
		if err == nil {
			err = team.WriteAudit(out, recs, *asJSON)
		}
		if err != nil {
			fmt.Fprintln(errw, "orderwatch audit:", err)
			return 1
		}
		return 0
	case "place":
		// Placing needs the form's quote and confirmation: the dashboard.
		if !ts.Can(team.ActPlace) {
			fmt.Fprintln(errw, "orderwatch:", ts.Allow(team.ActPlace, ts0(), ""))
			return 1
		}
		fmt.Fprintln(errw, "orderwatch: place is not offered over ssh; open the dashboard (ssh -t) and press n")
		return 2
	case "help", "-h", "--help":
		io.WriteString(out, sshUsage)
		return 0
	}
	fmt.Fprintf(errw, "orderwatch: unknown command %q (no shell here)\n%s", args[0], sshUsage)
	return 2
}

func flagCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
