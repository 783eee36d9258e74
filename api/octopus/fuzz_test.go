package octopus

import (
	"net/http"
	"testing"
	"time"

	"github.com/orderwatch/orderwatch/api"
)

// Fuzz targets for every response decoder and the error decoder. Run with
// `go test` they execute their seeds (the contract's examples); with
// `go test -fuzz=FuzzX` they explore. None may panic.

var commonSeeds = []string{
	``, `null`, `[]`, `{}`, `"x"`, `12`, `{"success":true,"data":null}`, `{"success":true,"data":[]}`,
	`{"success":true,"data":{}}`, `{"success":false,"error":{"code":"NOT_FOUND"}}`, `{"data":{"id":1}}`,
	`[{"id":"x"}]`, `{"id":1e400}`, `{"id":-1}`, `[null]`, `{"id":{"a":1}}`, "\xff\xfe", `{"success":true,"data":`,
}

func fuzzDecode[T any](f *testing.F, mapFn func(T), seeds ...string) {
	for _, s := range append(seeds, commonSeeds...) {
		f.Add([]byte(s))
		f.Add([]byte(`{"success":true,"data":` + s + `}`))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v T
		if decodeBody(b, &v) == nil && mapFn != nil {
			mapFn(v)
		}
	})
}

func FuzzDecodeCountries(f *testing.F) {
	fuzzDecode[[]Country](f, nil, `[{"id":1,"name":"United States","official_name":"United States of America","alpha_2":"US","alpha_3":"USA","numeric_code":"840","dialing_prefix":"+1"}]`)
}

func FuzzDecodeCountry(f *testing.F) {
	fuzzDecode[Country](f, nil, `{"id":1,"name":"United States","alpha_2":"US","numeric_code":840}`)
}

func FuzzDecodeCurrencies(f *testing.F) {
	fuzzDecode[[]Currency](f, func(cs []Currency) {
		(&Client{}).rememberCurrencies(cs)
	}, `[{"id":1,"name":"US Dollar","currency":"USD","precision":2},{"id":2,"name":"Euro","currency":"EUR","precision":2}]`)
}

func FuzzDecodeCategories(f *testing.F) {
	fuzzDecode[[]Category](f, nil, `[{"id":1,"name":"Gaming"},{"id":2,"name":"Mobile Top-Ups"}]`, `{"id":1,"name":"Gaming"}`)
}

func FuzzDecodeSubcategories(f *testing.F) {
	fuzzDecode[[]Subcategory](f, nil, `[{"id":1,"name":"Steam"},{"id":2,"name":"PlayStation"}]`)
}

func FuzzDecodeVoucherProducts(f *testing.F) {
	fuzzDecode[[]VoucherProduct](f, func(ps []VoucherProduct) {
		for _, p := range ps {
			p.ToAPI()
		}
	}, `[{"id":77,"name":"Steam $50","category":"Gaming","sub_category":"Steam","country_code":"US","currency_code":"USD","image_url":null,"available_denominations":[{"min_value":50,"max_value":50,"discount":3.5},{"min_value":5,"max_value":500}]}]`)
}

func FuzzDecodeAvailability(f *testing.F) {
	fuzzDecode[Availability](f, nil, `{"is_available":true}`, `{"is_available":"false"}`)
}

func FuzzDecodeCharges(f *testing.F) {
	fuzzDecode[Charges](f, func(c Charges) { c.ToAPI(api.VerticalVoucher, "1") },
		`{"non_discounted_total":250.00,"discount_amount":8.75,"total_amount":241.25,"discount":3.5,"gst_amount":0.00,"total_payable":241.25,"max_quantity":100,"charges_details":{"source_currency":"USD","destination_currency":"USD"}}`,
		`{"non_discounted_total":4.50,"discount_amount":0.225,"total_amount":4.275,"discount":5.0,"total_payable":4.275,"net_amount":282.26,"charges_details":{"source_currency":"GBP","destination_currency":"EUR","forex_rate":1.17,"conversion_fee":0}}`)
}

var orderSeeds = []string{voucherOrderJSON, topupFailedJSON, esimJSON,
	`{"id":1235,"status":"PENDING","amount":5000.00,"discount":175.00,"client_reference":"campaign-q1-0001","vouchers":[]}`,
	`{"id":1,"status":"RECHARGED","input_data":{"phone_number":"+918879685100"},"vouchers":[{"card_number":null}]}`}

