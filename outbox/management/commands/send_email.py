"""The outbox's worker: sends queued email within a second or two of its being queued.

Runs until SIGTERM or SIGINT (it finishes the round it is in, then exits); `--once`
delivers everything due and exits. It runs on the CPU time the site leaves unused
(`--priority idle`, Linux's SCHED_IDLE, the default; `low` is nice 19, `normal` leaves it):
on a machine that also serves the site, requests come first, and when a ticket rush keeps
every core busy the confirmations queue and go out as it eases (measured by `make bench`:
about half a minute after 3,000 orders in 35 seconds), instead of taking a core from the
buyers. The order page shows everything the email says meanwhile.

Several may run at once, on one machine or several: each round claims its rows with
`SKIP LOCKED` (outbox/delivery.py). A database that goes away is waited for, not fatal.
"""

import logging
import os
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django.utils import timezone

from outbox.delivery import deliver_due, drain

logger = logging.getLogger(__name__)


def lower_priority(priority: str) -> None:
    """Give the site's requests the CPU first (see the module docstring)."""
    if priority == "normal":
        return
    os.nice(19)
    if priority == "idle" and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


class Command(BaseCommand):
    help = "Send the email queued in the outbox: runs until stopped, or --once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Deliver what is due now, then exit."
        )
        parser.add_argument(
            "--idle-seconds",
            type=float,
            default=1.0,
            help="How long to wait when nothing is due (default 1).",
        )
        parser.add_argument(
            "--priority",
            choices=["idle", "low", "normal"],
            default="idle",
            help="CPU priority: idle (default; only CPU time the site leaves unused, on "
            "Linux), low (nice 19) or normal.",
        )

    def handle(self, *args, once, idle_seconds, priority, **options):
        if once:
            self.stdout.write(f"{drain(now=timezone.now())} email(s) handled")
            return
        lower_priority(priority)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("Sending queued email; stop with SIGTERM or Ctrl-C.")
        while not stop.is_set():
            close_old_connections()
            try:
                handled = deliver_due(now=timezone.now())
            except Exception:
                logger.exception("The outbox worker's round failed; trying again shortly")
                connections.close_all()
                handled = 0
            if not handled:
                stop.wait(idle_seconds)
        connections.close_all()
        self.stdout.write("Stopped.")
