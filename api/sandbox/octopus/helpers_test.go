package octopus

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fast makes every simulated delay 1000× shorter: 10–60 s becomes 10–60 ms.
const fast = 0.001

type client struct {
	t     *testing.T
	s     *Server
	base  string
	token string
	hc    *http.Client
}

// start runs a server on loopback and logs in.
func start(t *testing.T, cfg Config) *client {
	t.Helper()
	if cfg.TimeScale == 0 {
		cfg.TimeScale = fast
	}
	s, err := New(cfg)
	require.NoError(t, err)
	require.NoError(t, s.Start())
	tr := &http.Transport{Proxy: nil}
	c := &client{t: t, s: s, base: s.URL(), hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
	t.Cleanup(func() {
		require.NoError(t, s.Close())
		tr.CloseIdleConnections()
	})
	c.login()
	return c
}

func (c *client) login() {
	c.t.Helper()
	var out struct {
		Success bool
		Data    tokenPair
	}
	code := c.call("POST", "/auth/login", map[string]string{"username": DemoAPIKey, "password": DemoAPISecret}, &out)
	require.Equal(c.t, 200, code)
	c.token = out.Data.AccessToken
}

// do sends a request with the current token and returns the raw response.
func (c *client) do(method, path string, body any) (*http.Response, []byte) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(c.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	require.NoError(c.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, raw
}

// call decodes the JSON reply into out (if not nil) and returns the status.
func (c *client) call(method, path string, body, out any) int {
	c.t.Helper()
	resp, raw := c.do(method, path, body)
	if out != nil && len(raw) > 0 {
		require.NoError(c.t, json.Unmarshal(raw, out), string(raw))
	}
	return resp.StatusCode
}

type errBody struct {
	Error struct{ Name, Code, Message string }
}

// order is the union of the three verticals' order fields the tests read.
type testOrder struct {
	ID                int64
	Status            string
	StatusText        string  `json:"status_text"`
	ClientReference   *string `json:"client_reference"`
	Quantity          int
	DeliveredQuantity int `json:"delivered_quantity"`
	Vouchers          []voucherCode
	Amount            float64
	DeductionAmount   float64    `json:"deduction_amount"`
	TransactionID     int64      `json:"transaction_id"`
	FailureCode       string     `json:"failure_code"`
	FailureReason     string     `json:"failure_reason"`
	IsUserFixable     bool       `json:"is_user_fixable"`
	ActivationStatus  *string    `json:"activation_status"`
	ActivationCode    *string    `json:"activation_code"`
	ICCID             *string    `json:"iccid"`
	IsInstalled       bool       `json:"is_installed"`
	InstalledAt       *time.Time `json:"installed_at"`
	Email             *string
	CompletedAt       *time.Time `json:"completed_at"`
}

// eventually polls the detail endpoint until cond holds.
func (c *client) eventually(path string, cond func(o testOrder) bool) testOrder {
	c.t.Helper()
	var last testOrder
	require.Eventually(c.t, func() bool {
		last = testOrder{}
		require.Equal(c.t, 200, c.call("GET", path, nil, &last))
		return cond(last)
	}, 5*time.Second, 5*time.Millisecond, "last state: %+v", last)
	return last
}

func (c *client) transactions(walletID int) []transaction {
	c.t.Helper()
	var txs []transaction
	require.Equal(c.t, 200, c.call("GET", "/api/v1/transactions?limit=10000&wallet_id="+itoa(walletID), nil, &txs))
	return txs
}

func (c *client) balance(walletID int64) float64 {
	c.t.Helper()
	var w wallet
	require.Equal(c.t, 200, c.call("GET", "/api/v1/wallets/"+itoa(int(walletID)), nil, &w))
	return w.Amount
}

func itoa(n int) string { return jsonNum(n) }

func jsonNum(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
