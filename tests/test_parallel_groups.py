"""`make test` runs the suite on every core with `--dist loadgroup`: the tests that share
something no worker can have to itself (Redis database 12, a JVM's two cores) are marked
with one xdist_group and must run one after another on one worker. pytest 9.2 broke that
silently with pytest-xdist 3.8 (each test went to any worker, and the two-servers tests
flushed each other's Redis): this test fails if it ever happens again."""

import pytest

pytestmark = pytest.mark.xdist_group("one_redis")


def test_a_grouped_test_is_scheduled_with_its_group(request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("runs under `make test` (pytest-xdist with --dist loadgroup) only")
    assert request.node.nodeid.endswith("@one_redis"), (
        "pytest-xdist did not tag this test with its xdist_group: grouped tests would run "
        "on several workers at once (check the pytest and pytest-xdist versions)"
    )
    # By default pytest-xdist runs the largest group first; its transactional tests would
    # then flush a worker's database (the staff groups migrations make) before the others.
    assert request.config.option.loadscopereorder is False, "run with --no-loadscope-reorder"


def test_every_grouped_test_is_transactional_or_uses_no_database(request):
    """pytest-xdist schedules a group where its first test stands in the collection, and
    pytest-django collects the tests in one transaction first: a group holding one of them
    would run its transactional tests (which flush the database, the staff groups made by
    migrations included) early on its worker, before tests that need those groups."""
    grouped = [item for item in request.session.items if item.get_closest_marker("xdist_group")]
    in_transaction = [
        item.nodeid
        for item in grouped
        if (mark := item.get_closest_marker("django_db")) is not None
        and not mark.kwargs.get("transaction", False)
    ]
    assert grouped and in_transaction == []
