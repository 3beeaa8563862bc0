"""Views of the events-staff side: CSV exports and check-in for staff, and the public
waiting-list page. The rules live in exports.py, checkin.py and waitlist.py; these views
only wire requests to them.

Staff pages need both a staff account (others are sent to the admin sign-in) and a model
permission (a staff member without it gets 403): `events.view_order` for the exports,
`events.change_ticket` for check-in. The "Event managers" group has both.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import checkin as door
from . import exports, waitlist
from .models import Event, Order, Ticket
from .waitlist_forms import WaitlistJoinForm


def staff_permission_required(perm):
    """Staff only (others go to the admin sign-in), and with this permission (else 403)."""

    def decorator(view):
        return staff_member_required(permission_required(perm, raise_exception=True)(view))

    return decorator


# --- CSV exports ---


def _export(request, slug, kind):
    event = get_object_or_404(Event, slug=slug)
    return exports.export_response(event, kind)


@require_GET
@never_cache
@staff_permission_required("events.view_order")
def export_attendees(request, slug):
    return _export(request, slug, "attendees")


@require_GET
@never_cache
@staff_permission_required("events.view_order")
def export_meals(request, slug):
    return _export(request, slug, "meals")


@require_GET
@never_cache
@staff_permission_required("events.view_order")
def export_addresses(request, slug):
    return _export(request, slug, "addresses")


# --- Check-in at the door ---


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Ticket code"),
        # Room for a scanned check-in URL (a long event slug and all), not only the code.
        max_length=500,
        help_text=gettext_lazy("Type the code printed under the QR code, or scan it."),
    )


class NameSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name or order reference"),
        max_length=200,
    )


def _checkin_counts(event):
    return Ticket.objects.filter(
        order__event=event, order__status=Order.Status.CONFIRMED
    ).aggregate(total=Count("pk"), arrived=Count("pk", filter=Q(checked_in_at__isnull=False)))


def _render_checkin(request, event, *, status=200, ticket=None, verdict=None, **context):
    code_form = context.pop("code_form", None) or CodeForm(
        initial={"code": ticket.code} if ticket else None
    )
    return render(
        request,
        "events/staff/checkin.html",
        {
            "event": event,
            "code_form": code_form,
            "name_form": context.pop("name_form", None) or NameSearchForm(),
            "ticket": ticket,
            "verdict": verdict,
            "counts": _checkin_counts(event),
            "can_mark_paid": request.user.has_perm("events.change_order"),
            **context,
        },
        status=status,
    )


@never_cache
@staff_permission_required("events.change_ticket")
def checkin(request, slug):
    event = get_object_or_404(Event, slug=slug)
    if request.method == "POST":
        return _checkin_post(request, event)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])

    if "code" in request.GET:
        code_form = CodeForm(request.GET)
        if not code_form.is_valid():
            return _render_checkin(request, event, status=400, code_form=code_form)
        ticket = door.find_ticket(code_form.cleaned_data["code"])
        if ticket is None:
            return _render_checkin(
                request,
                event,
                code_form=code_form,
                not_found=_("No ticket has this code. Check it, or search by name."),
            )
        verdict = door.admission(ticket, event=event)
        return _render_checkin(request, event, ticket=ticket, verdict=verdict)

    if "q" in request.GET:
        name_form = NameSearchForm(request.GET)
        if not name_form.is_valid():
            return _render_checkin(request, event, status=400, name_form=name_form)
        results = list(door.search_by_name(event, name_form.cleaned_data["q"]))
        return _render_checkin(request, event, name_form=name_form, results=results, searched=True)

    return _render_checkin(request, event)


def _checkin_post(request, event):
    code_form = CodeForm(request.POST)
    if not code_form.is_valid():
        return _render_checkin(request, event, status=400, code_form=code_form)
    ticket = door.find_ticket(code_form.cleaned_data["code"])
    if ticket is None:
        return _render_checkin(
            request,
            event,
            status=404,
            code_form=code_form,
            not_found=_("No ticket has this code. Check it, or search by name."),
        )
    now = timezone.now()
    result = door.check_in(ticket=ticket, event=event, by=request.user, now=now)
    if not result.checked_in:
        return _render_checkin(
            request, event, status=409, ticket=result.ticket, verdict=result.admission
        )

    ticket = result.ticket
    name = ticket.attendee_name or ticket.order.buyer_name
    note = result.admission.message
    if (
        request.POST.get("payment_collected")
        and not ticket.order.is_paid
        and request.user.has_perm("events.change_order")
    ):
        from . import inventory

        inventory.mark_order_paid(order=ticket.order, now=now)
        note = _("Checked in; payment recorded for order %(ref)s.") % {
            "ref": ticket.order.reference
        }
    message = _("%(name)s (%(type)s): %(note)s") % {
        "name": name,
        "type": ticket.ticket_type.name,
        "note": note,
    }
    if result.admission.reason == "unpaid" and not ticket.order.is_paid:
        messages.warning(request, message)
    else:
        messages.success(request, message)
    return redirect(reverse("events:checkin", kwargs={"slug": event.slug}))


# --- The waiting list (public) ---


def waitlist_join(request, slug):
    event = get_object_or_404(Event.objects.published(), slug=slug)
    now = timezone.now()
    context = {"event": event, "checkout_url": waitlist.checkout_path(event)}
    if not waitlist.waitlist_is_open(event, now=now):
        return render(
            request,
            "events/waitlist/join.html",
            {**context, "closed": True},
            status=400 if request.method == "POST" else 200,
        )
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])

    initial = {"ticket_type": request.GET.get("ticket_type")}
    if request.user.is_authenticated:
        initial.update(name=request.user.get_full_name(), email=request.user.email)
    form = WaitlistJoinForm(request.POST or None, event=event, initial=initial)
    if request.method == "GET":
        if request.GET.get("joined"):
            return render(request, "events/waitlist/join.html", {**context, "joined": True})
        if not waitlist.is_sold_out(event, now=now):
            messages.info(request, _("Tickets are available: you can buy them now."))
            return redirect(context["checkout_url"])
        return render(request, "events/waitlist/join.html", {**context, "form": form})

    if not form.is_valid():
        return render(request, "events/waitlist/join.html", {**context, "form": form}, status=400)
    ticket_type = form.cleaned_data.get("ticket_type")
    if not waitlist.is_sold_out(event, now=now, ticket_type=ticket_type):
        messages.info(request, _("Tickets are available again: you can buy them now."))
        return redirect(context["checkout_url"])
    entry, created = waitlist.join_waitlist(
        event=event,
        name=form.cleaned_data["name"],
        email=form.cleaned_data["email"],
        quantity=form.cleaned_data["quantity"],
        ticket_type=ticket_type,
    )
    if not created:
        return render(
            request,
            "events/waitlist/join.html",
            {**context, "form": form, "already": entry},
        )
    waitlist.send_joined_email(entry, now=now)
    messages.success(
        request,
        _("You are on the waiting list. If places come back, we will email %(email)s.")
        % {"email": entry.email},
    )
    return redirect(reverse("events:waitlist_join", kwargs={"slug": event.slug}) + "?joined=1")
