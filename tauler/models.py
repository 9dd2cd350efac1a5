"""The electronic notice board (art. 18): edicts, their documents, their exposure period, and the
evidence that the board kept them available and intact (art. 18.4).

An edict's public address, ``/tauler/<year>/<number>/``, is fixed when it is published and never
changes; the number is gapless per year (``EdictCounter``, taken by ``seu.core.numbering``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from seu import calendar
from seu.core.workflow import TransitionLog


class Category(models.TextChoices):
    URBAN_PLANNING = "urbanisme", _("Urbanisme")
    CONTRACTING = "contractacio", _("Contractació")
    STAFF_SELECTION = "seleccio-personal", _("Selecció de personal")
    TAXES = "tributs", _("Tributs")
    ELECTIONS = "eleccions", _("Eleccions")
    UNKNOWN_PERSONS = "notificacions-desconeguts", _("Notificacions a persones desconegudes")
    OTHER = "altres", _("Altres")


class PeriodKind(models.TextChoices):
    WORKING_DAYS = "working_days", _("dies hàbils")
    CALENDAR_DAYS = "calendar_days", _("dies naturals")
    UNTIL_DATE = "until_date", _("fins a una data")


class EdictCounter(models.Model):
    """The last number given to an edict in a year: its row is the lock of gapless numbering."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("comptador d'edictes")
        verbose_name_plural = _("comptadors d'edictes")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class EdictQuerySet(models.QuerySet["Edict"]):
    def public(self) -> EdictQuerySet:
        """Everything that was ever published: the record stays at its address (art. 18)."""
        return self.filter(number__isnull=False).exclude(published_at__isnull=True)

    def on_display(self, *, at: dt.datetime) -> EdictQuerySet:
        return self.filter(
            state=Edict.State.PUBLISHED, published_at__lte=at, exposure_ends_at__gt=at
        )

    def newest_first(self) -> EdictQuerySet:
        return self.order_by("-published_at", "-pk")


