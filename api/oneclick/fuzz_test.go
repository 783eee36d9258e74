package oneclick

import (
	"net/http"
	"testing"

	"github.com/orderwatch/orderwatch/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every decoder must turn any input into a value or a *api.Error of
// KindDecode — never a panic. The seeds are the contract's examples and run
// as unit tests; `go test -fuzz FuzzX` explores further.

func seed(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(``))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`"x"`))
	f.Add([]byte(`{"_id":{"$oid":1}}`))
}

func checkDecodeErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		var e *api.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, api.KindDecode, e.Kind)
		assert.Equal(t, api.ProviderOneClick, e.Provider)
	}
}

const (
	exMobile   = `{"_id":"6901616fe9e88196b4eb64b0","ref":"order-12345","status":"FULFILLED","plan_code":"PREPAID_DJEZZY","MSSIDN":"0778037340","topup_amount":500,"balance_amount":490,"created_at":"2025-10-29T00:35:59.378Z"}`
	exSuggest  = `{"_id":"6901616fe9e88196b4eb64b1","ref":"API-+213665983439-test-1761698159224-suggest","status":"REFUNDED","plan_code":"PREPAID_DJEZZY","MSSIDN":"0600000002","topup_amount":500,"balance_amount":0,"created_at":"2025-10-29T00:35:59.378Z","refund_message":"هذا الرقم لا يقبل العرض المرسل","suggested_offers":[{"typename":"📋 FACTURE | فاتورة","plan_code":"FACTURE_DJEZZY","amount":500}]}`
	exInternet = `{"_id":"690161a3e9e88196b4eb6545","ref":"API-+213665983439-test-internet-1761698210633","status":"FULFILLED","type":"ADSL","number":"036362608","topup_amount":1000,"created_at":"2025-10-29T00:36:50.633Z","card_code":"123456789012","num_trans":"AT-2025-12345","date_traitement":"2025-10-29T00:37:10.000Z"}`
	exGift     = `{"_id":"6901616fe9e88196b4eb64b3","status":"FULFILLED","quantity":2,"product":"507f1f77bcf86cd799439011","type":"type_001","time":"2025-10-29T00:35:59.378Z","fulfilled_quantity":2,"fulfilled_amount":980,"price_per_card":490,"cards":[{"value":"XXXX-XXXX-XXXX-XXXX","serial":"123456789"},{"value":"YYYY","serial":"2"}]}`
	exGiftH    = `{"_id":"6901616fe9e88196b4eb64b3","status":"HANDLING","quantity":2,"product":"507f1f77bcf86cd799439011","type":"type_001","time":"2025-10-29T00:35:59.378Z"}`
	exSandbox  = `{"_id":"6901616fe9e88196b4eb64b4","quantity":1,"price_per_card":0,"time":"2025-10-29T00:35:59.378Z","fulfilled_quantity":1,"fulfilled_amount":0,"cards":[{"value":"SANDBOX-CARD-1","serial":"SANDBOX-1"}],"status":"FULFILLED","product":"507f1f77bcf86cd799439011","type":"type_001"}`
	exPag      = `"pagination":{"page":1,"pageSize":20,"totalPages":10,"totalResults":195}`
	exTx       = `{"_id":"t1","type":"REFUND-ORDER","operation":"increment","amount":980,"oldBalance":100,"newBalance":1080,"objid":"6901616fe9e88196b4eb64b3","note":"refund","time":"2025-10-29T00:36:09.000Z"}`
)

