"""The town hall's identity, its organs and the days it declares non-working."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.es import cif

from seu import calendar
from seu.core.workflow import TransitionLog


def _short(instant: dt.datetime) -> str:
    # The back-office's lists and logs name a row by its local time, never UTC's.
    return calendar.format_datetime(instant, "SHORT_DATETIME_FORMAT")


def validate_cif(value: str) -> None:
    if not cif.is_valid(value):
        raise ValidationError(_("Aquest NIF d'entitat no és vàlid."), code="invalid_cif")


class TownHallQuerySet(models.QuerySet["TownHall"]):
    def current(self) -> TownHall:
        town_hall = self.order_by("pk").first()
        return town_hall if town_hall is not None else TownHall(name=str(_("Ajuntament")))


class TownHall(models.Model):
    """The body that owns the seu (art. 9.1): one row, edited in the back-office."""

    name = models.CharField(_("nom"), max_length=200)
    nif = models.CharField(_("NIF"), max_length=9, validators=[validate_cif])
    dir3_code = models.CharField(_("codi DIR3"), max_length=21, blank=True)
    address = models.CharField(_("adreça"), max_length=300)
    postal_code = models.CharField(_("codi postal"), max_length=5)
    municipality = models.CharField(_("municipi"), max_length=100)
    phone = models.CharField(_("telèfon"), max_length=30)
    email = models.EmailField(_("adreça electrònica"))
    registry_email = models.EmailField(_("adreça electrònica del registre"), blank=True)
    website = models.URLField(_("lloc web"), blank=True)
    office_hours = models.CharField(_("horari d'atenció"), max_length=300, blank=True)

    objects = TownHallQuerySet.as_manager()

    class Meta:
        verbose_name = _("ajuntament")
        verbose_name_plural = _("ajuntament")

    def __str__(self) -> str:
        return self.name


class Organ(models.Model):
    """A unit of the town hall (art. 23, 33.g): addressee of entries, issuer of documents."""

    code = models.SlugField(_("codi"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("depèn de"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    competences = models.TextField(_("competències"), blank=True)
    is_active = models.BooleanField(_("actiu"), default=True)

    class Meta:
        verbose_name = _("òrgan")
        verbose_name_plural = _("òrgans")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NonWorkingDay(models.Model):
    """A day that is non-working in the municipality beyond national and Balearic holidays.

    Local holidays are the municipality's two yearly feast days; declared days are those the town
    hall declares non-working for its offices (art. 33.h counts them like holidays).
    """

    class Kind(models.TextChoices):
        LOCAL_HOLIDAY = "local", _("festa local")
        DECLARED = "declared", _("dia declarat inhàbil")

    date = models.DateField(_("data"), unique=True)
    kind = models.CharField(_("tipus"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("motiu"), max_length=200)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declarat per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("creat"), auto_now_add=True)

    class Meta:
        verbose_name = _("dia inhàbil municipal")
        verbose_name_plural = _("dies inhàbils municipals")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{calendar.format_date(self.date, 'SHORT_DATE_FORMAT')} {self.name}"


# --- Identification of citizens (art. 6-8, 13-14) ------------------------------------------------


class LoA(models.TextChoices):
    """Level of assurance of an identification (eIDAS), which procedures require (art. 8.2)."""

    LOW = "low", _("baix")
    SUBSTANTIAL = "substantial", _("substancial")
    HIGH = "high", _("alt")

    @property
    def rank(self) -> int:
        return {"low": 1, "substantial": 2, "high": 3}[self.value]

    @property
    def eidas_uri(self) -> str:
        return f"http://eidas.europa.eu/LoA/{self.value}"

    @classmethod
    def from_eidas_uri(cls, uri: str) -> LoA | None:
        prefix = "http://eidas.europa.eu/LoA/"
        if uri.startswith(prefix) and uri[len(prefix) :] in cls.values:
            return cls(uri[len(prefix) :])
        return None

    def satisfies(self, required: LoA | str) -> bool:
        return self.rank >= LoA(required).rank


def validate_person_id(value: str) -> None:
    from seu.people import normalise_person_id

    normalise_person_id(value)  # raises ValidationError


class Person(models.Model):
    """A natural or legal person, keyed by a validated NIF, NIE or CIF (art. 2, 4)."""

    class Kind(models.TextChoices):
        NATURAL = "natural", _("persona física")
        LEGAL = "legal", _("persona jurídica")

    nif = models.CharField(_("NIF/NIE"), max_length=9, unique=True, validators=[validate_person_id])
    kind = models.CharField(_("tipus"), max_length=10, choices=Kind.choices)
    given_name = models.CharField(_("nom"), max_length=100, blank=True)
    surnames = models.CharField(_("llinatges"), max_length=200, blank=True)
    legal_name = models.CharField(_("raó social"), max_length=300, blank=True)
    email = models.EmailField(_("adreça electrònica"), blank=True)
    # Contact details the person keeps in "Les meves dades" (``seu.people.update_contact``): the
    # filing form offers them, and the notices of notifications will use the e-mail (art. 32.3).
    phone = models.CharField(_("telèfon"), max_length=20, blank=True)
    postal_address = models.TextField(_("adreça postal"), max_length=300, blank=True)
    # When the person last set them: from then on, an identification no longer overwrites the
    # e-mail they chose with the one the method reports.
    contact_updated_at = models.DateTimeField(
        _("dades de contacte actualitzades"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualitzada"), auto_now=True)

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("persones")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.nif})"

    @property
    def display_name(self) -> str:
        return display_name(
            kind=self.kind,
            nif=self.nif,
            given_name=self.given_name,
            surnames=self.surnames,
            legal_name=self.legal_name,
        )


def display_name(*, kind: str, nif: str, given_name: str, surnames: str, legal_name: str) -> str:
    """How a person is named: a legal person by its company name, a natural one by name and
    surnames; the NIF when nothing else is known. Also for the copies acts keep of a person."""
    if kind == Person.Kind.LEGAL:
        return legal_name or nif
    return " ".join(part for part in (given_name, surnames) if part) or nif


class PersonContactChange(models.Model):
    """The log of a person's changes to their own contact details: when, through which
    identification, and the values before and after, written with the change."""

    person = models.ForeignKey(
        Person, verbose_name=_("persona"), on_delete=models.PROTECT, related_name="contact_changes"
    )
    identification = models.ForeignKey(
        "Identification",
        verbose_name=_("identificació"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("moment"))
    # {field: [old, new]} for the fields that changed.
    values = models.JSONField(_("valors"), default=dict)

    class Meta:
        verbose_name = _("canvi de dades de contacte")
        verbose_name_plural = _("canvis de dades de contacte")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.person.nif} {_short(self.at)}"


class AuthorisedOfficialQuerySet(models.QuerySet["AuthorisedOfficial"]):
    def enabled(self, *, on: dt.date) -> AuthorisedOfficialQuerySet:
        return self.filter(enabled_from__lte=on).filter(
            models.Q(enabled_until__isnull=True) | models.Q(enabled_until__gte=on)
        )


class AuthorisedOfficial(models.Model):
    """The register of officials enabled to identify citizens on their behalf (art. 14.3)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuari"),
        on_delete=models.PROTECT,
        related_name="authorised_official",
    )
    nif = models.CharField(_("NIF"), max_length=9, validators=[validate_person_id])
    full_name = models.CharField(_("nom i llinatges"), max_length=200)
    position = models.CharField(_("lloc de feina"), max_length=200, blank=True)
    enabled_from = models.DateField(_("habilitat des de"))
    enabled_until = models.DateField(_("habilitat fins a"), null=True, blank=True)
    resolution = models.CharField(_("resolució d'habilitació"), max_length=200, blank=True)
    enabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("habilitat per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AuthorisedOfficialQuerySet.as_manager()

    class Meta:
        verbose_name = _("funcionari habilitat")
        verbose_name_plural = _("funcionaris habilitats")  # counted (issue 13.5)

    def __str__(self) -> str:
        return self.full_name

    def is_enabled(self, *, on: dt.date) -> bool:
        return self.enabled_from <= on and (self.enabled_until is None or self.enabled_until >= on)


class Identification(models.Model):
    """One act of identification (art. 6-8, 14): who, how, at what level, when, with what proof."""

    class Method(models.TextChoices):
        CERTIFICATE = "certificate", _("certificat electrònic")
        CLAVE = "clave", _("Cl@ve")
        AUTHORISED_OFFICIAL = "official", _("funcionari habilitat")

    person = models.ForeignKey(
        Person, verbose_name=_("persona"), on_delete=models.PROTECT, related_name="identifications"
    )
    represented_entity = models.ForeignKey(
        Person,
        verbose_name=_("entitat representada"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="identifications_as_represented",
    )
    method = models.CharField(_("mètode"), max_length=20, choices=Method.choices)
    loa = models.CharField(_("nivell"), max_length=12, choices=LoA.choices)
    at = models.DateTimeField(_("moment"))
    ip_address = models.GenericIPAddressField(_("adreça IP"), null=True, blank=True)
    provider = models.CharField(_("prestador"), max_length=200, blank=True)
    certificate_subject = models.CharField(_("titular del certificat"), max_length=500, blank=True)
    certificate_issuer = models.CharField(_("emissor del certificat"), max_length=500, blank=True)
    certificate_serial = models.CharField(_("número de sèrie"), max_length=100, blank=True)
    saml_assertion_id = models.CharField(_("asserció SAML"), max_length=256, blank=True)
    saml_issuer = models.CharField(_("proveïdor d'identitat"), max_length=500, blank=True)
    official = models.ForeignKey(
        AuthorisedOfficial,
        verbose_name=_("funcionari habilitat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="identifications",
    )
    consent_text = models.TextField(_("consentiment exprés"), blank=True)

    class Meta:
        verbose_name = _("identificació")
        verbose_name_plural = _("identificacions")
        ordering = ["-at"]
        indexes = [models.Index(fields=["person", "-at"], name="identification_person_at")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_method_display()} {_short(self.at)}"

    @property
    def level(self) -> LoA:
        return LoA(self.loa)


class SamlAssertionUse(models.Model):
    """Each accepted SAML assertion, so that a replayed one is refused (kept until it expires)."""

    assertion_id = models.CharField(max_length=256, unique=True)
    issuer = models.CharField(max_length=500)
    used_at = models.DateTimeField()
    not_on_or_after = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("asserció SAML usada")
        verbose_name_plural = _("assercions SAML usades")

    def __str__(self) -> str:
        return self.assertion_id


# --- Availability of the seu (art. 17.1) ---------------------------------------------------------


class InterruptionQuerySet(models.QuerySet["Interruption"]):
    def announced(self, *, at: object) -> InterruptionQuerySet:
        """Interruptions to show in the banner: announced and not yet over."""
        return self.filter(ends_at__gt=at).order_by("starts_at")

    def overlapping(self, *, start: object, end: object, scope: str) -> InterruptionQuerySet:
        """Interruptions of ``scope`` that lasted some time between ``start`` and ``end``."""
        return self.filter(scope=scope, starts_at__lt=end, ends_at__gt=start).order_by("starts_at")

    def ongoing(self, *, at: object, scope: str | None = None) -> InterruptionQuerySet:
        found = self.filter(starts_at__lte=at, ends_at__gt=at)
        return found.filter(scope__in=[scope, "seu"]) if scope else found


class Interruption(models.Model):
    """A planned interruption of the registry or the whole seu (art. 17.1, 33.d): the registry
    banner announces it, filing says so while it lasts, and the notice board's exposure
    certificates list those of the whole seu."""

    class Scope(models.TextChoices):
        REGISTRY = "registry", _("registre electrònic")
        SEU = "seu", _("tota la seu electrònica")

    scope = models.CharField(_("abast"), max_length=10, choices=Scope.choices)
    starts_at = models.DateTimeField(_("inici"))
    ends_at = models.DateTimeField(_("final"))
    reason = models.CharField(_("motiu"), max_length=300)
    alternatives = models.TextField(
        _("alternatives"),
        help_text=_("On i com es pot presentar mentrestant (oficina d'atenció, altres registres)."),
    )
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InterruptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("interrupció programada")
        verbose_name_plural = _("interrupcions programades")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {_short(self.starts_at)}"


class OutgoingEmailQuerySet(models.QuerySet["OutgoingEmail"]):
    def about(self, references: Iterable[str]) -> OutgoingEmailQuerySet:
        return self.filter(reference__in=list(references))


class OutgoingEmail(models.Model):
    """An e-mail is a row first (STYLE "Background work"), written in the transaction of what it
    tells; a task delivers the stored row and records the outcome. One outbox for every app: each
    names what a message is about by an opaque ``reference`` (``"cites.appointment:12"``)."""

    class State(models.TextChoices):
        PENDING = "pending", _("per enviar")
        SENT = "sent", _("enviat")
        FAILED = "failed", _("no s'ha pogut enviar")

    kind = models.CharField(_("tipus"), max_length=40)
    reference = models.CharField(_("referència"), max_length=80, blank=True, db_index=True)
    to = models.EmailField(_("destinatari"), blank=True)
    subject = models.CharField(_("assumpte"), max_length=300)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    # [{"filename": ..., "content": <text>, "mimetype": ...}]: small text files (a calendar).
    attachments = models.JSONField(_("adjunts"), default=list, blank=True)
    state = models.CharField(_("estat"), max_length=10, choices=State.choices, default="pending")
    attempts = models.PositiveSmallIntegerField(_("intents"), default=0)
    last_error = models.TextField(_("darrer error"), blank=True)
    # When the sweep tries again after a transient failure (``seu.core.outbox``, growing back-off);
    # empty while it has never been tried: due at once.
    retry_at = models.DateTimeField(_("proper intent"), null=True, blank=True)
    created_at = models.DateTimeField(_("creat el"))
    sent_at = models.DateTimeField(_("enviat el"), null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("correu electrònic")
        verbose_name_plural = _("correus electrònics")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="seu_email_pending",
                condition=models.Q(state="pending"),
            ),
            # The rows waiting for another attempt, read by the sweep when their time comes.
            models.Index(
                fields=["retry_at"],
                name="seu_email_retry",
                condition=models.Q(state="pending", retry_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {_short(self.created_at)}"


# --- Staff and the organs they work for ---------------------------------------------------------


class StaffRole(models.TextChoices):
    """What a member of staff is to an organ: a clerk processes its work, its head also resolves,
    a supervisor (of no organ in particular) sees the work of every organ."""

    CLERK = "tramitador", _("tramitador")
    HEAD = "responsable", _("responsable de l'òrgan")
    SUPERVISOR = "supervisor", _("supervisor de tots els òrgans")


class StaffMembership(models.Model):
    """A user works for an organ with a role, or supervises every organ (``organ`` empty).

    Every staff-facing queryset is scoped by these rows (``seu.staff.scoped_to_staff``); they are
    written only by ``seu.staff``'s services, which log each change in ``StaffMembershipChange``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuari"),
        on_delete=models.CASCADE,
        related_name="staff_memberships",
    )
    organ = models.ForeignKey(
        Organ,
        verbose_name=_("òrgan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_memberships",
        help_text=_("Buit només per als supervisors, que veuen tots els òrgans."),
    )
    role = models.CharField(_("funció"), max_length=12, choices=StaffRole.choices)
    # The post the person signs with (art. 11, 31: "Batlessa", "Regidor d'Urbanisme"): printed
    # with their name on the resolutions they sign.
    post = models.CharField(_("càrrec"), max_length=200, blank=True)
    granted_at = models.DateTimeField(_("assignat el"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignat per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pertinença a un òrgan")
        verbose_name_plural = _("pertinences a òrgans")
        ordering = ["user", "organ__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organ"],
                condition=models.Q(organ__isnull=False),
                name="staff_membership_one_per_organ",
                violation_error_message=_("Aquest usuari ja té una funció en aquest òrgan."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(organ__isnull=True),
                name="staff_membership_one_supervision",
                violation_error_message=_("Aquest usuari ja és supervisor."),
            ),
            # A supervisor is of no organ; a clerk or a head is of exactly one.
            models.CheckConstraint(
                condition=models.Q(role="supervisor", organ__isnull=True)
                | (~models.Q(role="supervisor") & models.Q(organ__isnull=False)),
                name="staff_membership_organ_unless_supervisor",
                violation_error_message=_(
                    "Un supervisor no és de cap òrgan; un tramitador o un responsable, d'un sol "
                    "òrgan."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.organ_id is None:
            return f"{self.user}: {self.get_role_display()}"
        return f"{self.user}: {self.get_role_display()} ({self.organ})"


class StaffMembershipChange(models.Model):
    """The log of who granted or withdrew which role at which organ to whom, and when."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("assignada")
        CHANGED = "changed", _("modificada")
        REVOKED = "revoked", _("retirada")

    at = models.DateTimeField(_("moment"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("usuari"),
        on_delete=models.PROTECT,
        related_name="staff_membership_changes",
    )
    organ = models.ForeignKey(
        Organ,
        verbose_name=_("òrgan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("canvi"), max_length=10, choices=Action.choices)
    role = models.CharField(_("funció"), max_length=12, choices=StaffRole.choices)
    previous_role = models.CharField(
        _("funció anterior"), max_length=12, choices=StaffRole.choices, blank=True
    )

    class Meta:
        verbose_name = _("canvi de pertinença a un òrgan")
        verbose_name_plural = _("canvis de pertinença a òrgans")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{_short(self.at)} {self.user} {self.get_action_display()}"


class BackOfficeChange(models.Model):
    """The log of the back-office changes with legal effect (declared non-working days,
    interruptions, authorised officials, closed office days): who changed what, when, and the
    values before and after, written in the same transaction as the change (``seu.services``)."""

    class Action(models.TextChoices):
        CREATED = "created", _("creat")
        CHANGED = "changed", _("modificat")
        DELETED = "deleted", _("suprimit")

    at = models.DateTimeField(_("moment"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    what = models.CharField(_("què"), max_length=100)  # the model's label, "seu.NonWorkingDay"
    object_id = models.CharField(_("identificador"), max_length=64)
    action = models.CharField(_("canvi"), max_length=10, choices=Action.choices)
    # {field: [old, new]} for the fields that changed (old is null on creation, new on deletion).
    values = models.JSONField(_("valors"), default=dict, encoder=DjangoJSONEncoder)
    reason = models.CharField(_("motiu del canvi"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("canvi a la gestió")
        verbose_name_plural = _("canvis a la gestió")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["what", "object_id"])]

    def __str__(self) -> str:
        return f"{_short(self.at)} {self.what} {self.object_id} {self.get_action_display()}"


class PowerQuerySet(models.QuerySet["Power"]):
    def in_force(self, *, at: dt.datetime) -> PowerQuerySet:
        """Accepted, begun and not ended nor revoked at ``at`` (art. 26.2.a; Law 39/2015 art. 6)."""
        return self.filter(state=Power.State.ACCEPTED, starts_at__lte=at, ends_at__gt=at)


class Power(models.Model):
    """A power of representation granted *apud acta* (art. 26.2.a; Law 39/2015 art. 5-6): a
    person (the grantor) lets another (the representative) act for them, generally, for some
    procedures (by code) or for one case file (by its number), from when the representative
    accepts it until its end (at most five years) or until the grantor revokes it. Procedures and
    case files are known here only by their codes: identity is the lowest layer (DESIGN.md)."""

    class Scope(models.TextChoices):
        GENERAL = "general", _("general")
        PROCEDURES = "procedures", _("per a uns procediments")
        CASE = "case", _("per a un expedient")

    class State(models.TextChoices):
        PENDING = "pending", _("pendent d'acceptar")
        ACCEPTED = "accepted", _("acceptat")
        DECLINED = "declined", _("no acceptat")
        REVOKED = "revoked", _("revocat")

    class Origin(models.TextChoices):
        SEU = "seu", _("atorgat a la seu electrònica")
        OFFICE = "office", _("atorgat en persona a l'oficina")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grantor = models.ForeignKey(
        Person, verbose_name=_("poderdant"), on_delete=models.PROTECT, related_name="powers_granted"
    )
    representative = models.ForeignKey(
        Person,
        verbose_name=_("representant"),
        on_delete=models.PROTECT,
        related_name="powers_received",
    )
    scope = models.CharField(_("abast"), max_length=12, choices=Scope.choices)
    procedure_codes = models.JSONField(_("procediments"), default=list, blank=True)
    case_reference = models.CharField(_("expedient"), max_length=40, blank=True)
    state = models.CharField(_("estat"), max_length=10, choices=State.choices)
    origin = models.CharField(_("origen"), max_length=8, choices=Origin.choices)
    granted_at = models.DateTimeField(_("atorgat el"))
    starts_at = models.DateTimeField(_("en vigor des de"), null=True, blank=True)
    ends_at = models.DateTimeField(_("en vigor fins a"))
    granted_identification = models.ForeignKey(
        Identification, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("acceptat o rebutjat el"), null=True, blank=True)
    decided_identification = models.ForeignKey(
        Identification, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revocat el"), null=True, blank=True)
    revoked_identification = models.ForeignKey(
        Identification, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PowerQuerySet.as_manager()

    class Meta:
        verbose_name = _("apoderament")
        verbose_name_plural = _("apoderaments")
        ordering = ["-granted_at", "-pk"]
        indexes = [
            models.Index(fields=["representative", "state", "ends_at"], name="power_in_force"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(grantor=models.F("representative")),
                name="power_not_to_oneself",
            ),
            models.CheckConstraint(
                condition=models.Q(scope="general", procedure_codes=[], case_reference="")
                | models.Q(scope="procedures", case_reference="") & ~models.Q(procedure_codes=[])
                | models.Q(scope="case", procedure_codes=[]) & ~models.Q(case_reference=""),
                name="power_scope_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grantor} -> {self.representative} ({self.get_scope_display()})"

    def covers(self, *, procedure_code: str = "", case_reference: str = "") -> bool:
        """Whether acting in that procedure (or that case file) is within this power."""
        if self.scope == Power.Scope.GENERAL:
            return True
        if self.scope == Power.Scope.PROCEDURES:
            return bool(procedure_code) and procedure_code in self.procedure_codes
        return bool(case_reference) and case_reference == self.case_reference

    def in_force_at(self, at: dt.datetime) -> bool:
        return (
            self.state == Power.State.ACCEPTED
            and self.starts_at is not None
            and self.starts_at <= at < self.ends_at
        )


class PowerTransition(TransitionLog):
    """The life of a power: granted, accepted or declined, revoked (who, when, how identified)."""

    power = models.ForeignKey(Power, on_delete=models.PROTECT, related_name="transitions")
    identification = models.ForeignKey(
        Identification, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.power_id} {self.from_state}->{self.to_state}"


class Representation(models.TextChoices):
    """How the representative of an act (a registry entry, a case file) proves that they act for
    the interested person (art. 26.2): a power in the register, a representative's certificate,
    or a declaration the organ checks later (26.2.c)."""

    NONE = "", _("en nom propi")
    POWER = "power", _("apoderament inscrit")
    CERTIFICATE = "certificate", _("certificat de representant")
    DECLARED = "declared", _("declarada pel representant")


class RepresentationCheck(models.TextChoices):
    """The organ's check of a declared representation (art. 26.2.c and its last paragraph)."""

    NONE = "", _("no cal")
    TO_CHECK = "to_check", _("declarada, per comprovar")
    PROOF_REQUESTED = "proof_requested", _("se n'ha demanat l'acreditació")
    CHECKED = "checked", _("comprovada")
    REFUSED = "refused", _("no acreditada")


class RepresentedAct(models.Model):
    """What an act records of its representation, beside its interested person and
    representative: how it is proved, the organ's check of a declared one, and the power used.
    Who may see the act follows from it (``seu.identity.representation.visible``)."""

    representation = models.CharField(
        _("representació"), max_length=12, choices=Representation.choices, blank=True, default=""
    )
    representation_check = models.CharField(
        _("comprovació de la representació"),
        max_length=16,
        choices=RepresentationCheck.choices,
        blank=True,
        default="",
    )
    representation_reason = models.TextField(_("motiu de la comprovació"), blank=True)
    power = models.ForeignKey(
        Power,
        verbose_name=_("apoderament"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def representation_accredited(self) -> bool:
        """Whether the representative's acting for the interested person is proved: by a power,
        a certificate, or a declaration the organ checked."""
        return self.representation in (Representation.POWER, Representation.CERTIFICATE) or (
            self.representation == Representation.DECLARED
            and self.representation_check == RepresentationCheck.CHECKED
        )
