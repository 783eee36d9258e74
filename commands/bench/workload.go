package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/api/octopus"
	octosb "github.com/orderwatch/orderwatch/api/sandbox/octopus"
	oneclicksb "github.com/orderwatch/orderwatch/api/sandbox/oneclick"
)

// Kinds of order in a workload (for the breakdown and the notes).
const (
	kindNormal = "normal"
	kindFail   = "fail"   // ends FAILED / REFUNDED
	kindCancel = "cancel" // ends CANCELLED
	kindSlow   = "slow"   // minutes PENDING (the long tail)
)

// spec is one order of a workload.
type spec struct {
	kind string
	// Octopus Cards
	req api.OrderRequest
	// OneClickDz mobile
	plan, msisdn string
	amount       int
}

// octopusWorkload is n orders that are all in flight after their create
// call: vouchers of quantity 6–40 (async), topups (gaming and mobile), and a
// few slow eSIMs. Rare outcomes sit at fixed positions so that the 10-order
// workload holds one failure and one cancellation but none of the
// minutes-long tail, and the larger ones hold 2 % slow topups and 2 % slow
// eSIMs: the tail the documents describe, used sparingly.
func octopusWorkload(seed int64, n int) []spec {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f63746f))
	out := make([]spec, n)
	for i := range out {
		ref := fmt.Sprintf("bench-%d-%d", seed, i)
		voucher := func(qty int) api.OrderRequest {
			// Amazon USD and EUR (denominations from 1) spread the spend
			// over both 10,000 wallets even at 1,000 orders.
			prod := "1101"
			if rng.IntN(2) == 1 {
				prod = "1103"
			}
			return api.OrderRequest{Vertical: octopus.VerticalVoucher, ProductID: prod, Amount: 1, Quantity: qty, ClientReference: ref}
		}
		qty := 6 + rng.IntN(35)
		if qty == octosb.MagicQtyPartial || qty == octosb.MagicQtyPartialThenFull {
			qty++ // partial deliveries are magic inputs: not in the normal mix
		}
		s := spec{kind: kindNormal}
		switch {
		case i%50 == 23:
			s.kind = kindSlow
			s.req = topupMobile("+9198" + octosb.MagicSlowSuffix)
		case i%50 == 47:
			s.kind = kindSlow
			s.req = api.OrderRequest{Vertical: octopus.VerticalESIM, ProductID: strconv.Itoa(octosb.ESIMProductSlow), Amount: 1}
		case i%25 == 7:
			s.kind = kindFail
			s.req = voucher(octosb.MagicQtyFailed)
		case i%25 == 3:
			s.kind = kindCancel
			s.req = voucher(qty)
			ref = octosb.MagicCancelPrefix + ref
		case i%25 == 19:
			s.kind = kindFail
			s.req = topupMobile("+91" + "987" + octosb.MagicPhoneFailSuffix)
		case rng.Float64() < 0.55:
			s.req = voucher(qty)
		case rng.Float64() < 0.6:
			s.req = api.OrderRequest{Vertical: octopus.VerticalTopup, ProductID: "4218", Amount: 0.99,
				InputData: map[string]string{"player_id": playerID(rng)}}
		default:
			s.req = topupMobile(fmt.Sprintf("+9198%08d", 10000000+rng.IntN(80000000)))
			s.req.Amount = float64(10 + rng.IntN(41))
		}
		s.req.ClientReference = ref
		out[i] = s
	}
	return out
}

func topupMobile(phone string) api.OrderRequest {
	return api.OrderRequest{Vertical: octopus.VerticalTopup, ProductID: "4219", Amount: 20, Category: "Airtime",
		InputData: map[string]string{"phone_number": phone}}
}

// playerID is 8–10 digits that never hit a magic player id.
func playerID(rng *rand.Rand) string {
	for {
		id := strconv.Itoa(10000000 + rng.IntN(1999999999-10000000))
		if id != octosb.MagicPlayerFail && id != octosb.MagicPlayerInstant && !hasSuffix(id, octosb.MagicSlowSuffix) &&
			!hasSuffix(id, octosb.MagicPhoneFailSuffix) {
			return id
		}
	}
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// oneclickWorkload is n mobile top-ups over the three operators, 5 % of them
// refunded (the documented sandbox numbers). Every one is PENDING ≈5 s,
// HANDLING ≈15 s, then final (scaled).
func oneclickWorkload(seed int64, n int) []spec {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f6e6563))
	out := make([]spec, n)
	for i := range out {
		s := spec{kind: kindNormal, amount: 100 + rng.IntN(201)}
		switch {
		case i%20 == 9:
			s.kind, s.plan, s.msisdn = kindFail, "PREPAID_DJEZZY", oneclicksb.NumberRefund
		case i%3 == 0:
			s.plan, s.msisdn = "PREPAID_DJEZZY", fmt.Sprintf("077%07d", rng.IntN(10000000))
		case i%3 == 1:
			s.plan, s.msisdn = "PREPAID_MOBILIS", fmt.Sprintf("066%07d", rng.IntN(10000000))
		default:
			s.plan, s.msisdn = "PREPAID_OOREDOO", fmt.Sprintf("055%07d", rng.IntN(10000000))
		}
		s.req.ClientReference = fmt.Sprintf("bench-%d-%d", seed, i)
		out[i] = s
	}
	return out
}
