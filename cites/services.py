"""Use cases of the accreditation office (seed 000): book, confirm, cancel, change, attend, and the
sweeps that release unconfirmed places, send reminders and erase personal data. Its e-mails leave
through the shared outbox (``seu.core.outbox``).

A place is taken under the lock of its ``Slot`` row: the row is created if missing, locked with
``SELECT ... FOR UPDATE``, and the active appointments of the slot are counted while it is held, so
two people taking the last place at once get one appointment and one "choose another time".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event

from cites import caching, selectors
from cites.models import Appointment, AppointmentTransition, ClosedDay, EmailKind, Service, Slot
from seu import caching as seu_caching
from seu import calendar, throttle
from seu import services as seu_services
from seu.core import outbox
from seu.core.sweeps import claim_due
from seu.core.workflow import InvalidTransition, Workflow
from seu.errors import InvalidInput, RateLimited
from seu.models import BackOfficeChange, OutgoingEmail, TownHall
from seu.translated import in_source_language

logger = logging.getLogger(__name__)

State = Appointment.State

WORKFLOW = Workflow(
    transitions={
        "": {State.PENDING},
        State.PENDING: {
            State.CONFIRMED,
            State.CANCELLED,
            State.EXPIRED,
            State.ATTENDED,
            State.NO_SHOW,
        },
        State.CONFIRMED: {State.CANCELLED, State.ATTENDED, State.NO_SHOW},
        State.ATTENDED: set(),
        State.NO_SHOW: set(),
        State.CANCELLED: set(),
        State.EXPIRED: set(),
    },
    log_model=AppointmentTransition,
    subject_field="appointment",
    message=_("Aquesta cita no pot passar de «%(from)s» a «%(to)s»."),
    reason_max_length=200,
)

CONFIRM_SALT = "cites.confirm"
MANAGE_SALT = "cites.manage"
EMAIL_KIND_PREFIX = "cites."


# --- Errors --------------------------------------------------------------------------------------


class AppointmentError(InvalidInput):
    code = "appointment_error"


class SlotNotOffered(AppointmentError):
    code = "slot_not_offered"

    def __init__(self) -> None:
        super().__init__(_("Aquesta hora no s'ofereix. Triau una de les hores lliures."))


class SlotClosed(AppointmentError):
    code = "slot_closed"

    def __init__(self) -> None:
        super().__init__(
            _("L'oficina ha tancat aquesta hora i no s'hi pot demanar cita. Triau-ne una altra.")
        )


class SlotFull(AppointmentError):
    code = "slot_full"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Algú altre acaba d'agafar la darrera plaça d'aquesta hora. Triau-ne una altra, "
                "si us plau."
            )
        )


class AlreadyBooked(AppointmentError):
    code = "already_booked"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Aquest NIF o NIE ja té una cita activa per a aquest servei. Per canviar-la, "
                "feu servir l'enllaç del correu electrònic que vàreu rebre."
            )
        )


class ConfirmationTooLate(AppointmentError):
    code = "confirmation_too_late"

    def __init__(self) -> None:
        super().__init__(
            _(
                "No es va confirmar la cita a temps i la plaça s'ha alliberat. Podeu demanar "
                "una cita nova."
            )
        )


class NotActive(AppointmentError):
    code = "not_active"

    def __init__(self) -> None:
        super().__init__(_("Aquesta cita ja no està activa: no es pot canviar ni anul·lar."))


class BadLink(AppointmentError):
    code = "bad_link"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Aquest enllaç no és vàlid: potser s'ha copiat malament. Feu servir l'enllaç "
                "complet del correu electrònic."
            )
        )


class ExpiredLink(AppointmentError):
    code = "expired_link"

    def __init__(self) -> None:
        super().__init__(
            _("Aquest enllaç ha caducat. Si encara necessitau cita, demanau-ne una de nova.")
        )


class MissingAttendanceData(AppointmentError):
    code = "missing_attendance_data"


class OutcomeTooEarly(AppointmentError):
    code = "outcome_too_early"

    def __init__(self) -> None:
        super().__init__(
            _(
                "Encara no és l'hora d'aquesta cita: el resultat es registra quan la persona "
                "ha vingut, o no, a l'hora."
            )
        )


class BadServiceSettings(AppointmentError):
    code = "bad_service_settings"


# --- Links ---------------------------------------------------------------------------------------


def make_link_token(appointment: Appointment, *, salt: str) -> str:
    return signing.dumps({"a": appointment.pk, "v": appointment.version}, salt=salt, compress=False)


def read_link_token(token: str, *, salt: str) -> Appointment:
    """The appointment a signed link names; ``BadLink`` if tampered, ``ExpiredLink`` if too old
    or if it names an earlier time of an appointment that was moved."""
    max_age = dt.timedelta(days=settings.CITES_LINK_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ExpiredLink() from error
    except signing.BadSignature as error:
        raise BadLink() from error
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), int):
        raise BadLink()
    appointment = Appointment.objects.select_related("service").filter(pk=payload["a"]).first()
    if appointment is None or appointment.erased_at is not None:
        raise ExpiredLink()
    if salt == CONFIRM_SALT and payload.get("v") != appointment.version:
        raise ExpiredLink()
    return appointment


def absolute(path: str) -> str:
    return settings.SEU_BASE_URL + path


def confirm_url(appointment: Appointment) -> str:
    token = make_link_token(appointment, salt=CONFIRM_SALT)
    return absolute(reverse("cites:confirm", args=[token]))


def manage_url(appointment: Appointment) -> str:
    token = make_link_token(appointment, salt=MANAGE_SALT)
    return absolute(reverse("cites:manage", args=[token]))


# --- Calendar file -------------------------------------------------------------------------------


def appointment_ics(appointment: Appointment, town_hall: TownHall) -> str:
    """An iCalendar file (RFC 5545) with the appointment in Europe/Madrid time."""
    cal = Calendar()
    cal.add("prodid", "-//Seu electronica//Cita previa//CA")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    host = settings.SEU_BASE_URL.split("://", 1)[-1].split("/", 1)[0]
    event.add("uid", f"cita-{appointment.pk}@{host}")
    event.add("dtstamp", calendar.now())
    event.add("dtstart", calendar.to_local(appointment.starts_at))
    event.add("dtend", calendar.to_local(appointment.ends_at))
    event.add("summary", f"{town_hall.name}: {appointment.service.name}")
    address = ", ".join(
        part
        for part in (town_hall.address, f"{town_hall.postal_code} {town_hall.municipality}")
        if part.strip()
    )
    event.add("location", address)
    event.add("description", str(what_to_bring_text(appointment.service)))
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical().decode()


def what_to_bring_text(service: Service) -> str:
    text = str(
        _(
            "Portau un document d'identitat original i vigent: DNI, passaport o permís de "
            "conduir; les persones estrangeres, la documentació del NIE."
        )
    )
    if service.asks_request_code:
        text += " " + str(_("Portau també el codi de sol·licitud que us va enviar la FNMT."))
    return text


# --- E-mails -------------------------------------------------------------------------------------


def _queue_email(
    appointment: Appointment, kind: str, *, now: dt.datetime, with_ics: bool = False
) -> OutgoingEmail:
    town_hall = seu_caching.town_hall()
    with translation.override(appointment.language):
        context: dict[str, Any] = {
            "appointment": appointment,
            "service": appointment.service,
            "local_start": calendar.to_local(appointment.starts_at),
            "town_hall": town_hall,
            "what_to_bring": what_to_bring_text(appointment.service),
            "manage_url": manage_url(appointment),
            "confirm_url": confirm_url(appointment)
            if kind == EmailKind.REQUEST
            or (kind == EmailKind.LINKS and appointment.state == State.PENDING)
            else "",
            "confirm_by": calendar.to_local(appointment.confirm_by)
            if appointment.confirm_by
            else None,
            "book_url": absolute(reverse("cites:index")),
        }
        base = f"cites/emails/{kind}"
        subject = render_to_string(f"{base}_subject.txt", context)
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    ics = (
        [
            outbox.TextAttachment(
                "cita.ics", appointment_ics(appointment, town_hall), "text/calendar"
            )
        ]
        if with_ics
        else []
    )
    return outbox.queue_email(
        kind=f"{EMAIL_KIND_PREFIX}{kind}",
        to=appointment.email,
        subject=subject,
        text_body=text,
        html_body=html,
        attachments=ics,
        about=appointment,
        now=now,
    )


# --- State changes -------------------------------------------------------------------------------


def _lock_slot(service: Service, starts_at: dt.datetime) -> Slot:
    """The slot row, created if missing, locked until the transaction ends."""
    slots = Slot.objects.select_for_update()
    try:
        # Most times were booked before: one statement when the row exists.
        return slots.get(service=service, starts_at=starts_at)
    except Slot.DoesNotExist:
        Slot.objects.bulk_create(
            [Slot(service=service, starts_at=starts_at)], ignore_conflicts=True
        )
        return slots.get(service=service, starts_at=starts_at)


def _take_place(service: Service, starts_at: dt.datetime, *, now: dt.datetime) -> tuple[Slot, int]:
    """The locked slot of a free place at ``starts_at``, and how many places it has left once
    this one is taken."""
    if not selectors.is_offered(service, starts_at, now=now):
        if Slot.objects.filter(service=service, starts_at=starts_at, is_closed=True).exists():
            raise SlotClosed()
        raise SlotNotOffered()
    slot = _lock_slot(service, starts_at)
    if slot.is_closed:
        raise SlotClosed()
    taken = slot.appointments.active().count()
    if taken >= service.places_per_slot:
        raise SlotFull()
    return slot, service.places_per_slot - taken - 1


@dataclass(frozen=True)
class Applicant:
    """What a person gives to book: no identification is needed (they have no certificate yet)."""

    nif: str
    given_name: str
    first_surname: str
    email: str
    phone: str = ""
    request_code: str = ""


@transaction.atomic
def book_appointment(
    *,
    service: Service,
    starts_at: dt.datetime,
    applicant: Applicant,
    language: str = "ca",
    now: dt.datetime | None = None,
) -> Appointment:
    """Take a place and ask the person to confirm it from their e-mail within
    ``CITES_CONFIRMATION_MINUTES``; otherwise the place is released."""
    now = now or calendar.now()
    if Appointment.objects.active().filter(service=service, nif=applicant.nif).exists():
        raise AlreadyBooked()
    slot, places_left = _take_place(service, starts_at, now=now)
    appointment = Appointment(
        service=service,
        slot=slot,
        starts_at=starts_at,
        state=State.PENDING,
        nif=applicant.nif,
        given_name=applicant.given_name,
        first_surname=applicant.first_surname,
        email=applicant.email,
        phone=applicant.phone,
        request_code=applicant.request_code if service.asks_request_code else "",
        language=(language or "ca")[:2],
        created_at=now,
        confirm_by=now + dt.timedelta(minutes=settings.CITES_CONFIRMATION_MINUTES),
    )
    try:
        appointment.save()
    except IntegrityError as error:
        # The partial unique index decides between two bookings of one NIF at the same instant.
        # No savepoint around the insert: nothing more is run in this transaction, and leaving
        # this function rolls it back (or rolls back to its savepoint, when called inside one).
        raise AlreadyBooked() from error
    WORKFLOW.start(appointment, at=now, reason="booked")
    if not places_left:
        # The day's free times change only if this takes the time's last place (counted under
        # the slot's lock, which every booking of the time takes): otherwise it stays cached.
        caching.day_changed(service.pk, starts_at)
    _queue_email(appointment, EmailKind.REQUEST, now=now)
    return appointment


@transaction.atomic
def confirm_appointment(*, appointment: Appointment, now: dt.datetime | None = None) -> Appointment:
    """Confirm from the e-mail link; a second click changes nothing."""
    now = now or calendar.now()
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("service")
        .get(pk=appointment.pk)
    )
    if locked.state == State.CONFIRMED:
        return locked
    if locked.state == State.EXPIRED or (
        locked.state == State.PENDING and locked.confirm_by and locked.confirm_by < now
    ):
        raise ConfirmationTooLate()
    if locked.state != State.PENDING:
        raise NotActive()
    locked.confirmed_at = now
    locked.save(update_fields=["confirmed_at"])
    WORKFLOW.move(locked, State.CONFIRMED, at=now, reason="confirmed by e-mail link")
    _queue_email(locked, EmailKind.CONFIRMED, now=now, with_ics=True)
    return locked


@transaction.atomic
def cancel_appointment(
    *,
    appointment: Appointment,
    acting_user: AbstractBaseUser | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Cancel an active appointment (the person from their link, or a clerk); frees the place."""
    now = now or calendar.now()
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("service")
        .get(pk=appointment.pk)
    )
    if locked.state == State.CANCELLED:
        return locked
    if not locked.is_active or (acting_user is None and locked.starts_at <= now):
        raise NotActive()
    WORKFLOW.move(
        locked,
        State.CANCELLED,
        at=now,
        actor=acting_user,
        reason=reason or ("cancelled by the clerk" if acting_user else "cancelled by link"),
    )
    caching.day_changed(locked.service_id, locked.starts_at)
    if locked.email:
        _queue_email(locked, EmailKind.CANCELLED, now=now)
    return locked


