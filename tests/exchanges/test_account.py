import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exchanges.models import TripPayment

from .conftest import NOW, draft, make_program

pytestmark = pytest.mark.django_db


def test_account_page_query_count_does_not_grow_with_applications(client, partnership, applicant):
    client.force_login(applicant)
    first = draft(make_program(partnership, slug="p0"), applicant)
    TripPayment.objects.create(application=first, amount=100, paid_at=NOW)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/account/").status_code == 200
    for n in range(1, 5):
        application = draft(make_program(partnership, slug=f"p{n}"), applicant)
        TripPayment.objects.create(application=application, amount=100, paid_at=NOW)
    with CaptureQueriesContext(connection) as five:
        html = client.get("/account/").content.decode()
    assert html.count("Youth exchange 2027") == 5
    assert len(five.captured_queries) == len(one.captured_queries)
