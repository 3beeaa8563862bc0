import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True, scope="session")
def _email_through_the_outbox(django_test_environment):
    """Django's test setup makes EMAIL_BACKEND locmem; put the site's own back, so every
    email in the suite is written to the outbox as in production (and its task, run
    after the commit, sends it into `mail.outbox`)."""
    settings.EMAIL_BACKEND = "outbox.backends.OutboxBackend"


@pytest.fixture(autouse=True)
def _tasks_run_after_their_commit(monkeypatch):
    """Tasks deferred by an action run once its transaction commits, as a worker would
    run them then (association/background.py). A test's own transaction never commits, so
    here "commits" means: the action's outermost atomic block exits without error (or, when
    it defers outside any block of its own, at once). A block that rolls back takes its
    jobs and this callback with it (Django drops a rolled-back savepoint's callbacks)."""
    from django.db import transaction  # noqa: PLC0415

    from association import background  # noqa: PLC0415

    def own_blocks(connection):
        return [block for block in connection.atomic_blocks if not block._from_testcase]

    def after_commit(callback):
        connection = transaction.get_connection()
        if not own_blocks(connection):
            callback()
            return
        transaction.on_commit(_Marked(callback))

    original_exit = transaction.Atomic.__exit__

    def exit_and_run(self, exc_type, exc_value, traceback):
        connection = transaction.get_connection(self.using)
        outermost = not self._from_testcase and own_blocks(connection) == [self]
        result = original_exit(self, exc_type, exc_value, traceback)
        if outermost:
            ours = [entry for entry in connection.run_on_commit if isinstance(entry[1], _Marked)]
            connection.run_on_commit = [
                entry for entry in connection.run_on_commit if entry not in ours
            ]
            for _savepoints, callback, _robust in ours:
                callback()
        return result

    monkeypatch.setattr(background, "after_commit", after_commit)
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_and_run)
    # On SQLite the jobs live in this process, not in the database the test rolls back.
    from procrastinate.contrib.django import app  # noqa: PLC0415

    if isinstance(app.connector, background.InMemoryConnector):
        app.connector.reset()


class _Marked:
    """A callback of `after_commit`, told apart from the code's own `on_commit` ones."""

    def __init__(self, callback):
        self.callback = callback

    def __call__(self):
        self.callback()


@pytest.fixture(autouse=True)
def _every_email_has_text_and_html(request):
    """Every email the site sends has a plain-text part and an HTML part (association/
    emails.py builds them all): checked after each test, so every kind of email the suite
    sends anywhere is held to it. The outbox's own tests send bare messages on purpose."""
    yield
    if "outbox" in request.node.path.parts:
        return
    from django.core import mail  # noqa: PLC0415

    for message in getattr(mail, "outbox", []):
        kinds = [mimetype for _content, mimetype in getattr(message, "alternatives", [])]
        assert message.body.strip() and "text/html" in kinds, (
            f"The email {message.subject!r} lacks its plain-text or HTML part."
        )


