"""Browser: the membership admin list at a common laptop width."""

import pytest

from membership.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Staff-Unguessable-Phrase-7"


def overlaps(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_mailing_list_button_does_not_cover_the_title_at_1280px(live_server, page):
    User.objects.create_superuser(email="secretary@example.org", password=PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/admin/membership/membership/")
    page.get_by_label("Email address").fill("secretary@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/membership/membership/")
    # The h1 box spans the row; what must stay readable is its text.
    title = page.locator("#content h1").evaluate(
        """h1 => { const range = document.createRange(); range.selectNodeContents(h1);
                   const r = range.getBoundingClientRect();
                   return {x: r.x, y: r.y, width: r.width, height: r.height}; }"""
    )
    button = page.get_by_role("link", name="Mailing list (CSV)").bounding_box()
    assert not overlaps(title, button), (title, button)
