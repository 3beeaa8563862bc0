"""The staff side of tickets: orders, tickets, the waiting list, and what selling adds to
the events' admin pages (events/admin.py), whose classes these subclass and register in
their place: ticket types, the sales figures, telling ticket holders of a move.

The figures (sold, held, unpaid, remaining, checked in, revenue) come from
`availability.with_sales_figures`, what the public pages read, and
"remaining" from `availability.places_left`, the count the public pages show: staff and
visitors never see two numbers. The changelist costs the same few queries for any number
of events. Order actions go through `orders`, `notifications` and `checkin`, never around
them.
"""

import contextlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationTabularInline

from association.formats import format_money
from events import admin as events_admin
from events.admin import SavesItsFieldsAdmin, SavesItsFieldsForm
from events.models import Event, Venue
from membership.models import POSTAL_ADDRESS_FIELDS
from payments.admin import ManagePaymentsActionsMixin, PaymentMethodFilter
from payments.confirmation import latest_card_payment
from payments.models import method_in_words

from . import checkin, notifications, order_payments, seats, transfers, waitlist
from .availability import lock_event, places_left, places_taken, with_sales_figures
from .forms import TransferForm
from .models import (
    ORDER_PURPOSE,
    OfferState,
    Order,
    OrderChange,
    RefundedTicket,
    Ticket,
    TicketType,
    WaitlistEntry,
)
from .orders import cancel_order, release_unpaid_order
from .self_service import record_change


def _say_who_will_be_told(model_admin, request, told: int) -> None:
    if told:
        model_admin.message_user(
            request,
            ngettext(
                "The buyer of %(count)d order will be emailed the new date, time or venue.",
                "The buyers of %(count)d orders will be emailed the new date, time or venue.",
                told,
            )
            % {"count": told},
        )


class TellsTicketHoldersAdmin:
    """An admin whose edits ticket holders may have to hear of (a moved event, a venue's
    new address): the row as it was is read before the save, `record_change(obj, before=,
    now=)` (notifications' rule) decides who is told, and staff read how many."""

    record_change = None

    def save_model(self, request, obj, form, change):
        before = type(obj).objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if before is not None:
            told = self.record_change(obj, before=before, now=timezone.now())
            _say_who_will_be_told(self, request, told)


