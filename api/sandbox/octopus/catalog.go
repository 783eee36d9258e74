package octopus

import (
	"net/http"
	"strconv"
	"strings"
)

// --- reference data ----------------------------------------------------------

type country struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	OfficialName  string `json:"official_name"`
	Alpha2        string `json:"alpha_2"`
	Alpha3        string `json:"alpha_3"`
	NumericCode   string `json:"numeric_code"`
	DialingPrefix string `json:"dialing_prefix"`
}

var countries = []country{
	{1, "United States", "United States of America", "US", "USA", "840", "+1"},
	{2, "India", "Republic of India", "IN", "IND", "356", "+91"},
	{3, "Japan", "Japan", "JP", "JPN", "392", "+81"},
	{4, "United Kingdom", "United Kingdom of Great Britain and Northern Ireland", "GB", "GBR", "826", "+44"},
	{5, "Germany", "Federal Republic of Germany", "DE", "DEU", "276", "+49"},
	{6, "France", "French Republic", "FR", "FRA", "250", "+33"},
	{7, "Spain", "Kingdom of Spain", "ES", "ESP", "724", "+34"},
	{8, "Italy", "Italian Republic", "IT", "ITA", "380", "+39"},
	{9, "Canada", "Canada", "CA", "CAN", "124", "+1"},
	{10, "Australia", "Commonwealth of Australia", "AU", "AUS", "036", "+61"},
	{11, "Algeria", "People's Democratic Republic of Algeria", "DZ", "DZA", "012", "+213"},
	{12, "Brazil", "Federative Republic of Brazil", "BR", "BRA", "076", "+55"},
}

type currency struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Currency  string `json:"currency"`
	Precision int    `json:"precision"`
}

var currencies = []currency{
	{1, "US Dollar", "USD", 2},
	{2, "Euro", "EUR", 2},
	{3, "Pound Sterling", "GBP", 2},
	{4, "Indian Rupee", "INR", 2},
	{5, "Japanese Yen", "JPY", 0},
	{6, "Canadian Dollar", "CAD", 2},
	{7, "Australian Dollar", "AUD", 2},
}

func currencyByCode(code string) (currency, bool) {
	for _, c := range currencies {
		if c.Currency == code {
			return c, true
		}
	}
	return currency{}, false
}

type named struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

var categories = []named{
	{1, "Gaming"}, {2, "Mobile Top-Ups"}, {3, "Shopping"}, {4, "Entertainment"}, {5, "Food"}, {6, "Travel"},
}

var subcategories = []named{
	{1, "Steam"}, {2, "PlayStation"}, {3, "Xbox"}, {4, "Nintendo"}, {5, "Roblox"}, {6, "Razer"},
	{7, "Google Play"}, {8, "Amazon"}, {9, "Retail"}, {10, "Fashion"}, {11, "Streaming"}, {12, "Music"},
	{13, "Food Delivery"}, {14, "Coffee"}, {15, "Stays"}, {16, "Rides"},
}

// find returns the item with the id, in place, or nil.
func find[T any](items []T, id int64, idOf func(*T) int64) *T {
	for i := range items {
		if idOf(&items[i]) == id {
			return &items[i]
		}
	}
	return nil
}

func byID[T any](items []T, id func(T) int64, r *http.Request, what string) (*reply, error) {
	return okFound(fromPath(r, what, func(n int64) *T {
		return find(items, n, func(it *T) int64 { return id(*it) })
	}))
}

// notFound is the 404 for a missing path item: product → "Product not found".
func notFound(what string) *apiError {
	return errNotFound(strings.ToUpper(what[:1]) + what[1:] + " not found")
}

// okFound answers a lookup's item, or its error.
func okFound[T any](it *T, err error) (*reply, error) {
	if err != nil {
		return nil, err
	}
	return ok(it)
}

