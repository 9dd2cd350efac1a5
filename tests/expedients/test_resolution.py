"""Resolution (art. 31, 11): only the head of the organ resolves; the act names them and their
post, is sealed with the CSV on every page and notified, and when the notification is practised
the case shows the outcome and is closed. Transitions the workflow does not allow write nothing.
Every public change of a case queues one notice e-mail that names the case and its state only
(art. 27.4)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from documents.models import Document
from expedients import services
from expedients.models import Expedient, ExpedientTransition, Resolution, State
from notificacions import access
from notificacions.models import Notification
from seu.core.workflow import InvalidTransition
from seu.errors import NotFound
from seu.models import OutgoingEmail, StaffMembership
from tests.actors import CITIZEN
from tests.factories import OrganFactory, UserFactory
from tests.support.expedients import file_case, make_procedure
from tests.support.notifications import consent_of

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


def staff_user(**fields: Any) -> User:
    return cast(User, UserFactory.create(**fields))


def madrid(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=MADRID)


FILED = madrid(2026, 5, 4, 10)  # a Monday
RESOLVED = madrid(2026, 5, 20, 12)
ACCESSED = madrid(2026, 5, 21, 9)
RESOLUTION_TEXT = "Atesa la documentació aportada, es pren coneixement de l'obra comunicada."


@pytest.fixture
def identification(town_hall: Any, organ: Any) -> Any:
    return consent_of(CITIZEN, now=FILED - dt.timedelta(hours=1))


@pytest.fixture
def case(identification: Any, organ: Any) -> Expedient:
    return file_case(identification, make_procedure(organ), presented_at=FILED, now=FILED)


@pytest.fixture
def head(organ: Any) -> Any:
    user = staff_user(
        username="batlessa",
        first_name="Francesca",
        last_name="Sureda Pons",
        staff=True,
        head_of=organ,
    )
    StaffMembership.objects.filter(user=user, organ=organ).update(post="Batlessa")
    return user


def reload(case: Expedient) -> Expedient:
    return Expedient.objects.get(pk=case.pk)


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "resolucio.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    count = int(next(line.split()[-1] for line in info.stdout.splitlines() if "Pages:" in line))
    return [
        " ".join(
            subprocess.run(
                ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
        )
        for page in range(1, count + 1)
    ]


# --- Who resolves ---------------------------------------------------------------------------------


def test_only_the_head_of_the_organ_resolves(case: Expedient, organ: Any) -> None:
    clerk = staff_user(username="tramitador", staff=True, clerk_of=organ)
    head_elsewhere = staff_user(
        username="cap-urbanisme", staff=True, head_of=OrganFactory(code="urbanisme")
    )
    supervisor = staff_user(username="secretari", staff=True, supervisor=True)
    for user in (clerk, head_elsewhere, supervisor):
        with pytest.raises(NotFound):
            services.resolve(
                case=case, acting_user=user, kind="granted", text=RESOLUTION_TEXT, now=RESOLVED
            )
    assert not Resolution.objects.exists()
    assert not Document.objects.filter(kind=Document.Kind.RESOLUTION).exists()
    assert reload(case).state == State.OPENED
    # A clerk may draft it; the head resolves the draft as it stands.
    services.draft_resolution(
        case=case, kind="granted", text=RESOLUTION_TEXT, acting_user=clerk, now=RESOLVED
    )
    with pytest.raises(NotFound):
        services.resolve(case=case, acting_user=clerk, now=RESOLVED)
    assert Resolution.objects.get().state == Resolution.State.DRAFT


# --- The act, sealed and notified -----------------------------------------------------------------


def test_the_resolution_names_the_head_and_post_with_the_csv_on_every_page(
    case: Expedient, head: Any, tmp_path: Path
) -> None:
    long_text = "Fonament jurídic de la resolució, amb el detall de la normativa. " * 300
    resolution = services.resolve(
        case=case, acting_user=head, kind="granted", text=long_text, now=RESOLVED
    )
    assert (resolution.resolver_name, resolution.resolver_post) == (
        "Francesca Sureda Pons",
        "Batlessa",
    )
    assert resolution.resolved_by == head and not resolution.automated
    document = resolution.document
    assert document is not None and document.kind == Document.Kind.RESOLUTION
    pages = pdf_pages(document.current_version().blob.read(), tmp_path)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert document.csv_display in text, f"page {number} lacks the CSV"
        assert "/verificar/" in text
    whole = " ".join(pages)
    assert "Ho resol Francesca Sureda Pons, Batlessa (Secretaria)" in whole
    assert case.number in whole


def test_the_resolution_is_notified_and_once_accessed_the_case_shows_it_and_is_closed(
    case: Expedient, head: Any, identification: Any
) -> None:
    resolution = services.resolve(
        case=case, acting_user=head, kind="granted", text=RESOLUTION_TEXT, now=RESOLVED
    )
    case = reload(case)
    assert (case.state, case.resolved_at) == (State.RESOLVED, RESOLVED)
    assert resolution.notification_id is not None
    notification = Notification.objects.get(pk=resolution.notification_id)
    assert notification.case_reference == case.number
    assert notification.holder_id == case.interested_id
    assert notification.state == Notification.State.AVAILABLE
    assert [d.pk for d in notification.documents.all()] == [resolution.document_id]
    # Art. 32.5: the act is seen through the notification first, not on the case page.
    assert not services.citizen_documents(case).filter(document=resolution.document).exists()
    access.accept(identification=identification, public_id=notification.public_id, now=ACCESSED)
    resolution.refresh_from_db()
    assert (resolution.notification_state, resolution.notification_outcome_at) == (
        "accessed",
        ACCESSED,
    )
    case = reload(case)
    assert (case.state, case.closed_at) == (State.CLOSED, ACCESSED)
    assert services.citizen_documents(case).filter(document=resolution.document).exists()
    steps = list(services.public_log(case).values_list("step", flat=True))
    assert steps[-3:] == [services.STEP_RESOLVED, services.STEP_NOTIFIED, services.STEP_CLOSED]
    # A second resolution is refused.
    with pytest.raises(Exception, match="ja està resolt"):
        services.resolve(case=case, acting_user=head, kind="denied", text="No.", now=ACCESSED)
    assert Resolution.objects.filter(expedient=case).count() == 1


# --- Transitions not allowed ----------------------------------------------------------------------


def test_transitions_the_workflow_does_not_allow_raise_and_write_nothing(
    case: Expedient, head: Any, organ: Any
) -> None:
    clerk = staff_user(username="tramitador", staff=True, clerk_of=organ)
    logged = ExpedientTransition.objects.count()
    with pytest.raises(InvalidTransition):
        services.close(case=case, acting_user=clerk, now=RESOLVED)  # opened -> closed
    services.resolve(
        case=case, acting_user=head, kind="granted", text=RESOLUTION_TEXT, now=RESOLVED
    )
    logged = ExpedientTransition.objects.count()
    documents = Document.objects.count()
    notifications = Notification.objects.count()
    emails = OutgoingEmail.objects.count()
    with pytest.raises(InvalidTransition):
        services.start_processing(case=case, acting_user=clerk, now=ACCESSED)
    with pytest.raises(InvalidTransition):
        services.request_remedy(
            case=case, text="Aportau més dades.", acting_user=clerk, now=ACCESSED
        )
    assert ExpedientTransition.objects.count() == logged
    assert Document.objects.count() == documents  # nothing sealed for a refused remedy
    assert Notification.objects.count() == notifications
    assert OutgoingEmail.objects.count() == emails
    case = reload(case)
    assert case.state == State.RESOLVED and case.closed_at is None


# --- Notices of each public change (art. 27.4) ----------------------------------------------------


def test_each_public_change_queues_one_notice_naming_the_case_and_state_but_not_the_content(
    case: Expedient, head: Any, identification: Any, organ: Any
) -> None:
    clerk = staff_user(username="tramitador", staff=True, clerk_of=organ)

    def notices() -> list[OutgoingEmail]:
        return list(OutgoingEmail.objects.filter(kind="expedient_state").order_by("pk"))

    before = len(notices())
    remedy_text = "Aportau el pressupost detallat signat pel contractista."
    remedy = services.request_remedy(
        case=case, text=remedy_text, acting_user=clerk, now=madrid(2026, 5, 5, 10)
    )
    assert len(notices()) == before + 1
    public_id = Notification.objects.get(pk=remedy.notification_id).public_id
    access.accept(identification=identification, public_id=public_id, now=madrid(2026, 5, 6, 9))
    services.answer_remedy(
        case=case,
        identification=identification,
        text="Adjunt el pressupost.",
        attached=[],
        presented_at=madrid(2026, 5, 7, 9),
        language="ca",
        now=madrid(2026, 5, 7, 9),
    )
    services.start_processing(case=case, acting_user=clerk, now=madrid(2026, 5, 8, 9))
    resolution = services.resolve(
        case=case, acting_user=head, kind="granted", text=RESOLUTION_TEXT, now=RESOLVED
    )
    assert resolution.notification_id is not None
    public_id = Notification.objects.get(pk=resolution.notification_id).public_id
    access.accept(identification=identification, public_id=public_id, now=ACCESSED)
    sent = notices()[before:]
    states = ["pendent d'esmena", "esmenat", "en tramitació", "resolt", "tancat"]
    assert len(sent) == len(states)
    for notice, state in zip(sent, states, strict=True):
        assert notice.to == "maria@exemple.cat"
        assert notice.subject == f"Expedient {case.number}: {state}"
        assert case.number in notice.text_body and f"Estat actual: {state}." in notice.text_body
        for secret in (remedy_text, RESOLUTION_TEXT, "12345678Z", "Carrer Major"):
            assert secret not in notice.subject + notice.text_body
