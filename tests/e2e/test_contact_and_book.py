"""Issue 13 items 10 and 11 in Chromium: a person keeps their contact details in «Les meves dades»,
finds them offered on the filing form and recorded on the entry; the registry book at 1,280 px
shows the organ, the person and the subject without cutting them. axe-core checks every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from devtools.clave_idp import LocalIdPServer
from registre.models import RegistryEntry
from seu.identity import PersonData
from seu.identity.staff_auth import current_code, enrol_totp_device
from seu.models import Organ, TownHall
from tests.conftest import STAFF_PASSWORD
from tests.e2e.conftest import Browse, off_the_browser_thread, path_of
from tests.factories import OrganFactory, RegistryEntryFactory, UserFactory
from tests.support.clave import at_the_identity_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("clave_on_the_live_server")
def test_contact_details_kept_in_my_data_are_offered_on_the_form_and_recorded_on_the_entry(
    browse: Browse, local_idp: LocalIdPServer, town_hall: TownHall, organ: Organ
) -> None:
    page = browse.page
    browse.goto("/identificacio/les-meves-dades/", status=None)
    browse.click_and_wait(page.get_by_role("link", name="Identificar-me amb Cl@ve"))
    at_the_identity_provider(browse, local_idp, level="Substancial")
    assert path_of(page.url) == "/identificacio/les-meves-dades/"

    # A mistyped phone is refused in Catalan, and what was typed stays.
    browse.submit(
        {
            "Adreça electrònica": "maria@exemple.cat",
            "Telèfon": "971 12",
            "Adreça postal": "C/ Major, 1\n07001 Palma",
        },
        page.get_by_role("button", name="Desar les dades de contacte"),
    )
    expect(page.get_by_role("alert")).to_contain_text("El telèfon «971 12» no és vàlid")
    expect(page.get_by_label("Adreça electrònica", exact=True)).to_have_value("maria@exemple.cat")
    browse.submit(
        {"Telèfon": "+34 971 12 34 56"},
        page.get_by_role("button", name="Desar les dades de contacte"),
    )
    expect(page.get_by_text("S'han desat les vostres dades de contacte.")).to_be_visible()
    expect(page.get_by_label("Telèfon", exact=True)).to_have_value("+34971123456")

    browse.goto("/registre/")
    expect(page.get_by_label("Adreça electrònica", exact=True)).to_have_value("maria@exemple.cat")
    expect(page.get_by_label("Telèfon", exact=True)).to_have_value("+34971123456")
    expect(page.get_by_label("Adreça postal", exact=True)).to_have_value("C/ Major, 1\n07001 Palma")
    page.get_by_label("Òrgan al qual us adreçau").select_option(label="Secretaria")
    for label, value in {
        "Assumpte": "Llicència de gual al carrer Major",
        "Exposa": "Que tenc un garatge al carrer Major, 1.",
        "Sol·licita": "Que se'm concedeixi la llicència de gual.",
        # For this request only, another address.
        "Adreça electrònica": "feina@exemple.cat",
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    browse.click_and_wait(page.get_by_role("button", name="Continuar i revisar"))
    expect(page.locator("#contacte-resum")).to_contain_text("feina@exemple.cat")
    page.get_by_label("En paper", exact=True).check()
    browse.click_and_wait(page.get_by_role("button", name="Confirmar i presentar"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sol·licitud registrada")
    summary = page.locator("#contacte-resum")
    expect(summary).to_contain_text("feina@exemple.cat")
    expect(summary).to_contain_text("+34971123456")
    expect(summary).to_contain_text("07001 Palma")

    # The person's own details did not change with the request's.
    browse.goto("/identificacio/les-meves-dades/")
    expect(page.get_by_label("Adreça electrònica", exact=True)).to_have_value("maria@exemple.cat")


def _long_book(organ: Organ) -> list[RegistryEntry]:
    other = OrganFactory(code="medi-ambient", name="Regidoria de Medi Ambient i Sostenibilitat")
    people = [
        PersonData(
            nif="12345678Z", given_name="Maria Antònia", surnames="Garcia-Ferrer Santandreu"
        ),
        PersonData(nif="B12345674", legal_name="SERVEIS INTEGRALS DEL LLEVANT MALLORQUÍ SL"),
    ]
    entries: list[RegistryEntry] = []
    for number, person in enumerate(people):
        entries.append(
            RegistryEntryFactory(  # type: ignore[arg-type]
                organ=other if number else organ,
                interested=person,
                subject="Sol·licitud de llicència d'obra menor per a la reforma de la façana "
                f"i la coberta de l'habitatge del carrer de Sant Miquel, {number + 10}",
            )
        )
    return entries


def test_the_book_at_1280_px_shows_organ_person_and_subject_uncut(
    browse: Browse, town_hall: TownHall, organ: Organ
) -> None:
    entries = off_the_browser_thread(lambda: _long_book(organ))
    clerk: User = UserFactory(username="registradora", staff=True, supervisor=True)  # type: ignore[assignment]
    clerk.user_permissions.add(*Permission.objects.filter(content_type__app_label="registre"))
    device = enrol_totp_device(clerk)
    page = browse.page
    page.set_viewport_size({"width": 1280, "height": 800})

    browse.goto("/gestio/registre/registryentry/", axe=False)  # the login form, tested elsewhere
    browse.submit(
        {
            "Nom d'usuari:": clerk.username,
            "Contrasenya:": STAFF_PASSWORD,
            "Codi de verificació:": current_code(device),
        },
        page.get_by_role("button", name="Iniciar sessió"),
    )
    assert path_of(page.url) == "/gestio/registre/registryentry/"

    # The page itself never scrolls sideways: a wide table scrolls in its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    for column in ("organ", "person_display", "subject"):
        cells = page.locator(f"#result_list td.field-{column}")
        expect(cells).to_have_count(len(entries))
        for index in range(len(entries)):
            cell = cells.nth(index)
            geometry: dict[str, Any] = cell.evaluate(
                """cell => {
                    const box = cell.closest('.results');
                    const r = cell.getBoundingClientRect(), b = box.getBoundingClientRect();
                    return {
                        cut: cell.scrollWidth > cell.clientWidth + 1,
                        inside_box: r.left >= b.left - 1 && r.right <= b.right + 1,
                        on_screen: r.left >= 0 && r.right <= window.innerWidth,
                        width: r.width,
                    };
                }"""
            )
            # Read as the page opens: no sideways scrolling to find the column, no text cut.
            assert not geometry["cut"], (column, geometry)
            assert geometry["inside_box"] and geometry["on_screen"], (column, geometry)
            assert geometry["width"] > 80, (column, geometry)
