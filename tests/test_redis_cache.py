"""config.cache.RedisCache: Django's Redis cache, with one client per connection pool."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from config.cache import RedisCache

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def cache() -> Iterator[RedisCache]:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": "coursekit-test"})
    yield backend
    backend.clear()


def test_values_round_trip_and_expire(cache: RedisCache) -> None:
    cache.set("answer", {"q": 1, "value": [3, 4]}, timeout=30)
    assert cache.get("answer") == {"q": 1, "value": [3, 4]}
    assert cache.add("answer", "other") is False
    cache.set("gone", 1, timeout=0)  # a non-positive timeout deletes, as Django's does
    assert cache.get("gone") is None
    assert cache.add("n", 1) is True
    assert cache.incr("n") == 2


def test_one_client_per_pool(cache: RedisCache) -> None:
    clients = cache._cache  # type: ignore[attr-defined]
    client = clients.get_client()
    assert clients.get_client(write=True) is client
    cache.set("k", 1)
    assert clients.get_client("k") is client
