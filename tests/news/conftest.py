import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from events.models import Event
from membership.models import Membership, MembershipPlan, User
from news.models import Mailing, Post, Subscriber
from tests.events import factories


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def make_post(db, now):
    counter = iter(range(1, 10_000))

    def make(**fields):
        number = next(counter)
        fields.setdefault("title", f"Post {number}")
        fields.setdefault("slug", f"post-{number}")
        fields.setdefault("summary", f"Summary {number}")
        fields.setdefault("body", "First paragraph.\n\nSecond paragraph.")
        fields.setdefault("published_at", now - datetime.timedelta(hours=number))
        # As the migration maps rows made before posts had a status.
        published_at = fields["published_at"]
        if published_at is None:
            fields.setdefault("status", Post.Status.DRAFT)
        elif published_at > now:
            fields.setdefault("status", Post.Status.SCHEDULED)
        else:
            fields.setdefault("status", Post.Status.PUBLISHED)
        partnerships = fields.pop("partnerships", [])
        post = Post.objects.create(**fields)
        post.partnerships.set(partnerships)
        return post

    return make


@pytest.fixture
def make_subscriber(db, now):
    def make(email, *, confirmed=True, unsubscribed=False, name=""):
        return Subscriber.objects.create(
            email=email,
            name=name,
            confirmed_at=now if confirmed else None,
            unsubscribed_at=now if unsubscribed else None,
        )

    return make


@pytest.fixture
def make_mailing(db):
    def make(**fields):
        fields.setdefault("subject", "Spring news")
        fields.setdefault("body", "The delegation from Toulon arrives **Friday**.")
        fields.setdefault("audience", Mailing.Audience.SUBSCRIBERS)
        return Mailing.objects.create(**fields)

    return make


@pytest.fixture
def secret_event(db, now):
    """A dinner in three days whose venue is revealed 24 hours before it starts."""
    starts_at = now + datetime.timedelta(days=3)
    event = factories.make_event(
        title="Secret Supper",
        slug="secret-supper",
        starts_at=starts_at,
        venue=factories.make_venue(),
        venue_hint="Downtown Norfolk",
        venue_reveal_at=starts_at - datetime.timedelta(hours=24),
        reveal_audience=Event.RevealAudience.TICKET_HOLDERS,
    )
    factories.make_ticket_type(event, name="Dinner", price=Decimal("65.00"))
    return event


@pytest.fixture
def make_member(db):
    plan = MembershipPlan.objects.create(
        name="Individual", slug="individual", annual_dues=Decimal("35.00"), term_months=12
    )

    def make(email, *, plan=plan, first_name="Mia", **fields):
        user = User.objects.create_user(
            email=email, password="a-long-member-password", first_name=first_name, **fields
        )
        today = timezone.localdate()
        Membership.objects.create(
            user=user,
            plan=plan,
            status=Membership.Status.ACTIVE,
            starts_on=today - datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=330),
            amount_due=plan.annual_dues,
            amount_paid=plan.annual_dues,
            paid_at=timezone.now(),
        )
        return user

    make.plan = plan
    return make
