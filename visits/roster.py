"""A visit's roster: delegates imported from the CSV file a partner sends, or, for an
outgoing visit, an exchange program's accepted applicants.

The CSV import is all or nothing: every line is checked first, and one bad line imports
nothing; the errors name their line (as a spreadsheet numbers it, the heading being
line 1) and column. Columns (headings in any order, case and spaces ignored):

  first_name, last_name, birth_date (YYYY-MM-DD or MM/DD/YYYY), gender (female, male,
  other), diet, allergies, english_level (none, basic, good, fluent), needs_host (yes/no),
  emergency_contact_name, emergency_contact_phone; optional: languages, sibling_group,
  health_notes.

An allergy to animals (dogs, cats, fur...) or to smoke in the allergies sets the
delegate's hard-conflict flags (`allergy_flags`); staff may correct them.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from exchanges.models import Application

from .models import Delegate, Visit

REQUIRED = (
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "diet",
    "allergies",
    "english_level",
    "needs_host",
    "emergency_contact_name",
    "emergency_contact_phone",
)
OPTIONAL = ("languages", "sibling_group", "health_notes")
MAX_ROWS = 500
MAX_BYTES = 1_000_000
YES = {"yes", "y", "true", "1", "ja", "oui", "はい"}
NO = {"no", "n", "false", "0", "nein", "non", "いいえ", ""}
ANIMALS = re.compile(
    r"\b(animal|animals|pet|pets|dog|dogs|cat|cats|fur|dander|horse|horses|hamster|rabbit)\b",
    re.IGNORECASE,
)
SMOKE = re.compile(r"\b(smoke|smoking|tobacco|cigarette|cigarettes)\b", re.IGNORECASE)


def allergy_flags(allergies: str) -> dict[str, bool]:
    return {
        "allergic_to_animals": bool(ANIMALS.search(allergies)),
        "needs_smoke_free": bool(SMOKE.search(allergies)),
    }


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.errors


def _heading(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lstrip("\ufeff").casefold())


def _date(text: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError


def _row_to_delegate(visit: Visit, row: dict, line: int) -> tuple[Delegate | None, list[str]]:
    errors = []

    def error(column, message):
        errors.append(
            _("Line %(line)s, %(column)s: %(message)s")
            % {"line": line, "column": column, "message": message}
        )

    values = {key: (row.get(key) or "").strip() for key in (*REQUIRED, *OPTIONAL)}
    for key in ("first_name", "last_name"):
        if not values[key]:
            error(key, _("required"))
        elif len(values[key]) > 100:
            error(key, _("at most 100 characters"))
    birth_date = None
    try:
        birth_date = _date(values["birth_date"])
        if not datetime.date(1900, 1, 1) <= birth_date <= visit.starts_on:
            error("birth_date", _("not a plausible birth date"))
    except ValueError:
        error(
            "birth_date",
            _("“%(value)s” is not a date like 2011-04-30") % {"value": values["birth_date"]},
        )
    gender = values["gender"].casefold()
    if gender not in {"", *Delegate.Gender.values}:
        error("gender", _("use female, male or other"))
    level = values["english_level"].casefold()
    if level not in {"", *Delegate.EnglishLevel.values}:
        error("english_level", _("use none, basic, good or fluent"))
    needs = values["needs_host"].casefold()
    if needs not in YES | NO:
        error("needs_host", _("use yes or no"))
    for key, limit in (
        ("diet", 200),
        ("allergies", 300),
        ("emergency_contact_name", 200),
        ("emergency_contact_phone", 40),
        ("languages", 200),
        ("sibling_group", 50),
    ):
        if len(values[key]) > limit:
            error(key, _("at most %(limit)s characters") % {"limit": limit})
    if errors:
        return None, errors
    return (
        Delegate(
            visit=visit,
            first_name=values["first_name"],
            last_name=values["last_name"],
            birth_date=birth_date,
            gender=gender,
            english_level=level,
            diet=values["diet"],
            allergies=values["allergies"],
            needs_host=needs in YES,
            emergency_contact_name=values["emergency_contact_name"],
            emergency_contact_phone=values["emergency_contact_phone"],
            languages=values["languages"],
            sibling_group=values["sibling_group"],
            health_notes=values["health_notes"],
            **allergy_flags(values["allergies"]),
        ),
        [],
    )


def import_delegates(visit: Visit, data: bytes) -> ImportResult:
    """Add the delegates of the CSV `data` to `visit`: all of them, or none with the
    errors of every line."""
    if len(data) > MAX_BYTES:
        return ImportResult(errors=[_("The file is larger than 1 MB.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportResult(errors=[_("The file is not UTF-8 text: save it as “CSV UTF-8”.")])
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = list(reader)
    except csv.Error as problem:
        return ImportResult(
            errors=[_("The file is not readable as CSV: %(problem)s") % {"problem": problem}]
        )
    if not rows:
        return ImportResult(errors=[_("The file is empty.")])
    headings = [_heading(h) for h in rows[0]]
    missing = [key for key in REQUIRED if key not in headings]
    if missing:
        return ImportResult(
            errors=[_("Line 1: missing columns: %(columns)s") % {"columns": ", ".join(missing)}]
        )
    body = [
        (number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)
    ]
    if not body:
        return ImportResult(errors=[_("The file has no delegates.")])
    if len(body) > MAX_ROWS:
        return ImportResult(
            errors=[_("At most %(count)s delegates at once.") % {"count": MAX_ROWS}]
        )
    delegates, errors = [], []
    for number, row in body:
        if len(row) > len(headings):
            errors.append(_("Line %(line)s: more cells than headings") % {"line": number})
            continue
        delegate, row_errors = _row_to_delegate(
            visit, dict(zip(headings, row, strict=False)), number
        )
        errors.extend(row_errors)
        if delegate:
            delegates.append(delegate)
    if errors:
        return ImportResult(errors=errors)
    with transaction.atomic():
        Delegate.objects.bulk_create(delegates)
    return ImportResult(created=len(delegates))


def add_travelers(visit: Visit) -> int:
    """An outgoing visit's travelers: its program's accepted applicants not yet on the
    roster. How many were added."""
    if visit.program_id is None or visit.is_incoming:
        return 0
    applications = (
        Application.objects.filter(program=visit.program, status=Application.Status.ACCEPTED)
        .filter(delegate__isnull=True)
        .select_related("applicant")
    )
    delegates = [
        Delegate(
            visit=visit,
            first_name=application.applicant.first_name or application.applicant.email,
            last_name=application.applicant.last_name,
            birth_date=application.date_of_birth,
            needs_host=False,
            emergency_contact_name=application.guardian_name,
            emergency_contact_phone=application.guardian_phone,
            application=application,
        )
        for application in applications
    ]
    Delegate.objects.bulk_create(delegates)
    return len(delegates)
