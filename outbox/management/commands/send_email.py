"""The outbox's worker: sends queued email within a second or two of its being queued.

Runs until SIGTERM or SIGINT (it finishes the round it is in, then exits); `--once`
delivers everything due and exits. It lowers its own CPU priority (`--nice`, 10 by
default): on a machine that also serves the site, requests come first, and during a ticket
rush the confirmations queue for a few seconds and go out as the rush eases, instead of
taking a core from the buyers. Several may run at once, on one machine or several:
each round claims its rows with `SKIP LOCKED` (outbox/delivery.py). A database that goes
away is waited for, not fatal.
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
            "--nice",
            type=int,
            default=10,
            help="Lower this process's CPU priority by this much (default 10; 0 keeps it).",
        )

    def handle(self, *args, once, idle_seconds, nice, **options):
        if once:
            self.stdout.write(f"{drain(now=timezone.now())} email(s) handled")
            return
        if nice:
            os.nice(nice)
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