@transaction.atomic
def change_appointment(
    *, appointment: Appointment, starts_at: dt.datetime, now: dt.datetime | None = None
) -> Appointment:
    """Move an active appointment to another free time of its service (from the e-mail link).

    The new place is taken under its slot's lock like a booking; the appointment keeps its state
    and a confirmed one gets a new confirmation e-mail with the new calendar file."""
    now = now or calendar.now()
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("service")
        .get(pk=appointment.pk)
    )
    if not locked.is_active or locked.starts_at <= now:
        raise NotActive()
    if starts_at == locked.starts_at:
        return locked
    slot, _ = _take_place(locked.service, starts_at, now=now)
    # The time left frees a place; the new one may have lost its last.
    caching.day_changed(locked.service_id, locked.starts_at)
    caching.day_changed(locked.service_id, starts_at)
    locked.slot = slot
    locked.starts_at = starts_at
    locked.version += 1
    locked.reminder_sent_at = None
    locked.save(update_fields=["slot", "starts_at", "version", "reminder_sent_at"])
    WORKFLOW.note(locked, at=now, reason="moved")
    kind = EmailKind.CONFIRMED if locked.state == State.CONFIRMED else EmailKind.REQUEST
    _queue_email(locked, kind, now=now, with_ics=kind == EmailKind.CONFIRMED)
    return locked


