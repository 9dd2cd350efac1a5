"""Administrative silence (Law 39/2015 art. 24-25): when the resolution deadline passes with no
resolution, the beat records the procedure's effect once (not while a remedy suspends the
deadline, not for a resolved case), and the person may ask for a sealed certificate of it."""

from __future__ import annotations

import datetime as dt
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from documents.models import Document
from expedients import services
from expedients.models import Expedient, ExpedientDocument, SilenceEffect, State
from notificacions import access
from notificacions.models import Notification
from seu.errors import InvalidInput
from seu.models import OutgoingEmail
from tests.actors import CITIZEN
from tests.conftest import pdfsig
from tests.factories import UserFactory
from tests.support.expedients import file_case, make_procedure
from tests.support.notifications import consent_of
from tests.support.pki import independent_context

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


def staff_user(**fields: Any) -> User:
    return cast(User, UserFactory.create(**fields))


def madrid(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MADRID)


FILED = madrid(2025, 1, 31, 10)  # three months: the deadline is Wednesday 30 April 2025
LAST_MINUTE = madrid(2025, 4, 30, 23, 59)
PASSED = madrid(2025, 5, 1, 0, 0, 30)


@pytest.fixture
def identification(town_hall: Any, organ: Any) -> Any:
    return consent_of(CITIZEN, now=FILED - dt.timedelta(hours=1))


def filed(identification: Any, organ: Any, **procedure_fields: Any) -> Expedient:
    procedure = make_procedure(organ, **procedure_fields)
    return file_case(identification, procedure, presented_at=FILED, now=FILED)


def reload(case: Expedient) -> Expedient:
    return Expedient.objects.get(pk=case.pk)


def test_the_beat_records_the_effect_of_silence_once_when_the_deadline_has_passed(
    identification: Any, organ: Any
) -> None:
    case = filed(identification, organ, silence=SilenceEffect.POSITIVE)
    assert case.deadline == dt.date(2025, 4, 30)
    assert services.record_silences(now=LAST_MINUTE) == 0
    assert reload(case).silence_at is None
    assert services.record_silences(now=PASSED) == 1
    assert services.record_silences(now=PASSED) == 0
    assert services.record_silences(now=PASSED + dt.timedelta(days=30)) == 0
    case = reload(case)
    assert (case.silence_at, case.silence_effect) == (PASSED, SilenceEffect.POSITIVE)
    assert case.state == State.OPENED  # silence is an effect, not a resolution
    assert case.transitions.filter(step=services.STEP_SILENCE, public=True).count() == 1
    # The person is told (a notice e-mail naming the case, not its content).
    (notice,) = OutgoingEmail.objects.filter(kind="expedient_state", created_at=PASSED)
    assert case.number in notice.subject and notice.to == "maria@exemple.cat"


def test_no_silence_is_recorded_while_a_remedy_request_suspends_the_deadline(
    identification: Any, organ: Any
) -> None:
    case = filed(identification, organ)
    clerk = staff_user(username="tramitador", staff=True, clerk_of=organ)
    remedy = services.request_remedy(
        case=case, text="Aportau el pressupost.", acting_user=clerk, now=madrid(2025, 4, 1, 10)
    )
    public_id = Notification.objects.get(pk=remedy.notification_id).public_id
    access.accept(identification=identification, public_id=public_id, now=madrid(2025, 4, 2, 9))
    assert reload(case).is_suspended
    assert services.record_silences(now=PASSED + dt.timedelta(days=60)) == 0
    assert reload(case).silence_at is None


def test_no_silence_is_recorded_for_a_resolved_case(identification: Any, organ: Any) -> None:
    case = filed(identification, organ)
    head = staff_user(username="batlessa", staff=True, head_of=organ)
    services.resolve(
        case=case,
        acting_user=head,
        kind="granted",
        text="Es pren coneixement de la comunicació.",
        now=madrid(2025, 4, 29, 12),
    )
    assert services.record_silences(now=PASSED) == 0
    case = reload(case)
    assert case.state == State.RESOLVED and case.silence_at is None


def test_the_silence_certificate_is_sealed_issued_once_and_valid(
    identification: Any, organ: Any, dev_pki: Any, nss_db: str, tmp_path: Path
) -> None:
    case = filed(identification, organ, silence=SilenceEffect.NEGATIVE)
    services.record_silences(now=PASSED)
    certificate = services.silence_certificate(case=case, now=PASSED + dt.timedelta(days=1))
    again = services.silence_certificate(case=case, now=PASSED + dt.timedelta(days=2))
    assert again.pk == certificate.pk
    assert Document.objects.filter(kind=Document.Kind.CERTIFICATE).count() == 1
    case = reload(case)
    assert case.silence_certificate_id == certificate.pk
    assert (
        case.documents.filter(
            document=certificate, document_type=ExpedientDocument.Type.CERTIFICATE
        ).count()
        == 1
    )
    pdf = certificate.current_version().blob.read()
    (signature,) = PdfFileReader(BytesIO(pdf)).embedded_signatures
    status = validate_pdf_signature(
        signature, signer_validation_context=independent_context(dev_pki)
    )
    assert status.intact and status.valid and status.trusted
    output = pdfsig(pdf, nss_db, tmp_path)
    assert "Signature is Valid." in output and "Certificate is Trusted." in output
    path = tmp_path / "certificat.pdf"
    path.write_bytes(pdf)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert case.number in text
    assert "desestimatori (negatiu)" in text
    assert certificate.csv_display in text


def test_the_silence_certificate_is_refused_when_no_silence_happened(
    identification: Any, organ: Any
) -> None:
    case = filed(identification, organ)
    with pytest.raises(InvalidInput):
        services.silence_certificate(case=case, now=LAST_MINUTE)
    assert reload(case).silence_certificate_id is None
    assert not Document.objects.filter(kind=Document.Kind.CERTIFICATE).exists()


def test_no_certificate_for_a_procedure_without_an_effect_of_silence(
    identification: Any, organ: Any
) -> None:
    case = filed(identification, organ, silence=SilenceEffect.NOT_APPLICABLE)
    assert services.record_silences(now=PASSED) == 1
    with pytest.raises(InvalidInput):
        services.silence_certificate(case=case, now=PASSED)
    assert not Document.objects.filter(kind=Document.Kind.CERTIFICATE).exists()
