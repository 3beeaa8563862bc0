"""gunicorn.conf.py: the server's settings, read from the environment."""

import multiprocessing
import runpy

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
