from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from association import rate_limits
from association.emails import queue_email
from payments.methods import OfflinePayment, available_methods

from .models import POSTAL_ADDRESS_FIELDS, User

SIGNIN_LIMITS = ("signin-account", "signin-ip")
"""Wrong passwords, per account and per client address (association/rate_limits.py)."""


def account_key(user) -> str:
    """The key an account's own limits (sign-in, password reset) count it under."""
    return f"user:{user.pk}"


def typed_address_key(email: str) -> str:
    """The per-account key for an address as typed: the account the sign-in backend would
    match (email__iexact, PostgreSQL's case folding), else the folded text itself. So no
    other spelling of an address (a dotless "ı" that PostgreSQL folds to "I") opens a fresh
    count, and an address that matches no account has one of its own."""
    email = (email or "").strip()
    user = User._default_manager.filter(email__iexact=email).only("pk").first() if email else None
    return account_key(user) if user else f"email:{email.casefold()}"


def signin_is_over(request, *, key: str) -> bool:
    return rate_limits.any_over(("signin-account", key), ("signin-ip", request))


def count_wrong_password(request, *, key: str) -> None:
    rate_limits.hit_all(("signin-account", key), ("signin-ip", request))


def clear_account_failures(*, key: str) -> None:
    """The account starts afresh (after a successful sign-in, or a password reset, which
    proves the owner holds the mailbox); the client's count stays, so one valid account
    cannot be used to reset an address that is guessing others."""
    rate_limits.limit("signin-account").reset(key)


class ThrottledSignInMixin:
    """Refuse sign-in while the account or the IP address has too many recent failures."""

    throttled_message = _(
        "Too many failed sign-in attempts. Please wait a few minutes, or reset your password."
    )

    def clean(self):
        # Keyed on the account the address matches, so another spelling that the database
        # folds to the same account shares its count.
        key = typed_address_key(self.cleaned_data.get("username") or "")
        if signin_is_over(self.request, key=key):
            raise ValidationError(self.throttled_message, code=rate_limits.OVER_LIMIT)
        try:
            cleaned = super().clean()
        except ValidationError:
            count_wrong_password(self.request, key=key)
            raise
        # No user when a field failed its own validation (empty, a NUL byte): no password
        # was tried, so there is nothing to count and no account to clear; the field's
        # message is the answer.
        if (user := self.get_user()) is not None:
            clear_account_failures(key=account_key(user))
        return cleaned