class VenueAdminForm(events_admin.VenueAdminForm):
    tell_ticket_holders = forms.BooleanField(
        label=_("Yes, email the ticket holders the new venue details"),
        required=False,
        help_text=_(
            "Asked only when ticket holders of a coming event already know this venue: "
            "each of them is then emailed once with the new details (a secret venue is "
            "told only from its reveal)."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        # An edit of what the reveal shows is news to those told the venue
        # (`notifications.record_venue_edit`, called by the admin's save): the save waits
        # for staff to say so, as when an event moves (a checkbox, no JavaScript).
        edited = [name for name in Venue.REVEALED_FIELDS if name in self.changed_data]
        if not self.instance.pk or not edited or cleaned.get("tell_ticket_holders"):
            return cleaned
        told = notifications.orders_told_the_venue(self.instance, now=timezone.now()).count()
        if told:
            self.add_error(
                "tell_ticket_holders",
                ngettext(
                    "%(count)d order of a coming event at this venue was told where it is: "
                    "its buyer will be emailed the new details. Tick this box to save and "
                    "tell them.",
                    "%(count)d orders of coming events at this venue were told where it "
                    "is: their buyers will be emailed the new details. Tick this box to "
                    "save and tell them.",
                    told,
                )
                % {"count": told},
            )
        return cleaned


admin.site.unregister(Venue)


@admin.register(Venue)
class VenueAdmin(TellsTicketHoldersAdmin, events_admin.VenueAdmin):
    form = VenueAdminForm
    fieldsets = (
        *events_admin.VenueAdmin.fieldsets,
        (_("Ticket holders"), {"fields": ("tell_ticket_holders",)}),
    )

    def get_fieldsets(self, request, obj=None):
        # A new venue has no ticket holders to tell.
        return self.fieldsets if obj is not None else self.fieldsets[:2]

    # Who hears of a changed address, and what: notifications' one rule.
    record_change = staticmethod(notifications.record_venue_edit)


def _cannot_go_below(taken, *, what) -> str:
    """The form error when staff set a quantity or capacity below what is already taken."""
    if taken.offered:
        return ngettext(
            "%(sold)d ticket is already sold or held and %(offered)d offered to the "
            "waiting list; the %(what)s cannot be lower than %(lowest)d.",
            "%(sold)d tickets are already sold or held and %(offered)d offered to the "
            "waiting list; the %(what)s cannot be lower than %(lowest)d.",
            taken.reserved,
        ) % {
            "sold": taken.reserved,
            "offered": taken.offered,
            "what": what,
            "lowest": taken.lowest_allowed,
        }
    return ngettext(
        "%(sold)d ticket is already sold or held; the %(what)s cannot be lower.",
        "%(sold)d tickets are already sold or held; the %(what)s cannot be lower.",
        taken.reserved,
    ) % {"sold": taken.reserved, "what": what}


class TicketTypeAdminForm(SavesItsFieldsForm):
    class Meta:
        model = TicketType
        fields = "__all__"  # noqa: DJ007 - the inline narrows it to its fields

    def clean(self):
        cleaned = super().clean()
        quantity = cleaned.get("quantity")
        if self.instance.pk and quantity is not None and not cleaned.get("DELETE"):
            # The fresh count, not the one loaded with the form: tickets sell meanwhile.
            # (EventAdmin holds the event's lock, so none sells between here and the save.)
            taken = places_taken(
                event_id=self.instance.event_id,
                ticket_type_id=self.instance.pk,
                now=timezone.now(),
            )
            if quantity < taken.lowest_allowed:
                self.add_error("quantity", _cannot_go_below(taken, what=_("quantity")))
        return cleaned


class TicketTypeInline(TranslationTabularInline):
    model = TicketType
    form = TicketTypeAdminForm
    extra = 0
    fields = (
        "name",
        "description",
        "price",
        "member_price",
        "goods_value",
        "seats",
        "quantity",
        "reserved",
        "sales_start",
        "sales_end",
        "max_per_order",
        "members_only",
        "position",
    )
    readonly_fields = ("reserved",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")


class EventAdminForm(events_admin.EventAdminForm):
    tell_ticket_holders = forms.BooleanField(
        label=_("Yes, email the ticket holders the new date, time or venue"),
        required=False,
        help_text=_(
            "Asked only when tickets are sold and the start, the end or the venue changes: "
            "each ticket holder is then emailed once, with a new calendar file (a secret "
            "venue only from its reveal)."
        ),
    )

    def _check_move_is_meant(self) -> None:
        """Moving an event with tickets sold emails every ticket holder: the save waits for
        staff to say so (a checkbox, so it works without JavaScript)."""
        moved = [name for name in Event.MOVE_FIELDS if name in self.changed_data]
        if moved == ["venue"] and not self.instance.venue_is_revealed(timezone.now()):
            moved = []  # a venue still secret: nobody knew the old one, nobody is told
        if not self.instance.pk or not moved or self.cleaned_data.get("tell_ticket_holders"):
            return
        sold = notifications.orders_with_valid_tickets(self.instance).count()
        if sold:
            self.add_error(
                "tell_ticket_holders",
                ngettext(
                    "%(count)d order has tickets for this event: its buyer will be emailed "
                    "the new date, time or venue. Tick this box to save and tell them.",
                    "%(count)d orders have tickets for this event: their buyers will be "
                    "emailed the new date, time or venue. Tick this box to save and tell "
                    "them.",
                    sold,
                )
                % {"count": sold},
            )

    def clean(self):
        cleaned = super().clean()
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity is not None:
            taken = places_taken(event_id=self.instance.pk, now=timezone.now())
            if capacity < taken.lowest_allowed:
                self.add_error("capacity", _cannot_go_below(taken, what=_("capacity")))
        self._check_move_is_meant()
        return cleaned


def staff_links(event: Event) -> list[tuple[str, str]]:
    """The event's staff pages, shown as the change form's object tools."""
    slug = event.slug
    return [
        (reverse("tickets:checkin", kwargs={"slug": slug}), _("Check-in")),
        (reverse("tickets:export_attendees", kwargs={"slug": slug}), _("Attendees CSV")),
        (reverse("tickets:export_meals", kwargs={"slug": slug}), _("Meals CSV")),
        (reverse("tickets:export_addresses", kwargs={"slug": slug}), _("Addresses CSV")),
        (
            reverse("admin:tickets_order_changelist") + f"?event__id__exact={event.pk}",
            _("Orders"),
        ),
        (
            reverse("admin:tickets_order_changelist")
            + f"?event__id__exact={event.pk}&payment={AwaitingPaymentFilter.UNPAID}",
            _("Unpaid reservations"),
        ),
        (
            reverse("admin:tickets_waitlistentry_changelist") + f"?event__id__exact={event.pk}",
            _("Waiting list"),
        ),
    ]


admin.site.unregister(Event)


CHANGE_POLICY_FIELDS = (
    "change_deadline",
    "cancellation_deadline",
    "refund_policy",
    "cancellation_fee",
)


@admin.register(Event)
class EventAdmin(TellsTicketHoldersAdmin, events_admin.EventAdmin):
    form = EventAdminForm
    inlines = [TicketTypeInline]
    FIGURES = ("sold", "held", "unpaid", "remaining", "checked_in", "revenue")
    list_display = (*events_admin.EventAdmin.list_display, *FIGURES)
    readonly_fields = FIGURES

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            if name == _("When"):
                options = {**options, "fields": (*options["fields"], "tell_ticket_holders")}
            fieldsets.append((name, options))
        # tables: the attendees' self-service and the cancellation policy
        changes = (
            _("Changes and cancellations"),
            {"fields": CHANGE_POLICY_FIELDS},
        )
        return [*fieldsets, changes, (_("Figures and tools"), {"fields": self.FIGURES})]

    def get_queryset(self, request):
        events = super().get_queryset(request)
        return with_sales_figures(events, now=timezone.now(), staff_counts=True)

    # Who hears of a new time or place, and what: notifications' one rule.
    record_change = staticmethod(notifications.record_event_move)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["staff_links"] = staff_links(obj) if obj is not None and obj.pk else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST" and from_field is None:
            # The admin saves inside one transaction. Holding the event's lock from here
            # on, no ticket sells between the check that a new quantity or capacity is not
            # below what is taken (the forms' clean) and the save.
            # Not an event id: no lock, and the admin answers as for any unknown object.
            with contextlib.suppress(ValueError, TypeError, ValidationError):
                lock_event(event_id=object_id)
        return super().get_object(request, object_id, from_field)

    @admin.display(description=_("Sold"), ordering="figure_sold")
    def sold(self, event):
        return getattr(event, "figure_sold", "—")

    @admin.display(description=_("Held"), ordering="figure_held")
    def held(self, event):
        return getattr(event, "figure_held", "—")

    @admin.display(description=_("Unpaid"), ordering="figure_unpaid")
    def unpaid(self, event):
        """Places held by pay-later reservations not yet paid (counted in "sold")."""
        return getattr(event, "figure_unpaid", "—")

    @admin.display(description=_("Checked in"), ordering="figure_checked_in")
    def checked_in(self, event):
        return getattr(event, "figure_checked_in", "—")

    @admin.display(description=_("Remaining"))
    def remaining(self, event):
        """What can still be sold now: the count the public page shows."""
        if not hasattr(event, "open_offers"):
            return "—"
        return places_left(event, now=timezone.now()).total

    @admin.display(description=_("Revenue"), ordering="figure_revenue")
    def revenue(self, event):
        if not hasattr(event, "figure_revenue"):
            return "—"
        return format_money(event.figure_revenue)


class TicketInline(admin.TabularInline):
    model = Ticket
    form = SavesItsFieldsForm
    extra = 0
    can_delete = False
    fields = (
        "code",
        "ticket_type",
        "table_number",
        "seat_number",
        "attendee_name",
        "attendee_email",
        "meal_choice",
        "dietary_notes",
        "price_paid",
        "checked_in_at",
        "checked_in_by",
        "holder",
    )
    readonly_fields = (
        "code",
        "ticket_type",
        "seat_number",
        "price_paid",
        "checked_in_at",
        "checked_in_by",
        "holder",
    )

    @admin.display(description=_("Holder"))
    def holder(self, ticket):
        """Given to someone (their page), or a link to give it."""
        if ticket.pk is None:
            return "-"
        transfer = reverse("admin:tickets_ticket_transfer", args=[ticket.pk])
        if ticket.is_transferred:
            return format_html(
                '{} <a href="{}">{}</a> · <a href="{}">{}</a>',
                _("Transferred"),
                ticket.get_absolute_url(),
                _("their page"),
                transfer,
                _("transfer again"),
            )
        return format_html('<a href="{}">{}</a>', transfer, _("Transfer…"))

    @admin.display(description=_("Price"))
    def price_paid(self, ticket):
        return format_money(ticket.price)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("order", "ticket_type__event", "checked_in_by")
        )

    def has_add_permission(self, request, obj=None):
        return False


class OrderRecordInline(admin.TabularInline):
    """A part of an order kept for the record: shown to whoever sees orders (it has no
    permission of its own), never added, changed or deleted by hand."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("tickets.view_order")


class RefundedTicketInline(OrderRecordInline):
    """The tickets a partial refund took off the order, kept for the record (and the door)."""

    model = RefundedTicket
    fields = ("code", "ticket_type", "attendee_name", "price_refunded", "refunded_at")
    readonly_fields = fields

    @admin.display(description=_("Price"))
    def price_refunded(self, ticket):
        return format_money(ticket.price)


class OrderChangeInline(OrderRecordInline):
    """The order's history: who named, changed, transferred, cancelled or released what."""

    model = OrderChange
    fields = ("at", "actor", "user", "ticket_code", "description")
    readonly_fields = fields
    verbose_name_plural = _("history of changes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class AwaitingPaymentFilter(admin.SimpleListFilter):
    """Pay-later reservations still unpaid (`Order.objects.awaiting_payment()`)."""

    title = _("payment")
    parameter_name = "payment"
    UNPAID = "unpaid"

    def lookups(self, request, model_admin):
        return ((self.UNPAID, _("Reserved, not paid")),)

    def queryset(self, request, queryset):
        if self.value() == self.UNPAID:
            return queryset.awaiting_payment()
        return queryset


class RefundForm(forms.Form):
    """The order refund page: which of the order's tickets to refund (all of them unless
    staff untick some), and why."""

    ticket = forms.ModelMultipleChoiceField(
        label=_("Tickets to refund"),
        queryset=Ticket.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Please choose the tickets to refund."),
            "invalid_choice": _("Please choose the tickets to refund from the list."),
            "invalid_pk_value": _("Please choose the tickets to refund from the list."),
        },
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["ticket"]
        field.queryset = order.tickets.select_related("ticket_type").order_by("pk")
        field.label_from_instance = lambda ticket: (
            f"{ticket.ticket_type.name}: {ticket.holder_name} ({format_money(ticket.price)})"
        )
        if not self.is_bound:
            self.initial["ticket"] = [ticket.pk for ticket in field.queryset]


def _record_staff_edit(request, order, form, *, what, ticket_code=""):
    """A staff edit in the order's admin, field by field, in its history."""
    changes = "; ".join(
        f"{form.fields[name].label}: “{form.initial.get(name, '') or ''}” → "
        f"“{form.cleaned_data.get(name, '') or ''}”"
        for name in form.changed_data
    )
    record_change(
        order,
        actor=OrderChange.Actor.STAFF,
        user=request.user,
        now=timezone.now(),
        ticket_code=ticket_code,
        description=f"{what}: {changes}",
    )


@admin.register(Order)
class OrderAdmin(ManagePaymentsActionsMixin, SavesItsFieldsAdmin):
    inlines = [TicketInline, RefundedTicketInline, OrderChangeInline]
    # Narrow enough for a 1280 px screen: the buyer's name and address share a column, and
    # when it was placed is the date hierarchy above the list.
    list_display = (
        "reference",
        "buyer",
        "event_title",
        "status",
        "method",
        "total_amount",
        "paid",
        "pay_by",
    )
    list_filter = (AwaitingPaymentFilter, "status", PaymentMethodFilter, "event")
    list_select_related = ("event",)
    search_fields = ("reference", "buyer_name", "email")
    date_hierarchy = "created_at"
    actions = [
        "mark_paid",
        "cancel_orders",
        "release_unpaid",
        "resend_confirmation",
        "refund_by_card",
    ]
    readonly_fields = (
        "card_payment",
        "reference",
        "event",
        "user",
        "status",
        "total_amount",
        "method",
        "payment_instructions",
        "paid_at",
        "pay_by",
        "payment_reminder_sent_at",
        "hold_expires_at",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "venue_notice_sent_at",
        "venue_update_sent_at",
    )
    fieldsets = (
        (None, {"fields": ("reference", "event", "status", "user")}),
        (_("Buyer"), {"fields": ("buyer_name", "email", "phone")}),
        (
            _("Postal address"),
            {"fields": POSTAL_ADDRESS_FIELDS},
        ),
        (
            _("Payment"),
            {
                "fields": (
                    "total_amount",
                    "method",
                    "payment_instructions",
                    "paid_at",
                    "pay_by",
                    "payment_reminder_sent_at",
                    "card_payment",
                )
            },
        ),
        (
            _("History"),
            {
                "fields": (
                    "created_at",
                    "hold_expires_at",
                    "confirmed_at",
                    "cancelled_at",
                    "venue_notice_sent_at",
                    "venue_update_sent_at",
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            _record_staff_edit(request, obj, form, what=_("Order"))

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Ticket:
            for ticket_form in formset.forms:
                if ticket_form.instance.pk and ticket_form.changed_data:
                    ticket = ticket_form.instance
                    _record_staff_edit(
                        request,
                        form.instance,
                        ticket_form,
                        what=ticket.seat_label or _("Ticket %(code)s") % {"code": ticket.code},
                        ticket_code=ticket.code,
                    )

    @admin.display(description=_("Total"), ordering="total")
    def total_amount(self, order):
        return format_money(order.total)

    @admin.display(description=_("Event"), ordering="event__starts_at")
    def event_title(self, order):
        # A method, not the foreign key: the admin keeps a foreign key on one line.
        return order.event.title

    @admin.display(description=_("Buyer"), ordering="buyer_name")
    def buyer(self, order):
        return format_html("{}<br><small>{}</small>", order.buyer_name, order.email)

    @admin.display(description=_("Payment method"), ordering="payment_method")
    def method(self, order):
        return method_in_words(order.payment_method)

    @admin.display(description=_("Paid"), boolean=True)
    def paid(self, order):
        return order.is_paid

    @admin.display(description=_("Card payment"))
    def card_payment(self, order):
        """The card payment's state, a dispute or refund made in Stripe's dashboard
        included, with a link to it among the payments."""
        payment = latest_card_payment(purpose=ORDER_PURPOSE, object_id=order.pk)
        if payment is None:
            return "-"
        flag = " ⚠" if payment.status == payment.Status.DISPUTED or payment.problem else ""
        refunded = (
            _(", %(amount)s refunded") % {"amount": format_money(payment.amount_refunded)}
            if payment.amount_refunded
            else ""
        )
        return format_html(
            '<a href="{}">{}{}</a>{}{}',
            reverse("admin:payments_payment_change", args=[payment.pk]),
            payment.get_status_display(),
            refunded,
            flag,
            format_html("<br>{}", payment.problem) if payment.problem else "",
        )

    def get_urls(self):
        return [
            path(
                "<int:order_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="tickets_order_refund",
            ),
            *super().get_urls(),
        ]

    # Money moves: refunding and marking paid are the Treasurer's (payments.manage_payments);
    # Event managers see the orders and where their payment stands.
    @admin.action(
        description=_("Refund by card (all or some tickets)…"), permissions=["manage_payments"]
    )
    def refund_by_card(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose one order to refund."), messages.WARNING)
            return None
        return redirect("admin:tickets_order_refund", order_id=queryset.get().pk)

    def refund_view(self, request, order_id):
        """Choose the tickets to refund (all of them by default) and a reason
        (`RefundForm`); bad input is answered with the form and its errors, a 422."""
        order = Order.objects.filter(pk=order_id).select_related("event").first()
        if order is None or not (
            self.has_view_permission(request, order)
            and self.has_manage_payments_permission(request, order)
        ):
            raise PermissionDenied
        error = ""
        if request.method == "POST":
            form = RefundForm(request.POST, order=order)
        else:
            form = RefundForm(order=order)
        if form.is_bound and form.is_valid():
            try:
                amount = order_payments.refund_order(
                    order=order,
                    ticket_ids=[ticket.pk for ticket in form.cleaned_data["ticket"]],
                    reason=form.cleaned_data["reason"],
                    requested_by=request.user,
                    now=timezone.now(),
                )
            except order_payments.CannotRefund as refused:
                error = str(refused)
            else:
                record_change(
                    order,
                    actor=OrderChange.Actor.STAFF,
                    user=request.user,
                    now=timezone.now(),
                    description=_("%(amount)s refunded by card (%(n)s ticket(s)). %(reason)s")
                    % {
                        "amount": format_money(amount),
                        "n": len(form.cleaned_data["ticket"]),
                        "reason": form.cleaned_data["reason"],
                    },
                )
                waitlist.offer_places_of(event_id=order.event_id, now=timezone.now())
                self.message_user(
                    request,
                    _("%(amount)s refunded on order %(ref)s; the buyer is emailed.")
                    % {"amount": format_money(amount), "ref": order.reference},
                )
                return redirect("admin:tickets_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refund order %(ref)s") % {"ref": order.reference},
            "order": order,
            "form": form,
            "payment": order_payments.paid_card_payment(order),
            "error": error,
            "opts": self.model._meta,
        }
        refused = bool(error) or (form.is_bound and not form.is_valid())
        return TemplateResponse(
            request, "admin/tickets/order/refund.html", context, status=422 if refused else 200
        )

    def has_add_permission(self, request):
        # Orders come from the checkout, which keeps the counters right.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would bypass the counters; cancel instead.
        return False

    @admin.action(description=_("Mark the selected orders paid"), permissions=["manage_payments"])
    def mark_paid(self, request, queryset):
        now = timezone.now()
        done = 0
        for order in queryset.select_related("event"):
            if order.paid_at or order.is_closed:
                continue
            # Through the order's payment record, so the payments list, the treasurer's
            # CSV and the receipt know of offline money too.
            if order_payments.record_offline_payment(order=order, now=now):
                done += 1
        self._report(request, done, queryset.count(), _("marked paid"))

    @admin.action(
        description=_("Cancel the selected orders (tickets return to sale)"),
        permissions=["change"],
    )
    def cancel_orders(self, request, queryset):
        now = timezone.now()
        done = 0
        paid_by_card = []
        for order in queryset.select_related("event"):
            if order.is_closed:
                continue
            if order.cancels_only_by_refund:
                paid_by_card.append(order.reference)
                continue
            cancel_order(order=order, now=now)
            record_change(
                order,
                actor=OrderChange.Actor.STAFF,
                user=request.user,
                now=now,
                description=_("Order cancelled by staff"),
            )
            notifications.send_order_cancelled(order, now=now)
            waitlist.offer_places_of(event_id=order.event_id, now=now)
            done += 1
        self._report(request, done, queryset.count() - len(paid_by_card), _("cancelled"))
        if paid_by_card:
            self.message_user(
                request,
                ngettext(
                    "Order %(refs)s was paid by card and is not cancelled: use the action "
                    "“Refund by card” to cancel it, so the buyer gets the money back.",
                    "Orders %(refs)s were paid by card and are not cancelled: use the action "
                    "“Refund by card” on each to cancel it, so the buyers get the money back.",
                    len(paid_by_card),
                )
                % {"refs": ", ".join(paid_by_card)},
                messages.ERROR,
            )

    @admin.action(
        description=_("Release the selected unpaid reservations (places return to sale)"),
        permissions=["change"],
    )
    def release_unpaid(self, request, queryset):
        """Staff release pay-later reservations now, through the same function as the job;
        paid or closed orders in the selection are skipped."""
        now = timezone.now()
        done = 0
        for order in queryset.select_related("event"):
            if not release_unpaid_order(order=order, now=now):
                continue
            notifications.send_order_cancelled(order, now=now)
            done += 1
        self._report(request, done, queryset.count(), _("released"))

    @admin.action(description=_("Resend the confirmation email"), permissions=["change"])
    def resend_confirmation(self, request, queryset):
        now = timezone.now()
        done = 0
        for order in queryset.select_related("event", "event__venue"):
            # Any order with valid tickets, paid or not (the email itself asks the gate
            # what it may say of the venue).
            if order.status != Order.Status.CONFIRMED:
                continue
            # Queued for the outbox's worker, which builds and sends it within seconds (and
            # retries while the mail server fails; failures show under Outgoing email).
            notifications.queue_order_confirmation(order, now=now, resend=True)
            done += 1
        self._report(request, done, queryset.count(), _("sent a confirmation again"))

    def _report(self, request, done, selected, what):
        self.message_user(
            request,
            ngettext("%(count)d order %(what)s.", "%(count)d orders %(what)s.", done)
            % {"count": done, "what": what},
            messages.SUCCESS if done else messages.WARNING,
        )
        if done < selected:
            self.message_user(
                request,
                ngettext(
                    "%(count)d order skipped: its status does not allow it.",
                    "%(count)d orders skipped: their status does not allow it.",
                    selected - done,
                )
                % {"count": selected - done},
                messages.WARNING,
            )


class CheckedInFilter(admin.SimpleListFilter):
    title = _("checked in")
    parameter_name = "checked_in"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.checked_in()
        if self.value() == "no":
            return queryset.not_checked_in()
        return queryset


@admin.register(Ticket)
class TicketAdmin(SavesItsFieldsAdmin):
    list_display = (
        "code",
        "attendee",
        "ticket_type",
        "event",
        "order_link",
        "order_status",
        "checked_in_at",
    )
    list_filter = (CheckedInFilter, "order__status", "order__event")
    list_select_related = ("ticket_type__event", "order__event")
    search_fields = ("code", "attendee_name", "order__buyer_name", "order__reference")
    fields = (
        "code",
        "order",
        "ticket_type",
        "price_paid",
        "table_number",
        "seat_number",
        "attendee_name",
        "attendee_email",
        "meal_choice",
        "dietary_notes",
        "transferred_at",
        "checked_in_at",
        "checked_in_by",
    )
    readonly_fields = (
        "code",
        "order",
        "ticket_type",
        "price_paid",
        "seat_number",
        "transferred_at",
        "checked_in_at",
        "checked_in_by",
    )

    actions = ["undo_check_in", "release_unnamed_seats"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            _record_staff_edit(
                request,
                obj.order,
                form,
                what=obj.seat_label or _("Ticket %(code)s") % {"code": obj.code},
                ticket_code=obj.code,
            )

    @admin.action(
        description=_("Release the selected unnamed table seats back to sale"),
        permissions=["change"],
    )
    def release_unnamed_seats(self, request, queryset):
        now = timezone.now()
        released, refused = 0, []
        for ticket in queryset.select_related("order"):
            try:
                seats.release_unnamed_seat(ticket=ticket, now=now, user=request.user)
            except seats.SeatNotReleased as error:
                refused.append(error.message)
            else:
                released += 1
        self.message_user(
            request,
            ngettext(
                "%(n)d seat released back to sale; the waiting list is offered it.",
                "%(n)d seats released back to sale; the waiting list is offered them.",
                released,
            )
            % {"n": released},
            messages.SUCCESS if released else messages.WARNING,
        )
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    def get_urls(self):
        return [
            path(
                "<int:ticket_id>/transfer/",
                self.admin_site.admin_view(self.transfer_view),
                name="tickets_ticket_transfer",
            ),
            *super().get_urls(),
        ]

    def transfer_view(self, request, ticket_id):
        """Staff give a ticket to someone else for its buyer, at any time (the buyer's own
        rules otherwise: a new code, the old one refused, the new holder told)."""
        ticket = Ticket.objects.filter(pk=ticket_id).select_related("order__event").first()
        if ticket is None or not self.has_change_permission(request, ticket):
            raise PermissionDenied
        form = TransferForm(request.POST or None, event=ticket.order.event)
        status = 200
        if request.method == "POST":
            status = 422
            if form.is_valid():
                try:
                    transfers.transfer_ticket(
                        ticket=ticket,
                        name=form.cleaned_data["name"],
                        email=form.cleaned_data["email"],
                        meal_choice=form.cleaned_data.get("meal_choice", ""),
                        dietary_notes=form.cleaned_data.get("dietary_notes", ""),
                        now=timezone.now(),
                        actor=OrderChange.Actor.STAFF,
                        user=request.user,
                    )
                except transfers.TransferRefused as refused:
                    form.add_error(None, refused.message)
                    status = 409
                else:
                    self.message_user(
                        request,
                        _("The ticket is transferred; %(email)s is emailed its new code.")
                        % {"email": form.cleaned_data["email"]},
                    )
                    return redirect("admin:tickets_order_change", ticket.order_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Transfer ticket %(code)s") % {"code": ticket.code},
            "ticket": ticket,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/tickets/ticket/transfer.html", context, status=status
        )

    @admin.display(description=_("Price"))
    def price_paid(self, ticket):
        return format_money(ticket.price)

    @admin.action(
        description=_("Undo the check-in (a ticket scanned by mistake)"), permissions=["change"]
    )
    def undo_check_in(self, request, queryset):
        undone = checkin.undo_check_in(queryset)
        self.message_user(
            request,
            ngettext("%(n)d check-in undone.", "%(n)d check-ins undone.", undone) % {"n": undone},
        )

    @admin.display(description=_("Attendee"), ordering="attendee_name")
    def attendee(self, ticket):
        return ticket.holder_name

    @admin.display(description=_("Event"), ordering="order__event__starts_at")
    def event(self, ticket):
        return ticket.order.event

    @admin.display(description=_("Order"), ordering="order__reference")
    def order_link(self, ticket):
        url = reverse("admin:tickets_order_change", args=[ticket.order_id])
        return format_html('<a href="{}">{}</a>', url, ticket.order.reference)

    @admin.display(description=_("Order status"))
    def order_status(self, ticket):
        return ticket.order.get_status_display()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OfferStateFilter(admin.SimpleListFilter):
    title = _("offer")
    parameter_name = "offer"

    def lookups(self, request, model_admin):
        return OfferState.choices

    def queryset(self, request, queryset):
        if self.value() in OfferState.values:
            return queryset.in_offer_state(self.value(), now=timezone.now())
        return queryset


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(SavesItsFieldsAdmin):
    list_display = (
        "name",
        "email",
        "event",
        "ticket_type",
        "quantity",
        "created_at",
        "state",
        "offered_quantity",
        "offer_expires_at",
    )
    list_filter = (OfferStateFilter, "event")
    list_select_related = ("event", "ticket_type__event")
    search_fields = ("name", "email")
    readonly_fields = ("created_at", "offered_at", "offered_quantity", "fulfilled_at")
    fields = (
        "event",
        "ticket_type",
        "name",
        "email",
        "quantity",
        "created_at",
        "offered_at",
        "offered_quantity",
        "offer_expires_at",
        "fulfilled_at",
    )
    autocomplete_fields = ("event",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_offer_state(timezone.now())

    @admin.display(description=_("State"), ordering="offer_state")
    def state(self, entry):
        return OfferState(entry.offer_state).label