// fromPath finds the item whose id is path parameter what.
func fromPath[T any](r *http.Request, what string, find func(int64) *T) (*T, error) {
	n, err := pathID(r, what)
	if err != nil {
		return nil, err
	}
	if it := find(n); it != nil {
		return it, nil
	}
	return nil, notFound(what)
}

func namedID(n named) int64 { return n.ID }

func (s *Server) handleCountries(*http.Request) (*reply, error) { return ok(countries) }
func (s *Server) handleCountry(r *http.Request) (*reply, error) {
	return byID(countries, func(c country) int64 { return c.ID }, r, "country")
}
func (s *Server) handleCurrencies(*http.Request) (*reply, error) { return ok(currencies) }
func (s *Server) handleCurrency(r *http.Request) (*reply, error) {
	return byID(currencies, func(c currency) int64 { return c.ID }, r, "currency")
}
func (s *Server) handleCategories(*http.Request) (*reply, error) { return ok(categories) }
func (s *Server) handleCategory(r *http.Request) (*reply, error) {
	return byID(categories, namedID, r, "category")
}
func (s *Server) handleSubcategories(*http.Request) (*reply, error) { return ok(subcategories) }
func (s *Server) handleSubcategory(r *http.Request) (*reply, error) {
	return byID(subcategories, namedID, r, "subcategory")
}

// --- voucher catalogue -----------------------------------------------------------

type denomination struct {
	MinValue float64 `json:"min_value"`
	MaxValue float64 `json:"max_value"`
	Discount float64 `json:"discount"`
}

type voucherProduct struct {
	ID                     int64          `json:"id"`
	Name                   string         `json:"name"`
	Category               string         `json:"category"`
	SubCategory            string         `json:"sub_category,omitempty"`
	CountryCode            string         `json:"country_code"`
	CurrencyCode           string         `json:"currency_code"`
	ImageURL               string         `json:"image_url,omitempty"`
	DeliveryMode           string         `json:"delivery_mode,omitempty"`
	DeliveryTime           string         `json:"delivery_time,omitempty"`
	Validity               string         `json:"validity,omitempty"`
	AvailableDenominations []denomination `json:"available_denominations"`
}

// Maximum voucher quantity per order (client bulk limit = the absolute cap).
const maxVoucherQuantity = 5000

func fixed(discount float64, values ...float64) []denomination {
	out := make([]denomination, len(values))
	for i, v := range values {
		out[i] = denomination{v, v, discount}
	}
	return out
}

func ranged(lo, hi, discount float64) []denomination { return []denomination{{lo, hi, discount}} }

func vp(id int64, name, cat, sub, country, cur string, d []denomination) voucherProduct {
	return voucherProduct{
		ID: id, Name: name, Category: cat, SubCategory: sub, CountryCode: country, CurrencyCode: cur,
		ImageURL:     "https://img.sandbox.octopuscards.invalid/products/" + strconv.FormatInt(id, 10) + ".png",
		DeliveryMode: "Instant", DeliveryTime: "Instant", Validity: "12 months",
		AvailableDenominations: d,
	}
}

