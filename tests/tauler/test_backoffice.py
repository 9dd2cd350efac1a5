"""The board's back-office as staff use it: the admin's own add and change forms, posted with
everything the browser sends (the inlines' management fields included)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lxml import html

from tauler.models import Edict
from tests.conftest import log_in_to_back_office
from tests.support.files import OPEN_ACTION_JAVASCRIPT_PDF, encrypted_pdf, truncated

pytestmark = pytest.mark.django_db

ADD = "/gestio/tauler/edict/add/"


@pytest.fixture
def board_clerk(clerk: Any) -> Any:
    """A clerk of the board: every permission of the ``tauler`` app but approving, so the edict's
    form shows its inlines (documents, transitions, incidents) as it does in the office."""
    clerk.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="tauler").exclude(
            codename="publish_edict"
        )
    )
    return clerk


def admin_form(client: Client, url: str) -> dict[str, Any]:
    """What the browser would send for the admin form at ``url`` as it is shown (hidden fields,
    the inlines' management forms, selected options), before the person fills anything in."""
    page = client.get(url)
    assert page.status_code == 200
    form = html.fromstring(page.content.decode()).get_element_by_id("edict_form")
    return {name: value for name, value in form.form_values() if name != "new_document"}


def filled(client: Client, url: str, organ: Any, **extra: Any) -> dict[str, Any]:
    data = admin_form(client, url)
    assert "attachments-TOTAL_FORMS" in data  # the inlines are there, as for staff in the office
    data.update(
        title="Aprovació inicial del pla parcial Sa Coma",
        category="urbanisme",
        organ=str(organ.pk),
        text="S'exposa al públic l'aprovació inicial.",
        period_kind="calendar_days",
        period_days="20",
        **extra,
    )
    return data


@pytest.mark.parametrize("button", ["_save", "_continue"])
def test_staff_create_an_edict_with_its_pdf_through_the_admin_form(
    client: Client,
    board_clerk: Any,
    organ: Any,
    pdf_bytes: Callable[[str], bytes],
    button: str,
) -> None:
    log_in_to_back_office(client, board_clerk)
    upload = SimpleUploadedFile("annex.pdf", pdf_bytes("Annex"), "application/pdf")
    data = filled(client, ADD, organ, new_document=upload, **{button: "Desa"})

    response = client.post(ADD, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    edict = Edict.objects.get()
    assert edict.state == Edict.State.DRAFT
    assert edict.title == "Aprovació inicial del pla parcial Sa Coma"
    assert edict.created_by == board_clerk
    assert [a.name for a in edict.attachments.all()] == ["annex.pdf"]
    assert edict.transitions.get().to_state == Edict.State.DRAFT
    shown = client.get(response["Location"])
    assert "afegit amb èxit" in shown.content.decode()


def test_staff_add_a_second_pdf_to_a_draft_through_the_change_form(
    client: Client,
    board_clerk: Any,
    organ: Any,
    pdf_bytes: Callable[[str], bytes],
) -> None:
    log_in_to_back_office(client, board_clerk)
    first = SimpleUploadedFile("annex.pdf", pdf_bytes("Annex"), "application/pdf")
    client.post(ADD, filled(client, ADD, organ, new_document=first, _continue="Desa"))
    edict = Edict.objects.get()
    change = f"/gestio/tauler/edict/{edict.pk}/change/"

    second = SimpleUploadedFile("plànol.pdf", pdf_bytes("Plànol"), "application/pdf")
    data = admin_form(client, change)
    data.update(title="Aprovació inicial (esmenada)", new_document=second, _save="Desa")
    response = client.post(change, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    edict.refresh_from_db()
    assert edict.title == "Aprovació inicial (esmenada)"
    assert [a.name for a in edict.attachments.order_by("position")] == ["annex.pdf", "plànol.pdf"]


def test_an_edict_without_its_pdf_is_refused_in_catalan_and_what_was_typed_is_kept(
    client: Client, board_clerk: Any, organ: Any
) -> None:
    log_in_to_back_office(client, board_clerk)

    response = client.post(ADD, filled(client, ADD, organ, _save="Desa"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct" not in page
    assert "Corregiu l'error de sota." in page
    assert "cap document adjunt" in page
    assert "Aprovació inicial del pla parcial Sa Coma" in page
    assert not Edict.objects.exists()


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (
            lambda pdf: encrypted_pdf(pdf, password="secret"),
            "«annex.pdf» està protegit amb contrasenya i l'Ajuntament no el podria obrir. "
            "Adjuntau-lo sense contrasenya.",
        ),
        (truncated, "«annex.pdf» està malmès o incomplet: no es pot llegir com a PDF."),
        (
            lambda pdf: OPEN_ACTION_JAVASCRIPT_PDF,
            "El fitxer «annex.pdf» conté codi executable (JavaScript)",
        ),
    ],
    ids=["encrypted", "truncated", "javascript"],
)
def test_the_add_form_refuses_an_encrypted_truncated_or_scripted_pdf_keeping_what_was_typed(
    client: Client,
    board_clerk: Any,
    organ: Any,
    pdf_bytes: Callable[[str], bytes],
    spoil: Callable[[bytes], bytes],
    message: str,
) -> None:
    log_in_to_back_office(client, board_clerk)
    upload = SimpleUploadedFile("annex.pdf", spoil(pdf_bytes("Annex")), "application/pdf")

    response = client.post(ADD, filled(client, ADD, organ, new_document=upload, _save="Desa"))

    assert response.status_code == 200
    page = html.fromstring(response.content.decode())
    errors = " ".join(page.xpath("//ul[contains(@class, 'errorlist')]//text()"))
    assert message in errors
    assert page.get_element_by_id("id_title").value == "Aprovació inicial del pla parcial Sa Coma"
    assert not Edict.objects.exists()


def test_a_refusal_of_the_boards_services_is_shown_on_the_form_with_what_was_typed(
    client: Client,
    board_clerk: Any,
    organ: Any,
    pdf_bytes: Callable[[str], bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A race the form cannot see (the draft sent for approval meanwhile): the service refuses,
    nothing changes, and the page says why on the form instead of dropping what was typed."""
    from tauler import services

    log_in_to_back_office(client, board_clerk)
    first = SimpleUploadedFile("annex.pdf", pdf_bytes("Annex"), "application/pdf")
    client.post(ADD, filled(client, ADD, organ, new_document=first, _continue="Desa"))
    edict = Edict.objects.get()
    change = f"/gestio/tauler/edict/{edict.pk}/change/"

    def sent_meanwhile(**kwargs: Any) -> None:
        raise services.NotAllowed("Aquest edicte ja s'ha enviat a aprovar.")

    monkeypatch.setattr(services, "update_draft", sent_meanwhile)
    data = admin_form(client, change)
    data.update(title="Títol que la persona acaba d'escriure", _save="Desa")
    response = client.post(change, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Aquest edicte ja s&#x27;ha enviat a aprovar." in page
    assert "Títol que la persona acaba d&#x27;escriure" in page
    edict.refresh_from_db()
    assert edict.title == "Aprovació inicial del pla parcial Sa Coma"
