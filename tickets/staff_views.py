"""Staff pages outside the admin: CSV exports and check-in at the door. The rules live in
exports.py and checkin.py; these views only wire requests to them.

Staff pages need both a staff account (others are sent to the admin sign-in) and a model
permission (a staff member without it gets 403): `tickets.view_order` for the exports,
`tickets.change_ticket` for check-in. The "Event managers" group has both. Recording a
payment collected at the door is moving money: `payments.manage_payments` (the Treasurer).
"""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from events.models import Event
from payments.models import may_manage_payments

from . import checkin as door
from . import exports
from .forms import CodeForm, NameSearchForm
from .orders import mark_order_paid


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
@staff_permission_required("tickets.view_order")
def export_attendees(request, slug):
    return _export(request, slug, "attendees")


@require_GET
@never_cache
@staff_permission_required("tickets.view_order")
def export_meals(request, slug):
    return _export(request, slug, "meals")


@require_GET
@never_cache
@staff_permission_required("tickets.view_order")
def export_addresses(request, slug):
    return _export(request, slug, "addresses")


# --- Check-in at the door ---


def _render_checkin(request, event, *, status=200, ticket=None, verdict=None, **context):
    code_form = context.pop("code_form", None) or CodeForm(
        initial={"code": ticket.code} if ticket else None
    )
    return render(
        request,
        "tickets/staff/checkin.html",
        {
            "event": event,
            "code_form": code_form,
            "name_form": context.pop("name_form", None) or NameSearchForm(),
            "ticket": ticket,
            "verdict": verdict,
            "counts": door.arrivals(event),
            "can_mark_paid": may_manage_payments(request.user),
            **context,
        },
        status=status,
    )


def _render_not_found(request, event, code_form, *, status=200):
    """No valid ticket has this code: a ticket a partial refund took off its order is shown
    as refunded (refused; 409 to a check-in), anything else is unknown."""
    retired = door.find_retired_code(code_form.cleaned_data["code"])
    if retired is not None:
        return _render_checkin(
            request,
            event,
            status=409 if status == 404 else status,
            code_form=code_form,
            verdict=door.retired_admission(retired),
        )
    refunded = door.find_refunded_ticket(code_form.cleaned_data["code"])
    if refunded is not None:
        return _render_checkin(
            request,
            event,
            status=409 if status == 404 else status,
            code_form=code_form,
            refunded=refunded,
            verdict=door.refunded_admission(refunded, event=event),
        )
    return _render_checkin(
        request,
        event,
        status=status,
        code_form=code_form,
        not_found=_("No ticket has this code. Check it, or search by name."),
    )


@never_cache
@staff_permission_required("tickets.change_ticket")
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
            return _render_not_found(request, event, code_form)
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
        return _render_not_found(request, event, code_form, status=404)
    now = timezone.now()
    if request.POST.get("whole_table") and ticket.is_table_seat:
        seats = door.check_in_table(ticket=ticket, event=event, by=request.user, now=now)
        if not seats:
            verdict = door.admission(ticket, event=event)
            return _render_checkin(request, event, status=409, ticket=ticket, verdict=verdict)
        messages.success(
            request,
            _("%(table)s: %(n)s seat(s) checked in.")
            % {"table": _("Table %(n)s") % {"n": ticket.table_number}, "n": seats},
        )
        return redirect(reverse("tickets:checkin", kwargs={"slug": event.slug}))
    result = door.check_in(ticket=ticket, event=event, by=request.user, now=now)
    if not result.checked_in:
        return _render_checkin(
            request, event, status=409, ticket=result.ticket, verdict=result.admission
        )

    ticket = result.ticket
    name = ticket.holder_name
    note = result.admission.message
    if (
        request.POST.get("payment_collected")
        and not ticket.order.is_paid
        and may_manage_payments(request.user)
    ):
        mark_order_paid(order=ticket.order, now=now)
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
    return redirect(reverse("tickets:checkin", kwargs={"slug": event.slug}))
