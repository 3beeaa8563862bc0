"""The demo content in the partners' languages (nsca/demo_content/translations/<language>.json,
written by the association's translators): each partner page's story in its partner's
language, the home page's words, the events (with their ticket types), the sample visits
and the About page in every language.

Like the rest of `load_demo` it is idempotent and keeps staff's work: a translation is
written only into a column that is still empty, so a translator's edit survives a second
run. A file may leave anything out (a missing translation shows the English)."""

import json
from pathlib import Path

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname

from association.models import Association
from association.registry import demo_loaders
from cities.models import Partnership
from events.models import Event
from nsca.models import Page
from visits.models import Visit

DIRECTORY = Path(settings.BASE_DIR) / "nsca" / "demo_content" / "translations"
LANGUAGES = {code for code, _name in settings.LANGUAGES} - {settings.LANGUAGE_CODE}


def fill(row, language: str, values: dict) -> list[str]:
    """Write each of `values` (field: text, or a list of paragraphs) into `row`'s column
    for `language` when that column is empty; the columns written."""
    written = []
    for field, value in values.items():
        text = "\n\n".join(value) if isinstance(value, list) else value
        column = build_localized_fieldname(field, language)
        if text and not getattr(row, column, None):
            setattr(row, column, text)
            written.append(column)
    if written:
        row.save(update_fields=written)
    return written


def load_language(language: str, data: dict) -> int:
    """Fill one language's translations from `data` (the file's content); how many columns
    were written."""
    written = 0
    association = Association.objects.first()
    if association is not None and data.get("association"):
        written += len(fill(association, language, data["association"]))
    partnerships = {
        partnership.slug: partnership
        for partnership in Partnership.objects.select_related("partner_city").filter(
            slug__in=[*data.get("partnerships", {}), *data.get("cities", {})]
        )
    }
    for slug, values in data.get("cities", {}).items():
        if slug in partnerships:
            written += len(fill(partnerships[slug].partner_city, language, values))
    for slug, values in data.get("partnerships", {}).items():
        partnership = partnerships.get(slug)
        if partnership is None:
            continue
        own = {key: values[key] for key in ("summary", "known_for", "story") if key in values}
        written += len(fill(partnership, language, own))
        milestones = {str(m.date): m for m in partnership.milestones.all()}
        for milestone in values.get("milestones", []):
            found = milestones.get(milestone.get("date"))
            if found is not None:
                texts = {key: milestone.get(key, "") for key in ("title", "text")}
                written += len(fill(found, language, texts))
        committee = partnership.committees.first()
        if committee is not None and values.get("committee"):
            written += len(fill(committee, language, values["committee"]))
    events = Event.objects.in_bulk(list(data.get("events", {})), field_name="slug")
    for slug, values in data.get("events", {}).items():
        event = events.get(slug)
        if event is None:
            continue
        own = {key: value for key, value in values.items() if key != "ticket_types"}
        written += len(fill(event, language, own))
        # Its ticket types, by their English names.
        ticket_types = {
            ticket_type.name_en: ticket_type for ticket_type in event.ticket_types.all()
        }
        for english, texts in values.get("ticket_types", {}).items():
            if english in ticket_types:
                written += len(fill(ticket_types[english], language, texts))
    # Visits, by their English titles.
    visits = {
        visit.title_en: visit
        for visit in Visit.objects.filter(title_en__in=list(data.get("visits", {})))
    }
    for english, values in data.get("visits", {}).items():
        if english in visits:
            written += len(fill(visits[english], language, values))
    pages = Page.objects.in_bulk(list(data.get("pages", {})), field_name="slug")
    for slug, values in data.get("pages", {}).items():
        if slug in pages:
            written += len(fill(pages[slug], language, values))
    return written


@demo_loaders.register
def load(*, stdout, directory: Path = DIRECTORY):
    for path in sorted(directory.glob("*.json")):
        language = path.stem
        if language not in LANGUAGES:
            continue
        written = load_language(language, json.loads(path.read_text(encoding="utf-8")))
        stdout.write(f"  translations ({language}): {written} fields")
