"""Exactly once, as it runs in production (PostgreSQL, real processes, a real SMTP
server): two procrastinate workers and two `run_jobs` at once send each email once, and a
worker killed with SIGKILL while sending loses nothing and resends at most the one message
it was handing over (docs/deploy.md, "Exactly once")."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.core.mail import send_mail
from django.db import connection

from outbox.models import OutgoingEmail
from tests.outbox.mail_servers import SmtpSink

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def wait_for(condition, *, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def environment(sink: SmtpSink) -> dict:
    database = connection.settings_dict
    return {
        **os.environ,
        "ENV_FILE": "/dev/null",
        "DJANGO_SETTINGS_MODULE": "nsca.settings",
        "DEBUG": "false",
        "SECRET_KEY": "worker-test-secret-key-0123456789abcdef0123456789",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
        "EMAIL_URL": sink.url,
        "TASKS_STALLED_SECONDS": "1",
    }


def start(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def queue(count: int) -> list[str]:
    addresses = [f"person{index}@example.org" for index in range(count)]
    for address in addresses:
        send_mail("Your tickets", "Body", None, [address])
    return addresses


def test_two_workers_and_two_run_jobs_at_once_send_each_email_once(settings):
    settings.TASKS_RUN_AFTER_COMMIT = False
    sink = SmtpSink(pause=0.01)
    addresses = queue(60)
    env = environment(sink)
    workers = [start(["procrastinate", "worker"], env) for _ in range(2)]
    runs = [start(["run_jobs"], env) for _ in range(2)]
    try:
        for run in runs:
            run.wait(timeout=120)
        assert wait_for(lambda: len(sink.recipients) >= len(addresses)), "not all were sent"
        time.sleep(1)  # a second sending of any of them would arrive now
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.communicate(timeout=30)
        sink.stop()
    sent = Counter(recipient for message in sink.recipients for recipient in message)
    assert sorted(sent) == sorted(addresses)
    assert set(sent.values()) == {1}, [a for a, n in sent.items() if n > 1]
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() == 60


def test_a_worker_killed_while_sending_loses_nothing_and_resends_at_most_one(settings):
    settings.TASKS_RUN_AFTER_COMMIT = False
    # Each message takes the mail server a moment to answer: the worker is killed while
    # handing one over.
    sink = SmtpSink(pause=0.3)
    addresses = queue(20)
    env = environment(sink)
    worker = start(["procrastinate", "worker"], env)
    try:
        assert wait_for(lambda: len(sink.recipients) >= 5), "the worker sent nothing"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    taken = len(sink.recipients)
    assert taken < len(addresses), "killed too late to test anything"
    recorded = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count()
    assert taken - recorded <= 1  # at most the one being handed over is not recorded
    time.sleep(1.5)  # its heartbeat is older than TASKS_STALLED_SECONDS: its job is stalled
    run = start(["run_jobs"], env)
    _out, err = run.communicate(timeout=120)
    sink.stop()
    sent = Counter(recipient for message in sink.recipients for recipient in message)
    assert sorted(sent) == sorted(addresses), err  # nothing lost
    assert sum(sent.values()) - len(addresses) <= 1  # at most one resent
    assert not OutgoingEmail.objects.exclude(status=OutgoingEmail.Status.SENT).exists(), err
