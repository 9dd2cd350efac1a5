"""Use cases of the electronic notice board (art. 18).

Workflow: draft -> awaiting approval -> scheduled -> published -> expired, or withdrawn (with a
reason that stays public) from scheduled or published. Every change is one function here, inside a
transaction, moving the edict through ``WORKFLOW`` (``seu.core.workflow``), which writes its
``EdictTransition`` row; the back-office, the API and the beat tasks all call these functions.
Edict numbers are gapless per year (``seu.core.numbering``); the beat sweeps claim their due rows
with ``seu.core.sweeps.sweep_each``.

Certified start of exposure (art. 18.4). Publishing seals the edict's content through the
``documents`` pipeline (kind ``edict``: an HTML rendering of the text and the SHA-256 of every
attached PDF). The instant of publication written into that sealed document, by the seu's clock, is
when the edict becomes visible and is ``published_at``. The documents pipeline then adds an RFC 3161
timestamp to the sealed document asynchronously (``documents.tasks``); ``certify_publications``
(a beat task) reads the timestamp's genTime from the stamped PDF and records it as
``certified_at``, the certified instant shown on the edict's page and on the exposure certificate.
The two are seconds apart; should the timestamp fall on a later local day than the publication
(publication just before midnight), the end of exposure is recomputed from the certified instant,
so the certified period is never shorter than the one announced.

The end of exposure is computed by ``seu.calendar``: a period of N working days counts from the day
after publication and skips non-working days (Law 39/2015, art. 30.2); a period of N calendar days
also counts from the day after and, if its last day is non-working, runs to the next working day
(art. 30.5); a period "until a date" ends with that day. Exposure ends at 24:00 (Europe/Madrid) of
its last day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from documents import intake
from documents import services as documents
from documents.models import Document, IntegrityIncident
from seu import calendar
from seu.core.numbering import take_number
from seu.core.sweeps import sweep_each

# ``tauler.services.InvalidTransition`` is the core's one, raised by ``WORKFLOW`` and below.
from seu.core.workflow import InvalidTransition, Workflow
from seu.errors import InvalidInput, NotFound, SeuError
from seu.models import Interruption, Organ
from seu.staff import check_works_for, scoped_to_staff
from tauler import caching
from tauler.models import (
    Category,
    Edict,
    EdictAttachment,
    EdictCounter,
    EdictTransition,
    HealthRecord,
    Incident,
    PeriodKind,
)

logger = logging.getLogger(__name__)

PUBLISH_PERMISSION = "tauler.publish_edict"
State = Edict.State


def _state_label(state: str) -> str:
    return str(State(state).label) if state else "—"


# The allowed changes of state, in one place (STYLE: explicit lifecycle).
WORKFLOW = Workflow(
    transitions={
        "": {State.DRAFT},
        State.DRAFT: {State.AWAITING_APPROVAL},
        State.AWAITING_APPROVAL: {State.DRAFT, State.SCHEDULED, State.PUBLISHED},
        State.SCHEDULED: {State.PUBLISHED, State.WITHDRAWN},
        State.PUBLISHED: {State.EXPIRED, State.WITHDRAWN},
        State.EXPIRED: set(),
        State.WITHDRAWN: set(),
    },
    log_model=EdictTransition,
    subject_field="edict",
    message=_("Aquest edicte no pot passar de «%(from)s» a «%(to)s»."),
    label=_state_label,
)


class NotAllowed(SeuError):
    code = "forbidden"
    http_status = 403


@dataclass(frozen=True)
class IncomingFile:
    name: str
    data: bytes


User = AbstractBaseUser | AnonymousUser


# --- Checks ---------------------------------------------------------------------------------------


def check_pdf(incoming: IncomingFile) -> None:
    """Only whole PDF files that anyone can open and that run nothing are published: the checks
    every PDF the seu takes passes (``documents.intake``), the registry's included."""
    try:
        intake.check_pdf(
            incoming.data, name=incoming.name, max_bytes=settings.TAULER_MAX_ATTACHMENT_BYTES
        )
    except intake.RefusedFile as refused:
        raise InvalidInput(refused.message, code=refused.code) from None


