import pytest


@pytest.fixture
def queued_only(settings):
    """As in production: an email is only queued; nothing is sent until a worker runs."""
    settings.OUTBOX_DELIVER_AT_ONCE = False
