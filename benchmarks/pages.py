"""`make bench`: the public pages' speed, served production-like, beside bare Django.

Serves the site as production would (gunicorn with gunicorn.conf.py and 2 workers, DEBUG
off, PostgreSQL from DATABASE_URL, the shared cache from CACHE_URL, Redis by default), and
bare Django's "hello" (benchmarks/hello.py) on the same gunicorn settings. For each public
page it alternates `wrk -t2 -c16 --latency` on bare Django, the page as served, and the page
uncached (asked with a query string the page cache never serves, so it is rendered every
time; what is kept once per edit stays kept, as in production). It prints requests per
second, the ratio to bare Django, p50/p99 latency and the queries the page runs when it is
rendered. Then the issue's load test: `wrk -t2 -c100 --latency` on an event page as served
for 60 seconds, with its errors of every kind (non-2xx or 3xx answers, socket errors) and
p50/p99 (goal: no error, p99 under 100 ms).

BENCH_SECONDS sets each comparison's run (5 s by default), BENCH_LOAD_SECONDS the load
test's (60 s; 0 skips it), BENCH_PAGES="an event,sitemap" compares only the pages named.
"""

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This checkout's code, in this process too (which counts queries), not another installed one.
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
# The load test: 100 connections for 60 seconds on an event page as served.
LOAD_CONNECTIONS = 100
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
LOAD_P99_GOAL_MS = 100
WORKERS = os.environ.get("BENCH_WORKERS", "2")
"""The issue's measure: two workers, the bare Django beside it on the same settings."""
WRK = ["wrk", "-t2", "--latency"]
PORTS = {"bare": 8103, "site": 8101}
# Any query string but `?page=` makes the page cache step aside (association/page_cache.py).
# Pages as served come from each worker's own copy, or from the shared one in Redis
# (CACHE_URL) when the worker has not served the page yet.
UNCACHED = "bench-uncached"


def site_environment(*, page_cache: bool) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="nsca.settings",
        DEBUG="false",
        SECURE_HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CACHE_URL=os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/1"),
        PAGE_CACHE_ENABLED="true" if page_cache else "false",
        LOG_LEVEL="WARNING",
    )
    env.setdefault("SECRET_KEY", "bench-" + secrets.token_hex(32))
    return env


def prepare_site():
    """Migrate, load the demo content, collect static files and vacuum, in this process
    (which then also counts each page's queries)."""
    os.environ.update(site_environment(page_cache=True))
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("make bench measures PostgreSQL: set DATABASE_URL=postgres://...")
    import django  # noqa: PLC0415 (configured from the environment set just above)

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo", stdout=StringIO())
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.db import connection  # noqa: PLC0415

    # Earlier runs (a rush sells out thousands of orders, then removes them) leave dead
    # rows that autovacuum would clean up in the middle of the measurements: now, instead.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def public_pages() -> dict[str, str]:
    from django.utils import timezone  # noqa: PLC0415

    from cities.models import Partnership  # noqa: PLC0415 (after django.setup())
    from events.models import Event  # noqa: PLC0415
    from news.models import Post  # noqa: PLC0415

    # An upcoming event on sale (the page a rush reads), the first past one when none is.
    events = Event.objects.published().order_by("starts_at")
    event = events.filter(starts_at__gt=timezone.now()).first() or events.first()
    partnership = Partnership.objects.current().first()
    post = Post.objects.published(timezone.now()).order_by("-published_at").first()
    return {
        "home": "/",
        "about": "/about/",
        "cities": "/cities/",
        "a partnership": partnership.get_absolute_url(),
        "Virginia directory": "/cities/virginia/",
        "events": "/events/",
        "past events": "/events/past/",
        "an event": event.get_absolute_url(),
        "membership plans": "/membership/",
        "events feed": "/events/feed/",
        "event .ics": f"/events/{event.slug}/event.ics",
        "calendar .ics": "/events/calendar.ics",
        "sitemap": "/sitemap.xml",
        "news": "/news/",
        "a news post": post.get_absolute_url(),
        "news feed": "/news/feed/",
    }


def queries_per_page(url: str) -> int:
    """Queries the page runs when rendered (not served from the page cache, asked with the
    query string it steps aside for), once what is kept per edit has been read, as in
    tests/nsca/test_page_queries.py."""
    from django.db import connection  # noqa: PLC0415 (after django.setup())
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client = Client(HTTP_HOST="127.0.0.1")
    rendered = f"{url}{'&' if '?' in url else '?'}{UNCACHED}"
    client.get(rendered)
    with CaptureQueriesContext(connection) as queries:
        client.get(rendered)
    return len(queries)


def start(name: str) -> subprocess.Popen:
    if name == "bare":
        app, env = "benchmarks.hello:application", dict(os.environ)
    else:
        app, env = "nsca.wsgi", site_environment(page_cache=True)
    command = [str(BIN / "gunicorn"), app, "--workers", WORKERS, "--log-level", "warning"]
    command += ["--bind", f"127.0.0.1:{PORTS[name]}"]
    # gunicorn.conf.py (read from ROOT) writes the access log to standard output, as in
    # production: it is still written, one line a request, but not onto the report.
    return subprocess.Popen(  # noqa: S603 (our own command line)
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )


def wait_until_up(port: int) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server on port {port} did not start")


def to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(port: int, path: str, *, connections: int = 16, seconds: int = SECONDS) -> dict:
    url = f"http://127.0.0.1:{port}{path}"
    for _ in range(2):  # warm: the first request renders, keeps, connects
        urllib.request.urlopen(url, timeout=10).read()
    out = subprocess.run(  # noqa: S603 (wrk on our own server)
        [*WRK, f"-c{connections}", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = {}
    for percentile, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        latency[percentile] = to_ms(value, unit)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": latency.get("50", 0.0),
        "p99": latency.get("99", 0.0),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": dict(
            zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True)
        )
        if sockets
        else {},
    }


def errors_of(result: dict) -> int:
    """Every failed request wrk saw: non-2xx/3xx answers and socket errors of every kind."""
    return result["errors"] + sum(result["socket_errors"].values())


def compare(pages: dict[str, str], queries: dict[str, int]) -> None:
    print(
        f"{' '.join(WRK)} -c16 -d{SECONDS}s, bare Django measured before each page\n\n"
        f"{'page':<20} {'served r/s':>10} {'uncached':>9} {'bare':>7} {'ratio':>6} "
        f"{'unc.ratio':>9} {'served p50/p99 ms':>18} {'uncached p50/p99':>17} {'queries':>7}"
    )
    ratios, uncached_ratios = [], []
    for name, url in pages.items():
        bare = wrk(PORTS["bare"], "/")
        served = wrk(PORTS["site"], url)
        uncached = wrk(PORTS["site"], f"{url}{'&' if '?' in url else '?'}{UNCACHED}")
        ratios.append(served["rps"] / bare["rps"])
        uncached_ratios.append(uncached["rps"] / bare["rps"])
        errors = errors_of(served) + errors_of(uncached)
        print(
            f"{name:<20} {served['rps']:>10.0f} {uncached['rps']:>9.0f} {bare['rps']:>7.0f} "
            f"{ratios[-1]:>6.2f} {uncached_ratios[-1]:>9.3f} "
            f"{served['p50']:>8.2f}/{served['p99']:<9.2f} "
            f"{uncached['p50']:>7.2f}/{uncached['p99']:<9.2f} {queries[name]:>7}"
            + (f"  ({errors} errors)" if errors else ""),
            flush=True,
        )
    print(
        f"\nlowest served/bare ratio: {min(ratios):.2f} (goal 0.9); "
        f"lowest uncached/bare ratio: {min(uncached_ratios):.3f} (goal 0.1)"
    )


def load_test(url: str) -> None:
    """The issue's load: LOAD_CONNECTIONS on one event page as served, for LOAD_SECONDS;
    the goal is no error of any kind and a p99 under LOAD_P99_GOAL_MS."""
    result = wrk(PORTS["site"], url, connections=LOAD_CONNECTIONS, seconds=LOAD_SECONDS)
    sockets = result["socket_errors"] or dict.fromkeys(("connect", "read", "write", "timeout"), 0)
    verdict = (
        "ok"
        if errors_of(result) == 0 and result["p99"] < LOAD_P99_GOAL_MS
        else f"FAILS the goal (0 errors, p99 < {LOAD_P99_GOAL_MS} ms)"
    )
    print(
        f"\nload: {' '.join(WRK)} -c{LOAD_CONNECTIONS} -d{LOAD_SECONDS}s on {url} as served\n"
        f"  {result['requests']} requests, {result['rps']:.0f} r/s, "
        f"p50 {result['p50']:.2f} ms, p99 {result['p99']:.2f} ms\n"
        f"  errors: {result['errors']} non-2xx or 3xx; sockets: connect {sockets['connect']}, "
        f"read {sockets['read']}, write {sockets['write']}, timeout {sockets['timeout']}\n"
        f"  {verdict}",
        flush=True,
    )


def main() -> None:
    prepare_site()
    pages = public_pages()
    chosen = [name.strip() for name in os.environ.get("BENCH_PAGES", "").split(",") if name.strip()]
    if unknown := set(chosen) - set(pages):
        sys.exit(f"BENCH_PAGES names no page {sorted(unknown)}; pages: {', '.join(pages)}")
    compared = {name: url for name, url in pages.items() if name in chosen or not chosen}
    queries = {name: queries_per_page(url) for name, url in compared.items()}
    servers = {name: start(name) for name in PORTS}
    try:
        for port in PORTS.values():
            wait_until_up(port)
        print(
            f"gunicorn --workers {WORKERS} (gunicorn.conf.py), DEBUG off, PostgreSQL, "
            f"CACHE_URL={site_environment(page_cache=True)['CACHE_URL']}"
        )
        if compared:
            compare(compared, queries)
        if LOAD_SECONDS > 0:
            load_test(pages["an event"])
    finally:
        for server in servers.values():
            server.terminate()
        for server in servers.values():
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
