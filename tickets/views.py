"""Checkout, order pages and the waiting list. Thin: rules live on the models and in
availability, orders, pricing, checkout and waitlist; these views wire them to templates.
The event page itself is events'; nsca adds what tickets shows there (composition.py)."""

import functools

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import View

from association import rate_limits
from association.formats import format_money
from association.models import Association
from association.rate_limits import client_ip
from events import calendar as ics
from events.models import Event
from events.reveal import can_see_online_link, public_location, reveal_message, visible_venue
from events.views import ics_response, published_event_or_404, ticket_rows
from membership.after_response import RedirectThenRun

from . import waitlist
from .availability import (
    InvalidSelection,
    InventoryError,
    SalesClosed,
    SoldOut,
    check_checkout_open,
    places_left,
)
from .cancellation import CancellationRefused, cancel_tickets
from .checkout import CHANGE_ORDER, REVIEW_FIRST, CardPaymentsNotAnswering, place_order
from .forms import (
    CheckoutForm,
    TicketDetailsForm,
    TransferForm,
    WaitlistJoinForm,
    is_token,
    new_submission_key,
    parse_quantity,
)
from .limits import LimitReached
from .models import Order, OrderChange, Ticket, WaitlistEntry
from .notifications import venue_will_be_emailed
from .order_payments import card_payment_state
from .orders import ReservationRequest
from .qr import ticket_qr_svg
from .receipts import order_receipt_url
from .self_service import ChangeRefused, changes_closed_reason, update_address, update_tickets
from .transfers import TransferRefused, holder_context, transfer_ticket


def _open_offer(event, token, *, now):
    if not is_token(token):
        return None
    return (
        WaitlistEntry.objects.open_offers(now)
        .filter(event=event, token=token)
        .select_related("ticket_type")
        .first()
    )


