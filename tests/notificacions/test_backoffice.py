"""The back-office of notifications (issue 14 items 1, 2, 4, 5): a clerk notifies from a registry
entry (the PDFs sealed and sent in one transaction), reads the register with each notification's
whole life, declares an impossibility of access, annuls, works through the list to post on paper
and records its outcomes; staff suspend the clock. Another organ's clerk gets 404, a clerk
without the permission 403."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services as documents
from documents.models import Document
from notificacions import sending
from notificacions.models import ClockSuspension, Notification, NotificationEvent
from registre.models import RegistryEntry
from seu import calendar
from seu.models import OutgoingEmail, Person
from seu.people import ContactDetails
from tests import actors
from tests.actors import CITIZEN, REPRESENTATIVE, Actor, staff_actor
from tests.factories import RegistryEntryFactory
from tests.support.files import encrypted_pdf, make_pdf
from tests.support.notifications import consent_of, send

pytestmark = pytest.mark.django_db

NOTIFY = "/gestio/notificacions/notification/add/"
REGISTER = "/gestio/notificacions/notification/"
PAPER_LIST = "/gestio/notificacions/notification/per-enviar-en-paper/"
SUSPENSIONS = "/gestio/notificacions/clocksuspension/"
APPS = ("registre", "tauler", "notificacions")
ADDRESS = "Carrer de les Roses, 7\n07500 Manacor"

another_organ = actors.another_organ


@pytest.fixture(autouse=True)
def on_a_working_day() -> Iterator[None]:
    """At 10:00 (Madrid) of the next working day: exits are registered at once (art. 33.h)."""
    real_now = calendar.now()
    day = calendar.to_local(calendar.next_working_day_start(real_now)).date()
    with time_machine.travel(calendar.start_of_day(day) + dt.timedelta(hours=10), tick=True):
        yield


@pytest.fixture
def notifier(organ: Any) -> Actor:
    """A clerk of the organ who may notify and act on notifications."""
    return staff_actor("notifier", organ, apps=APPS)


@pytest.fixture
def other_notifier(another_organ: Any) -> Actor:
    """The same permissions, for another organ."""
    return staff_actor("other notifier", another_organ, apps=APPS)


@pytest.fixture
def registry_clerk(organ: Any) -> Actor:
    """A clerk of the organ with the registry's permissions only."""
    return staff_actor("registry clerk", organ, models=())


@pytest.fixture
def entry(town_hall: Any, organ: Any) -> RegistryEntry:
    return RegistryEntryFactory.create(
        organ=organ,
        interested=CITIZEN,
        representative=REPRESENTATIVE,
        contact=ContactDetails(postal_address=ADDRESS),
        subject="Llicència de gual al carrer de les Roses, 7",
    )


def pdf_upload(name: str = "resolucio.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or make_pdf("Resolució d'alcaldia"), "application/pdf")


def notify_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "holder_nif": CITIZEN.nif,
        "holder_given_name": CITIZEN.given_name,
        "holder_surnames": CITIZEN.surnames,
        "holder_legal_name": "",
        "representative_nif": "",
        "representative_given_name": "",
        "representative_surnames": "",
        "representative_legal_name": "",
        "kind": "notification",
        "subject": "Resolució de la llicència de gual",
        "required_loa": "substantial",
        "language": "ca",
        "documents": [pdf_upload()],
    }
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int]:
    return (Notification.objects.count(), Document.objects.count(), RegistryEntry.objects.count())


def page_url(notification: Notification, action: str = "change") -> str:
    return f"{REGISTER}{notification.pk}/{action}/"


def local_input(instant: dt.datetime) -> str:
    return calendar.to_local(instant).strftime("%Y-%m-%dT%H:%M")


# --- Notifying from an entry ----------------------------------------------------------------------