@transaction.atomic
def record_outcome(
    *,
    appointment: Appointment,
    outcome: str,
    acting_user: AbstractBaseUser,
    identity_document: str = "",
    request_code: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """The clerk's record at the desk: identity accredited (with the document shown and, for the
    FNMT, the request code), no-show, or cancelled. Whether the person came is known only once
    the appointment's time has come: before it, the clerk can only cancel."""
    now = now or calendar.now()
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("service")
        .get(pk=appointment.pk)
    )
    if outcome == State.CANCELLED:
        return cancel_appointment(appointment=locked, acting_user=acting_user, now=now)
    if outcome in (State.ATTENDED, State.NO_SHOW) and now < locked.starts_at:
        raise OutcomeTooEarly()
    if outcome == State.ATTENDED:
        if identity_document not in Appointment.IdentityDocument.values:
            raise MissingAttendanceData(
                _("Indicau quin document d'identitat ha mostrat la persona.")
            )
        code = request_code.strip() or locked.request_code
        if locked.service.asks_request_code and not code:
            raise MissingAttendanceData(_("Indicau el codi de sol·licitud de la FNMT."))
        locked.identity_document = identity_document
        locked.accredited_request_code = code
        locked.save(update_fields=["identity_document", "accredited_request_code"])
    elif outcome != State.NO_SHOW:
        raise InvalidTransition(_("Resultat desconegut."))
    WORKFLOW.move(locked, outcome, at=now, actor=acting_user, reason="recorded at the office")
    caching.day_changed(locked.service_id, locked.starts_at)
    return locked


