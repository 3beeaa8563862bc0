import pytest

from membership.forms import JoinForm

pytestmark = pytest.mark.django_db


def test_join_form_asks_for_interests_in_words_when_none_are_offered(plan):
    form = JoinForm(plan=plan)
    assert "interest_choices" not in form.fields
    assert "interests" in form.fields


def test_join_form_offers_the_interests_its_view_gives(plan):
    data = {"payment_method": "offline", "interest_choices": ["Toulon"], "interests": "Cooking"}
    offered = ["Toulon", "Toulon: Youth exchange"]
    form = JoinForm(data, plan=plan, interest_choices=offered)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["interests"] == "Toulon\nCooking"
    refused = JoinForm(
        {**data, "interest_choices": ["Atlantis"]}, plan=plan, interest_choices=offered
    )
    assert not refused.is_valid()