def test_the_entry_page_offers_notifying_to_who_may_notify_only(
    entry: RegistryEntry, notifier: Actor, registry_clerk: Actor
) -> None:
    link = f'href="{NOTIFY}?entry={entry.pk}"'
    page = notifier.client.get(f"/gestio/registre/registryentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert link in page.content.decode()
    page = registry_clerk.client.get(f"/gestio/registre/registryentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert link not in page.content.decode()


def test_notifying_from_an_entry_offers_its_persons_and_sends_a_sealed_act_with_exit_entry(
    entry: RegistryEntry, notifier: Actor
) -> None:
    form = notifier.client.get(f"{NOTIFY}?entry={entry.pk}")
    assert form.status_code == 200
    assert form.context["form"]["holder_nif"].value() == CITIZEN.nif
    assert form.context["form"]["holder_surnames"].value() == CITIZEN.surnames
    assert form.context["form"]["representative_nif"].value() == REPRESENTATIVE.nif
    assert form.context["form"]["required_loa"].value() == "substantial"

    answer = notifier.client.post(
        f"{NOTIFY}?entry={entry.pk}",
        notify_data(representative_nif=REPRESENTATIVE.nif),
        follow=True,
    )
    notification = Notification.objects.get()
    assert answer.redirect_chain[-1][0] == page_url(notification)
    assert notification.related_entry == entry
    assert notification.organ == entry.organ
    assert notification.holder.nif == CITIZEN.nif
    assert notification.representative is not None
    assert notification.representative.nif == REPRESENTATIVE.nif
    assert notification.created_by == notifier.user
    exit_entry = notification.exit_entry
    assert exit_entry.number is not None and exit_entry.number.startswith("S/")
    assert exit_entry.related_entry == entry
    # No consent: on paper, and the clerk is told so with the exit's number.
    assert (notification.channel, notification.state) == ("paper", "to_post")
    message = str(next(iter(answer.context["messages"])))
    assert exit_entry.number in message and "llista per enviar en paper" in message
    # The act is a town hall document with its own CSV, sealed and verifiable.
    act = notification.documents.get()
    assert act.kind == Document.Kind.ACT
    assert act.title == "Resolució de la llicència de gual"
    report = documents.verification_report(act)
    assert report.seal is not None and report.seal.ok


def test_a_person_who_consented_gets_it_available_and_the_clerk_is_told(
    entry: RegistryEntry, notifier: Actor
) -> None:
    consent_of(CITIZEN, email="maria@exemple.cat")
    answer = notifier.client.post(f"{NOTIFY}?entry={entry.pk}", notify_data(), follow=True)
    notification = Notification.objects.get()
    assert (notification.channel, notification.state) == ("electronic", "available")
    message = str(next(iter(answer.context["messages"])))
    assert f"{notification.exit_entry.number}:" in message and "posada a disposició" in message
    assert OutgoingEmail.objects.filter(to="maria@exemple.cat").count() == 1


def test_on_a_non_working_day_the_clerk_is_told_it_waits_for_the_next_working_day(
    entry: RegistryEntry, notifier: Actor
) -> None:
    day = calendar.to_local(calendar.now()).date()
    while calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    with time_machine.travel(calendar.start_of_day(day) + dt.timedelta(hours=10), tick=True):
        answer = notifier.client.post(f"{NOTIFY}?entry={entry.pk}", notify_data(), follow=True)
    notification = Notification.objects.get()
    assert notification.state == "pending" and notification.exit_entry.number is None
    message = str(next(iter(answer.context["messages"])))
    assert "dia hàbil següent" in message and "llista per enviar en paper" in message
    # Waiting for its exit entry, it can still be annulled, and appears in no paper list yet.
    assert [action["name"] for action in answer.context["actions"]] == ["annul"]
    assert notifier.client.get(PAPER_LIST).context["rows"] == []


def test_a_new_notification_without_entry_is_for_one_of_the_users_organs(
    town_hall: Any, organ: Any, another_organ: Any, notifier: Actor
) -> None:
    form = notifier.client.get(NOTIFY)
    assert list(form.context["form"].fields["organ"].queryset) == [organ]
    refused = notifier.client.post(NOTIFY, notify_data(organ=another_organ.pk))
    assert refused.status_code == 200 and "organ" in refused.context["form"].errors
    assert counts()[0] == 0
    notifier.client.post(NOTIFY, notify_data(organ=organ.pk, kind="communication"))
    notification = Notification.objects.get()
    assert notification.organ == organ and notification.kind == "communication"
    assert notification.related_entry is None


def test_errors_keep_what_was_typed_and_say_to_choose_the_files_again(
    entry: RegistryEntry, notifier: Actor
) -> None:
    before = counts()
    typed = "Requeriment d'esmena de la sol·licitud de gual"
    answer = notifier.client.post(
        f"{NOTIFY}?entry={entry.pk}", notify_data(holder_nif="12345678A", subject=typed)
    )
    assert answer.status_code == 200
    assert "holder_nif" in answer.context["form"].errors
    page = answer.content.decode()
    assert f'value="{typed}"'.replace("'", "&#x27;") in page
    assert "triau de nou els documents" in page
    assert counts() == before


def test_a_refusal_of_the_sending_service_shows_on_its_field_and_leaves_nothing(
    entry: RegistryEntry, notifier: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The service's own limit, stricter than the form's: its refusal reaches the form.
    monkeypatch.setattr(sending, "SUBJECT_MAX_LENGTH", 10)
    before = counts()
    typed = "Un assumpte de més de deu caràcters"
    answer = notifier.client.post(f"{NOTIFY}?entry={entry.pk}", notify_data(subject=typed))
    assert answer.status_code == 200
    assert answer.context["form"].errors["subject"] == [
        "L'assumpte pot tenir com a màxim 10 caràcters."
    ]
    assert answer.context["form"]["subject"].value() == typed
    assert counts() == before  # the sealed act went with the rolled-back transaction


@pytest.mark.parametrize(
    "forged",
    [b"<html><body>no</body></html>", encrypted_pdf(make_pdf(), password="x")],
    ids=["html", "encrypted"],
)
def test_a_forged_upload_is_refused_on_the_form_and_nothing_is_created(
    entry: RegistryEntry, notifier: Actor, forged: bytes
) -> None:
    before = counts()
    typed = "Resolució de la llicència de gual"
    # A good file first: it is sealed, then undone with the refusal of the second.
    answer = notifier.client.post(
        f"{NOTIFY}?entry={entry.pk}",
        notify_data(subject=typed, documents=[pdf_upload(), pdf_upload("falsa.pdf", forged)]),
    )
    assert answer.status_code == 200
    errors = answer.context["form"].errors["documents"]
    assert len(errors) == 1 and "falsa.pdf" in errors[0]
    assert answer.context["form"]["subject"].value() == typed
    assert counts() == before


# --- Who may see and act --------------------------------------------------------------------------


@pytest.fixture
def paper_notification(organ: Any, entry: RegistryEntry, notifier: Actor) -> Notification:
    return send(organ, CITIZEN, related_entry=entry, acting_user=notifier.user)


def _action_posts(notification: Notification) -> list[tuple[str, dict[str, str]]]:
    return [
        (page_url(notification, "impossibilitat"), {"impossibility-reason": "Caiguda"}),
        (page_url(notification, "anullar"), {"annul-reason": "Error"}),
        (
            page_url(notification, "resultat-paper"),
            {f"paper-{notification.pk}-outcome": "posted"},
        ),
    ]


def test_a_clerk_of_another_organ_gets_404_on_the_entry_the_notification_and_its_actions(
    entry: RegistryEntry, paper_notification: Notification, other_notifier: Actor
) -> None:
    client = other_notifier.client
    assert client.get(f"{NOTIFY}?entry={entry.pk}").status_code == 404
    assert client.post(f"{NOTIFY}?entry={entry.pk}", notify_data()).status_code == 404
    for action in ("change", "impossibilitat", "anullar", "resultat-paper", "evidencia"):
        assert client.get(page_url(paper_notification, action)).status_code == 404, action
    assert client.get(page_url(paper_notification, "documents/0")).status_code == 404
    for url, data in _action_posts(paper_notification):
        assert client.post(url, data).status_code == 404, url
    listed = client.get(REGISTER)
    assert listed.status_code == 200
    assert paper_notification.subject not in listed.content.decode()
    assert paper_notification.subject not in client.get(PAPER_LIST).content.decode()
    paper_notification.refresh_from_db()
    assert paper_notification.state == "to_post"


def test_a_clerk_without_the_permission_gets_403(
    entry: RegistryEntry, paper_notification: Notification, registry_clerk: Actor
) -> None:
    client = registry_clerk.client
    assert client.get(f"{NOTIFY}?entry={entry.pk}").status_code == 403
    assert client.get(NOTIFY).status_code == 403
    assert client.get(REGISTER).status_code == 403
    assert client.get(PAPER_LIST).status_code == 403
    assert client.get(page_url(paper_notification)).status_code == 403
    assert client.get(page_url(paper_notification, "evidencia")).status_code == 403
    for url, data in _action_posts(paper_notification):
        assert client.post(url, data).status_code == 403, url
    assert client.get(SUSPENSIONS).status_code == 403
    paper_notification.refresh_from_db()
    assert paper_notification.state == "to_post"


def test_a_reader_sees_the_register_but_may_not_act(
    organ: Any, paper_notification: Notification
) -> None:
    reader = staff_actor("reader", organ, apps=(), models=())
    assert reader.user is not None
    reader.user.user_permissions.add(Permission.objects.get(codename="view_notification"))
    page = reader.client.get(page_url(paper_notification))
    assert page.status_code == 200
    assert page.context["actions"] == []
    assert reader.client.get(PAPER_LIST).context["rows"][0]["action"] is None
    for url, data in _action_posts(paper_notification):
        assert reader.client.post(url, data).status_code == 403, url
    assert reader.client.get(NOTIFY).status_code == 403


# --- The register and a notification's page -------------------------------------------------------


def test_the_page_shows_addressees_documents_exit_entry_evidence_timeline_and_notices(
    organ: Any, notifier: Actor
) -> None:
    consent_of(CITIZEN, email="maria@exemple.cat")
    notification = send(organ, CITIZEN, representative=REPRESENTATIVE, acting_user=notifier.user)
    page = notifier.client.get(page_url(notification))
    assert page.status_code == 200
    text = page.content.decode()
    assert CITIZEN.nif in text and REPRESENTATIVE.nif in text
    assert f"{notification.exit_entry.number}" in text
    assert f"/gestio/registre/registryentry/{notification.exit_entry_id}/change/" in text
    assert notification.evidence is not None and notification.evidence.csv_display in text
    # The timeline in words: created by the clerk, made available with its exit entry, the notice.
    facts = page.context["facts"]
    assert [fact.label for fact in facts] == ["creada", "posada a disposició", "avís enviat"]
    assert "notifier" in facts[0].who
    assert any(notification.exit_entry.number in line for line in facts[1].details)
    assert any("maria@exemple.cat" in line and "per enviar" in line for line in facts[2].details)
    # The notices, with their e-mail state.
    assert [(email.to, email.state) for email in page.context["notices"]] == [
        ("maria@exemple.cat", "pending")
    ]
    # The documents and the evidence download, checked against what was sealed.
    document = notifier.client.get(page_url(notification, "documents/0"))
    assert document.status_code == 200 and document.content.startswith(b"%PDF-")
    evidence = notifier.client.get(page_url(notification, "evidencia"))
    assert evidence.status_code == 200 and evidence.content.startswith(b"%PDF-")
    assert notifier.client.get(page_url(notification, "certificat")).status_code == 404
    assert notifier.client.get(page_url(notification, "documents/1")).status_code == 404
    # Read only, and never deleted.
    assert notifier.client.get(page_url(notification, "delete")).status_code == 403
    assert notifier.client.post(page_url(notification), {"subject": "x"}).status_code == 403


def test_the_register_filters_and_finds_by_nif_exit_number_and_subject(
    organ: Any, notifier: Actor
) -> None:
    consent_of(CITIZEN)
    electronic = send(organ, CITIZEN, subject="Resolució de gual")
    paper = send(organ, REPRESENTATIVE, subject="Requeriment d'esmena")
    client = notifier.client

    def listed(query: str) -> set[int]:
        answer = client.get(f"{REGISTER}?{query}")
        assert answer.status_code == 200
        return {item.pk for item in answer.context["cl"].result_list}

    assert listed("channel__exact=paper") == {paper.pk}
    assert listed("state__exact=available") == {electronic.pk}
    assert listed("q=12345678-z") == {electronic.pk}  # typed with a dash, in lower case
    assert listed(f"q={paper.exit_entry.number}") == {paper.pk}
    assert listed("q=gual") == {electronic.pk}


# --- Actions ------------------------------------------------------------------------------------


def test_the_paper_list_shows_only_the_organs_own_with_the_postal_address(
    organ: Any, another_organ: Any, paper_notification: Notification, notifier: Actor
) -> None:
    elsewhere = send(another_organ, CITIZEN, subject="Notificació d'Urbanisme")
    consent_of(REPRESENTATIVE)
    electronic = send(organ, REPRESENTATIVE, subject="Notificació electrònica")
    page = notifier.client.get(PAPER_LIST)
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [row["notification"].pk for row in rows] == [paper_notification.pk]
    assert rows[0]["address"] == ADDRESS  # given with the entry it answers
    text = page.content.decode()
    assert "Carrer de les Roses, 7" in text
    assert elsewhere.subject not in text and electronic.subject not in text


def test_recording_the_paper_outcomes_moves_the_state(
    paper_notification: Notification, notifier: Actor
) -> None:
    # Two hours on (ticking): posting an hour ago falls after the notification was issued.
    with time_machine.travel(calendar.now() + dt.timedelta(hours=2), tick=True):
        prefix = f"paper-{paper_notification.pk}"
        url = page_url(paper_notification, "resultat-paper")
        posted_at = calendar.now() - dt.timedelta(hours=1)
        # Delivered is not offered before it is posted.
        early = notifier.client.post(
            url, {f"{prefix}-outcome": "delivered", f"{prefix}-at": local_input(posted_at)}
        )
        assert early.status_code == 200 and "outcome" in early.context["action"]["form"].errors
        answer = notifier.client.post(
            url,
            {
                f"{prefix}-outcome": "posted",
                f"{prefix}-at": local_input(posted_at),
                "tornar": "llista",
            },
        )
        assert answer.status_code == 302 and answer["Location"] == PAPER_LIST
        paper_notification.refresh_from_db()
        assert paper_notification.state == "posted"

        # A date in the future is refused, with what was typed kept.
        future = notifier.client.post(
            url,
            {
                f"{prefix}-outcome": "delivered",
                f"{prefix}-at": local_input(calendar.now() + dt.timedelta(days=2)),
                f"{prefix}-details": "Rebuda pel titular",
            },
        )
        assert future.status_code == 200
        assert "at" in future.context["action"]["form"].errors
        assert "Rebuda pel titular" in future.content.decode()

        delivered = notifier.client.post(
            url,
            {
                f"{prefix}-outcome": "delivered",
                f"{prefix}-at": local_input(calendar.now()),
                f"{prefix}-details": "Rebuda pel titular",
            },
        )
        assert delivered.status_code == 302 and delivered["Location"] == page_url(
            paper_notification
        )
        paper_notification.refresh_from_db()
        assert paper_notification.state == "delivered"
        event = paper_notification.events.get(event="delivered")
        assert event.actor == notifier.user and event.reason == "Rebuda pel titular"
        # Nothing more to record: the action is gone.
        assert notifier.client.get(url).status_code == 302
        assert notifier.client.get(PAPER_LIST).context["rows"] == []


def test_an_impossibility_of_access_declared_on_the_page_gives_the_new_expiry(
    organ: Any, notifier: Actor
) -> None:
    consent_of(CITIZEN)
    notification = send(organ, CITIZEN)
    before = notification.expires_at
    assert before is not None
    url = page_url(notification, "impossibilitat")
    assert "action-impossibility" in notifier.client.get(page_url(notification)).content.decode()

    too_early = notifier.client.post(
        url,
        {
            "impossibility-reason": "La persona no va poder accedir-hi per una caiguda de la seu",
            "impossibility-requested_by": "person",
            "impossibility-new_expiry": local_input(before - dt.timedelta(days=1)),
        },
    )
    assert too_early.status_code == 200
    assert "new_expiry" in too_early.context["action"]["form"].errors
    assert "caiguda de la seu" in too_early.content.decode()

    wanted = (before + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    done = notifier.client.post(
        url,
        {
            "impossibility-reason": "La persona no va poder accedir-hi per una caiguda de la seu",
            "impossibility-requested_by": "person",
            "impossibility-new_expiry": local_input(wanted),
        },
    )
    assert done.status_code == 302 and done["Location"] == page_url(notification)
    notification.refresh_from_db()
    assert notification.expires_at == wanted
    event = notification.events.get(event="impossibility")
    assert event.details["at_request_of_person"] is True and event.actor == notifier.user


def test_annulling_on_the_page_needs_a_reason_and_annuls_it(
    paper_notification: Notification, notifier: Actor
) -> None:
    url = page_url(paper_notification, "anullar")
    empty = notifier.client.post(url, {"annul-reason": "  "})
    assert empty.status_code == 200 and "reason" in empty.context["action"]["form"].errors
    done = notifier.client.post(url, {"annul-reason": "Enviada a una persona equivocada"})
    assert done.status_code == 302
    paper_notification.refresh_from_db()
    assert paper_notification.state == "annulled"
    assert paper_notification.events.get(event="annulled").reason == (
        "Enviada a una persona equivocada"
    )
    # Once annulled, nothing more: the actions are gone and their pages refuse.
    assert notifier.client.get(page_url(paper_notification)).context["actions"] == []
    assert notifier.client.post(url, {"annul-reason": "Una altra vegada"}).status_code == 302
    assert paper_notification.events.filter(event="annulled").count() == 1


# --- Suspensions of the clock -------------------------------------------------------------------


def _split(instant: dt.datetime, name: str) -> dict[str, str]:
    local = calendar.to_local(instant)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M")}


def test_a_suspension_declared_in_the_back_office_extends_a_pending_notification(
    organ: Any, notifier: Actor
) -> None:
    consent_of(CITIZEN)
    notification = send(organ, CITIZEN)
    before = notification.expires_at
    assert before is not None
    start = (calendar.now() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    end = start + dt.timedelta(days=2)

    refused = notifier.client.post(
        f"{SUSPENSIONS}add/",
        {**_split(start, "starts_at"), **_split(start, "ends_at"), "reason": "Estat d'alarma"},
    )
    assert refused.status_code == 200 and refused.context["adminform"].form.errors
    assert not ClockSuspension.objects.exists()

    answer = notifier.client.post(
        f"{SUSPENSIONS}add/",
        {**_split(start, "starts_at"), **_split(end, "ends_at"), "reason": "Estat d'alarma"},
        follow=True,
    )
    suspension = ClockSuspension.objects.get()
    assert suspension.declared_by == notifier.user
    notification.refresh_from_db()
    assert notification.expires_at == before + dt.timedelta(days=2)
    assert NotificationEvent.objects.filter(notification=notification, event="extended").exists()
    messages = [str(message) for message in answer.context["messages"]]
    assert any("1 notificació pendent" in message for message in messages)
    listed = notifier.client.get(SUSPENSIONS)
    assert listed.context["cl"].result_list[0] == suspension
    assert ">1<" in listed.content.decode()  # the notifications it extended

    # Moving its end later extends the notification again.
    later = end + dt.timedelta(days=1)
    notifier.client.post(
        f"{SUSPENSIONS}{suspension.pk}/change/", {**_split(later, "ends_at")}, follow=True
    )
    suspension.refresh_from_db()
    assert suspension.ends_at == later
    notification.refresh_from_db()
    assert notification.expires_at == before + dt.timedelta(days=3)
    # The service's refusal (an end before the start) shows on the form; nothing changes.
    refused = notifier.client.post(
        f"{SUSPENSIONS}{suspension.pk}/change/",
        {**_split(start - dt.timedelta(days=1), "ends_at")},
    )
    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors() == [
        "El final de la suspensió ha de ser posterior a l'inici."
    ]
    suspension.refresh_from_db()
    assert suspension.ends_at == later
    assert notifier.client.get(f"{SUSPENSIONS}{suspension.pk}/delete/").status_code == 403


def test_a_person_row_is_not_written_by_a_refused_notification(
    entry: RegistryEntry, notifier: Actor
) -> None:
    people = Person.objects.count()
    notifier.client.post(
        f"{NOTIFY}?entry={entry.pk}",
        notify_data(holder_nif="B12345674", holder_legal_name="NOVA SL", documents=[]),
    )
    assert Person.objects.count() == people
