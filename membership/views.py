import functools
import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, FormView, TemplateView, UpdateView, View

from association import rate_limits
from association.page_cache import computed_once_per_version, public_page
from payments.methods import CardPayment

from . import email_change, signup
from .after_response import RedirectThenRun
from .dues import (
    CardPaymentsNotAnswering,
    JoinRefused,
    begin_membership,
    cancel_unpaid_membership,
    dues_payment_instructions,
    dues_receipt_url,
    joinable_plans,
    latest_paid_term,
    why_cannot_join,
)
from .dues_payments import card_dues_state
from .emails import send_password_changed_email
from .forms import (
    SIGNIN_LIMITS,
    EmailChangeForm,
    JoinForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SignInForm,
    SignupForm,
    account_key,
    clear_account_failures,
    typed_address_key,
)
from .models import POSTAL_ADDRESS_FIELDS, Membership, MembershipPlan, User
from .standing import membership_in_good_standing

# Every page of a signed-in account (and the join page, which shows the member's details)
# is marked `Cache-Control: no-store, private` (with never_cache's max-age=0), so no
# browser, proxy or shared computer keeps a copy of a member's data.
account_page = never_cache


class BadInputIs400Mixin:
    """A form sent back with errors is a client error: answer 400, not 200."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class WrongPasswordsLimitedMixin(BadInputIs400Mixin):
    """A form that checks a password under the sign-in limits: refused for too many wrong
    ones, it is the 429 every limit answers (association.rate_limits.too_many_attempts)."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if rate_limits.refused_over_limit(form):
            return rate_limits.too_many_attempts(response, *SIGNIN_LIMITS)
        return response


@public_page(scopes=["membership"])
def plan_list(request):
    # Read once per edit and process (association/page_cache.py), not per request.
    plans = computed_once_per_version(
        "membership:offered-plans",
        lambda: list(MembershipPlan.objects.offered()),
        scopes=["membership"],
    )
    return render(
        request,
        "membership/plan_list.html",
        {"plans": plans, "has_sample_prices": any(p.is_sample_price for p in plans)},
    )


@method_decorator(account_page, name="dispatch")
class JoinView(View):
    """/membership/join/<plan>/: the account (for a visitor), the member's details and the
    membership itself, on one page. A project offers interests to tick by overriding
    `get_interest_choices()` (nsca lists its sister cities and their committees), since
    membership imports nothing of the cities app."""

    template_name = "membership/join.html"

    def get_interest_choices(self) -> list[str]:
        """Labels a joiner may tick as interests; none here, so the form asks in words only."""
        return []

    def get_join_initial(self, plan) -> dict:
        """A confirmed new member whose membership could not begin from the emailed link
        (card payments down, say) finds the choices they made here filled in again."""
        if self.request.method != "GET" or not self.request.user.is_authenticated:
            return {}
        pending = signup.pending_join(self.request.user, plan=plan)
        return pending.as_join_form_initial() if pending else {}

    def get(self, request, slug):
        return self.join(request, slug)

    def post(self, request, slug):
        return self.join(request, slug)

    def join(self, request, slug):
        today = timezone.localdate()
        plan = get_object_or_404(joinable_plans(request.user, today=today), slug=slug)
        refusal = why_cannot_join(request.user, today=today)
        if refusal:
            return render(
                request,
                self.template_name,
                {"plan": plan, "refusal": refusal},
                status=409 if request.method == "POST" else 200,
            )
        anonymous = not request.user.is_authenticated
        data = request.POST if request.method == "POST" else None
        signup_form = SignupForm(data) if anonymous else None
        profile_form = ProfileForm(data, instance=None if anonymous else request.user)
        join_form = JoinForm(
            data,
            plan=plan,
            interest_choices=self.get_interest_choices(),
            initial=self.get_join_initial(plan),
        )
        forms = [f for f in (signup_form, profile_form, join_form) if f is not None]
        if data is not None and all([f.is_valid() for f in forms]):
            if anonymous:
                return _signed_up(request, plan, signup_form, profile_form, join_form)
            try:
                with transaction.atomic():
                    membership, outcome = begin_membership(
                        user=profile_form.save(),
                        plan=plan,
                        payment_method=join_form.cleaned_data["payment_method"],
                        today=today,
                        now=timezone.now(),
                        household_member_names=join_form.cleaned_data.get(
                            "household_member_names", ""
                        ),
                        interests=join_form.cleaned_data["interests"],
                    )
                    signup.forget_pending_join(request.user)
            except JoinRefused as refused:
                # The form again, filled in as sent, with the reason: nothing was kept, so
                # the member can send it again or choose another way to pay.
                request.user.refresh_from_db()  # the profile's save was rolled back
                return self.render_form(
                    plan,
                    signup_form,
                    profile_form,
                    join_form,
                    problem=str(refused),
                    status=503 if isinstance(refused, CardPaymentsNotAnswering) else 409,
                )
            return _joined(request, membership, outcome)
        return self.render_form(
            plan,
            signup_form,
            profile_form,
            join_form,
            status=400 if data is not None else 200,
        )

    def render_form(self, plan, signup_form, profile_form, join_form, *, status, problem=""):
        request = self.request
        return render(
            request,
            self.template_name,
            {
                "plan": plan,
                "signup_form": signup_form,
                "profile_form": profile_form,
                "join_form": join_form,
                "problem": problem,
                "renewing": membership_in_good_standing(request.user, on=timezone.localdate())
                is not None,
                "login_url": f"{reverse('membership:login')}?next={request.path}",
            },
            status=status,
        )


