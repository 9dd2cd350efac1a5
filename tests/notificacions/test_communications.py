"""A non-admission is sent as a communication (issue 14 item 8; art. 33.b "es comunicarà", 33.g,
25.4): marking an entry not admitted seals a "Comunicació d'inadmissió" with the reason and where
else to file, and sends it like a notification, with its exit entry and notice (or on paper),
in the same transaction as the non-admission: both or neither."""

from __future__ import annotations

import datetime as dt
import html
import subprocess
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from notificacions import access, communications, sending
from notificacions.models import Notification
from registre import services as registre
from registre.models import EntryTransition, RegistryEntry
from seu.errors import NotFound
from seu.models import OutgoingEmail, Person
from tests import actors
from tests.actors import ANOTHER_CITIZEN, CITIZEN, REPRESENTATIVE, identify
from tests.conftest import pdfsig
from tests.support.notifications import consent_of

pytestmark = pytest.mark.django_db

# A Tuesday (a working day) in Madrid, and the next Saturday and Monday.
TUESDAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
SATURDAY = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
MONDAY = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)

REASON = "Es tracta d'una queixa sobre un servei de l'Estat."
ALTERNATIVES = "Registre electrònic de l'Administració General de l'Estat (REC)."


def book_url(entry: RegistryEntry) -> str:
    return f"/gestio/registre/registryentry/{entry.pk}/no-admetre/"


def filed(organ: Any, **overrides: Any) -> RegistryEntry:
    arguments: dict[str, Any] = {
        "organ": organ,
        "subject": "Queixa pel servei de correus",
        "exposition": "Que el carter no passa.",
        "request": "Que hi passi.",
        "interested": CITIZEN,
        "presented_at": TUESDAY - dt.timedelta(days=1),
        "now": TUESDAY - dt.timedelta(days=1),
    }
    arguments.update(overrides)
    return registre.register_entry(**arguments)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "communication.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def mark(entry: RegistryEntry, user: Any, now: dt.datetime = TUESDAY) -> RegistryEntry:
    return registre.mark_not_admitted(
        entry=entry, reason=REASON, alternatives=ALTERNATIVES, acting_user=user, now=now
    )


def test_marking_an_entry_not_admitted_in_the_back_office_communicates_it_to_the_person(
    town_hall: Any, organ: Any, nss_db: str, tmp_path: Path
) -> None:
    consent_of(CITIZEN, email="maria@exemple.cat", now=TUESDAY - dt.timedelta(days=2))
    entry = filed(organ, representative=REPRESENTATIVE)
    with time_machine.travel(TUESDAY, tick=False):
        clerk = actors.staff_actor("clerk", organ, apps=("registre",))
        response = clerk.client.post(
            book_url(entry), {"reason": REASON, "alternatives": ALTERNATIVES}
        )
    assert response.status_code == 302, html.unescape(response.content.decode())

    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.NOT_ADMITTED
    communication = Notification.objects.get(related_entry=entry)
    holder = Person.objects.get(nif=CITIZEN.nif)
    assert communication.kind == Notification.Kind.COMMUNICATION
    assert communication.state == Notification.State.AVAILABLE
    assert communication.channel == Notification.Channel.ELECTRONIC
    assert communication.holder == holder
    assert communication.representative == Person.objects.get(nif=REPRESENTATIVE.nif)
    assert communication.organ == organ and communication.created_by == clerk.user
    # A communication has no ten days to open it (art. 32.6 is for notifications).
    assert communication.expires_at is None and communication.next_reminder_at is None
    assert communication.subject == f"Comunicació d'inadmissió de l'assentament {entry.number}"
    # Its own exit entry (art. 33.g), related to the entry not admitted.
    exit_entry = communication.exit_entry
    assert exit_entry.direction == "out" and exit_entry.state == RegistryEntry.State.REGISTERED
    assert str(exit_entry.number).startswith("S/2026/") and exit_entry.related_entry == entry
    # The notice: that a communication awaits, not what it says.
    notice = OutgoingEmail.objects.get(reference=f"notificacions.notification:{communication.pk}")
    assert notice.to == "maria@exemple.cat" and "comunicació" in notice.subject
    assert REASON not in notice.text_body
    # The document: sealed, with the entry's number, the reason and where else to file.
    document = communication.notification_documents.get().document
    data = document.current_version().blob.read()
    verdict = pdfsig(data, nss_db, tmp_path)
    assert "Signature is Valid." in verdict and "Certificate is Trusted." in verdict
    text = " ".join(pdf_text(data, tmp_path).split())
    assert str(entry.number) in text and "33.b" in text
    assert REASON in text and "Registre electrònic de l'Administració General de l'Estat" in text
    # The person sees it; someone else does not.
    mine = access.find(
        identification=identify(Client(), CITIZEN), public_id=communication.public_id
    )
    assert mine == communication
    with pytest.raises(NotFound):
        access.find(
            identification=identify(Client(), ANOTHER_CITIZEN),
            public_id=communication.public_id,
        )


