"""One email of each kind, rendered in a real browser at phone and desktop widths: nothing
overflows sideways, the association's name and the button are visible."""

import pytest
from django.utils import timezone

from tests.news.emails_of_each_kind import emails_of_each_kind

# Transactional like every browser test: pytest groups the tests of one browser together,
# so a single non-transactional one would pull them all among the ordinary tests, whose
# data (the staff groups made by migrations) their flushes would then remove.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [360, 700])
def test_each_kind_of_email_fits_the_width(association, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    for kind, message in emails_of_each_kind(now=timezone.now()).items():
        page.set_content(message.alternatives[0][0])
        assert page.evaluate("document.documentElement.scrollWidth") <= width, kind
        assert page.get_by_text(association.name, exact=True).first.is_visible(), kind
        assert page.get_by_text("Sent by").is_visible(), kind