func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{
		`{"success":false,"error":{"code":"ERR_VALIDATION","message":"body/MSSIDN must match pattern \"^0[567][0-9]{8}$\"","details":{"field":"MSSIDN","value":"778037340"}},"requestId":"req_1730462400_abc123"}`,
		`{"success":false,"error":{"code":"ERR_PHONE","message":"Invalid phone number for ADSL service","details":{"number":"123456","type":"ADSL","reason":"Number does not match required format"}}}`,
		`{"success":false,"error":{"code":"INVALID_ACCESS_TOKEN","message":"The provided access token is invalid","details":{"attemptsLeft":3}}}`,
		`{"success":false,"error":{"code":"INSUFFICIENT_BALANCE","message":"Your balance is insufficient for this operation","details":{"required":"490","available":{}}}}`,
		`{"success":false,"error":{"code":"DUPLICATED_REF","message":"This reference ID is already in use"}}`,
		`{"success":false,"error":{"code":"NOT_FOUND","message":"Top-up with reference 'order-12345' not found"}}`,
		`{"success":false,"error":{"code":"IP_BLOCKED","message":"Your IP has been temporarily blocked due to too many invalid attempts"}}`,
		`{"success":false,"error":"Product out of stock"}`,
		`{"success":false,"error":{"code":12,"message":["x"],"details":"y"}}`,
		`<html>502 Bad Gateway</html>`,
	} {
		for _, st := range []int{200, 400, 401, 403, 404, 429, 500} {
			f.Add(st, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		h := http.Header{"Retry-After": {"7"}}
		r, err := decodeEnvelope("GET /v3/x", status, h, body)
		if status < 200 || status >= 300 {
			var e *api.Error
			require.ErrorAs(t, err, &e, "a non-2xx answer is always an error")
			assert.Equal(t, status, e.HTTPStatus)
			_ = e.Error()
			if status == 429 {
				assert.Equal(t, api.KindRateLimited, e.Kind)
			}
			if status >= 500 {
				assert.Equal(t, api.KindServer, e.Kind)
			}
			return
		}
		if err == nil {
			assert.False(t, isNull(r.Data))
		}
	})
}

func FuzzDecodeEnvelope(f *testing.F) {
	seed(f,
		`{"success":true,"data":{"balance":1326.13,"currency":"DZD"},"meta":{"timestamp":"2025-10-29T00:35:59.454Z"},"requestId":"req_1730462400_abc123"}`,
		`{"success":true,"data":{"username":"+213665983439","apiKey":{"key":"k","isEnabled":true,"type":"SANDBOX","allowedips":[],"scope":"READ-WRITE"}}}`,
		`{"success":true,"data":null}`, `{"success":"yes","data":1}`, `{"data":{"a":1}}`,
	)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodeEnvelope("GET /v3/x", 200, http.Header{}, b)
		if err != nil {
			assert.NotEqual(t, api.KindUnknown, api.KindOf(err))
		}
	})
}

func FuzzDecodeValidate(f *testing.F) {
	seed(f, `{"username":"+213665983439","apiKey":{"key":"ea27b376-9f5c-4b09-883f-1b96cd7b541c","isEnabled":true,"type":"SANDBOX","allowedips":[],"scope":"READ-WRITE"}}`,
		`{"username":1,"apiKey":{"key":"k","isEnabled":"true","allowedips":"x"}}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodeValidate(b)
		checkDecodeErr(t, err)
	})
}

func FuzzDecodeBalance(f *testing.F) {
	seed(f, `{"balance":1326.13}`, `{"balance":1326.13,"currency":"DZD"}`, `{"balance":"12.5"}`, `{"balance":1e400}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodeBalance(b)
		checkDecodeErr(t, err)
	})
}

func FuzzDecodePlans(f *testing.F) {
	seed(f,
		`{"dynamicPlans":[{"code":"PREPAID_DJEZZY","name":"📱 PREPAID | عادي","operator":"Djezzy","cost":0.9925,"isEnabled":true,"min_amount":100,"max_amount":10000},{"code":"GROS_MOBILIS","name":"📱 GROS MOBILIS | جملة","operator":"GMobilis","isEnabled":true,"min_amount":5000,"max_amount":300000}],"fixedPlans":[{"code":"PIXX_500","name":"Pixx 500 DA","operator":"Pixx","cost":0.97,"isEnabled":true,"amount":500}]}`,
		`[{"code":"A","min_amount":1,"max_amount":2},{"code":"B","amount":"500"}]`,
	)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePlans(b)
		checkDecodeErr(t, err)
		for _, pl := range p.All() {
			_ = CheckPlanAmount(pl, 500)
			_ = pl.Price(500)
		}
	})
}

func FuzzDecodeSendResult(f *testing.F) {
	seed(f, `{"topupId":"6901616fe9e88196b4eb64b0","topupRef":"order-12345"}`, `{"topupId":"690161a3e9e88196b4eb6545","topupRef":"x","newBalance":826.13}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeSendResult(b)
		checkDecodeErr(t, err)
		if err == nil {
			assert.NotEmpty(t, r.TopupID)
		}
	})
}

func FuzzDecodeMobileTopup(f *testing.F) {
	seed(f, exMobile, exSuggest)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMobileTopup(b)
		checkDecodeErr(t, err)
		o := m.Order()
		assert.Equal(t, Normalize(m.Status), o.Status)
	})
}

func FuzzDecodeInternetProducts(f *testing.F) {
	seed(f, `{"products":[{"value":500,"cost":490,"available":true},{"value":1000,"cost":980,"available":true},{"value":2000,"cost":1960,"available":true}],"type":"ADSL"}`,
		`[{"value":500,"cost":490,"available":true}]`)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, _, err := decodeInternetProducts(b)
		checkDecodeErr(t, err)
		_ = internetProduct("ADSL", p)
	})
}

func FuzzDecodeNumberCheck(f *testing.F) {
	seed(f, `{"ncli":"11022*****","offre":"FTTc-b_10M'","type":"ADSL"}`, `{"ncli":"11034*****","type":"4GLTE"}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodeNumberCheck(b)
		checkDecodeErr(t, err)
	})
}

