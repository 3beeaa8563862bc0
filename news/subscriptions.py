"""Newsletter subscriptions: double opt-in, one-click unsubscribe, and a member's consent.

- Subscribing never reveals whether an address is known: the answer is the same, and what
  differs (whether a confirmation email goes out) happens after the answer. Subscribing
  again changes nothing stored; a confirmation is re-sent at most every few minutes to an
  address not yet confirmed (or unsubscribed), never to one already subscribed.
- A confirmation link is signed (address and moment) and expires; a link older than the
  latest unsubscribe does not re-subscribe (a replayed link changes nothing).
- An unsubscribe link is the signed address: it never expires, needs no sign-in, works for
  any audience (a member or ticket holder with no subscription gets an opted-out row), and
  is idempotent.
- A member's newsletter box on their profile IS this subscription: `follow_member` keeps
  the Subscriber in step with the User, and confirming or unsubscribing here sets the
  member's box (membership imports nothing of news).
"""

import datetime
import time

from django.core import signing
from django.db import IntegrityError, transaction

from association.languages import current_language
from membership.models import User

from .models import Subscriber

CONFIRM_SALT = "news.subscription.confirm"
UNSUBSCRIBE_SALT = "news.subscription.unsubscribe"
CONFIRM_MAX_AGE = datetime.timedelta(days=7)
RESEND_AFTER = datetime.timedelta(minutes=10)
MAX_TOKEN_LENGTH = 500


def normalise(email: str) -> str:
    return email.strip().lower()


def confirmation_token(email: str) -> str:
    return signing.dumps({"e": normalise(email), "t": int(time.time())}, salt=CONFIRM_SALT)


def unsubscribe_token(email: str) -> str:
    return signing.dumps(normalise(email), salt=UNSUBSCRIBE_SALT, compress=True)


def email_from_unsubscribe_token(token: str) -> str | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        email = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return email if isinstance(email, str) else None


def request_subscription(*, email: str, name: str, now: datetime.datetime) -> Subscriber | None:
    """Record a sign-up; the subscriber to send a confirmation to, or None (already
    subscribed, or asked too recently). Existing rows are not changed beyond the moment
    the confirmation was sent."""
    email = normalise(email)
    try:
        with transaction.atomic():
            subscriber, created = Subscriber.objects.get_or_create(
                email=email, defaults={"name": name.strip()[:200]}
            )
    except IntegrityError:  # the same address at the same moment: the other one won
        return None
    if not created and subscriber.may_receive_marketing:
        return None
    if (
        not created
        and subscriber.confirmation_sent_at
        and now - subscriber.confirmation_sent_at < RESEND_AFTER
    ):
        return None
    # Written to in the language of the page they signed up on, the latest one.
    subscriber.language = current_language()
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_sent_at=now, language=subscriber.language
    )
    return subscriber


def confirm_subscription(*, token: str, now: datetime.datetime) -> Subscriber | None:
    """Follow a confirmation link: the subscriber confirmed, or None for a bad, expired or
    replayed link. Confirming twice is the same as once."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        email, signed_at = data["e"], datetime.datetime.fromtimestamp(data["t"], datetime.UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None
    subscriber = Subscriber.objects.for_email(email).first()
    if subscriber is None:
        return None
    if subscriber.unsubscribed_at and subscriber.unsubscribed_at > signed_at:
        return None
    if not subscriber.may_receive_marketing:
        subscriber.confirmed_at = subscriber.confirmed_at or now
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["confirmed_at", "unsubscribed_at"])
        _set_member_box(subscriber.email, True)
    return subscriber


def unsubscribe(*, email: str, now: datetime.datetime) -> None:
    """Opt this address out of every newsletter and mailing; doing it twice is harmless."""
    email = normalise(email)
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(email=email)
        if subscriber.unsubscribed_at is None:
            subscriber.unsubscribed_at = now
            subscriber.save(update_fields=["unsubscribed_at"])
    _set_member_box(email, False)


def _set_member_box(email: str, value: bool) -> None:
    # An UPDATE, not save(): the member's row follows without coming back through
    # follow_member.
    User.objects.filter(email__iexact=email).update(newsletter_opt_in=value)


def follow_member(*, user, created: bool, now: datetime.datetime) -> None:
    """Keep the subscription in step with a member's newsletter box. An active account's
    address was verified when it was confirmed, so its consent needs no second opt-in."""
    subscriber = (
        Subscriber.objects.filter(user=user).first()
        or Subscriber.objects.for_email(user.email).first()
    )
    if created and not user.newsletter_opt_in:
        # A new account for an address already subscribed keeps the subscription, and
        # shows it on the profile.
        if subscriber is not None and subscriber.may_receive_marketing:
            _set_member_box(user.email, True)
            Subscriber.objects.filter(pk=subscriber.pk).update(user=user)
        return
    if subscriber is None:
        if not user.newsletter_opt_in:
            return
        subscriber = Subscriber(email=user.email)
    subscriber.user = user
    if subscriber.email != normalise(user.email):
        if Subscriber.objects.for_email(user.email).exclude(pk=subscriber.pk).exists():
            return  # the new address has its own subscription; leave both alone
        subscriber.email = user.email
    subscriber.name = subscriber.name or user.get_full_name()
    if user.newsletter_opt_in and user.is_active:
        if not subscriber.may_receive_marketing:
            subscriber.confirmed_at = subscriber.confirmed_at or now
            subscriber.unsubscribed_at = None
    elif not user.newsletter_opt_in and subscriber.may_receive_marketing:
        subscriber.unsubscribed_at = now
    subscriber.save()
