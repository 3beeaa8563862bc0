import datetime
import json
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction

from exchanges.models import Program

from .conftest import NOW, make_program


@pytest.fixture
def three_programs(partnership):
    open_program = make_program(partnership, slug="open-one", title="Open program")
    upcoming = make_program(
        partnership,
        slug="soon-one",
        title="Upcoming program",
        opens=NOW + datetime.timedelta(days=5),
        application_deadline=NOW + datetime.timedelta(days=25),
    )
    past = make_program(
        partnership,
        slug="past-one",
        title="Past program",
        opens=NOW - datetime.timedelta(days=90),
        application_deadline=NOW - datetime.timedelta(days=30),
        reference_deadline=NOW - datetime.timedelta(days=20),
        notification_at=NOW - datetime.timedelta(days=10),
    )
    make_program(partnership, slug="hidden-one", title="Unpublished program", published=False)
    return open_program, upcoming, past


def sections(html):
    return {
        heading: body
        for heading, body in re.findall(
            r'<h2 id="(\w+)-heading">.*?</h2>(.*?)</section>', html, re.S
        )
    }


def test_program_list_splits_open_upcoming_and_past(client, three_programs, time_machine):
    time_machine.move_to(NOW)
    html = client.get("/exchanges/").content.decode()
    found = sections(html)
    assert "Open program" in found["open"] and "Upcoming program" not in found["open"]
    assert "Upcoming program" in found["upcoming"]
    assert "Past program" in found["past"]
    assert "Unpublished program" not in html


def test_program_list_filters_by_city(client, three_programs, partnership, time_machine):
    time_machine.move_to(NOW)
    other = make_program(
        _other_partnership(partnership), slug="toulon-one", title="Toulon delegation"
    )
    assert other.partnership.slug == "toulon"
    html = client.get("/exchanges/?city=toulon").content.decode()
    assert "Toulon delegation" in html and "Open program" not in html
    assert client.get("/exchanges/?city=nowhere").status_code == 200


def _other_partnership(partnership):
    from cities.models import City, Partnership

    toulon = City.objects.create(name="Toulon", slug="toulon-city", country="FR")
    return Partnership.objects.create(
        home_city=partnership.home_city,
        partner_city=toulon,
        slug="toulon",
        kind="sister",
        status="active",
    )


def test_program_list_query_count_does_not_grow_with_programs(
    client, partnership, django_assert_max_num_queries, time_machine
):
    time_machine.move_to(NOW)
    for n in range(3):
        make_program(partnership, slug=f"p{n}")
    with django_assert_max_num_queries(8) as few:
        client.get("/exchanges/")
    for n in range(3, 12):
        make_program(partnership, slug=f"p{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/exchanges/")


def test_apply_button_only_while_applications_are_open(client, three_programs, time_machine):
    time_machine.move_to(NOW)
    open_program, upcoming, past = three_programs
    assert "/exchanges/open-one/apply/" in client.get("/exchanges/open-one/").content.decode()
    assert "/apply/" not in client.get("/exchanges/soon-one/").content.decode()
    assert "/apply/" not in client.get("/exchanges/past-one/").content.decode()
    assert client.get("/exchanges/hidden-one/").status_code == 404


def test_program_page_has_json_ld(client, program, time_machine):
    time_machine.move_to(NOW)
    html = client.get(program.get_absolute_url()).content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["@type"] == "EducationalOccupationalProgram"
    assert data["applicationDeadline"] == program.application_deadline.date().isoformat()
    assert data["offers"]["price"] == "2030.00"


def test_sitemap_lists_the_published_programs(client, three_programs):
    xml = client.get("/sitemap.xml").content.decode()
    assert "/exchanges/open-one/" in xml and "/exchanges/past-one/" in xml
    assert "/exchanges/hidden-one/" not in xml


def test_partner_city_page_lists_its_programs(client, program):
    html = client.get(program.partnership.get_absolute_url()).content.decode()
    assert "Exchange programs" in html and program.get_absolute_url() in html


def test_exchange_committee_group_has_the_exchanges_permission_and_nothing_of_payments(db):
    group = Group.objects.get(name="Exchange committee")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert ("exchanges", "exchanges") in codenames
    assert ("exchanges", "change_program") in codenames
    assert not {app for app, _ in codenames} - {"exchanges"}
    assert Permission.objects.filter(codename="exchanges").exists()


def test_database_refuses_a_deposit_above_the_cost(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(deposit=program.cost + 1)


def test_admin_edits_programs_with_questions_and_rubric_inline(client, staff_user, program):
    client.force_login(staff_user)
    html = client.get(f"/admin/exchanges/program/{program.pk}/change/").content.decode()
    assert "Why do you want to go?" in html and "Maturity" in html


def test_a_program_cannot_take_the_name_of_a_page_under_exchanges(program):
    from django.core.exceptions import ValidationError

    program.slug = "review"
    with pytest.raises(ValidationError):
        program.full_clean()
