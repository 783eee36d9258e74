package trials

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/octopus"
	"github.com/orderwatch/orderwatch/api/oneclick"
	"github.com/orderwatch/orderwatch/engine"
)

var (
	nTrials = flag.Int("trials", envInt("ORDERWATCH_TRIALS", 30), "crash trials to run (CI: 30; 500 or more locally)")
	seed    = flag.Uint64("trials.seed", uint64(time.Now().UnixNano()), "seed of the kill moments")
)

func envInt(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil && n > 0 {
		return n
	}
	return def
}

// dropShare is the share of sandbox requests whose connection is dropped
// after the sandbox acted on them: creates whose answer is lost, besides the
// kills.
var dropShare = envOr("ORDERWATCH_TRIALS_DROP", "0.03")

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// absentAfter is the trials' --absent-after: the sandbox answers at once,
// so a create cannot land later than this after its process died.
const absentAfter = 300 * time.Millisecond

// sandboxEvery is how many trials share one sandbox (the OneClickDz balance
// lasts that long).
const sandboxEvery = 60

type vertical struct {
	name string
	args []string
}

var verticals = []vertical{
	{"voucher", []string{"--product", "1001", "--denomination", "5"}},
	{"topup", []string{"--product", "4218", "--amount", "4.99", "--player-id", "51234", "--server", "asia"}},
	{"esim", []string{"--product", "712", "--amount", "4.50"}},
	{"mobile", []string{"--plan", "PREPAID_DJEZZY", "--phone", "0778037340", "--amount", "100"}},
	{"internet", []string{"--type", "ADSL", "--number", "036362608", "--value", "500"}},
	{"giftcard", []string{"--product", "507f1f77bcf86cd799439011", "--type-id", "type_001", "--quantity", "1"}},
}

// build compiles orderwatch once per test binary.
var build = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "orderwatch-trials-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "orderwatch")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/orderwatch/orderwatch")
	cmd.Stderr = os.Stderr
	return bin, cmd.Run()
})

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, err := build()
	if err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// sandbox is `orderwatch sandbox` in its own process.
type sandbox struct {
	cmd  *exec.Cmd
	env  []string
	octo *octopus.Client
	one  *oneclick.Client
}

var exportRE = regexp.MustCompile(`^export ([A-Z_]+)='(.*)'$`)

// startSandbox serves the sandbox; drop is the share of dropped connections.
func startSandbox(t *testing.T, bin, home, drop string) *sandbox {
	t.Helper()
	cmd := exec.Command(bin, "sandbox", "--time-scale", "0.01", "--traffic", "0", "--latency", "15ms", "--drop", drop, "--no-rate-limits")
	cmd.Env = baseEnv(home)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sb := &sandbox{cmd: cmd, env: baseEnv(home)}
	vals := map[string]string{}
	sc := bufio.NewScanner(out)
	for len(vals) < 6 && sc.Scan() {
		if m := exportRE.FindStringSubmatch(sc.Text()); m != nil {
			vals[m[1]] = m[2]
			sb.env = append(sb.env, m[1]+"="+m[2])
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if len(vals) < 6 {
		sb.stop()
		t.Fatalf("orderwatch sandbox printed %d of 6 variables", len(vals))
	}
	sb.octo, err = octopus.New(octopus.Config{BaseURL: vals["OCTOPUS_BASE_URL"], APIKey: api.Secret(vals["OCTOPUS_API_KEY"]),
		APISecret: api.Secret(vals["OCTOPUS_API_SECRET"])})
	if err != nil {
		t.Fatal(err)
	}
	sb.one, err = oneclick.New(oneclick.Config{BaseURL: vals["ONECLICKDZ_BASE_URL"], APIKey: api.Secret(vals["ONECLICKDZ_API_KEY"])})
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

func (s *sandbox) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
}

func baseEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "OCTOPUS_") || strings.HasPrefix(k, "ONECLICKDZ_") || k == "ORDERWATCH_CONFIG" ||
			k == "HOME" || k == "XDG_CONFIG_HOME" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+home, "NO_COLOR=1")
}