def exposure_end(
    *,
    kind: str,
    days: int | None,
    until: dt.date | None,
    start: dt.datetime,
    working_calendar: calendar.WorkingCalendar | None = None,
) -> dt.datetime:
    """The instant exposure ends (exclusive): 24:00 of the period's last day, local time."""
    cal = working_calendar or calendar.WorkingCalendar()
    start_day = calendar.to_local(start).date()
    if kind == PeriodKind.WORKING_DAYS:
        last = cal.add_working_days(start_day, days or 0)
    elif kind == PeriodKind.CALENDAR_DAYS:
        last = cal.last_day_of_calendar_period(start_day, days or 0)
    else:
        assert until is not None
        last = until
    return calendar.end_of_day(last)


def check_period(
    *, kind: str, days: int | None, until: dt.date | None, start: dt.datetime | None = None
) -> None:
    """A period is a positive number of days up to the maximum, or a date after the start."""
    maximum = settings.TAULER_MAX_EXPOSURE_DAYS
    if kind in (PeriodKind.WORKING_DAYS, PeriodKind.CALENDAR_DAYS):
        if not days or days < 1 or days > maximum:
            raise InvalidInput(
                _("Indicau els dies d'exposició: entre 1 i %(max)d.") % {"max": maximum},
                code="bad_period",
            )
    elif kind == PeriodKind.UNTIL_DATE:
        if until is None:
            raise InvalidInput(_("Indicau fins a quin dia s'exposa l'edicte."), code="bad_period")
        if start is not None and until <= calendar.to_local(start).date():
            raise InvalidInput(
                _("El final de l'exposició (%(end)s) ha de ser posterior a l'inici (%(start)s).")
                % {
                    "end": until.strftime("%d/%m/%Y"),
                    "start": calendar.to_local(start).strftime("%d/%m/%Y"),
                },
                code="end_before_start",
            )
    else:
        raise InvalidInput(_("Tipus de període desconegut."), code="bad_period")


def _check_can_publish(acting_user: User | None) -> None:
    if acting_user is None or not getattr(acting_user, "has_perm", lambda _: False)(
        PUBLISH_PERMISSION
    ):
        raise NotAllowed(
            _("No teniu permís per aprovar, publicar o retirar edictes."), code="forbidden"
        )


# --- State changes --------------------------------------------------------------------------------


def _staff(user: User | None) -> AbstractBaseUser | None:
    """Who the log names: a signed-in user, or nobody (the beat)."""
    return user if isinstance(user, AbstractBaseUser) and user.is_authenticated else None


def _move(
    edict: Edict,
    to_state: str,
    *,
    at: dt.datetime,
    actor: User | None = None,
    reason: str = "",
    fields: Sequence[str] = (),
) -> None:
    """Move the edict (``WORKFLOW``: its log row, ``fields`` saved with the state) and forget
    the board's cached pages, which show it."""
    WORKFLOW.move(edict, to_state, at=at, actor=_staff(actor), reason=reason, fields=fields)
    caching.board_changed()


def _store_attachments(edict: Edict, files: Sequence[IncomingFile]) -> None:
    position = edict.attachments.count()
    for incoming in files:
        check_pdf(incoming)
    for incoming in files:
        position += 1
        blob = documents.store_blob(incoming.data, "application/pdf")
        EdictAttachment.objects.create(
            edict=edict,
            position=position,
            name=incoming.name[:200],
            size=len(incoming.data),
            blob=blob,
        )


@transaction.atomic
def create_draft(
    *,
    title: str,
    category: str,
    organ: Organ,
    text: str,
    period_kind: str,
    period_days: int | None = None,
    period_until: dt.date | None = None,
    files: Sequence[IncomingFile] = (),
    acting_user: User | None,
    now: dt.datetime | None = None,
) -> Edict:
    """A new draft edict. Its documents must be PDF files (art. 18.4: what is published is what
    was sealed); the period is checked against today."""
    now = now or calendar.now()
    _check_organ(acting_user, organ)
    if not title.strip() or not text.strip():
        raise InvalidInput(_("Cal un títol i el text de l'edicte."), code="missing_text")
    if category not in Category.values:
        raise InvalidInput(_("Categoria desconeguda."), code="bad_category")
    check_period(kind=period_kind, days=period_days, until=period_until, start=now)
    edict = Edict(
        title=title.strip(),
        category=category,
        organ=organ,
        text=text,
        period_kind=period_kind,
        period_days=period_days if period_kind != PeriodKind.UNTIL_DATE else None,
        period_until=period_until if period_kind == PeriodKind.UNTIL_DATE else None,
        created_at=now,
        created_by_id=acting_user.pk if acting_user is not None else None,
    )
    WORKFLOW.start(edict, at=now, actor=_staff(acting_user))
    _store_attachments(edict, files)
    return edict


