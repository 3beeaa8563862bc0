"""association/redis_cache.py: Django's Redis cache with one redis-py client per pool."""

import threading
import uuid

import pytest
import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from association.redis_cache import RedisCache

LOCATION = "redis://127.0.0.1:6379/13"


@pytest.fixture
def cache():
    prefix = f"redis-cache-test-{uuid.uuid4().hex}"
    yield RedisCache(LOCATION, {"KEY_PREFIX": prefix})
    server = redis.Redis.from_url(LOCATION)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def test_every_call_uses_the_same_client(cache):
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is first
    # Django's own makes one per call: what this backend is for.
    django = DjangoRedisCache(LOCATION, {})
    assert django._cache.get_client("a") is not django._cache.get_client("a")


def test_it_is_the_cache_it_was(cache):
    cache.set("kept", {"n": 1}, 30)
    assert cache.get("kept") == {"n": 1}
    assert cache.add("kept", 2) is False
    cache.set("count", 0, 30)
    assert cache.incr("count") == 1
    cache.delete("kept")
    assert cache.get("kept", "gone") == "gone"


def test_threads_share_the_client_and_each_sees_its_own_answers(cache):
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"t{n}-{i}", n * 1000 + i, 30)
                assert cache.get(f"t{n}-{i}") == n * 1000 + i
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