var voucherProducts = []voucherProduct{
	vp(1001, "Steam Wallet USD", "Gaming", "Steam", "USA", "USD", fixed(3.5, 5, 10, 20, 50, 100)),
	vp(1002, "Steam Wallet EUR", "Gaming", "Steam", "DEU", "EUR", fixed(3.0, 5, 10, 20, 50, 100)),
	vp(1003, "PlayStation Store USD", "Gaming", "PlayStation", "USA", "USD", fixed(2.5, 10, 25, 50, 100)),
	vp(1004, "PlayStation Store GBP", "Gaming", "PlayStation", "GBR", "GBP", fixed(2.5, 5, 10, 20, 50)),
	vp(1005, "Xbox Gift Card USD", "Gaming", "Xbox", "USA", "USD", fixed(3.0, 10, 15, 25, 50)),
	vp(1006, "Nintendo eShop USD", "Gaming", "Nintendo", "USA", "USD", fixed(2.0, 10, 20, 35, 50)),
	vp(1007, "Nintendo eShop EUR", "Gaming", "Nintendo", "FRA", "EUR", fixed(2.0, 15, 25, 50)),
	vp(1008, "Roblox Gift Card", "Gaming", "Roblox", "USA", "USD", fixed(4.0, 10, 25, 50)),
	vp(1009, "Razer Gold USD", "Gaming", "Razer", "USA", "USD", ranged(5, 500, 1.5)),
	vp(1010, "Google Play USD", "Gaming", "Google Play", "USA", "USD", ranged(10, 200, 2.0)),
	vp(1011, "Google Play INR", "Gaming", "Google Play", "IND", "INR", ranged(100, 5000, 1.0)),
	vp(1101, "Amazon.com Gift Card", "Shopping", "Amazon", "USA", "USD", ranged(1, 2000, 2.0)),
	vp(1102, "Amazon.co.uk Gift Card", "Shopping", "Amazon", "GBR", "GBP", ranged(1, 1000, 2.0)),
	vp(1103, "Amazon.de Gutschein", "Shopping", "Amazon", "DEU", "EUR", ranged(1, 1000, 2.0)),
	vp(1104, "Walmart Gift Card", "Shopping", "Retail", "USA", "USD", fixed(1.5, 25, 50, 100)),
	vp(1105, "Target GiftCard", "Shopping", "Retail", "USA", "USD", fixed(1.5, 25, 50, 100)),
	vp(1106, "IKEA Gift Card", "Shopping", "Retail", "FRA", "EUR", fixed(2.0, 25, 50, 100)),
	vp(1107, "Zalando Gift Card", "Shopping", "Fashion", "DEU", "EUR", fixed(3.0, 20, 50, 100)),
	vp(1108, "Flipkart Gift Card", "Shopping", "Retail", "IND", "INR", ranged(100, 10000, 1.0)),
	vp(1201, "Netflix USD", "Entertainment", "Streaming", "USA", "USD", fixed(2.0, 25, 50, 100)),
	vp(1202, "Netflix EUR", "Entertainment", "Streaming", "ESP", "EUR", fixed(2.0, 15, 25, 50)),
	vp(1203, "Spotify Premium USD", "Entertainment", "Music", "USA", "USD", fixed(2.5, 10, 30, 60)),
	vp(1204, "Spotify Premium EUR", "Entertainment", "Music", "ITA", "EUR", fixed(2.5, 10, 30, 60)),
	vp(1205, "Disney+ Gift Card", "Entertainment", "Streaming", "USA", "USD", fixed(2.0, 25, 50)),
	vp(1206, "Hulu Gift Card", "Entertainment", "Streaming", "USA", "USD", fixed(2.0, 25, 50)),
	vp(1301, "Uber Eats USD", "Food", "Food Delivery", "USA", "USD", ranged(15, 500, 2.0)),
	vp(1302, "DoorDash Gift Card", "Food", "Food Delivery", "USA", "USD", fixed(2.0, 15, 25, 50, 100)),
	vp(1303, "Starbucks Card", "Food", "Coffee", "USA", "USD", ranged(5, 500, 3.0)),
	vp(1304, "Deliveroo Gift Card", "Food", "Food Delivery", "GBR", "GBP", fixed(2.0, 10, 25, 50)),
	vp(1305, "Just Eat Voucher", "Food", "Food Delivery", "ESP", "EUR", fixed(2.0, 10, 25, 50)),
	vp(1401, "Airbnb Gift Card", "Travel", "Stays", "USA", "USD", ranged(25, 2000, 1.0)),
	vp(1402, "Uber Rides USD", "Travel", "Rides", "USA", "USD", ranged(15, 500, 2.0)),
	vp(1403, "Hotels.com Voucher", "Travel", "Stays", "FRA", "EUR", fixed(1.5, 50, 100, 250)),
	vp(1404, "Rakuten Travel JPY", "Travel", "Stays", "JPN", "JPY", fixed(1.0, 5000, 10000)),
	vp(1405, "Canada Air Credit", "Travel", "Rides", "CAN", "CAD", fixed(1.0, 50, 100)),
	vp(1406, "Qantas Gift Card", "Travel", "Rides", "AUS", "AUD", fixed(1.0, 50, 100)),
}