@transaction.atomic
def close_slot(
    *,
    service: Service,
    starts_at: dt.datetime,
    reason: str,
    acting_user: AbstractBaseUser,
) -> Slot:
    """No more bookings at this time; appointments already in it stay for the clerk to handle."""
    slot = _lock_slot(service, starts_at)
    slot.is_closed = True
    slot.closed_reason = reason[:200]
    slot.save(update_fields=["is_closed", "closed_reason"])
    caching.day_changed(service.pk, starts_at)
    return slot


@transaction.atomic
def reopen_slot(*, slot: Slot, acting_user: AbstractBaseUser) -> Slot:
    slot.is_closed = False
    slot.closed_reason = ""
    slot.save(update_fields=["is_closed", "closed_reason"])
    caching.day_changed(slot.service_id, slot.starts_at)
    return slot


# --- The services offered and their timetable (back-office) --------------------------------------


@dataclass(frozen=True)
class ServiceSettings:
    """What the office sets for a service it offers: name, whether it is offered, timetable.

    ``name`` and ``description`` are the Catalan text; ``*_es`` and ``*_en`` their translations,
    which the booking pages show in Spanish and English (empty: the Catalan text, art. 4)."""

    code: str
    name: str
    description: str = ""
    name_es: str = ""
    name_en: str = ""
    description_es: str = ""
    description_en: str = ""
    is_active: bool = True
    asks_request_code: bool = False
    weekdays: str = "0,1,3"
    opens_at: dt.time = dt.time(9, 0)
    closes_at: dt.time = dt.time(13, 0)
    slot_minutes: int = 15
    places_per_slot: int = 1
    horizon_days: int = 56
    position: int = 0


