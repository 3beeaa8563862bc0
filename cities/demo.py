"""The association's partnerships and the 2018 Virginia directory, loaded by `load_demo`.

Everything comes from the data files in cities/data/. Rows are created when missing (keyed
by slug) and never overwritten, so staff edits survive another `load_demo`. A partnership's
story and facts (partnership_stories.json) fill only the fields that are still empty, and
its milestones and committee are added only to a partnership that has none: a database
loaded before the stories existed gains them, and what staff wrote or removed is kept.
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from association.registry import demo_loaders

from .models import City, Committee, DirectoryListing, Milestone, Partnership

DATA = Path(__file__).parent / "data"


def _read(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_cities():
    cities = {}
    for row in _read("cities.json")["cities"]:
        defaults = {
            "name": row["name"],
            "region": row["region"],
            "country": row["country"],
            "latitude": Decimal(str(row["latitude"])),
            "longitude": Decimal(str(row["longitude"])),
        }
        cities[row["slug"]], _ = City.objects.get_or_create(slug=row["slug"], defaults=defaults)
    return cities


def load_directory(cities):
    data = _read("virginia_directory_2018.json")
    for entry in data["localities"]:
        locality = cities[entry["locality"]]
        friendship = set(entry.get("friendship", []))
        for position, slug in enumerate(entry["partners"]):
            DirectoryListing.objects.get_or_create(
                locality=locality,
                partner=cities[slug],
                source=data["source"],
                defaults={"is_friendship": slug in friendship, "position": position},
            )


def load_partnerships(cities):
    data = _read("association_partnerships.json")
    home = cities[data["home_city"]]
    if not City.objects.filter(is_home=True).exists():
        home.is_home = True
        home.save(update_fields=["is_home"])
    for position, row in enumerate(data["partnerships"]):
        partnership, created = Partnership.objects.get_or_create(
            slug=row["slug"],
            defaults={
                "home_city": home,
                "partner_city": cities[row["partner"]],
                "kind": row["kind"],
                "position": position,
            },
        )
        if created:
            # Through the model, as the admin does, so the status has its history entry.
            # The seeds give at most a year ("Paused in 2022 ..."), never a day: undated.
            partnership.change_status(
                status=row["status"], note=row.get("status_note", ""), date_unknown=True
            )


# The facts a story gives, filled in when the partnership's field is still empty.
STORY_FIELDS = [
    "year_established",
    "origins",
    "summary",
    "population",
    "population_year",
    "known_for",
]


def load_stories():
    stories = _read("partnership_stories.json")["partnerships"]
    partnerships = Partnership.objects.filter(slug__in=stories).prefetch_related(
        "milestones", "committees"
    )
    for partnership in partnerships:
        row = stories[partnership.slug]
        values = {field: row[field] for field in STORY_FIELDS if row.get(field)}
        values["story"] = "\n\n".join(row["story"])
        changed = [field for field, value in values.items() if not getattr(partnership, field)]
        for field in changed:
            setattr(partnership, field, values[field])
        if changed:
            partnership.save(update_fields=[*changed, "updated_at"])
        if not partnership.milestones.all():
            # One by one, not in bulk: each save tells the page cache (cities/signals.py).
            for milestone in row["milestones"]:
                Milestone.objects.create(
                    partnership=partnership,
                    date=datetime.date.fromisoformat(milestone["date"]),
                    precision=milestone["precision"],
                    title=milestone["title"],
                    text=milestone["text"],
                )
        if row.get("committee") and not partnership.committees.all():
            Committee.objects.create(partnership=partnership, **row["committee"])


@demo_loaders.register
def load(*, stdout):
    cities = load_cities()
    load_directory(cities)
    load_partnerships(cities)
    load_stories()
    stdout.write(
        f"Cities: {City.objects.count()} cities, {Partnership.objects.count()} partnerships, "
        f"{DirectoryListing.objects.count()} directory listings."
    )