func voucherProductByID(id int64) *voucherProduct {
	return find(voucherProducts, id, func(p *voucherProduct) int64 { return p.ID })
}

// findDenomination returns the denomination range containing v.
func (p *voucherProduct) findDenomination(v float64) (denomination, bool) {
	for _, d := range p.AvailableDenominations {
		if v >= d.MinValue-1e-9 && v <= d.MaxValue+1e-9 {
			return d, true
		}
	}
	return denomination{}, false
}

func (s *Server) handleProducts(r *http.Request) (*reply, error) {
	q := r.URL.Query()
	page, per, err := parsePage(q, "limit", 50, 10000)
	if err != nil {
		return nil, err
	}
	countryCode := ""
	if v := q.Get("country_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 || id > 2147483647 {
			return nil, errBadRequest("Invalid country ID")
		}
		for _, c := range countries {
			if c.ID == id {
				countryCode = c.Alpha3
			}
		}
		if countryCode == "" {
			return paginate([]voucherProduct{}, page, per), nil
		}
	}
	curCode := ""
	if id, set, err := optInt(q, "currency_id"); err != nil {
		return nil, err
	} else if set {
		for _, c := range currencies {
			if c.ID == id {
				curCode = c.Currency
			}
		}
		if curCode == "" {
			return paginate([]voucherProduct{}, page, per), nil
		}
	}
	cat, search := q.Get("category"), strings.ToLower(q.Get("search"))
	out := []voucherProduct{}
	for _, p := range voucherProducts {
		if (countryCode != "" && p.CountryCode != countryCode) ||
			(curCode != "" && p.CurrencyCode != curCode) ||
			(cat != "" && !strings.EqualFold(p.Category, cat)) ||
			(search != "" && !strings.Contains(strings.ToLower(p.Name), search)) {
			continue
		}
		out = append(out, p)
	}
	return paginate(out, page, per), nil
}

func (s *Server) handleProduct(r *http.Request) (*reply, error) {
	return okFound(fromPath(r, "product", voucherProductByID))
}

func (s *Server) handleAvailability(r *http.Request) (*reply, error) {
	id, err := pathID(r, "product")
	if err != nil {
		return nil, err
	}
	var body struct {
		Denomination *float64 `json:"denomination"`
		Quantity     *int     `json:"quantity"`
	}
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	if body.Denomination == nil || *body.Denomination <= 0 || body.Quantity == nil || *body.Quantity < 1 {
		return nil, errValidation("denomination and quantity must be positive")
	}
	p := voucherProductByID(id)
	if p == nil {
		return nil, errNotFound("Product not found")
	}
	_, inRange := p.findDenomination(*body.Denomination)
	return ok(map[string]bool{"is_available": inRange && *body.Quantity <= maxVoucherQuantity})
}

// --- topup catalogue ---------------------------------------------------------------

// inputField describes one allowed key of a topup order's input_data.
// Shape chosen by the sandbox (contract §9.2 #6): {name, label, type,
// required, pattern?, options?}; pattern is a Go/RE2 regular expression.
type inputField struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Pattern  string   `json:"pattern,omitempty"`
	Options  []string `json:"options,omitempty"`
}

type region struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type topupVariant struct {
	ID           int64             `json:"id"`
	ProductID    int64             `json:"product_id"`
	Name         string            `json:"name"`
	Category     string            `json:"category"`
	CurrencyCode string            `json:"currency_code"`
	MinAmount    *float64          `json:"min_amount,omitempty"`
	MaxAmount    *float64          `json:"max_amount,omitempty"`
	FixedAmounts []string          `json:"fixed_amounts"`
	AvailableIn  []region          `json:"available_in"`
	Fields       map[string]string `json:"fields"`
	discount     float64
}

