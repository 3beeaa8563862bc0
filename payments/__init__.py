"""How money is taken: payment records, methods (free, offline, card), the Stripe client
and its webhook, refunds and receipts. A leaf: it imports no project app but `association`.

For callers (events' checkout, membership's join page, a donations app):
- `payments.methods.available_methods(amount=...)` gives the choices to offer, from the
  methods registered in code (`payments.methods.METHODS`; `PAYMENT_OFFLINE_ENABLED`);
  `get_method(code, amount=...).begin(...)` begins paying. Callers never branch on a
  method's code: `begin` returns a `PaymentOutcome` that is paid at once (free), leaves
  instructions (offline), or gives a `redirect_url` (card: a Stripe Checkout Session).
  A card payment needs `purpose`, `object_id`, `hold_expires_at`, `return_url`, `now`;
  when Stripe does not answer (within `STRIPE_TIMEOUT`, asked once) or refuses, `begin`
  raises `PaymentUnavailable`, keeps no pending payment, and the caller tells the payer.
- What is paid for registers a `payments.purposes.Purpose` from its AppConfig.ready:
  `fulfil(payment=..., now=...) -> bool` (called exactly once, under the payment's lock,
  by `payments.confirmation.confirm_payment`), `describe(payment=...)` for receipts and
  the admin, and optionally `on_refunded`, `on_refused` and `goods_value` (receipts'
  quid-pro-quo statement). A donation purpose registers the same way.
- Offline (check, at the door): `begin` with `purpose` and `object_id` records a pending
  offline payment (the keyword arguments are optional, as before); staff's "mark paid"
  calls `payments.confirmation.confirm_offline_payment(purpose=..., object_id=...,
  amount=..., now=...)`, which confirms it through `confirm_payment` like card money.
  What is cancelled unpaid calls `Payment.objects.close_unpaid_offline(...)`. Nothing
  owed (free) leaves no payment record.
- `payments.confirmation.settle_from_stripe(payment=..., now=...)` is what a return page
  calls: it asks Stripe and confirms through the same path as the webhook.
- `payments.refunds.refund_payment(...)` pays money back and tells the purpose.
"""
