"""How money is taken, behind one small interface shared by ticket orders and membership dues.

Callers ask `available_methods(amount=...)` for the choices to offer and call
`get_method(code).begin(...)`; they never branch on a method's code. A card provider is
added later as one more `PaymentMethod` subclass listed in `settings.PAYMENT_METHODS`,
without touching the checkout or the join form.
"""
