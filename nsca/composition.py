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
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from association.page_cache import computed_once_per_version, public_page
from cities.models import Milestone, Partnership, years_of_friendship
from cities.timeline import TimelineEntry
from cities.views import PartnershipDetailView as CitiesPartnershipDetailView
from donations.models import Donation
from events.listing import describe_events, upcoming_events
from events.reveal import cache_until_next_reveal
from events.views import EventDetailView as EventsEventDetailView
from exchanges.account import account_applications, export_applications
from exchanges.models import Program
from exchanges.templatetags.exchange_programs import partnership_exchange_programs
from membership.views import AccountView as MembershipAccountView
from membership.views import JoinView as MembershipJoinView
from news.models import Post, next_publication
from tickets.models import Order
from visits.models import Visit

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


@dataclass(frozen=True)
class Journey:
    """A trip between Norfolk and a partner city that the home page may announce."""

    title: str
    url: str
    starts_on: datetime.date
    partner: str
    kind: str


def upcoming_exchange_journeys(*, today: datetime.date) -> list[Journey]:
    """The published exchange programs whose travel has not begun, soonest first."""
    programs = (
        Program.objects.published()
        .filter(travel_starts_on__gte=today)
        .select_related("partnership__partner_city")
        .order_by("travel_starts_on", "title")
    )
    return [
        Journey(
            title=program.title,
            url=program.get_absolute_url(),
            starts_on=program.travel_starts_on,
            partner=program.partnership.partner_city.name,
            kind=program.get_kind_display(),
        )
        for program in programs[:1]
    ]


def upcoming_visits(*, today: datetime.date) -> list[Journey]:
    """The next published visit (a delegation coming to Norfolk or going abroad) that has
    not begun, as a `Journey` to the partner's page (a visit has no page of its own; the
    partner page lists its dates and purpose, never a delegate)."""
    visits = (
        Visit.objects.upcoming(today)
        .filter(starts_on__gte=today)
        .select_related("partnership__partner_city")
        .order_by("starts_on", "title")
    )
    return [
        Journey(
            title=visit.title,
            url=visit.partnership.get_absolute_url(),
            starts_on=visit.starts_on,
            partner=visit.partnership.partner_city.name,
            kind=visit.get_direction_display(),
        )
        for visit in visits[:1]
    ]


def next_journey(*, today: datetime.date) -> Journey | None:
    """The next exchange or visit, whichever travels first, or None: read once per edit
    and process, and afresh from the next day (it may then have begun)."""

    def compute():
        journeys = [*upcoming_exchange_journeys(today=today), *upcoming_visits(today=today)]
        return min(journeys, key=lambda journey: journey.starts_on, default=None)

    return computed_once_per_version(
        ("nsca:next_journey", today), compute, scopes=["exchanges", "visits"]
    )


def home_page_friendship(*, today: datetime.date) -> dict:
    """The partnerships as the home page presents them: how many years of friendship (from
    the oldest current partnership's year), the latest milestone and the next journey."""

    def compute():
        current = Partnership.objects.current()
        return {
            "oldest": current.filter(year_established__isnull=False)
            .order_by("year_established")
            .first(),
            "latest_milestone": Milestone.objects.latest_of_current_partnerships(today),
        }

    found = computed_once_per_version(("nsca:friendship", today), compute, scopes=["cities"])
    oldest = found["oldest"]
    return {
        **found,
        "years": years_of_friendship(
            oldest_year=oldest.year_established if oldest else None, today=today
        ),
        "next_journey": next_journey(today=today),
    }


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


@public_page(scopes=["cities", "events", "news", "exchanges", "visits"])
class PartnershipDetailView(CitiesPartnershipDetailView):
    """/cities/<slug>/ with the partnership's upcoming events; the page is cached like any
    event list, never past the next venue reveal it shows."""

    def get_related_events(self, *, now):
        events = [e for e in upcoming_events(now=now) if e.partnership_id == self.object.pk]
        return describe_events(events, viewer=self.request.user, now=now)

    def limit_caching(self, response, *, events, now):
        return cache_until_next_reveal(response, events, viewer=self.request.user, now=now)

    def get_timeline_additions(self, *, today):
        """The partnership's published exchange programs whose travel has ended: the list
        the page's programs section reads (kept once per edit), filtered here by date."""
        return [
            TimelineEntry.on_day(
                program.travel_starts_on,
                title=program.title,
                kind=_("Exchange"),
                text=program.summary,
                url=program.get_absolute_url(),
            )
            for program in partnership_exchange_programs(self.object)
            if program.travel_ends_on < today
        ]

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
