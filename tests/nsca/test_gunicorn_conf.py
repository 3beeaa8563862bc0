"""gunicorn.conf.py: the server's settings, read from the environment."""

import multiprocessing
import os
import runpy
import subprocess
import sys

from gunicorn.config import Config

from tests.servers.gunicorn_server import REPOSITORY

CONF = str(REPOSITORY / "gunicorn.conf.py")


def load(monkeypatch, **environment):
    for name in ("BEHIND_PROXY", "FORWARDED_ALLOW_IPS", "GUNICORN_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_workers_follow_the_cpu_count_and_restart_with_jitter(monkeypatch):
    conf = load(monkeypatch)
    assert conf["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert conf["max_requests"] > 0
    assert 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["timeout"] == 30
    assert conf["accesslog"] == "-"


def test_forwarded_headers_are_trusted_only_behind_a_proxy(monkeypatch):
    assert load(monkeypatch)["forwarded_allow_ips"] == ""
    assert load(monkeypatch, BEHIND_PROXY="true")["forwarded_allow_ips"] == "127.0.0.1,::1"
    behind = load(monkeypatch, BEHIND_PROXY="true", FORWARDED_ALLOW_IPS="10.0.0.5")
    assert behind["forwarded_allow_ips"] == "10.0.0.5"


def test_gunicorn_accepts_every_setting_in_the_file(monkeypatch):
    conf = load(monkeypatch, BEHIND_PROXY="true")
    config = Config()
    for name, value in conf.items():
        if name in config.settings:
            config.set(name, value)
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert config.max_requests_jitter == conf["max_requests_jitter"]


def test_workers_live_long_enough_to_keep_their_page_cache_warm(monkeypatch):
    # A new worker's page cache is empty: replaced every 2,000 requests, a worker under
    # load (1,500 a second) rendered instead of serving every second or so.
    conf = load(monkeypatch)
    assert conf["max_requests"] - conf["max_requests_jitter"] >= 50_000
    assert conf["preload_app"] is True


def test_the_application_loads_every_view_before_the_workers_are_forked():
    # In a fresh interpreter, as gunicorn's master with preload_app: importing the
    # application imports the URLconf, the views behind it, and fills reverse()'s tables.
    script = (
        "import sys\n"
        "import nsca.wsgi\n"
        "from django.urls import get_resolver\n"
        "resolver = get_resolver()\n"
        "assert 'events.views' in sys.modules and 'cities.views' in sys.modules\n"
        "assert resolver._populated\n"
        "assert all(sub._populated for _, sub in resolver.namespace_dict.values())\n"
        "from django.db import connections\n"
        "assert all(c.connection is None for c in connections.all(initialized_only=True))\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(  # noqa: S603 (this interpreter, our own script)
        [sys.executable, "-c", script],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
