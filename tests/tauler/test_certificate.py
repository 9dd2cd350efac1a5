"""The exposure certificate (diligència): sealed, verifiable by pdfsig and by CSV, and stating the
period, the hashes and the incidents of the board during the period (art. 18.4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from documents import services as documents
from seu import calendar
from tauler import availability, certificates, health, integrity, services
from tauler.models import Edict, Incident, PeriodKind
from tests.conftest import pdfsig
from tests.tauler.conftest import pdftotext

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return "".join(text.split())


def test_the_certificate_validates_and_lists_period_hashes_and_a_tampered_document(
    make_edict, approver, tsa, nss_db: str, tmp_path: Path, client
) -> None:
    edict = make_edict(
        period_kind=PeriodKind.CALENDAR_DAYS, period_days=2, annex="Annex per alterar"
    )
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    edict.refresh_from_db()
    # The documents pipeline timestamps the sealed edict; the board records its genTime.
    assert documents.add_timestamp(document_id=edict.sealed_document_id)
    assert certificates.certify_publications() == 1
    edict.refresh_from_db()
    assert edict.certified_at is not None
    assert abs(edict.certified_at - edict.published_at) < dt.timedelta(minutes=1)

    # Someone alters the stored file; the integrity task notices and opens one incident.
    attachment = edict.attachments.select_related("blob").get()
    path = Path(attachment.blob.file.path)
    path.write_bytes(path.read_bytes() + b"\n%% alterat\n")
    assert integrity.check_integrity() == 1
    assert integrity.check_integrity() == 1  # still failing, but not a second incident
    incident = Incident.objects.get()
    assert incident.kind == Incident.Kind.INTEGRITY and incident.edict_id == edict.pk
    edict.refresh_from_db()
    assert edict.last_integrity_ok is False

    end = edict.exposure_ends_at
    assert end is not None
    assert services.expire_due_edicts(now=end + dt.timedelta(seconds=30)) == 1
    edict.refresh_from_db()
    certificate = edict.certificate
    assert certificate is not None
    pdf = certificate.current_version().blob.read()

    checked = pdfsig(pdf, nss_db, tmp_path)
    assert "Signature is Valid." in checked, checked
    assert "Certificate is Trusted." in checked, checked

    text = pdftotext(pdf, tmp_path)
    # Instants with legal effect carry their UTC offset (the hour the clocks repeat reads twice).
    assert _flat(calendar.format_instant(edict.published_at)) in _flat(text)
    ends_offset = calendar.utc_offset(edict.exposure_ends_at)
    last_day = calendar.format_date(edict.exposure_last_day)
    assert _flat(f"{last_day}, 23:59:59 (UTC{ends_offset})") in _flat(text)
    assert _flat(calendar.format_instant(edict.certified_at)) in _flat(text)
    assert attachment.sha256 in _flat(text)
    assert edict.sealed_document.current_version().blob_id in _flat(text)
    assert "documentalterat" in _flat(text)
    assert "nocoincideixambelpublicat" in _flat(text)

    # Downloadable from the edict's page and verifiable by its CSV.
    response = client.get(f"/tauler/{edict.year}/{edict.number}/diligencia.pdf")
    assert response.status_code == 200 and response.content == pdf
    report = documents.verification_report(
        documents.find_document(text=certificate.csv, address="203.0.113.9")
    )
    assert report.unchanged_since_sealing


def test_without_incidents_the_certificate_says_so(make_edict, approver, tmp_path: Path) -> None:
    edict = make_edict(period_kind=PeriodKind.CALENDAR_DAYS, period_days=1)
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    edict.refresh_from_db()
    services.expire_due_edicts(now=edict.exposure_ends_at)
    edict.refresh_from_db()
    text = pdftotext(edict.certificate.current_version().blob.read(), tmp_path)
    assert "No s'ha registrat cap interrupció" in text


def test_an_outage_during_the_period_is_listed(make_edict, approver, tmp_path: Path) -> None:
    edict = make_edict(period_kind=PeriodKind.CALENDAR_DAYS, period_days=1)
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    edict.refresh_from_db()
    start = edict.published_at
    assert start is not None
    availability.record_board_health(now=start + dt.timedelta(minutes=1), probe=lambda: True)
    availability.record_board_health(now=start + dt.timedelta(minutes=2), probe=lambda: False)
    availability.record_board_health(now=start + dt.timedelta(minutes=3), probe=lambda: False)
    availability.record_board_health(now=start + dt.timedelta(minutes=4), probe=lambda: True)
    outage = Incident.objects.get(kind=Incident.Kind.UNAVAILABLE)
    assert (outage.started_at, outage.ended_at) == (
        start + dt.timedelta(minutes=1),
        start + dt.timedelta(minutes=4),
    )
    services.expire_due_edicts(now=edict.exposure_ends_at)
    edict.refresh_from_db()
    text = pdftotext(edict.certificate.current_version().blob.read(), tmp_path)
    assert "taulernodisponible" in _flat(text)
    assert _flat(calendar.format_instant(outage.started_at)) in _flat(text)


def test_a_gap_in_the_health_checks_is_an_unverified_period() -> None:
    t0 = calendar.now()
    assert availability.record_board_health(now=t0, probe=lambda: True)
    availability.record_board_health(now=t0 + dt.timedelta(minutes=1), probe=lambda: True)
    assert not Incident.objects.exists()
    availability.record_board_health(now=t0 + dt.timedelta(minutes=30), probe=lambda: True)
    gap = Incident.objects.get()
    assert gap.kind == Incident.Kind.UNVERIFIED
    assert (gap.started_at, gap.ended_at) == (
        t0 + dt.timedelta(minutes=1),
        t0 + dt.timedelta(minutes=30),
    )


def test_the_in_process_probe_renders_the_board(town_hall, settings) -> None:
    # Only the seu's own host is allowed, as outside the tests (Django's test set-up adds
    # "testserver"): the probe asks as a visitor of the public address would.
    settings.ALLOWED_HOSTS = ["seu.example.org"]
    settings.SEU_BASE_URL = "https://seu.example.org"
    assert health.probe_board() is True
    assert Edict.objects.count() == 0


def test_a_withdrawn_edict_gets_a_certificate_up_to_its_withdrawal(
    make_edict, approver, tmp_path: Path, client
) -> None:
    edict = make_edict(period_kind=PeriodKind.CALENDAR_DAYS, period_days=10)
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    withdrawn = calendar.now() + dt.timedelta(hours=2)
    services.withdraw_edict(
        edict_id=edict.pk, reason="Errada material", acting_user=approver, now=withdrawn
    )
    edict.refresh_from_db()
    assert edict.certificate is not None
    text = _flat(pdftotext(edict.certificate.current_version().blob.read(), tmp_path))
    assert _flat(calendar.format_instant(withdrawn)) in text
    assert "Erradamaterial" in text
    assert services.expire_due_edicts(now=withdrawn + dt.timedelta(days=30)) == 0
    page = client.get(edict.get_absolute_url()).content.decode()
    assert "diligencia.pdf" in page


def test_a_planned_interruption_of_the_seu_during_the_period_is_listed(
    make_edict, approver, tmp_path: Path
) -> None:
    from seu.models import Interruption

    edict = make_edict(period_kind=PeriodKind.CALENDAR_DAYS, period_days=1)
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    edict.refresh_from_db()
    start = edict.published_at
    assert start is not None
    Interruption.objects.create(
        scope=Interruption.Scope.SEU,
        starts_at=start + dt.timedelta(hours=1),
        ends_at=start + dt.timedelta(hours=2),
        reason="Actualització dels servidors",
        alternatives="Oficina d'Atenció a la Ciutadania",
    )
    # A registry-only interruption does not interrupt the board.
    Interruption.objects.create(
        scope=Interruption.Scope.REGISTRY,
        starts_at=start + dt.timedelta(hours=3),
        ends_at=start + dt.timedelta(hours=4),
        reason="Manteniment del registre",
        alternatives="Oficina",
    )
    services.expire_due_edicts(now=edict.exposure_ends_at)
    edict.refresh_from_db()
    text = pdftotext(edict.certificate.current_version().blob.read(), tmp_path)
    assert _flat("Actualització dels servidors") in _flat(text)  # the cell may wrap
    assert _flat("Manteniment del registre") not in _flat(text)
    assert _flat(calendar.format_instant(start + dt.timedelta(hours=1))) in _flat(text)
