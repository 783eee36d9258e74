package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/orderwatch/orderwatch/api"
)

func watchEngine(t *testing.T, discover bool, srcs ...api.OrderSource) *Engine {
	t.Helper()
	e, err := New(Config{Sources: srcs, TimeScale: 0.001, Discover: discover, WalletEvery: -1,
		GETPerMinute: map[api.Provider]int{api.ProviderOctopus: 60000, api.ProviderOneClick: 60000}})
	require.NoError(t, err)
	return e
}

func lines(t *testing.T, out string) []WatchLine {
	t.Helper()
	var ls []WatchLine
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var w WatchLine
		require.NoError(t, json.Unmarshal([]byte(l), &w), l)
		ls = append(ls, w)
	}
	return ls
}

// notifyWriter is a buffer that records that something was written.
type notifyWriter struct {
	bytes.Buffer
	wrote atomic.Bool
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	w.wrote.Store(true)
	return n, err
}

func TestWatchBadTargets(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	for _, bad := range []string{"voucher", "pizza:1", "voucher:", "voucher:ref:", "topup:a b"} {
		e := watchEngine(t, false, f)
		var out bytes.Buffer
		code, err := Watch(context.Background(), e, []string{"voucher:1", bad}, true, &out)
		assert.Equal(t, ExitBadInput, code, bad)
		assert.ErrorContains(t, err, strings.TrimSpace(strings.SplitN(bad, " ", 2)[0]), bad)
		assert.Empty(t, out.String())
		assert.Empty(t, f.calls(), "nothing polled for bad input")
	}
	// A reference nobody has is a not_found line and its own exit code.
	e := watchEngine(t, false, f)
	var out bytes.Buffer
	code, err := Watch(context.Background(), e, []string{"voucher:ref:nope"}, true, &out)
	assert.Equal(t, ExitNotFound, code)
	require.NoError(t, err)
	ls := lines(t, out.String())
	require.Len(t, ls, 1)
	assert.Equal(t, StatusNotFound, ls[0].Status)
	assert.Equal(t, "nope", ls[0].ClientReference)
}

// Targets whose id cannot be one of the vertical's ids, and references the
// shared rule refuses, are bad input at once: nothing is polled.
func TestWatchRejectsMalformedIDsAndReferences(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	for _, bad := range []string{"voucher:abc", "voucher:-1", "voucher:0", "voucher:01", "mobile:zzz", "mobile:123",
		"voucher:ref:" + strings.Repeat("r", 300), "voucher:ref:a\x1bb", "voucher:ref:a\tb"} {
		require.NoError(t, CheckTargets([]string{"voucher:1234", "mobile:6901616fe9e88196b4eb64b0"}))
		assert.Error(t, CheckTargets([]string{bad}), bad)
		e := watchEngine(t, false, f)
		var out bytes.Buffer
		code, err := Watch(context.Background(), e, []string{bad}, true, &out)
		assert.Equal(t, ExitBadInput, code, bad)
		require.Error(t, err, bad)
		assert.Less(t, len(err.Error()), 200, "a long target is not echoed whole")
		assert.Empty(t, out.String())
	}
	assert.Empty(t, f.calls(), "nothing polled for bad input")
}

// A named order the provider answers 404 for prints a not_found line, and
// --until-terminal ends with ExitNotFound.
func TestWatchNamedOrderNotFound(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalVoucher)
	f.getErr = func(api.OrderKey, int, time.Time) error { return &api.Error{Kind: api.KindNotFound, HTTPStatus: 404} }
	e := watchEngine(t, false, f)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	code, err := Watch(ctx, e, []string{"voucher:4040"}, true, &out)
	require.NoError(t, err)
	assert.Equal(t, ExitNotFound, code)
	ls := lines(t, out.String())
	require.Len(t, ls, 1)
	assert.Equal(t, StatusNotFound, ls[0].Status)
	assert.Equal(t, "4040", ls[0].ID)
}

