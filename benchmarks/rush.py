"""`make bench`: a ticket rush. Guest buyers over HTTP, confirmed orders per minute for one
event, and 0 oversold.

The site is served as production would (benchmarks/pages.py's helpers: gunicorn with
gunicorn.conf.py, 2 workers, DEBUG off, PostgreSQL from DATABASE_URL, the shared cache from
CACHE_URL), plus the background worker (`manage.py procrastinate worker`), which sends the
confirmations. Each
round puts one published event on sale with one FREE ticket type of RUSH_PLACES places
(3,000 by default): free, because its orders are confirmed at once without a card, which is
what a rush for a free community event is, and it leaves out only the payment row the
pay-later method writes. wrk (benchmarks/rush.lua, one connection per thread, so each
thread keeps one CSRF cookie like a light client) keeps RUSH_BUYERS buyers in flight ("8"
by default; "8 16" runs a round of each): every buyer GETs the checkout form, POSTs it with
a unique name and email, and follows the redirect to the order page, until the event is
sold out.

It prints confirmed orders per minute while places remained (first request to the last
confirmed order), p50/p99 of the POST, errors (any answer but 200, 303 and the expected
sold-out one), then, from the database: places sold against capacity, asserting 0 oversold
(the exit status is 1 otherwise); and the CPU time the gunicorn workers spent per confirmed
order (the sold-out answers at the end included), a figure that other processes' load on
the machine barely moves, unlike the rate.

The per-IP checkout limit (tickets/limits.py) would stop a rush from one address (127.0.0.1)
after ten orders: it is raised in this benchmark's environment only, and the output says
so. Email goes over SMTP to a sink in this process that accepts and discards every message
(the network boundary), so the site builds and sends its confirmations as in production.
"""

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import pages  # noqa: E402 (the path above first)

ROOT = pages.ROOT
PORT = 8105
SMTP_PORT = 8125
PLACES = int(os.environ.get("RUSH_PLACES", "3000"))
BUYERS = [int(n) for n in os.environ.get("RUSH_BUYERS", "8").split()]
MODES = os.environ.get("RUSH_MODES", "full light").split()
"""full: each buyer gets the form, posts it, follows to the order page. light: the issue's
light client, one form per thread (its CSRF cookie), then only posts."""
LONGEST_SECONDS = int(os.environ.get("RUSH_MAX_SECONDS", "300"))
LUA = Path(__file__).with_name("rush.lua")
RAISED_LIMITS = {
    # One address buys everything here; in production these stop a hoarder.
    "EVENTS_CHECKOUT_LIMIT_PER_IP": str(10**9),
}


class SmtpSink:
    """Just enough SMTP to take messages and drop them, in a thread of this process."""

    def __init__(self, port: int):
        self.port = port
        self.messages = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    async def _session(self, reader, writer):
        writer.write(b"220 sink ESMTP\r\n")
        in_data = False
        while line := await reader.readline():
            if in_data:
                if line in (b".\r\n", b".\n"):
                    in_data = False
                    self.messages += 1
                    writer.write(b"250 kept nowhere\r\n")
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250 sink\r\n")
            elif verb == b"DATA":
                in_data = True
                writer.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    def _serve(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", self.port))
        self.loop.run_forever()

    def start(self):
        self.thread.start()


def make_event(buyers: int):
    """A published event, on sale now, with one free ticket type of PLACES places."""
    from django.utils import timezone  # noqa: PLC0415 (after django.setup())

    from events.models import Event  # noqa: PLC0415
    from tickets.models import TicketType  # noqa: PLC0415

    now = timezone.now().replace(microsecond=0)
    stamp = now.strftime("%Y%m%d%H%M%S")
    event = Event.objects.create(
        title=f"Ticket rush {stamp} ({buyers} buyers)",
        slug=f"rush-{stamp}-{buyers}",
        summary="A benchmark's event: guest buyers all at once.",
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=3),
        status=Event.Status.PUBLISHED,
        capacity=PLACES,
    )
    ticket_type = TicketType.objects.create(
        event=event, name="Free entry", price=0, quantity=PLACES, max_per_order=1
    )
    return event, ticket_type


def sold_figures(event) -> dict:
    from django.db.models import Count, Q  # noqa: PLC0415 (after django.setup())

    from events.models import Event  # noqa: PLC0415
    from tickets.models import Order, Ticket  # noqa: PLC0415

    event = Event.objects.get(pk=event.pk)
    taken = Q(order__status__in=[Order.Status.CONFIRMED, Order.Status.PENDING])
    return {
        "capacity": event.capacity,
        "reserved": event.reserved,
        "tickets": Ticket.objects.filter(taken, order__event=event).count(),
        "confirmed_orders": Order.objects.filter(
            event=event, status=Order.Status.CONFIRMED
        ).count(),
        "by_status": dict(
            Order.objects.filter(event=event)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by()
        ),
    }


