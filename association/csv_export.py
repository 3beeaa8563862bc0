"""Streamed CSV files for staff (attendee lists, meal counts, mailing lists), written one way.

- The standard `csv` module writes each row as it is read, so a long list never sits in
  memory and the first rows reach the browser at once.
- A byte-order mark comes first: without it Excel reads UTF-8 as Latin-1 ("MÃ­a").
- Every cell is formula-safe: text starting with `=`, `+`, `-`, `@`, a tab or a carriage
  return is prefixed with `'`, so a name such as `=HYPERLINK(...)` typed by a visitor is
  shown, never evaluated, when staff open the file in a spreadsheet.
- A column that shows a model field is headed with the field's own verbose name
  (`field_heading`), so the file says what the admin says.
- The response is never cached: it holds personal data.
"""

import csv
from collections.abc import Iterable

from django.db import models
from django.http import StreamingHttpResponse
from django.utils.text import capfirst

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"


def safe_cell(value) -> str:
    """The value as text, quoted so spreadsheets never evaluate it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def field_heading(model: type[models.Model], name: str) -> str:
    """A column heading for a model field: its verbose name, capitalised."""
    return capfirst(str(model._meta.get_field(name).verbose_name))


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_response(rows: Iterable[Iterable], *, filename: str) -> StreamingHttpResponse:
    """Stream `rows` (the heading row first) as a CSV file download named `filename`."""
    writer = csv.writer(_Echo())

    def lines():
        yield BYTE_ORDER_MARK
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
