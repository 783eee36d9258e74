package orderform

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

// The form's reference field (every spec's, api.ReferenceField) refuses what
// the command line refuses, with the same message.
func TestReferenceFieldUsesTheSharedRule(t *testing.T) {
	validateReference := func(s string) error { return api.ReferenceField().Check(s, nil) }
	for _, ref := range []string{"", " ", "   ", "a\x01b", " lead", "trail ", strings.Repeat("r", 256)} {
		err := validateReference(ref)
		require.Error(t, err, "%q", ref)
		var e *api.Error
		require.ErrorAs(t, api.ValidateReference(ref), &e)
		var fe *api.Error
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, e.Message, fe.Message)
	}
	assert.NoError(t, validateReference("ow-20261204-1"))
}
