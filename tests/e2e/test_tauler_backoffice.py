"""Journey of an edict through the back-office as staff do it (art. 18): a clerk drafts it with its
PDF in the admin's form and sends it for approval; an approver publishes it; the public board
shows it. Issue 11, item A: the admin's add form answered 500 and no test went through it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import expect

from seu.identity.staff_auth import current_code, enrol_totp_device
from seu.models import TownHall
from tauler.models import Edict
from tests.conftest import STAFF_PASSWORD
from tests.e2e.conftest import Browse, path_of
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Aprovació inicial del pla parcial Sa Coma"

# The edict's add and change forms are audited by axe like every other page, and none of its
# rules may fail there (checked at the end of the journey). They are exempt from the harness's
# Content Security Policy check only: Django's forms.css starts with `@import url("widgets.css")`,
# and axe's own CSSOM preload copies such a sheet into a <style> element, which our CSP
# (style-src 'self') blocks and reports. The page itself has no inline style.
FORM_PAGE = False


def reports_delivered(browse: Browse) -> None:
    """Let the browser deliver the CSP reports of the page audited last before the next page's
    audit starts: they are queued as tasks, and would otherwise be counted on the next page."""
    browse.page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")


def staff_with(username: str, permissions: Any, **memberships: Any) -> User:
    user: User = UserFactory(username=username, staff=True, **memberships)  # type: ignore[assignment]
    user.user_permissions.add(*permissions)
    return User.objects.get(pk=user.pk)  # permissions are cached per instance


def log_in(browse: Browse, user: User) -> None:
    device = enrol_totp_device(user)
    browse.goto("/gestio/")
    assert path_of(browse.page.url).startswith("/gestio/login/")
    browse.submit(
        {
            "Nom d'usuari:": user.username,
            "Contrasenya:": STAFF_PASSWORD,
            "Codi de verificació:": current_code(device),
        },
        browse.page.get_by_role("button", name="Iniciar sessió"),
    )
    assert path_of(browse.page.url) == "/gestio/"


def test_a_clerk_drafts_an_edict_with_its_pdf_and_an_approver_publishes_it(
    browse: Browse, town_hall: TownHall, organ: Any, tmp_path: Path
) -> None:
    import weasyprint

    page = browse.page
    tauler = Permission.objects.filter(content_type__app_label="tauler")
    clerk = staff_with("clerk-tauler", tauler.exclude(codename="publish_edict"), clerk_of=organ)
    approver = staff_with(
        "aprovadora-tauler",
        tauler.filter(codename__in=["view_edict", "change_edict", "publish_edict"]),
        head_of=organ,
    )
    pdf = tmp_path / "pla-parcial.pdf"
    pdf.write_bytes(weasyprint.HTML(string="<p>Plànol del pla parcial</p>").write_pdf())

    # The clerk drafts the edict, its PDF chosen with the file chooser.
    log_in(browse, clerk)
    browse.click_and_wait(page.get_by_role("link", name="Edictes", exact=True))
    browse.click_and_wait(page.get_by_role("link", name="Afegir edicte"), axe=FORM_PAGE)
    reports_delivered(browse)
    page.get_by_label("Títol:").fill(TITLE)
    page.get_by_label("Categoria:").select_option(label="Urbanisme")
    page.get_by_label("Òrgan:").select_option(label=organ.name)
    page.get_by_label("Text:").fill("S'exposa al públic l'aprovació inicial del pla parcial.")
    page.get_by_label("Tipus de període:").select_option(label="dies naturals")
    page.get_by_label("Dies d'exposició:").fill("20")
    page.get_by_label("Afegir un document (PDF):").set_input_files(pdf)
    browse.click_and_wait(
        page.get_by_role("button", name="Desar i continuar editant"), axe=FORM_PAGE
    )
    reports_delivered(browse)

    expect(page.locator(".messagelist .success")).to_contain_text("afegit amb èxit")
    edict = Edict.objects.get()
    assert path_of(page.url) == f"/gestio/tauler/edict/{edict.pk}/change/"
    assert edict.state == Edict.State.DRAFT
    expect(page.locator("#attachments-group")).to_contain_text("pla-parcial.pdf")

    # ... and sends it for approval from the list of edicts.
    browse.click_and_wait(
        page.locator(".breadcrumbs").get_by_role("link", name="Edictes", exact=True)
    )
    page.get_by_role("row", name=TITLE).get_by_role("checkbox").check()
    page.get_by_label("Acció:").select_option(label="Enviar a aprovació")
    browse.click_and_wait(page.get_by_role("button", name="Anar"))
    expect(page.locator(".messagelist")).to_contain_text("enviat a aprovació")
    edict.refresh_from_db()
    assert edict.state == Edict.State.AWAITING_APPROVAL
    browse.click_and_wait(page.get_by_role("button", name="Finalitzar sessió"))

    # The approver opens it and publishes it now.
    log_in(browse, approver)
    browse.goto(f"/gestio/tauler/edict/{edict.pk}/change/", axe=FORM_PAGE)
    reports_delivered(browse)
    browse.click_and_wait(page.get_by_role("link", name="Publicar o programar"))
    browse.click_and_wait(page.get_by_role("button", name="Publicar"), axe=FORM_PAGE)
    reports_delivered(browse)
    assert path_of(page.url) == f"/gestio/tauler/edict/{edict.pk}/change/"  # back to the form
    edict.refresh_from_db()
    assert edict.state == Edict.State.PUBLISHED
    expect(page.locator(".messagelist .success")).to_contain_text(
        f"Edicte publicat: {edict.reference}."
    )
    browse.click_and_wait(page.get_by_role("button", name="Finalitzar sessió"))

    # Anyone sees it on the board, with its document.
    browse.goto("/tauler/")
    expect(page.locator("#edictes")).to_contain_text(TITLE)
    browse.click_and_wait(page.get_by_role("link", name=TITLE))
    assert path_of(page.url) == f"/tauler/{edict.year}/{edict.number}/"
    expect(page.locator("#documents")).to_contain_text("pla-parcial.pdf")

    # On the exempted form pages, axe found nothing but its own <style> blocked by the CSP.
    assert not [found for found in browse.exempted if "Content Security Policy" not in found]
