"""Test settings: the real settings, overriding only what tests must."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-only-for-the-test-suite-0123456789abcdef")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_HTTPS", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Concurrency tests run more threads in this one process than the pool has connections
# (gunicorn's workers never do): the extra threads wait their turn instead of getting 503s.
# The short production wait is tested in tests/nsca/test_unavailable.py with its own server.
os.environ.setdefault("DATABASE_POOL_TIMEOUT", "10")
if "MEDIA_ROOT" not in os.environ:
    # Uploads made by the suite go to a folder of its own, removed when the run ends. Child
    # processes (the cross-process inventory test) inherit it and leave it alone.
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="nsca-test-media-")
    atexit.register(shutil.rmtree, os.environ["MEDIA_ROOT"], ignore_errors=True)

from nsca.settings import *  # noqa: E402,F403
from nsca.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every email goes through the outbox and its procrastinate task as in production
# (EMAIL_BACKEND, which tests/conftest.py puts back after Django's test setup swaps in
# locmem); the task runs once the action's transaction commits (TASKS_RUN_AFTER_COMMIT,
# and tests/conftest.py for the test's own transaction), and sends into `mail.outbox`.
OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS_RUN_AFTER_COMMIT = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic in tests: whitenoise finds files through the finders.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests run inside transactions that never commit, so no write would bump the page cache's
# version: it is off here and on in the tests of its own rules (tests/association/).
PAGE_CACHE_ENABLED = False
