package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// configured points the environment at two fresh sandboxes (as a user's
// own account would be) and returns the journal to use.
func configured(t *testing.T) string {
	dir := isolate(t)
	octo, one := sandboxes(t)
	cr := octo.Credentials()
	for k, v := range map[string]string{
		"OCTOPUS_BASE_URL": octo.URL(), "OCTOPUS_API_KEY": cr.APIKey, "OCTOPUS_API_SECRET": cr.APISecret,
		"ONECLICKDZ_BASE_URL": one.URL(), "ONECLICKDZ_API_KEY": one.APIKey(),
	} {
		t.Setenv(k, v)
	}
	return filepath.Join(dir, "j.db")
}

// Flags go anywhere, for every command: the README's own example has them
// after the targets.
func TestFlagsGoAnywhere(t *testing.T) {
	j := configured(t)
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(context.Background(), args, &out, &errb)
		return code, out.String(), errb.String()
	}
	// place: flags before the vertical, and the journal flag among the order's.
	code, out, errs := run("place", "--journal", j, "voucher", "--product", "1001", "--denomination", "10", "--quantity", "3")
	require.Equal(t, exitOK, code, errs)
	var res struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.NotEmpty(t, res.ID)

	// watch: flags after the targets (the README's example).
	code, out, errs = run("watch", "voucher:"+res.ID, "--until-terminal", "--timeout", "15s", "--journal", j)
	assert.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, `"status":"delivered"`)
	// A flag after a target is still checked as a flag.
	code, _, errs = run("watch", "voucher:"+res.ID, "--bogus")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errs, "unknown flag --bogus")
	// "--" ends the flags: what follows is a target.
	code, _, errs = run("watch", "--journal", j, "--", "--until-terminal")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errs, `target "--until-terminal"`)

	// journal: the flag before or after the action.
	code, _, errs = run("journal", "--journal", j, "check")
	assert.Equal(t, exitOK, code, errs)
	code, _, errs = run("journal", "check", "--journal", j)
	assert.Equal(t, exitOK, code, errs)
}