def _locked(edict_id: int, acting_user: User | None) -> Edict:
    """The edict, locked, if ``acting_user`` works for its organ (``seu.staff``: a drafter drafts
    and an approver approves only their organs' edicts); another organ's is one that does not
    exist. ``None`` is the seu itself (the beat), which acts on every edict."""
    edicts: QuerySet[Edict] = Edict.objects.select_for_update()
    if acting_user is not None:
        edicts = scoped_to_staff(edicts, acting_user)
    edict = edicts.filter(pk=edict_id).first()
    if edict is None:
        raise NotFound(_("Aquest edicte no existeix."), code="not_found")
    return edict


def _check_organ(acting_user: User | None, organ: Organ) -> None:
    if acting_user is not None:
        check_works_for(acting_user, organ)


@transaction.atomic
def update_draft(
    *,
    edict_id: int,
    title: str,
    category: str,
    organ: Organ,
    text: str,
    period_kind: str,
    period_days: int | None = None,
    period_until: dt.date | None = None,
    files: Sequence[IncomingFile] = (),
    acting_user: User | None,
    now: dt.datetime | None = None,
) -> Edict:
    now = now or calendar.now()
    edict = _locked(edict_id, acting_user)
    _check_organ(acting_user, organ)
    if edict.state != State.DRAFT:
        raise InvalidTransition(_("Només es pot modificar un edicte en esborrany."))
    check_period(kind=period_kind, days=period_days, until=period_until, start=now)
    edict.title = title.strip()
    edict.category = category
    edict.organ = organ
    edict.text = text
    edict.period_kind = period_kind
    edict.period_days = period_days if period_kind != PeriodKind.UNTIL_DATE else None
    edict.period_until = period_until if period_kind == PeriodKind.UNTIL_DATE else None
    edict.save()
    _store_attachments(edict, files)
    return edict


@transaction.atomic
def add_attachment(*, edict_id: int, file: IncomingFile, acting_user: User | None) -> Edict:
    edict = _locked(edict_id, acting_user)
    if edict.state != State.DRAFT:
        raise InvalidTransition(_("Només es poden afegir documents a un edicte en esborrany."))
    _store_attachments(edict, [file])
    return edict


@transaction.atomic
def submit_for_approval(
    *, edict_id: int, acting_user: User | None, now: dt.datetime | None = None
) -> Edict:
    """Send a draft to an approver: it must have its documents and a valid period."""
    now = now or calendar.now()
    edict = _locked(edict_id, acting_user)
    if not edict.attachments.exists():
        raise InvalidInput(
            _("L'edicte no té cap document adjunt: afegiu-hi almenys un PDF."),
            code="no_documents",
        )
    check_period(
        kind=edict.period_kind, days=edict.period_days, until=edict.period_until, start=now
    )
    _move(edict, State.AWAITING_APPROVAL, at=now, actor=acting_user)
    return edict


@transaction.atomic
def return_to_draft(
    *, edict_id: int, acting_user: User | None, reason: str = "", now: dt.datetime | None = None
) -> Edict:
    now = now or calendar.now()
    _check_can_publish(acting_user)
    edict = _locked(edict_id, acting_user)
    _move(edict, State.DRAFT, at=now, actor=acting_user, reason=reason)
    return edict