_SERVICE_FIELDS = tuple(ServiceSettings.__dataclass_fields__)
# The columns they are saved to: the Catalan text in its own column too (``seu.translated``).
_SAVED_FIELDS = (*_SERVICE_FIELDS, "name_ca", "description_ca")


def _columns(values: ServiceSettings) -> dict[str, object]:
    return {**asdict(values), "name_ca": values.name, "description_ca": values.description}


def _check_settings(values: ServiceSettings) -> None:
    if values.opens_at >= values.closes_at:
        raise BadServiceSettings(_("L'hora de tancament ha de ser posterior a la d'obertura."))
    if values.slot_minutes < 1:
        raise BadServiceSettings(_("La durada ha de ser d'un minut o més."))
    if values.places_per_slot < 1:
        raise BadServiceSettings(_("Cada franja ha de tenir almenys una plaça."))


@transaction.atomic
@in_source_language()
def create_service(*, values: ServiceSettings, acting_user: AbstractBaseUser | None) -> Service:
    """A new service one can book: logged, and offered at once (the office's cache is
    forgotten)."""
    _check_settings(values)
    service = Service.objects.create(**_columns(values))
    seu_services.record_change(
        obj=service,
        action=BackOfficeChange.Action.CREATED,
        acting_user=acting_user,
        after=seu_services.snapshot(service, _SERVICE_FIELDS),
    )
    caching.office_changed()
    return service


@transaction.atomic
@in_source_language()
def change_service(
    *, service: Service, values: ServiceSettings, acting_user: AbstractBaseUser | None
) -> Service:
    """Change what a service offers (its timetable, whether it is offered at all): logged, and
    the booking pages, ``/certificats/`` and the home page follow at once. Appointments already
    booked keep their time."""
    _check_settings(values)
    locked = Service.objects.select_for_update().get(pk=service.pk)
    before = seu_services.snapshot(locked, _SERVICE_FIELDS)
    for name, value in _columns(values).items():
        setattr(locked, name, value)
    locked.save(update_fields=list(_SAVED_FIELDS))
    seu_services.record_change(
        obj=locked,
        action=BackOfficeChange.Action.CHANGED,
        acting_user=acting_user,
        before=before,
        after=seu_services.snapshot(locked, _SERVICE_FIELDS),
    )
    caching.office_changed()
    return locked


_CLOSED_DAY_FIELDS = ("date", "service", "reason")


@transaction.atomic
def close_day(
    *, day: dt.date, reason: str, acting_user: AbstractBaseUser, service: Service | None = None
) -> ClosedDay:
    """The office does not open on ``day`` (for ``service``, or for all when None): its times
    leave the availability at once, and the change is logged with who made it."""
    closed = ClosedDay.objects.create(
        date=day, service=service, reason=reason[:200], closed_by_id=acting_user.pk
    )
    seu_services.record_change(
        obj=closed,
        action=BackOfficeChange.Action.CREATED,
        acting_user=acting_user,
        after=seu_services.snapshot(closed, _CLOSED_DAY_FIELDS),
    )
    caching.office_changed()
    return closed


@transaction.atomic
def change_closed_day(
    *,
    closed_day: ClosedDay,
    day: dt.date,
    reason: str,
    acting_user: AbstractBaseUser,
    service: Service | None = None,
) -> ClosedDay:
    closed = ClosedDay.objects.select_for_update().get(pk=closed_day.pk)
    before = seu_services.snapshot(closed, _CLOSED_DAY_FIELDS)
    closed.date, closed.service, closed.reason = day, service, reason[:200]
    closed.save(update_fields=list(_CLOSED_DAY_FIELDS))
    seu_services.record_change(
        obj=closed,
        action=BackOfficeChange.Action.CHANGED,
        acting_user=acting_user,
        before=before,
        after=seu_services.snapshot(closed, _CLOSED_DAY_FIELDS),
    )
    caching.office_changed()
    return closed


@transaction.atomic
def reopen_day(*, closed_day: ClosedDay, acting_user: AbstractBaseUser) -> None:
    """The office opens again on a day it had closed: the closed day is withdrawn and logged."""
    seu_services.record_change(
        obj=closed_day,
        action=BackOfficeChange.Action.DELETED,
        acting_user=acting_user,
        before=seu_services.snapshot(closed_day, _CLOSED_DAY_FIELDS),
    )
    ClosedDay.objects.filter(pk=closed_day.pk).delete()
    caching.office_changed()


