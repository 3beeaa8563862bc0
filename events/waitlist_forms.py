"""The form a visitor fills in to join a sold-out event's waiting list."""

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_WANTED = 10


class WaitlistJoinForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("We write to this address if places come back."),
    )
    quantity = forms.IntegerField(
        label=_("How many tickets you would like"),
        min_value=1,
        max_value=MAX_WANTED,
        initial=1,
    )
    ticket_type = forms.ModelChoiceField(
        label=_("Ticket type"),
        queryset=None,
        required=False,
        empty_label=_("Any ticket type"),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        ticket_types = event.ticket_types.all()
        self.fields["ticket_type"].queryset = ticket_types
        if len(ticket_types) < 2:
            # One kind of ticket: nothing to choose.
            del self.fields["ticket_type"]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please give your name."))
        return name