def _signed_up(request, plan, signup_form, profile_form, join_form):
    """A visitor's complete sign-up: the same answer whether or not the address has an
    account; the account's creation (with the choices made here) or the owner's warning
    happen after it (signup.py)."""
    task = functools.partial(
        signup.sign_up_or_warn,
        plan=plan,
        email=signup_form.cleaned_data["email"],
        password=signup_form.cleaned_data["password1"],
        profile=profile_form.cleaned_data,
        choices={
            "payment_method": join_form.cleaned_data["payment_method"],
            "household_member_names": join_form.cleaned_data.get("household_member_names", ""),
            "interests": join_form.cleaned_data["interests"],
        },
    )
    return RedirectThenRun(reverse("membership:join_sent", args=[plan.slug]), tasks=[task])


def _joined(request, membership, outcome):
    if membership.status == Membership.Status.ACTIVE:
        messages.success(request, _("Welcome! Your membership is active."))
    else:
        messages.success(
            request, _("Thank you! Your membership will be active once we receive the dues.")
        )
    response = HttpResponseRedirect(outcome.redirect_url or membership.get_absolute_url())
    if outcome.redirect_url:
        response.status_code = 303  # to the payment page by GET, never a re-POST
    return response


@account_page
def join_sent(request, slug):
    plan = get_object_or_404(MembershipPlan, slug=slug)
    return render(request, "membership/join_sent.html", {"plan": plan})


