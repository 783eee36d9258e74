package headless

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

// The command line refuses what the form refuses, with the same words
// (api.ValidateReference is the one rule).
func TestReferenceRuleIsTheFormsRule(t *testing.T) {
	for _, ref := range []string{" ", "   ", "\t", "a\x01b", "a\x7f", "café", " lead", "trail ", strings.Repeat("r", 256)} {
		_, err := ParsePlaceArgs("voucher", []string{"--product", "1001", "--denomination", "5", "--reference", ref})
		require.Error(t, err, "%q", ref)
		var e *api.Error
		require.ErrorAs(t, api.ValidateReference(ref), &e, "%q", ref)
		assert.Equal(t, "place voucher: --reference: "+e.Message, err.Error(), "%q", ref)
	}
	_, err := ParsePlaceArgs("voucher", []string{"--product", "1001", "--denomination", "5", "--reference", "B-voucher 1"})
	assert.NoError(t, err)
}
