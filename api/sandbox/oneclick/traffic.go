package oneclick

import (
	"fmt"
	"time"
)

// TrafficBurst is how many orders background traffic places at start.
const TrafficBurst = 6

// traffic places orders from "other sales channels" at TrafficPerMinute.
func (s *Server) traffic() {
	defer s.wg.Done()
	every := time.Duration(float64(time.Minute) / s.cfg.TrafficPerMinute)
	every = max(every, time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	// A burst at start, so a fresh dashboard has live orders within seconds.
	s.mu.Lock()
	now := s.cfg.Now()
	for range TrafficBurst {
		s.st.randomOrder(now)
	}
	trs := s.st.flush()
	s.mu.Unlock()
	s.fire(trs)
	var end <-chan time.Time
	if s.cfg.TrafficFor > 0 {
		end = time.After(s.cfg.TrafficFor)
	}
	for {
		select {
		case <-s.done:
			return
		case <-end:
			return // quiet from now on: the ticker still advances orders
		case <-t.C:
			s.mu.Lock()
			now := s.cfg.Now()
			trs := s.st.advance(now)
			s.st.randomOrder(now)
			trs = append(trs, s.st.flush()...)
			s.mu.Unlock()
			s.fire(trs)
		}
	}
}

var trafficPrefixes = []struct {
	prefix, plan string
}{{"077", "PREPAID_DJEZZY"}, {"078", "PREPAID_DJEZZY"}, {"066", "PREPAID_MOBILIS"}, {"069", "PREPAID_MOBILIS"}, {"055", "PREPAID_OOREDOO"}, {"056", "PREPAID_OOREDOO"}}

// PlaceTraffic places one order of vertical ("mobile", "internet",
// "giftcard") as background traffic would, without a request (load
// benchmarks).
func (s *Server) PlaceTraffic(vertical string) error {
	roll := map[string]int{"mobile": 0, "internet": 60, "giftcard": 85}
	x, ok := roll[vertical]
	if !ok {
		return fmt.Errorf("oneclick sandbox: no vertical %q", vertical)
	}
	s.mu.Lock()
	now := s.cfg.Now()
	s.st.placeOrder(now, x)
	trs := s.st.flush()
	s.mu.Unlock()
	s.fire(trs)
	return nil
}

// randomOrder creates one plausible order (under mu), topping the balance
// up first so traffic never drains it.
func (st *state) randomOrder(now time.Time) { st.placeOrder(now, -1) }

// placeOrder creates one order; roll < 0 draws the vertical (60 % mobile, 25 %
// internet, 15 % gift cards).
func (st *state) placeOrder(now time.Time, roll int) {
	rng := st.s.rng
	if st.balance < 10000 {
		st.move("DEPOSIT", InitialBalance, "", "Sandbox deposit", now)
	}
	st.trafficSeq++
	ref := fmt.Sprintf("shop-%d-%d", now.Unix(), st.trafficSeq)
	x := roll
	if x < 0 {
		x = rng.IntN(100)
	}
	switch {
	case x < 60:
		pp := trafficPrefixes[rng.IntN(len(trafficPrefixes))]
		msisdn := fmt.Sprintf("%s%07d", pp.prefix, rng.IntN(1e7))
		switch rng.IntN(20) {
		case 0:
			msisdn = NumberRefund
		case 1:
			msisdn = NumberSuggest
		case 2:
			msisdn = NumberUnknown
		}
		p, _ := findPlan(pp.plan)
		amount := float64(100 * (1 + rng.IntN(20)))
		amount = min(max(amount, p.Min), p.Max)
		st.createMobile(p, msisdn, amount, ref, now)
	case x < 85:
		typ, number := "ADSL", fmt.Sprintf("0%08d", rng.IntN(1e8))
		if rng.IntN(3) == 0 {
			typ, number = "4G", fmt.Sprintf("213%09d", rng.IntN(1e9))
		}
		if rng.IntN(15) == 0 {
			number = ADSLQueued
			typ = "ADSL"
		}
		prods := internetProducts[typ]
		st.createInternet(typ, number, prods[rng.IntN(3)], ref, now)
	default:
		// Random traffic may find nothing to sell; a placed order (roll >= 0)
		// looks on, and its supplier restocks what ran out.
		start := rng.IntN(len(st.catalog))
		for i := range st.catalog {
			p := st.catalog[(start+i)%len(st.catalog)]
			for _, t := range p.types {
				if p.Enabled && roll >= 0 && st.stock[p.ID][t.ID] < 1 {
					st.stock[p.ID][t.ID] = 100
				}
				if p.Enabled && st.stock[p.ID][t.ID] >= 1 {
					st.createGift(p, t, 1, now)
					return
				}
			}
			if roll < 0 {
				return
			}
		}
	}
}
