"""The anonymous board pages are cached, but never past a change of what they show."""

from __future__ import annotations

import pytest
import time_machine

from tauler import services
from tauler.models import PeriodKind
from tests.tauler.conftest import madrid

pytestmark = pytest.mark.django_db


def test_an_edict_leaves_the_cached_board_when_its_period_ends_even_before_the_sweep(
    make_edict, approver, client
) -> None:
    start = madrid(2026, 12, 1, 10, 0)  # Tuesday; 1 calendar day -> last day Wednesday 2
    with time_machine.travel(start, tick=False):
        edict = make_edict(period_kind=PeriodKind.CALENDAR_DAYS, period_days=1)
        services.publish_edict(edict_id=edict.pk, acting_user=approver)
        edict.refresh_from_db()
        assert edict.title in client.get("/tauler/").content.decode()
    with time_machine.travel(madrid(2026, 12, 2, 23, 59, 59), tick=False):
        assert edict.title in client.get("/tauler/").content.decode()
    with time_machine.travel(madrid(2026, 12, 3, 0, 0, 0), tick=False):
        assert edict.title not in client.get("/tauler/").content.decode()
        assert edict.title not in client.get("/tauler/feed/").content.decode()


def test_a_publication_shows_at_once_on_a_cached_board(make_edict, approver, client) -> None:
    first = make_edict(title="Primer edicte")
    second = make_edict(title="Segon edicte")
    services.publish_edict(edict_id=first.pk, acting_user=approver)
    assert "Segon edicte" not in client.get("/tauler/").content.decode()
    services.publish_edict(edict_id=second.pk, acting_user=approver)
    assert "Segon edicte" in client.get("/tauler/").content.decode()
    services.withdraw_edict(edict_id=second.pk, reason="Duplicat", acting_user=approver)
    assert "Segon edicte" not in client.get("/tauler/").content.decode()


def test_a_visitor_with_a_session_is_never_served_a_shared_page(
    make_edict, approver, client
) -> None:
    from tauler.models import Edict

    edict = make_edict(title="Títol original")
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    assert "Títol original" in client.get("/tauler/").content.decode()  # now cached
    # A change behind the services' back: only an uncached render can see it.
    Edict.objects.filter(pk=edict.pk).update(title="Títol canviat")
    assert "Títol original" in client.get("/tauler/").content.decode()
    client.cookies["sessionid"] = "una-sessio"
    assert "Títol canviat" in client.get("/tauler/").content.decode()


def test_a_page_cached_for_one_host_is_not_served_to_another(make_edict, approver, client) -> None:
    edict = make_edict()
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    client.get("/tauler/feed/", HTTP_HOST="localhost")
    other = client.get("/tauler/feed/", HTTP_HOST="testserver").content.decode()
    assert "localhost" not in other
    assert "http://testserver/tauler/" in other


def test_the_feed_is_handed_to_the_server_in_one_piece_cached_or_not(
    make_edict, approver, client
) -> None:
    # The WSGI server writes each piece of the body as its own packet: two thousand pieces took
    # 20 ms to deliver 43 KB (bench/tauler.py's feed at a quarter of a minimal view's rate).
    for title in ("Primer edicte", "Segon edicte"):
        services.publish_edict(edict_id=make_edict(title=title).pk, acting_user=approver)
    first, cached = client.get("/tauler/feed/"), client.get("/tauler/feed/")
    for response in (first, cached):
        pieces = list(response)
        assert len(pieces) == 1
        assert b"Segon edicte" in pieces[0]


# --- Only a bounded set of addresses is cached (issue 11, item 9) -------------------------------


def _cache_keys() -> set[str]:
    """The keys in the cache now: Redis's (under this site's prefix; the Celery broker shares its
    database) or the in-memory cache's."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]  # not the ``cache`` proxy: isinstance would not see through it
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client()
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        return {key.decode() for key in client.scan_iter(f"{prefix}:*")}
    return set(cache._cache)  # type: ignore[attr-defined]


def test_searches_with_free_text_or_unknown_parameters_add_nothing_to_the_cache(
    make_edict, approver, client
) -> None:
    edict = make_edict(title="Padró de la taxa de fems", category="tributs")
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    edict.refresh_from_db()
    assert client.get("/tauler/").status_code == 200  # the board itself is cached
    client.get(edict.get_absolute_url())
    before = _cache_keys()

    addresses = [f"/tauler/?q=cerca-{n}" for n in range(40)]
    addresses += [f"/tauler/?q=fems&categoria=tributs&pagina={n}" for n in range(1, 5)]
    addresses += [f"/tauler/?utm_source=bot-{n}" for n in range(10)]
    addresses += [f"/tauler/?organ=organ-inexistent-{n}" for n in range(10)]
    addresses += [f"/tauler/?categoria=categoria-{n}" for n in range(10)]
    addresses += [f"/tauler/?pagina={n}" for n in range(2, 12)]  # there is one page
    addresses += ["/tauler/?pagina=01", "/tauler/?pagina=-1", "/tauler/?pagina=x"]
    addresses += ["/tauler/?" + "&".join(["categoria=tributs"] * n) for n in range(2, 12)]
    addresses += [f"{edict.get_absolute_url()}?v={n}" for n in range(10)]
    addresses += [f"/tauler/feed/?v={n}" for n in range(10)]
    for address in addresses:
        assert client.get(address).status_code == 200, address

    assert _cache_keys() == before
    # What was searched is still answered.
    assert "Padró de la taxa de fems" in client.get("/tauler/?q=fems").content.decode()
    assert "Padró de la taxa de fems" not in client.get("/tauler/?q=urbanisme").content.decode()


def test_the_board_filtered_by_category_organ_and_page_is_still_cached(
    make_edict, approver, client, organ
) -> None:
    from tauler.models import Edict

    edict = make_edict(title="Títol original", category="tributs")
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    addresses = [
        "/tauler/",
        "/tauler/?categoria=tributs",
        f"/tauler/?organ={organ.code}",
        f"/tauler/?q=&categoria=tributs&organ={organ.code}",  # what the filter form sends
        "/tauler/?pagina=1",
    ]
    for address in addresses:
        assert "Títol original" in client.get(address).content.decode()
    # A change behind the services' back: a cached page does not see it.
    Edict.objects.filter(pk=edict.pk).update(title="Títol canviat")
    for address in addresses:
        assert "Títol original" in client.get(address).content.decode(), address