@method_decorator(never_cache, name="dispatch")
class CheckoutView(View):
    """/events/<slug>/tickets/: choose tickets, give the buyer's details, pay. Whether the
    event takes orders at all is `availability.check_checkout_open` (closed, sold out,
    members only); the order is `checkout.place_order`'s."""

    http_method_names = ["get", "post"]

    def dispatch(self, request, slug):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request)
        self.now = now = timezone.now()
        # As kept (a ticket rush reads nothing here): the places it shows may be a second
        # old, and the order is made on the rows as they are under the event's lock, its
        # terms compared with these (`orders.reserve_tickets`).
        self.event = event = published_event_or_404(slug, now=now)
        ticket_types = list(event.ticket_types.all())
        offer_token = (request.POST if request.method == "POST" else request.GET).get("offer", "")
        if not is_token(offer_token):
            offer_token = ""  # not one of ours: no offer, and nothing to say about it
        self.offer = offer = _open_offer(event, offer_token, now=now)
        left = places_left(event, now=now, offer=offer)
        self.rows = ticket_rows(event, ticket_types, left=left, now=now)
        self.buyable = [r["ticket_type"] for r in self.rows if r["state"].can_buy]
        self.context = {
            "event": event,
            "offer": offer,
            "has_tables": any(ticket_type.is_table for ticket_type in self.buyable),
        }
        try:
            check_checkout_open(event, buyable=self.buyable, user=request.user, now=now)
        except InventoryError as error:
            return self.refused(error)
        if offer_token and offer is None:
            self.context["offer_message"] = _(
                "This waiting-list offer is no longer open; you may still buy tickets if any "
                "are left."
            )
        return super().dispatch(request, slug)

    def refused(self, error: InventoryError):
        """The page that says why this event takes no order now: shown to a visitor (200),
        refused to a form posted anyway (403 members only, 409 closed or sold out)."""
        self.context["closed_message"] = error.message
        self.context["show_waitlist"] = isinstance(error, SoldOut)
        if self.request.method == "GET":
            status = 200
        elif isinstance(error, InvalidSelection):
            status = 403
        else:
            status = 409
        return render(self.request, "tickets/checkout.html", self.context, status=status)

    def get(self, request, slug):
        user = request.user
        status = 200
        quantities = {}
        for ticket_type in self.buyable:
            value = parse_quantity(
                request.GET.get(f"qty_{ticket_type.pk}", 0) or 0,
                maximum=ticket_type.max_per_order,
            )
            if value is None:
                self.context["quantity_error"] = _(
                    "Please choose from 0 to %(n)s %(name)s tickets."
                ) % {"n": ticket_type.max_per_order, "name": ticket_type.name}
                status = 400
            elif value:
                quantities[ticket_type.pk] = value
        if status == 400:
            quantities = {}
        offer = self.offer
        initial = {"submission": new_submission_key(), "offer": offer.token if offer else ""}
        if user.is_authenticated:
            initial.update(
                name=user.get_full_name(),
                email=user.email,
                phone=user.phone,
                address_line1=user.address_line1,
                address_line2=user.address_line2,
                city=user.city,
                region=user.region,
                postal_code=user.postal_code,
                country=user.country or "US",
            )
        elif offer is not None:
            initial.update(name=offer.name, email=offer.email)
        form = CheckoutForm(
            initial=initial,
            event=self.event,
            ticket_types=self.buyable,
            user=user,
            now=self.now,
            quantities=quantities,
        )
        # An event with meals asks how many tickets first, so it can ask about each one.
        self.context["quantity_step"] = bool(self.event.meal_choices) and not quantities
        return self.render_form(form, status=status)

    def post(self, request, slug):
        event, now, user = self.event, self.now, request.user
        form = CheckoutForm(
            request.POST, event=event, ticket_types=self.buyable, user=user, now=now
        )
        if CHANGE_ORDER in request.POST:
            # Back from the review to change the order: the form as it was filled in.
            return self.render_form(form, status=200)
        if not form.is_valid():
            return self.render_form(form, status=422)
        if REVIEW_FIRST in request.POST:
            # Nothing has shown the total yet (no JavaScript): show the order and its total
            # before it is placed. The script that shows the total live drops REVIEW_FIRST.
            self.context.update(form=form, summary=form.summary_lines())
            return render(request, "tickets/checkout_review.html", self.context)
        try:
            result = place_order(
                ReservationRequest(
                    event=event,
                    lines=form.lines,
                    buyer=form.buyer(),
                    attendees=form.attendees() if event.meal_choices else (),
                    user=user if user.is_authenticated else None,
                    idempotency_key=form.cleaned_data["submission"],
                    now=now,
                    offer=self.offer,
                    client_ip=client_ip(request),
                ),
                payment_method=form.cleaned_data["payment_method"],
            )
        except LimitReached as error:
            self.context["limit_message"] = error.message
            page = render(request, "tickets/checkout_limited.html", self.context)
            return rate_limits.too_many_attempts(page, *error.limits)
        except CardPaymentsNotAnswering as error:
            form.add_error(None, error.message)
            # Nothing was kept: trying again must make a new order, not find this one.
            form.data = form.data.copy()
            form.data["submission"] = new_submission_key()
            return self.render_form(form, status=503)
        except InventoryError as error:
            form.add_error(None, error.message)
            return self.render_form(
                form, status=409 if isinstance(error, SoldOut | SalesClosed) else 422
            )
        # 303: the browser GETs the payment page (or the order's), never re-POSTs the form.
        response = redirect(result.redirect_url or result.order.get_absolute_url())
        response.status_code = 303
        return response

    def render_form(self, form, *, status: int):
        context = self.context
        context["form"] = form
        context["quantity_fields"] = [
            form[f"qty_{row['ticket_type'].pk}"]
            for row in self.rows
            if f"qty_{row['ticket_type'].pk}" in form.fields
        ]
        context["unavailable_rows"] = [
            row for row in self.rows if row["ticket_type"] not in self.buyable
        ]
        return render(self.request, "tickets/checkout.html", context, status=status)


