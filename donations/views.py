"""/donate/ and the donor's thank-you page. Thin: the rules live in giving and
donation_payments."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from association import rate_limits

from .donation_payments import donation_payment_state
from .forms import DonationForm
from .giving import (
    CardUnavailable,
    DonationRefused,
    begin_donation,
    check_is_offered,
    maximum_amount,
    minimum_amount,
)
from .models import Donation


def _initial_for(user) -> dict:
    if not user.is_authenticated:
        return {}
    return {"donor_name": user.get_full_name(), "donor_email": user.email}


@never_cache
@require_http_methods(["GET", "POST"])
def donate(request):
    if request.method == "GET":
        form = DonationForm(initial=_initial_for(request.user))
        return _form_page(request, form)
    form = DonationForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    data = form.cleaned_data
    # Donation forms are a favorite of people testing stolen card numbers (each attempt a
    # small "gift", each card gift a Checkout Session at Stripe): the gifts one client
    # begins are limited, counted before anything is created.
    if rate_limits.limit("donation-ip").hit(request):
        message = _(
            "Too many gifts were begun from your network in a short time. Please wait an "
            "hour and try again, or contact the association."
        )
        form.add_error(None, ValidationError(message, code=rate_limits.OVER_LIMIT))
        return rate_limits.too_many_attempts(_form_page(request, form), "donation-ip")
    try:
        donation, redirect_url = begin_donation(
            donor_name=data["donor_name"],
            donor_email=data["donor_email"],
            amount=data["amount"],
            payment_method=data["payment_method"],
            designation=data["designation"],
            dedication=data["dedication"],
            user=request.user,
            now=timezone.now(),
        )
    except DonationRefused as refused:
        form.add_error(None, str(refused))
        return _form_page(
            request, form, status=503 if isinstance(refused, CardUnavailable) else 400
        )
    # 303: the next page is fetched by GET, never a re-POST of the gift.
    response = HttpResponseRedirect(redirect_url or donation.get_absolute_url())
    response.status_code = 303
    return response


def _form_page(request, form, *, status=200):
    return render(
        request,
        "donations/donate.html",
        {
            "form": form,
            "designations": form.fields["designation"].queryset,
            "minimum": minimum_amount(),
            "maximum": maximum_amount(),
            "check_is_offered": check_is_offered(),
        },
        status=status,
    )


@never_cache
@require_GET
def thanks(request, token):
    if not (isinstance(token, str) and 20 <= len(token) <= 64):
        raise Http404
    donation = Donation.objects.select_related("designation", "payment").filter(token=token).first()
    if donation is None:
        raise Http404
    state = donation_payment_state(donation, now=timezone.now())
    response = render(
        request, "donations/donation_thanks.html", {"donation": donation, "state": state}
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response
