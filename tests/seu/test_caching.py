"""The town hall's identity is read from the cache on every page, and never outlives an edit."""

from __future__ import annotations

import pytest
from django.test import Client

from seu import caching, services
from seu.cache import RedisCache

pytestmark = pytest.mark.django_db


def test_an_edit_of_the_town_hall_shows_at_once_on_every_page(client: Client, town_hall) -> None:
    assert town_hall.name in client.get("/verificar/").content.decode()
    town_hall.name = "Ajuntament de Son Servera"
    services.save_town_hall(town_hall=town_hall, acting_user=None)  # what the back-office does
    assert "Ajuntament de Son Servera" in client.get("/verificar/").content.decode()
    assert caching.town_hall().name == "Ajuntament de Son Servera"


def test_the_town_hall_is_not_read_from_the_database_on_every_page(
    client: Client, town_hall, django_assert_num_queries
) -> None:
    client.get("/verificar/")
    with django_assert_num_queries(0):
        assert town_hall.name in client.get("/verificar/").content.decode()


def test_the_redis_cache_keeps_one_client_instead_of_building_one_per_operation() -> None:
    from django.core.cache import caches

    from seu.cache import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        pytest.skip("no Redis configured (REDIS_URL): the development cache is in memory")
    client = cache._cache.get_client()
    cache.set("seu-test-shared-client", 1)
    assert cache.get("seu-test-shared-client") == 1
    assert cache._cache.get_client(write=True) is client


def _redis_or_skip() -> RedisCache:
    from django.core.cache import caches

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        pytest.skip("no Redis configured (REDIS_URL): the development cache is in memory")
    return cache


def test_a_throttle_window_starts_with_its_first_record_and_ends() -> None:
    from seu import throttle

    cache = _redis_or_skip()
    counts = [throttle.record(scope="test", key="10.0.0.1", window_seconds=60) for _ in range(3)]
    assert counts == [1, 2, 3] == [*counts[:2], throttle.count(scope="test", key="10.0.0.1")]
    key = cache.make_and_validate_key(throttle._key("test", "10.0.0.1"))
    assert 0 < cache._cache.get_client(key).ttl(key) <= 60


def test_a_throttle_counter_that_lost_its_expiry_gets_one_again() -> None:
    # What Django's EXISTS-then-INCRBY left when the key expired between the two: a counter
    # without an end, its client locked out for good once over the limit.
    from seu import throttle

    cache = _redis_or_skip()
    key = cache.make_and_validate_key(throttle._key("test", "10.0.0.2"))
    client = cache._cache.get_client(key, write=True)
    client.set(key, 7)
    assert client.ttl(key) == -1
    assert throttle.record(scope="test", key="10.0.0.2", window_seconds=60) == 8
    assert 0 < client.ttl(key) <= 60