func FuzzDecodeOrder(f *testing.F) {
	fuzzDecode[Order](f, func(o Order) {
		for _, v := range []api.Vertical{api.VerticalVoucher, api.VerticalTopup, api.VerticalESIM} {
			a := o.ToAPI(v)
			_ = a.Clone()
			_ = a.StatusLabel()
		}
		_ = o.String()
	}, orderSeeds...)
}

func FuzzDecodeOrders(f *testing.F) {
	seeds := make([]string, 0, len(orderSeeds))
	for _, s := range orderSeeds {
		seeds = append(seeds, "["+s+"]")
	}
	fuzzDecode[[]Order](f, func(os []Order) {
		for _, o := range os {
			o.ToAPI(api.VerticalTopup)
		}
	}, seeds...)
}

func FuzzDecodeTopupProducts(f *testing.F) {
	fuzzDecode[[]TopupProduct](f, func(ps []TopupProduct) {
		for _, p := range ps {
			p.ToAPI()
		}
	}, `[{"id":4218,"name":"PUBG Mobile UC","topup_type":"GAMING","country_code":"GLO","currency_code":"USD","image_url":""},{"id":4219,"name":"Airtel India","topup_type":"MOBILE","country_code":"IND","currency_code":"INR"}]`)
}

func FuzzDecodeTopupProduct(f *testing.F) {
	fuzzDecode[TopupProduct](f, func(p TopupProduct) { p.ToAPI() },
		`{"id":4218,"name":"PUBG Mobile UC","input_fields":[{"name":"player_id","label":"Player ID","required":true},{"name":"server","required":false}]}`,
		`{"id":4218,"input_fields":["player_id","server"]}`,
		`{"id":4219,"input_fields":{"phone_number":{"required":true,"pattern":"^\\+[0-9]+$"}}}`,
		`{"id":4219,"input_fields":{"phone_number":true,"x":"Label","y":3}}`)
}

func FuzzDecodeTopupVariants(f *testing.F) {
	fuzzDecode[[]TopupVariant](f, func(vs []TopupVariant) {
		for _, v := range vs {
			v.ToAPI()
		}
	}, `[{"id":1,"name":"60 UC","category":"In-Game Currency","currency_code":"USD","fixed_amounts":["0.99"],"available_in":[{"code":"GLO","name":"Global"}],"fields":{"par_value":"60","delivery_time":"instant","validity_days":"30"}}]`,
		`[{"id":2,"name":"Airtime","category":"Airtime","currency_code":"INR","min_amount":10,"max_amount":5000}]`)
}

func FuzzDecodeLookup(f *testing.F) {
	fuzzDecode[[]LookupResult](f, nil, `[{"product_id":4219,"name":"Airtel India","country_code":"IND","identified":true}]`)
}

func FuzzDecodeESIMProducts(f *testing.F) {
	fuzzDecode[[]ESIMProduct](f, func(ps []ESIMProduct) {
		for _, p := range ps {
			p.ToAPI()
		}
	}, `[{"id":712,"name":"Japan eSIM","country_code":"JPN","currency_code":"USD"},{"id":904,"name":"Global Roaming","country_code":"GLO"}]`)
}

func FuzzDecodeESIMProduct(f *testing.F) {
	fuzzDecode[ESIMProduct](f, func(p ESIMProduct) { p.ToAPI() },
		`{"id":712,"name":"Japan eSIM","variants":[{"id":5511,"esim_product_id":712,"name":"Japan 1 GB / 7 days","description":"","currency_code":"USD","amount":4.50,"data_amount_gb":1,"validity_days":7,"client_discount":5}]}`)
}

func FuzzDecodeESIMVariants(f *testing.F) {
	fuzzDecode[[]ESIMVariant](f, func(vs []ESIMVariant) {
		for _, v := range vs {
			v.ToAPI()
		}
	}, `[{"id":5511,"esim_product_id":712,"name":"Japan 1 GB / 7 days","amount":4.50,"data_amount_gb":0,"validity_days":7}]`)
}

func FuzzDecodeWallets(f *testing.F) {
	fuzzDecode[[]Wallet](f, nil, `[{"id":1,"currency_id":1,"amount":10000,"type":"PREPAID"},{"id":2,"currency_id":2,"amount":"5.5","type":"POSTPAID"}]`)
}

