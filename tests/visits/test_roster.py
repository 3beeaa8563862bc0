import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exchanges.models import Application
from tests.exchanges.conftest import make_program
from visits.models import Delegate, Visit
from visits.roster import add_travelers, allergy_flags, import_delegates

from .conftest import make_user, make_visit

pytestmark = pytest.mark.django_db

HEADER = (
    "first_name,last_name,birth_date,gender,diet,allergies,english_level,needs_host,"
    "emergency_contact_name,emergency_contact_phone,languages,sibling_group\n"
)
GOOD = (
    HEADER
    + "Lena,Krüger,2011-04-30,female,Vegetarian,Cats,good,yes,Anke Krüger,+49 4421 1,German,k\n"
    + "Jonas,Krüger,05/02/2012,male,,,basic,yes,Anke Krüger,+49 4421 1,German,k\n"
    + "Frau,Lehrerin,1980-01-01,female,,Smoke,fluent,no,Schule,+49 4421 2,,\n"
)


def test_a_good_roster_is_imported_with_its_flags(visit):
    result = import_delegates(visit, GOOD.encode())
    assert result.imported and result.created == 3
    lena = Delegate.objects.get(first_name="Lena")
    assert lena.birth_date == datetime.date(2011, 4, 30) and lena.allergic_to_animals
    assert Delegate.objects.get(first_name="Jonas").birth_date == datetime.date(2012, 5, 2)
    teacher = Delegate.objects.get(first_name="Frau")
    assert teacher.needs_smoke_free and not teacher.needs_host


def test_a_bad_line_imports_nothing_and_every_error_names_its_line(visit):
    bad = (
        GOOD
        + "Max,,2011-13-40,robot,,,superb,maybe,,\n"
        + "Ok,Person,2011-01-01,male,,,good,yes,A,1\n"
        + ",Nobody,2011-01-01,male,,,good,yes,A,1\n"
    )
    result = import_delegates(visit, bad.encode())
    assert not result.imported and result.created == 0
    assert Delegate.objects.count() == 0
    line5 = [e for e in result.errors if e.startswith("Line 5,")]
    assert {e.split(",")[1].split(":")[0].strip() for e in line5} == {
        "last_name",
        "birth_date",
        "gender",
        "english_level",
        "needs_host",
    }
    assert any(e.startswith("Line 7, first_name") for e in result.errors)
    assert not any(e.startswith("Line 6") for e in result.errors)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"first_name,last_name\nA,B\n", "missing columns"),
        (HEADER.encode(), "no delegates"),
        ("é".encode("latin-1"), "UTF-8"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(visit, data, message):
    result = import_delegates(visit, data)
    assert not result.imported and message in result.errors[0]


def test_semicolons_and_a_byte_order_mark_are_read(visit):
    data = "\ufeff" + GOOD.replace(",", ";")
    assert import_delegates(visit, data.encode()).created == 3


def test_allergy_flags_read_animals_and_smoke():
    assert allergy_flags("Dogs and cat dander") == {
        "allergic_to_animals": True,
        "needs_smoke_free": False,
    }
    assert allergy_flags("cigarette smoke")["needs_smoke_free"]
    assert allergy_flags("Peanuts") == {"allergic_to_animals": False, "needs_smoke_free": False}


def test_the_import_page_shows_the_errors_and_imports_nothing(client, visit, coordinator):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("roster.csv", (GOOD + "X,,bad,,,,,,,\n").encode())
    response = client.post(f"/visits/coordinate/{visit.pk}/roster/", {"file": upload})
    assert response.status_code == 400
    assert "Line 5, last_name" in response.content.decode()
    assert Delegate.objects.count() == 0
    upload = SimpleUploadedFile("roster.csv", GOOD.encode())
    response = client.post(f"/visits/coordinate/{visit.pk}/roster/", {"file": upload})
    assert response.status_code == 302 and Delegate.objects.count() == 3


def test_an_outgoing_visits_travelers_are_the_accepted_applicants(partnership):
    program = make_program(partnership)
    visit = make_visit(partnership, direction=Visit.Direction.OUTGOING, program=program)
    accepted = make_user("go@example.org", first_name="Gina", last_name="Goer")
    declined = make_user("no@example.org", first_name="Ned", last_name="No")
    Application.objects.create(program=program, applicant=accepted, status="accepted")
    Application.objects.create(program=program, applicant=declined, status="declined")
    assert add_travelers(visit) == 1
    assert add_travelers(visit) == 0
    assert [str(d) for d in visit.delegates.all()] == ["Gina Goer"]
