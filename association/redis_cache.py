"""Django's Redis cache, with one redis-py client per connection pool instead of one per
call.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache call,
and each one copies redis-py's table of about a thousand response callbacks: 60 µs a call,
more than half of what a `cache.get` costs against a local Redis, and a checkout makes
fourteen. A redis-py client is safe to share between threads (its pool hands out the
connections), and its pool checks after a fork that it is not its parent's, so keeping
one per pool changes nothing else. Chosen in nsca/settings.py when CACHE_URL is Redis.
"""

from django.core.cache.backends import redis as django_redis


class _ClientPerPool(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ClientPerPool