@transaction.atomic
def publish_edict(
    *,
    edict_id: int,
    acting_user: User | None,
    publish_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Edict:
    """An approver publishes an edict now, or schedules it for ``publish_at`` (art. 18)."""
    now = now or calendar.now()
    _check_can_publish(acting_user)
    edict = _locked(edict_id, acting_user)
    if edict.state != State.AWAITING_APPROVAL:
        raise InvalidTransition(
            _("Només es pot publicar un edicte pendent d'aprovació (ara és «%(state)s»).")
            % {"state": edict.get_state_display()}
        )
    if not edict.attachments.exists():
        raise InvalidInput(_("L'edicte no té cap document adjunt."), code="no_documents")
    start = publish_at if publish_at is not None and publish_at > now else now
    check_period(
        kind=edict.period_kind, days=edict.period_days, until=edict.period_until, start=start
    )
    if start > now:
        edict.scheduled_for = start
        _move(edict, State.SCHEDULED, at=now, actor=acting_user, fields=["scheduled_for"])
        return edict
    _publish(edict, at=now, actor=acting_user)
    return edict


def _publish(edict: Edict, *, at: dt.datetime, actor: User | None) -> None:
    """Seal the edict's content and put it on display from ``at``; the caller holds the lock."""
    attachments = list(edict.attachments.select_related("blob"))
    edict.year = calendar.to_local(at).year
    edict.number = take_number(EdictCounter, year=edict.year)
    edict.published_at = at
    edict.exposure_ends_at = exposure_end(
        kind=edict.period_kind, days=edict.period_days, until=edict.period_until, start=at
    )
    edict.sealed_document = documents.issue_document(
        kind=Document.Kind.EDICT,
        title=str(_("Edicte %(reference)s") % {"reference": edict.reference}),
        template_name="tauler/pdf/edict.html",
        context={"edict": edict, "attachments": attachments},
        organ=edict.organ,
        language="ca",
        acting_user=_staff(actor),
        now=at,
    )
    _move(
        edict,
        State.PUBLISHED,
        at=at,
        actor=actor,
        fields=["year", "number", "published_at", "exposure_ends_at", "sealed_document"],
    )


@transaction.atomic
def withdraw_edict(
    *, edict_id: int, reason: str, acting_user: User | None, now: dt.datetime | None = None
) -> Edict:
    """Withdraw a scheduled or published edict early; the reason stays on its public page."""
    now = now or calendar.now()
    _check_can_publish(acting_user)
    if not reason.strip():
        raise InvalidInput(_("Cal indicar el motiu de la retirada."), code="missing_reason")
    edict = _locked(edict_id, acting_user)
    was_published = edict.state == State.PUBLISHED
    edict.withdrawn_at = now
    edict.withdrawal_reason = reason.strip()
    _move(
        edict,
        State.WITHDRAWN,
        at=now,
        actor=acting_user,
        reason=edict.withdrawal_reason,
        fields=["withdrawn_at", "withdrawal_reason"],
    )
    if was_published:
        # What was on display, and until when, is certified too (e-TAULER does the same).
        if edict.certified_at is None:
            _certify(edict)
        edict.certificate = _issue_certificate(edict, now=now, end=now)
        edict.save(update_fields=["certificate"])
    return edict


# --- Clocks (Celery beat) -------------------------------------------------------------------------


def publish_due_edicts(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Publish the scheduled edicts whose instant has come, including any a missed beat left."""
    now = now or calendar.now()

    def publish(edict: Edict) -> bool:
        # It goes on display when this sweep runs: that is the instant sealed and certified.
        _publish(edict, at=now, actor=None)
        return True

    return sweep_each(
        Edict.objects.filter(state=State.SCHEDULED, scheduled_for__lte=now),
        publish,
        order_by=["scheduled_for", "pk"],
        limit=limit,
    )


def expire_due_edicts(*, now: dt.datetime | None = None, limit: int = 50) -> int:
    """End the exposure of edicts whose period is over and issue each one's exposure certificate
    (art. 18.4), once: the state change and the certificate are one transaction on a row claimed
    with SKIP LOCKED, so a second run or a second sweeper finds nothing to do."""
    now = now or calendar.now()

    def expire(edict: Edict) -> bool:
        if edict.certified_at is None:
            _certify(edict)
        _move(edict, State.EXPIRED, at=now)
        edict.certificate = _issue_certificate(edict, now=now)
        edict.save(update_fields=["certificate"])
        return True

    return sweep_each(
        Edict.objects.filter(state=State.PUBLISHED, exposure_ends_at__lte=now),
        expire,
        order_by=["exposure_ends_at", "pk"],
        limit=limit,
    )


def _issue_certificate(
    edict: Edict, *, now: dt.datetime, end: dt.datetime | None = None
) -> Document:
    """The sealed exposure certificate; ``end`` is the withdrawal instant of a withdrawn edict."""
    assert edict.published_at is not None and edict.exposure_ends_at is not None
    attachments = list(edict.attachments.select_related("blob"))
    incidents = list(
        Incident.objects.during(
            edict=edict, start=edict.published_at, end=end or edict.exposure_ends_at
        )
    )
    # Planned interruptions of the whole seu (art. 17.1) interrupt the board too.
    planned = list(
        Interruption.objects.overlapping(
            start=edict.published_at,
            end=end or edict.exposure_ends_at,
            scope=Interruption.Scope.SEU,
        )
    )
    monitored_since = (
        HealthRecord.objects.order_by("first_ok_at").values_list("first_ok_at", flat=True).first()
    )
    sealed = edict.sealed_document
    return documents.issue_document(
        kind=Document.Kind.EXPOSURE_CERTIFICATE,
        title=str(_("Diligència d'exposició de l'edicte %(ref)s") % {"ref": edict.reference}),
        template_name="tauler/pdf/exposure_certificate.html",
        context={
            "edict": edict,
            "attachments": attachments,
            "incidents": incidents,
            "planned_interruptions": planned,
            "sealed": sealed,
            "sealed_sha256": sealed.current_version().blob_id if sealed else "",
            "start_local": calendar.to_local(edict.published_at),
            "certified_local": calendar.to_local(edict.certified_at)
            if edict.certified_at
            else None,
            "last_day": edict.exposure_last_day,
            "withdrawn_local": calendar.to_local(end) if end else None,
            "monitored_since": monitored_since,
            "health_interval": settings.TAULER_HEALTH_INTERVAL_SECONDS,
        },
        organ=edict.organ,
        language="ca",
        now=now,
    )


def _certify(edict: Edict) -> bool:
    """Read the timestamp's genTime from the stamped edict document (see the module docstring)."""
    document = edict.sealed_document
    if document is None or document.timestamp_state != Document.TimestampState.DONE:
        return False
    report = documents.verification_report(document)
    instants = [
        s.timestamp_at
        for s in report.timestamps
        if s.timestamp_at is not None and s.intact and s.valid
    ]
    if not instants:
        logger.error("edict %s: its sealed document has no valid timestamp", edict.pk)
        return False
    certified = min(instants)
    edict.certified_at = certified
    fields = ["certified_at"]
    assert edict.published_at is not None
    published_day = calendar.to_local(edict.published_at).date()
    if edict.state == State.PUBLISHED and calendar.to_local(certified).date() > published_day:
        edict.exposure_ends_at = exposure_end(
            kind=edict.period_kind,
            days=edict.period_days,
            until=edict.period_until,
            start=certified,
        )
        fields.append("exposure_ends_at")
    edict.save(update_fields=fields)
    caching.board_changed()
    return True


def certify_publications(*, limit: int = 100) -> int:
    """Record the certified instant of every published edict whose timestamp has arrived."""
    return sweep_each(
        Edict.objects.filter(
            certified_at__isnull=True,
            published_at__isnull=False,
            sealed_document__timestamp_state=Document.TimestampState.DONE,
        ).select_related("sealed_document"),
        _certify,
        order_by=["pk"],
        limit=limit,
    )


# --- Integrity and availability (art. 17.2, 18.4) -------------------------------------------------


def _file_sha256(attachment: EdictAttachment) -> str | None:
    digest = hashlib.sha256()
    try:
        with attachment.blob.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _integrity_failed(attachment: EdictAttachment, *, found: str | None, now: dt.datetime) -> None:
    """Open an integrity incident for the edict's document whose stored bytes hash to ``found``
    (``None``: unreadable), unless one is open; shown to staff and on the exposure certificate."""
    edict = attachment.edict
    with transaction.atomic():
        # The attachment's row is the lock: two checks at once open one incident.
        EdictAttachment.objects.select_for_update().filter(pk=attachment.pk).first()
        already = Incident.objects.filter(
            kind=Incident.Kind.INTEGRITY, attachment=attachment, ended_at__isnull=True
        ).exists()
        if already:
            return
        Incident.objects.create(
            kind=Incident.Kind.INTEGRITY,
            edict=edict,
            attachment=attachment,
            started_at=edict.last_integrity_check_at or edict.published_at or now,
            detected_at=now,
            detail=str(
                _(
                    "El document «%(name)s» emmagatzemat no coincideix amb el publicat: "
                    "SHA-256 esperat %(expected)s, trobat %(found)s."
                )
                % {
                    "name": attachment.name,
                    "expected": attachment.sha256,
                    "found": found or _("(fitxer il·legible)"),
                }
            ),
        )
    logger.error(
        "tauler integrity: edict %s attachment %s does not match its hash",
        edict.pk,
        attachment.pk,
    )


def check_integrity(*, now: dt.datetime | None = None) -> int:
    """Re-hash the stored documents of every edict on display; a mismatch (or a missing file)
    opens an integrity incident, shown to staff and listed on the exposure certificate. Returns
    how many documents failed."""
    now = now or calendar.now()
    failed = 0
    edicts = Edict.objects.filter(state=State.PUBLISHED).prefetch_related("attachments__blob")
    for edict in edicts.iterator(chunk_size=200):
        ok = True
        for attachment in edict.attachments.all():
            found = _file_sha256(attachment)
            if found == attachment.sha256:
                continue
            ok = False
            failed += 1
            attachment.edict = edict
            _integrity_failed(attachment, found=found, now=now)
        Edict.objects.filter(pk=edict.pk).update(last_integrity_check_at=now, last_integrity_ok=ok)
    return failed


def attachment_bytes(*, attachment: EdictAttachment, now: dt.datetime | None = None) -> bytes:
    """The stored bytes of an edict's document, once their SHA-256 is the one the sealed edict
    names (art. 18.4: what is offered is what was published). Otherwise the integrity incident
    is opened as the sweep would, and ``documents.IntegrityFailure`` says the file is refused."""
    try:
        data: bytes | None = attachment.blob.read()
    except OSError:
        data = None
    found = documents.sealing.sha256_hex(data) if data is not None else None
    if data is not None and found == attachment.sha256:
        return data
    _integrity_failed(attachment, found=found, now=now or calendar.now())
    raise documents.IntegrityFailure(
        reason=IntegrityIncident.Reason.MISSING
        if data is None
        else IntegrityIncident.Reason.CONTENT_MISMATCH
    )


@transaction.atomic
def record_board_health(*, probe: Callable[[], bool], now: dt.datetime | None = None) -> bool:
    """Probe the board (``probe``: ``tauler.health.probe_board`` from the beat) and record its
    availability (art. 17.1, 18.4).

    A failed probe opens an "unavailable" incident (from the last good probe); the next good one
    closes it. A gap longer than ``TAULER_HEALTH_MAX_GAP_SECONDS`` between good probes (the
    worker, the beat or the whole seu were down) is recorded as a period in which availability was
    not verified: we cannot tell whether visitors could see the board, so it is listed as an
    incident as well."""
    now = now or calendar.now()
    ok = probe()
    last = HealthRecord.objects.select_for_update().order_by("-last_ok_at").first()
    open_outage = (
        Incident.objects.select_for_update()
        .filter(kind=Incident.Kind.UNAVAILABLE, edict__isnull=True, ended_at__isnull=True)
        .first()
    )
    if not ok:
        if open_outage is None:
            Incident.objects.create(
                kind=Incident.Kind.UNAVAILABLE,
                started_at=last.last_ok_at if last else now,
                detected_at=now,
                detail=str(_("El tauler no ha respost a la comprovació de disponibilitat.")),
            )
        return False
    gap = dt.timedelta(seconds=settings.TAULER_HEALTH_MAX_GAP_SECONDS)
    if open_outage is not None:
        open_outage.ended_at = now
        open_outage.save(update_fields=["ended_at"])
        HealthRecord.objects.create(first_ok_at=now, last_ok_at=now)
    elif last is not None and now - last.last_ok_at > gap:
        Incident.objects.create(
            kind=Incident.Kind.UNVERIFIED,
            started_at=last.last_ok_at,
            ended_at=now,
            detected_at=now,
            detail=str(
                _(
                    "No hi ha hagut comprovacions de disponibilitat del tauler durant aquest "
                    "període."
                )
            ),
        )
        HealthRecord.objects.create(first_ok_at=now, last_ok_at=now)
    elif last is not None:
        last.last_ok_at = now
        last.save(update_fields=["last_ok_at"])
    else:
        HealthRecord.objects.create(first_ok_at=now, last_ok_at=now)
    return True


# --- Information sections (art. 15, 16, 19) -------------------------------------------------------


@transaction.atomic
def attach_information_file(
    *, document_id: int, file: IncomingFile, acting_user: User | None, today: dt.date | None = None
) -> None:
    """Store a PDF for a transparency document (art. 16) and move its update date (art. 15.3)."""
    from tauler.models import InformationDocument

    check_pdf(file)
    blob = documents.store_blob(file.data, "application/pdf")
    InformationDocument.objects.filter(pk=document_id).update(
        blob=blob, updated_on=today or calendar.to_local(calendar.now()).date()
    )
