from io import StringIO

import pytest
from django.core.management import call_command

from donations.models import Designation, Donation

pytestmark = pytest.mark.django_db


def test_load_demo_adds_a_couple_of_designations_once(demo):
    names = list(Designation.objects.active().values_list("name", flat=True))
    assert names == ["Youth exchange"]
    call_command("load_demo", stdout=StringIO())
    assert Designation.objects.count() == 1
    assert not Donation.objects.exists()
