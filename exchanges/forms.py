from django import forms
from django.utils.translation import gettext_lazy as _

from .applications import word_count
from .models import Application, Reference


class ApplicationForm(forms.ModelForm):
    """The applicant's details and, one field each, the program's questions."""

    class Meta:
        model = Application
        fields = [
            "date_of_birth",
            "school",
            "guardian_name",
            "guardian_email",
            "guardian_phone",
            "photo",
            "transcript",
        ]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, questions=(), answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = answers or {}
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=question.text,
                required=False,  # a draft may be saved half done; submitting checks
                widget=forms.Textarea(attrs={"rows": 6}),
                initial=answers.get(question.pk, ""),
                max_length=20000,
                help_text=_("%(limit)s words at most.") % {"limit": question.word_limit}
                + (f" {question.help_text}" if question.help_text else ""),
            )

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            text = cleaned.get(f"question_{question.pk}", "")
            if word_count(text) > question.word_limit:
                self.add_error(
                    f"question_{question.pk}",
                    _("This answer has %(count)s words; the limit is %(limit)s. Please shorten it.")
                    % {"count": word_count(text), "limit": question.word_limit},
                )
        return cleaned

    def answers(self) -> dict:
        return {q.pk: self.cleaned_data.get(f"question_{q.pk}", "") for q in self.questions}


class RefereeForm(forms.ModelForm):
    class Meta:
        model = Reference
        fields = ["referee_name", "referee_email", "relationship"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A draft may be saved with no referee named yet.
        for field in self.fields.values():
            field.required = False

    def clean(self):
        cleaned = super().clean()
        given = [cleaned.get(f) for f in ("referee_name", "referee_email", "relationship")]
        if any(given) and not all(given):
            raise forms.ValidationError(
                _("Give the referee's name, email and relationship to you.")
            )
        return cleaned

    def is_named(self) -> bool:
        return bool(self.cleaned_data.get("referee_name"))


class ReplaceRefereeForm(forms.ModelForm):
    class Meta:
        model = Reference
        fields = ["referee_name", "referee_email", "relationship"]


class ConsentForm(forms.Form):
    signed_by = forms.CharField(label=_("Your full name"), max_length=200)
    agree = forms.BooleanField(
        label=_("I am this applicant's parent or legal guardian and I consent to the application.")
    )


class LetterForm(forms.Form):
    letter = forms.CharField(
        label=_("Your letter"), widget=forms.Textarea(attrs={"rows": 14}), max_length=20000
    )


SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=criterion.description,
            )

    def scores(self) -> dict:
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}


class DecisionForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=Application.Decision.choices)
    waitlist_rank = forms.IntegerField(label=_("Waiting-list rank"), min_value=1, required=False)


class TripPaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How you pay"),
        choices=[("card", _("By card")), ("offline", _("By check"))],
        widget=forms.RadioSelect,
    )
    installment = forms.IntegerField(required=False, widget=forms.HiddenInput)
