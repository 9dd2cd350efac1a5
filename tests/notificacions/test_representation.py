"""Notifications and representation (#16 item 5; art. 26, 32): the holder and the representative
the organ named are each told at their own address, while the power they were named with is in
force; a representative by a power in force that reaches the notification sees it and may open
it without being e-mailed; the first of them to open it practises it; the record of the act, the
sealed certificate, the holder's page and the back-office say who opened it, for whom and by
which power or certificate; after a revocation the representative is told nothing and gets a
404."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from notificacions import certificates, reminders
from notificacions.models import Notification, NotificationEvent
from seu import calendar
from seu.core import outbox
from seu.identity import representation
from seu.identity.representation import PowerInput
from seu.models import Identification, OutgoingEmail, Power
from tests.actors import ANOTHER_CITIZEN, CITIZEN, ENTITY, REPRESENTATIVE, identify, staff_actor
from tests.support.filing import page_text
from tests.support.notifications import consent_of, send

pytestmark = pytest.mark.django_db

LIST = reverse("notificacions:list")
MARIA = "Maria Garcia Ferrer (12345678Z)"
AINA = "Aina Roig Sureda (11111111H)"


def _url(name: str, notification: Notification) -> str:
    return reverse(f"notificacions:{name}", kwargs={"public_id": notification.public_id})


def _client(person: Any, *, represented: Any = None) -> tuple[Client, Identification]:
    client = Client()
    return client, identify(client, person, represented_entity=represented)


def _ends_on() -> dt.date:
    """30 June of next year: "fins al 30 de juny de ..." whatever day the suite runs."""
    return dt.date(calendar.to_local(calendar.now()).year + 1, 6, 30)


def _power(**wanted: Any) -> Power:
    """Maria grants Aina a power (general unless ``wanted`` says otherwise); Aina accepts it."""
    _, maria = _client(CITIZEN)
    _, aina = _client(REPRESENTATIVE)
    fields: dict[str, Any] = {
        "representative_nif": REPRESENTATIVE.nif,
        "scope": Power.Scope.GENERAL,
        "ends_on": _ends_on(),
    }
    fields.update(wanted)
    power = representation.grant_power(identification=maria, wanted=PowerInput(**fields))
    return representation.decide_power(identification=aina, public_id=power.public_id, accept=True)


def _emails(notification: Notification, kind: str = "notification_notice") -> list[str]:
    return sorted(
        OutgoingEmail.objects.filter(
            reference=outbox.reference(notification), kind=kind
        ).values_list("to", flat=True)
    )


def _record(notification: Notification) -> dict[str, Any]:
    event = notification.events.get(event__in=["accessed", "rejected"])
    return json.loads(event.details["record"])


def _text_of_pdf(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificat.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _flat(text: str) -> str:
    """Without white space nor hyphens: pdftotext wraps table cells."""
    return "".join(text.split()).replace("-", "")


@pytest.fixture
def consenting(on_a_working_day: None, town_hall: Any, organ: Any) -> None:
    consent_of(CITIZEN, email="maria@exemple.cat")
    consent_of(REPRESENTATIVE, email="aina@exemple.cat")


def _power_words(power: Power) -> str:
    return f"amb l'apoderament general en vigor fins al 30 de juny de {power.ends_at.year}"


# --- Notices to both -----------------------------------------------------------------------------


def test_the_holder_and_the_named_representative_are_each_told_at_their_own_address(
    consenting: None, organ: Any
) -> None:
    power = _power()
    notification = send(organ, CITIZEN, representative=REPRESENTATIVE, power=power)
    assert notification.state == Notification.State.AVAILABLE
    assert _emails(notification) == ["aina@exemple.cat", "maria@exemple.cat"]
    notices = notification.events.filter(event=NotificationEvent.Event.NOTICE)
    assert sorted((n.person.nif, n.role, n.details["email"]) for n in notices if n.person) == [
        (REPRESENTATIVE.nif, "representative", "aina@exemple.cat"),
        (CITIZEN.nif, "holder", "maria@exemple.cat"),
    ]
    bodies = {
        email.to: email.text_body
        for email in OutgoingEmail.objects.filter(reference=outbox.reference(notification))
    }
    assert "com a representant de la persona interessada" in bodies["aina@exemple.cat"]
    assert "representant" not in bodies["maria@exemple.cat"]
    assert "Maria" not in bodies["aina@exemple.cat"]  # nor whose it is: a notice names nothing
    # The reminders too, each at their own address.
    assert notification.next_reminder_at is not None
    assert reminders.send_due_reminders(now=notification.next_reminder_at) == 1
    assert _emails(notification, "notification_reminder") == [
        "aina@exemple.cat",
        "maria@exemple.cat",
    ]


def test_a_representative_by_a_power_not_named_gets_no_email_but_sees_and_opens_it(
    consenting: None, organ: Any
) -> None:
    power = _power()
    notification = send(organ, CITIZEN, subject="Resolució de la llicència de gual")
    assert _emails(notification) == ["maria@exemple.cat"]

    aina, _ = _client(REPRESENTATIVE)
    listed = page_text(aina.get(LIST))
    assert "Resolució de la llicència de gual" in listed
    assert "Com a representant de Maria Garcia Ferrer" in listed
    # Nobody else: another citizen gets nothing.
    joan, _ = _client(ANOTHER_CITIZEN)
    assert "Resolució de la llicència de gual" not in page_text(joan.get(LIST))
    assert joan.get(_url("detail", notification)).status_code == 404

    # Aina opens it first: it is practised, by her, as representative, and says for whom.
    assert aina.post(_url("accept", notification)).status_code == 302
    notification.refresh_from_db()
    assert notification.state == Notification.State.ACCESSED
    assert notification.outcome_person is not None
    assert notification.outcome_person.nif == REPRESENTATIVE.nif
    assert notification.outcome_role == Notification.Role.REPRESENTATIVE
    record = _record(notification)
    assert (record["person"], record["role"], record["holder"]) == (
        REPRESENTATIVE.nif,
        "representative",
        CITIZEN.nif,
    )
    assert (record["acting_for"], record["representation"], record["power"]) == (
        CITIZEN.nif,
        "power",
        str(power.public_id),
    )

    # Maria then sees it practised by her representative and cannot accept it again.
    maria, _ = _client(CITIZEN)
    page = page_text(maria.get(_url("detail", notification)))
    assert "Oberta pel vostre representant Aina Roig Sureda" in page
    assert f"Oberta (practicada) per {AINA} en representació de {MARIA}, " in page
    assert _power_words(power) in page
    assert 'action="' + _url("accept", notification) not in page
    again = maria.post(_url("accept", notification), follow=True)
    assert "Aquesta notificació ja no està pendent." in page_text(again)
    notification.refresh_from_db()
    assert notification.outcome_person.nif == REPRESENTATIVE.nif
    assert notification.events.filter(event=NotificationEvent.Event.ACCESSED).count() == 1


def test_a_power_for_another_procedure_does_not_reach_the_notification(
    consenting: None, organ: Any
) -> None:
    _power(scope=Power.Scope.PROCEDURES, procedure_codes=["GUAL"])
    other = send(organ, CITIZEN, procedure_code="OBRA", subject="Llicència d'obra")
    covered = send(organ, CITIZEN, procedure_code="GUAL", subject="Llicència de gual")
    aina, _ = _client(REPRESENTATIVE)
    assert aina.get(_url("detail", other)).status_code == 404
    assert aina.get(_url("detail", covered)).status_code == 200
    assert aina.post(_url("accept", other)).status_code == 404
    assert Notification.objects.get(pk=other.pk).state == Notification.State.AVAILABLE


def test_after_the_holder_revokes_the_representative_is_told_nothing_and_gets_a_404(
    consenting: None, organ: Any
) -> None:
    power = _power()
    before = send(organ, CITIZEN, representative=REPRESENTATIVE, power=power, subject="Abans")
    assert _emails(before) == ["aina@exemple.cat", "maria@exemple.cat"]
    _, maria = _client(CITIZEN)
    representation.revoke_power(identification=maria, public_id=power.public_id)

    after = send(organ, CITIZEN, representative=REPRESENTATIVE, power=power, subject="Després")
    assert _emails(after) == ["maria@exemple.cat"]
    assert not after.events.filter(role=Notification.Role.REPRESENTATIVE).exists()
    aina, _ = _client(REPRESENTATIVE)
    for notification in (before, after):
        assert aina.get(_url("detail", notification)).status_code == 404
        assert aina.post(_url("accept", notification)).status_code == 404
    listed = page_text(aina.get(LIST))
    assert "Abans" not in listed and "Després" not in listed
    # Reminders of the one sent before the revocation go to Maria alone.
    assert before.next_reminder_at is not None
    reminders.send_due_reminders(now=before.next_reminder_at)
    assert _emails(before, "notification_reminder") == ["maria@exemple.cat"]


# --- The evidence: who opened it and for whom --------------------------------------------------


def test_the_record_and_the_certificate_name_the_representative_the_holder_and_the_power(
    consenting: None, organ: Any, tsa: Any, tmp_path: Path
) -> None:
    power = _power()
    notification = send(organ, CITIZEN, representative=REPRESENTATIVE, power=power)
    aina, _ = _client(REPRESENTATIVE)
    assert aina.post(_url("accept", notification), REMOTE_ADDR="203.0.113.9").status_code == 302

    record = _record(notification)
    assert record["acting_for"] == CITIZEN.nif
    assert record["power"] == str(power.public_id)
    assert record["representation"] == "power"
    assert record["ip_address"] == "203.0.113.9"
    event = notification.events.get(event="accessed")
    # Still canonical JSON: sorted keys, no spaces.
    assert event.details["record"] == json.dumps(record, sort_keys=True, separators=(",", ":"))

    assert certificates.issue_certificate(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert notification.certificate is not None
    text = _flat(_text_of_pdf(notification.certificate.current_version().blob.read(), tmp_path))
    sentence = f"Oberta (practicada) per {AINA} en representació de {MARIA}, {_power_words(power)}."
    assert _flat(sentence) in text
    assert _flat(str(power.public_id)) in text


def test_a_representative_certificate_opens_the_entitys_notification_and_the_record_says_so(
    on_a_working_day: None, town_hall: Any, organ: Any
) -> None:
    notification = send(organ, ENTITY, subject="Requeriment a l'entitat")
    aina, identification = _client(REPRESENTATIVE, represented=ENTITY)
    assert identification.represented_entity is not None
    assert aina.post(_url("accept", notification)).status_code == 302
    notification.refresh_from_db()
    assert notification.state == Notification.State.ACCESSED
    assert notification.outcome_role == Notification.Role.REPRESENTATIVE
    record = _record(notification)
    assert (record["person"], record["holder"], record["acting_for"]) == (
        REPRESENTATIVE.nif,
        ENTITY.nif,
        ENTITY.nif,
    )
    assert record["representation"] == "certificate" and "power" not in record
    page = page_text(aina.get(_url("detail", notification)))
    assert (
        f"Oberta (practicada) per {AINA} en representació de SERVEIS DEL LLEVANT SL "
        f"({ENTITY.nif}), amb un certificat electrònic de representant de l'entitat"
    ) in page


def test_the_holders_own_access_records_no_representation(consenting: None, organ: Any) -> None:
    _power()
    notification = send(organ, CITIZEN)
    maria, _ = _client(CITIZEN)
    assert maria.post(_url("accept", notification)).status_code == 302
    record = _record(notification)
    assert record["role"] == "holder"
    assert not {"acting_for", "power", "representation"} & set(record)
    assert "Oberta pel vostre representant" not in page_text(
        maria.get(_url("detail", notification))
    )


# --- The back-office ----------------------------------------------------------------------------


def test_the_back_office_page_shows_the_representative_the_power_and_who_opened_it_for_whom(
    consenting: None, organ: Any
) -> None:
    power = _power()
    notification = send(organ, CITIZEN, representative=REPRESENTATIVE, power=power)
    clerk = staff_actor("notifier", organ, apps=("registre", "notificacions"))
    url = f"/gestio/notificacions/notification/{notification.pk}/change/"
    text = page_text(clerk.client.get(url))
    assert AINA in text
    assert str(power.public_id) in text
    assert "L'apoderament general en vigor fins al 30 de juny de" in text

    aina, _ = _client(REPRESENTATIVE)
    aina.post(_url("accept", notification))
    page = clerk.client.get(url)
    (opened,) = [fact for fact in page.context["facts"] if fact.label == "oberta"]
    assert AINA in opened.who and "representant" in opened.who
    assert any(
        f"en representació de {MARIA}, {_power_words(power)}" in line for line in opened.details
    )