// count is how many orders of a vertical the sandbox holds (no background
// traffic: every one was placed by a trial).
func (s *sandbox) count(t *testing.T, v api.Vertical) int {
	t.Helper()
	var src api.OrderSource = s.octo
	if v.Provider() == api.ProviderOneClick {
		src = s.one
	}
	n := 0
	for page := 1; ; page++ {
		p := retryRead(t, "list "+string(v), func() (api.OrderPage, error) {
			return src.ListOrders(context.Background(), v, api.ListQuery{Page: page, PerPage: 100})
		})
		n += len(p.Orders)
		if !p.Page.HasMore || len(p.Orders) == 0 {
			return n
		}
	}
}

func (s *sandbox) find(t *testing.T, v api.Vertical, ref string) (api.Order, bool) {
	t.Helper()
	if v == api.VerticalGiftCard {
		return api.Order{}, false // no reference at OneClickDz: counted instead
	}
	var src api.OrderSource = s.octo
	if v.Provider() == api.ProviderOneClick {
		src = s.one
	}
	type found struct {
		o  api.Order
		ok bool
	}
	f := retryRead(t, "find "+string(v)+" "+ref, func() (found, error) {
		o, ok, err := src.FindByReference(context.Background(), v, ref)
		return found{o, ok}, err
	})
	return f.o, f.ok
}

// retryRead retries a read of the harness's own: the sandbox drops a share of
// connections (ORDERWATCH_TRIALS_DROP), and a read sent again changes nothing.
func retryRead[T any](t *testing.T, what string, read func() (T, error)) T {
	t.Helper()
	var err error
	for range 20 {
		var v T
		if v, err = read(); err == nil {
			return v
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
	panic("unreachable")
}

type run struct {
	code   int
	res    result
	stderr string
	killed bool
}

type result struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	OutcomeUnknown bool   `json:"outcome_unknown"`
	Rerun          bool   `json:"rerun"`
}

func place(bin string, env []string, v vertical, ref, journal string, killAfter time.Duration) run {
	args := append([]string{"place", v.name}, v.args...)
	args = append(args, "--reference", ref, "--journal", journal, "--absent-after", absentAfter.String())
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		return run{code: -1, stderr: err.Error()}
	}
	var r run
	if killAfter > 0 {
		done := make(chan struct{})
		go func() {
			select {
			case <-time.After(killAfter):
				_ = cmd.Process.Signal(syscall.SIGKILL)
			case <-done:
			}
		}()
		defer close(done)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		}
		r.code = ee.ExitCode()
	} else if err != nil {
		r.code = -1
	}
	r.stderr = errb.String()
	if line := strings.TrimSpace(out.String()); line != "" {
		_ = json.Unmarshal([]byte(line), &r.res)
	}
	return r
}

// outcome reads a finished run: placed (with the order id), not placed, or
// unknown.
func (r run) outcome() string {
	switch {
	case r.killed:
		return "killed"
	case r.res.OutcomeUnknown || r.code == 5:
		return "unknown"
	case r.res.ID != "":
		return "placed"
	}
	return "not placed"
}

type figures struct {
	trials, kills, killsInCreate, landedInCreate, finished int
	reruns, unknownFirst, doubles, losses, falseMessages   int
}

func (f figures) String() string {
	return fmt.Sprintf("%d trials over %d verticals: %d killed (%d during the create, the order landed in %d of them), %d finished before the kill, "+
		"%d not killed (timing runs); %d reruns (%d said \"outcome unknown\" first); %d doubled, %d lost, %d untrue messages",
		f.trials, len(verticals), f.kills, f.killsInCreate, f.landedInCreate, f.finished, f.trials-f.kills-f.finished, f.reruns,
		f.unknownFirst, f.doubles, f.losses, f.falseMessages)
}

