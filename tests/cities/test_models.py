import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cities.models import City, Origin, Partnership, validate_origins


def test_only_one_city_can_be_the_home_city(home_city, make_city):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_city("Elsewhere", country="US", is_home=True)
    assert City.home() == home_city


def test_many_cities_need_not_be_home(make_city):
    make_city("One")
    make_city("Two")
    assert City.objects.filter(is_home=False).count() == 2


def test_coordinates_are_both_given_or_both_missing(make_city):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_city("Half", latitude=None, longitude=10)


def test_latitude_out_of_range_is_refused_by_the_database(make_city):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_city("Nowhere", latitude=91, longitude=0)


def test_city_shows_country_name_from_its_iso_code(make_city):
    city = make_city("Halifax", country="CA", region="Nova Scotia")
    assert city.country_name == "Canada"
    assert city.label == "Halifax, Nova Scotia, Canada"


def test_current_lists_active_partnerships_sister_cities_first(make_partnership):
    make_partnership("Ningbo", kind=Partnership.Kind.FRIENDSHIP, country="CN")
    make_partnership("Toulon")
    make_partnership("Aachen", country="DE")
    names = [p.partner_city.name for p in Partnership.objects.current()]
    assert names == ["Aachen", "Toulon", "Ningbo"]


def test_current_leaves_out_paused_and_inactive_partnerships(make_partnership):
    make_partnership("Toulon")
    make_partnership("Kaliningrad", status=Partnership.Status.PAUSED, country="RU")
    make_partnership("Kochi", status=Partnership.Status.INACTIVE, country="IN")
    assert [p.slug for p in Partnership.objects.current()] == ["toulon"]
    assert [p.slug for p in Partnership.objects.paused()] == ["kaliningrad"]
    assert [p.slug for p in Partnership.objects.inactive()] == ["kochi"]


def test_current_only_lists_the_home_citys_partnerships(make_partnership, make_city):
    make_partnership("Toulon")
    other_home = make_city("Richmond", country="US")
    make_partnership("Zhengzhou", home_city=other_home, country="CN")
    assert [p.slug for p in Partnership.objects.current()] == ["toulon"]


def test_a_city_cannot_partner_with_itself(home_city):
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(home_city=home_city, partner_city=home_city, slug="self")


def test_a_pair_of_cities_has_one_partnership(make_partnership, home_city):
    partnership = make_partnership("Toulon")
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(
            home_city=home_city, partner_city=partnership.partner_city, slug="toulon-2"
        )


def test_partnership_slug_cannot_take_the_directory_address(make_partnership):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_partnership("Virginia", slug="virginia")


def test_partnership_slug_validator_explains_the_reserved_address(make_partnership):
    partnership = make_partnership("Toulon")
    partnership.slug = "virginia"
    with pytest.raises(ValidationError) as error:
        partnership.full_clean()
    assert "another page" in str(error.value)


def test_change_status_records_date_and_note(make_partnership, staff_user):
    partnership = make_partnership("Kaliningrad", country="RU")
    partnership.change_status(
        status=Partnership.Status.PAUSED,
        note="Paused after the invasion.",
        on=datetime.date(2022, 3, 1),
        by=staff_user,
    )
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.PAUSED
    assert partnership.status_note == "Paused after the invasion."
    change = partnership.status_changes.get()
    assert (change.status, change.changed_on, change.note, change.recorded_by) == (
        "paused",
        datetime.date(2022, 3, 1),
        "Paused after the invasion.",
        staff_user,
    )


def test_origins_accept_only_the_known_ways(make_partnership):
    validate_origins([Origin.TRADE, Origin.FAITH])
    with pytest.raises(ValidationError):
        validate_origins(["bribery"])
    partnership = make_partnership("Toulon", origins=[Origin.HISTORICAL, Origin.TRADE])
    assert partnership.origin_labels == ["Historical connection", "Trade relationship"]


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("active", "sister city"),
        ("paused", "sister city (paused)"),
        ("inactive", "former sister city"),
    ],
)
def test_relationship_label_follows_the_status(make_partnership, status, label):
    assert make_partnership("Toulon", status=status).relationship_label == label


def test_friendship_city_relationship_label(make_partnership):
    partnership = make_partnership("Ningbo", kind="friendship", status="inactive")
    assert partnership.relationship_label == "former friendship city"


def test_change_status_with_an_unknown_date_records_none_and_sorts_after_dated_entries(
    make_partnership,
):
    partnership = make_partnership("Kaliningrad", country="RU")
    partnership.change_status(status="paused", note="Paused in 2022.", date_unknown=True)
    partnership.change_status(status="active", on=datetime.date(2024, 5, 1))
    assert [(c.status, c.changed_on) for c in partnership.status_changes.all()] == [
        ("active", datetime.date(2024, 5, 1)),
        ("paused", None),
    ]


def test_status_history_leaves_out_a_lone_undated_initial_status_without_a_note(
    make_partnership,
):
    partnership = make_partnership("Toulon")
    partnership.change_status(status="active", date_unknown=True)
    assert partnership.status_history == []
    partnership.change_status(status="paused", note="A pause.", on=datetime.date(2024, 5, 1))
    assert [change.status for change in partnership.status_history] == ["paused", "active"]
