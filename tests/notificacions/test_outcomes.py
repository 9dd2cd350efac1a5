"""How a notification ends (issue 14 items 3-5; art. 32.5, 32.6): accepted or rejected by the
holder, with an RFC 3161 token over the record of the act; expired by the sweep once its ten days
pass, and an access after the cutoff expires it instead; an interruption of the seu recorded later
extends a pending expiry by its length."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from asn1crypto import cms

from notificacions import access, clock, hooks
from notificacions.models import Notification
from seu import calendar, identity
from seu import services as seu_services
from seu.errors import NotFound
from seu.models import Interruption, LoA
from tests.actors import ANOTHER_CITIZEN, CITIZEN
from tests.support.notifications import consent_of, send

pytestmark = pytest.mark.django_db

FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def sent(town_hall, organ) -> tuple[Notification, object]:
    identification = consent_of(CITIZEN, now=FRIDAY - dt.timedelta(hours=1))
    return send(organ, CITIZEN, now=FRIDAY), identification


def test_accepting_records_who_how_and_when_with_a_timestamp_token_over_the_record(
    sent, tsa, request: pytest.FixtureRequest
) -> None:
    notification, identification = sent
    heard: list[hooks.Outcome] = []
    listener = hooks.OUTCOMES.register(lambda outcomes: heard.extend(outcomes))
    request.addfinalizer(lambda: hooks.OUTCOMES.unregister(listener))
    at = FRIDAY + dt.timedelta(days=2)
    accepted = access.accept(
        identification=identification,
        public_id=notification.public_id,
        ip_address="203.0.113.7",
        now=at,
    )
    assert accepted.state == Notification.State.ACCESSED
    assert (accepted.outcome_at, accepted.outcome_role) == (at, "holder")
    event = accepted.events.get(event="accessed")
    record = json.loads(event.details["record"])
    assert record["identification"]["method"] == "clave"
    assert record["ip_address"] == "203.0.113.7" and record["person"] == CITIZEN.nif
    assert event.timestamp_token is not None
    token = cms.ContentInfo.load(bytes(event.timestamp_token))
    imprint = token["content"]["encap_content_info"]["content"].parsed["message_imprint"]
    assert (
        imprint["hashed_message"].native
        == hashlib.sha256(event.details["record"].encode()).digest()
    )
    assert [outcome.state for outcome in heard][-1] == "accessed"


def test_another_person_gets_not_found_and_a_low_level_is_refused(sent) -> None:
    notification, _identification = sent
    stranger = identity.record_identification(
        person=ANOTHER_CITIZEN,
        method="clave",
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve"),
    )
    with pytest.raises(NotFound):
        access.accept(identification=stranger, public_id=notification.public_id)
    low = identity.record_identification(
        person=CITIZEN, method="clave", loa=LoA.LOW, evidence=identity.Evidence(provider="Cl@ve")
    )
    with pytest.raises(identity.InsufficientLevel):
        access.accept(identification=low, public_id=notification.public_id)
    notification.refresh_from_db()
    assert notification.state == Notification.State.AVAILABLE


def test_rejecting_is_its_own_state(sent) -> None:
    notification, identification = sent
    rejected = access.reject(identification=identification, public_id=notification.public_id)
    assert rejected.state == Notification.State.REJECTED


def test_the_sweep_expires_past_the_cutoff_and_an_access_at_the_last_instant_is_an_access(
    town_hall, organ
) -> None:
    identification = consent_of(CITIZEN, now=FRIDAY - dt.timedelta(hours=1))
    late = send(organ, CITIZEN, now=FRIDAY)
    on_time = send(organ, CITIZEN, now=FRIDAY)
    cutoff = late.expires_at
    assert cutoff is not None
    assert clock.expire_due(now=cutoff) == 0  # at the cutoff itself, still in time
    access.accept(identification=identification, public_id=on_time.public_id, now=cutoff)
    assert clock.expire_due(now=cutoff + dt.timedelta(microseconds=1)) == 1
    assert clock.expire_due(now=cutoff + dt.timedelta(hours=1)) == 0  # once
    late.refresh_from_db()
    assert late.state == Notification.State.EXPIRED and late.outcome_at == cutoff
    assert late.events.filter(event="expired").count() == 1


def test_an_access_after_the_cutoff_before_the_sweep_expires_it(sent) -> None:
    notification, identification = sent
    with pytest.raises(access.NotificationExpired):
        access.accept(
            identification=identification,
            public_id=notification.public_id,
            now=notification.expires_at + dt.timedelta(seconds=1),
        )
    notification.refresh_from_db()
    assert notification.state == Notification.State.EXPIRED
    # As the sweep leaves it: no reminder left, the certificate due, one expiry logged.
    assert notification.next_reminder_at is None
    assert notification.certificate_due_at is not None
    assert notification.events.filter(event="expired").count() == 1


def test_an_interruption_of_the_seu_recorded_later_extends_the_expiry_by_its_length(
    sent, administrator
) -> None:
    notification, _identification = sent
    before = notification.expires_at
    seu_services.record_interruption(
        scope=Interruption.Scope.SEU,
        starts_at=FRIDAY + dt.timedelta(days=3),
        ends_at=FRIDAY + dt.timedelta(days=3, hours=5),
        reason="Avaria del centre de dades",
        alternatives="Oficina d'atenció",
        acting_user=administrator,
    )
    notification.refresh_from_db()
    assert notification.expires_at == before + dt.timedelta(hours=5)
    extension = notification.events.get(event="extended")
    assert extension.details["periods"][0]["reason"] == "Avaria del centre de dades"
    # A registry-only interruption leaves notifications reachable: nothing moves.
    seu_services.record_interruption(
        scope=Interruption.Scope.REGISTRY,
        starts_at=FRIDAY + dt.timedelta(days=4),
        ends_at=FRIDAY + dt.timedelta(days=4, hours=5),
        reason="Registre",
        alternatives="-",
        acting_user=administrator,
    )
    notification.refresh_from_db()
    assert notification.expires_at == before + dt.timedelta(hours=5)
    assert calendar.to_local(notification.expires_at).date() == dt.date(2026, 12, 15)
