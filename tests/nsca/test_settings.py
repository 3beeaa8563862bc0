"""Production settings pass `check --deploy` with no warning, and are safe by default."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from nsca.checks import check_cache_is_shared, check_email_backend, check_site_url

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "nsca.settings",
    "DEBUG": "false",
    "SECRET_KEY": "k7#v9qz!p2m@x4w8r6t1y3u5i0o-a_s=d+f^g&h*j(l)z[c]v{b}n|m;q:w'e,r.t",
    "ALLOWED_HOSTS": "www.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://www.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "SITE_URL": "https://www.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "CACHE_URL": "redis://127.0.0.1:6379/10",
    "DEFAULT_FROM_EMAIL": "Example Sister City Association <info@example.org>",
}
# The association's own details are data: `check --deploy` reads them from the database.
FILLED_IN_ASSOCIATION = (
    "from association.models import Association; Association.objects.create("
    "name='Example Sister City Association', legal_name='Example Sister City Association, "
    "Inc.', postal_address='PO Box 1\\nExampleton, VA 23510', tax_number='12-3456789')"
)


def database_with_the_association(tmp_path) -> dict:
    """PRODUCTION_ENV on a database file holding a filled-in association."""
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}"}
    for command in (("migrate", "association"), ("shell", "-c", FILLED_IN_ASSOCIATION)):
        result = run_manage(*command, env_overrides=env)
        assert result.returncode == 0, result.stdout + result.stderr
    return env


def run_manage(*args, env_overrides):
    # The test run's own settings (set in tests/settings.py) must not leak into the child,
    # nor the developer's .env (ENV_FILE=/dev/null) unless a test names a file.
    leaked = {"DEBUG", "SECRET_KEY", "SECURE_HTTPS", "ALLOWED_HOSTS", "MEDIA_ROOT"}
    leaked |= {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in leaked}
    env["ENV_FILE"] = "/dev/null"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = database_with_the_association(tmp_path)
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_turned_on():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DEBUG"}
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env_overrides=env
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def print_setting(name, env_overrides):
    result = run_manage(
        "shell",
        "-c",
        f"from django.conf import settings; print(settings.{name})",
        env_overrides=env_overrides,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_settings_read_the_env_file_named_by_env_file(tmp_path):
    env_file = tmp_path / "custom.env"
    env_file.write_text("DEBUG=true\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DEBUG"}
    assert print_setting("DEBUG", {**env, "ENV_FILE": str(env_file)}) == "True"
    assert print_setting("DEBUG", {**env, "ENV_FILE": "/dev/null"}) == "False"


def test_a_copy_of_env_example_serves_requests(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text((ROOT / ".env.example").read_text())
    # The copy as it is, except a database that leaves no file behind in the project.
    env = {
        "DJANGO_SETTINGS_MODULE": "nsca.settings",
        "ENV_FILE": str(env_file),
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = run_manage(
        "shell",
        "-c",
        "from django.test import Client; "
        "print(Client().get('/robots.txt', HTTP_HOST='localhost').status_code)",
        env_overrides=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "200"


def test_an_empty_secret_key_with_debug_on_falls_back_to_the_development_key():
    env = {**PRODUCTION_ENV, "DEBUG": "true", "SECRET_KEY": ""}
    assert print_setting("SECRET_KEY", env).startswith("dev-only-key")


def hsts_header(env_overrides):
    # The header as the settings make it, not a page another run kept in the shared Redis
    # (its page cache keeps a page with the headers it was first served with).
    env_overrides = {**env_overrides, "PAGE_CACHE_ENABLED": "false"}
    result = run_manage(
        "shell",
        "-c",
        "from django.test import Client; "
        "response = Client().get('/robots.txt', secure=True, HTTP_HOST='www.example.org'); "
        "print(response.status_code, response.headers.get('Strict-Transport-Security'))",
        env_overrides=env_overrides,
    )
    assert result.returncode == 0, result.stderr
    status, header = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "200"
    return header


def test_hsts_lasts_a_year_covers_subdomains_and_allows_preload():
    directives = [part.strip() for part in hsts_header(PRODUCTION_ENV).split(";")]
    max_age = int(directives[0].removeprefix("max-age="))
    assert max_age >= 31_536_000
    assert "includeSubDomains" in directives
    assert "preload" in directives


def test_hsts_preload_can_be_turned_off():
    header = hsts_header({**PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "false"})
    assert "preload" not in header


def test_check_deploy_names_an_hsts_max_age_under_a_year():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={**PRODUCTION_ENV, "SECURE_HSTS_SECONDS": "3600"},
    )
    assert result.returncode != 0
    assert "nsca.W004" in result.stdout + result.stderr


def test_check_deploy_warns_when_the_cache_is_kept_per_process():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "CACHE_URL"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=env)
    assert result.returncode != 0
    assert "nsca.W005" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    ],
)
def test_cache_check_warns_about_a_per_process_cache_in_production(backend):
    with override_settings(DEBUG=False, CACHES={"default": {"BACKEND": backend}}):
        assert [issue.id for issue in check_cache_is_shared()] == ["nsca.W005"]


def test_cache_check_accepts_redis_and_the_development_default():
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
    with override_settings(DEBUG=False, CACHES={"default": redis}):
        assert check_cache_is_shared() == []
    locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(DEBUG=True, CACHES={"default": locmem}):
        assert check_cache_is_shared() == []


def test_a_redis_cache_url_is_one_cache_for_every_process():
    # Two processes, as two gunicorn workers or two servers: what one stores, the other reads.
    env = {**PRODUCTION_ENV, "CACHE_URL": "redis://127.0.0.1:6379/11"}
    key = f"nsca-test-shared-{os.getpid()}"
    backend = print_setting('CACHES["default"]["BACKEND"]', env)
    assert backend == "association.redis_cache.RedisCache"
    write = f"from django.core.cache import cache; cache.set({key!r}, 'seen', 60); print('ok')"
    read = f"from django.core.cache import cache; print(cache.get({key!r})); cache.delete({key!r})"
    assert run_manage("shell", "-c", write, env_overrides=env).stdout.split()[-1] == "ok"
    result = run_manage("shell", "-c", read, env_overrides=env)
    assert result.stdout.split()[-1] == "seen", result.stderr


def test_check_deploy_fails_on_the_development_site_url_and_console_email():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in {"SITE_URL", "EMAIL_URL"}}
    result = run_manage("check", "--deploy", env_overrides=env)
    assert result.returncode != 0
    assert "nsca.E001" in result.stderr
    assert "nsca.E003" in result.stderr


@pytest.mark.parametrize(
    "site_url",
    ["http://127.0.0.1:8000", "https://localhost", "http://[::1]:8000", "https://0.0.0.0", ""],
)
def test_site_url_check_refuses_a_loopback_address_in_production(site_url):
    with override_settings(DEBUG=False, SITE_URL=site_url):
        assert [issue.id for issue in check_site_url()] == ["nsca.E001"]


def test_site_url_check_warns_about_plain_http_in_production():
    with override_settings(DEBUG=False, SITE_URL="http://www.example.org"):
        assert [issue.id for issue in check_site_url()] == ["nsca.W002"]


def test_site_url_check_accepts_a_public_https_address():
    with override_settings(DEBUG=False, SITE_URL="https://www.example.org"):
        assert check_site_url() == []


@pytest.mark.parametrize("backend", ["console", "locmem", "dummy", "filebased"])
def test_email_check_refuses_a_backend_that_delivers_nothing_in_production(backend):
    with override_settings(
        DEBUG=False, OUTBOX_DELIVERY_BACKEND=f"django.core.mail.backends.{backend}.EmailBackend"
    ):
        assert [issue.id for issue in check_email_backend()] == ["nsca.E003"]


def test_email_check_accepts_smtp():
    with override_settings(
        DEBUG=False, OUTBOX_DELIVERY_BACKEND="django.core.mail.backends.smtp.EmailBackend"
    ):
        assert check_email_backend() == []


def test_development_defaults_pass_the_checks_with_debug_on():
    with override_settings(
        DEBUG=True,
        SITE_URL="http://127.0.0.1:8000",
        OUTBOX_DELIVERY_BACKEND="django.core.mail.backends.console.EmailBackend",
    ):
        assert check_site_url() == [] and check_email_backend() == []


def imported_project_apps(app):
    """The other project apps that `app`'s modules import (at any depth in the code)."""
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found |= {name.split(".")[0] for name in names}
    return found & set(settings.PROJECT_APPS) - {app}


