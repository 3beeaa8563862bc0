from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .models import HostHousehold, HouseholdAdult, HouseholdChild, Volunteer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HouseholdForm(forms.ModelForm):
    agrees_to_orientation = forms.BooleanField(
        label=_("We will attend an orientation before hosting."), required=True
    )
    agrees_to_background_checks = forms.BooleanField(
        label=_("Every adult (18 and over) in our home agrees to a background check."),
        required=True,
    )

    class Meta:
        model = HostHousehold
        fields = [
            "family_name",
            "phone",
            "street",
            "city",
            "postal_code",
            "languages",
            "has_pets",
            "pets",
            "smoking",
            "allergies",
            "rooms",
            "beds",
            "max_guests",
            "guest_min_age",
            "guest_max_age",
            "guest_gender",
            "available_from",
            "available_until",
            "notes",
            "agrees_to_orientation",
            "agrees_to_background_checks",
        ]
        widgets = {
            "available_from": DATE,
            "available_until": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }

    def clean(self):
        data = super().clean()
        low, high = data.get("guest_min_age"), data.get("guest_max_age")
        if low is not None and high is not None and high < low:
            self.add_error("guest_max_age", _("The oldest age must not be below the youngest."))
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error("available_until", _("This date is before the first one."))
        if data.get("has_pets") and not data.get("pets"):
            self.add_error("pets", _("Tell us which pets, please."))
        if data.get("beds") == 0:
            self.add_error("beds", _("A host family needs at least one guest bed."))
        return data


class AdultForm(forms.ModelForm):
    is_adult = forms.BooleanField(label=_("18 or over"), required=True)

    class Meta:
        model = HouseholdAdult
        fields = ["name", "email"]


class ChildForm(forms.ModelForm):
    class Meta:
        model = HouseholdChild
        fields = ["first_name", "age"]

    def clean_age(self):
        age = self.cleaned_data["age"]
        if age >= 18:
            raise ValidationError(
                _("Adults (18 and over) are listed above, with a background check.")
            )
        return age


AdultFormSet = inlineformset_factory(
    HostHousehold,
    HouseholdAdult,
    form=AdultForm,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=6,
    can_delete=False,
)
ChildFormSet = inlineformset_factory(
    HostHousehold, HouseholdChild, form=ChildForm, extra=2, max_num=8, can_delete=False
)


class OfferForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("As"), choices=Volunteer.Role.choices)
    note = forms.CharField(label=_("Note for the coordinator"), max_length=300, required=False)


class RosterForm(forms.Form):
    file = forms.FileField(
        label=_("Roster (CSV)"),
        help_text=_(
            "Columns: first_name, last_name, birth_date, gender, diet, allergies, "
            "english_level, needs_host, emergency_contact_name, emergency_contact_phone; "
            "optional: languages, sibling_group, health_notes."
        ),
    )


class MatchForm(forms.Form):
    delegate = forms.IntegerField(widget=forms.HiddenInput)
    household = forms.IntegerField(widget=forms.HiddenInput)


class CancelMatchForm(forms.Form):
    match = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)


class DecideVolunteerForm(forms.Form):
    volunteer = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("decline", _("Decline"))])