// journalState is the intent's state after a kill ("" when none).
func journalState(t *testing.T, path string, v api.Vertical, ref string) engine.IntentState {
	t.Helper()
	j, err := engine.OpenJournal(path)
	if err != nil {
		t.Fatalf("journal after a kill: %v", err)
	}
	defer j.Close()
	in, ok, err := j.Intent(v, ref)
	if err != nil {
		t.Fatalf("intent %s: %v", ref, err)
	}
	if !ok {
		return ""
	}
	return in.State
}

// TestCrashTrials places orders of every vertical through the real binary
// against a sandbox in its own process, SIGKILLs each place at a random
// moment, reruns it until its answer is sure, and counts the orders: none
// doubled, none lost, every rerun's message true. A watch and (where
// `script` gives it a terminal) a dashboard share the journal throughout.
//
//	go test ./trials -run TestCrashTrials -trials 500 -v
func TestCrashTrials(t *testing.T) {
	bin := binary(t)
	home := t.TempDir()
	journal := filepath.Join(home, "journal.db")
	rng := rand.New(rand.NewPCG(*seed, 1))
	t.Logf("seed %d (-trials.seed to repeat)", *seed)
	var f figures
	var sb *sandbox
	var sharers []*sharer
	defer func() {
		stopAll(t, sharers)
		if sb != nil {
			sb.stop()
		}
	}()
	typical := map[string]time.Duration{}
	start := time.Now()
	for i := range *nTrials {
		if i%sandboxEvery == 0 {
			stopAll(t, sharers)
			if sb != nil {
				sb.stop()
			}
			sb = startSandbox(t, bin, home, dropShare)
			sharers = openSharers(t, bin, sb.env, journal)
		}
		v := verticals[i%len(verticals)]
		av, _ := api.ParseVertical(v.name)
		ref := fmt.Sprintf("T%d-%d-%s", *seed%100000, i, v.name)
		before := sb.count(t, av)
		if _, ok := typical[v.name]; !ok {
			// The first of each vertical is not killed: it measures how long
			// a place takes, so the kills spread over the whole of it (a
			// dropped connection may fail it: each try is checked too).
			for try := 0; try < 5 && typical[v.name] == 0; try++ {
				tref := fmt.Sprintf("%s-t%d", ref, try)
				before := sb.count(t, av)
				t0 := time.Now()
				r := place(bin, sb.env, v, tref, journal, 0)
				if r.outcome() == "placed" {
					typical[v.name] = time.Since(t0)
				}
				checkOutcome(t, sb, &f, av, tref, r, before, []run{r})
			}
			if typical[v.name] == 0 {
				t.Fatalf("%s: five uninterrupted places placed nothing", v.name)
			}
			f.trials++
			continue
		}
		f.trials++
		kill := time.Duration(rng.Float64() * 1.2 * float64(typical[v.name]))
		first := place(bin, sb.env, v, ref, journal, max(kill, time.Millisecond))
		var runs []run
		if first.killed {
			f.kills++
			if st := journalState(t, journal, av, ref); st == engine.IntentPending {
				f.killsInCreate++
				if before < sb.count(t, av) {
					f.landedInCreate++
				}
			}
		} else {
			f.finished++
			runs = append(runs, first)
		}
		// Rerun until the answer is sure (at most a few absent windows).
		last := first
		for try := 0; try < 6 && (last.killed || last.outcome() == "unknown"); try++ {
			if try > 0 {
				time.Sleep(absentAfter)
			}
			last = place(bin, sb.env, v, ref, journal, 0)
			f.reruns++
			if try == 0 && last.outcome() == "unknown" {
				f.unknownFirst++
			}
			runs = append(runs, last)
		}
		checkOutcome(t, sb, &f, av, ref, last, before, runs)
	}
	t.Logf("%s, in %s (%s)", f, time.Since(start).Round(time.Second), time.Now().UTC().Format("2006-01-02"))
	if f.doubles+f.losses+f.falseMessages > 0 {
		t.Errorf("not exactly once: %s", f)
	}
}