@pytest.mark.parametrize(
    "app",
    [
        "association",
        "outbox",
        "payments",
        "membership",
        "donations",
        "cities",
        "events",
        "tickets",
        "exchanges",
        "news",
        "nsca",
        "translations",
    ],
)
def test_project_apps_come_after_the_apps_they_import(app):
    apps = settings.PROJECT_APPS
    earlier = set(apps[: apps.index(app)])
    later = imported_project_apps(app) - earlier
    assert not later, f"{app} imports {sorted(later)}, listed after it in PROJECT_APPS"


def test_project_apps_are_the_apps_the_order_test_covers():
    assert sorted(settings.PROJECT_APPS) == [
        "association",
        "cities",
        "donations",
        "events",
        "exchanges",
        "membership",
        "news",
        "nsca",
        "outbox",
        "payments",
        "tickets",
        "translations",
        "visits",
    ]


def test_page_cache_is_on_by_default_only_with_a_shared_cache():
    """With a per-process cache an edit would bump the version in one worker only."""
    # The project's settings, not the suite's (which turn the page cache off).
    base = {"DJANGO_SETTINGS_MODULE": "nsca.settings", "SECRET_KEY": "x" * 50}

    def page_cache_with(**env):
        return print_setting("PAGE_CACHE_ENABLED", {**base, **env})

    assert page_cache_with(CACHE_URL="locmemcache://") == "False"
    assert page_cache_with(CACHE_URL="redis://127.0.0.1:6379/1") == "True"
    assert page_cache_with(CACHE_URL="redis://127.0.0.1:6379/1", PAGE_CACHE_ENABLED="no") == "False"


def project_modules():
    for app in settings.PROJECT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path.name != "settings.py":
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def settings_names_defined():
    tree = ast.parse((ROOT / "nsca" / "settings.py").read_text(encoding="utf-8"))
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def test_a_setting_is_read_with_its_one_default_from_settings():
    """`getattr(settings, "X", default)` for an X that nsca/settings.py defines is a second
    default that silently disagrees with the first (NEWS_RETRY_DELAYS had two): read
    `settings.X`."""
    defined = settings_names_defined()
    second_defaults = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.args[1].value}"
        for path, tree in project_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) == 3
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == "settings"
        and isinstance(node.args[1], ast.Constant)
        and node.args[1].value in defined
    ]
    assert not second_defaults


def test_only_settings_read_the_environment():
    """An operator's knob is a setting, read from the environment once, in settings.py."""
    readers = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in project_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
        and node.attr in ("environ", "getenv")
        and path.relative_to(ROOT).as_posix() != "nsca/wsgi.py"  # names the settings module
    ]
    assert not readers
