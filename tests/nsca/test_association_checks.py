"""`check --deploy` refuses a site that does not say who the association is: checks are
payable to its legal name and mailed to its postal address, every mailing shows the address
and receipts the tax number (data staff fill in), and emails come from DEFAULT_FROM_EMAIL,
which is webmaster@localhost until it is set."""

import pytest
from django.test import override_settings

from association.models import Association
from nsca.checks import check_association_details, check_default_from_email
from tests.nsca.test_settings import PRODUCTION_ENV, run_manage


@pytest.mark.django_db
def test_check_deploy_refuses_an_association_without_legal_name_address_or_tax_number():
    Association.objects.create(name="Example Sister City Association")
    with override_settings(DEBUG=False):
        issues = check_association_details()
    assert [issue.id for issue in issues] == ["nsca.E010"]
    assert "legal name, postal address, tax number are not filled in" in issues[0].msg


@pytest.mark.django_db
def test_check_deploy_names_the_one_detail_missing():
    Association.objects.create(
        name="Example", legal_name="Example, Inc.", postal_address="PO Box 1\nExampleton, VA"
    )
    with override_settings(DEBUG=False):
        issues = check_association_details()
    assert "tax number is not filled in" in issues[0].msg


@pytest.mark.django_db
def test_check_deploy_refuses_a_site_with_no_association_yet():
    with override_settings(DEBUG=False):
        assert [issue.id for issue in check_association_details()] == ["nsca.E010"]


@pytest.mark.django_db
def test_check_deploy_accepts_a_filled_in_association():
    Association.objects.create(
        name="Example",
        legal_name="Example, Inc.",
        postal_address="PO Box 1\nExampleton, VA 23510",
        tax_number="12-3456789",
    )
    with override_settings(DEBUG=False):
        assert check_association_details() == []


def test_check_deploy_says_so_before_the_first_migrate_instead_of_failing():
    # An empty in-memory database: no association table yet.
    result = run_manage("check", "--deploy", env_overrides=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "nsca.E010" in result.stderr and "Run `manage.py migrate`" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "address", ["webmaster@localhost", "", "info@127.0.0.1", "NSCA <nobody>", "a@localhost."]
)
def test_check_deploy_refuses_a_from_address_mail_servers_refuse(address):
    with override_settings(DEBUG=False, DEFAULT_FROM_EMAIL=address):
        assert [issue.id for issue in check_default_from_email()] == ["nsca.E011"]


@pytest.mark.parametrize(
    "address", ["info@example.org", "Norfolk Sister City Association <info@example.org>"]
)
def test_check_deploy_accepts_a_public_from_address(address):
    with override_settings(DEBUG=False, DEFAULT_FROM_EMAIL=address):
        assert check_default_from_email() == []


def test_development_needs_neither():
    with override_settings(DEBUG=True, DEFAULT_FROM_EMAIL="webmaster@localhost"):
        assert check_default_from_email() == [] and check_association_details() == []


@pytest.mark.django_db
def test_a_place_on_one_line_is_not_a_postal_address():
    Association.objects.create(
        name="Example",
        legal_name="Example, Inc.",
        postal_address="Norfolk, Virginia",
        tax_number="12-3456789",
    )
    with override_settings(DEBUG=False):
        issues = check_association_details()
    assert "postal address is not filled in" in issues[0].msg