@account_page
@require_http_methods(["GET", "POST"])
def join_confirm(request, slug, uidb64, token):
    """The link emailed to a new account. GET shows a button (a mail scanner that follows
    links must not use up the link or be signed in); POST activates the account, signs it
    in and begins the membership chosen on the join page."""
    plan = get_object_or_404(MembershipPlan, slug=slug)
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64)))
    except (ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not signup.signup_token_generator.check_token(user, token):
        return render(request, "membership/join_confirm.html", {"plan": plan}, status=400)
    if request.method == "GET":
        return render(
            request,
            "membership/join_confirm.html",
            {"plan": plan, "valid": True, "pay_by_card": _pays_by_card(user, plan)},
        )
    signup.confirm_account(user)
    login(request, user, backend="membership.backends.EmailBackend")
    pending = signup.pending_join(user, plan=plan)
    if pending is None:
        # Nothing waits (a link sent before the choices were kept with the account):
        # the account part is done; ask for the membership's details again.
        messages.success(request, _("Your email address is confirmed. Please finish joining."))
        return HttpResponseRedirect(plan.get_absolute_url())
    try:
        membership, outcome = signup.begin_pending_membership(
            pending, today=timezone.localdate(), now=timezone.now()
        )
    except (JoinRefused, LookupError) as refused:
        # The account is confirmed; the join page shows the choices again to try once more
        # (another way to pay, say).
        if isinstance(refused, CardPaymentsNotAnswering):
            message = _(
                "Your email address is confirmed and you are signed in, but card payments "
                "are not answering just now, so nothing was charged and your membership has "
                "not begun. Your choices are kept below: please try again in a few minutes, "
                "or choose to pay by check."
            )
        else:
            reason = (
                str(refused)
                if isinstance(refused, JoinRefused)
                else _("That way of paying is not available just now; please choose another.")
            )
            message = _(
                "Your email address is confirmed, but your membership could not begin: %(reason)s"
            ) % {"reason": reason}
        messages.error(request, message)
        return HttpResponseRedirect(plan.get_absolute_url())
    return _joined(request, membership, outcome)


def _pays_by_card(user, plan) -> bool:
    pending = signup.pending_join(user, plan=plan)
    return pending is not None and pending.payment_method == CardPayment.code


@method_decorator(account_page, name="dispatch")
class AccountView(LoginRequiredMixin, TemplateView):
    """The signed-in member's own page. Other apps add to it without membership importing
    them: a subclass extends `get_account_sections()` (template names included on the page)
    and `get_export_data()` (the member's data download)."""

    template_name = "membership/account.html"
    export = False

    def get(self, request, *args, **kwargs):
        if self.export:
            body = json.dumps(self.get_export_data(), cls=DjangoJSONEncoder, indent=2)
            response = HttpResponse(body, content_type="application/json")
            response["Content-Disposition"] = 'attachment; filename="my-data.json"'
            return response
        return super().get(request, *args, **kwargs)

    def get_account_sections(self) -> list[str]:
        return []

    def get_memberships(self):
        return self.request.user.memberships.select_related("plan")

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        user = self.request.user
        current = membership_in_good_standing(user, on=today)
        # A renewal builds on the latest paid term, which may not have begun yet.
        latest = latest_paid_term(user)
        memberships = list(self.get_memberships())
        upcoming = [
            m for m in memberships if m.status == Membership.Status.ACTIVE and m.starts_on > today
        ]
        return super().get_context_data(
            current=current,
            latest=latest,
            # Renew appears exactly when the join page would accept the renewal.
            can_renew=current is not None and why_cannot_join(user, today=today) is None,
            renewed_until=latest.ends_on if upcoming and latest in upcoming else None,
            in_grace=current is not None and current.is_in_grace_on(today),
            pending=[m for m in memberships if m.status == Membership.Status.PENDING],
            history=[
                m
                for m in memberships
                if m != current and m.status != Membership.Status.PENDING and m not in upcoming
            ],
            account_sections=self.get_account_sections(),
            **kwargs,
        )

    def get_export_data(self) -> dict:
        user = self.request.user
        return {
            "account": {
                field: getattr(user, field)
                for field in (
                    "email",
                    "first_name",
                    "last_name",
                    "phone",
                    *POSTAL_ADDRESS_FIELDS,
                    "newsletter_opt_in",
                    "date_joined",
                    "last_login",
                )
            },
            "memberships": [
                {
                    "reference": m.reference,
                    "plan": m.plan.name,
                    "status": m.status,
                    "starts_on": m.starts_on,
                    "ends_on": m.ends_on,
                    "amount_due": m.amount_due,
                    "amount_paid": m.amount_paid,
                    "payment_method": m.payment_method,
                    "paid_at": m.paid_at,
                    "household_member_names": m.household_names_list(),
                    "interests": m.interests,
                }
                for m in self.get_memberships()
            ],
        }


@method_decorator(account_page, name="dispatch")
class MembershipDetailView(LoginRequiredMixin, DetailView):
    """One of the member's own memberships (payment instructions); others' are 404."""

    template_name = "membership/membership_detail.html"
    context_object_name = "membership"

    def get_queryset(self):
        return Membership.objects.filter(user=self.request.user).select_related("plan")

    def get_object(self, queryset=None):
        membership = super().get_object(queryset)
        # Back from paying by card: Stripe is asked, the same way its webhook is heard,
        # before the page says where the payment stands.
        self.card_payment = card_dues_state(membership, now=timezone.now())
        return membership

    def get_context_data(self, **kwargs):
        received = self.card_payment is not None and self.card_payment.received
        return super().get_context_data(
            instructions=dues_payment_instructions(self.object),
            card_payment=self.card_payment,
            checkout_cancelled=self.request.GET.get("checkout") == "cancelled",
            # Dues paid by check have a receipt too; the card notice carries its own.
            receipt_url="" if received else dues_receipt_url(self.object),
            **kwargs,
        )


@account_page
@login_required
@require_http_methods(["GET", "POST"])
def cancel_membership(request, pk):
    """The member cancels their own membership that is waiting for payment."""
    membership = get_object_or_404(Membership, pk=pk, user=request.user)
    if request.method == "GET":
        # A followed or bookmarked link: show the page with the cancel button rather than
        # an empty 405; only the POST from that button cancels.
        return HttpResponseRedirect(membership.get_absolute_url())
    if cancel_unpaid_membership(membership, now=timezone.now()):
        messages.success(
            request,
            _("Membership %(reference)s is cancelled.") % {"reference": membership.reference},
        )
        return HttpResponseRedirect(reverse("membership:account"))
    messages.warning(request, _("Only a membership waiting for payment can be cancelled."))
    return HttpResponseRedirect(membership.get_absolute_url())


@method_decorator(account_page, name="dispatch")
class ProfileView(LoginRequiredMixin, BadInputIs400Mixin, UpdateView):
    form_class = ProfileForm
    template_name = "membership/profile_form.html"
    success_url = reverse_lazy("membership:account")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, _("Your details are saved."))
        return super().form_valid(form)


