"""How long a request takes while PostgreSQL or Redis hangs, served production-like.

`DATABASE_URL=postgres://... python benchmarks/faults.py` (the database migrated, as for
`make bench`). gunicorn with gunicorn.conf.py and one worker, DEBUG off, the production
defaults of nsca/settings.py, with PostgreSQL and Redis each behind a loopback proxy
(tests/servers/tcp_proxy.py) that the script freezes: connections stay open and nothing is
forwarded, as in a network partition or a hung server. Prints each request's status and
time; docs/deploy.md records the figures.
"""

import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers.gunicorn_server import GunicornServer, get  # noqa: E402
from tests.servers.tcp_proxy import TcpProxy  # noqa: E402


def signed_in_get(url, *, timeout):
    """A GET with a session cookie, as a member's: never from the page cache, and the
    session is read from the database."""
    cookie = {"Cookie": "sessionid=benchmarkfaults0000"}
    request = urllib.request.Request(url, headers=cookie)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, None, None
    except urllib.error.HTTPError as error:
        return error.code, None, None


def timed(url, fetch=get):
    started = time.monotonic()
    try:
        status = fetch(url, timeout=60)[0]
    except OSError as error:
        status = type(error).__name__
    return status, time.monotonic() - started


def show(what, url, times=3, fetch=get, pause=0.0):
    for _ in range(times):
        status, seconds = timed(url, fetch)
        print(f"  {what:<44} {status}  {seconds:6.2f} s")
        time.sleep(pause)


def main():
    database = urlsplit(os.environ["DATABASE_URL"])
    with (
        TcpProxy((database.hostname or "127.0.0.1", database.port or 5432)) as db_proxy,
        TcpProxy(("127.0.0.1", 6379)) as redis_proxy,
    ):
        env = {
            "DATABASE_URL": database._replace(
                netloc=f"{database.username}@127.0.0.1:{db_proxy.port}"
            ).geturl(),
            "CACHE_URL": f"redis://127.0.0.1:{redis_proxy.port}/14",
            "DATABASE_POOL_TIMEOUT": None,
        }
        with GunicornServer(env=env) as server:
            print("healthy")
            show("/ (home)", server.url + "/")
            show("/events/ signed in", server.url + "/events/", fetch=signed_in_get)
            print("Redis hung")
            redis_proxy.freeze()
            # A second apart: the page cache asks Redis for the version once a second.
            show("/ (home)", server.url + "/", times=4, pause=1.1)
            show("/healthz", server.url + "/healthz", times=1)
            print(f"  {get(server.url + '/healthz')[2]}")
            redis_proxy.thaw()
            print("PostgreSQL hung")
            db_proxy.freeze()
            show("/events/ signed in", server.url + "/events/", fetch=signed_in_get)
            show("/healthz", server.url + "/healthz")
            db_proxy.thaw()
            print("both answering again")
            show("/events/ signed in", server.url + "/events/", times=2, fetch=signed_in_get)
            show("/healthz", server.url + "/healthz", times=1)


if __name__ == "__main__":
    main()
