"""Benchmark: queue and send a mailing to N addresses, through the outbox, with the locmem
email backend delivering it.

Sending is both steps every message takes: the delivery writes the message to the outbox
(news/delivery.py), and the outbox's worker sends it (outbox/delivery.py). Reports the
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
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from association.background import run_queued_jobs
from news.delivery import queue_due_mailings, send_due_deliveries
from news.models import Mailing, Subscriber


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Queue and send a mailing to N addresses (through the outbox, locmem delivery); "
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
                    OUTBOX_DELIVERY_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                    OUTBOX_DELIVER_AT_ONCE=False,
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
                sent = 0
                started = time.perf_counter()
                while handled := send_due_deliveries(now=now, limit=500):
                    sent += handled
                    run_queued_jobs()
                    # The locmem outbox keeps every message: empty it as a real
                    # backend would have handed them on.
                    mail.outbox.clear()
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
