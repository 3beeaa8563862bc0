"""Issue 18's gaps, item 5: the demo association has no public email (its sources name
none), so "write to us" must not dangle: without an email it points to the About page."""

import pytest
from django.template import Context, Template

from association.models import Association

pytestmark = pytest.mark.django_db

BAD_LINK = "/newsletter/confirm/not-a-token/"


def test_the_demo_association_has_no_email_so_write_to_us_points_to_the_about_page(client, demo):
    assert Association.current().email == ""
    page = client.get(BAD_LINK).content.decode()
    assert 'or contact us (see <a href="/about/">our About page</a>).' in page
    assert "write to us" not in page
    assert client.get("/about/").status_code == 200


def test_with_an_email_write_to_us_gives_it(client, association):
    page = client.get(BAD_LINK).content.decode()
    assert 'or write to us at <a href="mailto:info@example.org">info@example.org</a>.' in page


def test_an_email_without_the_association_email_links_the_about_page_in_full(settings, db):
    settings.SITE_URL = "https://nsca.example.org"
    template = Template("{% load contact %}{% write_to_us text=True %}|{% write_to_us %}")
    text, html = template.render(Context({"association": Association(name="X")})).split("|")
    assert text == "contact us (see https://nsca.example.org/about/)"
    assert html == 'contact us (see <a href="https://nsca.example.org/about/">our About page</a>)'