class Edict(models.Model):
    """An edict or announcement on the electronic notice board (art. 18)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("esborrany")
        AWAITING_APPROVAL = "awaiting_approval", _("pendent d'aprovació")
        SCHEDULED = "scheduled", _("programat")
        PUBLISHED = "published", _("publicat")
        EXPIRED = "expired", _("exposició finalitzada")
        WITHDRAWN = "withdrawn", _("retirat")

    title = models.CharField(_("títol"), max_length=300)
    category = models.CharField(_("categoria"), max_length=30, choices=Category.choices)
    organ = models.ForeignKey(
        "seu.Organ", verbose_name=_("òrgan"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"))
    state = models.CharField(_("estat"), max_length=20, choices=State.choices, default=State.DRAFT)
    period_kind = models.CharField(
        _("tipus de període"),
        max_length=20,
        choices=PeriodKind.choices,
        default=PeriodKind.WORKING_DAYS,
    )
    period_days = models.PositiveIntegerField(_("dies d'exposició"), null=True, blank=True)
    period_until = models.DateField(_("exposat fins al dia"), null=True, blank=True)
    # Set when published: the address /tauler/<year>/<number>/ never changes afterwards.
    year = models.PositiveIntegerField(_("any"), null=True, blank=True)
    number = models.PositiveIntegerField(_("número"), null=True, blank=True)
    scheduled_for = models.DateTimeField(_("publicació programada"), null=True, blank=True)
    published_at = models.DateTimeField(_("publicat el"), null=True, blank=True)
    certified_at = models.DateTimeField(
        _("instant certificat per segell de temps"), null=True, blank=True
    )
    exposure_ends_at = models.DateTimeField(_("final de l'exposició"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("retirat el"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("motiu de la retirada"), blank=True)
    sealed_document = models.OneToOneField(
        "documents.Document",
        verbose_name=_("edicte segellat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="edict",
    )
    certificate = models.OneToOneField(
        "documents.Document",
        verbose_name=_("diligència d'exposició"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certified_edict",
    )
    last_integrity_check_at = models.DateTimeField(
        _("darrera comprovació d'integritat"), null=True, blank=True
    )
    last_integrity_ok = models.BooleanField(_("integritat correcta"), null=True, blank=True)
    created_at = models.DateTimeField(_("creat el"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creat per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = EdictQuerySet.as_manager()

    class Meta:
        verbose_name = _("edicte")
        verbose_name_plural = _("edictes")
        ordering = ["-published_at", "-created_at"]
        permissions = [("publish_edict", _("Pot aprovar, publicar i retirar edictes"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="edict_year_number"),
        ]
        indexes = [
            models.Index(fields=["state", "scheduled_for"], name="edict_scheduled_due"),
            models.Index(fields=["state", "exposure_ends_at"], name="edict_exposure_due"),
            models.Index(fields=["state", "-published_at"], name="edict_board"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("tauler:edict", args=[self.year, self.number])

    @property
    def reference(self) -> str:
        return f"{self.year}/{self.number}" if self.number else ""

    @property
    def start(self) -> dt.datetime | None:
        """The start of exposure: the certified instant once the timestamp is read, else the
        instant of publication recorded in the sealed edict."""
        return self.certified_at or self.published_at

    @property
    def exposure_last_day(self) -> dt.date | None:
        if self.exposure_ends_at is None:
            return None
        return (calendar.to_local(self.exposure_ends_at) - dt.timedelta(microseconds=1)).date()

    def is_on_display(self, at: dt.datetime) -> bool:
        return (
            self.state == self.State.PUBLISHED
            and self.published_at is not None
            and self.exposure_ends_at is not None
            and self.published_at <= at < self.exposure_ends_at
        )

    def days_left(self, at: dt.datetime) -> int:
        """Days of exposure left after today, in the unit of the period (working days when the
        period is in working days, calendar days otherwise)."""
        last = self.exposure_last_day
        if last is None:
            return 0
        today = calendar.to_local(at).date()
        if last <= today:
            return 0
        if self.period_kind == PeriodKind.WORKING_DAYS:
            return calendar.WorkingCalendar().working_days_between(today, last)
        return (last - today).days


class EdictAttachment(models.Model):
    edict = models.ForeignKey(Edict, on_delete=models.PROTECT, related_name="attachments")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("nom"), max_length=200)
    size = models.PositiveBigIntegerField(_("mida"))
    blob = models.ForeignKey("documents.Blob", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("document de l'edicte")
        verbose_name_plural = _("documents de l'edicte")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["edict", "position"], name="edict_attachment_position")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sha256(self) -> str:
        return str(self.blob_id)


class EdictTransition(TransitionLog):
    """The life of an edict, one row per change, written with the change (``tauler.services.
    WORKFLOW``)."""

    edict = models.ForeignKey(Edict, on_delete=models.PROTECT, related_name="transitions")

    def __str__(self) -> str:
        return f"{self.edict_id} {self.from_state}->{self.to_state}"


class IncidentQuerySet(models.QuerySet["Incident"]):
    def during(self, *, edict: Edict, start: dt.datetime, end: dt.datetime) -> IncidentQuerySet:
        """Incidents of the whole board or of this edict that overlap [start, end)."""
        return (
            self.filter(models.Q(edict__isnull=True) | models.Q(edict=edict))
            .filter(started_at__lt=end)
            .filter(models.Q(ended_at__isnull=True) | models.Q(ended_at__gt=start))
            .order_by("started_at", "pk")
        )


class Incident(models.Model):
    """Something that affected the availability or the integrity of the board (art. 18.4)."""

    class Kind(models.TextChoices):
        UNAVAILABLE = "unavailable", _("tauler no disponible")
        UNVERIFIED = "unverified", _("disponibilitat no comprovada")
        INTEGRITY = "integrity", _("document alterat")

    kind = models.CharField(_("tipus"), max_length=20, choices=Kind.choices)
    edict = models.ForeignKey(
        Edict,
        verbose_name=_("edicte"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    attachment = models.ForeignKey(
        EdictAttachment,
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    started_at = models.DateTimeField(_("inici"))
    ended_at = models.DateTimeField(_("final"), null=True, blank=True)
    detail = models.TextField(_("detall"))
    detected_at = models.DateTimeField(_("detectada el"))

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incidència del tauler")
        verbose_name_plural = _("incidències del tauler")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        started = calendar.format_datetime(self.started_at, "SHORT_DATETIME_FORMAT")
        return f"{self.get_kind_display()} {started}"


class HealthRecord(models.Model):
    """The board's availability as its own health probe saw it: one row per stretch of
    consecutive successful probes (``first_ok_at`` .. ``last_ok_at``), so a year is a handful of
    rows rather than half a million."""

    first_ok_at = models.DateTimeField(_("primera comprovació correcta"))
    last_ok_at = models.DateTimeField(_("darrera comprovació correcta"))

    class Meta:
        verbose_name = _("període de disponibilitat")
        verbose_name_plural = _("períodes de disponibilitat")
        ordering = ["-last_ok_at"]

    def __str__(self) -> str:
        first, last = self.first_ok_at, self.last_ok_at
        return " - ".join(
            calendar.format_datetime(x, "SHORT_DATETIME_FORMAT") for x in (first, last)
        )
