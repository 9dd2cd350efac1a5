"""A request presented on paper at the office is one use case
(``registre.services.register_in_person_entry``): the scans pass the electronic registry's checks,
the persons are recorded, the entry is numbered and its receipt sealed, in one transaction, or
nothing is kept; the back-office only parses its form and shows the service's refusal on it."""

from __future__ import annotations

import hashlib
import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Blob
from registre import inputs, services
from registre.models import RegistryCounter, RegistryEntry
from seu.identity import PersonData
from seu.models import Organ
from tests import actors
from tests.support.files import encrypted_pdf, make_pdf

pytestmark = pytest.mark.django_db

clerk = actors.clerk

IN_PERSON = reverse("admin:registre_registryentry_in_person")
MARIA = PersonData(nif="12345678Z", given_name="Maria", surnames="Garcia Ferrer")
ENTITY = PersonData(nif="B12345674", legal_name="SERVEIS DEL LLEVANT SL")
GOOD_SCAN = make_pdf("Sol·licitud presentada a l'oficina")
HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
LOCKED_PDF = encrypted_pdf(make_pdf("Confidencial"), password="secret")


def scan(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def register_paper(organ: Organ, acting_user: Any, **overrides: Any) -> RegistryEntry:
    arguments: dict[str, Any] = {
        "organ": organ,
        "subject": "Sol·licitud de certificat d'empadronament",
        "exposition": "Que necessit el certificat per a un tràmit bancari.",
        "request": "Que se m'expedeixi.",
        "interested": ENTITY,
        "representative": MARIA,
        "scans": [scan("sol·licitud.pdf", GOOD_SCAN)],
        "acting_user": acting_user,
    }
    arguments.update(overrides)
    return services.register_in_person_entry(**arguments)


def nothing_kept() -> bool:
    return (
        not RegistryEntry.objects.exists()
        and not RegistryCounter.objects.filter(last_number__gt=0).exists()
        and not Blob.objects.filter(sha256=hashlib.sha256(GOOD_SCAN).hexdigest()).exists()
    )


def form_data(organ: Organ, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "nif": "12345678z",
        "given_name": "Maria",
        "surnames": "Garcia Ferrer",
        "organ": organ.pk,
        "subject": "Sol·licitud de certificat d'empadronament",
        "exposition": "Que necessit el certificat per a un tràmit bancari.",
        "request": "Que se m'expedeixi.",
        "language": "ca",
        "scans": [scan("sol·licitud.pdf", GOOD_SCAN)],
    }
    data.update(overrides)
    return data


# --- The service ---------------------------------------------------------------------------------


def test_a_paper_entry_gets_its_number_receipt_parties_and_scans(
    clerk: actors.Actor, town_hall: Any, organ: Organ
) -> None:
    entry = register_paper(organ, clerk.user)

    assert entry.number == f"E/{entry.year}/000001"
    assert entry.channel == RegistryEntry.Channel.IN_PERSON
    assert entry.created_by == clerk.user
    assert entry.receipt is not None
    assert entry.receipt.current_version().blob.read().startswith(b"%PDF")
    interested, representative = entry.interested_party, entry.representative_party
    assert interested is not None and interested.nif == "B12345674"
    assert interested.display_name == "SERVEIS DEL LLEVANT SL"
    assert representative is not None and representative.nif == "12345678Z"
    attachment = entry.attachments.get()
    assert attachment.name == "sol·licitud.pdf"
    assert attachment.sha256 == hashlib.sha256(GOOD_SCAN).hexdigest()


@pytest.mark.parametrize(
    ("forged", "refusal"),
    [
        (scan("escrit.pdf", HTML_AS_PDF), "«escrit.pdf» no és d'un format admès"),
        (scan("tancat.pdf", LOCKED_PDF), "«tancat.pdf» està protegit amb contrasenya"),
    ],
)
def test_a_forged_scan_leaves_nothing_registered_or_stored(
    clerk: actors.Actor, town_hall: Any, organ: Organ, forged: Any, refusal: str
) -> None:
    with pytest.raises(inputs.InvalidEntry) as refused:
        register_paper(organ, clerk.user, scans=[scan("sol·licitud.pdf", GOOD_SCAN), forged])

    assert list(refused.value.errors) == ["attachments"]
    assert refusal in refused.value.errors["attachments"][0]
    assert nothing_kept()


def test_the_text_is_checked_before_any_scan_is_read_or_stored(
    clerk: actors.Actor, town_hall: Any, organ: Organ
) -> None:
    with pytest.raises(inputs.InvalidEntry) as refused:
        register_paper(organ, clerk.user, subject="A" * 301)

    assert list(refused.value.errors) == ["subject"]
    assert nothing_kept()


# --- The back-office: parse, call the service, show its refusal --------------------------------


def test_the_back_office_shows_the_refused_scans_on_the_form_in_catalan(
    clerk: actors.Actor, town_hall: Any, organ: Organ
) -> None:
    """The same checks as the web's and the API's, the same content twice included (which the
    back-office's own copy of them let through)."""
    data = form_data(
        organ,
        scans=[
            scan("sol·licitud.pdf", GOOD_SCAN),
            scan("x.pdf", HTML_AS_PDF),
            scan("còpia.pdf", GOOD_SCAN),
        ],
    )

    response = clerk.client.post(IN_PERSON, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["scans"]
    assert "«x.pdf» no és d'un format admès" in errors["scans"][0]
    assert "«còpia.pdf» ja està adjuntat" in errors["scans"][1]
    page = text_of(response)
    assert "Revisau les dades marcades" in page
    assert "Que necessit el certificat per a un tràmit bancari." in page  # what was typed
    assert nothing_kept()
