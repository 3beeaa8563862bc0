"""The Stripe webhook and a payment's receipt page. Thin: rules live in webhooks,
confirmation and receipts."""

import logging

import stripe
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import purposes, stripe_api
from .models import Payment
from .receipts import receipt_context
from .webhooks import handle_event

logger = logging.getLogger(__name__)

# Stripe's events are a few kilobytes; anything far larger is not Stripe.
MAX_WEBHOOK_BYTES = 256 * 1024


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if not stripe_api.card_payments_enabled():
        raise Http404("Card payments are off.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponseBadRequest("Bad length.")
    if length > MAX_WEBHOOK_BYTES:
        return HttpResponse("Too large.", status=413)
    signature = request.headers.get("Stripe-Signature", "")
    if not signature:
        return HttpResponseBadRequest("Missing signature.")
    payload = request.read(MAX_WEBHOOK_BYTES + 1)
    if len(payload) > MAX_WEBHOOK_BYTES:
        return HttpResponse("Too large.", status=413)
    try:
        event = stripe_api.construct_event(payload=payload, signature=signature)
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponseBadRequest("Bad signature or payload.")
    if not isinstance(event.get("id"), str) or not isinstance(event.get("data"), dict):
        return HttpResponseBadRequest("Not an event.")
    try:
        result = handle_event(event, now=timezone.now())
    except stripe_api.StripeUnavailable:
        logger.exception("Webhook %s: Stripe could not be asked; it will retry", event["id"])
        return HttpResponse("Try again later.", status=503)
    logger.info("Stripe event %s (%s): %s", event["id"], event["type"], result)
    return HttpResponse(result, content_type="text/plain")


@never_cache
@require_GET
def receipt(request, token):
    if not (isinstance(token, str) and 20 <= len(token) <= 64):
        raise Http404
    payment = Payment.objects.filter(token=token).first()
    if payment is None or not payment.is_settled:
        raise Http404
    try:
        purposes.get(payment.purpose)
    except LookupError:
        raise Http404 from None
    response = render(request, "payments/receipt.html", receipt_context(payment))
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response
