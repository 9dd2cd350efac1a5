"""A procedure's draft between the form and the confirmation (``services.save_procedure_draft``):
what the person typed is kept even when something is wrong, each file is checked once (its type
and size for the field, and the registry's rules: content, not name) and kept, and a draft that
is not valid files nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from expedients import formdef, services
from expedients.models import Expedient, Procedure, ProcedureDraft
from registre.models import RegistryEntry
from seu import people
from seu.models import Identification
from tests import actors
from tests.support.expedients import make_procedure
from tests.support.files import OPEN_ACTION_JAVASCRIPT_PDF, make_pdf, make_png

pytestmark = pytest.mark.django_db

DOCUMENT = "pressupost_doc"  # FORM's file: PDF only, at most 5 MB, replaceable (art. 28.2)
DECLARED = formdef.declared_key(DOCUMENT)

# FORM as a person types it, without its document.
TYPED = {
    "titular_nif": "12345678Z",
    "adreca_obra": "Carrer Major, 1, Sant Llorenç des Cardassar",
    "pressupost": "1.200,50",
    "tipus": "interior",
    "compliment": "on",
}


@pytest.fixture
def identification(town_hall: Any) -> Identification:
    found = actors.person_actor("citizen", actors.CITIZEN).identification
    assert found is not None
    return found


@pytest.fixture
def procedure(organ: Any) -> Procedure:
    return make_procedure(organ)


def _save(
    identification: Identification,
    procedure: Procedure,
    data: dict[str, Any],
    files: dict[str, tuple[str, bytes]] | None = None,
    *,
    draft: ProcedureDraft | None = None,
    language: str = "ca",
) -> services.DraftResult:
    sent = MultiValueDict(
        {key: value if isinstance(value, list) else [value] for key, value in data.items()}
    )
    return services.save_procedure_draft(
        identification=identification,
        procedure=procedure,
        draft=draft,
        data=sent,
        files={
            key: SimpleUploadedFile(name, content) for key, (name, content) in (files or {}).items()
        },
        contact=people.ContactDetails(email="maria@exemple.cat"),
        language=language,
    )


def _messages(result: services.DraftResult, key: str) -> list[str]:
    return [str(message) for message in result.form.errors.get(key, [])]


def test_a_file_of_a_type_the_field_does_not_allow_is_refused_naming_the_allowed_ones(
    identification, procedure
) -> None:
    result = _save(identification, procedure, TYPED, {DOCUMENT: ("pressupost.png", make_png())})
    assert not result.is_valid
    assert _messages(result, DOCUMENT) == ["«pressupost.png» és PNG, i aquí només s'admet: PDF."]
    # What was typed is kept for the next attempt, and nothing else is wrong.
    saved = ProcedureDraft.objects.get(pk=result.draft.pk)
    assert {key: saved.data[key] for key in TYPED} == {**TYPED, "compliment": True}
    assert DOCUMENT not in saved.data
    assert set(result.form.errors) == {DOCUMENT}


def test_a_file_over_the_fields_size_is_refused(identification, procedure) -> None:
    big = make_pdf() + b"%" * (6 * 1024 * 1024)  # the field allows 5 MB, the registry 10
    result = _save(identification, procedure, TYPED, {DOCUMENT: ("pressupost.pdf", big)})
    assert not result.is_valid
    (message,) = _messages(result, DOCUMENT)
    assert (
        message == "«pressupost.pdf» ocupa 6,0\xa0MB i supera el límit de 5,0\xa0MB per document."
    )
    assert DOCUMENT not in ProcedureDraft.objects.get(pk=result.draft.pk).data


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (make_png(), "«pressupost.pdf» és PNG, i aquí només s'admet: PDF."),
        (b"Hola, aixo no es cap PDF.\n" * 20, "«pressupost.pdf» no és d'un format admès."),
        (OPEN_ACTION_JAVASCRIPT_PDF, "El fitxer «pressupost.pdf» conté codi executable"),
    ],
    ids=["an image named .pdf", "text named .pdf", "a pdf with javascript"],
)
def test_a_forged_or_active_file_is_refused_with_the_reason(
    identification, procedure, content: bytes, expected: str
) -> None:
    result = _save(identification, procedure, TYPED, {DOCUMENT: ("pressupost.pdf", content)})
    assert not result.is_valid
    (message,) = _messages(result, DOCUMENT)
    assert message.startswith(expected), message
    assert DOCUMENT not in ProcedureDraft.objects.get(pk=result.draft.pk).data


def test_a_file_accepted_once_is_kept_without_sending_it_again_and_remove_drops_it(
    identification, procedure
) -> None:
    pdf = make_pdf("Pressupost detallat")
    first = _save(
        identification,
        procedure,
        {**TYPED, "titular_nif": "12345678A"},
        {DOCUMENT: ("pressupost.pdf", pdf)},
    )
    assert not first.is_valid and set(first.form.errors) == {"titular_nif"}
    stored = first.draft.data[DOCUMENT]
    assert stored["name"] == "pressupost.pdf" and stored["content_type"] == "application/pdf"

    second = _save(identification, procedure, TYPED, draft=first.draft)  # no file sent
    assert second.is_valid, second.form.errors
    assert second.draft.pk == first.draft.pk
    assert ProcedureDraft.objects.get(pk=first.draft.pk).data[DOCUMENT] == stored
    assert services.draft_answers(second.draft)[DOCUMENT]["sha256"] == stored["sha256"]

    third = _save(
        identification, procedure, {**TYPED, "remove": [stored["sha256"]]}, draft=second.draft
    )
    assert not third.is_valid
    assert DOCUMENT not in ProcedureDraft.objects.get(pk=first.draft.pk).data
    assert _messages(third, DOCUMENT) == [
        "Adjuntau aquest document o marcau la declaració responsable que el substitueix."
    ]


def test_a_required_document_may_be_replaced_by_the_responsible_declaration(
    identification, procedure
) -> None:
    missing = _save(identification, procedure, TYPED)
    assert not missing.is_valid
    assert _messages(missing, DOCUMENT) == [
        "Adjuntau aquest document o marcau la declaració responsable que el substitueix."
    ]

    declared = _save(identification, procedure, {**TYPED, DECLARED: "on"}, draft=missing.draft)
    assert declared.is_valid, declared.form.errors
    assert ProcedureDraft.objects.get(pk=missing.draft.pk).data[DOCUMENT] == {"declared": True}
    assert services.draft_answers(declared.draft)[DOCUMENT] == {"declared": True}


def test_the_form_shown_again_in_spanish_keeps_what_was_typed(identification, procedure) -> None:
    with translation.override("es"):  # as a request under /es/ has it
        result = _save(
            identification,
            procedure,
            {**TYPED, "titular_nif": "12345678A", "tipus": ""},
            language="es",
        )
        assert not result.is_valid
        assert _messages(result, "titular_nif") == [
            "El NIF, NIE o CIF «12345678A» no es válido: revise las cifras y la letra."
        ]
        assert _messages(result, "tipus") == ["Este campo es requerido."]
    assert result.form["titular_nif"].value() == "12345678A"
    assert result.form["adreca_obra"].value() == TYPED["adreca_obra"]
    assert result.form.fields["adreca_obra"].label == "Dirección de la obra"


def test_filing_a_draft_that_is_not_valid_registers_nothing_and_says_what_is_wrong(
    identification, procedure
) -> None:
    # The person sent the form with mistakes and went to the confirmation all the same.
    result = _save(
        identification,
        procedure,
        {**TYPED, "titular_nif": "12345678A", "pressupost": "molt", DECLARED: "on"},
    )
    assert not result.is_valid
    with pytest.raises(services.IncompleteProcedure) as raised:
        services.file_procedure(
            identification=identification,
            public_id=result.draft.public_id,
            presented_at=result.draft.updated_at,
            language="ca",
        )
    assert raised.value.errors == {
        "titular_nif": [
            "El NIF, NIE o CIF «12345678A» no és vàlid: revisau les xifres i la lletra."
        ],
        "pressupost": ["Introduïu un número."],
    }
    assert not RegistryEntry.objects.exists()
    assert not Expedient.objects.exists()
    assert ProcedureDraft.objects.get(pk=result.draft.pk).entry_id is None
