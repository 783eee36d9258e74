package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/commands/headless"
	"github.com/orderwatch/orderwatch/engine"
)

// One convention for every command: the same number means the same thing
// everywhere (README "Exit codes"), and every message is one line starting
// with "orderwatch COMMAND:" (a flag error adds where to find the flags).
func TestExitCodesOneConvention(t *testing.T) {
	// The numbers themselves, shared by the packages that return them.
	assert.Equal(t, []int{0, 1, 2, 3, 4}, []int{engine.ExitDelivered, engine.ExitFailed, engine.ExitBadInput, engine.ExitPartial, engine.ExitInterrupted})
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6}, []int{headless.ExitDelivered, headless.ExitFailed, headless.ExitBadInput,
		headless.ExitPartial, headless.ExitPending, headless.ExitUnknown, headless.ExitCouldNotStart})
	assert.Equal(t, 6, exitCouldNotStart)
	assert.Equal(t, 7, engine.ExitNotFound)

	j := configured(t)
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		if args[0] == "place" || args[0] == "watch" || args[0] == "journal" {
			args = append(args, "--journal", j)
		}
		code := Run(context.Background(), args, &out, &errb)
		return code, out.String(), errb.String()
	}
	id := func(args ...string) string {
		code, out, errs := run(args...)
		require.Contains(t, []int{0, 1, 4}, code, errs)
		var r struct {
			ID string `json:"id"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &r), out)
		return r.ID
	}
	delivered := id("place", "voucher", "--product", "1001", "--denomination", "10", "--quantity", "3")
	failed := id("place", "topup", "--product", "4218", "--amount", "0.99", "--player-id", "0000000")
	queued := id("place", "internet", "--type", "ADSL", "--number", "099999999", "--value", "1000")
	slow := id("place", "voucher", "--product", "1001", "--denomination", "10", "--quantity", "1000") // delivered 1–3 s from now

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	badKey := func(t *testing.T) { t.Setenv("ONECLICKDZ_API_KEY", "00000000-0000-4000-8000-000000000000") }
	rows := []struct {
		cmd  []string
		code int
		env  func(*testing.T)
	}{
		{[]string{"watch", "voucher:" + slow, "--until-terminal", "--timeout", "300ms"}, 4, nil}, // first: before it lands
		{[]string{"place", "voucher", "--product", "1001", "--denomination", "10", "--quantity", "1"}, 0, nil},
		{[]string{"place", "topup", "--product", "4218", "--amount", "0.99", "--player-id", "0000000"}, 1, nil},
		{[]string{"place", "voucher", "--product", "1001", "--quantity", "0"}, 2, nil},
		{[]string{"place", "voucher", "--bogus"}, 2, nil},
		{[]string{"place", "voucher", "--product", "1001", "--denomination", "10", "--quantity", "10"}, 4, nil},
		{[]string{"place", "internet", "--type", "ADSL", "--number", "036362608", "--value", "500"}, 6, badKey}, // its own provider's key
		// place 3 (partial): TestPlacePartialVoucherDoesNotWaitItsTimeout; 5 (outcome
		// unknown): headless's TestOutcomeUnknownWhenNotFound and TestRerunUnresolvedNotFoundIsOutcomeUnknown.
		{[]string{"watch", "voucher:" + delivered, "--until-terminal"}, 0, nil},
		{[]string{"watch", "topup:" + failed, "--until-terminal"}, 1, nil},
		{[]string{"watch", "voucher:abc"}, 2, nil},
		{[]string{"watch", "--timeout", "-1s"}, 2, nil},
		{[]string{"watch", "internet:" + queued, "--until-terminal", "--timeout", "30s"}, 3, nil},
		{[]string{"watch", "voucher:" + delivered}, 6, badKey},
		{[]string{"watch", "voucher:987654321", "--until-terminal"}, 7, nil},
		{[]string{"journal", "check"}, 0, nil},
		{[]string{"journal", "check", "--bogus"}, 2, nil},
		{[]string{"journal", "vacuum"}, 2, nil},
		{[]string{"sandbox", "--addr", "8.8.8.8:1"}, 2, nil},
		{[]string{"sandbox", "--addr", busy.Addr().String()}, 6, nil},
		{[]string{"sandbox", "--bogus"}, 2, nil},
		{[]string{"bench", "poll", "--bogus"}, 2, nil},
		{[]string{"--bogus"}, 2, nil},
	}
	for _, r := range rows {
		t.Run(strings.Join(r.cmd, " "), func(t *testing.T) {
			if r.env != nil {
				r.env(t)
			}
			code, _, errs := run(r.cmd...)
			assert.Equal(t, r.code, code, errs)
			name := "orderwatch"
			if !strings.HasPrefix(r.cmd[0], "-") {
				name += " " + r.cmd[0]
			}
			msg, _, _ := strings.Cut(errs, "\n\n") // a usage text may follow a blank line
			for _, l := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
				if l == "" || strings.HasPrefix(l, "(") {
					continue // the line that says where the flags are listed
				}
				assert.True(t, strings.HasPrefix(l, name), "message %q does not start with %q", l, name)
			}
		})
	}
	t.Run("dashboard could not start", func(t *testing.T) {
		badKey(t)
		_, stop, code, err := dashboard(context.Background(), []string{"--journal", filepath.Join(t.TempDir(), "j.db")}, &bytes.Buffer{})
		require.Nil(t, stop)
		assert.Equal(t, 6, code, "%v", err)
	})
}