@method_decorator(account_page, name="dispatch")
class EmailChangeView(LoginRequiredMixin, WrongPasswordsLimitedMixin, FormView):
    form_class = EmailChangeForm
    template_name = "membership/email_change_form.html"
    success_url = reverse_lazy("membership:account")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}

    def form_valid(self, form):
        new_email = form.cleaned_data["email"]
        # The same answer whether or not another account uses the address; the link, or
        # the owner's warning, is sent after it (email_change.py).
        messages.success(
            self.request,
            _(
                "We sent a link to %(email)s. Your address changes once you follow it; "
                "until then you sign in with %(current)s."
            )
            % {"email": new_email, "current": self.request.user.email},
        )
        task = functools.partial(
            email_change.send_link_or_warn, user=self.request.user, new_email=new_email
        )
        return RedirectThenRun(self.get_success_url(), tasks=[task])


@account_page
@require_http_methods(["GET", "POST"])
def email_change_confirm(request, uidb64, token):
    """The link emailed to a new address. GET shows a button (a mail scanner following
    links must not change the address); POST changes it."""
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64)))
    except (ValueError, OverflowError, User.DoesNotExist):
        user = None
    new_email = email_change.address_in_link(user=user, token=token) if user else None
    template = "membership/email_change_confirm.html"
    if new_email is None:
        return render(request, template, {}, status=400)
    if request.method == "GET":
        return render(request, template, {"valid": True, "new_email": new_email})
    if not email_change.change_email(user=user, new_email=new_email):
        return render(request, template, {"taken": True, "new_email": new_email}, status=409)
    messages.success(request, _("Your email address is now %(email)s.") % {"email": new_email})
    return HttpResponseRedirect(reverse("membership:account"))


class SignInView(WrongPasswordsLimitedMixin, auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True


class PasswordResetView(BadInputIs400Mixin, auth_views.PasswordResetView):
    """Ask for a reset link. Limited per IP address (a 429 page) and per account (further
    requests get the same answer but no email). The answer never depends on whether the
    address has an account, neither in what it says nor in how long it takes: the account
    is looked up and the email sent after the response (see after_response)."""

    form_class = PasswordResetForm
    email_template_name = "emails/membership/password_reset.txt"
    html_email_template_name = "emails/membership/password_reset.html"
    subject_template_name = "emails/membership/password_reset_subject.txt"
    success_url = reverse_lazy("membership:password_reset_done")

    def post(self, request, *args, **kwargs):
        if rate_limits.limit("reset-ip").is_over(request):
            page = render(request, "registration/password_reset_throttled.html")
            return rate_limits.too_many_attempts(page, "reset-ip")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # The same one query for a known address and an unknown one.
        key = typed_address_key(form.cleaned_data["email"])
        # Both counted in one go (the client's limit is judged in `post`, before the form).
        # Over the account's limit: the same answer, but no email.
        _ip, over_account = rate_limits.hit_all(("reset-ip", self.request), ("reset-account", key))
        tasks = []
        if not over_account:
            options = {
                "use_https": self.request.is_secure(),
                "token_generator": self.token_generator,
                "from_email": self.from_email,
                "email_template_name": self.email_template_name,
                "subject_template_name": self.subject_template_name,
                "request": self.request,
                "html_email_template_name": self.html_email_template_name,
                "extra_email_context": self.extra_email_context,
            }
            tasks.append(lambda: form.save(**options))
        return RedirectThenRun(self.get_success_url(), tasks=tasks)


class PasswordResetConfirmView(BadInputIs400Mixin, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("membership:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The reset proves the owner holds the mailbox: lift the account's sign-in lockout,
        # as the lockout message promises.
        clear_account_failures(key=account_key(form.user))
        send_password_changed_email(form.user, how="reset")
        return response


@method_decorator(account_page, name="dispatch")
class PasswordChangeView(WrongPasswordsLimitedMixin, auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    success_url = reverse_lazy("membership:password_change_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        send_password_changed_email(form.user, how="change")
        return response


password_change_done = account_page(auth_views.PasswordChangeDoneView.as_view())