def read_logs(directory: Path) -> dict:
    starts, posts, errors = [], [], Counter()
    for path in directory.glob("buyer-*.log"):
        for line in path.read_text().splitlines():
            kind, *values = line.split()
            if kind == "start":
                starts.append(float(values[0]))
            elif kind == "post":
                status, sent, took = int(values[0]), float(values[1]), float(values[2])
                posts.append((status, sent, took))
                if status not in (303, 409):
                    errors[f"POST {status}"] += 1
            elif kind == "order" and values[0] != "200":
                errors[f"order page {values[0]}"] += 1
            elif kind == "form-error":
                errors[f"form {values[0]}"] += 1
    return {"starts": starts, "posts": posts, "errors": errors}


def run_wrk(command: list[str], logs: Path, *, buyers: int) -> dict:
    """Run wrk until every buyer has seen the event sold out (or RUSH_MAX_SECONDS)."""
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        while wrk.poll() is None and len(list(logs.glob("sold-out-*"))) < buyers:
            time.sleep(0.2)
    finally:
        wrk.send_signal(signal.SIGINT)  # wrk prints its summary and exits
        out, _ = wrk.communicate(timeout=30)
    return {**read_logs(logs), "wrk": out}


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def server_cpu_seconds(master_pid: int) -> float:
    """CPU time the gunicorn master's workers have used: the live ones' own, and the
    replaced ones' (max_requests) as the master reaped them."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid):
        # After the ")" that ends the command name: state is field 3, so index i is field i+3.
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()

    reaped = fields(master_pid)
    total = int(reaped[13]) + int(reaped[14])  # cutime, cstime
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            child = fields(entry.name)
        except OSError:
            continue
        if int(child[1]) == master_pid:  # ppid
            total += int(child[11]) + int(child[12])  # utime, stime
    return total / tick


def seconds_until_outbox_empty(*, since, longest: float = 600.0) -> float | None:
    """After a round: how long until the worker has sent every email queued since the
    round began (rows of the database's own past are not this round's); None if it did not
    within `longest` seconds."""
    from outbox.models import OutgoingEmail  # noqa: PLC0415 (after django.setup())

    queued = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, created_at__gte=since)
    began = time.monotonic()
    while time.monotonic() - began < longest:
        if not queued.exists():
            return time.monotonic() - began
        time.sleep(0.2)
    return None


def confirmation_delays(*, since) -> list[float]:
    """Seconds from each order's confirmation (its email queued, in the order's
    transaction) to its email sent, for the round's confirmations."""
    from outbox.models import OutgoingEmail  # noqa: PLC0415
    from tickets.notifications import CONFIRMATION_BUILDER  # noqa: PLC0415 (after setup())

    rows = OutgoingEmail.objects.filter(
        kind=CONFIRMATION_BUILDER, created_at__gte=since, status=OutgoingEmail.Status.SENT
    ).values_list("created_at", "sent_at")
    return [(sent - queued).total_seconds() for queued, sent in rows.iterator()]


def rush(buyers: int, *, server_pid: int, mode: str = "full") -> bool:
    """One round; True when nothing was oversold."""
    from django.utils import timezone  # noqa: PLC0415 (after django.setup())

    round_began = timezone.now()
    event, ticket_type = make_event(buyers)
    checkout = f"/events/{event.slug}/tickets/"
    with tempfile.TemporaryDirectory(prefix="rush-") as logs:
        command = ["wrk", f"-t{buyers}", f"-c{buyers}", f"-d{LONGEST_SECONDS}s", "--timeout", "10s"]
        command += ["-s", str(LUA), f"http://127.0.0.1:{PORT}{checkout}"]
        command += ["--", checkout, str(ticket_type.pk), logs, mode]
        cpu_before = server_cpu_seconds(server_pid)
        found = run_wrk(command, Path(logs), buyers=buyers)
        cpu = server_cpu_seconds(server_pid) - cpu_before
    emails_done = seconds_until_outbox_empty(since=round_began)
    posts = found["posts"]
    confirmed = [(sent, took) for status, sent, took in posts if status == 303]
    sold_out_answers = sum(1 for status, _sent, _took in posts if status == 409)
    errors = sum(found["errors"].values())
    socket_errors = [line.strip() for line in found["wrk"].splitlines() if "Socket errors" in line]
    began = min(found["starts"]) if found["starts"] else 0
    last = max((sent + took for sent, took in confirmed), default=began)
    minutes = (last - began) / 60e6
    rate = len(confirmed) / minutes if minutes else 0.0
    took_ms = [took / 1000 for _sent, took in confirmed]
    figures = sold_figures(event)
    oversold = max(figures["tickets"] - figures["capacity"], figures["reserved"] - PLACES, 0)
    print(
        f"{mode:>5} {buyers:>6} {rate:>14,.0f} {len(confirmed):>9} {(last - began) / 1e6:>8.1f} "
        f"{percentile(took_ms, 0.5):>8.1f}/{percentile(took_ms, 0.99):<8.1f} "
        f"{errors:>6} {sold_out_answers:>8} "
        f"{figures['tickets']:>6}/{figures['capacity']:<6} {oversold:>8} "
        f"{cpu * 1000 / max(len(confirmed), 1):>13.1f}",
        flush=True,
    )
    if errors:
        print(f"       errors: {', '.join(f'{n} x {what}' for what, n in found['errors'].items())}")
    if socket_errors:
        print(f"       wrk: {'; '.join(socket_errors)}")
    if emails_done is None:
        print("       email: still queued after 10 minutes")
    else:
        print(f"       email: every confirmation sent {emails_done:.1f} s after the round ended")
    delays = confirmation_delays(since=round_began)
    if delays:
        print(
            f"       confirmation email, order to sent: p50 {percentile(delays, 0.5):.1f} s, "
            f"p95 {percentile(delays, 0.95):.1f} s, max {max(delays):.1f} s "
            f"({len(delays)} emails; goal p95 <= 15 s)"
        )
    if figures["confirmed_orders"] != len(confirmed):
        print(
            f"       the database holds {figures['confirmed_orders']} confirmed orders, "
            f"the buyers were sent to {len(confirmed)} ({figures['by_status']})"
        )
    remove_event(event)
    return oversold == 0


