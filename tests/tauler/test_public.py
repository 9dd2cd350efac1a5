"""What an anonymous visitor gets from the board: pages, the Atom feed and the JSON API."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from django.test import override_settings
from lxml import html as lxml_html

from seu import calendar
from tauler import services
from tauler.models import Category, Edict, PeriodKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(make_edict, approver, organ) -> dict[str, Edict]:
    """Two edicts on display (different categories and organs), one expired, one withdrawn and one
    still awaiting approval."""
    from seu import staff
    from seu.models import StaffRole
    from tests.factories import OrganFactory

    other = OrganFactory(code="intervencio", name="Intervenció")
    # The approver approves the edicts of both organs (``seu.staff``).
    staff.grant_membership(
        user=approver,
        organ=other,  # type: ignore[arg-type]
        role=StaffRole.HEAD,
        acting_user=None,
    )
    found: dict[str, Edict] = {}
    specs = [
        ("urbanisme", "Modificació puntual de les normes subsidiàries", Category.URBAN_PLANNING),
        ("tributs", "Padró municipal de vehicles", Category.TAXES),
        ("caducat", "Llista definitiva de la borsa de treball", Category.STAFF_SELECTION),
        ("retirat", "Licitació del servei de neteja", Category.CONTRACTING),
    ]
    for key, title, category in specs:
        edict = make_edict(title=title, category=category, annex=key)
        if key == "tributs":
            Edict.objects.filter(pk=edict.pk).update(organ=other)
        services.publish_edict(edict_id=edict.pk, acting_user=approver)
        found[key] = Edict.objects.get(pk=edict.pk)
    caducat = found["caducat"]
    Edict.objects.filter(pk=caducat.pk).update(
        published_at=calendar.now() - dt.timedelta(days=40),
        exposure_ends_at=calendar.now() - dt.timedelta(days=10),
    )
    services.expire_due_edicts()
    services.withdraw_edict(
        edict_id=found["retirat"].pk, reason="Errada als plecs", acting_user=approver
    )
    found["pendent"] = make_edict(title="Edicte encara no aprovat")
    for key in found:
        found[key].refresh_from_db()
    return found


def test_the_board_lists_only_edicts_on_display_newest_first(client, board) -> None:
    response = client.get("/tauler/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(board["tributs"].title) < page.index(board["urbanisme"].title)
    for hidden in ("caducat", "retirat", "pendent"):
        assert board[hidden].title not in page
    assert "2 edictes en exposició" in page
    assert "Secretaria" in page and "Intervenció" in page


def test_the_board_filters_by_category_organ_and_text(client, board) -> None:
    by_category = client.get("/tauler/", {"categoria": "urbanisme"}).content.decode()
    assert board["urbanisme"].title in by_category
    assert board["tributs"].title not in by_category
    by_organ = client.get("/tauler/", {"organ": "intervencio"}).content.decode()
    assert board["tributs"].title in by_organ
    assert board["urbanisme"].title not in by_organ
    by_text = client.get("/tauler/", {"q": "vehicles"}).content.decode()
    assert board["tributs"].title in by_text
    assert board["urbanisme"].title not in by_text
    nothing = client.get("/tauler/", {"q": "inexistent"}).content.decode()
    assert "Cap edicte en exposició no coincideix" in nothing


@override_settings(TAULER_PAGE_SIZE=1)
def test_the_board_is_paginated_keeping_the_filters(client, board) -> None:
    first = client.get("/tauler/").content.decode()
    assert "Pàgina 1 de 2" in first
    assert board["tributs"].title in first and board["urbanisme"].title not in first
    second = client.get("/tauler/", {"pagina": 2}).content.decode()
    assert board["urbanisme"].title in second
    filtered = client.get("/tauler/", {"q": "de", "pagina": 1}).content.decode()
    assert "?q=de&amp;pagina=2" in filtered


def test_the_edict_page_shows_text_documents_and_period(client, board) -> None:
    edict = board["urbanisme"]
    page = client.get(f"/tauler/{edict.year}/{edict.number}/").content.decode()
    assert "S&#x27;exposa al públic l&#x27;aprovació inicial." in page
    assert calendar.format_date(edict.exposure_last_day).replace("'", "&#x27;") in page
    assert "Pendent del segell de temps" in page  # the timestamp has not arrived in this test
    attachment = edict.attachments.get()
    assert attachment.sha256 in page
    download = client.get(f"/tauler/{edict.year}/{edict.number}/documents/1/")
    assert download.status_code == 200
    assert download.content == attachment.blob.read()


def test_after_the_period_the_page_keeps_the_record_and_offers_only_the_certificate(
    client, board
) -> None:
    edict = board["caducat"]
    page = client.get(f"/tauler/{edict.year}/{edict.number}/").content.decode()
    assert "període d'exposició d'aquest edicte va acabar" in page
    assert edict.title in page
    assert edict.attachments.get().name not in page
    assert client.get(f"/tauler/{edict.year}/{edict.number}/documents/1/").status_code == 404
    assert f"/tauler/{edict.year}/{edict.number}/diligencia.pdf" in page
    certificate = client.get(f"/tauler/{edict.year}/{edict.number}/diligencia.pdf")
    assert certificate.status_code == 200
    assert certificate.content.startswith(b"%PDF-")


def test_an_edict_not_yet_published_has_no_public_address(client, board) -> None:
    assert client.get("/tauler/2026/99/").status_code == 404
    assert board["pendent"].number is None


def test_the_feed_is_atom_with_the_edicts_on_display(client, board) -> None:
    response = client.get("/tauler/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.version == "atom10"
    assert not parsed.bozo
    titles = [entry.title for entry in parsed.entries]
    assert titles == [
        f"{board['tributs'].reference} {board['tributs'].title}",
        f"{board['urbanisme'].reference} {board['urbanisme'].title}",
    ]
    assert parsed.entries[0].link.endswith(board["tributs"].get_absolute_url())


def test_the_category_feed_has_only_its_category(client, board) -> None:
    parsed = feedparser.parse(client.get("/tauler/feed/tributs/").content)
    assert parsed.version == "atom10"
    assert [entry.title for entry in parsed.entries] == [
        f"{board['tributs'].reference} {board['tributs'].title}"
    ]
    assert client.get("/tauler/feed/inexistent/").status_code == 404


def test_the_api_lists_the_board_without_identification(client, board) -> None:
    response = client.get("/api/v1/tauler/edictes/", {"categoria": "tributs"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["results"][0]
    assert item["reference"] == board["tributs"].reference
    assert item["organ_code"] == "intervencio"
    assert item["documents"][0]["sha256"] == board["tributs"].attachments.get().sha256


def test_the_api_keeps_the_record_of_an_expired_edict_without_its_documents(client, board) -> None:
    edict = board["caducat"]
    data = client.get(f"/api/v1/tauler/edictes/{edict.year}/{edict.number}/").json()
    assert data["state"] == "expired"
    assert data["documents"] == []
    assert data["certificate_csv"] == edict.certificate.csv
    assert client.get("/api/v1/tauler/edictes/2026/99/").status_code == 404


def test_the_api_is_in_the_openapi_schema(client) -> None:
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/tauler/edictes/" in schema
    assert "/api/v1/tauler/edictes/{year}/{number}/" in schema


def test_the_home_page_links_to_the_board(client, town_hall) -> None:
    page = client.get("/").content.decode()
    assert 'href="/tauler/"' in page
    assert client.get("/tauler/").status_code == 200


def test_days_left_count_working_days_for_working_day_periods(make_edict, approver) -> None:
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=calendar.SEU_TZ)  # Monday
    edict = make_edict(period_kind=PeriodKind.WORKING_DAYS, period_days=5, now=start)
    services.publish_edict(edict_id=edict.pk, acting_user=approver, now=start)
    edict.refresh_from_db()
    # Tue 1, Wed 2, Thu 3, Fri 4, Mon 7 December (Sat 5, Sun 6); 8 December is a holiday.
    assert edict.exposure_last_day == dt.date(2026, 12, 7)
    assert edict.days_left(dt.datetime(2026, 12, 4, 12, 0, tzinfo=calendar.SEU_TZ)) == 1


def test_the_edict_page_gives_its_instants_with_their_utc_offset(
    client, make_edict, approver
) -> None:
    # 25/10/2026 the clocks go back at 03:00 (+02:00) to 02:00 (+01:00): 02:30 comes twice, and
    # only the offset tells which one the edict was published and withdrawn at.
    published = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30 (+02:00)
    withdrawn = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # 02:30 (+01:00)
    edict = make_edict(now=published - dt.timedelta(hours=1))
    services.publish_edict(edict_id=edict.pk, acting_user=approver, now=published)
    Edict.objects.filter(pk=edict.pk).update(certified_at=published + dt.timedelta(seconds=2))
    services.withdraw_edict(
        edict_id=edict.pk, reason="Errada a l'anunci", acting_user=approver, now=withdrawn
    )
    edict.refresh_from_db()

    page = lxml_html.fromstring(client.get(edict.get_absolute_url()).content.decode())

    def shown(element_id: str) -> str:
        return " ".join(page.get_element_by_id(element_id).text_content().split())

    assert shown("publicat") == "25 d'octubre de 2026, 02:30:00 (UTC+02:00)"
    assert shown("instant-certificat").startswith("25 d'octubre de 2026, 02:30:02 (UTC+02:00)")
    assert "es va retirar del tauler el 25 d'octubre de 2026, 02:30:00 (UTC+01:00)." in shown(
        "retirat"
    )
