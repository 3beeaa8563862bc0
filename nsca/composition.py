"""Pages composed from several apps.

`membership` and `cities` import nothing of `events`; they expose hooks and the project
plugs the events app into them here: the account page gains the member's orders and
tickets, a partnership page gains its upcoming events (through the venue-reveal gate).
"""

from django.utils import timezone

from cities.models import Partnership
from events.listing import describe_events, with_ticket_types
from events.models import Event, Order
from membership.views import AccountView as MembershipAccountView


class AccountView(MembershipAccountView):
    """/account/: membership (from membership) plus orders and tickets (from events)."""

    def get_orders(self):
        if not hasattr(self, "_orders"):
            self._orders = list(Order.objects.for_user(self.request.user))
        return self._orders

    def get_account_sections(self):
        return [*super().get_account_sections(), "nsca/account_orders_section.html"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(orders=self.get_orders(), **kwargs)

    def get_export_data(self):
        data = super().get_export_data()
        data["orders"] = [
            {
                "reference": order.reference,
                "event": order.event.title,
                "event_starts_at": order.event.starts_at,
                "status": order.status,
                "total": order.total,
                "payment_method": order.payment_method,
                "paid_at": order.paid_at,
                "created_at": order.created_at,
                "buyer_name": order.buyer_name,
                "email": order.email,
                "phone": order.phone,
                "tickets": [
                    {
                        "ticket_type": ticket.ticket_type.name,
                        "attendee_name": ticket.attendee_name,
                        "meal_choice": ticket.meal_choice,
                        "dietary_notes": ticket.dietary_notes,
                        "price": ticket.price,
                    }
                    for ticket in order.tickets.all()
                ],
            }
            for order in self.get_orders()
        ]
        return data


def upcoming_events_for_partnership(partnership, *, request):
    """The partnership page's related events (`settings.CITIES_RELATED_EVENTS`)."""
    now = timezone.now()
    events = with_ticket_types(Event.objects.upcoming(now).filter(partnership=partnership))
    return describe_events(events, viewer=request.user, now=now)


def home_page_events(*, request, limit=3):
    now = timezone.now()
    events = with_ticket_types(Event.objects.upcoming(now))[:limit]
    return describe_events(events, viewer=request.user, now=now)


def membership_interest_choices():
    """The join form's interests (`settings.MEMBERSHIP_INTEREST_CHOICES`): each current
    partnership, then each of its committees."""
    labels = []
    for partnership in Partnership.objects.current().prefetch_related("committees"):
        city = partnership.partner_city
        labels.append(f"{city.name} ({partnership.get_kind_display().lower()})")
        labels.extend(f"{city.name}: {c.name}" for c in partnership.committees.all())
    return labels
