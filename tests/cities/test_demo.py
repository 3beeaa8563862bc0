import json
from io import StringIO
from pathlib import Path

import pytest
from django.db.models import Count

from cities import demo
from cities.models import City, DirectoryListing, Partnership

DATA = Path(demo.__file__).parent / "data"


@pytest.fixture
def loaded(db):
    demo.load(stdout=StringIO())


def test_directory_has_twelve_localities_and_47_partnerships(loaded):
    assert DirectoryListing.objects.values("locality").distinct().count() == 12
    assert DirectoryListing.objects.count() == 47


def test_directory_marks_exactly_winneba_and_san_juan_del_sur_as_friendship_cities(loaded):
    friendship = DirectoryListing.objects.filter(is_friendship=True).select_related(
        "locality", "partner"
    )
    assert sorted((f.locality.name, f.partner.label) for f in friendship) == [
        ("Charlottesville", "Winneba, Central Region, Ghana"),
        ("Virginia Beach", "San Juan del Sur, Rivas, Nicaragua"),
    ]


def test_directory_counts_per_locality(loaded):
    counts = dict(
        DirectoryListing.objects.values_list("locality__name")
        .annotate(n=Count("id"))
        .values_list("locality__name", "n")
    )
    assert counts == {
        "Alexandria": 4,
        "Arlington": 5,
        "Charlottesville": 4,
        "Chesapeake": 1,
        "Gordonsville": 1,
        "Hampton": 4,
        "Lynchburg": 2,
        "Newport News": 3,
        "Norfolk": 10,
        "Richmond": 5,
        "Suffolk": 2,
        "Virginia Beach": 6,
    }


def test_norfolk_2018_list_has_its_ten_partners(loaded):
    partners = DirectoryListing.objects.filter(locality__slug="norfolk-virginia").values_list(
        "partner__name", flat=True
    )
    assert sorted(partners) == sorted(
        [
            "Halifax",
            "Ningbo",
            "Toulon",
            "Wilhelmshaven",
            "Tema",
            "Kochi",
            "Kitakyushu",
            "Cagayan de Oro",
            "Kaliningrad",
            "Norfolk County",
        ]
    )


@pytest.mark.parametrize("misspelling", ["Salvadoror", "Ghano", "Kalinigrad"])
def test_no_misspelling_from_the_seed_is_left(loaded, misspelling):
    text = json.dumps([(c.name, c.region, c.label) for c in City.objects.all()])
    assert misspelling.lower() not in text.lower()
    for name in ("cities.json", "virginia_directory_2018.json"):
        data = json.loads((DATA / name).read_text(encoding="utf-8"))
        data.pop("_comment", None)
        assert misspelling.lower() not in json.dumps(data, ensure_ascii=False).lower()


def test_corrected_names_are_present(loaded):
    labels = {city.label for city in City.objects.all()}
    assert "San Miguel, El Salvador" in labels
    assert "Winneba, Central Region, Ghana" in labels
    assert "Kaliningrad, Kaliningrad Oblast, Russia" in labels


def test_every_city_has_real_coordinates(loaded):
    cities = list(City.objects.all())
    assert len(cities) >= 59
    assert all(city.has_coordinates for city in cities)
    norfolk = City.objects.get(slug="norfolk-virginia")
    assert 36 < norfolk.latitude < 37 and -77 < norfolk.longitude < -76
    southern = City.objects.get(slug="joinville")
    assert southern.latitude < 0


def test_demo_makes_norfolk_the_home_city(loaded):
    assert City.home().slug == "norfolk-virginia"


def test_demo_partnerships_match_the_associations_2023_site(loaded):
    sister = [p.partner_city.name for p in Partnership.objects.current() if p.kind == "sister"]
    friendship = [
        p.partner_city.name for p in Partnership.objects.current() if p.kind == "friendship"
    ]
    assert sister == [
        "Kitakyushu",
        "Tema",
        "Toulon",
        "Halifax",
        "Cagayan de Oro",
        "Wilhelmshaven",
        "Norfolk County",
    ]
    assert friendship == ["Ningbo-Beilun"]


def test_demo_has_kaliningrad_paused_with_its_reason_and_kochi_not_current(loaded):
    kaliningrad = Partnership.objects.paused().get()
    assert kaliningrad.partner_city.name == "Kaliningrad"
    assert "2022" in kaliningrad.status_note
    assert "Ukraine" in kaliningrad.status_note
    assert [p.slug for p in Partnership.objects.inactive()] == ["kochi"]


def test_demo_invents_no_stories_years_or_committees(loaded):
    for partnership in Partnership.objects.all():
        assert partnership.story == ""
        assert partnership.year_established is None
        assert not partnership.committees.exists()


def test_demo_is_idempotent(loaded):
    counts = (City.objects.count(), Partnership.objects.count(), DirectoryListing.objects.count())
    demo.load(stdout=StringIO())
    assert counts == (
        City.objects.count(),
        Partnership.objects.count(),
        DirectoryListing.objects.count(),
    )


def test_demo_keeps_staff_edits(loaded):
    Partnership.objects.filter(slug="toulon").update(summary="Edited by staff", status="paused")
    City.objects.filter(slug="toulon").update(region="Var")
    demo.load(stdout=StringIO())
    toulon = Partnership.objects.select_related("partner_city").get(slug="toulon")
    assert (toulon.summary, toulon.status, toulon.partner_city.region) == (
        "Edited by staff",
        "paused",
        "Var",
    )


def test_demo_records_each_partnerships_status_in_its_history_without_inventing_a_day(loaded):
    for partnership in Partnership.objects.all():
        change = partnership.status_changes.get()
        assert (change.status, change.note, change.changed_on) == (
            partnership.status,
            partnership.status_note,
            None,
        )
    kaliningrad = Partnership.objects.get(slug="kaliningrad").status_changes.get()
    assert kaliningrad.status == "paused"
    assert kaliningrad.note.startswith("Paused in 2022 after Russia's invasion of Ukraine")


def test_demo_adds_no_history_to_a_partnership_already_there(loaded):
    demo.load(stdout=StringIO())
    assert Partnership.objects.get(slug="kaliningrad").status_changes.count() == 1