def test_without_consent_the_communication_goes_to_the_paper_list_with_its_exit_entry(
    town_hall: Any, organ: Any, administrator: Any
) -> None:
    entry = filed(organ)
    mark(entry, administrator)

    communication = Notification.objects.get(related_entry=entry)
    assert communication.kind == Notification.Kind.COMMUNICATION
    assert (communication.state, communication.channel) == ("to_post", "paper")
    assert str(communication.exit_entry.number).startswith("S/2026/")
    assert communication.evidence is not None
    assert not OutgoingEmail.objects.filter(reference__endswith=f":{communication.pk}").exists()


def test_in_spanish_when_the_entry_was_filed_in_spanish(
    town_hall: Any, organ: Any, administrator: Any
) -> None:
    entry = filed(organ, language="es")
    mark(entry, administrator)
    communication = Notification.objects.get(related_entry=entry)
    assert communication.language == "es"
    assert communication.subject == f"Comunicación de inadmisión del asiento {entry.number}"


def test_on_a_non_working_day_it_waits_for_its_exit_entry_like_any_notification(
    town_hall: Any, organ: Any, administrator: Any
) -> None:
    consent_of(CITIZEN, now=TUESDAY)
    entry = filed(organ)
    mark(entry, administrator, now=SATURDAY)
    communication = Notification.objects.get(related_entry=entry)
    assert communication.state == Notification.State.PENDING
    assert communication.exit_entry.number is None

    assert registre.register_due_exits(now=MONDAY) == 1
    communication.refresh_from_db()
    assert communication.state == Notification.State.AVAILABLE
    assert communication.available_at == MONDAY


def test_if_the_communication_fails_the_entry_stays_admitted_and_nothing_is_sent(
    town_hall: Any, organ: Any, administrator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = filed(organ)
    before = (RegistryEntry.objects.count(), EntryTransition.objects.count())

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the seal is unavailable")

    monkeypatch.setattr(sending.evidence, "issue_availability_evidence", broken)
    with pytest.raises(RuntimeError):
        mark(entry, administrator)

    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.REGISTERED and not entry.not_admitted_reason
    assert (RegistryEntry.objects.count(), EntryTransition.objects.count()) == before
    assert not Notification.objects.exists()


def test_a_refused_communication_is_shown_on_the_back_office_form_and_nothing_changes(
    town_hall: Any, organ: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = filed(organ)

    def refused(**kwargs: object) -> None:
        raise sending.InvalidNotification({"holder": ["La persona destinatària no és vàlida."]})

    monkeypatch.setattr(communications.sending, "notify", refused)
    with time_machine.travel(TUESDAY, tick=False):
        clerk = actors.staff_actor("clerk", organ, apps=("registre",))
        response = clerk.client.post(
            book_url(entry), {"reason": REASON, "alternatives": ALTERNATIVES}
        )

    assert response.status_code == 200
    shown = html.unescape(response.content.decode())
    assert "La persona destinatària no és vàlida." in shown
    assert REASON in shown  # what the clerk typed stays on the form
    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.REGISTERED
    assert entry.transitions.count() == 1
    assert RegistryEntry.objects.filter(direction="out").count() == 0


def test_an_entry_without_an_interested_person_is_still_not_admitted_without_a_communication(
    town_hall: Any, organ: Any, administrator: Any
) -> None:
    entry = filed(organ)
    RegistryEntry.objects.filter(pk=entry.pk).update(interested=None)  # a row from before
    entry.refresh_from_db()

    mark(entry, administrator)

    entry.refresh_from_db()
    assert entry.state == RegistryEntry.State.NOT_ADMITTED
    assert not Notification.objects.exists()
    assert not RegistryEntry.objects.filter(direction="out").exists()


def test_the_carpeta_still_shows_the_entry_not_admitted_with_the_reason_and_not_the_exit(
    town_hall: Any, organ: Any, administrator: Any
) -> None:
    consent_of(CITIZEN, now=TUESDAY)
    entry = filed(organ)
    mark(entry, administrator)
    citizen = Client()
    identify(citizen, CITIZEN)

    folder = html.unescape(citizen.get(reverse("registre:folder")).content.decode())
    assert str(entry.number) in folder and "no admesa" in folder and REASON in folder
    exit_number = Notification.objects.get(related_entry=entry).exit_entry.number
    assert exit_number and exit_number not in folder
    detail = html.unescape(citizen.get(reverse("registre:entry", args=[entry.pk])).content.decode())
    assert "Motiu de no admissió" in detail and ALTERNATIVES in detail
