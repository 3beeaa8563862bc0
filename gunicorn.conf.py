"""gunicorn's settings for the site, in production and for `make serve` alike.

`gunicorn -c gunicorn.conf.py nsca.wsgi`. Every value can be changed through the
environment (GUNICORN_*), so one file serves every machine; see docs/deploy.md.
"""

import multiprocessing
import os


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if not value else value.strip().lower() in {"1", "true", "yes", "on"}


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, one request at a time each: pages are rendered on the CPU and the database
# answers on loopback or the local network, so two per core (plus one) keeps the cores
# busy while another worker waits on PostgreSQL; more only adds memory and connections.
workers = _env_int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# A request that takes longer than this is a stuck worker: gunicorn kills and replaces it
# (the database's own short timeouts answer 503 long before; nsca/unavailable.py).
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a proxy that reuses connections; a little longer than nginx's upstream keepalive.
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)

# Each worker is replaced after this many requests, staggered by the jitter so they are not
# all replaced at once: a slow leak in a library can never grow without bound. Generous,
# because a new worker starts cold: its own copy of the pages (association/page_cache.py)
# is empty, so its first requests go to Redis, and it connects afresh. At 2,000, a worker under
# load (1,500 pages a second each) was replaced every second or two: served pages ran at
# 0.6-0.7 of bare Django and the p99 reached 300-700 ms. At 100,000 a busy worker lives
# about a minute, an ordinary day's traffic is a few thousand requests.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 10_000)

# Access log to standard output ("-"), errors to standard error: the service manager keeps
# them. GUNICORN_ACCESS_LOG=off turns the access log off (a benchmark, say).
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access_log.lower() in {"", "off", "none"} else _access_log
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client's address as the proxy reports it, and the time taken in microseconds.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'

# Behind one reverse proxy (BEHIND_PROXY=true, as nsca/settings.py reads it): trust the
# X-Forwarded-* headers only from the proxy's address (FORWARDED_ALLOW_IPS, loopback by
# default: nginx on the same machine). Not behind a proxy: trust nobody's.
if _env_bool("BEHIND_PROXY", False):
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
else:
    forwarded_allow_ips = ""

# Load the application once in the master, then fork: workers start fast and share memory.
# Connections are opened only by the workers (the database pool opens on first use).
preload_app = _env_bool("GUNICORN_PRELOAD", True)
