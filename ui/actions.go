package ui

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/orderwatch/orderwatch/api"
	"github.com/orderwatch/orderwatch/engine"
	"github.com/orderwatch/orderwatch/ui/theme"
)

// emailCmd attaches a notification email off the UI goroutine. Everything it
// needs is copied into locals first.
func (m *Model) emailCmd(k api.OrderKey, email string) tea.Cmd {
	n := m.opts.Actions
	ctx := m.ctx
	m.flash("attaching " + email + " to " + k.Vertical.Title() + " " + k.ID + "…")
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, err := n.SetNotificationEmail(ctx, k.Vertical, k.ID, email)
		return emailDoneMsg{key: k, email: email, err: err}
	}
}

func (m *Model) emailDone(msg emailDoneMsg) {
	if msg.err != nil {
		m.setError("notification email for " + msg.key.ID + ": " + theme.Clean(msg.err.Error()))
		return
	}
	m.flash("notification email " + msg.email + " attached to " + msg.key.Vertical.Title() + " " + msg.key.ID)
	if m.opts.Controller != nil {
		m.opts.Controller.Refresh(msg.key)
	}
}

// pinDoneMsg says how pinning an order (a journal write) went.
type pinDoneMsg struct {
	key api.OrderKey
	err error
}

// pinCmd pins an order off the UI goroutine: the journal write is a side
// effect, never done inside Update.
func pinCmd(c engine.Controller, k api.OrderKey) tea.Cmd {
	return func() tea.Msg { return pinDoneMsg{key: k, err: c.Pin(k)} }
}

func (m *Model) pinDone(msg pinDoneMsg) {
	if msg.err != nil {
		m.setError("pin " + msg.key.ID + ": " + msg.err.Error())
		return
	}
	m.flash("pinned " + msg.key.Vertical.Title() + " " + msg.key.ID)
}

// exportCmd writes the current tab, as filtered and sorted, to a CSV file.
func (m *Model) exportCmd() tea.Cmd {
	t := m.activeTab()
	if t == nil {
		return nil
	}
	rows := make([]engine.Tracked, len(t.table.index))
	for i, r := range t.table.index {
		rows[i] = r.t
	}
	dir := m.opts.ExportDir
	if dir == "" {
		dir = "."
	}
	now := m.now()
	name := fmt.Sprintf("orderwatch-%s-%s.csv", t.vertical, now.Format("20060102-150405"))
	path := filepath.Join(dir, name)
	reveal := m.reveal
	if reveal {
		m.flash("exporting " + itoa(len(rows)) + " orders WITH CODES AND PINS…")
	} else {
		m.flash("exporting " + itoa(len(rows)) + " orders…")
	}
	return func() tea.Msg {
		err := writeCSVFile(path, rows, reveal)
		return exportDoneMsg{path: path, rows: len(rows), revealed: reveal, err: err}
	}
}

func writeCSVFile(path string, rows []engine.Tracked, reveal bool) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := writeCSV(f, rows, reveal); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeCSV writes orders; voucher codes, PINs and LPA codes only when revealed.
func writeCSV(w io.Writer, rows []engine.Tracked, reveal bool) error {
	cw := csv.NewWriter(w)
	head := []string{"provider", "vertical", "id", "client_reference", "product", "variant", "amount", "currency",
		"quantity", "delivered", "status", "raw_status", "created_at", "completed_at", "last_checked",
		"debited", "refunded", "failure_code", "failure_reason", "user_fixable", "recipient", "email",
		"voucher_count", "iccid", "activation_status", "price_paid", "debit_currency"}
	if reveal {
		head = append(head, "card_numbers", "pins", "claim_urls", "activation_code")
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	// Money as the provider sent it (0.9405 stays 0.9405), never shorter
	// than cents (9.80, not 9.8), like the JSON of orderwatch place.
	f := func(v float64) string {
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if i := strings.IndexByte(s, '.'); i < 0 {
			s += ".00"
		} else if len(s)-i-1 < 2 {
			s += "0"
		}
		return s
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for i := range rows {
		t := &rows[i]
		o := &t.Order
		var iccid, act, lpa string
		if o.ESIM != nil {
			iccid, act, lpa = o.ESIM.ICCID, string(o.ESIM.ActivationStatus), o.ESIM.ActivationCode
		}
		rec := []string{string(o.Provider), string(o.Vertical), o.ID, o.ClientReference, o.ProductName, o.VariantName,
			f(o.Amount), o.Currency, strconv.Itoa(o.Quantity), strconv.Itoa(o.DeliveredQuantity), o.StatusLabel(),
			o.RawStatus, ts(o.CreatedAt), ts(o.CompletedAt), ts(t.LastChecked), f(o.Debited), f(o.Refunded),
			o.FailureCode, o.FailureReason, strconv.FormatBool(o.UserFixable), o.Recipient, o.Email,
			strconv.Itoa(len(o.Vouchers)), iccid, act, f(o.Paid), debitCurrency(o)}
		if reveal {
			var cards, pins, urls []string
			for _, v := range o.Vouchers {
				cards = append(cards, v.CardNumber)
				pins = append(pins, v.PIN)
				urls = append(urls, v.ClaimURL)
			}
			rec = append(rec, strings.Join(cards, " "), strings.Join(pins, " "), strings.Join(urls, " "), lpa)
		}
		for j, s := range rec {
			rec[j] = csvSafe(s)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe stops a provider value from running as a spreadsheet formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
		return "'" + s
	}
	return s
}
