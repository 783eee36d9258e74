package octopus

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Incidents the sandbox causes on demand (`--sandbox-incident`, MAGIC.md), so
// that every alert of the dashboard can be shown and tested. Each starts
// with StartIncident and ends with StopIncident, which undoes the problem.
const (
	// IncidentStuckBatch places a 404-voucher batch created 15 (simulated)
	// minutes ago that stays PENDING until the incident stops; then it is
	// delivered. Any voucher order of quantity 404 does the same.
	IncidentStuckBatch = "stuck-batch"
	// IncidentFailingOperator makes every topup to Airtel India (product
	// 4219) fail with INVALID_RECIPIENT after 5–30 s, and places five; on
	// stop the operator recovers and ten good topups go through.
	IncidentFailingOperator = "failing-operator"
	// IncidentDrainingWallet drains the USD wallet to 5.00 and keeps traffic
	// from topping it up; on stop it is credited back to 10,000.
	IncidentDrainingWallet = "draining-wallet"
	// IncidentOutage answers every /api/v1 request 500 until it stops.
	IncidentOutage = "outage"
)

// Incidents lists the incident names.
var Incidents = []string{IncidentStuckBatch, IncidentFailingOperator, IncidentDrainingWallet, IncidentOutage}

const (
	// MagicQtyStuck is the voucher quantity that stays PENDING while the
	// stuck-batch incident runs (or 30 minutes, if it never started).
	MagicQtyStuck = 404
	// FailingOperatorProduct is the topup product the failing-operator
	// incident breaks (Airtel India).
	FailingOperatorProduct = 4219
	drainedBalance         = 5.0
)

// StartIncident starts a named incident (see Incidents).
func (s *Server) StartIncident(name string) error {
	now := s.now()
	s.mu.Lock()
	if s.incidents == nil {
		s.incidents = map[string]bool{}
	}
	var err error
	switch name {
	case IncidentStuckBatch:
		s.incidents[name] = true
		ref := s.incidentRef("stuck-batch")
		id, den, qty := int64(1001), 5.0, MagicQtyStuck
		var o *order
		o, err = s.createVoucherLocked(createVoucherReq{ProductID: &id, ClientReference: &ref,
			voucherPriceReq: voucherPriceReq{Denomination: &den, Quantity: &qty}}, now)
		if err == nil {
			// Placed a quarter of an hour ago: the batch is already past the
			// 10-minute horizon when the dashboard opens.
			o.created = now.Add(-s.scaled(15 * time.Minute))
		}
	case IncidentFailingOperator:
		s.incidents[name] = true
		for range 5 {
			if _, err = s.createTopupLocked(s.airtelTopup(s.incidentRef("operator")), now); err != nil {
				break
			}
		}
	case IncidentDrainingWallet:
		s.incidents[name] = true
		if w := s.walletByIDLocked(1); w != nil && w.Amount > drainedBalance {
			s.debitLocked(w, w.Amount-drainedBalance, "Sandbox incident: draining wallet", 0, nil, now)
		}
	case IncidentOutage:
		s.incidents[name] = true
		s.outage.Store(true)
	default:
		err = fmt.Errorf("unknown incident %q (want one of %s)", name, strings.Join(Incidents, ", "))
	}
	s.mu.Unlock()
	s.flush()
	return err
}

// StopIncident ends a named incident and undoes its problem.
func (s *Server) StopIncident(name string) error {
	now := s.now()
	s.mu.Lock()
	var err error
	if !s.incidents[name] {
		err = fmt.Errorf("incident %q is not running", name)
	}
	delete(s.incidents, name)
	if name == IncidentOutage {
		s.outage.Store(false)
	}
	switch {
	case err != nil:
	case name == IncidentStuckBatch:
		for _, o := range s.orders[VerticalVoucher] {
			if o.quantity == MagicQtyStuck && o.cur.Status == "PENDING" {
				o.steps = nil
				s.deliverVoucherLocked(o, now)
			}
		}
	case name == IncidentFailingOperator:
		for range 10 {
			if _, err = s.createTopupLocked(s.airtelTopup(s.incidentRef("operator-ok")), now); err != nil {
				break
			}
		}
	case name == IncidentDrainingWallet:
		if w := s.walletByIDLocked(1); w != nil && w.Amount < initialBalance {
			s.creditLocked(w, initialBalance-w.Amount, "Sandbox incident over: wallet topped up", 0, nil, now, true)
		}
	}
	s.mu.Unlock()
	s.flush()
	return err
}

// incident reports whether an incident runs (under mu).
func (s *Server) incident(name string) bool { return s.incidents[name] }

func (s *Server) incidentRef(what string) string {
	s.trafficSeq++
	return "incident-" + what + "-" + strconv.FormatInt(s.trafficSeq, 10)
}

func (s *Server) airtelTopup(ref string) createTopupReq {
	id, amount := int64(FailingOperatorProduct), 0.0
	p := topupProductByID(id)
	v := p.variants[0]
	if v.MinAmount != nil {
		amount = *v.MinAmount
	} else {
		amount, _ = strconv.ParseFloat(v.FixedAmounts[0], 64)
	}
	phone := "+9198" + s.trafficRng.str(8, digits)
	return createTopupReq{topupPriceReq: topupPriceReq{ProductID: &id, Amount: &amount, Category: v.Category},
		InputData: map[string]any{"phone_number": phone}, ClientReference: &ref}
}
