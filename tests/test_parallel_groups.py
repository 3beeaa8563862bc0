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
