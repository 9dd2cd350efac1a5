"""Journey of an anonymous visitor on the notice board (art. 18.2): browse, filter, open an edict,
and download the exposure certificate of one whose period has ended; axe-clean throughout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from seu import calendar
from seu.models import TownHall
from tauler import services
from tauler.models import Category, Edict, PeriodKind
from tests.e2e.conftest import Browse, off_the_browser_thread, path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _make_board(organ: object) -> dict[str, Edict]:
    import weasyprint

    from tests.factories import UserFactory

    created: User = UserFactory(username="aprovadora-e2e", staff=True, head_of=organ)  # type: ignore[assignment]
    created.user_permissions.add(Permission.objects.get(codename="publish_edict"))
    approver = User.objects.get(pk=created.pk)  # permissions are cached per instance
    found = {}
    for key, title, category in [
        ("urbanisme", "Aprovació inicial del pla parcial Sa Coma", Category.URBAN_PLANNING),
        ("tributs", "Padró de la taxa de fems", Category.TAXES),
        ("borsa", "Llista definitiva de la borsa de treball", Category.STAFF_SELECTION),
    ]:
        edict = services.create_draft(
            title=title,
            category=category,
            organ=organ,  # type: ignore[arg-type]
            text=f"Text: {title}.",
            period_kind=PeriodKind.CALENDAR_DAYS,
            period_days=20,
            files=[
                services.IncomingFile(
                    name=f"{key}.pdf", data=weasyprint.HTML(string=f"<p>{key}</p>").write_pdf()
                )
            ],
            acting_user=approver,
        )
        services.submit_for_approval(edict_id=edict.pk, acting_user=approver)
        services.publish_edict(edict_id=edict.pk, acting_user=approver)
        found[key] = edict
    # The staff-selection list has served its period: the beat clock issues its certificate.
    Edict.objects.filter(pk=found["borsa"].pk).update(
        published_at=calendar.now() - dt.timedelta(days=30),
        exposure_ends_at=calendar.now() - dt.timedelta(days=1),
    )
    services.expire_due_edicts()
    return {key: Edict.objects.get(pk=edict.pk) for key, edict in found.items()}


def test_a_visitor_browses_filters_opens_and_downloads_a_certificate(
    browse: Browse, town_hall: TownHall, organ: object
) -> None:
    edicts = off_the_browser_thread(lambda: _make_board(organ))
    page = browse.page

    browse.goto("/")
    browse.click_and_wait(page.get_by_role("link", name="Tauler d'edictes"))
    assert path_of(page.url) == "/tauler/"
    table = page.locator("#edictes")
    expect(table).to_contain_text("Aprovació inicial del pla parcial Sa Coma")
    expect(table).to_contain_text("Padró de la taxa de fems")
    expect(table).not_to_contain_text("borsa de treball")

    page.get_by_label("Categoria").select_option(label="Tributs")
    browse.click_and_wait(page.get_by_role("button", name="Filtrar"))
    expect(table).to_contain_text("Padró de la taxa de fems")
    expect(table).not_to_contain_text("pla parcial Sa Coma")

    browse.click_and_wait(page.get_by_role("link", name="Padró de la taxa de fems"))
    tributs = edicts["tributs"]
    assert path_of(page.url) == f"/tauler/{tributs.year}/{tributs.number}/"
    expect(page.locator("#documents")).to_contain_text("tributs.pdf")
    assert tributs.exposure_last_day is not None
    expect(page.locator("#periode")).to_contain_text(
        calendar.format_date(tributs.exposure_last_day)
    )

    borsa = edicts["borsa"]
    browse.goto(f"/tauler/{borsa.year}/{borsa.number}/")
    expect(page.locator("#exposicio-finalitzada")).to_be_visible()
    expect(page.locator("#documents")).to_have_count(0)
    with page.expect_download() as info:
        page.locator("#diligencia").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    assert data == off_the_browser_thread(
        lambda: borsa.certificate.current_version().blob.read()  # type: ignore[union-attr]
    )


def test_a_visitor_reads_the_information_section(browse: Browse, town_hall: TownHall) -> None:
    page = browse.page
    browse.goto("/")
    browse.click_and_wait(page.get_by_role("link", name="Informació i transparència"))
    assert path_of(page.url) == "/informacio/"
    # The BOIB/BOE rows come from a data migration, which transactional tests flush.
    expect(page.get_by_role("heading", name="Diaris oficials")).to_be_visible()
    expect(page.get_by_role("heading", name="Organització i competències")).to_be_visible()
