"""The registry's back-office (issue 4, items 5-6): the entry book, not admitted, paper entries,
exits on non-working days, planned interruptions, permissions and the beat that registers exits."""

from __future__ import annotations

import hashlib
import html
import io
from typing import Any, cast

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from documents.models import Blob
from documents.services import store_blob
from registre import services, tasks
from registre.models import EntryTransition, RegistryEntry
from seu import calendar
from seu.identity import PersonData
from seu.models import Interruption, Organ, Person, TownHall
from tests.conftest import log_in_to_back_office
from tests.factories import OrganFactory, UserFactory
from tests.registre.conftest import CITIZEN, local

pytestmark = pytest.mark.django_db

BOOK = "/gestio/registre/registryentry/"
OTHER_CITIZEN = PersonData(nif="87654321X", given_name="Joan", surnames="Mas Riera")


def scanned_pdf() -> bytes:
    """What an office scanner produces: a page image in a PDF."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, "PDF", resolution=72)
    return buffer.getvalue()


PDF = scanned_pdf()


def grant(user: User, *codenames: str) -> User:
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["registre", "seu"], codename__in=codenames
        )
    )
    return cast(User, User.objects.get(pk=user.pk))  # a fresh object: no permission cache


@pytest.fixture
def registrar(db: None) -> User:
    """A registry clerk who supervises every organ's book (``seu.staff``): reads the book,
    registers entries and exits, marks them not admitted."""
    user = cast(User, UserFactory.create(username="registradora", staff=True, supervisor=True))
    return grant(
        user,
        "view_registryentry",
        "add_registryentry",
        "change_registryentry",
        "view_interruption",
        "add_interruption",
        "change_interruption",
    )


@pytest.fixture
def urbanisme(db: None) -> Organ:
    return cast(Organ, OrganFactory.create(code="urbanisme", name="Urbanisme"))


def listed(response: Any) -> list[RegistryEntry]:
    return list(response.context["cl"].result_list)


def text_of(response: Any) -> str:
    """The page as a person reads it (entities such as &#x27; unescaped)."""
    return html.unescape(response.content.decode())


def messages_of(response: Any) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# --- The book ------------------------------------------------------------------------------------


def test_staff_filter_the_book_by_organ(
    client: Client, registrar: User, file_entry: Any, organ: Organ, urbanisme: Organ
) -> None:
    in_secretaria = file_entry()
    in_urbanisme = file_entry(organ=urbanisme, subject="Llicència d'obra menor")
    log_in_to_back_office(client, registrar)

    everything = client.get(BOOK)
    only_urbanisme = client.get(BOOK, {"organ__id__exact": urbanisme.pk})

    assert everything.status_code == 200
    assert set(listed(everything)) == {in_secretaria, in_urbanisme}
    assert listed(only_urbanisme) == [in_urbanisme]
    assert "E/2026/000002" in only_urbanisme.text and "E/2026/000001" not in only_urbanisme.text


def test_staff_search_the_book_by_number_and_by_the_interested_persons_nif_or_name(
    client: Client, registrar: User, file_entry: Any
) -> None:
    first = file_entry()
    second = file_entry(interested=OTHER_CITIZEN)
    third = file_entry()
    log_in_to_back_office(client, registrar)

    assert listed(client.get(BOOK, {"q": "E/2026/000002"})) == [second]
    # The NIF as people type it: lower case, with a dash.
    assert set(listed(client.get(BOOK, {"q": "12345678-z"}))) == {first, third}
    assert listed(client.get(BOOK, {"q": "Riera"})) == [second]


def test_staff_filter_the_book_by_direction_state_and_effective_date(
    client: Client, registrar: User, file_entry: Any, organ: Organ
) -> None:
    friday = file_entry(local(2026, 11, 20, 10, 0))
    monday = file_entry(local(2026, 11, 23, 10, 0))
    exit_ = services.register_exit(
        organ=organ,
        addressee="Maria Garcia",
        subject="Resposta",
        acting_user=None,
        now=local(2026, 11, 23, 11, 0),
    )
    services.mark_not_admitted(
        entry=monday,
        reason="No és competència municipal.",
        alternatives="Govern",
        acting_user=registrar,
    )
    log_in_to_back_office(client, registrar)

    # The non-admission is communicated with an exit of its own (art. 33.b, 33.g).
    communicated = RegistryEntry.objects.get(related_entry=monday)
    assert set(listed(client.get(BOOK, {"direction__exact": "out"}))) == {exit_, communicated}
    assert listed(client.get(BOOK, {"state__exact": "not_admitted"})) == [monday]
    by_day = client.get(
        BOOK, {"effective_at__year": 2026, "effective_at__month": 11, "effective_at__day": 20}
    )
    assert listed(by_day) == [friday]


def test_an_entry_opens_read_only_with_its_attachments_transitions_and_receipt(
    client: Client, registrar: User, file_entry: Any
) -> None:
    blob = store_blob(PDF, "application/pdf")
    entry = file_entry(
        attachments=[
            services.IncomingAttachment(
                name="plànol.pdf", content_type="application/pdf", format_label="PDF", blob=blob
            )
        ]
    )
    assert entry.receipt is not None
    log_in_to_back_office(client, registrar)
    page = f"{BOOK}{entry.pk}/change/"

    response = client.get(page)

    assert response.status_code == 200
    text = response.text
    for expected in (
        "E/2026/000001",
        "plànol.pdf",
        hashlib.sha256(PDF).hexdigest(),
        f"{BOOK}{entry.pk}/adjunts/1/",
        f"{BOOK}{entry.pk}/rebut/",
        f"/verificar/{entry.receipt.csv}/",
        "registrada",  # the transition log
        "Maria Garcia Ferrer",
    ):
        assert expected in text
    # Evidence: no field to edit, no way to delete.
    assert 'name="subject"' not in text
    assert f"{BOOK}{entry.pk}/delete/" not in text
    assert client.post(page, {"subject": "Un altre assumpte"}).status_code == 403
    assert client.post(f"{BOOK}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.subject == "Sol·licitud de llicència de gual"

    attachment = client.get(f"{BOOK}{entry.pk}/adjunts/1/")
    assert attachment.getvalue() == PDF
    assert attachment["Content-Disposition"].startswith("attachment")
    receipt = client.get(f"{BOOK}{entry.pk}/rebut/")
    assert receipt.getvalue() == entry.receipt.current_version().blob.read()
    assert client.get(f"{BOOK}{entry.pk}/adjunts/2/").status_code == 404


# --- Not admitted (art. 33.b) --------------------------------------------------------------------


def test_staff_mark_an_entry_not_admitted_and_the_person_is_told_why_and_where(
    client: Client, registrar: User, file_entry: Any
) -> None:
    entry = file_entry()
    log_in_to_back_office(client, registrar)
    url = f"{BOOK}{entry.pk}/no-admetre/"

    form = client.get(url)
    assert form.status_code == 200
    assert "33.b" in form.context["form"]["reason"].value()
    assert "16.4" in form.context["form"]["alternatives"].value()
    assert "Llei 39/2015" in form.text

    response = client.post(
        url,
        {
            "reason": "Es tracta d'una queixa sobre un servei de l'Estat.",
            "alternatives": "Registre electrònic de l'Administració General de l'Estat.",
        },
    )

    assert response.status_code == 302 and response["Location"] == f"{BOOK}{entry.pk}/change/"
    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.NOT_ADMITTED
    assert entry.not_admitted_reason == "Es tracta d'una queixa sobre un servei de l'Estat."
    assert entry.alternative_registries.startswith("Registre electrònic de l'Administració")
    last = EntryTransition.objects.filter(entry=entry).last()
    assert last is not None
    assert (last.from_state, last.to_state) == ("registered", "not_admitted")
    assert last.actor == registrar and "queixa" in last.reason
    # What the citizen's folder reads: their entry, now not admitted, with the reason.
    person = Person.objects.get(nif=CITIZEN.nif)
    mine = RegistryEntry.objects.visible_to(person).get(direction="in")
    assert mine.state == "not_admitted" and mine.alternative_registries
    shown = client.get(response["Location"])
    assert "consta com a no admès" in messages_of(shown)
    assert "Es tracta d'una queixa sobre un servei de l'Estat." in text_of(shown)


def test_not_admitted_without_a_reason_is_refused(
    client: Client, registrar: User, file_entry: Any
) -> None:
    entry = file_entry()
    log_in_to_back_office(client, registrar)

    response = client.post(
        f"{BOOK}{entry.pk}/no-admetre/", {"reason": "   ", "alternatives": "Registre estatal"}
    )

    assert response.status_code == 200
    assert "Cal indicar el motiu pel qual no s'admet." in text_of(response)
    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.REGISTERED
    assert entry.transitions.count() == 1


def test_an_entry_already_not_admitted_cannot_be_marked_again(
    client: Client, registrar: User, file_entry: Any
) -> None:
    entry = file_entry()
    services.mark_not_admitted(entry=entry, reason="x", alternatives="y", acting_user=registrar)
    log_in_to_back_office(client, registrar)

    response = client.post(f"{BOOK}{entry.pk}/no-admetre/", {"reason": "z", "alternatives": "w"})

    assert response.status_code == 302
    assert "Només es pot inadmetre una entrada registrada." in messages_of(
        client.get(response["Location"])
    )
    assert entry.transitions.count() == 2


# --- Paper entries at the office -----------------------------------------------------------------


def paper_entry(organ: Organ, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "nif": "12345678z",
        "given_name": "Maria",
        "surnames": "Garcia Ferrer",
        "organ": organ.pk,
        "subject": "Sol·licitud de certificat d'empadronament",
        "exposition": "Que necessit el certificat per a un tràmit bancari.",
        "request": "Que se m'expedeixi.",
        "language": "ca",
        "scans": [SimpleUploadedFile("sol·licitud.pdf", PDF, content_type="application/pdf")],
    }
    data.update(overrides)
    return data


def test_staff_register_a_paper_entry_with_a_scan_and_get_its_receipt(
    client: Client, registrar: User, town_hall: Any, organ: Organ
) -> None:
    log_in_to_back_office(client, registrar)
    assert client.get(f"{BOOK}entrada-presencial/").status_code == 200

    response = client.post(f"{BOOK}entrada-presencial/", paper_entry(organ))

    entry = RegistryEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BOOK}{entry.pk}/change/"
    assert entry.number == f"E/{entry.year}/000001"
    assert entry.channel == RegistryEntry.Channel.IN_PERSON
    assert entry.created_by == registrar
    assert entry.interested is not None and entry.interested.nif == "12345678Z"
    attachment = entry.attachments.get()
    assert (attachment.name, attachment.content_type) == ("sol·licitud.pdf", "application/pdf")
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert entry.receipt is not None
    assert entry.receipt.current_version().blob.read().startswith(b"%PDF")
    shown = client.get(response["Location"])
    assert entry.number in messages_of(shown)
    assert f"{BOOK}{entry.pk}/rebut/" in shown.text
    assert f"/verificar/{entry.receipt.csv}/" in shown.text


def test_a_paper_entry_with_an_invalid_nif_is_refused_and_the_form_kept(
    client: Client, registrar: User, town_hall: Any, organ: Organ
) -> None:
    log_in_to_back_office(client, registrar)

    response = client.post(f"{BOOK}entrada-presencial/", paper_entry(organ, nif="12345678A"))

    assert response.status_code == 200
    assert "no és vàlid" in response.text
    assert "Sol·licitud de certificat d'empadronament" in text_of(response)
    assert not RegistryEntry.objects.exists()


def test_a_paper_entry_with_a_file_of_a_disallowed_format_is_refused(
    client: Client, registrar: User, town_hall: Any, organ: Organ
) -> None:
    log_in_to_back_office(client, registrar)
    disguised = SimpleUploadedFile("escrit.pdf", b"MZ\x90\x00 an executable", "application/pdf")

    response = client.post(f"{BOOK}entrada-presencial/", paper_entry(organ, scans=[disguised]))

    assert response.status_code == 200
    assert "«escrit.pdf» no és d'un format admès" in text_of(response)
    assert not RegistryEntry.objects.exists()


def test_a_paper_entry_with_a_damaged_scan_is_refused_and_nothing_is_stored(
    client: Client, registrar: User, town_hall: Any, organ: Organ
) -> None:
    log_in_to_back_office(client, registrar)
    good = SimpleUploadedFile("pàgina-1.pdf", PDF, "application/pdf")
    damaged = SimpleUploadedFile("pàgina-2.pdf", PDF[: len(PDF) // 2], "application/pdf")

    response = client.post(f"{BOOK}entrada-presencial/", paper_entry(organ, scans=[good, damaged]))

    assert response.status_code == 200
    assert "«pàgina-2.pdf» està malmès o incomplet" in text_of(response)
    assert not RegistryEntry.objects.exists()
    assert not Blob.objects.filter(sha256=hashlib.sha256(PDF).hexdigest()).exists()


def test_a_paper_entry_needs_the_persons_names(
    client: Client, registrar: User, town_hall: Any, organ: Organ
) -> None:
    log_in_to_back_office(client, registrar)

    response = client.post(f"{BOOK}entrada-presencial/", paper_entry(organ, surnames=""))

    assert response.status_code == 200
    assert "Cal el nom i els llinatges de la persona." in response.text
    assert not RegistryEntry.objects.exists()


# --- Exits (art. 33.g, 33.h) ---------------------------------------------------------------------


def test_an_exit_made_on_a_saturday_waits_and_the_beat_registers_it_on_monday(
    client: Client, registrar: User, file_entry: Any, organ: Organ
) -> None:
    related = file_entry(local(2026, 11, 20, 9, 0))  # Friday
    with time_machine.travel(local(2026, 11, 21, 12, 0), tick=False):  # Saturday
        log_in_to_back_office(client, registrar)
        form = client.get(f"{BOOK}sortida/")
        monday_start = calendar.format_instant(local(2026, 11, 23, 0, 0, 1))
        assert "Avui és dia inhàbil" in text_of(form) and monday_start in text_of(form)

        response = client.post(
            f"{BOOK}sortida/",
            {
                "organ": organ.pk,
                "addressee": "Maria Garcia Ferrer",
                "addressee_nif": "12345678Z",
                "subject": "Resposta a la sol·licitud de gual",
                "related_entry_number": " e/2026/000001 ",
            },
        )

        exit_ = RegistryEntry.objects.get(direction="out")
        assert response.status_code == 302
        assert response["Location"] == f"{BOOK}{exit_.pk}/change/"
        shown = client.get(response["Location"])
        assert f"es registrarà el {monday_start}" in messages_of(shown)
        assert exit_.state == RegistryEntry.State.PENDING and exit_.number is None
        assert exit_.due_at == local(2026, 11, 23, 0, 0, 1)
        assert exit_.related_entry == related and exit_.created_by == registrar
        pending = client.get(BOOK, {"state__exact": "pending"})
        assert listed(pending) == [exit_]
        assert tasks.register_due_exits() == 0  # still a non-working day

    with time_machine.travel(local(2026, 11, 23, 0, 0, 30), tick=False):  # Monday
        assert tasks.register_due_exits() == 1

    exit_.refresh_from_db()
    assert exit_.state == RegistryEntry.State.REGISTERED
    assert exit_.number == "S/2026/000001"
    assert exit_.effective_at == local(2026, 11, 23, 0, 0, 30)


def test_an_exit_on_a_working_day_is_numbered_at_once(
    client: Client, registrar: User, town_hall: Any, organ: Organ
) -> None:
    with time_machine.travel(local(2026, 11, 23, 10, 0), tick=False):
        log_in_to_back_office(client, registrar)
        response = client.post(
            f"{BOOK}sortida/",
            {"organ": organ.pk, "addressee": "Joan Mas", "subject": "Comunicació"},
        )

    exit_ = RegistryEntry.objects.get(direction="out")
    assert response.status_code == 302
    assert exit_.number == "S/2026/000001" and exit_.state == RegistryEntry.State.REGISTERED


def test_an_exit_with_an_unknown_related_entry_number_is_refused(
    client: Client, registrar: User, file_entry: Any, organ: Organ
) -> None:
    file_entry()
    log_in_to_back_office(client, registrar)

    response = client.post(
        f"{BOOK}sortida/",
        {
            "organ": organ.pk,
            "addressee": "Joan Mas",
            "subject": "Resposta",
            "related_entry_number": "E/2026/999999",
        },
    )

    assert response.status_code == 200
    assert "No hi ha cap assentament d'entrada amb el número «E/2026/999999»." in text_of(response)
    assert not RegistryEntry.objects.filter(direction="out").exists()


# --- Permissions ---------------------------------------------------------------------------------


Request = tuple[str, str, dict[str, Any]]


def reading_requests(entry: RegistryEntry) -> list[Request]:
    return [
        ("get", BOOK, {}),
        ("get", f"{BOOK}{entry.pk}/change/", {}),
        ("get", f"{BOOK}{entry.pk}/adjunts/1/", {}),
        ("get", f"{BOOK}{entry.pk}/rebut/", {}),
        ("get", f"{BOOK}{entry.pk}/sicres3/", {}),
    ]


def changing_requests(entry: RegistryEntry, organ: Organ) -> list[Request]:
    return [
        ("get", f"{BOOK}{entry.pk}/no-admetre/", {}),
        ("post", f"{BOOK}{entry.pk}/no-admetre/", {"reason": "x", "alternatives": "y"}),
        ("get", f"{BOOK}entrada-presencial/", {}),
        ("post", f"{BOOK}entrada-presencial/", paper_entry(organ)),
        ("get", f"{BOOK}sortida/", {}),
        ("post", f"{BOOK}sortida/", {"organ": organ.pk, "addressee": "A", "subject": "B"}),
        ("get", "/gestio/seu/interruption/add/", {}),
        ("post", "/gestio/seu/interruption/add/", interruption()),
    ]


def entry_with_a_scan(file_entry: Any) -> RegistryEntry:
    blob = store_blob(PDF, "application/pdf")
    scan = services.IncomingAttachment(
        name="a.pdf", content_type="application/pdf", format_label="PDF", blob=blob
    )
    return cast(RegistryEntry, file_entry(attachments=[scan]))


def test_a_clerk_without_permissions_gets_403_for_every_registry_page_and_action(
    client: Client, clerk: User, file_entry: Any, organ: Organ
) -> None:
    entry = entry_with_a_scan(file_entry)
    log_in_to_back_office(client, clerk)

    for method, url, data in reading_requests(entry) + changing_requests(entry, organ):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url)

    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.REGISTERED
    assert RegistryEntry.objects.count() == 1
    assert not Interruption.objects.exists()


def test_a_clerk_who_may_only_read_the_book_cannot_change_it(
    client: Client, clerk: User, file_entry: Any, organ: Organ
) -> None:
    entry = entry_with_a_scan(file_entry)
    TownHall.objects.update(dir3_code="L01070577")  # for the SICRES 3 export
    reader = grant(clerk, "view_registryentry")
    log_in_to_back_office(client, reader)

    for method, url, data in reading_requests(entry):
        assert getattr(client, method)(url, data).status_code == 200, (method, url)
    page = client.get(f"{BOOK}{entry.pk}/change/")
    assert page.status_code == 200 and "no-admetre" not in page.text
    assert "entrada-presencial" not in client.get(BOOK).text
    for method, url, data in changing_requests(entry, organ):
        assert getattr(client, method)(url, data).status_code == 403, (method, url)
    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.REGISTERED
    assert RegistryEntry.objects.count() == 1


def test_the_actions_refuse_a_post_without_the_csrf_token(
    registrar: User, file_entry: Any, organ: Organ
) -> None:
    entry = file_entry()
    client = Client(enforce_csrf_checks=True)
    log_in_to_back_office(client, registrar)

    refused = [
        client.post(f"{BOOK}{entry.pk}/no-admetre/", {"reason": "x", "alternatives": "y"}),
        client.post(f"{BOOK}sortida/", {"organ": organ.pk, "addressee": "A", "subject": "B"}),
    ]

    assert [response.status_code for response in refused] == [403, 403]
    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.REGISTERED
    assert RegistryEntry.objects.count() == 1


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, file_entry: Any) -> None:
    entry = file_entry()
    for url in (BOOK, f"{BOOK}{entry.pk}/rebut/", f"{BOOK}sortida/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


# --- Planned interruptions (art. 17.1, 33.d) -----------------------------------------------------


def interruption(**overrides: str) -> dict[str, str]:
    data = {
        "scope": "registry",
        "starts_at_0": "2026-12-05",
        "starts_at_1": "08:00:00",
        "ends_at_0": "2026-12-05",
        "ends_at_1": "14:00:00",
        "reason": "Actualització dels servidors",
        "alternatives": "Oficina d'Atenció a la Ciutadania, plaça de l'Ajuntament, 1.",
        "_save": "Desa",
    }
    data.update(overrides)
    return data


def test_staff_announce_an_interruption_with_its_alternatives(
    client: Client, registrar: User
) -> None:
    log_in_to_back_office(client, registrar)

    response = client.post("/gestio/seu/interruption/add/", interruption())

    assert response.status_code == 302
    announced = Interruption.objects.get()
    assert announced.announced_by == registrar
    assert announced.starts_at == local(2026, 12, 5, 8, 0)
    assert announced.ends_at == local(2026, 12, 5, 14, 0)
    assert list(Interruption.objects.announced(at=local(2026, 12, 1))) == [announced]


def test_an_interruption_ending_before_it_starts_is_refused(
    client: Client, registrar: User
) -> None:
    log_in_to_back_office(client, registrar)

    response = client.post("/gestio/seu/interruption/add/", interruption(ends_at_0="2026-12-04"))

    assert response.status_code == 200
    assert "El final de la interrupció ha de ser posterior a l'inici." in text_of(response)
    assert not Interruption.objects.exists()


# --- The beat (art. 33.h) ------------------------------------------------------------------------


def test_the_beat_registers_due_exits_every_minute_with_a_registered_task() -> None:
    from seu.celery import app

    schedule = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "registre.tasks.register_due_exits"
    ]
    assert len(schedule) == 1
    assert cast(float, schedule[0]["schedule"]) <= 60.0
    app.loader.import_default_modules()
    assert app.tasks["registre.tasks.register_due_exits"].name == tasks.register_due_exits.name
