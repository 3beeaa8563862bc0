"""The donation form: an amount (a preset or the donor's own, within the limits), where it
goes, a dedication, who gives, and how."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from association.formats import format_money

from .giving import (
    donation_methods,
    maximum_amount,
    method_label,
    minimum_amount,
    preset_amounts,
    why_not_this_amount,
)
from .models import Designation


class DonationForm(forms.Form):
    # One way to give another amount: type it. The presets are the only radio buttons, so
    # the page never offers both an "another amount" choice and a field to type it in.
    amount_choice = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect, required=False)
    other_amount = forms.DecimalField(
        label=_("Another amount, in dollars"),
        required=False,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    designation = forms.ModelChoiceField(
        label=_("Where your gift goes"),
        queryset=Designation.objects.none(),
        required=False,
        empty_label=_("Where it is most needed"),
    )
    dedication = forms.CharField(
        label=_("Dedication"),
        required=False,
        max_length=200,
        help_text=_('For example "In honor of my grandmother, Mary Smith".'),
    )
    donor_name = forms.CharField(label=_("Your name"), max_length=200)
    donor_email = forms.EmailField(
        label=_("Email"), help_text=_("We send your receipt here."), max_length=254
    )
    payment_method = forms.ChoiceField(label=_("How you will give"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.presets = preset_amounts()
        self.fields["amount_choice"].choices = [
            (str(amount), format_money(amount)) for amount in self.presets
        ]
        low, high = format_money(minimum_amount()), format_money(maximum_amount())
        self.fields["other_amount"].help_text = _(
            "Instead of an amount above: from %(low)s to %(high)s."
        ) % {
            "low": low,
            "high": high,
        }
        self.fields["designation"].queryset = Designation.objects.active()
        methods = donation_methods()
        self.fields["payment_method"].choices = [(m.code, method_label(m)) for m in methods]
        if len(methods) == 1:
            self.fields["payment_method"].initial = methods[0].code

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("amount_choice") or ""
        other = cleaned.get("other_amount")
        if "other_amount" in self.errors:
            return cleaned
        if choice:
            amount = Decimal(choice)
            if other is not None and other != amount:
                # Both a preset and a typed amount (possible without JavaScript, which keeps
                # them apart): ask rather than guess. The preset is shown unchosen again,
                # so sending the form as it is gives the typed amount.
                self.data = self.data.copy()
                self.data["amount_choice"] = ""
                raise ValidationError(
                    _(
                        "You chose %(preset)s and typed %(other)s. To give %(other)s, send "
                        "the form again; to give %(preset)s, choose it and clear the amount "
                        "you typed."
                    )
                    % {"preset": format_money(amount), "other": format_money(other)}
                )
        elif other is not None:
            amount = other
        else:
            self.add_error("other_amount", _("Please choose or type an amount."))
            return cleaned
        refusal = why_not_this_amount(amount)
        if refusal:
            self.add_error("other_amount", refusal)
            return cleaned
        cleaned["amount"] = amount
        return cleaned
