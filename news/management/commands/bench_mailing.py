"""Benchmark: queue and send a mailing to N addresses, through procrastinate's queue and the
outbox, with a delivery backend that forgets what it is handed.

Sending is every step each message takes: the mailing's batch tasks write each delivery's
message to the outbox (news/delivery.py), and each email's task sends it
(outbox/delivery.py). Reports the
time per message (measured without tracemalloc, which slows Python down
several times) and the peak Python memory (tracemalloc, in a second run) of queueing and
of sending, for two audience sizes: the peak must not grow with the audience, since the
audience is streamed (`iterator()`) and each message is built and sent on its own.

Runs inside a transaction that is rolled back: the database is left as it was. Meant for a
development or test database, never production (it creates thousands of subscribers).
"""

import time
import tracemalloc

from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from association.background import run_queued_jobs, uses_postgresql
from news.delivery import queue_due_mailings
from news.models import Mailing, Subscriber
from outbox.models import OutgoingEmail


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Queue and send a mailing to N addresses (procrastinate tasks, the outbox); "
        "time and peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=5000)
        parser.add_argument(
            "--compare",
            type=int,
            default=500,
            help="A smaller audience to compare peak memory with (0: skip).",
        )

    def handle(self, *args, count, compare, **options):
        if not uses_postgresql():
            # It measures procrastinate's queue in PostgreSQL, inside a transaction it rolls
            # back; SQLite's in-process queue runs nothing before a commit.
            raise CommandError(
                "bench_mailing needs PostgreSQL: set DATABASE_URL, as make bench does."
            )
        for size in [size for size in (compare, count) if size]:
            timed = self.measure(size, trace=False)
            traced = self.measure(size, trace=True)
            self.stdout.write(
                f"{size} addresses: queue {timed['queue_s']:.2f} s, send {timed['send_s']:.2f} s"
                f" = {timed['per_message_ms']:.2f} ms/message, {timed['sent']} sent; "
                f"peak memory: queueing {traced['queue_peak_kib']:.0f} KiB, "
                f"sending {traced['send_peak_kib']:.0f} KiB"
            )

    def measure(self, size: int, *, trace: bool) -> dict:
        result = {}
        try:
            with (
                # DEBUG off: with it on, Django keeps every query in memory, which would
                # grow with the audience and hide what is being measured.
                override_settings(
                    DEBUG=False,
                    EMAIL_BACKEND="outbox.backends.OutboxBackend",
                    # Handed on and forgotten, as a mail server takes them.
                    OUTBOX_DELIVERY_BACKEND="django.core.mail.backends.dummy.EmailBackend",
                    TASKS_RUN_AFTER_COMMIT=False,
                ),
                transaction.atomic(),
            ):
                mail.outbox = []
                now = timezone.now()
                Subscriber.objects.bulk_create(
                    Subscriber(email=f"bench-{i}@example.org", name=f"Reader {i}", confirmed_at=now)
                    for i in range(size)
                )
                Mailing.objects.create(
                    subject="Benchmark",
                    body="## News\n\nThe delegation from **Toulon** arrives Friday.",
                    audience=Mailing.Audience.SUBSCRIBERS,
                    status=Mailing.Status.SCHEDULED,
                    send_at=now,
                )
                if trace:
                    tracemalloc.start()
                started = time.perf_counter()
                queue_due_mailings(now=now)
                result["queue_s"] = time.perf_counter() - started
                if trace:
                    result["queue_peak_kib"] = tracemalloc.get_traced_memory()[1] / 1024
                    tracemalloc.reset_peak()
                started = time.perf_counter()
                # The mailing's batch tasks, then each email's sending task, as a worker
                # (here, run_jobs's runner) takes them from the queue.
                run_queued_jobs()
                sent = OutgoingEmail.objects.filter(
                    status=OutgoingEmail.Status.SENT, created_at__gte=now
                ).count()
                result["send_s"] = time.perf_counter() - started
                if trace:
                    result["send_peak_kib"] = tracemalloc.get_traced_memory()[1] / 1024
                    tracemalloc.stop()
                result["sent"] = sent
                result["per_message_ms"] = result["send_s"] * 1000 / max(sent, 1)
                raise Rollback
        except Rollback:
            pass
        return result