class SignInForm(ThrottledSignInMixin, AuthenticationForm):
    """Django's sign-in form, limited per account and per IP address."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email address or password is not right. Please try again."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email address")
        self.fields["username"].widget.attrs.update({"autocomplete": "email"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class AdminSignInForm(ThrottledSignInMixin, AdminAuthenticationForm):
    """The admin's sign-in form, under the same limits as the site's."""


class SignupForm(forms.Form):
    """The new account's email and password, asked on the join page."""

    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        # Whether the address has an account is not checked here: the answer would tell
        # anyone (see signup.py).
        return User.objects.normalize_email(self.cleaned_data["email"].strip())

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            try:
                password_validation.validate_password(
                    password1, User(email=cleaned.get("email") or "")
                )
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(forms.ModelForm):
    """What the membership secretary needs to know about a member."""

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "phone",
            *POSTAL_ADDRESS_FIELDS,
            "newsletter_opt_in",
        ]
        labels = {
            "newsletter_opt_in": _("Send me the association's newsletter"),
            "country": _("Country code"),
        }
        help_texts = {"country": _("Two letters, for example US."), "newsletter_opt_in": ""}
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "region": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "country": forms.TextInput(attrs={"autocomplete": "country"}),
        }

    required = ["first_name", "last_name", "address_line1", "city", "postal_code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.required:
            self.fields[name].required = True

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise ValidationError(_("Use the two-letter country code, for example US."))
        return country


class JoinForm(forms.Form):
    """The membership itself: household, interests and how to pay the dues."""

    household_member_names = forms.CharField(
        label=_("Household members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The other people in your household this membership covers, one per line."),
    )
    interests = forms.CharField(
        label=_("Sister cities and committees that interest you"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Tell us where you would like to help."),
    )
    payment_method = forms.ChoiceField(label=_("How you will pay"), widget=forms.RadioSelect)

    def __init__(self, *args, plan, interest_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        methods = available_methods(amount=plan.annual_dues)
        # Dues are not paid at the door, whatever the shared offline method calls itself.
        self.fields["payment_method"].choices = [
            (m.code, _("Pay by check") if isinstance(m, OfflinePayment) else m.label)
            for m in methods
        ]
        if len(methods) == 1:
            self.fields["payment_method"].initial = methods[0].code
        if not plan.covers_household:
            del self.fields["household_member_names"]
        # Labels the view offers (JoinView.get_interest_choices); none: asked in words only.
        choices = [str(label) for label in interest_choices]
        if choices:
            self.fields["interest_choices"] = forms.MultipleChoiceField(
                label=_("Sister cities and committees that interest you"),
                required=False,
                choices=[(label, label) for label in choices],
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Optional. Tick any you would like to hear about or help with."),
            )
            self.fields["interests"].label = _("Anything else you would like to help with")
            self.order_fields(["household_member_names", "interest_choices", "interests"])
            # Choices offered again (signup.PendingJoin) come as one text: tick the labels.
            lines = str(self.initial.get("interests", "")).splitlines()
            if lines:
                self.initial["interest_choices"] = [line for line in lines if line in choices]
                self.initial["interests"] = "\n".join(line for line in lines if line not in choices)

    def clean(self):
        cleaned = super().clean()
        picked = cleaned.get("interest_choices") or []
        if picked:
            cleaned["interests"] = "\n".join([*picked, cleaned.get("interests", "")]).strip()
        return cleaned

    def clean_household_member_names(self):
        names = [
            line.strip()
            for line in self.cleaned_data["household_member_names"].splitlines()
            if line.strip()
        ]
        others = self.plan.people_covered - 1
        if len(names) > others:
            raise ValidationError(
                _("This plan covers you and %(count)s other people; please list at most %(count)s.")
                % {"count": others}
            )
        return "\n".join(names)


def check_current_password(request, user, password, *, wrong_message, throttled_message) -> str:
    """The current password, checked under the sign-in limits: someone at an unlocked screen
    could otherwise guess it without limit, and the password is what takes over the
    account. Wrong guesses here count towards the account's sign-in lockout."""
    key = account_key(user)
    if signin_is_over(request, key=key):
        raise ValidationError(throttled_message, code=rate_limits.OVER_LIMIT)
    if not user.check_password(password):
        count_wrong_password(request, key=key)
        raise ValidationError(wrong_message, code="password_incorrect")
    clear_account_failures(key=key)
    return password


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change, its current-password guesses limited like sign-in's."""

    throttled_message = _("Too many wrong passwords. Please wait a few minutes and try again.")

    def clean_old_password(self):
        return check_current_password(
            self.request,
            self.user,
            self.cleaned_data["old_password"],
            wrong_message=self.error_messages["password_incorrect"],
            throttled_message=self.throttled_message,
        )

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    throttled_message = _("Too many wrong passwords. Please wait a few minutes and try again.")

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"].strip())
        if email.lower() == self.user.email.lower():
            raise ValidationError(_("This is already your email address."))
        # Whether another account uses the address is not said here, to anyone signed in
        # or not: the address's owner is told by email (email_change.py).
        return email

    def clean_password(self):
        # The same counters as sign-in: someone at an unlocked screen can otherwise guess
        # the password here without limit, and the password is what takes over the account.
        return check_current_password(
            self.request,
            self.user,
            self.cleaned_data["password"],
            wrong_message=_("The password is not right."),
            throttled_message=self.throttled_message,
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, its email built the one way every email of the site is
    (association/emails.py: text and HTML, replies to the association)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        name = email_template_name.removeprefix("emails/").removesuffix(".txt")
        subject = render_to_string(subject_template_name, context)
        queue_email(name, to=to_email, subject=subject, context=context)
