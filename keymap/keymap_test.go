package keymap

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultKeyMapHasNoConflicts(t *testing.T) {
	k := DefaultKeyMap()
	assert.Empty(t, k.Conflicts())
	require.NoError(t, k.Validate())
}

func TestConflictDetected(t *testing.T) {
	k := DefaultKeyMap()
	// Bypass Apply's own check to prove the detector works.
	k.Refresh.SetKeys("j")
	c := k.Conflicts()
	require.NotEmpty(t, c)
	assert.Contains(t, strings.Join(c, "\n"), `"j"`)
}

func TestSameKeyInDifferentScopesIsFine(t *testing.T) {
	k := DefaultKeyMap()
	// j moves in the table and in the log; never both active at once.
	assert.Contains(t, k.Down.Keys(), "j")
	assert.Contains(t, k.LogDown.Keys(), "j")
	assert.Empty(t, k.Conflicts())
}

func TestEveryBindingHasHelpAndGroup(t *testing.T) {
	k := DefaultKeyMap()
	names := map[string]bool{}
	for _, e := range k.Entries() {
		assert.NotEmpty(t, e.Binding.Keys(), e.Action)
		assert.NotEmpty(t, e.Binding.Help().Desc, e.Action)
		assert.NotEmpty(t, e.Binding.Help().Key, e.Action)
		assert.NotEmpty(t, e.Group, e.Action)
		assert.False(t, names[e.Action], "duplicate action %s", e.Action)
		names[e.Action] = true
	}
}

func TestDefaultKeyMapIsFresh(t *testing.T) {
	a := DefaultKeyMap()
	a.Quit.SetKeys("Q")
	b := DefaultKeyMap()
	assert.Equal(t, []string{"q", "ctrl+c"}, b.Quit.Keys())
}

func TestDangerousFlags(t *testing.T) {
	k := DefaultKeyMap()
	danger := map[string]bool{}
	for _, e := range k.Entries() {
		if e.Dangerous {
			danger[e.Action] = true
		}
	}
	assert.Equal(t, map[string]bool{"email": true, "place_order": true}, danger)
}

func TestReadOnlyRemovesDangerousFromKeysAndHelp(t *testing.T) {
	k := DefaultKeyMap()
	k.SetReadOnly()
	press := fakeKey("n")
	assert.False(t, key.Matches(press, k.PlaceOrder))
	assert.False(t, key.Matches(fakeKey("e"), k.Email))
	assert.True(t, key.Matches(fakeKey("r"), k.Refresh))
	for _, v := range AllViews {
		for _, g := range k.HelpGroups(v) {
			for _, b := range g.Bindings {
				assert.NotEqual(t, "place order", b.Help().Desc)
				assert.NotEqual(t, "attach notification email", b.Help().Desc)
			}
		}
	}
	// Overriding a removed action does not bring it back.
	require.NoError(t, k.Apply(map[string][]string{"email": {"E"}}))
	assert.False(t, key.Matches(fakeKey("E"), k.Email))
}

func TestHelpGroupsOnlyListActiveScopes(t *testing.T) {
	k := DefaultKeyMap()
	descs := func(v View) string {
		var s []string
		for _, g := range k.HelpGroups(v) {
			for _, b := range g.Bindings {
				s = append(s, b.Help().Desc)
			}
		}
		return strings.Join(s, "|")
	}
	assert.Contains(t, descs(ViewTable), "refresh order now")
	assert.NotContains(t, descs(ViewTable), "copy PIN")
	assert.Contains(t, descs(ViewDetail), "copy PIN")
	assert.NotContains(t, descs(ViewInput), "quit|")
	assert.Contains(t, descs(ViewInput), "apply")
	assert.NotContains(t, descs(ViewLog), "refresh order now")
	assert.Contains(t, descs(ViewLog), "close log")
}

func TestInputScopeHasNoPrintableGlobalKeys(t *testing.T) {
	k := DefaultKeyMap()
	for _, g := range k.HelpGroups(ViewInput) {
		for _, b := range g.Bindings {
			for _, ks := range b.Keys() {
				assert.NotEqual(t, "q", ks)
			}
		}
	}
}