func FuzzDecodeInternetTopup(f *testing.F) {
	seed(f, exInternet, `{"_id":"a","status":"QUEUED","type":"ADSL","number":"099999999","topup_amount":500,"created_at":"bad"}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		it, err := decodeInternetTopup(b)
		checkDecodeErr(t, err)
		_ = it.Order()
	})
}

func FuzzDecodeCatalog(f *testing.F) {
	seed(f, `{"categories":[{"name":"Gaming Cards","products":[{"id":"507f1f77bcf86cd799439011","title":"PlayStation Network","enabled":true,"region":"dz"},{"id":"507f1f77bcf86cd799439012","title":"Google Play Gift Card","enabled":true}]},{"name":"Streaming Services","products":[{"id":"507f1f77bcf86cd799439014","title":"Netflix Gift Card","enabled":true}]}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodeCatalog(b, []byte(`{"totalCategories":8,"totalProducts":127}`))
		checkDecodeErr(t, err)
		_, err = decodeCatalog(b, b)
		checkDecodeErr(t, err)
	})
}

func FuzzDecodeGiftProduct(f *testing.F) {
	seed(f, `{"productId":"507f1f77bcf86cd799439011","productTitle":"PlayStation Network","types":[{"id":"type_001","name":"PSN 500 DA","price":490,"quantity":150},{"id":"type_002","name":"PSN 1000 DA","price":980,"quantity":87},{"id":"type_003","name":"PSN 2000 DA","price":1960,"quantity":0}]}`,
		`{"_id":"507f1f77bcf86cd799439011","productTitle":"PSN","types":[{"_id":"type_001","name":"PSN 500 DA","price":490,"quantity":150}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeGiftProduct(b)
		checkDecodeErr(t, err)
		_ = giftProduct(p, DefaultMaxGiftQuantity)
	})
}

func FuzzDecodePlaceOrder(f *testing.F) {
	seed(f, `{"orderId":"6901616fe9e88196b4eb64b3"}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodePlaceOrder(b)
		checkDecodeErr(t, err)
	})
}

func FuzzDecodeGiftOrder(f *testing.F) {
	seed(f, exGift, exGiftH, exSandbox, `{"_id":"x","status":"PARTIALLY_FILLED","quantity":4,"fulfilled_quantity":9,"price_per_card":490,"cards":[]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := decodeGiftOrder(b)
		checkDecodeErr(t, err)
		o := g.Order()
		assert.GreaterOrEqual(t, o.Refunded, 0.0, "a refund is never negative")
		assert.Len(t, o.Vouchers, len(g.Cards))
	})
}

func FuzzDecodeLists(f *testing.F) {
	seed(f,
		`{"items":[`+exMobile+`,`+exSuggest+`],`+exPag+`}`,
		`{"topups":[`+exInternet+`],`+exPag+`}`,
		`{"items":[`+exGift+`,`+exSandbox+`]}`,
		`[`+exMobile+`]`,
		`{"items":[`+exTx+`],`+exPag+`}`,
		`{"items":{},"pagination":"x"}`,
	)
	meta := []byte(`{"timestamp":"2025-10-29T00:35:59.454Z",` + exPag + `}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range [][]byte{nil, meta, b} {
			ms, p, err := decodeMobileList(b, m)
			checkDecodeErr(t, err)
			assert.Equal(t, len(ms), p.Size)
			_, _, err = decodeInternetList(b, m)
			checkDecodeErr(t, err)
			_, _, err = decodeGiftList(b, m)
			checkDecodeErr(t, err)
			txs, _, err := decodeTransactions(b, m)
			checkDecodeErr(t, err)
			for _, tx := range txs {
				assert.GreaterOrEqual(t, tx.Transaction().Amount, 0.0)
			}
		}
	})
}
