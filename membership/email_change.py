"""Changing an account's email address never tells anyone whether another account uses
the new address.

The email-change form answers every valid request the same way ("we sent a link to the
new address"), and the rest happens after the answer has gone (after_response), as for
sign-up (signup.py):

- an address that belongs to another account gets an email saying someone asked to use
  it for an account here, and that nothing was changed;
- any other address gets a link; following it proves the mailbox is the requester's and
  changes the address, and the old address is told.

The link carries the new address, signed with the account's current address and password
hash: it works once (the address it changes from is then gone), and a password change
(an owner taking a hijacked account back) voids links asked for before. An account still
awaiting its sign-up confirmation (signup.awaiting_confirmation) is nobody's yet and does
not keep its address from the owner who proves the mailbox.

Staff never change an account's address, except a superuser in the admin: the address is
how its owner signs in (a password reset goes to it), so whoever sets it can take the
account over. A superuser's change tells the old address too (`tell_old_address`).
"""

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .emails import send_membership_email
from .models import User
from .signup import awaiting_confirmation

KEY_SALT = "membership.email_change"


def _salt(user) -> str:
    return f"{KEY_SALT}:{user.pk}:{user.email}:{user.password}"


def make_link(*, user: User, new_email: str) -> str:
    token = signing.dumps(new_email, salt=_salt(user), compress=True)
    return reverse(
        "membership:email_change_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token},
    )


def address_in_link(*, user: User, token: str) -> str | None:
    """The new address the link asks for, or None when the link is forged, used, voided by
    a password change, or older than PASSWORD_RESET_TIMEOUT."""
    try:
        return signing.loads(token, salt=_salt(user), max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:  # SignatureExpired included
        return None


def _owner_of(email: str, *, other_than: User) -> User | None:
    owner = User.objects.filter(email__iexact=email).exclude(pk=other_than.pk).first()
    return None if owner is None or awaiting_confirmation(owner) else owner


def send_link_or_warn(*, user: User, new_email: str) -> None:
    """After the form's answer: email the new address a link, or, when another account
    uses it, tell that account's owner that nothing was changed."""
    if _owner_of(new_email, other_than=user) is not None:
        send_membership_email(
            "email_change_taken",
            to=new_email,
            subject=_("Someone asked to use your email address for another account"),
            context={
                "email": new_email,
                "login_path": reverse("membership:login"),
                "reset_path": reverse("membership:password_reset"),
            },
        )
        return
    send_membership_email(
        "email_change_confirm",
        to=new_email,
        subject=_("Confirm your new email address"),
        context={
            "user": user,
            "new_email": new_email,
            "link": make_link(user=user, new_email=new_email),
        },
    )


def may_change_email(staff: User) -> bool:
    """Whether this staff member may set another account's address in the admin."""
    return staff.is_active and staff.is_superuser


def tell_old_address(*, user: User, old_email: str, by_staff: bool = False) -> None:
    """Tell the address an account had that it changed, so a takeover is noticed by the
    owner (`by_staff`: a superuser changed it in the admin)."""
    send_membership_email(
        "email_changed",
        to=old_email,
        subject=_("Your email address was changed"),
        context={"user": user, "old_email": old_email, "by_staff": by_staff},
    )


def change_email(*, user: User, new_email: str) -> bool:
    """The link was followed: give the account its new address and tell the old one. False
    when another account has taken the address since the link was sent (nothing changes)."""
    old_email = user.email
    try:
        with transaction.atomic():
            for holder in User.objects.filter(email__iexact=new_email).exclude(pk=user.pk):
                if not awaiting_confirmation(holder):
                    return False
                # An unconfirmed sign-up is nobody's yet: the proven owner takes the address.
                holder.delete()
            User.objects.filter(pk=user.pk).update(email=new_email)
            user.refresh_from_db()
            # The old address is told in the same transaction as the change (the outbox).
            tell_old_address(user=user, old_email=old_email)
    except IntegrityError:
        # Taken between the check and the update; the unique constraint is the real guard.
        return False
    return True
