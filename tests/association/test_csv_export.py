import csv
import io

import pytest
from django.http import StreamingHttpResponse

from association.csv_export import csv_response, field_heading, safe_cell
from tickets.models import Order


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1 757 555 0101", "'+1 757 555 0101"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Plain name", "Plain name"),
        (None, ""),
        (3, "3"),
    ],
)
def test_cells_that_look_like_formulas_are_quoted(value, expected):
    assert safe_cell(value) == expected


def test_a_field_column_is_headed_with_its_verbose_name():
    assert field_heading(Order, "postal_code") == "ZIP code"
    assert field_heading(Order, "region") == "State"


def test_the_file_streams_with_a_byte_order_mark_and_safe_cells():
    response = csv_response([["Name", "Town"], ["Mía", "=cmd"]], filename="people.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["Name", "Town"], ["Mía", "'=cmd"]]
