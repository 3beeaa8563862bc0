import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache, so cached pages cannot leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def association(db):
    from nsca.models import Association

    return Association.objects.create(
        name="Example Sister City Association",
        short_name="ESCA",
        tagline="Friendship across borders",
        home_city="Exampleton, Virginia",
        founded_year=1976,
        mission="To foster international understanding.",
        aims="First aim.\n\nSecond aim.",
        email="info@example.org",
        postal_address="1 Main Street\nExampleton, VA",
    )


@pytest.fixture
def demo(db):
    """The association's real content, as `load_demo` loads it."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())


@pytest.fixture
def staff_user(db):
    from membership.models import User

    return User.objects.create_user(
        email="staff@example.org", password="staff-pass-123", is_staff=True, is_superuser=True
    )
