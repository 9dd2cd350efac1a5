"""Use cases of the electronic notice board (art. 18).

Workflow: draft -> awaiting approval -> scheduled -> published -> expired, or withdrawn (with a
reason that stays public) from scheduled or published. Every change is one function here, inside a
transaction, moving the edict through ``WORKFLOW`` (``seu.core.workflow``), which writes its
``EdictTransition`` row; the back-office, the API and the beat tasks all call these functions.
Edict numbers are gapless per year (``seu.core.numbering``); the beat sweeps claim their due rows
with ``seu.core.sweeps.sweep_each``.

Publishing seals the edict's content (``documents``) and fixes its exposure period
(``tauler.periods``); the end of exposure and a withdrawal issue the exposure certificate
(``tauler.certificates``, art. 18.4). The integrity of the documents on display and the board's
availability are kept by ``tauler.integrity`` and ``tauler.availability``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from documents import intake
from documents import services as documents
from documents.models import Document
from seu import calendar
from seu.core.numbering import take_number
from seu.core.sweeps import sweep_each

# ``tauler.services.InvalidTransition`` is the core's one, raised by ``WORKFLOW`` and below.
from seu.core.workflow import InvalidTransition, Workflow
from seu.errors import InvalidInput, NotFound, SeuError
from seu.models import Organ
from seu.staff import check_works_for, scoped_to_staff
from tauler import caching, certificates
from tauler.models import (
    Category,
    Edict,
    EdictAttachment,
    EdictCounter,
    EdictTransition,
    PeriodKind,
)
from tauler.periods import check_period, exposure_end

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
            certificates.certify(edict)
        edict.certificate = certificates.issue_certificate(edict, now=now, end=now)
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
            certificates.certify(edict)
        _move(edict, State.EXPIRED, at=now)
        edict.certificate = certificates.issue_certificate(edict, now=now)
        edict.save(update_fields=["certificate"])
        return True

    return sweep_each(
        Edict.objects.filter(state=State.PUBLISHED, exposure_ends_at__lte=now),
        expire,
        order_by=["exposure_ends_at", "pk"],
        limit=limit,
    )