// checkOutcome compares what the last run said with the sandbox.
func checkOutcome(t *testing.T, sb *sandbox, f *figures, v api.Vertical, ref string, last run, before int, runs []run) {
	t.Helper()
	delta := sb.count(t, v) - before
	o, found := sb.find(t, v, ref)
	if v != api.VerticalGiftCard && found != (delta == 1) {
		t.Errorf("%s: found by reference %v but %d new orders", ref, found, delta)
	}
	if delta > 1 {
		f.doubles++
		t.Errorf("%s: %d orders for one reference", ref, delta)
	}
	switch last.outcome() {
	case "placed":
		if delta != 1 {
			f.losses++
			t.Errorf("%s: told placed as %s (exit %d) but %d orders exist", ref, last.res.ID, last.code, delta)
		} else if found && o.ID != last.res.ID {
			f.falseMessages++
			t.Errorf("%s: told order %s, the sandbox has %s", ref, last.res.ID, o.ID)
		}
	case "not placed":
		if delta != 0 {
			f.losses++
			t.Errorf("%s: told not placed (exit %d: %s) but the order exists", ref, last.code, last.stderr)
		}
	default:
		f.falseMessages++
		t.Errorf("%s: no sure answer after the reruns: exit %d %s", ref, last.code, last.stderr)
	}
	for _, r := range runs {
		if delta == 1 && strings.Contains(r.stderr, "nothing was sent") && !strings.Contains(r.stderr, "this run sent nothing") {
			f.falseMessages++
			t.Errorf("%s: said %q while the order exists", ref, strings.TrimSpace(r.stderr))
		}
		if r.outcome() == "placed" && delta == 1 && found && r.res.ID != o.ID {
			f.falseMessages++
			t.Errorf("%s: a run said order %s, the sandbox has %s", ref, r.res.ID, o.ID)
		}
	}
}

// sharer is a long-running orderwatch on the trials' journal.
type sharer struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan struct{}
}

// openSharers starts a watch and, where `script` can give it a terminal, the
// dashboard, both on the trials' journal, and checks they are up.
func openSharers(t *testing.T, bin string, env []string, journal string) []*sharer {
	t.Helper()
	cmds := []*exec.Cmd{exec.Command(bin, "watch", "--journal", journal)}
	cmds[0].Env = env
	if sh, err := exec.LookPath("script"); err == nil {
		d := exec.Command(sh, "-qfec", shellJoin(bin, "--journal", journal), "/dev/null")
		d.Env = append(env, "TERM=xterm")
		cmds = append(cmds, d)
	} else {
		t.Log("no `script` here: the trials run beside watch only, not the dashboard")
	}
	var out []*sharer
	for _, c := range cmds {
		s := &sharer{cmd: c, out: &bytes.Buffer{}, done: make(chan struct{})}
		c.Stdout, c.Stderr = s.out, s.out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { _ = c.Wait(); close(s.done) }()
		out = append(out, s)
	}
	time.Sleep(500 * time.Millisecond) // both have opened the journal by now
	for _, s := range out {
		s.checkUp(t)
	}
	return out
}

// checkUp fails the test when a sharer has exited (it could not share).
func (s *sharer) checkUp(t *testing.T) {
	t.Helper()
	select {
	case <-s.done:
		t.Fatalf("%v exited while the trials ran: %q", s.cmd.Args, lastBytes(s.out.String(), 400))
	default:
	}
}

func lastBytes(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func stopAll(t *testing.T, ss []*sharer) {
	for _, s := range ss {
		select {
		case <-s.done:
			t.Errorf("%v exited while the trials ran: %q", s.cmd.Args, lastBytes(s.out.String(), 400))
		default:
		}
		// The dashboard runs under script(1): it is stopped itself, so that
		// script reaps it and then exits.
		pids := []int{s.cmd.Process.Pid}
		if raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pids[0], pids[0])); err == nil && len(bytes.Fields(raw)) > 0 {
			pids = pids[:0]
			for _, f := range bytes.Fields(raw) {
				if pid, err := strconv.Atoi(string(f)); err == nil {
					pids = append(pids, pid)
				}
			}
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGTERM)
		}
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			for _, pid := range pids {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
}

