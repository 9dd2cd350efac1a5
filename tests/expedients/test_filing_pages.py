"""A citizen files a procedure through its pages (art. 24.1, 33): the form at the procedure's
identification level, messages that keep everything typed, the review, and the confirmation
that files the entry and opens the case file once."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from expedients.models import Expedient, Procedure, ProcedureDraft
from registre.models import RegistryEntry
from seu.models import LoA
from tests.actors import CITIZEN, ENTITY, REPRESENTATIVE, Actor, person_actor
from tests.support.expedients import make_procedure
from tests.support.files import make_pdf, make_png
from tests.support.filing import page_text

pytestmark = pytest.mark.django_db

FILL = reverse("expedients:fill", args=["OBRA"])
REVIEW = reverse("expedients:review", args=["OBRA"])
CONFIRM = reverse("expedients:confirm", args=["OBRA"])
SESSION_KEY = "expedients_draft:OBRA"

# The form of tests.support.expedients.FORM as a person fills it, the budget declared instead of
# attached (art. 28.2).
TYPED: dict[str, Any] = {
    "titular_nif": "12345678Z",
    "adreca_obra": "Carrer Major, 1, Sant Llorenç des Cardassar",
    "referencia_cadastral": "",
    "pressupost": "1.200,50",
    "inici": "2026-06-01",
    "tipus": "facana",
    "pressupost_doc__declared": "on",
    "compliment": "on",
    "contact_email": "maria@exemple.cat",
    "contact_phone": "",
    "contact_postal_address": "",
}


@pytest.fixture
def procedure(town_hall, organ) -> Procedure:
    return make_procedure(organ)


@pytest.fixture
def maria(town_hall) -> Actor:
    return person_actor("citizen", CITIZEN)


def _fill(**changes: Any) -> dict[str, Any]:
    data = {**TYPED, **changes}
    return {key: value for key, value in data.items() if value is not None}


def _draft(client: Client) -> ProcedureDraft:
    return ProcedureDraft.objects.get(public_id=client.session[SESSION_KEY])


def test_an_anonymous_visitor_is_sent_to_identify_at_the_procedures_level(
    client: Client, procedure
) -> None:
    response = client.get(FILL)
    assert response.status_code == 302
    assert response["Location"] == f"/identificacio/?next={quote(FILL, safe='')}&nivell=substantial"
    assert client.post(FILL, _fill()).status_code == 302
    assert client.post(CONFIRM, {"draft": "x"}).status_code == 302
    assert not ProcedureDraft.objects.exists()


def test_an_identification_below_the_procedures_level_is_sent_to_identify_again(
    procedure,
) -> None:
    low = person_actor("citizen", CITIZEN, loa=LoA.LOW)
    response = low.client.get(FILL)
    assert response.status_code == 302
    assert response["Location"].startswith("/identificacio/?next=")
    assert "nivell=substantial" in response["Location"]
    assert low.client.post(FILL, _fill()).status_code == 302
    assert not ProcedureDraft.objects.exists()


def test_the_form_shows_each_field_and_offers_the_persons_contact(maria: Actor, procedure) -> None:
    assert maria.identification is not None
    person = maria.identification.person
    type(person).objects.filter(pk=person.pk).update(email="maria@exemple.cat", phone="600111222")
    response = maria.client.get(FILL)
    text = page_text(response)

    assert response.status_code == 200
    for expected in (
        '<label class="govuk-label govuk-label--s" for="camp-titular_nif">NIF del titular</label>',
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Tipus d\'obra</legend>',
        'id="camp-tipus-1" name="tipus" type="radio" value="interior"',
        'name="pressupost_doc" type="file" accept=".pdf"',
        'name="pressupost_doc__declared" type="checkbox"',
        "Declar sota la meva responsabilitat que l'obra compleix la normativa.",
        'value="maria@exemple.cat"',
        'value="600111222"',
        'enctype="multipart/form-data"',
    ):
        assert expected in text, expected
    assert "govuk-error-summary" not in text


def test_a_wrong_nif_is_shown_with_its_message_and_every_other_answer_kept(
    maria: Actor, procedure
) -> None:
    response = maria.client.post(FILL, _fill(titular_nif="12345678A"))
    text = page_text(response)

    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in text and 'href="#camp-titular_nif"' in text
    assert 'aria-describedby="camp-titular_nif-error"' in text
    assert 'id="camp-titular_nif-error"' in text
    assert 'value="12345678A"' in text  # the wrong value too, to correct it
    assert 'value="1.200,50"' in text and 'value="2026-06-01"' in text
    assert "Carrer Major, 1, Sant Llorenç des Cardassar</textarea>" in text
    assert 'value="facana" checked' in text
    assert 'name="pressupost_doc__declared" type="checkbox" value="on" checked' in text
    assert 'name="compliment" type="checkbox" value="on" checked' in text
    assert 'value="maria@exemple.cat"' in text
    assert _draft(maria.client).data["titular_nif"] == "12345678A"

    fixed = maria.client.post(FILL, _fill())
    assert fixed.status_code == 302 and fixed["Location"] == REVIEW


def test_a_png_where_a_pdf_is_asked_names_the_allowed_types_and_keeps_the_answers(
    maria: Actor, procedure
) -> None:
    png = SimpleUploadedFile("pressupost.png", make_png(), content_type="image/png")
    response = maria.client.post(
        FILL, _fill(pressupost_doc__declared=None, pressupost_doc=png, titular_nif="00000000T")
    )
    text = page_text(response)

    assert response.status_code == 400
    assert "«pressupost.png» és PNG, i aquí només s'admet: PDF." in text
    assert 'href="#camp-pressupost_doc"' in text
    assert "Aquest camp és obligatori" not in text.split('id="camp-pressupost_doc-error"')[1][:300]
    assert 'value="00000000T"' in text and 'value="1.200,50"' in text
    assert "pressupost_doc" not in _draft(maria.client).data


def test_a_missing_required_document_without_its_declaration_is_asked_for(
    maria: Actor, procedure
) -> None:
    response = maria.client.post(FILL, _fill(pressupost_doc__declared=None))
    text = page_text(response)

    assert response.status_code == 400
    assert "Adjuntau aquest document o marcau la declaració responsable que el substitueix." in (
        text
    )
    assert 'href="#camp-pressupost_doc"' in text and 'value="12345678Z"' in text


def test_an_accepted_file_is_kept_across_an_error_and_can_be_removed(
    maria: Actor, procedure
) -> None:
    pdf = SimpleUploadedFile("pressupost.pdf", make_pdf(), content_type="application/pdf")
    response = maria.client.post(
        FILL, _fill(pressupost_doc__declared=None, pressupost_doc=pdf, pressupost="molt")
    )
    text = page_text(response)
    kept = _draft(maria.client).data["pressupost_doc"]

    assert response.status_code == 400
    assert "Ja adjuntat: «pressupost.pdf»" in text
    assert f'name="remove" type="checkbox" value="{kept["sha256"]}"' in text

    # Corrected without sending the file again: it is still there, and the review lists it.
    assert maria.client.post(FILL, _fill(pressupost_doc__declared=None)).status_code == 302
    review = page_text(maria.client.get(REVIEW))
    assert "pressupost.pdf" in review and kept["sha256"] in review

    removed = maria.client.post(FILL, _fill(pressupost_doc__declared=None, remove=kept["sha256"]))
    assert removed.status_code == 400
    assert "pressupost_doc" not in _draft(maria.client).data


def test_a_legal_person_is_told_a_procedure_is_for_natural_persons_only(town_hall, organ) -> None:
    make_procedure(organ, filers=Procedure.Filers.NATURAL)
    entity = person_actor("representative", REPRESENTATIVE, represented_entity=ENTITY)

    shown = entity.client.get(FILL)
    sent = entity.client.post(FILL, _fill())

    for response in (shown, sent):
        assert response.status_code == 400
        assert "Aquest tràmit només el poden iniciar persones físiques." in page_text(response)
    assert not ProcedureDraft.objects.exists()


def test_filing_through_the_pages_files_one_entry_and_opens_one_case(
    maria: Actor, procedure
) -> None:
    assert maria.client.post(FILL, _fill())["Location"] == REVIEW
    review = maria.client.get(REVIEW)
    text = page_text(review)
    for expected in (
        "NIF del titular",
        "12345678Z",
        "Façana",
        "1200,5",
        "Substituït per declaració responsable (art. 28.2)",
        "maria@exemple.cat",
        "Presentar",
        f'href="{FILL}"',  # "Modificar"
        'name="notification_channel"',  # the apps above ask on the confirmation
    ):
        assert expected in text, expected
    assert not RegistryEntry.objects.exists()

    draft = str(_draft(maria.client).public_id)
    response = maria.client.post(CONFIRM, {"draft": draft})
    case = Expedient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("expedients:case", args=[case.pk]) + "?presentat=1"
    entry = RegistryEntry.objects.get()
    assert case.opening_entry == entry and entry.receipt is not None
    assert case.answers["tipus"] == "facana" and case.answers["pressupost"] == "1200.5"
    assert case.interested.nif == CITIZEN.nif
    assert SESSION_KEY not in maria.client.session

    again = maria.client.post(CONFIRM, {"draft": draft})
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert RegistryEntry.objects.count() == 1 and Expedient.objects.count() == 1


def test_a_refused_answer_on_the_confirmation_shows_the_review_again(
    maria: Actor, procedure
) -> None:
    maria.client.post(FILL, _fill())
    draft = str(_draft(maria.client).public_id)
    response = maria.client.post(
        CONFIRM, {"draft": draft, "notification_question": "consent"}
    )  # the question asked, not answered

    assert response.status_code == 400
    assert "Triau com voleu rebre les notificacions." in page_text(response)
    assert not RegistryEntry.objects.exists() and not Expedient.objects.exists()


def test_a_failure_while_filing_says_nothing_was_registered(
    maria: Actor, procedure, monkeypatch
) -> None:
    from expedients import services

    def broken(**kwargs: Any) -> None:
        raise OSError("storage down")

    monkeypatch.setattr(services.registry, "register_entry", broken)
    maria.client.post(FILL, _fill())
    draft = str(_draft(maria.client).public_id)
    response = maria.client.post(CONFIRM, {"draft": draft})

    assert response.status_code == 503
    assert "NO s'ha registrat res" in page_text(response)
    assert not RegistryEntry.objects.exists() and not Expedient.objects.exists()
    assert ProcedureDraft.objects.filter(entry__isnull=True).count() == 1


def test_someone_elses_draft_cannot_be_confirmed(maria: Actor, procedure) -> None:
    maria.client.post(FILL, _fill())
    draft = str(_draft(maria.client).public_id)
    other = person_actor("another citizen", REPRESENTATIVE)
    assert other.client.post(CONFIRM, {"draft": draft}).status_code == 404
    assert other.client.post(CONFIRM, {"draft": "not-a-uuid"}).status_code == 404
    assert not RegistryEntry.objects.exists()


def test_the_form_in_spanish_speaks_spanish(maria: Actor, procedure) -> None:
    url = f"/es{FILL}"
    shown = page_text(maria.client.get(url))
    refused = page_text(maria.client.post(url, _fill(adreca_obra="")))

    assert '<html lang="es"' in shown
    assert "NIF del titular" in shown and "Dirección de la obra" in shown
    assert "Tipo de obra" in shown and "Fachada" in shown
    assert "Continuar y revisar" in shown and "Datos de contacto (opcionales)" in shown
    assert "corrija solo lo que se indica" in refused and "Este campo es requerido." in refused
    assert "Adreça de l'obra" not in refused
