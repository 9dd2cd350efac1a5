"""Sending a notification (issue 14 item 2; art. 32, 33.g, 25.4): one transaction writes the exit
entry, the notification made available with its stored expiry, the sealed evidence and one
notice row per recipient; without consent it waits to be posted on paper; on a non-working day it
waits for its exit entry and its ten days start when that is registered."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from notificacions import sending
from notificacions.models import Notification, NotificationEvent
from registre import services as registre
from registre.models import RegistryEntry
from seu import calendar
from seu.models import OutgoingEmail, Person
from tests.actors import CITIZEN, ENTITY
from tests.support.notifications import consent_of, send

pytestmark = pytest.mark.django_db

# A Friday in Madrid (UTC+1 in December), and the next Saturday.
FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
SATURDAY = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)


def test_a_consenting_person_gets_it_available_with_exit_entry_expiry_evidence_and_notice(
    town_hall, organ
) -> None:
    consent_of(CITIZEN, email="maria@exemple.cat", now=FRIDAY - dt.timedelta(days=1))
    with time_machine.travel(FRIDAY, tick=False):
        notification = send(organ, CITIZEN)

    notification.refresh_from_db()
    assert notification.state == Notification.State.AVAILABLE
    assert notification.channel == Notification.Channel.ELECTRONIC
    assert notification.available_at == FRIDAY
    # End of the tenth day after Friday 4 December, Madrid time: 14 December 23:59:59.999999.
    assert notification.expires_at is not None
    assert calendar.to_local(notification.expires_at).date() == dt.date(2026, 12, 14)
    assert notification.expires_at == calendar.notification_expiry(FRIDAY)
    exit_entry = notification.exit_entry
    assert exit_entry.direction == "out" and exit_entry.state == RegistryEntry.State.REGISTERED
    assert (exit_entry.number or "").startswith("S/2026/")
    assert notification.evidence is not None
    assert notification.evidence.kind == "notification_evidence"
    notice = OutgoingEmail.objects.get(reference=f"notificacions.notification:{notification.pk}")
    assert notice.to == "maria@exemple.cat"
    # The notice says that something awaits and until when, never what.
    assert notification.subject not in notice.text_body + notice.subject
    assert "/notificacions/" in notice.text_body
    events = list(notification.events.values_list("event", flat=True))
    assert events == ["created", "available", "notice"]


@pytest.mark.usefixtures("on_a_working_day")
def test_without_consent_it_waits_on_paper_and_a_legal_person_is_always_electronic(
    town_hall, organ
) -> None:
    paper = send(organ, CITIZEN)
    assert (paper.state, paper.channel) == ("to_post", "paper")
    assert paper.expires_at is None and paper.evidence is not None
    assert not OutgoingEmail.objects.filter(reference__endswith=f":{paper.pk}").exists()

    entity = send(organ, ENTITY)
    assert (entity.state, entity.channel) == ("available", "electronic")


def test_bad_input_is_refused_with_each_field_named_and_nothing_half_made(town_hall, organ) -> None:
    before = (Notification.objects.count(), RegistryEntry.objects.count(), Person.objects.count())
    with pytest.raises(sending.InvalidNotification) as refused:
        send(organ, CITIZEN, documents_=[], subject="")
    assert set(refused.value.errors) == {"documents", "subject"}
    with pytest.raises(sending.InvalidNotification) as refused:
        send(organ, CITIZEN.__class__(nif="12345678A"))  # wrong check letter
    assert set(refused.value.errors) == {"holder"}
    with pytest.raises(sending.InvalidNotification) as refused:
        send(organ, CITIZEN.__class__(nif=""))
    assert "NIF" in refused.value.errors["holder"][0]
    assert (
        Notification.objects.count(),
        RegistryEntry.objects.count(),
        Person.objects.count(),
    ) == before


def test_on_a_non_working_day_it_waits_for_its_exit_entry_and_the_ten_days_start_then(
    town_hall, organ
) -> None:
    consent_of(CITIZEN, now=FRIDAY)
    with time_machine.travel(SATURDAY, tick=False):
        notification = send(organ, CITIZEN)
    assert notification.state == Notification.State.PENDING
    assert notification.exit_entry.number is None and notification.expires_at is None
    assert not OutgoingEmail.objects.filter(kind="notification_notice").exists()

    monday = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)
    assert registre.register_due_exits(now=monday) == 1
    notification.refresh_from_db()
    assert notification.state == Notification.State.AVAILABLE
    assert notification.available_at == monday
    assert notification.expires_at == calendar.notification_expiry(monday)
    assert OutgoingEmail.objects.filter(kind="notification_notice").count() == 1
    assert NotificationEvent.objects.filter(notification=notification, event="available").exists()