type topupProduct struct {
	ID           int64        `json:"id"`
	Name         string       `json:"name"`
	TopupType    string       `json:"topup_type"`
	CountryCode  string       `json:"country_code"`
	CurrencyCode string       `json:"currency_code"`
	ImageURL     string       `json:"image_url"`
	InputFields  []inputField `json:"input_fields,omitempty"`
	variants     []topupVariant
}

var (
	playerFields = []inputField{
		{Name: "player_id", Label: "Player ID", Type: "string", Required: true, Pattern: `^[0-9]{5,12}$`},
		{Name: "server", Label: "Server", Type: "string", Required: false, Options: []string{"asia", "europe", "americas"}},
	}
	phoneFields = []inputField{
		{Name: "phone_number", Label: "Phone number (E.164)", Type: "string", Required: true, Pattern: `^\+[1-9][0-9]{7,14}$`},
	}
)

func fp(v float64) *float64 { return &v }

func tpFixed(id, pid int64, name, cat, cur, where string, amount string, disc float64) topupVariant {
	return topupVariant{ID: id, ProductID: pid, Name: name, Category: cat, CurrencyCode: cur, FixedAmounts: []string{amount},
		AvailableIn: []region{regionOf(where)}, discount: disc,
		Fields: map[string]string{"par_value": amount, "delivery_time": "Instant", "validity_days": "0"}}
}

func tpRange(id, pid int64, name, cat, cur, where string, lo, hi, disc float64) topupVariant {
	return topupVariant{ID: id, ProductID: pid, Name: name, Category: cat, CurrencyCode: cur, MinAmount: fp(lo), MaxAmount: fp(hi),
		FixedAmounts: []string{}, AvailableIn: []region{regionOf(where)}, discount: disc,
		Fields: map[string]string{"delivery_time": "Instant", "validity_days": "30"}}
}

func regionOf(code string) region {
	if code == "GLO" {
		return region{"GLO", "Global"}
	}
	for _, c := range countries {
		if c.Alpha3 == code {
			return region{code, c.Name}
		}
	}
	return region{code, code}
}

func tp(id int64, name, typ, country, cur string, v ...topupVariant) topupProduct {
	fields := playerFields
	if typ == "MOBILE" {
		fields = phoneFields
	}
	return topupProduct{ID: id, Name: name, TopupType: typ, CountryCode: country, CurrencyCode: cur,
		ImageURL:    "https://img.sandbox.octopuscards.invalid/topups/" + strconv.FormatInt(id, 10) + ".png",
		InputFields: fields, variants: v}
}

