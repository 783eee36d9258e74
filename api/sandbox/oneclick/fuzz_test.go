package oneclick

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Any body or query on any route answers with the envelope, never a panic,
// and a rejected create changes nothing.
func FuzzHandlers(f *testing.F) {
	for _, s := range []string{
		`{"plan_code":"PREPAID_DJEZZY","MSSIDN":"0778037340","amount":500}`,
		`{"plan_code":"GETMENU_Djezzy","MSSIDN":"0600000003","amount":1e309}`,
		`{"type":"ADSL","number":"099999999","value":500,"ref":""}`,
		`{"productId":"507f1f77bcf86cd799439011","typeId":"TEST_PARTIAL","quantity":4}`,
		`{"productId":["x"],"typeId":{},"quantity":-1}`,
		`[]`, `null`, `{`, ``,
	} {
		for _, p := range []string{"/v3/mobile/send", "/v3/internet/send", "/v3/gift-cards/placeOrder"} {
			f.Add(p, s)
		}
	}
	f.Add("/v3/mobile/list?page=-1&pageSize=1e9&from=x", "")
	f.Add("/v3/internet/check-number?type=ADSL&number=0", "")
	f.Add("/v3/gift-cards/checkOrder/%00", "")
	s, err := New(Config{RatePerMinute: -1, Now: func() time.Time { return time.Date(2025, 10, 29, 0, 0, 0, 0, time.UTC) }})
	require.NoError(f, err)
	h := s.Handler()
	f.Fuzz(func(t *testing.T, path, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		method := "GET"
		if body != "" {
			method = "POST"
		}
		req, err := http.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.RemoteAddr = "127.0.0.1:1234"
		req.Header.Set("X-Access-Token", SandboxAPIKey)
		s.mu.Lock()
		before := s.st.balance
		s.mu.Unlock()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var env struct {
			Success *bool `json:"success"`
		}
		if rec.Code == http.StatusMovedPermanently || rec.Code == http.StatusTemporaryRedirect {
			return // ServeMux path cleaning
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &env), rec.Body.String())
		require.NotNil(t, env.Success)
		if !*env.Success {
			s.mu.Lock()
			assert.Equal(t, before, s.st.balance)
			s.mu.Unlock()
		}
	})
}
