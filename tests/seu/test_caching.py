"""The town hall's identity is read from the cache on every page, and never outlives an edit."""

from __future__ import annotations

import pytest
from django.test import Client

from seu import caching

pytestmark = pytest.mark.django_db


def test_an_edit_of_the_town_hall_shows_at_once_on_every_page(client: Client, town_hall) -> None:
    assert town_hall.name in client.get("/verificar/").content.decode()
    town_hall.name = "Ajuntament de Son Servera"
    town_hall.save()  # what the back-office form does
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