# --- Links sent again ----------------------------------------------------------------------------

RESEND_ADDRESS_SCOPE = "cites-links-address"
RESEND_PERSON_SCOPE = "cites-links-person"
# Enough for a person who mistypes; too few to mail-bomb someone or to probe NIFs.
RESENDS_PER_ADDRESS_PER_HOUR = 5
RESENDS_PER_PERSON_PER_DAY = 3


class TooManyLinkRequests(RateLimited):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Heu demanat els enllaços massa vegades. Tornau-ho a provar més tard o "
                "telefonau a l'Ajuntament."
            ),
            code="too_many_link_requests",
        )


def resend_links(*, nif: str, email: str, client_key: str, now: dt.datetime | None = None) -> int:
    """Send again the links of the active, future appointments booked with this NIF *and* this
    e-mail address, to that address (the one the booking stored). The caller says the same to
    the person whether or not one matched: a stranger who types a NIF learns nothing, and the
    links reach only the address that booked. Limited per client address and per NIF. Returns
    how many were sent (for the tests and the logs, never for the page)."""
    now = now or calendar.now()
    person = nif.strip().upper()
    if (
        throttle.count(scope=RESEND_ADDRESS_SCOPE, key=client_key) >= RESENDS_PER_ADDRESS_PER_HOUR
        or throttle.count(scope=RESEND_PERSON_SCOPE, key=person) >= RESENDS_PER_PERSON_PER_DAY
    ):
        raise TooManyLinkRequests()
    throttle.record(scope=RESEND_ADDRESS_SCOPE, key=client_key, window_seconds=3600)
    throttle.record(scope=RESEND_PERSON_SCOPE, key=person, window_seconds=86400)
    with transaction.atomic():
        found = list(
            Appointment.objects.active()
            .select_related("service")
            .filter(
                nif=person,
                email__iexact=email.strip(),
                erased_at__isnull=True,
                starts_at__gt=now,
            )
        )
        for appointment in found:
            _queue_email(appointment, EmailKind.LINKS, now=now)
    return len(found)


# --- Sweeps (Celery beat) ------------------------------------------------------------------------


def release_unconfirmed(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Unconfirmed appointments whose time to confirm has passed free their place."""
    now = now or calendar.now()
    released = 0
    with transaction.atomic():
        due = claim_due(
            Appointment.objects.filter(state=State.PENDING, confirm_by__lt=now),
            order_by=["confirm_by"],
            limit=batch,
        )
        for appointment in due:
            WORKFLOW.move(appointment, State.EXPIRED, at=now, reason="not confirmed in time")
            caching.day_changed(appointment.service_id, appointment.starts_at)
            released += 1
    return released


def send_reminders(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """The day before (or, if a run was missed, the same day while it is still ahead): one reminder
    per confirmed future appointment, marked by ``reminder_sent_at``."""
    now = now or calendar.now()
    tomorrow = calendar.to_local(now).date() + dt.timedelta(days=1)
    until = calendar.end_of_day(tomorrow)
    sent = 0
    with transaction.atomic():
        due = claim_due(
            Appointment.objects.select_related("service").filter(
                state=State.CONFIRMED,
                reminder_sent_at__isnull=True,
                starts_at__gt=now,
                starts_at__lt=until,
            ),
            order_by=["starts_at"],
            limit=batch,
        )
        for appointment in due:
            appointment.reminder_sent_at = now
            appointment.save(update_fields=["reminder_sent_at"])
            _queue_email(appointment, EmailKind.REMINDER, now=now, with_ics=True)
            sent += 1
    return sent


PERSONAL_FIELDS = ("nif", "given_name", "first_surname", "email", "phone", "request_code")


def erase_personal_data(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Personal data of appointments older than ``CITES_RETENTION_DAYS`` are erased; the rows
    stay, with service, time and outcome, for the anonymous figures."""
    now = now or calendar.now()
    limit = now - dt.timedelta(days=settings.CITES_RETENTION_DAYS)
    with transaction.atomic():
        ids = [
            appointment.pk
            for appointment in claim_due(
                Appointment.objects.filter(erased_at__isnull=True, starts_at__lt=limit).only("pk"),
                order_by=["starts_at"],
                limit=batch,
            )
        ]
        Appointment.objects.filter(pk__in=ids).update(
            erased_at=now, accredited_request_code="", **dict.fromkeys(PERSONAL_FIELDS, "")
        )
        outbox.erase_emails_about([outbox.reference(Appointment(pk=pk)) for pk in ids])
    return len(ids)