def remove_event(event) -> None:
    """Gone once counted: a round's event would otherwise stay upcoming in the database
    and lengthen the lists the next `make bench` measures. Orders and ticket types protect
    their event, so they go first (a free event's orders have no payments)."""
    from django.db import connection, transaction  # noqa: PLC0415 (after django.setup())

    from outbox.models import OutgoingEmail  # noqa: PLC0415
    from tickets.models import Order, Ticket, TicketType  # noqa: PLC0415
    from tickets.notifications import CONFIRMATION_BUILDER  # noqa: PLC0415

    with transaction.atomic():
        # Confirmations a slow round left unsent would fail on their deleted orders and be
        # retried for an hour, in the next rounds' and the next run's worker time.
        unsent = OutgoingEmail.objects.filter(
            kind=CONFIRMATION_BUILDER,
            status=OutgoingEmail.Status.QUEUED,
            build_args__order_pk__in=list(
                Order.objects.filter(event=event).values_list("pk", flat=True)
            ),
        )
        unsent_ids = list(unsent.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM procrastinate_jobs WHERE status = 'todo' AND "
                "task_name = 'outbox.send_email' AND (args->>'email_id')::bigint = ANY(%s)",
                [unsent_ids],
            )
        unsent.delete()
        Ticket.objects.filter(order__event=event).delete()
        Order.objects.filter(event=event).delete()
        TicketType.objects.filter(event=event).delete()
        event.delete()


WORKER_CONCURRENCY = os.environ.get("RUSH_WORKER_CONCURRENCY", "4")


def email_worker():
    """procrastinate's worker, as `make serve` runs it (it sends what checkouts queue)."""
    command = [sys.executable, "manage.py", "procrastinate", "worker"]
    command += ["--concurrency", WORKER_CONCURRENCY]
    return subprocess.Popen(command, cwd=ROOT, env=pages.site_environment(page_cache=True))  # noqa: S603


def main() -> None:
    os.environ.update(RAISED_LIMITS)
    os.environ.update(
        GUNICORN_ACCESS_LOG="off",  # a line per request would be the benchmark's own cost
        EMAIL_URL=f"smtp://127.0.0.1:{SMTP_PORT}",
    )
    pages.prepare_site()
    sink = SmtpSink(SMTP_PORT)
    sink.start()
    pages.PORTS.setdefault("rush", PORT)
    server = pages.start("rush")
    worker = email_worker()
    try:
        pages.wait_until_up(PORT)
        sender = f"manage.py procrastinate worker --concurrency {WORKER_CONCURRENCY}"
        limits = ", ".join(f"{name}={value}" for name, value in RAISED_LIMITS.items())
        print(
            f"\nA ticket rush: guest buyers over HTTP, one free ticket type of {PLACES} places "
            f"a round, one ticket per order. full: each buyer gets the form, posts it, follows "
            f"to the order page; light (the issue's light client): one form per thread for "
            f"its CSRF cookie, then posts only.\n"
            f"gunicorn --workers {pages.WORKERS} (gunicorn.conf.py, access log off), DEBUG "
            f"off, PostgreSQL, CACHE_URL={os.environ['CACHE_URL']}; email over SMTP to a "
            f"sink; email worker: {sender}.\n"
            f"Raised for this benchmark only (one address buys everything): {limits}.\n"
        )
        print(
            f"{'mode':>5} {'buyers':>6} {'orders/minute':>14} {'confirmed':>9} {'seconds':>8} "
            f"{'POST p50/p99 ms':>17} {'errors':>6} {'sold-out':>8} {'sold/capacity':>13} "
            f"{'oversold':>8} {'CPU ms/order':>13}"
        )
        results = [
            rush(buyers, server_pid=server.pid, mode=mode) for mode in MODES for buyers in BUYERS
        ]
        print(f"emails taken by the SMTP sink: {sink.messages}")
    finally:
        for process in (server, worker):
            if process is not None:
                process.terminate()
        for process in (server, worker):
            if process is not None:
                process.wait(timeout=30)
    if not all(results):
        sys.exit("OVERSOLD: more places taken than the event has")


if __name__ == "__main__":
    main()
