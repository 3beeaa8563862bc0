"""The association's partnerships and the 2018 Virginia directory, loaded by `load_demo`.

Everything comes from the data files in cities/data/. Rows are created when missing (keyed
by slug) and never overwritten, so staff edits survive another `load_demo`.
"""

import json
from decimal import Decimal
from pathlib import Path

from association.registry import demo_loaders

from .models import City, DirectoryListing, Partnership

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


@demo_loaders.register
def load(*, stdout):
    cities = load_cities()
    load_directory(cities)
    load_partnerships(cities)
    stdout.write(
        f"Cities: {City.objects.count()} cities, {Partnership.objects.count()} partnerships, "
        f"{DirectoryListing.objects.count()} directory listings."
    )