@pytest.fixture(autouse=True)
def _no_tasks_left_by_earlier_tests(request):
    """A test on a database that really commits (transaction=True, live servers) starts
    with procrastinate's queue empty: its tables are not Django's models, so the flush
    after an earlier such test leaves the jobs it deferred and never ran behind, and a
    count of the jobs run would include them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        from django.db import connection  # noqa: PLC0415

        request.getfixturevalue("_django_db_helper")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM procrastinate_jobs")
    yield


@pytest.fixture(autouse=True)
def _english_until_a_page_says_otherwise():
    """Each test starts with no language active (the site's, English), as a worker process
    does: a page in German activates German in this thread, and it must not carry over."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache, so cached pages cannot leak between tests."""
    emptied_page_store()
    yield
    emptied_page_store()


def emptied_page_store():
    """Nothing kept in this process (pages in both tiers, fragments, values kept per scope)
    and the scopes' versions to be read afresh by the next request; returns the versions."""
    from django.core.cache import caches

    from association import page_cache
    from association.shared_cache import with_shared_cache

    # Through the breaker: a test may have pointed the shared cache at a dead Redis.
    with_shared_cache(lambda shared: shared.clear(), fallback=lambda: None)
    caches[page_cache.PAGES_ALIAS].clear()
    caches["template_fragments"].clear()
    page_cache.versions.known.clear()
    page_cache.versions.computed.clear()
    page_cache.versions.owed.clear()
    page_cache.versions.checked_at = float("-inf")
    return page_cache.versions


def edit_heard(*scopes):
    """What an edit's commit does (bump its scopes' versions: every scope known, when none
    is named), and this process hearing of it, as every process does within a second."""
    from association import page_cache

    page_cache.versions.bump(scopes or [*page_cache.versions.known, page_cache.SITE])
    page_cache.versions.checked_at = float("-inf")


@pytest.fixture
def kept(settings):
    """The page cache on (the suite runs it off): what pages read is kept per edit."""
    settings.PAGE_CACHE_ENABLED = True
    yield emptied_page_store()
    emptied_page_store()


@pytest.fixture
def mail_server_down(settings):
    """The outbox's mail server refuses every message (the site itself carries on)."""
    from tests.outbox.mail_servers import REFUSING  # noqa: PLC0415

    settings.OUTBOX_DELIVERY_BACKEND = REFUSING


@pytest.fixture
def association(db):
    from association.models import Association

    return Association.objects.create(
        name="Example Sister City Association",
        short_name="ESCA",
        tagline="Friendship across borders",
        founded_year=1976,
        mission="To foster international understanding.",
        aims="First aim.\n\nSecond aim.",
        email="info@example.org",
        postal_address="1 Main Street\nExampleton, VA",
    )


@pytest.fixture
def demo(db):
    """The association's real content, as `load_demo` loads it."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())


@pytest.fixture
def staff_user(db):
    from membership.models import User

    return User.objects.create_user(
        email="staff@example.org", password="staff-pass-123", is_staff=True, is_superuser=True
    )


@pytest.fixture
def treasurer(db):
    """Staff in the "Treasurer" group (payments' migration 0003): the money actions."""
    from django.contrib.auth.models import Group

    from membership.models import User

    user = User.objects.create_user(
        email="treasurer@example.org", password="treasurer-pass-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Treasurer"))
    return user


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "postgresql: a concurrency test that needs PostgreSQL's row locks (real threads or "
        "processes); skipped, with the reason printed, when the suite runs on SQLite",
    )


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI does); SQLite has no "
        "row locks and serialises writers, so it cannot show a race"
    )
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def fake_stripe(settings):
    """A fake Stripe on loopback (tests/payments/fake_stripe.py), with card payments on."""
    from tests.payments.fake_stripe import FakeStripe

    with FakeStripe() as fake:
        settings.STRIPE_SECRET_KEY = fake.secret_key
        settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
        settings.STRIPE_API_BASE = fake.url
        # As nsca/settings.py derives it for an API on loopback: the fake's page is its own.
        settings.STRIPE_CHECKOUT_ORIGIN = fake.url
        yield fake


@pytest.fixture
def shared_cache_down(settings):
    """The shared cache is a Redis on a port where nothing listens (each call refused at
    once), as in production with Redis stopped; this process's breaker and fallback counts
    start and end empty (association/shared_cache.py, association/rate_limits.py)."""
    from association import rate_limits, shared_cache

    def forget():
        shared_cache._breakers.clear()
        rate_limits._process_counts.clear()

    forget()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "association.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    yield settings
    forget()


@pytest.fixture
def stripe_in_trouble(fake_stripe, settings):
    """The fake Stripe, to be hung (`.hang()`) or failed (`.fail()`) by the test, with the
    site's Stripe timeout short so that a hung Stripe costs the test half a second."""
    settings.STRIPE_TIMEOUT = 0.5
    return fake_stripe


# --- Running in parallel (pytest-xdist: `make test` runs `-n auto --dist loadgroup`,
# with --no-loadscope-reorder) ---
# Each worker has its own test database (pytest-django names it test_<name>_gw<N>), its own
# live server and browser, and every server a test starts binds port 0 (tests/servers/).
# What cannot be had by each worker alone runs in one xdist_group, on one worker in turn.


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session):
    """Without Chromium, a parallel run stops here, once, with the message saying what to
    install (tests/e2e/conftest.py says it in a run in one process; in a parallel run each
    worker would crash on its own). Only pytest-xdist's controller, which collects nothing
    itself, decides here."""
    if session.config.pluginmanager.getplugin("dsession") is None:
        return
    from tests.e2e.chromium import MISSING_CHROMIUM, is_missing, may_be_collected

    if is_missing() and may_be_collected(session.config):
        pytest.exit(MISSING_CHROMIUM, returncode=pytest.ExitCode.USAGE_ERROR)
