import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from membership.models import User

pytestmark = pytest.mark.django_db


def test_user_signs_in_with_email_in_any_case():
    User.objects.create_user(email="Ada@Example.org", password="correct-horse-9")
    assert authenticate(email="ada@example.org", password="correct-horse-9") is not None
    assert authenticate(username="ADA@EXAMPLE.ORG", password="correct-horse-9") is not None
    assert authenticate(email="ada@example.org", password="wrong") is None


def test_email_is_unique_regardless_of_case_in_the_database():
    User.objects.create_user(email="ada@example.org", password="x-long-password")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="ADA@example.org", password="x-long-password")


def test_email_clash_in_other_case_is_a_validation_error():
    User.objects.create_user(email="ada@example.org", password="x-long-password")
    user = User(email="Ada@Example.ORG")
    with pytest.raises(ValidationError) as excinfo:
        user.full_clean(exclude=["password"])
    assert "email" in excinfo.value.message_dict


def test_user_has_no_username_and_requires_email():
    assert not hasattr(User(), "username") or User.username is None
    with pytest.raises(ValueError):
        User.objects.create_user(email="", password="x")


def test_createsuperuser_model_fields():
    admin = User.objects.create_superuser(email="boss@example.org", password="pw-long-enough")
    assert admin.is_staff and admin.is_superuser
    assert User.USERNAME_FIELD == "email"
