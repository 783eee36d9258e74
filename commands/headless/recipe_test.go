package headless

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/spec/spectest"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/engine/enginetest"
)

// The recipe "add a vertical": the spec registered for a made-up vertical
// gives `orderwatch place` its flags, their rules and the request, with no
// change to the command.
func TestRecipeAddAVerticalDrivesPlace(t *testing.T) {
	spectest.Register()
	_, err := ParsePlaceArgs("kiosk", []string{"--product", "show-1", "--seat", "12"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `--seat: "12" is not a seat`)
	_, err = ParsePlaceArgs("kiosk", []string{"--product", "show-1", "--seat", "A1", "--denomination", "5"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--denomination is not a flag of place kiosk")

	assert.Contains(t, UsageFor(spectest.Kiosk), "--seat SEAT", "place kiosk -h lists the spec's flags")
	o, err := ParsePlaceArgs("kiosk", []string{"--product", "show-1", "--seat", "A12", "--reference", "kiosk-ref-1"})
	require.NoError(t, err)
	spec, _ := api.SpecOf(spectest.Kiosk)
	req, _, err := buildRequest(spec, o, &spectest.Show, "show-1")
	require.NoError(t, err)
	assert.Equal(t, api.OrderRequest{Vertical: spectest.Kiosk, ProductID: "show-1", Amount: 12, Quantity: 1,
		ClientReference: "kiosk-ref-1", Recipient: "A12"}, req)
	require.NoError(t, spec.Validate(req, &spectest.Show))

	t.Run("placed through the engine", func(t *testing.T) {
		require.True(t, spectest.Kiosk.Valid(), "spectest.Register registers kiosk's provider too")
		shop := &spectest.Shop{}
		e, err := engine.New(engine.Config{Sources: []api.OrderSource{shop}, Journal: enginetest.Journal(t), WalletEvery: -1})
		require.NoError(t, err)
		var out, errOut bytes.Buffer
		code := Place(context.Background(), Deps{Engine: e, Catalog: shop, Placer: shop, Wallets: shop.Wallets}, o, &out, &errOut)
		require.Equal(t, ExitDelivered, code, "stderr %q stdout %q", errOut.String(), out.String())
		var res Result
		require.NoError(t, json.Unmarshal(out.Bytes(), &res))
		assert.Equal(t, "k1", res.ID)
		assert.Equal(t, "A12", res.Recipient)
		assert.Equal(t, "kiosk-ref-1", res.ClientReference)
		reqs := shop.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "A12", reqs[0].Recipient)
	})
}