func shellJoin(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// Two place runs with one reference at the same moment, on one journal:
// one order, and both runs tell the truth about it.
func TestConcurrentPlacesOneReference(t *testing.T) {
	bin := binary(t)
	home := t.TempDir()
	journal := filepath.Join(home, "journal.db")
	sb := startSandbox(t, bin, home, "0")
	defer sb.stop()
	for i, v := range verticals {
		av, _ := api.ParseVertical(v.name)
		ref := fmt.Sprintf("C%d-%s", i, v.name)
		before := sb.count(t, av)
		var wg sync.WaitGroup
		runs := make([]run, 2)
		for k := range runs {
			wg.Go(func() { runs[k] = place(bin, sb.env, v, ref, journal, 0) })
		}
		wg.Wait()
		if delta := sb.count(t, av) - before; delta != 1 {
			t.Fatalf("%s: %d orders from two concurrent runs (%+v)", ref, delta, runs)
		}
		placed := 0
		t.Logf("%s: exits %d and %d (%s, %s)", ref, runs[0].code, runs[1].code, runs[0].outcome(), runs[1].outcome())
		for _, r := range runs {
			switch r.outcome() {
			case "placed":
				placed++
				if o, ok := sb.find(t, av, ref); ok && o.ID != r.res.ID {
					t.Errorf("%s: a run said %s, the sandbox has %s", ref, r.res.ID, o.ID)
				}
			case "unknown": // the other run's create was still in flight: true
			default:
				t.Errorf("%s: exit %d %q while one order exists", ref, r.code, r.stderr)
			}
		}
		if placed == 0 {
			t.Errorf("%s: neither run reported the order: %+v", ref, runs)
		}
	}
}

// Every corruption case stops place with exit 2 and one line before
// anything is sent: the sandbox's order count does not move.
func TestCorruptJournalSendsNothing(t *testing.T) {
	bin := binary(t)
	home := t.TempDir()
	sb := startSandbox(t, bin, home, "0")
	defer sb.stop()
	good := filepath.Join(home, "good.db")
	if r := place(bin, sb.env, verticals[0], "K-good", good, 0); r.outcome() != "placed" {
		t.Fatalf("setup: %+v", r)
	}
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(path string) func(){
		"truncated": func(p string) func() { must(t, os.WriteFile(p, raw[:len(raw)/2], 0o600)); return nil },
		"garbled": func(p string) func() {
			g := bytes.Clone(raw)
			for off := 100; off < len(g); off += 997 {
				g[off] ^= 0x5a
			}
			must(t, os.WriteFile(p, g, 0o600))
			return nil
		},
		"zero-length":   func(p string) func() { must(t, os.WriteFile(p, nil, 0o600)); return nil },
		"not a journal": func(p string) func() { must(t, os.WriteFile(p, []byte("not a journal\n"), 0o600)); return nil },
		"read-only":     func(p string) func() { must(t, os.WriteFile(p, raw, 0o400)); return nil },
		"locked by an older version": func(p string) func() {
			db, err := bolt.Open(p, 0o600, nil)
			must(t, err)
			return func() { db.Close() }
		},
	}
	for name, setup := range cases {
		path := filepath.Join(t.TempDir(), "journal.db")
		done := setup(path)
		before := sb.count(t, api.VerticalVoucher)
		r := place(bin, sb.env, verticals[0], "K-"+strings.ReplaceAll(name, " ", "-"), path, 0)
		if done != nil {
			done()
		}
		if r.code != 2 || !strings.Contains(r.stderr, path) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%s: exit %d, stderr %q", name, r.code, r.stderr)
		}
		if after := sb.count(t, api.VerticalVoucher); after != before {
			t.Errorf("%s: %d orders were sent", name, after-before)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
