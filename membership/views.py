import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, FormView, TemplateView, UpdateView

from .dues import (
    JoinRefused,
    begin_membership,
    cancel_unpaid_membership,
    dues_payment_instructions,
    joinable_plans,
    latest_paid_term,
    why_cannot_join,
)
from .emails import send_membership_email
from .forms import EmailChangeForm, JoinForm, ProfileForm, SignInForm, SignupForm
from .models import POSTAL_ADDRESS_FIELDS, Membership, MembershipPlan, User
from .standing import membership_in_good_standing


class BadInputIs400Mixin:
    """A form sent back with errors is a client error: answer 400, not 200."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def plan_list(request):
    plans = MembershipPlan.objects.offered()
    return render(
        request,
        "membership/plan_list.html",
        {"plans": plans, "has_sample_prices": any(p.is_sample_price for p in plans)},
    )


def join(request, slug):
    today = timezone.localdate()
    plan = get_object_or_404(joinable_plans(request.user, today=today), slug=slug)
    refusal = why_cannot_join(request.user, today=today)
    if refusal:
        return render(
            request,
            "membership/join.html",
            {"plan": plan, "refusal": refusal},
            status=409 if request.method == "POST" else 200,
        )
    anonymous = not request.user.is_authenticated
    data = request.POST if request.method == "POST" else None
    signup_form = SignupForm(data) if anonymous else None
    profile_form = ProfileForm(data, instance=None if anonymous else request.user)
    join_form = JoinForm(data, plan=plan)
    forms = [f for f in (signup_form, profile_form, join_form) if f is not None]
    if data is not None and all([f.is_valid() for f in forms]):
        try:
            membership, outcome = _join(plan, today, signup_form, profile_form, join_form)
        except JoinRefused as refused:
            return render(
                request, "membership/join.html", {"plan": plan, "refusal": str(refused)}, status=409
            )
        except IntegrityError:
            if signup_form is None:
                raise
            # Someone signed up with this address between the check and the insert.
            signup_form.add_error("email", SignupForm.taken_message)
        else:
            return _joined(request, membership, outcome, anonymous=anonymous)
    return render(
        request,
        "membership/join.html",
        {
            "plan": plan,
            "signup_form": signup_form,
            "profile_form": profile_form,
            "join_form": join_form,
            "renewing": membership_in_good_standing(request.user, on=today) is not None,
            "login_url": f"{reverse('membership:login')}?next={request.path}",
        },
        status=400 if data is not None else 200,
    )


def _join(plan, today, signup_form, profile_form, join_form):
    with transaction.atomic():
        if signup_form is not None:
            user = profile_form.save(commit=False)
            user.email = signup_form.cleaned_data["email"]
            user.set_password(signup_form.cleaned_data["password1"])
            user.save()
        else:
            user = profile_form.save()
        return begin_membership(
            user=user,
            plan=plan,
            payment_method=join_form.cleaned_data["payment_method"],
            today=today,
            now=timezone.now(),
            household_member_names=join_form.cleaned_data.get("household_member_names", ""),
            interests=join_form.cleaned_data["interests"],
        )


def _joined(request, membership, outcome, *, anonymous):
    if anonymous:
        login(request, membership.user, backend="membership.backends.EmailBackend")
    if membership.status == Membership.Status.ACTIVE:
        messages.success(request, _("Welcome! Your membership is active."))
    else:
        messages.success(
            request, _("Thank you! Your membership will be active once we receive the dues.")
        )
    return HttpResponseRedirect(outcome.redirect_url or membership.get_absolute_url())


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


class MembershipDetailView(LoginRequiredMixin, DetailView):
    """One of the member's own memberships (payment instructions); others' are 404."""

    template_name = "membership/membership_detail.html"
    context_object_name = "membership"

    def get_queryset(self):
        return Membership.objects.filter(user=self.request.user).select_related("plan")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            instructions=dues_payment_instructions(self.object), **kwargs
        )


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


class ProfileView(LoginRequiredMixin, BadInputIs400Mixin, UpdateView):
    form_class = ProfileForm
    template_name = "membership/profile_form.html"
    success_url = reverse_lazy("membership:account")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, _("Your details are saved."))
        return super().form_valid(form)


class EmailChangeView(LoginRequiredMixin, BadInputIs400Mixin, FormView):
    form_class = EmailChangeForm
    template_name = "membership/email_change_form.html"
    success_url = reverse_lazy("membership:account")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.is_throttled:
            response.status_code = 429
        return response

    def form_valid(self, form):
        user = self.request.user
        old_email = user.email
        try:
            with transaction.atomic():
                User.objects.filter(pk=user.pk).update(email=form.cleaned_data["email"])
        except IntegrityError:
            # Another account took the address between the form's check and this update;
            # the unique constraint is the real guard.
            form.add_error("email", form.taken_message)
            return self.form_invalid(form)
        user.refresh_from_db()
        # Tell the old address, so a taken-over account does not go unnoticed.
        send_membership_email(
            "email_changed",
            to=old_email,
            subject=_("Your email address was changed"),
            context={"user": user, "old_email": old_email},
        )
        messages.success(self.request, _("Your email address is changed."))
        return super().form_valid(form)


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 429 if form.is_throttled else 400
        return response


class PasswordResetView(BadInputIs400Mixin, auth_views.PasswordResetView):
    email_template_name = "emails/membership_password_reset.txt"
    html_email_template_name = "emails/membership_password_reset.html"
    subject_template_name = "emails/membership_password_reset_subject.txt"
    success_url = reverse_lazy("membership:password_reset_done")


class PasswordResetConfirmView(BadInputIs400Mixin, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("membership:password_reset_complete")


class PasswordChangeView(BadInputIs400Mixin, auth_views.PasswordChangeView):
    success_url = reverse_lazy("membership:password_change_done")
