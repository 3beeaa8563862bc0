from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from exchanges.demo import DELEGATION, YOUTH
from exchanges.models import Application, Program

pytestmark = pytest.mark.django_db


def test_load_demo_adds_an_open_youth_exchange_and_a_closed_delegation_idempotently(demo):
    now = timezone.now()
    youth = Program.objects.get(slug=YOUTH)
    delegation = Program.objects.get(slug=DELEGATION)
    assert youth.partnership.slug == "wilhelmshaven" and youth.is_open_for_applications(now)
    assert delegation.partnership.slug == "kitakyushu" and not delegation.is_open_for_applications(
        now
    )
    assert delegation.notification_at < now
    assert not Application.objects.exists()  # sample applicants only when asked
    call_command("load_demo", stdout=StringIO())
    assert Program.objects.count() == 2


def test_sample_applicants_only_when_asked_and_idempotent(demo):
    call_command("load_exchange_applicants", stdout=StringIO())
    call_command("load_exchange_applicants", stdout=StringIO())
    applications = Application.objects.select_related("applicant")
    assert applications.count() == 2
    assert not any(a.applicant.has_usable_password() for a in applications)
