"""Pages composed from several apps, mounted in place of the apps' plain views by
nsca/urls.py.

`membership` and `cities` import nothing of `events` (nor membership of cities); their views
have hook methods and the project overrides them here: the account page gains the member's
orders and tickets, the join page offers the sister cities and committees as interests, and
a partnership page gains its upcoming events (through the venue-reveal gate), cached no
longer than the next reveal they show, and its latest news; an event page gains its news;
the home page the latest three posts (news imports neither cities' nor events' views, and
they import nothing of news).
"""

import datetime

from django.utils import timezone

from association.page_cache import computed_once_per_version, public_page
from cities.models import Partnership
from cities.views import PartnershipDetailView as CitiesPartnershipDetailView
from donations.models import Donation
from events.listing import describe_events, upcoming_events
from events.reveal import cache_until_next_reveal
from events.views import EventDetailView as EventsEventDetailView
from exchanges.account import account_applications, export_applications
from membership.views import AccountView as MembershipAccountView
from membership.views import JoinView as MembershipJoinView
from news.models import Post, next_publication
from tickets.models import Order

PARTNERSHIP_POSTS = 3
HOME_POSTS = 3


class AccountView(MembershipAccountView):
    """/account/: membership (from membership) plus orders and tickets (from events) and
    the member's donations with a total per calendar year (from donations)."""

    def get_orders(self):
        if not hasattr(self, "_orders"):
            self._orders = list(Order.objects.for_user(self.request.user))
        return self._orders

    def get_donations(self):
        # One query however many gifts (designation and payment joined); the yearly totals
        # are one more.
        if not hasattr(self, "_donations"):
            self._donations = list(
                Donation.objects.for_user(self.request.user)
                .listed_for_donor()
                .with_net_amount()
                .select_related("designation", "payment")
            )
        return self._donations

    def get_donation_totals(self):
        if not self.get_donations():
            return []
        return Donation.objects.for_user(self.request.user).yearly_totals()

    def get_account_sections(self):
        return [
            *super().get_account_sections(),
            "nsca/includes/account_orders_section.html",
            "nsca/includes/account_donations_section.html",
            "exchanges/includes/account_section.html",
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            orders=self.get_orders(),
            donations=self.get_donations(),
            donation_totals=self.get_donation_totals(),
            exchange_applications=account_applications(self.request.user),
            **kwargs,
        )

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
        data["donations"] = [
            {
                "reference": donation.reference,
                "amount": donation.amount,
                "refunded": donation.amount - donation.net_amount,
                "designation": donation.designation.name if donation.designation else "",
                "dedication": donation.dedication,
                "donor_name": donation.donor_name,
                "donor_email": donation.donor_email,
                "payment_method": donation.payment_method,
                "received_at": donation.paid_at,
                "created": donation.created,
            }
            for donation in self.get_donations()
        ]
        data["exchange_applications"] = export_applications(self.request.user)
        return data


def home_page_events(*, request, limit=3):
    now = timezone.now()
    return describe_events(upcoming_events(now=now)[:limit], viewer=request.user, now=now)


def published_posts(key, select, *, now: datetime.datetime) -> list[Post]:
    """`select(Post.objects.published(now))` as a list, read once per edit and process
    (association/page_cache.py) and kept until the next scheduled post is published.
    `key` names what `select` picks (it must depend on nothing else)."""
    return computed_once_per_version(
        ("news:published", *key),
        lambda: list(select(Post.objects.published(now))),
        scopes=["news"],
        until=lambda _posts: next_publication(now=now),
    )


def home_page_posts(*, now, limit=HOME_POSTS):
    return published_posts(("latest", limit), lambda posts: posts[:limit], now=now)


def home_page_partnerships() -> list[Partnership]:
    return computed_once_per_version(
        "cities:current", lambda: list(Partnership.objects.current()), scopes=["cities"]
    )


class JoinView(MembershipJoinView):
    """/membership/join/<plan>/, offering each current partnership and each of its
    committees as interests to tick."""

    def get_interest_choices(self):
        labels = []
        for partnership in Partnership.objects.current().prefetch_related("committees"):
            city = partnership.partner_city
            labels.append(f"{city.name} ({partnership.get_kind_display().lower()})")
            labels.extend(f"{city.name}: {c.name}" for c in partnership.committees.all())
        return labels


@public_page(scopes=["cities", "events", "news", "exchanges"])
class PartnershipDetailView(CitiesPartnershipDetailView):
    """/cities/<slug>/ with the partnership's upcoming events; the page is cached like any
    event list, never past the next venue reveal it shows."""

    def get_related_events(self, *, now):
        events = [e for e in upcoming_events(now=now) if e.partnership_id == self.object.pk]
        return describe_events(events, viewer=self.request.user, now=now)

    def limit_caching(self, response, *, events, now):
        return cache_until_next_reveal(response, events, viewer=self.request.user, now=now)

    def get_context_data(self, **kwargs):
        posts = published_posts(
            ("partnership", self.object.pk),
            lambda posts: posts.filter(partnerships=self.object)[:PARTNERSHIP_POSTS],
            now=timezone.now(),
        )
        return super().get_context_data(related_posts=posts, **kwargs)


@public_page(scopes=["events", "event:{slug}", "news"])
class EventDetailView(EventsEventDetailView):
    """/events/<slug>/ with the event's published news."""

    def get_extra_context(self, *, event, now):
        posts = published_posts(
            ("event", event.pk), lambda posts: posts.filter(event=event), now=now
        )
        return {"related_posts": posts}