def _order_for(token):
    if not is_token(token):
        raise Http404(_("No order has this address."))
    order = (
        Order.objects.select_related("event", "event__venue", "event__partnership")
        .prefetch_related(
            Prefetch("tickets", queryset=Ticket.objects.select_related("ticket_type"))
        )
        .filter(token=token)
        .first()
    )
    if order is None:
        raise Http404(_("No order has this address."))
    return order


def _order_context(request, order, *, now):
    event = order.event
    tickets = list(order.tickets.all())
    changes_closed = changes_closed_reason(order, now=now)
    can_cancel = order.buyer_may_cancel(now)
    own_tickets = [ticket for ticket in tickets if not ticket.is_transferred]
    for number, ticket in enumerate(tickets, start=1):
        ticket.number = number
        if ticket.is_transferred:
            continue  # its code is its new holder's, not on the buyer's page
        ticket.qr_svg = ticket_qr_svg(
            ticket,
            event=event,
            title=_("QR code of ticket %(n)s, %(code)s") % {"n": number, "code": ticket.code},
        )
        ticket.may_transfer = (
            not changes_closed and order.holds_tickets and ticket.checked_in_at is None
        )
        ticket.may_cancel = can_cancel and len(own_tickets) > 1
        if ticket.may_cancel:
            ticket.refund = order.refund_on_cancelling([ticket])
    return {
        "changes_closed": changes_closed,
        "changes_close_at": event.changes_close_at,
        "refund_policy": event.refund_policy,
        "whole_refund": order.refund_on_cancelling(own_tickets) if can_cancel else None,
        "unnamed_seats": sum(1 for t in own_tickets if t.is_table_seat and not t.attendee_name),
        "tickets_given_away": len(tickets) - len(own_tickets),
        "order": order,
        "event": event,
        "tickets": tickets,
        "location": public_location(event, viewer=request.user, order=order, at=now),
        "venue": visible_venue(event, viewer=request.user, order=order, at=now),
        "online_link": event.online_link
        if can_see_online_link(event, viewer=request.user, order=order, at=now)
        else "",
        "reveal_message": reveal_message(event, viewer=request.user, order=order, at=now),
        "venue_will_be_emailed": venue_will_be_emailed(order, now=now),
        "reveal_pending": not event.venue_is_revealed(now),
        "can_cancel": order.buyer_may_cancel(now),
        "cannot_cancel": order.why_buyer_may_not_cancel(now),
        "association": Association.kept(),
        # Cancelled, refunded or expired: the page says so and offers nothing to use.
        "order_is_closed": order.is_closed,
        "total": format_money(order.total) if order.total else _("Free"),
    }


@never_cache
@require_GET
def order_detail(request, token):
    now = timezone.now()
    order = _order_for(token)
    # Asked before the page is built: coming back from Stripe may have confirmed it.
    card = card_payment_state(order, now=now)
    context = _order_context(request, order, now=now)
    # A closed order (refunded, cancelled, expired) says that and nothing else: not also
    # "payment received" or "try paying again".
    context["card_payment"] = None if order.is_closed else card
    # A paid order's receipt (offline money too; the card notice carries its own link).
    context["receipt_url"] = (
        order_receipt_url(order)
        if order.paid_at and not order.is_closed and not (card and card.received)
        else ""
    )
    context["checkout_cancelled"] = request.GET.get("checkout") == "cancelled"
    response = render(request, "tickets/order_detail.html", context)
    response["X-Robots-Tag"] = "noindex"
    # The token is in this page's address: never send it to other sites. Not
    # "no-referrer": with it Chromium posts the cancel form with `Origin: null`, which
    # Django's CSRF check refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def order_cancel(request, token):
    now = timezone.now()
    order = _order_for(token)
    if request.method == "GET":
        # Someone followed or reloaded the form's address: show the order, which holds
        # the button; cancelling itself stays a POST.
        return redirect(order.get_absolute_url())
    chosen = request.POST.getlist("ticket")
    if not all(value.isdigit() for value in chosen):
        return _order_refusal(request, order, _("Please choose tickets of this order."), now=now)
    try:
        done = cancel_tickets(
            order=order,
            ticket_ids=[int(value) for value in chosen] or None,
            now=now,
            actor=OrderChange.Actor.BUYER,
        )
    except CancellationRefused as refusal:
        return _order_refusal(request, order, refusal.message, now=now)
    if done.tickets:
        text = (
            _("Your order is cancelled. Your tickets are back on sale.")
            if done.whole_order
            else ngettext(
                "The ticket is cancelled and back on sale.",
                "%(n)s tickets are cancelled and back on sale.",
                done.tickets,
            )
            % {"n": done.tickets}
        )
        if done.refunded:
            text += " " + _("%(amount)s is refunded to your card.") % {
                "amount": format_money(done.refunded)
            }
        messages.success(request, text)
    response = redirect(order.get_absolute_url())
    response.status_code = 303
    return response


