import pytest

from donations.models import Designation


@pytest.fixture
def designation(db):
    return Designation.objects.create(
        name="Youth exchange", description="Students travel to our sister cities."
    )


@pytest.fixture
def retired_designation(db):
    return Designation.objects.create(name="Old appeal", active=False)


def donation_data(**overrides):
    data = {
        "amount_choice": "50",
        "other_amount": "",
        "designation": "",
        "dedication": "",
        "donor_name": "Grace Giver",
        "donor_email": "grace@example.org",
        "payment_method": "offline",
    }
    data.update(overrides)
    return data
