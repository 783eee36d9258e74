// Package oneclick is an embedded sandbox of the OneClickDz Flexy API v3
// (contract: shared/api/oneclickdz.md, section 9 "Sandbox does"). It serves
// every /v3 route on loopback, with the standard envelope (meta and requestId
// always), a DZD balance that moves, and the provider's documented sandbox
// behaviour. The same table is in MAGIC.md beside this file.
//
// Key: SandboxAPIKey "5a4db0c1-c1d2-4e5f-8a9b-0c1cd25a4db0" (header
// X-Access-Token); /v3/validate reports type SANDBOX, username "+213665983439".
// Any other key: 401 INVALID_ACCESS_TOKEN with details.attemptsLeft; the 5th
// failure from one IP blocks it for 15 minutes (403 IP_BLOCKED, real time).
//
// Balance: starts at 50,000 DZD (a DEPOSIT transaction). Sends debit at send
// time (FLEXY amount×cost, ADSL product cost, ORDER price×quantity); failures
// credit REFUND-FLEXY, REFUND-ADSL and REFUND-ORDER. Not enough money: 403
// INSUFFICIENT_BALANCE with details {required, available}.
//
// Mobile (POST /v3/mobile/send): PENDING ≈5 s → HANDLING ≈15 s → final, both
// multiplied by TimeScale.
//
//	0600000001  → REFUNDED (refund_message), auto-ref scenario "refund"
//	0600000002  → REFUNDED with refund_message and suggested_offers
//	              [FACTURE_DJEZZY 500], scenario "suggest"
//	0600000003  → UNKNOWN_ERROR at 20 s, FULFILLED 2 h (scaled) later, "unknown"
//	other valid → FULFILLED, scenario "success" (e.g. 0778037340)
//	GETMENU_*   → FULFILLED at no cost, suggested_offers list the operator's plans
//
// The magic numbers are accepted with any plan; other numbers must match the
// plan's operator (55-59 Ooredoo, 66-69 Mobilis, 77-79 Djezzy; other prefixes
// and Pixx plans are not checked). Without ref, the ref is
// API-+213665983439-test-<epochMs>-<scenario>.
//
// Internet (POST /v3/internet/send): HANDLING ≈15 s → final.
//
//	ADSL 099999999, 4G 213999999999 → QUEUED, FULFILLED 24 h (scaled) later
//	ADSL 099999998, 4G 213999999998 → REFUNDED (REFUND-ADSL)
//	other valid                     → FULFILLED with card_code, num_trans, date_traitement
//	4G value 3000                   → 400 OUT_OF_STOCK (available:false in products)
//
// Auto ref: API-+213665983439-test-internet-<epochMs>. Bad numbers: 400 ERR_PHONE.
//
// Gift cards: PSN (PSNProductID "507f1f77bcf86cd799439011") has types
// type_001 (490, stock 150), type_002 (980, 87), type_003 (1960, out of stock),
// TEST_REFUND and TEST_PARTIAL (490 each). Orders are HANDLING ≈10 s, then:
//
//	TEST_REFUND  → REFUNDED, cards [], full REFUND-ORDER
//	TEST_PARTIAL → PARTIALLY_FILLED with quantity/2 cards (4 → 2) and a
//	               REFUND-ORDER for the rest (quantity 1 → REFUNDED)
//	other        → FULFILLED, cards {value "SANDBOX-CARD-n", serial "SANDBOX-n"}
//
// Quantity is 1..50 (MaxGiftQuantity); more than the stock: 400 OUT_OF_STOCK
// "Product out of stock"; PUBG Mobile UC is disabled. Paths are camelCase
// (checkProduct, placeOrder, checkOrder) with kebab-case aliases.
//
// Lists (mobile, internet, gift cards, transactions): data.items and
// data.pagination, newest first, page ≥ 1, pageSize 1..100 (default 20),
// from/to ISO-8601 (required together for mobile/list and transactions).
//
// Rate limit: RatePerMinute requests per rolling minute (default 120), then
// 429 TOO_MANY_REQUESTS with Retry-After in seconds.
//
// Deterministic for a Seed (ids, card codes, traffic, faults) given the same
// request sequence; safe for concurrent use; Close stops every goroutine.
package oneclick