def _order_refusal(request, order, message, *, now, status=409):
    context = _order_context(request, order, now=now)
    context["cancel_error"] = message
    return render(request, "tickets/order_detail.html", context, status=status)


def _see_order(order):
    response = redirect(order.get_absolute_url())
    response.status_code = 303
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def order_guests(request, token):
    """/orders/<token>/guests/: the buyer names the guests (a table's seats) and changes
    names, meals, dietary notes and the postal address, until the change deadline."""
    now = timezone.now()
    order = _order_for(token)
    closed = changes_closed_reason(order, now=now)
    if closed:
        if request.method == "POST":
            return _order_refusal(request, order, closed, now=now)
        return _see_order(order)
    tickets = [ticket for ticket in order.tickets.all() if not ticket.is_transferred]
    form = TicketDetailsForm(request.POST or None, event=order.event, tickets=tickets, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            update_tickets(
                order=order, details=form.details(), now=now, actor=OrderChange.Actor.BUYER
            )
            address = form.address()
            if address is not None:
                update_address(order=order, address=address, now=now, actor=OrderChange.Actor.BUYER)
        except ChangeRefused as refusal:
            return _order_refusal(request, order, refusal.message, now=now)
        messages.success(request, _("Your changes are saved."))
        return _see_order(order)
    context = {
        "order": order,
        "event": order.event,
        "form": form,
        "changes_close_at": order.event.changes_close_at,
    }
    response = render(
        request, "tickets/order_guests.html", context, status=422 if form.errors else 200
    )
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def ticket_transfer(request, token, ticket_id):
    """/orders/<token>/tickets/<id>/transfer/: give a ticket to someone else."""
    now = timezone.now()
    order = _order_for(token)
    ticket = next((t for t in order.tickets.all() if t.pk == ticket_id), None)
    if ticket is None or ticket.is_transferred:
        raise Http404(_("This order has no such ticket of yours."))
    closed = changes_closed_reason(order, now=now)
    if closed:
        if request.method == "POST":
            return _order_refusal(request, order, closed, now=now)
        return _see_order(order)
    form = TransferForm(request.POST or None, event=order.event)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                given = transfer_ticket(
                    ticket=ticket,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    meal_choice=form.cleaned_data.get("meal_choice", ""),
                    dietary_notes=form.cleaned_data.get("dietary_notes", ""),
                    now=now,
                    actor=OrderChange.Actor.BUYER,
                )
            except TransferRefused as refusal:
                form.add_error(None, refusal.message)
                status = 409
            else:
                messages.success(
                    request,
                    _("The ticket is now %(name)s’s: we emailed it to %(email)s.")
                    % {"name": given.attendee_name, "email": given.attendee_email},
                )
                return _see_order(order)
    context = {"order": order, "event": order.event, "ticket": ticket, "form": form}
    response = render(request, "tickets/ticket_transfer.html", context, status=status)
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def ticket_detail(request, token):
    """/tickets/<token>/: the page of a ticket given to someone (its holder's private
    link): its QR code, the event (the venue through the gate), and its details to change
    until the deadline."""
    if not is_token(token):
        raise Http404(_("No ticket has this address."))
    ticket = (
        Ticket.objects.select_related("order", "order__event", "order__event__venue", "ticket_type")
        .filter(holder_token=token, transferred_at__isnull=False)
        .first()
    )
    if ticket is None:
        raise Http404(_("No ticket has this address."))
    now = timezone.now()
    order = ticket.order
    closed = changes_closed_reason(order, now=now)
    form = None
    status = 200
    if not closed and not order.is_closed:
        form = TicketDetailsForm(request.POST or None, event=order.event, tickets=[ticket])
        # The holder's email is where the ticket goes: not changed here.
        form.fields.pop(f"email_{ticket.pk}")
        form.groups = [
            (t, who, [f for f in fields if f.name in form.fields]) for t, who, fields in form.groups
        ]
    if request.method == "POST":
        if form is None:
            status = 409
        elif form.is_valid():
            details = form.details()
            details[ticket.pk]["attendee_email"] = ticket.attendee_email
            try:
                update_tickets(
                    order=order, details=details, now=now, actor=OrderChange.Actor.HOLDER
                )
            except ChangeRefused as refusal:
                form.add_error(None, refusal.message)
                status = 409
            else:
                messages.success(request, _("Your changes are saved."))
                response = redirect(ticket.get_absolute_url())
                response.status_code = 303
                return response
        else:
            status = 422
    context = holder_context(ticket, now=now)
    context.update(
        form=form,
        changes_closed=closed,
        order_is_closed=order.is_closed,
        reveal_pending=not order.event.venue_is_revealed(now),
        qr_svg=ticket_qr_svg(
            ticket,
            event=order.event,
            title=_("QR code of your ticket, %(code)s") % {"code": ticket.code},
        )
        if not order.is_closed
        else "",
    )
    response = render(request, "tickets/ticket_detail.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_GET
def order_ics(request, token):
    now = timezone.now()
    order = _order_for(token)
    return ics_response(
        ics.event_calendar(order.event, viewer=request.user, order=order, now=now),
        f"{order.event.slug}.ics",
    )


def waitlist_join(request, slug):
    event = get_object_or_404(Event.objects.published(), slug=slug)
    now = timezone.now()
    context = {"event": event, "checkout_url": waitlist.checkout_path(event)}
    if not waitlist.waitlist_is_open(event, now=now):
        return render(
            request,
            "tickets/waitlist/join.html",
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
            return render(request, "tickets/waitlist/join.html", {**context, "joined": True})
        if not waitlist.is_sold_out(event, now=now):
            messages.info(request, _("Tickets are available: you can buy them now."))
            return redirect(context["checkout_url"])
        return render(request, "tickets/waitlist/join.html", {**context, "form": form})

    if not form.is_valid():
        return render(request, "tickets/waitlist/join.html", {**context, "form": form}, status=400)
    ticket_type = form.cleaned_data.get("ticket_type")
    if not waitlist.is_sold_out(event, now=now, ticket_type=ticket_type):
        messages.info(request, _("Tickets are available again: you can buy them now."))
        return redirect(context["checkout_url"])
    email = form.cleaned_data["email"].strip()
    # The same answer, in the same time, whether or not this address is already on the
    # list: joining and the email to the address's owner happen after the response.
    task = functools.partial(
        waitlist.join_and_tell,
        event=event,
        name=form.cleaned_data["name"],
        email=email,
        quantity=form.cleaned_data["quantity"],
        ticket_type=ticket_type,
        now=now,
    )
    messages.success(
        request,
        _("You are on the waiting list. If places come back, we will email %(email)s.")
        % {"email": email},
    )
    joined_url = reverse("tickets:waitlist_join", kwargs={"slug": event.slug}) + "?joined=1"
    return RedirectThenRun(joined_url, tasks=[task])
