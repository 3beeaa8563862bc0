"""`manage.py send_email` as it runs in production: its own process, sending within a
second of a row being committed, and stopping cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.mail import send_mail
from django.db import connection

from outbox.models import OutgoingEmail

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, *, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_worker_process_sends_within_seconds_and_stops_on_sigterm(settings, tmp_path):
    settings.OUTBOX_DELIVER_AT_ONCE = False
    database = connection.settings_dict
    env = {
        **os.environ,
        "ENV_FILE": "/dev/null",
        "DJANGO_SETTINGS_MODULE": "nsca.settings",
        "DEBUG": "false",
        "SECRET_KEY": "worker-test-secret-key-0123456789abcdef0123456789",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
        # Four slashes: django-environ drops the first of an absolute path.
        "EMAIL_URL": f"filemail:///{tmp_path}",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "send_email", "--idle-seconds", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # It gives the site the CPU first: only time nothing else wants (--priority idle).
        assert wait_for(lambda: os.sched_getscheduler(worker.pid) == os.SCHED_IDLE)
        send_mail("Your tickets", "Body", None, ["ann@example.org"])
        assert wait_for(lambda: any(tmp_path.iterdir())), "nothing was sent"
        written = next(tmp_path.iterdir()).read_text()
        assert "Subject: Your tickets" in written and "To: ann@example.org" in written
        assert wait_for(lambda: OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err
    assert "Stopped." in out
