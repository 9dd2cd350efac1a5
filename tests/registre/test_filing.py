"""A citizen files a generic request (art. 33): form, review, confirmation, receipt; and "La meva
carpeta", which shows a person their own entries and nobody else's."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connections
from django.test import Client
from django.urls import reverse

from documents import rendering
from documents import services as documents
from registre import services
from registre.models import EntryAttachment, FilingDraft, RegistryEntry
from seu import calendar
from seu.models import Identification, Interruption, LoA
from tests.actors import ANOTHER_CITIZEN, ENTITY
from tests.factories import OrganFactory
from tests.support.files import make_pdf, make_png
from tests.support.filing import (
    CONFIRM_URL,
    FILE_URL,
    FOLDER_URL,
    REVIEW_URL,
    draft_of,
    file_and_confirm,
    fill,
    log_in,
    page_text,
)

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


def _upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def citizen(client: Client, town_hall, organ) -> Client:
    log_in(client)
    return client


@pytest.fixture
def another_citizen(town_hall) -> Client:
    other = Client()
    log_in(other, ANOTHER_CITIZEN)
    return other


# --- The journey ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [FILE_URL, FOLDER_URL, "/carpeta/registre/1/"])
def test_an_anonymous_visitor_is_sent_to_identify_first(client: Client, town_hall, url) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/identificacio/?next={url.replace('/', '%2F')}"


def test_the_form_offers_active_organs_and_shows_the_limits(citizen: Client, organ) -> None:
    OrganFactory(code="antic", name="Òrgan suprimit", is_active=False)
    text = page_text(citizen.get(FILE_URL))
    assert "Secretaria" in text and "Òrgan suprimit" not in text
    assert "Podeu adjuntar fins a 10 documents, de 10,0 MB com a màxim cadascun" in text
    assert "25,0 MB en total" in text
    assert 'type="file" multiple' in text and 'enctype="multipart/form-data"' in text


@pytest.mark.usefixtures("on_a_working_day")
def test_a_citizen_files_with_attachments_reviews_confirms_and_gets_the_receipt_at_once(
    citizen: Client, organ
) -> None:
    pdf, png = make_pdf(), make_png()
    response = citizen.post(
        FILE_URL,
        {
            **fill(organ),
            "attachments": [
                _upload("sol·licitud.pdf", pdf, "application/pdf"),
                _upload("plànol.png", png, "image/png"),
            ],
        },
    )
    assert response.status_code == 302 and response["Location"] == REVIEW_URL
    assert not RegistryEntry.objects.exists()  # nothing is registered before the confirmation

    review = page_text(citizen.get(REVIEW_URL))
    for expected in (
        "Secretaria",
        "Llicència de gual al carrer Major",
        "Que tenc un garatge al carrer Major, 1.",
        "Que se'm concedeixi la llicència de gual.",
        "sol·licitud.pdf",
        "plànol.png",
        f"{len(pdf)} bytes",
        documents.sealing.sha256_hex(pdf),
        documents.sealing.sha256_hex(png),
        "PNG",
        "Confirmar i presentar",
        "Modificar",
    ):
        assert expected in review, expected

    response = citizen.post(CONFIRM_URL, {"draft": str(draft_of(citizen).public_id)})
    entry = RegistryEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registre:filed", args=[entry.pk])
    assert entry.number == f"E/{entry.year}/000001"
    assert entry.channel == RegistryEntry.Channel.ELECTRONIC
    assert entry.interested is not None and entry.interested.nif == "12345678Z"
    assert entry.representative is None
    assert entry.identification == Identification.objects.get()
    assert entry.language == "ca"
    assert [(a.name, a.format_label, a.sha256) for a in entry.attachments.all()] == [
        ("sol·licitud.pdf", "PDF", documents.sealing.sha256_hex(pdf)),
        ("plànol.png", "PNG", documents.sealing.sha256_hex(png)),
    ]
    assert entry.receipt is not None

    filed = page_text(citizen.get(response["Location"]))
    assert "Sol·licitud registrada" in filed and entry.number in filed
    assert calendar.format_instant(entry.presented_at) in filed
    assert "Data i hora d'entrada" not in filed  # a single instant unless it counts later
    assert f'href="/verificar/{entry.receipt.csv}/"' in filed
    receipt_url = reverse("registre:receipt", args=[entry.pk])
    assert f'href="{receipt_url}"' in filed

    download = citizen.get(receipt_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="rebut-{entry.number.replace("/", "-")}.pdf"'
    )
    assert download.content == entry.receipt.current_version().blob.read()
    assert download.content.startswith(b"%PDF-")

    folder = page_text(citizen.get(FOLDER_URL))
    assert entry.number in folder and receipt_url in folder
    assert not FilingDraft.objects.filter(entry__isnull=True).exists()


def test_modify_goes_back_with_everything_typed_and_the_files_attached(
    citizen: Client, organ
) -> None:
    pdf, png = make_pdf(), make_png()
    citizen.post(
        FILE_URL,
        {
            **fill(organ, subject="Primer assumpte"),
            "attachments": [_upload("a.pdf", pdf, "application/pdf")],
        },
    )
    form = page_text(citizen.get(FILE_URL))  # the "Modificar" link
    assert 'value="Primer assumpte"' in form
    assert "Que tenc un garatge al carrer Major, 1.</textarea>" in form
    assert f'<option value="{organ.pk}" selected>' in form
    assert "Documents ja adjuntats" in form and "Treure «a.pdf» (PDF" in form

    # Add a file, remove the first, change the subject: the review shows exactly that.
    response = citizen.post(
        FILE_URL,
        {
            **fill(organ, subject="Assumpte corregit"),
            "remove": [documents.sealing.sha256_hex(pdf)],
            "attachments": [_upload("b.png", png, "image/png")],
        },
    )
    assert response.status_code == 302
    draft = draft_of(citizen)
    assert draft.subject == "Assumpte corregit"
    assert [item["name"] for item in draft.attachments] == ["b.png"]
    review = page_text(citizen.get(REVIEW_URL))
    assert "Assumpte corregit" in review and "b.png" in review and "a.pdf" not in review


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(citizen: Client, organ) -> None:
    truncated_png = make_png()[:150]
    response = citizen.post(
        FILE_URL,
        {
            **fill(organ, subject=""),
            "attachments": [
                _upload("bo.pdf", make_pdf(), "application/pdf"),
                _upload("trencat.png", truncated_png, "image/png"),
                _upload("virus.pdf", b"MZ\x90\x00" + b"\0" * 100, "application/pdf"),
            ],
        },
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Hi ha un problema" in text
    assert "Escriviu l'assumpte." in text
    assert "«trencat.png» està malmès o incomplet" in text
    assert "«virus.pdf» no és d'un format admès" in text
    # What was typed is still there, and the good file stays attached.
    assert "Que tenc un garatge al carrer Major, 1.</textarea>" in text
    assert f'<option value="{organ.pk}" selected>' in text
    assert "Treure «bo.pdf»" in text
    assert [item["name"] for item in draft_of(citizen).attachments] == ["bo.pdf"]
    assert citizen.get(REVIEW_URL)["Location"] == FILE_URL  # incomplete: no review yet
    assert not RegistryEntry.objects.exists()


def test_a_file_over_the_limit_is_refused_with_the_form_kept(
    citizen: Client, organ, settings
) -> None:
    settings.REGISTRY_MAX_FILE_BYTES = 2048
    big = make_png(600, 600)
    assert len(big) > 2048
    response = citizen.post(
        FILE_URL, {**fill(organ), "attachments": [_upload("gran.png", big, "")]}
    )
    text = page_text(response)
    assert response.status_code == 400
    assert "«gran.png» ocupa" in text and "supera el límit de 2,0 KB per document" in text
    assert 'value="Llicència de gual al carrer Major"' in text


def test_a_multipart_file_name_with_a_path_keeps_only_its_base_name(citizen: Client, organ) -> None:
    boundary = "frontera"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fill(organ).items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
        f'filename="../../etc/informe.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + make_pdf()
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    response = citizen.generic(
        "POST", FILE_URL, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302
    [attached] = draft_of(citizen).attachments
    assert attached["name"] == "informe.pdf"


# --- Failures: nothing registered, nothing lost ---------------------------------------------------


def _broken_receipt(*args: object, **kwargs: object) -> None:
    raise rendering.RenderError("the renderer died")


def _broken_database(*args: object, **kwargs: object) -> None:
    raise DatabaseError("connection lost")


@pytest.mark.parametrize(
    ("target", "attribute", "replacement"),
    [
        (documents, "render_sheet", _broken_receipt),  # before the number is taken
        (documents, "seal_rendered", _broken_receipt),  # after it
        (EntryAttachment.objects, "bulk_create", _broken_database),
    ],
)
def test_a_failure_registers_nothing_says_so_and_keeps_the_draft(
    citizen: Client, organ, monkeypatch, target, attribute, replacement
) -> None:
    citizen.post(
        FILE_URL, {**fill(organ), "attachments": [_upload("a.pdf", make_pdf(), "application/pdf")]}
    )
    draft = draft_of(citizen)
    monkeypatch.setattr(target, attribute, replacement)
    response = citizen.post(CONFIRM_URL, {"draft": str(draft.public_id)})

    assert response.status_code == 503
    text = page_text(response)
    assert "No s'ha registrat res" in text
    assert "NO s'ha registrat res: no hi ha número de registre ni rebut" in text
    assert "Confirmar i presentar" in text and "a.pdf" in text  # ready to try again
    assert not RegistryEntry.objects.exists()
    assert not EntryAttachment.objects.exists()

    monkeypatch.undo()
    entry = file_and_confirm(citizen, organ)
    assert entry.number == f"E/{entry.year}/000001"  # the failed try took no number


def test_confirming_the_same_draft_twice_registers_once(citizen: Client, organ) -> None:
    citizen.post(FILE_URL, fill(organ))
    draft = draft_of(citizen)
    first = citizen.post(CONFIRM_URL, {"draft": str(draft.public_id)})
    second = citizen.post(CONFIRM_URL, {"draft": str(draft.public_id)})
    assert RegistryEntry.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]  # the second sees the first one's receipt


def test_the_registry_interrupted_shows_why_instead_of_the_form(citizen: Client, organ) -> None:
    citizen.post(FILE_URL, fill(organ))
    draft = draft_of(citizen)
    now = dt.datetime.now(dt.UTC)
    Interruption.objects.create(
        scope=Interruption.Scope.REGISTRY,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=2),
        reason="Actualització del servidor",
        alternatives="Oficina d'Atenció a la Ciutadania, plaça de l'Ajuntament, 1",
    )
    response = citizen.get(FILE_URL)
    text = page_text(response)
    assert response.status_code == 503
    assert "Registre electrònic interromput" in text
    assert "Actualització del servidor" in text and "Oficina d'Atenció" in text
    assert 'name="subject"' not in text  # no form to fill in

    response = citizen.post(CONFIRM_URL, {"draft": str(draft.public_id)})
    assert response.status_code == 503
    assert "està interromput" in page_text(response) and "No s'ha registrat res" in (
        page_text(response)
    )
    assert not RegistryEntry.objects.exists()


def test_an_announced_interruption_shows_on_every_page(client: Client, town_hall) -> None:
    start = dt.datetime(2031, 3, 1, 8, 0, tzinfo=MADRID)
    Interruption.objects.create(
        scope=Interruption.Scope.SEU,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        reason="Manteniment",
        alternatives="Registre presencial de l'Ajuntament",
    )
    for url in ("/", "/verificar/", "/accessibilitat/"):
        text = page_text(client.get(url))
        assert "Interrupcions programades" in text, url
        assert "No estarà disponible: tota la seu electrònica" in text
        assert "de l'1 de març de 2031, 08:00 a l'1 de març de 2031, 12:00" in text
        assert "Registre presencial de l'Ajuntament" in text
    # While it lasts it says so; once over, it is no longer announced (pages are cached, but
    # never past the end of an interruption they show).
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        assert "Ara mateix no està disponible" in page_text(client.get("/"))
    with time_machine.travel(start + dt.timedelta(hours=4), tick=False):
        assert "Interrupcions programades" not in page_text(client.get("/"))


def test_a_new_interruption_shows_at_once_on_cached_pages(
    client: Client, town_hall, administrator
) -> None:
    from seu import services as seu_services

    assert "Interrupcions programades" not in page_text(client.get("/verificar/"))
    start = dt.datetime(2031, 3, 1, 8, 0, tzinfo=MADRID)
    interruption = seu_services.record_interruption(
        scope=Interruption.Scope.REGISTRY,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        reason="Actualització",
        alternatives="Registre presencial",
        acting_user=administrator,
    )
    assert "Actualització" in page_text(client.get("/verificar/"))
    seu_services.delete_interruption(interruption=interruption, acting_user=administrator)
    assert "Interrupcions programades" not in page_text(client.get("/verificar/"))


# --- Instants (art. 33.h, 33.i) -------------------------------------------------------------------


def test_the_presentation_instant_comes_from_a_trusted_proxy_only(
    citizen: Client, organ, settings
) -> None:
    started = round(time.time() - 3, 3)
    header = {"X-Request-Start": f"t={started:.3f}"}  # nginx: "t=${msec}"

    settings.TRUSTED_PROXIES = []  # the header from anywhere else is ignored
    ignored = file_and_confirm(citizen, organ, header)
    assert ignored.presented_at.timestamp() > started + 2

    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # the test client's address, as nginx's would be
    believed = file_and_confirm(citizen, organ, header)
    assert believed.presented_at == dt.datetime.fromtimestamp(started, tz=dt.UTC)


def test_a_sunday_filing_shows_the_presentation_and_the_effective_instants(
    client: Client, town_hall, organ
) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 22, 18, 30, 5, tzinfo=MADRID), tick=False):
        log_in(client)
        entry = file_and_confirm(client, organ)
        text = page_text(client.get(reverse("registre:filed", args=[entry.pk])))
    assert "22 de novembre de 2026, 18:30:05 (UTC+01:00)" in text
    assert "Data i hora d'entrada" in text
    assert "23 de novembre de 2026, 00:00:01 (UTC+01:00)" in text
    assert "33.h" in text


# --- Whose entries --------------------------------------------------------------------------------


def test_another_citizens_entry_and_receipt_are_not_found(
    citizen: Client, another_citizen: Client, organ
) -> None:
    entry = file_and_confirm(citizen, organ)
    for url in (
        reverse("registre:entry", args=[entry.pk]),
        reverse("registre:filed", args=[entry.pk]),
        reverse("registre:receipt", args=[entry.pk]),
        reverse("registre:entry", args=[entry.pk + 1]),  # guessing the next id
    ):
        assert another_citizen.get(url).status_code == 404, url
    assert citizen.get(reverse("registre:receipt", args=[entry.pk])).status_code == 200
    assert str(entry.number) not in page_text(another_citizen.get(FOLDER_URL))

    # Nor can they confirm someone else's draft.
    citizen.post(FILE_URL, fill(organ))
    response = another_citizen.post(CONFIRM_URL, {"draft": str(draft_of(citizen).public_id)})
    assert response.status_code == 404
    assert RegistryEntry.objects.count() == 1


def test_the_folder_lists_own_entries_newest_first_with_state_and_reason(
    citizen: Client, organ, administrator
) -> None:
    older = file_and_confirm(citizen, organ)
    newer = file_and_confirm(citizen, organ)
    services.mark_not_admitted(
        entry=older,
        reason="No és competència municipal.",
        alternatives="Registre del Govern de les Illes Balears.",
        acting_user=administrator,
    )
    text = page_text(citizen.get(FOLDER_URL))
    assert text.index(newer.number or "") < text.index(older.number or "")
    assert "no admesa" in text and "No és competència municipal." in text
    assert "Registre del Govern de les Illes Balears." in text
    detail = page_text(citizen.get(reverse("registre:entry", args=[older.pk])))
    assert "Motiu de no admissió" in detail and "On la podeu presentar" in detail


def test_a_low_level_identification_sees_only_what_it_filed(
    client: Client, town_hall, organ
) -> None:
    log_in(client, loa=LoA.SUBSTANTIAL)
    earlier = file_and_confirm(client, organ)

    low = Client()
    log_in(low, loa=LoA.LOW)
    now_filed = file_and_confirm(low, organ)  # the receipt comes at once, even at a low level
    assert low.get(reverse("registre:receipt", args=[now_filed.pk])).status_code == 200
    # An earlier entry of the same person: asked to step up, not told it does not exist.
    assert low.get(reverse("registre:entry", args=[earlier.pk])).status_code == 403
    text = page_text(low.get(FOLDER_URL))
    assert str(now_filed.number) in text and str(earlier.number) not in text
    assert "a partir del nivell «substancial»" in text

    text = page_text(client.get(FOLDER_URL))
    assert str(now_filed.number) in text and str(earlier.number) in text


def test_a_representative_files_for_the_entity_they_represent(
    client: Client, town_hall, organ
) -> None:
    log_in(client, represented_entity=ENTITY)
    entry = file_and_confirm(client, organ)
    assert entry.interested is not None and entry.interested.nif == "B12345674"
    assert entry.representative is not None and entry.representative.nif == "12345678Z"
    assert str(entry.number) in page_text(client.get(FOLDER_URL))


@pytest.mark.parametrize(("prefix", "language"), [("/es", "es"), ("/en", "ca")])
def test_the_receipt_is_issued_in_the_language_of_the_filing(
    citizen: Client, organ, prefix: str, language: str
) -> None:
    """Catalan or Spanish, the official languages of the islands; English pages get Catalan."""
    response = citizen.post(prefix + FILE_URL, fill(organ))
    assert response["Location"] == prefix + REVIEW_URL
    response = citizen.post(prefix + CONFIRM_URL, {"draft": str(draft_of(citizen).public_id)})
    entry = RegistryEntry.objects.get()
    assert response["Location"] == f"{prefix}/registre/presentat/{entry.pk}/"
    assert entry.language == language
    assert entry.receipt is not None and entry.receipt.language == language


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirmations_of_one_draft_register_it_once(town_hall, organ) -> None:
    """A double click sends two requests at once: the draft's row lock makes the second wait
    for the first and then find its entry."""
    client = Client()
    log_in(client)
    client.post(FILE_URL, fill(organ))
    draft = str(draft_of(client).public_id)
    barrier = threading.Barrier(2)

    def confirm() -> str:
        twin = Client()
        twin.cookies = client.cookies
        barrier.wait()
        try:
            return str(twin.post(CONFIRM_URL, {"draft": draft})["Location"])
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        locations = list(pool.map(lambda _: confirm(), range(2)))
    entry = RegistryEntry.objects.get()
    assert locations == [reverse("registre:filed", args=[entry.pk])] * 2
