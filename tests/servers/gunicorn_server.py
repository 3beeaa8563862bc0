"""The site served by gunicorn in a child process, with the repository's gunicorn.conf.py,
for tests that need a real server process (the database going away, several servers)."""

import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


# gunicorn's master says where it listens, once bound: "Listening at: http://127.0.0.1:PORT".
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+) ")


def get(url: str, *, timeout: float = 10) -> tuple[int, dict, str]:
    """(status, headers, body) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class GunicornServer:
    """`with GunicornServer(env={...}) as server: get(server.url + "/healthz")`.

    `env` adds to this process's environment; a variable given as None is removed (the
    test settings' own, say), so the server runs with the production default."""

    def __init__(self, *, env: dict[str, str | None], workers: int = 1):
        self.port = None
        self.url = None
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "nsca.settings",
            "ENV_FILE": "/dev/null",
            "DEBUG": "false",
            "SECRET_KEY": "test-server-secret-key-0123456789abcdef-0123456789abcdef",
            "SECURE_HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            # No collectstatic in tests: plain storage, whitenoise finds the files.
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            # Port 0: the system picks a free port as gunicorn binds it, so servers started
            # by tests running in parallel (pytest-xdist) never race for one.
            "GUNICORN_BIND": "127.0.0.1:0",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_ACCESS_LOG": "-",
            **env,
        }
        self.env = {name: value for name, value in environment.items() if value is not None}
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "nsca.wsgi"],
            cwd=REPOSITORY,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Its log is read all along (a full pipe would stop the server), kept for the
        # message if it does not start, and watched for the port it bound.
        self.log = []
        bound = threading.Event()

        def read_log():
            for line in self.process.stderr:
                self.log.append(line)
                if (listening := LISTENING.search(line)) and not bound.is_set():
                    self.port = int(listening.group(1))
                    bound.set()
            bound.set()  # the server exited: no need to wait longer

        self._reader = threading.Thread(target=read_log, daemon=True)
        self._reader.start()
        if bound.wait(timeout=30) and self.port is not None:
            self.url = f"http://127.0.0.1:{self.port}"
            return self
        self.__exit__()
        log = "".join(self.log)
        raise RuntimeError(f"gunicorn did not start listening within 30 seconds: {log}")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=5)
        self.process.stderr.close()
