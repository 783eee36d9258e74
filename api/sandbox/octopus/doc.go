// Package octopus is an embedded, in-memory Octopus Cards API v1 server
// following shared/api/octopus-cards.md (the "Sandbox does" column of §10).
// It listens on loopback only, speaks raw HTTP/JSON and never reaches the
// network: webhooks go only to loopback URLs.
//
// # Credentials
//
// Fixed demo values (client_id 42):
//
//	API key         sandbox-demo-key
//	API secret      sandbox-demo-secret
//	Webhook secret  sandbox-webhook-secret
//
// # Decisions where the contract is silent
//
//   - /auth/* bodies are wrapped {success, data}; /api/v1/* bodies are raw.
//     Tokens are JWT-shaped and opaque; access tokens live TokenTTL (1 h),
//     refresh tokens RefreshTTL (7 d), both in real time. Refresh rotates.
//   - Wallets: USD (id 1) and EUR (id 2), PREPAID, 10,000 each. An order
//     without wallet_id pays from the wallet in the product currency, else
//     from USD with FX at a fixed table (GBP→EUR = 1.17). Charges maths:
//     totals in the product currency, rounded to 4 places; net_amount =
//     total × rate rounded to cents; handling fee 0. Client bulk limit
//     (max_quantity) = 5,000.
//   - Voucher orders: 201; quantity ≤ 5 DELIVERED inline, else PENDING,
//     delivered 10–60 s later (2–5 min from 1,000 up). Lists omit voucher
//     codes; the detail has them. client_reference is unique per client
//     across all three verticals.
//   - Topup orders: 200, PENDING, DELIVERED 5–30 s later. transaction_id on
//     every order is the id of its wallet DEBIT transaction. amount is the
//     discounted price in the product currency; requested_amount is the face
//     value.
//   - Topup input_fields: [{name, label, type:"string", required, pattern?,
//     options?}], pattern an RE2 expression. Gaming: player_id (5–12 digits,
//     required), server (optional: asia|europe|americas). Mobile:
//     phone_number (E.164, required). Unknown keys, missing required keys,
//     non-string values and pattern mismatches are 400 VALIDATION_FAILURE.
//   - eSIM orders: 200; the handler waits for fulfilment (1–6 s) up to 60 s
//     and returns DELIVERED with iccid and activation_code
//     "LPA:1$smdp.example.net$<matchingId>", else PENDING. 1–4 minutes after
//     delivery the eSIM is installed (is_installed, ACTIVE, installed_at =
//     activated_at); validity_days later it is EXPIRED. activation_code is
//     only in the detail, and only until installed.
//   - Detail GETs advance an order's simulated state on read. Lists return
//     stored state, published by the background scheduler every ListLag
//     (default 5 s, scaled), so a list can lag a detail by up to ListLag.
//     New orders appear in lists immediately.
//   - Notification email: PATCH …/notification-email with {"email"}; the
//     reply is the updated order; a bad email is 400 VALIDATION_FAILURE.
//   - Rate limits: sliding one-minute window in real time (TimeScale does
//     not apply), per client and class; the sandbox column of §6.2 unless
//     ProductionLimits or Limits say otherwise. Availability, topup lookup,
//     notification-email and logout calls are not limited. 429 carries
//     Retry-After. Before login the remote host stands in for the client.
//   - Never emitted: 403 (no IP allow-list), INVALID_FEATURE (the demo client
//     has every feature), RECHARGED (accepted as a topup list filter only).
//   - Determinism: with the same Seed and the same sequence of calls, ids,
//     codes and timings repeat. Request ids, fault draws and traffic choices
//     use their own seeded streams so they do not disturb order data.
//   - Webhooks: voucher order.delivered / order.partially_delivered /
//     order.failed / order.cancelled (same data shape) and wallet.debited /
//     wallet.credited, signed with X-Signature = hex HMAC-SHA256 of the raw
//     body, plus X-Timestamp, X-Event-ID, X-Event-Type, X-Webhook-ID. The
//     legacy X-OCTOPUS-WEBHOOK-TOKEN header (the secret in clear) is not
//     sent. Retried 1 s, 2 s, 4 s … (capped at 60 s, scaled) up to
//     WebhookAttempts (8), then dropped.
//   - PARTIALLY_DELIVERED refunds the undelivered part at once and stays,
//     except for the quantity-17 magic, which completes later without a
//     refund.
//
// # Magic inputs
//
// The real sandbox always succeeds; these inputs force other outcomes
// (also listed in MAGIC.md):
//
//   - client_reference starting "cancel-" (any vertical): PENDING, then
//     CANCELLED 5–15 s later, refunded (vouchers of any quantity).
//   - voucher quantity 13: PARTIALLY_DELIVERED with 10 codes, 3 refunded; stays.
//   - voucher quantity 17: PARTIALLY_DELIVERED with 12 codes, DELIVERED 1–3 min later.
//   - voucher quantity 99: PENDING, then FAILED and refunded.
//   - voucher quantity 404: PENDING until the stuck-batch incident stops.
//   - voucher quantity ≥ 1000: slow batch, 2–5 minutes.
//   - topup player_id "0000000": FAILED inside the request, failure_code
//     INVALID_PLAYER_ID, is_user_fixable, refunded.
//   - topup player_id "1111111": DELIVERED inside the request.
//   - topup phone_number ending "0000000": PENDING, then FAILED
//     (INVALID_RECIPIENT, user-fixable), refunded.
//   - topup player_id or phone_number ending "7777777": PENDING for 3–5 min.
//   - eSIM product 997: FAILED inside the request (PLAN_UNAVAILABLE), refunded.
//   - eSIM product 998: DELIVERED, never installed.
//   - eSIM product 999: fulfilment takes 2–4 min, so the create call returns
//     PENDING after its 60 s wait.
//
// All delays above are simulated: multiply by Config.TimeScale.
//
// Incidents (StartIncident, StopIncident; incident.go): stuck-batch,
// failing-operator, draining-wallet, outage.
package octopus
