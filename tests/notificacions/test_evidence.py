"""The sealed evidence of a notification (issue 14 item 7; art. 32.5, 25.4): the evidence of
availability names the right sender, addressee, exit entry and content; once the notification
ends, the task (or the beat's sweep) seals a certificate of its whole life, once, verifiable by
pdfsig, by pyHanko and by its CSV at /verificar/, stating each document's CSV and SHA-256, the
notices and what became of them, and who practised or rejected it, how identified, from where,
with the RFC 3161 time of the act's record."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import cast

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from devtools.pki import DevPki
from documents.models import Document
from notificacions import access, certificates, clock, sending, tasks
from notificacions.models import Notification
from seu import calendar, identity
from seu import services as seu_services
from seu.core import outbox
from seu.models import Identification, Interruption, LoA, Organ, OutgoingEmail
from tests.actors import ANOTHER_CITIZEN, CITIZEN, ENTITY, REPRESENTATIVE
from tests.conftest import pdfsig, wait_for
from tests.factories import OrganFactory
from tests.support.notifications import consent_of, last_working_instant, sealed_document, send
from tests.support.pki import independent_context

pytestmark = pytest.mark.django_db

# A Friday in Madrid (UTC+1 in December).
FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
CERTIFICATE_SERIAL = "5A3F0C19D2E84B7C"
CERTIFICATE_ISSUER = "CN=AC FNMT Usuarios, OU=Ceres, O=FNMT-RCM, C=ES"


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "evidence.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def flat(text: str) -> str:
    """Without white space nor hyphens: a table cell may wrap a long value (a hash, an instant)
    and pdftotext joins a line ending in a hyphen to the next without it."""
    return "".join(text.split()).replace("-", "")


def pdf_of(document: Document) -> bytes:
    return document.current_version().blob.read()


def certificate_documents() -> int:
    return Document.objects.filter(
        kind=Document.Kind.NOTIFICATION_EVIDENCE, title__startswith="Certifica"
    ).count()


@pytest.fixture
def tasks_run_at_once(settings) -> Iterator[None]:
    """Tasks queued after a commit run in this process (the worker test runs them for real)."""
    from seu.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def certificate_identification(*, now: dt.datetime) -> Identification:
    """The citizen identified with a qualified certificate (its serial and issuer recorded)."""
    return identity.record_identification(
        person=CITIZEN,
        method=Identification.Method.CERTIFICATE,
        loa=LoA.HIGH,
        evidence=identity.Evidence(
            provider="FNMT-RCM",
            certificate_subject="CN=GARCIA FERRER MARIA - 12345678Z",
            certificate_issuer=CERTIFICATE_ISSUER,
            certificate_serial=CERTIFICATE_SERIAL,
        ),
        ip_address="203.0.113.7",
        now=now,
    )


# --- The evidence of availability --------------------------------------------------------------


def test_the_availability_evidence_names_its_own_sender_addressee_exit_entry_and_content(
    town_hall, organ, tmp_path: Path
) -> None:
    consent_of(CITIZEN, now=FRIDAY - dt.timedelta(days=1))
    planning = cast(Organ, OrganFactory(code="urbanisme", name="Urbanisme"))
    ours = send(
        organ,
        CITIZEN,
        representative=REPRESENTATIVE,
        documents_=[sealed_document(organ, title="Resolució de la llicència")],
        now=FRIDAY,
    )
    theirs = send(
        planning,
        ENTITY,
        documents_=[sealed_document(planning, title="Requeriment d'esmena")],
        subject="Requeriment de documentació",
        now=FRIDAY,
    )

    for notification, other in ((ours, theirs), (theirs, ours)):
        number = notification.exit_entry.number
        assert notification.evidence is not None and number
        assert notification.evidence.title.endswith(number)
        text = flat(text_of(pdf_of(notification.evidence), tmp_path))
        (document,) = notification.documents.all()
        (other_document,) = other.documents.all()
        for fact in (
            f"Remitent {town_hall.name} — {notification.organ.name}",
            "Persona interessada " + notification.holder.display_name,
            notification.holder.nif,
            notification.subject,
            number,
            calendar.format_instant(notification.exit_entry.registered_at),
            calendar.format_instant(FRIDAY),
            calendar.format_instant(notification.expires_at),
            document.title,
            document.csv_display,
            document.current_version().blob.sha256,
        ):
            assert flat(fact) in text, fact
        for fact in (
            other.holder.display_name,
            other.holder.nif,
            other.organ.name,
            other.subject,
            str(other.exit_entry.number),
            other_document.csv_display,
            other_document.current_version().blob.sha256,
        ):
            assert flat(fact) not in text, fact
    assert ours.evidence is not None
    assert flat(REPRESENTATIVE.nif) in flat(text_of(pdf_of(ours.evidence), tmp_path))


# --- The certificate of its life ----------------------------------------------------------------


@pytest.mark.parametrize("act", ["accept", "reject"])
def test_after_an_access_or_a_rejection_the_task_seals_one_certificate_of_its_life(
    act: str,
    town_hall,
    organ,
    tsa,
    tasks_run_at_once,
    django_capture_on_commit_callbacks,
    dev_pki: DevPki,
    nss_db: str,
    tmp_path: Path,
    client: Client,
) -> None:
    consent_of(CITIZEN, email="maria@exemple.cat", now=FRIDAY - dt.timedelta(days=1))
    documents_ = [
        sealed_document(organ, title="Resolució de la llicència"),
        sealed_document(organ, title="Informe tècnic"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(organ, CITIZEN, documents_=documents_, now=FRIDAY)
    notice = OutgoingEmail.objects.get(reference=outbox.reference(notification))
    assert notice.state == OutgoingEmail.State.SENT  # delivered by its task after the commit
    at = FRIDAY + dt.timedelta(days=2, hours=3)
    identification = certificate_identification(now=at - dt.timedelta(minutes=1))
    service = access.accept if act == "accept" else access.reject
    with django_capture_on_commit_callbacks(execute=True):
        service(
            identification=identification,
            public_id=notification.public_id,
            ip_address="203.0.113.7",
            now=at,
        )

    notification.refresh_from_db()
    certificate = notification.certificate
    assert certificate is not None and notification.certificate_due_at is None
    assert certificate.kind == Document.Kind.NOTIFICATION_EVIDENCE
    number = notification.exit_entry.number
    assert certificate.title == f"Certificat de la notificació {number}"

    # Once: the task again, a duplicated delivery, the beat's sweep.
    assert tasks.issue_certificate(notification.pk) is False
    assert certificates.issue_due_certificates(now=at + dt.timedelta(days=1)) == 0
    assert certificate_documents() == 1

    pdf = pdf_of(certificate)
    if act == "accept":  # the seal is the pipeline's: checked once
        checked = pdfsig(pdf, nss_db, tmp_path)
        assert "Signature is Valid." in checked and "Certificate is Trusted." in checked, checked
        seal = PdfFileReader(BytesIO(pdf)).embedded_signatures[0]  # then its timestamp
        status = validate_pdf_signature(
            seal, signer_validation_context=independent_context(dev_pki)
        )
        assert status.intact and status.valid and status.trusted
        page = client.get(f"/verificar/{certificate.csv}/").content.decode()
        assert "Document autèntic" in page

    event = notification.events.get(event="accessed" if act == "accept" else "rejected")
    assert event.timestamped_at is not None
    record_sha256 = hashlib.sha256(event.details["record"].encode()).hexdigest()
    text = flat(text_of(pdf, tmp_path))
    expected = [
        number,
        CITIZEN.nif,
        organ.name,
        notification.subject,
        calendar.format_instant(notification.created_at),
        calendar.format_instant(notification.available_at),
        calendar.format_instant(notification.expires_at),
        calendar.format_instant(at),
        # Each stated next to its label (the act's record, printed whole below, has them too).
        "Identificació" + "Certificat electrònic, nivell alt",
        "Número de sèrie: " + CERTIFICATE_SERIAL,
        "Emissor: " + CERTIFICATE_ISSUER,
        "Adreça IP" + "203.0.113.7",
        "(RFC 3161)" + calendar.format_instant(event.timestamped_at),
        "registre de l'acte" + record_sha256,
        "maria@exemple.cat",
        calendar.format_instant(notice.sent_at),
        notification.evidence.csv_display if notification.evidence else "evidence",
        "oberta(practicada)" if act == "accept" else "rebutjadaperlapersona",
    ]
    for document in documents_:
        expected += [document.title, document.csv_display]
        expected += [version.blob.sha256 for version in document.versions.all()]
    for fact in expected:
        assert flat(fact) in text, fact
    # The record whose hash is stated is the act's, whole.
    assert json.loads(event.details["record"])["ip_address"] == "203.0.113.7"


def test_an_expiry_is_certified_by_the_beats_sweep_with_its_extensions_and_failed_notices(
    town_hall, organ, administrator, settings, tmp_path: Path
) -> None:
    consent_of(CITIZEN, email="maria@exemple.cat", now=FRIDAY - dt.timedelta(days=1))
    consent_of(REPRESENTATIVE, email="aina@exemple.cat", now=FRIDAY - dt.timedelta(days=1))
    notification = send(organ, CITIZEN, representative=REPRESENTATIVE, now=FRIDAY)
    # The seu down for five hours during the period, then an impossibility of access declared.
    outage = FRIDAY + dt.timedelta(days=3)
    seu_services.record_interruption(
        scope=Interruption.Scope.SEU,
        starts_at=outage,
        ends_at=outage + dt.timedelta(hours=5),
        reason="Avaria del centre de dades",
        alternatives="Oficina d'atenció",
        acting_user=administrator,
    )
    clock.declare_impossibility(
        notification=notification,
        reason="La persona no hi podia accedir per una avaria del seu certificat",
        at_request_of_person=True,
        acting_user=administrator,
        now=FRIDAY + dt.timedelta(days=5),
    )
    notification.refresh_from_db()
    holder_notice, representative_notice = OutgoingEmail.objects.about(
        [outbox.reference(notification)]
    ).order_by("pk")
    assert holder_notice.to == "maria@exemple.cat"
    # The mail server is down: the holder's notice fails for good after its attempts, the
    # representative's is still waiting for another.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    for _attempt in range(outbox.MAX_EMAIL_ATTEMPTS):
        outbox.deliver_email(email_id=holder_notice.pk, now=FRIDAY)
    outbox.deliver_email(email_id=representative_notice.pk, now=FRIDAY)
    holder_notice.refresh_from_db()
    representative_notice.refresh_from_db()
    assert holder_notice.state == OutgoingEmail.State.FAILED and holder_notice.last_error
    assert representative_notice.state == OutgoingEmail.State.PENDING

    assert notification.expires_at is not None
    after = notification.expires_at + dt.timedelta(minutes=1)
    with time_machine.travel(after, tick=False):
        assert tasks.issue_due_certificates() == 0  # nothing ended yet
        assert clock.expire_due() == 1
        assert tasks.issue_due_certificates() == 1
        assert tasks.issue_due_certificates() == 0
    notification.refresh_from_db()
    assert notification.state == Notification.State.EXPIRED
    assert notification.certificate is not None and notification.certificate_due_at is None

    text = flat(text_of(pdf_of(notification.certificate), tmp_path))
    for fact in (
        "rebutjadaperhaverpassateltermini",
        "deudiesnaturals",
        calendar.format_instant(notification.expires_at),
        "maria@exemple.cat",
        "aina@exemple.cat",
        "Nos'hapogutenviar",
        holder_notice.last_error,
        "Pendentd'enviar",
        representative_notice.last_error,
        REPRESENTATIVE.nif,
        "Avariadelcentrededades",
        calendar.format_instant(outage),
        calendar.format_instant(outage + dt.timedelta(hours=5)),
        "Lapersonanohipodiaaccedirperunaavariadelseucertificat",
        "ainstànciadelapersonainteressada",
    ):
        assert flat(fact) in text, fact


def test_a_paper_delivery_is_certified_in_the_notifications_language(
    town_hall,
    organ,
    clerk,
    tasks_run_at_once,
    django_capture_on_commit_callbacks,
    tmp_path: Path,
) -> None:
    notification = send(organ, ANOTHER_CITIZEN, language="es", now=FRIDAY)
    assert notification.channel == Notification.Channel.PAPER
    posted = FRIDAY + dt.timedelta(days=1)
    delivered = FRIDAY + dt.timedelta(days=4)
    sending.record_paper_outcome(
        notification=notification, outcome="posted", at=posted, acting_user=clerk, now=posted
    )
    assert Notification.objects.get(pk=notification.pk).certificate_due_at is None
    with django_capture_on_commit_callbacks(execute=True):
        sending.record_paper_outcome(
            notification=notification,
            outcome="delivered",
            at=delivered,
            acting_user=clerk,
            details="Recollida per la persona interessada a l'oficina de Correus.",
            now=delivered + dt.timedelta(hours=2),
        )
    notification.refresh_from_db()
    assert notification.certificate is not None
    number = notification.exit_entry.number
    assert notification.certificate.title == f"Certificado de la notificación {number}"
    with translation.override("es"):
        expected = [
            number,
            calendar.format_instant(posted),
            calendar.format_instant(delivered),
            "Recollida per la persona interessada a l'oficina de Correus.",
            ANOTHER_CITIZEN.nif,
            "Registradopor",
            clerk.get_full_name() or clerk.get_username(),
        ]
    text = flat(text_of(pdf_of(notification.certificate), tmp_path))
    for fact in expected:
        assert flat(fact) in text, fact


def test_an_annulment_is_certified_with_its_reason(
    town_hall,
    organ,
    clerk,
    tasks_run_at_once,
    django_capture_on_commit_callbacks,
    tmp_path: Path,
) -> None:
    consent_of(CITIZEN, now=FRIDAY - dt.timedelta(days=1))
    notification = send(organ, CITIZEN, kind="communication", now=FRIDAY)
    with django_capture_on_commit_callbacks(execute=True):
        sending.annul(
            notification=notification,
            reason="Enviada per error a una altra persona",
            acting_user=clerk,
            now=FRIDAY + dt.timedelta(hours=1),
        )
    notification.refresh_from_db()
    assert notification.certificate is not None
    assert notification.certificate.title == (
        f"Certificat de la comunicació {notification.exit_entry.number}"
    )
    text = flat(text_of(pdf_of(notification.certificate), tmp_path))
    for fact in (
        "anul·lada",
        "Motiu Enviada per error a una altra persona",
        calendar.format_instant(FRIDAY + dt.timedelta(hours=1)),
        "Registrat per " + (clerk.get_full_name() or clerk.get_username()),
    ):
        assert flat(fact) in text, fact


def test_the_certificate_waits_for_the_acts_timestamp_while_the_tsa_is_down(
    town_hall, organ, tsa, tmp_path: Path
) -> None:
    identification = consent_of(CITIZEN, now=FRIDAY - dt.timedelta(days=1))
    notification = send(organ, CITIZEN, now=FRIDAY)
    at = FRIDAY + dt.timedelta(days=1)
    tsa.tsa_failures_left = 2  # the access's own request, and the certificate's first attempt
    access.accept(identification=identification, public_id=notification.public_id, now=at)
    event = notification.events.get(event="accessed")
    assert event.timestamp_token is None

    assert certificates.issue_certificate(notification_id=notification.pk, now=at) is False
    notification.refresh_from_db()
    assert notification.certificate is None
    assert notification.certificate_due_at == at + certificates.TIMESTAMP_RETRY
    assert certificates.issue_due_certificates(now=at + dt.timedelta(minutes=1)) == 0

    assert certificates.issue_due_certificates(now=at + dt.timedelta(minutes=6)) == 1
    notification.refresh_from_db()
    event.refresh_from_db()
    assert event.timestamped_at is not None and notification.certificate is not None
    text = flat(text_of(pdf_of(notification.certificate), tmp_path))
    assert flat(calendar.format_instant(event.timestamped_at)) in text


# --- On a real worker ---------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_issues_the_certificate_after_an_access_and_the_sweep_after_an_expiry(
    town_hall, organ, tsa, celery_worker_process
) -> None:
    identification = consent_of(CITIZEN, now=FRIDAY - dt.timedelta(days=20))
    # Sent on the last working day (made available at once, whatever day the suite runs on).
    accessed = send(organ, CITIZEN, now=last_working_instant())
    access.accept(identification=identification, public_id=accessed.public_id)
    assert wait_for(lambda: Notification.objects.get(pk=accessed.pk).certificate_id is not None)

    # Sent on a Friday two weeks ago: its ten days are over; the beat's sweep certifies it.
    expired = send(organ, CITIZEN, now=FRIDAY - dt.timedelta(days=14))
    assert clock.expire_due() == 1
    tasks.issue_due_certificates.delay()
    assert wait_for(lambda: Notification.objects.get(pk=expired.pk).certificate_id is not None)

    # Duplicated deliveries and a second beat change nothing. A new document's timestamp task,
    # queued behind them, says when the solo worker (which takes them in order) is done.
    tasks.issue_certificate.delay(accessed.pk)
    tasks.issue_certificate.delay(expired.pk)
    tasks.issue_due_certificates.delay()
    marker = sealed_document(organ)
    assert wait_for(
        lambda: Document.objects.get(pk=marker.pk).timestamp_state == "done", timeout=60
    )
    assert not Notification.objects.filter(certificate_due_at__isnull=False).exists()
    assert certificate_documents() == 2