func FuzzDecodeTransactions(f *testing.F) {
	fuzzDecode[[]Transaction](f, func(ts []Transaction) {
		for _, t := range ts {
			t.ToAPI()
		}
	}, `[{"id":31,"wallet_id":1,"currency_id":1,"amount":50,"transaction_type":"DEBIT","status":"COMPLETED","source_currency":null,"destination_currency":null,"forex_rate":null,"conversion_charges":null,"remarks":"USD Wallet debited by amount 50.00 - Order #12345","created_at":"2026-05-01T12:00:00Z"}]`,
		`[{"id":32,"transaction_type":"CREDIT","source_currency":"EUR","destination_currency":"USD","forex_rate":1.0850,"conversion_charges":2.50}]`)
}

func FuzzDecodeTokens(f *testing.F) {
	fuzzDecode[tokenWire](f, func(w tokenWire) {
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		if s, err := newSession(w, now); err == nil && s.renewAt.After(s.accessExp) && !s.accessExp.Before(now) {
			panic("renewal after expiry")
		}
	}, `{"access_token":"a","refresh_token":"r","access_expires_at":"2026-05-01T13:00:00Z","refresh_expires_at":"2026-05-08T12:00:00Z","client_id":42}`,
		`{"access_token":"a","access_expires_at":"2026-05-01T12:01:00.5Z"}`, `{"access_token":"a","expires_in":"60"}`)
}

func FuzzParseError(f *testing.F) {
	seeds := []struct {
		status int
		retry  string
		body   string
	}{
		{400, "", `{"error":{"name":"ValidationException","code":"VALIDATION_FAILURE","message":"Username and password are required"}}`},
		{400, "", `{"error":{"name":"BadRequestError","code":"BAD_REQUEST","message":"Duplicate client_reference"}}`},
		{400, "", `{"error":{"name":"BadRequestError","code":"INVALID_FEATURE","message":"The requested feature is not enabled for this client"}}`},
		{401, "", `{"error":{"name":"UnauthorizedError","code":"UNAUTHORIZED","message":"Invalid credentials"}}`},
		{403, "", `{"error":{"name":"ForbiddenError","code":"FORBIDDEN","message":"IP address not authorized"}}`},
		{404, "", `{"error":{"name":"NotFoundError","code":"NOT_FOUND","message":"Order not found"}}`},
		{429, "12", `{"error":{"name":"TooManyRequestsError","code":"TOO_MANY_REQUESTS","message":"Rate limit exceeded. Retry after 12 seconds."}}`},
		{429, "Wed, 21 Oct 2015 07:28:00 GMT", `{"error":{"code":"TOO_MANY_REQUESTS","message":"Retry after 99999999999999999999 seconds"}}`},
		{500, "", `{"error":{"name":"InternalServerError","code":"INTERNAL_SERVER_ERROR","message":"Failed to retrieve currencies"}}`},
		{502, "", `<html>Bad Gateway</html>`},
		{503, "-1", ``},
		{400, "", `{"error":"plain"}`},
		{400, "", `{"error":{"code":12,"message":null}}`},
		{0, "NaN", `{"message":"x"}`},
	}
	for _, s := range seeds {
		f.Add(s.status, s.retry, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, retry string, body []byte) {
		h := http.Header{}
		h.Set("Retry-After", retry)
		e := parseError("GET /x", status, h, body, "id", time.Now())
		if e == nil {
			t.Fatal("nil error")
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative retry-after %v", e.RetryAfter)
		}
		_ = e.Error()
		_ = wrappedFailure("GET /x", &response{status: status, header: h, body: body})
	})
}

func FuzzUnwrap(f *testing.F) {
	for _, s := range append(orderSeeds, commonSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = unwrap(b)
		_, _ = DecodeOrder(b, api.VerticalESIM)
		var fs InputFields
		_ = fs.UnmarshalJSON(b)
		var m StringMap
		_ = m.UnmarshalJSON(b)
		var x struct {
			F Float `json:"f"`
			I Int   `json:"i"`
			T Time  `json:"t"`
			B Bool  `json:"b"`
			S Text  `json:"s"`
		}
		_ = decodeBody(b, &x)
	})
}