var topupProducts = []topupProduct{
	tp(4218, "PUBG Mobile UC", "GAMING", "GLO", "USD",
		tpFixed(88001, 4218, "PUBG Mobile 60 UC", "In-Game Currency", "USD", "GLO", "0.99", 5),
		tpFixed(88002, 4218, "PUBG Mobile 325 UC", "In-Game Currency", "USD", "GLO", "4.99", 5),
		tpFixed(88003, 4218, "PUBG Mobile 660 UC", "In-Game Currency", "USD", "GLO", "9.99", 5),
		tpFixed(88004, 4218, "PUBG Mobile 1800 UC", "In-Game Currency", "USD", "GLO", "24.99", 5)),
	tp(4219, "Airtel India", "MOBILE", "IND", "INR",
		tpRange(88101, 4219, "Airtel Airtime", "Airtime", "INR", "IND", 10, 5000, 3),
		tpFixed(88102, 4219, "Airtel 1.5 GB/day 28 days", "Data", "INR", "IND", "299", 3),
		tpFixed(88103, 4219, "Airtel 2 GB/day 56 days", "Data", "INR", "IND", "479", 3),
		tpFixed(88104, 4219, "Airtel Unlimited + 2 GB/day 84 days", "Bundle", "INR", "IND", "839", 3)),
	tp(4220, "Free Fire Diamonds", "GAMING", "GLO", "USD",
		tpFixed(88201, 4220, "Free Fire 100 Diamonds", "In-Game Currency", "USD", "GLO", "0.99", 4),
		tpFixed(88202, 4220, "Free Fire 520 Diamonds", "In-Game Currency", "USD", "GLO", "4.99", 4)),
	tp(4221, "Mobile Legends Diamonds", "GAMING", "GLO", "USD",
		tpFixed(88301, 4221, "Mobile Legends 86 Diamonds", "In-Game Currency", "USD", "GLO", "1.49", 4),
		tpFixed(88302, 4221, "Mobile Legends 172 Diamonds", "In-Game Currency", "USD", "GLO", "2.99", 4)),
	tp(4222, "Vodafone UK", "MOBILE", "GBR", "GBP",
		tpRange(88401, 4222, "Vodafone UK Airtime", "Airtime", "GBP", "GBR", 5, 50, 2),
		tpFixed(88402, 4222, "Vodafone UK 10 GB", "Data", "GBP", "GBR", "10", 2),
		tpFixed(88403, 4222, "Vodafone UK 30 GB", "Data", "GBP", "GBR", "20", 2)),
	tp(4223, "T-Mobile US", "MOBILE", "USA", "USD",
		tpRange(88501, 4223, "T-Mobile Airtime", "Airtime", "USD", "USA", 10, 100, 2)),
	tp(4224, "Genshin Impact Genesis Crystals", "GAMING", "GLO", "USD",
		tpFixed(88601, 4224, "Genshin 60 Genesis Crystals", "In-Game Currency", "USD", "GLO", "0.99", 5),
		tpFixed(88602, 4224, "Genshin 300+30 Genesis Crystals", "In-Game Currency", "USD", "GLO", "4.99", 5)),
	tp(4225, "Jio India", "MOBILE", "IND", "INR",
		tpRange(88701, 4225, "Jio Airtime", "Airtime", "INR", "IND", 10, 5000, 3),
		tpFixed(88702, 4225, "Jio 2 GB/day 28 days", "Data", "INR", "IND", "299", 3)),
}

func topupProductByID(id int64) *topupProduct {
	return find(topupProducts, id, func(p *topupProduct) int64 { return p.ID })
}

func topupVariantByID(id int64) *topupVariant {
	for i := range topupProducts {
		if v := find(topupProducts[i].variants, id, func(v *topupVariant) int64 { return v.ID }); v != nil {
			return v
		}
	}
	return nil
}

// matches reports whether amount selects this variant.
func (v *topupVariant) matches(amount float64) bool {
	if v.MinAmount != nil && v.MaxAmount != nil {
		return amount >= *v.MinAmount-1e-9 && amount <= *v.MaxAmount+1e-9
	}
	for _, a := range v.FixedAmounts {
		if f, err := strconv.ParseFloat(a, 64); err == nil && abs(f-amount) < 1e-9 {
			return true
		}
	}
	return false
}

// pickVariant chooses the variant from (amount, category): an exact fixed
// amount wins over an open range.
func (p *topupProduct) pickVariant(amount float64, category string) *topupVariant {
	var ranged *topupVariant
	for i := range p.variants {
		v := &p.variants[i]
		if category != "" && !strings.EqualFold(v.Category, category) {
			continue
		}
		if !v.matches(amount) {
			continue
		}
		if v.MinAmount == nil {
			return v
		}
		if ranged == nil {
			ranged = v
		}
	}
	return ranged
}

type topupProductItem struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	TopupType    string `json:"topup_type"`
	CountryCode  string `json:"country_code"`
	CurrencyCode string `json:"currency_code"`
	ImageURL     string `json:"image_url"`
}

