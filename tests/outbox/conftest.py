import pytest


@pytest.fixture
def queued_only(settings):
    """As in production: an email is only queued; nothing is sent until a worker runs."""
    settings.TASKS_RUN_AFTER_COMMIT = False