func TestWatchTransitionsAndExitCodes(t *testing.T) {
	secretCode := "STEAM-SECRET-CODE-1"
	secretPIN := "PIN-SECRET-9876" // distinctive: a bare "9876" turns up in timestamps
	mk := func() (*fakeSource, *fakeSource) {
		octo := newFake(api.ProviderOctopus, api.VerticalVoucher, api.VerticalTopup, api.VerticalESIM)
		octo.set(key(api.VerticalVoucher, "1234"), func(n int) api.Order {
			if n < 3 {
				return api.Order{RawStatus: "PENDING", Quantity: 10, ClientReference: "c-1"}
			}
			return api.Order{RawStatus: "DELIVERED", Quantity: 10, DeliveredQuantity: 10, ClientReference: "c-1",
				Vouchers: []api.Voucher{{CardNumber: secretCode, PIN: secretPIN}}}
		})
		octo.set(key(api.VerticalTopup, "9123456"), after(1, "PENDING", "FAILED"))
		octo.set(key(api.VerticalESIM, "9302481"), func(n int) api.Order {
			return api.Order{RawStatus: "DELIVERED", ESIM: &api.ESIM{ActivationCode: "LPA:1$smdp$SECRETMATCH", ActivationStatus: api.ActivationNotInstalled}}
		})
		octo.refs["voucher/c-1"] = api.Order{ID: "1234", RawStatus: "PENDING", ClientReference: "c-1"}
		oc := newFake(api.ProviderOneClick, api.VerticalMobile, api.VerticalGiftCard)
		oc.set(key(api.VerticalMobile, "6901616fe9e88196b4eb64b0"), after(1, "HANDLING", "UNKNOWN_ERROR"))
		oc.set(key(api.VerticalGiftCard, "6901616fe9e88196b4eb64b1"), after(1, "HANDLING", "PARTIALLY_FILLED"))
		return octo, oc
	}

	cases := []struct {
		name    string
		targets []string
		code    int
	}{
		{"delivered", []string{"voucher:1234"}, ExitDelivered},
		{"by reference", []string{"voucher:ref:c-1"}, ExitDelivered},
		{"esim delivered, install not awaited", []string{"esim:9302481"}, ExitDelivered},
		{"failed wins", []string{"voucher:1234", "topup:9123456", "giftcard:6901616fe9e88196b4eb64b1"}, ExitFailed},
		{"uncertain", []string{"mobile:6901616fe9e88196b4eb64b0", "voucher:1234"}, ExitPartial},
		{"partial", []string{"gift-cards:6901616fe9e88196b4eb64b1"}, ExitPartial},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			octo, oc := mk()
			e := watchEngine(t, false, octo, oc)
			var out bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			code, err := Watch(ctx, e, c.targets, true, &out)
			require.NoError(t, err)
			assert.Equal(t, c.code, code)
			s := out.String()
			assert.NotContains(t, s, secretCode)
			assert.NotContains(t, s, secretPIN)
			assert.NotContains(t, s, "SECRETMATCH")
			ls := lines(t, s)
			require.NotEmpty(t, ls)
			final := map[string]WatchLine{}
			for _, l := range ls {
				final[string(l.Vertical)+":"+l.ID] = l
			}
			assert.Len(t, final, len(c.targets), "a line for every target")
		})
	}

	t.Run("transition lines", func(t *testing.T) {
		octo, _ := mk()
		// Deliver only once the PENDING line is out: updates still in the
		// outbox coalesce, so a fixed GET count (~10 ms) races the relay.
		out := &notifyWriter{}
		octo.set(key(api.VerticalVoucher, "1234"), func(n int) api.Order {
			if n < 3 || !out.wrote.Load() {
				return api.Order{RawStatus: "PENDING", Quantity: 10, ClientReference: "c-1"}
			}
			return api.Order{RawStatus: "DELIVERED", Quantity: 10, DeliveredQuantity: 10, ClientReference: "c-1",
				Vouchers: []api.Voucher{{CardNumber: secretCode, PIN: secretPIN}}}
		})
		e := watchEngine(t, false, octo)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // no first line: fail, not hang
		defer cancel()
		code, err := Watch(ctx, e, []string{"voucher:1234"}, true, out)
		require.NoError(t, err)
		require.Equal(t, ExitDelivered, code)
		ls := lines(t, out.String())
		require.Len(t, ls, 2, out.String())
		assert.Equal(t, api.StatusPending, ls[0].Status)
		assert.Equal(t, "PENDING", ls[0].RawStatus)
		assert.Equal(t, api.StatusDelivered, ls[1].Status)
		assert.Equal(t, api.StatusPending, ls[1].From)
		assert.Equal(t, 10, ls[1].DeliveredQuantity)
		assert.Equal(t, 10, ls[1].Quantity)
		assert.Equal(t, "c-1", ls[1].ClientReference)
		assert.Equal(t, SourcePoll, ls[1].Source)
	})

	t.Run("timeout with pending", func(t *testing.T) {
		slow := newFake(api.ProviderOctopus, api.VerticalTopup)
		slow.set(key(api.VerticalTopup, "1"), always("PENDING"))
		e := watchEngine(t, false, slow)
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		code, err := Watch(ctx, e, []string{"topup:1"}, true, &bytes.Buffer{})
		assert.Equal(t, ExitInterrupted, code)
		assert.Error(t, err)
	})
}

func TestWatchAllInFlight(t *testing.T) {
	f := newFake(api.ProviderOctopus, api.VerticalTopup)
	f.set(key(api.VerticalTopup, "1"), after(1, "PENDING", "DELIVERED"))
	f.set(key(api.VerticalTopup, "old"), always("DELIVERED"))
	f.listFn = func(v api.Vertical, q api.ListQuery) ([]api.Order, error) {
		if q.Status == "PENDING" {
			return []api.Order{{ID: "1", RawStatus: "PENDING", CreatedAt: time.Now()}}, nil
		}
		return []api.Order{{ID: "old", RawStatus: "DELIVERED"}}, nil
	}
	e := watchEngine(t, true, f)
	var out bytes.Buffer
	code, err := Watch(context.Background(), e, nil, true, &out)
	require.NoError(t, err)
	assert.Equal(t, ExitDelivered, code)
	for _, l := range lines(t, out.String()) {
		assert.Equal(t, "1", l.ID, "finished-before-start orders are not transitions")
	}
}