func (s *Server) handleTopupProducts(r *http.Request) (*reply, error) {
	q := r.URL.Query()
	page, per, err := parsePage(q, "per_page", 50, 500)
	if err != nil {
		return nil, err
	}
	typ, search := q.Get("type"), strings.ToLower(q.Get("search"))
	out := []topupProductItem{}
	for _, p := range topupProducts {
		if (typ != "" && !strings.EqualFold(p.TopupType, typ)) ||
			(search != "" && !strings.Contains(strings.ToLower(p.Name), search)) {
			continue
		}
		out = append(out, topupProductItem{p.ID, p.Name, p.TopupType, p.CountryCode, p.CurrencyCode, p.ImageURL})
	}
	return paginate(out, page, per), nil
}

func (s *Server) handleTopupProduct(r *http.Request) (*reply, error) {
	return okFound(fromPath(r, "product", topupProductByID))
}

func (s *Server) handleTopupVariants(r *http.Request) (*reply, error) {
	p, err := fromPath(r, "product", topupProductByID)
	if err != nil {
		return nil, err
	}
	return ok(p.variants)
}

func (s *Server) handleTopupVariant(r *http.Request) (*reply, error) {
	return okFound(fromPath(r, "variant", topupVariantByID))
}

func (s *Server) handleTopupLookup(r *http.Request) (*reply, error) {
	var body struct {
		MobileNumber string `json:"mobile_number"`
	}
	if err := decode(r, &body); err != nil {
		return nil, err
	}
	if body.MobileNumber == "" {
		return nil, errValidation("mobile_number is required")
	}
	if !e164.MatchString(body.MobileNumber) {
		return nil, errValidation("mobile_number must be in E.164 format")
	}
	type hit struct {
		ProductID   int64  `json:"product_id"`
		Name        string `json:"name"`
		CountryCode string `json:"country_code"`
		Identified  bool   `json:"identified"`
	}
	out := []hit{}
	for _, p := range topupProducts {
		if p.TopupType != "MOBILE" {
			continue
		}
		for _, c := range countries {
			if c.Alpha3 == p.CountryCode && strings.HasPrefix(body.MobileNumber, c.DialingPrefix) {
				out = append(out, hit{p.ID, p.Name, p.CountryCode, len(out) == 0})
			}
		}
	}
	return ok(out)
}

// --- eSIM catalogue ----------------------------------------------------------------

type esimVariant struct {
	ID             int64   `json:"id"`
	ESIMProductID  int64   `json:"esim_product_id"`
	Name           string  `json:"name"`
	Description    string  `json:"description"`
	CurrencyCode   string  `json:"currency_code"`
	Amount         float64 `json:"amount"`
	DataAmountGB   float64 `json:"data_amount_gb"`
	ValidityDays   int     `json:"validity_days"`
	ClientDiscount float64 `json:"client_discount"`
}

type esimProduct struct {
	ID           int64         `json:"id"`
	Name         string        `json:"name"`
	CountryCode  string        `json:"country_code"`
	CurrencyCode string        `json:"currency_code"`
	ImageURL     string        `json:"image_url"`
	Variants     []esimVariant `json:"variants,omitempty"`
}

// Magic eSIM products (see MAGIC.md).
const (
	ESIMProductFailing      = 997 // FAILED inside the request, refunded
	ESIMProductNeverInstall = 998 // DELIVERED, never installed
	ESIMProductSlow         = 999 // fulfilment takes 2–4 minutes: the create call returns PENDING
)

func ev(id, pid int64, name, cur string, amount, gb float64, days int) esimVariant {
	desc := strconv.FormatFloat(gb, 'f', -1, 64) + " GB of data"
	if gb == 0 {
		desc = "Unlimited data"
	}
	return esimVariant{ID: id, ESIMProductID: pid, Name: name, Description: desc + ", valid " + strconv.Itoa(days) + " days from activation",
		CurrencyCode: cur, Amount: amount, DataAmountGB: gb, ValidityDays: days, ClientDiscount: 5.0}
}

