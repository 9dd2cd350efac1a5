"""Appointments of the certificate accreditation office (seed 000).

The town hall is an FNMT accreditation office: citizens who requested a software certificate come,
by appointment, to prove their identity with the request code the FNMT e-mailed them. The office
may also register people in Cl@ve in person. Each ``Service`` says when it opens; ``Slot`` rows
exist only for times someone booked or a clerk closed, and the slot row is the lock that keeps the
number of appointments of a time within its places.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seu.core.workflow import TransitionLog


def default_weekdays() -> str:
    """A new service's days: Monday, Tuesday and Thursday, the accreditation office's (seed 000).
    From then on the service's own days are the only ones (the booking pages, /certificats/)."""
    return "0,1,3"


class Service(models.Model):
    """What one can book: the FNMT identity accreditation, Cl@ve registration; its timetable."""

    code = models.SlugField(_("codi"), max_length=30, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("descripció"), blank=True)
    is_active = models.BooleanField(_("s'ofereix"), default=True)
    asks_request_code = models.BooleanField(
        _("demana el codi de sol·licitud de la FNMT"), default=False
    )
    weekdays = models.CharField(
        _("dies d'obertura"),
        max_length=20,
        default=default_weekdays,
        help_text=_("Dies de la setmana, 0 = dilluns: per exemple «0,1,3»."),
    )
    opens_at = models.TimeField(_("obre a les"), default=dt.time(9, 0))
    closes_at = models.TimeField(_("tanca a les"), default=dt.time(13, 0))
    slot_minutes = models.PositiveSmallIntegerField(_("durada de cada cita (minuts)"), default=15)
    places_per_slot = models.PositiveSmallIntegerField(_("places per franja"), default=1)
    horizon_days = models.PositiveSmallIntegerField(
        _("es pot reservar amb antelació de (dies)"), default=56
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("servei de cita prèvia")
        verbose_name_plural = _("serveis de cita prèvia")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def weekday_numbers(self) -> set[int]:
        return {int(day) for day in self.weekdays.split(",") if day.strip().isdigit()}

    def slot_times(self) -> list[dt.time]:
        """The start times of a day's slots, in local time."""
        times: list[dt.time] = []
        step = dt.timedelta(minutes=max(self.slot_minutes, 1))
        current = dt.datetime.combine(dt.date(2000, 1, 1), self.opens_at)
        end = dt.datetime.combine(dt.date(2000, 1, 1), self.closes_at)
        while current + step <= end:
            times.append(current.time())
            current += step
        return times


class ClosedDay(models.Model):
    """A day the office does not open (absence, holidays), for one service or for all."""

    date = models.DateField(_("data"))
    service = models.ForeignKey(
        Service,
        verbose_name=_("servei"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("En blanc: tots els serveis."),
    )
    reason = models.CharField(_("motiu"), max_length=200)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("dia tancat")
        verbose_name_plural = _("dies tancats")
        ordering = ["-date"]

    def __str__(self) -> str:
        from seu.calendar import format_date

        return f"{format_date(self.date, 'SHORT_DATE_FORMAT')} {self.reason}"


class Slot(models.Model):
    """One bookable time of a service. The row is locked while a place in it is taken."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField(_("inici"))
    is_closed = models.BooleanField(_("tancada"), default=False)
    closed_reason = models.CharField(_("motiu del tancament"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("franja")
        verbose_name_plural = _("franges")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "starts_at"], name="cites_slot_unique")
        ]

    def __str__(self) -> str:
        from seu.calendar import format_datetime

        return f"{self.service} {format_datetime(self.starts_at, 'SHORT_DATETIME_FORMAT')}"


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def active(self) -> AppointmentQuerySet:
        return self.filter(state__in=Appointment.ACTIVE_STATES)

    def on_day(self, day: dt.date) -> AppointmentQuerySet:
        from seu.calendar import end_of_day, start_of_day

        # Not start + 24 h: the days the clocks change last 23 or 25 hours.
        return self.filter(starts_at__gte=start_of_day(day), starts_at__lt=end_of_day(day))


class Appointment(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pendent de confirmar")
        CONFIRMED = "confirmed", _("confirmada")
        ATTENDED = "attended", _("atesa — identitat acreditada")
        NO_SHOW = "no_show", _("no s'hi ha presentat")
        CANCELLED = "cancelled", _("anul·lada")
        EXPIRED = "expired", _("no confirmada a temps")

    class IdentityDocument(models.TextChoices):
        DNI = "dni", _("DNI")
        PASSPORT = "passport", _("passaport")
        DRIVING_LICENCE = "driving_licence", _("permís de conduir")
        NIE = "nie", _("document del NIE (persones estrangeres)")

    ACTIVE_STATES = (State.PENDING, State.CONFIRMED)

    service = models.ForeignKey(
        Service, verbose_name=_("servei"), on_delete=models.PROTECT, related_name="appointments"
    )
    slot = models.ForeignKey(
        Slot, verbose_name=_("franja"), on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(_("data i hora"))
    state = models.CharField(_("estat"), max_length=10, choices=State.choices)
    nif = models.CharField(_("NIF o NIE"), max_length=12, blank=True)
    given_name = models.CharField(_("nom"), max_length=100, blank=True)
    first_surname = models.CharField(_("primer llinatge"), max_length=100, blank=True)
    email = models.EmailField(_("adreça electrònica"), blank=True)
    phone = models.CharField(_("telèfon"), max_length=20, blank=True)
    request_code = models.CharField(_("codi de sol·licitud"), max_length=40, blank=True)
    language = models.CharField(_("llengua"), max_length=5, default="ca")
    created_at = models.DateTimeField(_("demanada el"))
    confirm_by = models.DateTimeField(_("s'ha de confirmar abans de"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmada el"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("recordatori enviat el"), null=True, blank=True)
    identity_document = models.CharField(
        _("document d'identitat mostrat"),
        max_length=20,
        choices=IdentityDocument.choices,
        blank=True,
    )
    accredited_request_code = models.CharField(
        _("codi de sol·licitud acreditat"), max_length=40, blank=True
    )
    erased_at = models.DateTimeField(_("dades personals esborrades el"), null=True, blank=True)
    # Bumped when the appointment moves: links to manage it stay valid, confirmation links of an
    # earlier time do not.
    version = models.PositiveIntegerField(default=1)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("cita")
        verbose_name_plural = _("cites")
        ordering = ["starts_at", "pk"]
        permissions = [("run_office", _("Pot gestionar l'oficina d'acreditació"))]
        constraints = [
            # One active appointment per person and service, even under concurrent bookings.
            models.UniqueConstraint(
                fields=["service", "nif"],
                condition=models.Q(state__in=["pending", "confirmed"], erased_at__isnull=True),
                name="cites_one_active_per_nif",
            )
        ]
        indexes = [
            models.Index(fields=["state", "confirm_by"], name="cites_pending_due"),
            models.Index(fields=["state", "starts_at"], name="cites_state_start"),
            models.Index(fields=["erased_at", "starts_at"], name="cites_erasure"),
        ]

    def __str__(self) -> str:
        from seu.calendar import format_datetime

        return f"{self.service} {format_datetime(self.starts_at, 'SHORT_DATETIME_FORMAT')}"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.first_surname}".strip()

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.service.slot_minutes)


class AppointmentTransition(TransitionLog):
    """The life of an appointment, one row per change, written with the change
    (``cites.services.WORKFLOW``)."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="transitions"
    )

    def __str__(self) -> str:
        return f"{self.appointment_id} {self.from_state}->{self.to_state}"


class EmailKind(models.TextChoices):
    """The e-mails of an appointment (sent through the shared outbox, ``seu.core.outbox``)."""

    REQUEST = "request", _("confirmació pendent")
    CONFIRMED = "confirmed", _("cita confirmada")
    REMINDER = "reminder", _("recordatori")
    CANCELLED = "cancelled", _("cita anul·lada")
    LINKS = "links", _("enllaços de la cita, enviats de nou")
