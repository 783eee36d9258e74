package headless

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/orderwatch/orderwatch/api"
)

// Every command's messages start "orderwatch COMMAND: ", place's too (it
// said "orderwatch place voucher: " for some and "orderwatch place: " for
// others).
func TestPlaceMessagesHaveTheCommandsPrefix(t *testing.T) {
	var out, errb bytes.Buffer
	code := Place(context.Background(), Deps{}, PlaceOptions{Vertical: api.VerticalVoucher}, &out, &errb)
	assert.Equal(t, ExitBadInput, code)
	for _, l := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
		assert.True(t, strings.HasPrefix(l, "orderwatch place: "), "%q", l)
	}
}
