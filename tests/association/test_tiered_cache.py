"""The pages' two-tier cache (association/tiered_cache.py): what one process stored is
found by another through the shared tier, a local copy keeps the moment the value expires,
and a shared cache that is down costs nothing but the sharing."""

import datetime

import time_machine
from django.utils import timezone

from association.tiered_cache import TieredCache


def two_processes(shared="default"):
    """Two processes' page caches over one shared cache (the test settings' in-memory
    default stands in for Redis: every TieredCache here reaches the same one)."""
    params = {"OPTIONS": {"SHARED": shared}}
    return TieredCache("pages", params), TieredCache("pages", params)


def test_a_value_one_process_stored_is_found_by_another():
    one, two = two_processes()
    one.set("page", "rendered once", 60)
    assert two.get("page") == "rendered once"
    assert two.local.get(two.make_key("page")) == "rendered once"  # kept in front now


def test_a_local_copy_is_never_kept_past_the_moment_the_value_expires():
    """A page bounded by a venue reveal in 30 s is not kept 30 s more by the process that
    took a copy of it 20 s later."""
    one, two = two_processes()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        one.set("page", "before the reveal", 30)
    with time_machine.travel(start + datetime.timedelta(seconds=20), tick=False):
        assert two.get("page") == "before the reveal"
    with time_machine.travel(start + datetime.timedelta(seconds=31), tick=False):
        assert two.get("page") is None
        assert one.get("page") is None


def test_a_shared_cache_that_is_down_leaves_the_local_tier_working(settings):
    settings.CACHES = {
        **settings.CACHES,
        "unreachable": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    one, two = two_processes(shared="unreachable")
    one.set("page", "kept here", 60)
    assert one.get("page") == "kept here"
    assert two.get("page") is None  # not shared, and no error