func TestApplyOverrides(t *testing.T) {
	k := DefaultKeyMap()
	require.NoError(t, k.Apply(map[string][]string{"refresh": {"R", "ctrl+r"}}))
	assert.Equal(t, []string{"R", "ctrl+r"}, k.Refresh.Keys())
	assert.Equal(t, "R/ctrl+r", k.Refresh.Help().Key)
	assert.Equal(t, "refresh order now", k.Refresh.Help().Desc)
	assert.True(t, key.Matches(fakeKey("R"), k.Refresh))
	assert.False(t, key.Matches(fakeKey("r"), k.Refresh))
}

func TestApplyErrors(t *testing.T) {
	cases := map[string]struct {
		in   map[string][]string
		want string
	}{
		"unknown action": {map[string][]string{"explode": {"z"}}, `"explode"`},
		"no keys":        {map[string][]string{"refresh": nil}, `"refresh"`},
		"empty key":      {map[string][]string{"pin": {" "}}, `"pin"`},
		"conflict":       {map[string][]string{"refresh": {"j"}}, `"j"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			k := DefaultKeyMap()
			before := DefaultKeyMap()
			err := k.Apply(c.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			// No state change on bad input.
			assert.Equal(t, before.Refresh.Keys(), k.Refresh.Keys())
			assert.Equal(t, before.Pin.Keys(), k.Pin.Keys())
		})
	}
}

type fakeKey string

func (f fakeKey) String() string { return string(f) }

func TestFormViewHelpListsTheFormKeysOnly(t *testing.T) {
	k := DefaultKeyMap()
	var descs []string
	var keys []string
	for _, g := range k.HelpGroups(ViewForm) {
		for _, b := range g.Bindings {
			descs = append(descs, b.Help().Desc)
			keys = append(keys, b.Keys()...)
		}
	}
	all := strings.Join(descs, "|")
	for _, want := range []string{"next field", "place the order", "reveal / hide codes", "copy PIN", "edit and retry", "form keys"} {
		assert.Contains(t, all, want)
	}
	assert.Contains(t, all, "quit (while placing")
	assert.NotContains(t, all, "refresh order now", "table keys are off while the form is open")
	assert.NotContains(t, all, "place order", "n is not a form key")
	assert.NotContains(t, keys, "q", "q is typed into fields, never quits")
	assert.Equal(t, "Order form", k.HelpGroups(ViewForm)[0].Name)
}

func TestFormBindingsAreRemappableAndCheckedForConflicts(t *testing.T) {
	k := DefaultKeyMap()
	require.NoError(t, k.Apply(map[string][]string{"form_help": {"f2"}}))
	assert.True(t, key.Matches(fakeKey("f2"), k.FormHelp))
	err := k.Apply(map[string][]string{"form_help": {"ctrl+c"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "form_quit")
	assert.Equal(t, []string{"f2"}, k.FormHelp.Keys(), "a rejected override changes nothing")
}

// One key, one meaning, across every view: the table, the detail pane, the
// prompts, help, the log and the order form. A support person who learnt
// that C copies a PIN in the detail must not pin an order with it elsewhere.
func TestOneKeyOneMeaningAcrossViews(t *testing.T) {
	k := DefaultKeyMap()
	for ks, ms := range k.Meanings() {
		if len(ms) > 1 {
			t.Errorf("key %q means %d things: %v", ks, len(ms), ms)
		}
	}
}

// The check catches a key given a second meaning.
func TestOneKeyOneMeaningDetectsTwoMeanings(t *testing.T) {
	k := DefaultKeyMap()
	k.Pin.SetKeys("C") // C copies a PIN in the form and the detail pane
	assert.Len(t, k.Meanings()["C"], 2)
}

// A conflict is said once, though its scope is active in several views.
func TestConflictSaidOnce(t *testing.T) {
	k := DefaultKeyMap()
	err := k.Apply(map[string][]string{"refresh": {"j"}})
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), `key "j"`), err.Error())
}
