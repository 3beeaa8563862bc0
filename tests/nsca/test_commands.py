from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_no_pending_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_load_demo_is_idempotent():
    from association.models import Association
    from nsca.models import Page

    call_command("load_demo", stdout=StringIO())
    counts = (Association.objects.count(), Page.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Association.objects.count(), Page.objects.count()) == counts == (1, counts[1])
    assert Association.objects.get().name == "Norfolk Sister City Association"


def test_load_demo_keeps_staff_edits():
    from association.models import Association

    call_command("load_demo", stdout=StringIO())
    Association.objects.filter(pk=1).update(tagline="Edited by staff")
    call_command("load_demo", stdout=StringIO())
    assert Association.objects.get().tagline == "Edited by staff"


def test_load_demo_creates_no_account():
    from membership.models import User

    call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_load_demo_emails_nobody():
    """Its sample buyers are made up: marking their orders paid tells no one."""
    from django.core import mail

    mail.outbox.clear()
    call_command("load_demo", stdout=StringIO())
    assert mail.outbox == []


def test_run_jobs_runs_every_job_even_when_one_fails(monkeypatch):
    from django.core.management import CommandError

    from association.registry import Registry

    ran = []

    def failing_job(*, now):
        raise RuntimeError("boom")

    def counting_job(*, now):
        ran.append(now)
        return "1 done"

    registry = Registry("no_such_module")
    registry.register(failing_job, name="fake.jobs.failing_job")
    registry.register(counting_job, name="fake.jobs.counting_job")
    monkeypatch.setattr("association.tasks.periodic_jobs", registry)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("run_jobs", stdout=out)
    assert len(ran) == 1
    assert "fake.jobs.counting_job: 1 done" in out.getvalue()
