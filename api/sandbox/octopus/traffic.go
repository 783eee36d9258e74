package octopus

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// TrafficBurst is how many orders background traffic places at start.
const TrafficBurst = 8

func (s *Server) randIntN(n int) int { return s.trafficRng.intN(n) }

// trafficLoop places orders from "other sales channels" at
// TrafficPerMinute. The rate is per real minute: TimeScale speeds up
// fulfilment, not how many orders arrive.
func (s *Server) trafficLoop() {
	defer s.wg.Done()
	mean := float64(time.Minute) / s.cfg.TrafficPerMinute
	// A burst at start, so a fresh dashboard has live orders within seconds.
	for range TrafficBurst {
		s.placeTrafficOrder()
	}
	var end time.Time
	if s.cfg.TrafficFor > 0 {
		end = time.Now().Add(s.cfg.TrafficFor)
	}
	for {
		wait := time.Duration(-math.Log(1-s.trafficRng.float()) * mean)
		if !end.IsZero() && time.Now().Add(wait).After(end) {
			return // quiet from now on: orders still advance
		}
		if !s.sleep(s.ctx, wait) {
			return
		}
		s.placeTrafficOrder()
	}
}

func (s *Server) placeTrafficOrder() { s.placeTraffic(-1) }

// PlaceTraffic places one order of vertical ("voucher", "topup", "esim") as
// background traffic would, without a request: load benchmarks place
// thousands a minute without spending the create limit or a socket each.
func (s *Server) PlaceTraffic(vertical string) error {
	switch vertical {
	case VerticalVoucher:
		return s.placeTraffic(0)
	case VerticalTopup:
		return s.placeTraffic(50)
	case VerticalESIM:
		return s.placeTraffic(80)
	}
	return fmt.Errorf("sandbox: no vertical %q", vertical)
}

// placeTraffic places one order; roll < 0 draws the vertical (50 % vouchers,
// 30 % topups, 20 % eSIMs).
func (s *Server) placeTraffic(roll int) error {
	now := s.now()
	s.mu.Lock()
	for _, w := range s.wallets {
		if w.Amount < initialBalance/10 && !s.incident(IncidentDrainingWallet) {
			s.creditLocked(w, initialBalance, "Sandbox wallet top-up", 0, nil, now, true)
		}
	}
	s.trafficSeq++
	ref := "shop-" + strconv.FormatInt(s.trafficSeq, 10)
	var place func() error
	x := roll
	if x < 0 {
		x = s.randIntN(100)
	}
	switch {
	case x < 50:
		req := s.trafficVoucher(ref)
		place = func() error { _, err := s.createVoucherLocked(req, now); return err }
	case x < 80:
		req := s.trafficTopup(ref)
		place = func() error { _, err := s.createTopupLocked(req, now); return err }
	default:
		req := s.trafficESIM(ref)
		place = func() error { _, err := s.createESIMLocked(req, now); return err }
	}
	err := place()
	if ae, ok := err.(*apiError); ok && ae.Code == "INSUFFICIENT_FUNDS" {
		// Other channels' shops keep their wallets funded: top up, then
		// the same order goes through.
		for _, w := range s.wallets {
			s.creditLocked(w, initialBalance, "Sandbox wallet top-up", 0, nil, now, true)
		}
		err = place()
	}
	s.mu.Unlock()
	s.flush()
	if err != nil {
		s.logf("sandbox: traffic order %s not placed: %v", ref, err)
	}
	return err
}

func (s *Server) trafficVoucher(ref string) createVoucherReq {
	p := voucherProducts[s.randIntN(len(voucherProducts))]
	d := p.AvailableDenominations[s.randIntN(len(p.AvailableDenominations))]
	den := d.MinValue
	if d.MaxValue > d.MinValue {
		den = math.Min(d.MaxValue, d.MinValue+float64(5*s.randIntN(20)))
	}
	qty := 1 + s.randIntN(3)
	switch x := s.randIntN(100); {
	case x < 12:
		qty = 6 + s.randIntN(35)
	case x < 15:
		qty = MagicQtyPartial
	case x < 17:
		qty = MagicQtyPartialThenFull
	case x < 19:
		qty = MagicQtyFailed
	case x < 20:
		ref = MagicCancelPrefix + ref
	}
	id := p.ID
	return createVoucherReq{ProductID: &id, voucherPriceReq: voucherPriceReq{Denomination: &den, Quantity: &qty}, ClientReference: &ref}
}

func (s *Server) trafficTopup(ref string) createTopupReq {
	p := topupProducts[s.randIntN(len(topupProducts))]
	v := p.variants[s.randIntN(len(p.variants))]
	amount := 0.0
	if v.MinAmount != nil {
		amount = *v.MinAmount
	} else {
		amount, _ = strconv.ParseFloat(v.FixedAmounts[0], 64)
	}
	roll := s.randIntN(100)
	input := map[string]any{}
	if p.TopupType == "MOBILE" {
		prefix := "+1"
		for _, c := range countries {
			if c.Alpha3 == p.CountryCode {
				prefix = c.DialingPrefix
			}
		}
		phone := prefix + "9" + s.trafficRng.str(9, digits)
		switch {
		case roll < 5:
			phone = prefix + "9" + "00" + MagicPhoneFailSuffix
		case roll < 8:
			phone = prefix + "9" + "00" + MagicSlowSuffix
		}
		input["phone_number"] = phone
	} else {
		player := "5" + s.trafficRng.str(8, digits)
		switch {
		case roll < 5:
			player = MagicPlayerFail
		case roll < 8:
			player = "12" + MagicSlowSuffix
		case roll < 10:
			player = MagicPlayerInstant
		}
		input["player_id"] = player
	}
	if roll >= 98 {
		ref = MagicCancelPrefix + ref
	}
	id := p.ID
	// The create call takes a category only among Airtime, Data and Bundle
	// (a gaming variant's "In-Game Currency" is not one): send it like a
	// client would, or the sandbox's own traffic fails validation.
	var cat string
	switch v.Category {
	case "Airtime", "Data", "Bundle":
		cat = v.Category
	}
	return createTopupReq{topupPriceReq: topupPriceReq{ProductID: &id, Amount: &amount, Category: cat},
		InputData: input, ClientReference: &ref}
}

func (s *Server) trafficESIM(ref string) createESIMReq {
	regular := []int64{712, 713, 715, 716, 904}
	id := regular[s.randIntN(len(regular))]
	switch x := s.randIntN(100); {
	case x < 10:
		id = ESIMProductNeverInstall
	case x < 15:
		id = ESIMProductSlow
	case x < 18:
		id = ESIMProductFailing
	}
	p := esimProductByID(id)
	amount := p.Variants[s.randIntN(len(p.Variants))].Amount
	return createESIMReq{esimPriceReq: esimPriceReq{ProductID: &id, Amount: &amount}, ClientReference: &ref}
}
