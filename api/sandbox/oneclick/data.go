package oneclick

// The sandbox's fixed catalogue: the documented examples, plus a few
// choices marked in MAGIC.md.

type plan struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Operator string   `json:"operator"`
	Cost     *float64 `json:"cost,omitempty"`
	Enabled  bool     `json:"isEnabled"`
	Min      float64  `json:"min_amount,omitempty"`
	Max      float64  `json:"max_amount,omitempty"`
	Amount   *float64 `json:"amount,omitempty"`
}

func (p plan) dynamic() bool { return p.Amount == nil }

// costOf is the price multiplier; a plan without one is debited at face value.
func (p plan) costOf() float64 {
	if p.Cost == nil {
		return 1
	}
	return *p.Cost
}

func fp(v float64) *float64 { return &v }

var dynamicPlans = []plan{
	{Code: "PREPAID_DJEZZY", Name: "📱 PREPAID | عادي", Operator: "Djezzy", Cost: fp(0.9925), Enabled: true, Min: 100, Max: 10000},
	{Code: "PREPAID_MOBILIS", Name: "📱 PREPAID | عادي", Operator: "Mobilis", Cost: fp(0.96), Enabled: true, Min: 40, Max: 3999},
	{Code: "PREPAID_OOREDOO", Name: "📱 PREPAID | عادي", Operator: "Ooredoo", Cost: fp(0.98), Enabled: true, Min: 50, Max: 5000},
	{Code: "GROS_MOBILIS", Name: "📱 GROS MOBILIS | جملة", Operator: "GMobilis", Enabled: true, Min: 5000, Max: 300000},
	{Code: "FACTURE_DJEZZY", Name: "📋 FACTURE | فاتورة", Operator: "Djezzy", Cost: fp(0.99), Enabled: true, Min: 100, Max: 50000},
	{Code: "PREPAID_PIXX", Name: "📱 PREPAID PIXX", Operator: "Pixx", Cost: fp(0.97), Enabled: false, Min: 100, Max: 5000},
}

var fixedPlans = []plan{
	{Code: "MIX500_MOBILIS", Name: "📱🌐 AUTO | MIX 500", Operator: "Mobilis", Cost: fp(0.97), Enabled: true, Amount: fp(500)},
	{Code: "PIXX_500", Name: "Pixx 500 DA", Operator: "Pixx", Cost: fp(0.97), Enabled: true, Amount: fp(500)},
	{Code: "GETMENU_Mobilis", Name: "📋 GET MENU | Mobilis", Operator: "Mobilis", Cost: fp(0), Enabled: true, Amount: fp(0)},
	{Code: "GETMENU_Ooredoo", Name: "📋 GET MENU | Ooredoo", Operator: "Ooredoo", Cost: fp(0), Enabled: true, Amount: fp(0)},
	{Code: "GETMENU_Djezzy", Name: "📋 GET MENU | Djezzy", Operator: "Djezzy", Cost: fp(0), Enabled: true, Amount: fp(0)},
}

func findPlan(code string) (plan, bool) {
	for _, p := range dynamicPlans {
		if p.Code == code {
			return p, true
		}
	}
	for _, p := range fixedPlans {
		if p.Code == code {
			return p, true
		}
	}
	return plan{}, false
}

// operatorOf maps a number's prefix to its operator ("" when unknown).
func operatorOf(msisdn string) string {
	if len(msisdn) < 3 {
		return ""
	}
	switch msisdn[1:3] {
	case "55", "56", "57", "58", "59":
		return "Ooredoo"
	case "66", "67", "68", "69":
		return "Mobilis"
	case "77", "78", "79":
		return "Djezzy"
	}
	return ""
}

// planOperator folds plan operators onto network operators.
func planOperator(op string) string {
	if op == "GMobilis" {
		return "Mobilis"
	}
	return op
}

type internetProduct struct {
	Value     float64 `json:"value"`
	Cost      float64 `json:"cost"`
	Available bool    `json:"available"`
}

var internetProducts = map[string][]internetProduct{
	"ADSL": {{500, 490, true}, {1000, 980, true}, {2000, 1960, true}},
	"4G":   {{500, 490, true}, {1000, 980, true}, {1500, 1470, true}, {2000, 1960, true}, {3000, 2940, false}},
}

type giftType struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Price    float64 `json:"price"`
	Quantity int     `json:"quantity"`
}

type giftProduct struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Enabled  bool   `json:"enabled"`
	Region   string `json:"region,omitempty"`
	category string
	types    []giftType
}

// PSNProductID is the product carrying the TEST_REFUND and TEST_PARTIAL types.
const PSNProductID = "507f1f77bcf86cd799439011"

// MaxGiftQuantity is the per-order quantity limit.
const MaxGiftQuantity = 50

func giftCatalog() []giftProduct {
	return []giftProduct{
		{ID: PSNProductID, Title: "PlayStation Network", Enabled: true, Region: "dz", category: "Gaming Cards", types: []giftType{
			{"type_001", "PSN 500 DA", 490, 150},
			{"type_002", "PSN 1000 DA", 980, 87},
			{"type_003", "PSN 2000 DA", 1960, 0},
			{"TEST_REFUND", "Sandbox: always refunded", 490, 9999},
			{"TEST_PARTIAL", "Sandbox: half delivered", 490, 9999},
		}},
		{ID: "507f1f77bcf86cd799439012", Title: "Google Play Gift Card", Enabled: true, category: "Gaming Cards", types: []giftType{
			{"type_011", "Google Play 500 DA", 495, 40},
			{"type_012", "Google Play 1500 DA", 1480, 12},
		}},
		{ID: "507f1f77bcf86cd799439013", Title: "Xbox Gift Card", Enabled: true, category: "Gaming Cards", types: []giftType{
			{"type_021", "Xbox 10 USD", 2750, 25},
		}},
		{ID: "507f1f77bcf86cd799439014", Title: "Netflix Gift Card", Enabled: true, category: "Streaming Services", types: []giftType{
			{"type_031", "Netflix 1 month", 1900, 30},
			{"type_032", "Netflix 3 months", 5500, 5},
		}},
		{ID: "507f1f77bcf86cd799439015", Title: "Spotify Premium", Enabled: true, category: "Streaming Services", types: []giftType{
			{"type_041", "Spotify 1 month", 900, 60},
		}},
		{ID: "507f1f77bcf86cd799439016", Title: "Free Fire Diamonds", Enabled: true, Region: "dz", category: "Mobile Games", types: []giftType{
			{"type_051", "100 Diamonds", 230, 500},
			{"type_052", "530 Diamonds", 1100, 200},
		}},
		{ID: "507f1f77bcf86cd799439017", Title: "PUBG Mobile UC", Enabled: false, category: "Mobile Games", types: []giftType{
			{"type_061", "60 UC", 250, 0},
		}},
	}
}
