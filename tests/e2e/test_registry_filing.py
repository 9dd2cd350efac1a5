"""A citizen files a generic request in Chromium (art. 33): identified through the local Cl@ve
identity provider, with two attachments, a review, the confirmation, and the sealed receipt
downloaded and checked by poppler; a Sunday filing shows both instants. axe-core checks every page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import FilePayload, expect

from devtools.clave_idp import LocalIdPServer
from documents import sealing
from notificacions.models import NotificationConsent
from registre.models import RegistryEntry
from seu import calendar
from seu.models import Interruption, Organ, TownHall
from tests.conftest import pdfsig
from tests.e2e.conftest import Browse, path_of
from tests.support.clave import at_the_identity_provider
from tests.support.files import make_pdf, make_png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clave_on_the_live_server"),
]

MADRID = ZoneInfo("Europe/Madrid")


def identify_and_open_the_registry(browse: Browse, idp: LocalIdPServer) -> None:
    """From the home page to the filing form, identifying with Cl@ve on the way."""
    page = browse.page
    browse.goto("/")
    browse.click_and_wait(
        page.get_by_role("main").get_by_role("link", name="Registre electrònic", exact=True)
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Identificar-me")
    browse.click_and_wait(page.get_by_role("link", name="Identificar-me amb Cl@ve"))
    at_the_identity_provider(browse, idp, level="Substancial")
    assert path_of(page.url) == "/registre/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Registre electrònic")


def fill_in_the_request(browse: Browse, files: list[tuple[str, str, bytes]]) -> None:
    page = browse.page
    page.get_by_label("Òrgan al qual us adreçau").select_option(label="Secretaria")
    for label, value in {
        "Assumpte": "Llicència de gual al carrer Major",
        "Exposa": "Que tenc un garatge al carrer Major, 1.",
        "Sol·licita": "Que se'm concedeixi la llicència de gual.",
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Documents adjunts (opcional)").set_input_files(
        [FilePayload(name=name, mimeType=kind, buffer=data) for name, kind, data in files]
    )
    browse.click_and_wait(page.get_by_role("button", name="Continuar i revisar"))
    assert path_of(page.url) == "/registre/revisio/"


def test_a_citizen_files_with_two_attachments_and_downloads_a_valid_sealed_receipt(
    browse: Browse,
    local_idp: LocalIdPServer,
    town_hall: TownHall,
    organ: Organ,
    nss_db: str,
    tmp_path: Path,
) -> None:
    page = browse.page
    pdf, png = make_pdf(), make_png()
    # An announced interruption: its banner is on every page of the journey, audited with them.
    starts = dt.datetime(2031, 3, 1, 8, 0, tzinfo=MADRID)
    Interruption.objects.create(
        scope=Interruption.Scope.SEU,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=4),
        reason="Manteniment dels servidors",
        alternatives="Oficina d'Atenció a la Ciutadania",
    )
    identify_and_open_the_registry(browse, local_idp)
    banner = page.get_by_role("region", name="Interrupcions programades")
    expect(banner).to_contain_text("Manteniment dels servidors")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Podeu adjuntar fins a 10 documents")

    fill_in_the_request(
        browse,
        [("sol·licitud.pdf", "application/pdf", pdf), ("plànol.png", "image/png", png)],
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Revisau la sol·licitud")
    attached = page.locator("#adjunts")
    expect(attached.get_by_role("row")).to_have_count(3)  # the header and two files
    expect(attached).to_contain_text("sol·licitud.pdf")
    expect(attached).to_contain_text(sealing.sha256_hex(pdf))
    expect(attached).to_contain_text("plànol.png")
    expect(attached).to_contain_text(sealing.sha256_hex(png))
    expect(main).to_contain_text("Llicència de gual al carrer Major")
    assert not RegistryEntry.objects.exists()

    # Asked how to be notified (art. 32.2): no answer is an error that keeps everything.
    question = page.get_by_role("group", name="Com voleu rebre les notificacions")
    browse.click_and_wait(page.get_by_role("button", name="Confirmar i presentar"))
    expect(page.get_by_role("alert")).to_contain_text("Triau com voleu rebre les notificacions.")
    expect(main).to_contain_text("Llicència de gual al carrer Major")
    question.get_by_label("Per mitjans electrònics, a la seu electrònica").check()
    page.get_by_label("Adreça electrònica per als avisos").fill("maria@exemple.cat")
    browse.click_and_wait(page.get_by_role("button", name="Confirmar i presentar"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sol·licitud registrada")
    assert NotificationConsent.objects.get().email == "maria@exemple.cat"
    entry = RegistryEntry.objects.get()
    assert entry.number is not None and entry.receipt is not None
    expect(page.locator("#numero-registre")).to_have_text(entry.number)
    expect(page.locator("#presentacio")).to_have_text(calendar.format_instant(entry.presented_at))
    assert entry.attachments.count() == 2

    with page.expect_download() as download:
        main.get_by_role("link", name=f"Descarregar el rebut de {entry.number}").click()
    assert download.value.suggested_filename == f"rebut-{entry.number.replace('/', '-')}.pdf"
    report = pdfsig(Path(download.value.path()).read_bytes(), nss_db, tmp_path)
    assert "Signature is Valid." in report, report
    assert "Certificate is Trusted." in report, report

    browse.click_and_wait(main.get_by_role("link", name="Verificar el rebut a la seu"))
    assert path_of(page.url) == f"/verificar/{entry.receipt.csv}/"

    browse.goto("/carpeta/")
    row = page.get_by_role("row").filter(has_text=entry.number)
    expect(row).to_contain_text("Llicència de gual al carrer Major")
    expect(row).to_contain_text("registrada")


def test_a_sunday_filing_shows_the_presentation_and_the_effective_instants(
    browse: Browse,
    local_idp: LocalIdPServer,
    town_hall: TownHall,
    organ: Organ,
) -> None:
    page = browse.page
    identify_and_open_the_registry(browse, local_idp)
    sunday = dt.datetime(2026, 11, 22, 18, 30, tzinfo=MADRID)
    # tick=True: the clock moves on, in the live server's thread too.
    with time_machine.travel(sunday, tick=True):
        browse.goto("/registre/")
        fill_in_the_request(browse, [("plànol.png", "image/png", make_png())])
        page.get_by_label("En paper", exact=True).check()
        browse.click_and_wait(page.get_by_role("button", name="Confirmar i presentar"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Sol·licitud registrada")
    entry = RegistryEntry.objects.get()
    assert calendar.to_local(entry.presented_at).date() == sunday.date()
    expect(page.locator("#presentacio")).to_contain_text("22 de novembre de 2026, 18:3")
    expect(page.locator("#entrada")).to_contain_text("23 de novembre de 2026, 00:00:01 (UTC+01:00)")
    expect(page.locator("#entrada")).to_contain_text("Presentada en dia inhàbil")


def test_a_file_name_of_a_thousand_characters_gets_the_portals_page_and_a_way_back(
    browse: Browse,
    town_hall: TownHall,
    organ: Organ,
    local_idp: LocalIdPServer,
) -> None:
    """Issue #11, item 8, as a person meets it: Chromium sends the name as chosen, Django cannot
    read the form, and the answer is the portal's page in Catalan with a way back to the form."""
    identify_and_open_the_registry(browse, local_idp)
    page = browse.page
    page.get_by_label("Assumpte", exact=True).fill("Llicència de gual")
    page.get_by_label("Documents adjunts (opcional)").set_input_files(
        [FilePayload(name="a" * 1000 + ".pdf", mimeType="application/pdf", buffer=make_pdf())]
    )
    response = browse.click_and_wait(page.get_by_role("button", name="Continuar i revisar"))
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("No s'ha pogut llegir el formulari")
    expect(page.get_by_role("main")).to_contain_text("El nom d'un fitxer és massa llarg")
    expect(page.get_by_role("banner")).to_contain_text(town_hall.name)  # the portal's layout
    browse.click_and_wait(page.get_by_role("link", name="Tornar a la pàgina anterior"))
    assert path_of(page.url) == "/registre/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Registre electrònic")
