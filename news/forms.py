from django import forms
from django.utils.translation import gettext_lazy as _


class SubscribeForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Email address"), max_length=254)