func ep(id int64, name, country, cur string, v ...esimVariant) esimProduct {
	return esimProduct{ID: id, Name: name, CountryCode: country, CurrencyCode: cur,
		ImageURL: "https://img.sandbox.octopuscards.invalid/esim/" + strconv.FormatInt(id, 10) + ".png", Variants: v}
}

var esimProducts = []esimProduct{
	ep(712, "Japan eSIM", "JPN", "USD",
		ev(5511, 712, "Japan 1 GB / 7 days", "USD", 4.50, 1, 7),
		ev(5512, 712, "Japan 3 GB / 15 days", "USD", 9.00, 3, 15),
		ev(5513, 712, "Japan Unlimited / 5 days", "USD", 19.00, 0, 5)),
	ep(713, "United States eSIM", "USA", "USD",
		ev(5521, 713, "USA 2 GB / 7 days", "USD", 6.00, 2, 7),
		ev(5522, 713, "USA 10 GB / 30 days", "USD", 20.00, 10, 30)),
	ep(715, "France eSIM", "FRA", "EUR",
		ev(5531, 715, "France 3 GB / 15 days", "EUR", 7.50, 3, 15)),
	ep(716, "United Kingdom eSIM", "GBR", "GBP",
		ev(5541, 716, "UK 5 GB / 30 days", "GBP", 12.00, 5, 30)),
	ep(904, "Global Roaming", "GLO", "USD",
		ev(5601, 904, "Global 1 GB / 7 days", "USD", 9.00, 1, 7),
		ev(5602, 904, "Global 5 GB / 30 days", "USD", 35.00, 5, 30)),
	ep(ESIMProductFailing, "Sandbox Failing eSIM", "GLO", "USD",
		ev(5971, ESIMProductFailing, "Failing 1 GB / 1 day", "USD", 1.00, 1, 1)),
	ep(ESIMProductNeverInstall, "Sandbox Never-Installed eSIM", "GLO", "USD",
		ev(5981, ESIMProductNeverInstall, "Never installed 1 GB / 1 day", "USD", 1.00, 1, 1)),
	ep(ESIMProductSlow, "Sandbox Slow eSIM", "GLO", "USD",
		ev(5991, ESIMProductSlow, "Slow 1 GB / 1 day", "USD", 1.00, 1, 1)),
}

func esimProductByID(id int64) *esimProduct {
	return find(esimProducts, id, func(p *esimProduct) int64 { return p.ID })
}

func esimVariantByID(id int64) *esimVariant {
	for i := range esimProducts {
		if v := find(esimProducts[i].Variants, id, func(v *esimVariant) int64 { return v.ID }); v != nil {
			return v
		}
	}
	return nil
}

func (p *esimProduct) variantFor(amount float64) *esimVariant {
	for i := range p.Variants {
		if abs(p.Variants[i].Amount-amount) < 1e-9 {
			return &p.Variants[i]
		}
	}
	return nil
}

func (s *Server) handleESIMProducts(r *http.Request) (*reply, error) {
	q := r.URL.Query()
	page, per, err := parsePage(q, "per_page", 50, 500)
	if err != nil {
		return nil, err
	}
	cc, search := strings.ToUpper(q.Get("country_code")), strings.ToLower(q.Get("search"))
	out := []esimProduct{}
	for _, p := range esimProducts {
		if (cc != "" && p.CountryCode != cc) ||
			(search != "" && !strings.Contains(strings.ToLower(p.Name), search)) {
			continue
		}
		p.Variants = nil // the list shows products only
		out = append(out, p)
	}
	return paginate(out, page, per), nil
}

func (s *Server) handleESIMProduct(r *http.Request) (*reply, error) {
	return okFound(fromPath(r, "product", esimProductByID))
}

func (s *Server) handleESIMVariants(r *http.Request) (*reply, error) {
	p, err := fromPath(r, "product", esimProductByID)
	if err != nil {
		return nil, err
	}
	return ok(p.Variants)
}

func (s *Server) handleESIMVariant(r *http.Request) (*reply, error) {
	return okFound(fromPath(r, "variant", esimVariantByID))
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
