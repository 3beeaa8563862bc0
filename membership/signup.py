"""Signing up never tells anyone whether an address already has an account.

The join page answers every complete sign-up from a visitor the same way ("check your
email"), in the same time, and does the rest after the answer has gone (after_response):

- an address that has an account gets an email saying someone tried to create one with
  it (sign in, or reset the password, to join);
- a new address gets an account that cannot sign in until the link emailed to it is
  followed, so the sign-in page cannot tell the two apart either (a guessed password for
  an unconfirmed account fails like any wrong password). Following the link activates the
  account, signs it in and begins the membership chosen on the join page.

The choices made on the join page (plan, household, interests, how to pay) wait with the
account on the server (`PendingJoin`), not in the visitor's session: the link is often
opened in another browser, and joining must still take one go there. Paying by card goes
straight on to the card payment page; by check, to the membership's payment instructions;
a free plan is active at once.

An account still awaiting confirmation (inactive, never signed in, no memberships) is not
really anyone's yet: a new sign-up with its address replaces its details and sends a new
link, so a stranger cannot keep an address from its owner by signing it up first.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .dues import begin_membership
from .emails import send_membership_email
from .models import MembershipPlan, PendingJoin, User


class SignupTokenGenerator(PasswordResetTokenGenerator):
    """Links that confirm a new account's address. The token changes once the account
    signs in (its last login is part of it), so a link works once; its own salt keeps a
    password-reset token from confirming an account, and the other way round."""

    key_salt = "membership.signup.SignupTokenGenerator"


signup_token_generator = SignupTokenGenerator()


def awaiting_confirmation(user) -> bool:
    return (
        not user.is_active
        and user.last_login is None
        and not (user.is_staff or user.is_superuser)
        and not user.memberships.exists()
    )


def sign_up_or_warn(
    *, plan: MembershipPlan, email: str, password: str, profile: dict, choices: dict
) -> None:
    """After the join page's answer: warn the owner of an address that has an account, or
    create (or renew) an unconfirmed account, keep the join page's `choices` with it
    (payment_method, household_member_names, interests) and email it the confirmation
    link."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not awaiting_confirmation(existing):
        _warn_owner(existing, plan=plan)
        return
    user = existing or User(email=email)
    for name, value in profile.items():
        setattr(user, name, value)
    user.is_active = False
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            # A new sign-up with the address replaces the earlier one's choices too.
            PendingJoin.objects.update_or_create(user=user, defaults={"plan": plan, **choices})
    except IntegrityError:
        # Someone signed up with this address since the lookup: it has an account now.
        _warn_owner(User.objects.get(email__iexact=email), plan=plan)
        return
    link = reverse(
        "membership:join_confirm",
        kwargs={
            "slug": plan.slug,
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": signup_token_generator.make_token(user),
        },
    )
    send_membership_email(
        "signup_confirm",
        to=user.email,
        subject=_("Confirm your email address to finish joining"),
        context={"user": user, "plan": plan, "link": link},
    )


def _warn_owner(user, *, plan: MembershipPlan) -> None:
    send_membership_email(
        "signup_attempt",
        to=user.email,
        subject=_("Someone tried to create an account with your address"),
        context={
            "user": user,
            "plan": plan,
            "login_path": reverse("membership:login"),
            "reset_path": reverse("membership:password_reset"),
            "join_path": plan.get_absolute_url(),
        },
    )


def confirm_account(user) -> None:
    """The link was followed: the address is the account holder's; the account may sign in."""
    user.is_active = True
    # save(), not update(): apps that follow accounts (news keeps the newsletter consent)
    # hear of it through post_save.
    user.save(update_fields=["is_active"])


def pending_join(user, *, plan: MembershipPlan) -> PendingJoin | None:
    """The choices this account made on `plan`'s join page and has not joined with yet."""
    return PendingJoin.objects.filter(user=user, plan=plan).first()


def begin_pending_membership(pending: PendingJoin, *, today, now):
    """The address is confirmed: begin the membership with the choices made on the join
    page, as the join page would have for a signed-in member (dues.begin_membership), and
    forget them. Raises what begin_membership raises (JoinRefused, LookupError); the
    choices are then kept, so the join page can offer them again."""
    membership, outcome = begin_membership(
        user=pending.user,
        plan=pending.plan,
        payment_method=pending.payment_method,
        today=today,
        now=now,
        household_member_names=pending.household_member_names,
        interests=pending.interests,
    )
    pending.delete()
    return membership, outcome


def forget_pending_join(user) -> None:
    """The member joined from the join page itself: the choices waiting are done with."""
    PendingJoin.objects.filter(user=user).delete()
