"""Gifts to the association: the donation page, designations staff edit, and donations paid
by card (Stripe Checkout, through payments) or by check. Imports membership, payments and
association only; nsca composes the account page's list of a member's donations."""
