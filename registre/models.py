"""The telematic registry (art. 33): entries and exits, their numbers, receipts and attachments.

Numbers are ``E/<year>/<6 digits>`` and ``S/<year>/<6 digits>``, gapless per book and year: the
counter row is locked in the transaction that writes the entry and its receipt, so a failure
anywhere leaves neither (art. 33.f). The year is that of the effective date (art. 33.h).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seu.core.workflow import TransitionLog
from seu.identity import representation
from seu.models import Person, Power, RepresentedAct, display_name
from seu.people import ContactDetails


class Direction(models.TextChoices):
    IN = "in", _("entrada")
    OUT = "out", _("sortida")


BOOK_PREFIX = {Direction.IN: "E", Direction.OUT: "S"}


class RegistryCounter(models.Model):
    """The last number given in a book and year; its row is the lock of gapless numbering."""

    direction = models.CharField(max_length=3, choices=Direction.choices)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("comptador del registre")
        verbose_name_plural = _("comptadors del registre")
        constraints = [
            models.UniqueConstraint(fields=["direction", "year"], name="registry_counter_book_year")
        ]

    def __str__(self) -> str:
        return f"{BOOK_PREFIX[Direction(self.direction)]}/{self.year}: {self.last_number}"


@dataclass(frozen=True)
class Party:
    """A person as an entry recorded them when it was made (art. 33.f-g): the act keeps these
    data even when the person's current data (``seu.Person``, updated at every login) change."""

    nif: str
    kind: str
    given_name: str = ""
    surnames: str = ""
    legal_name: str = ""
    email: str = ""

    @property
    def is_legal(self) -> bool:
        return self.kind == Person.Kind.LEGAL

    @property
    def display_name(self) -> str:
        return display_name(
            kind=self.kind,
            nif=self.nif,
            given_name=self.given_name,
            surnames=self.surnames,
            legal_name=self.legal_name,
        )

    def __str__(self) -> str:
        return f"{self.display_name} ({self.nif})"


# The data of a person an entry keeps, for the interested person and for the representative.
PARTY_FIELDS = ("nif", "kind", "given_name", "surnames", "legal_name", "email")


class RegistryEntryQuerySet(models.QuerySet["RegistryEntry"]):
    def visible_to(
        self, person: Person | int, *, entity: Person | None = None, at: dt.datetime | None = None
    ) -> RegistryEntryQuerySet:
        """The entries ``person`` may see now: their own, and those a representation in force
        reaches (``seu.identity.representation.visible``: the one rule of the seu)."""
        return self.filter(
            representation.visible(person, representation.ActColumns(), entity=entity, at=at)
        )

    def in_book_order(self) -> RegistryEntryQuerySet:
        return self.order_by("direction", "year", "sequence")


class RegistryEntry(RepresentedAct):
    class Channel(models.TextChoices):
        ELECTRONIC = "electronic", _("seu electrònica")
        IN_PERSON = "in_person", _("presencial")
        API = "api", _("sistema de l'Ajuntament")

    class State(models.TextChoices):
        PENDING = "pending", _("pendent de registrar")  # an exit waiting for a working day
        REGISTERED = "registered", _("registrada")
        NOT_ADMITTED = "not_admitted", _("no admesa")

    direction = models.CharField(_("llibre"), max_length=3, choices=Direction.choices)
    channel = models.CharField(_("canal"), max_length=12, choices=Channel.choices)
    state = models.CharField(_("estat"), max_length=14, choices=State.choices)
    number = models.CharField(_("número"), max_length=20, unique=True, null=True, blank=True)
    year = models.PositiveIntegerField(_("any"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("ordre"), null=True, blank=True)
    presented_at = models.DateTimeField(_("data i hora de presentació"))
    effective_at = models.DateTimeField(_("data i hora d'entrada"), null=True, blank=True)
    registered_at = models.DateTimeField(_("anotada el"), null=True, blank=True)
    due_at = models.DateTimeField(_("es registrarà el"), null=True, blank=True)
    organ = models.ForeignKey(
        "seu.Organ", verbose_name=_("òrgan"), on_delete=models.PROTECT, related_name="+"
    )
    interested = models.ForeignKey(
        "seu.Person",
        verbose_name=_("persona interessada"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registry_entries",
    )
    representative = models.ForeignKey(
        "seu.Person",
        verbose_name=_("representant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registry_entries_as_representative",
    )
    # The persons as they were when the entry was made (art. 33.f-g; SICRES 3 carries them):
    # everything that shows an entry's persons reads these, never the current ``Person``, whose
    # foreign keys above only say whose entry it is (``visible_to``).
    interested_nif = models.CharField(
        _("NIF/NIE de la persona interessada"), max_length=9, blank=True
    )
    interested_kind = models.CharField(
        _("tipus de persona interessada"), max_length=10, choices=Person.Kind.choices, blank=True
    )
    interested_given_name = models.CharField(
        _("nom de la persona interessada"), max_length=100, blank=True
    )
    interested_surnames = models.CharField(
        _("llinatges de la persona interessada"), max_length=200, blank=True
    )
    interested_legal_name = models.CharField(
        _("raó social de la persona interessada"), max_length=300, blank=True
    )
    interested_email = models.EmailField(
        _("adreça electrònica de la persona interessada"), blank=True
    )
    representative_nif = models.CharField(_("NIF/NIE del representant"), max_length=9, blank=True)
    representative_kind = models.CharField(
        _("tipus de representant"), max_length=10, choices=Person.Kind.choices, blank=True
    )
    representative_given_name = models.CharField(
        _("nom del representant"), max_length=100, blank=True
    )
    representative_surnames = models.CharField(
        _("llinatges del representant"), max_length=200, blank=True
    )
    representative_legal_name = models.CharField(
        _("raó social del representant"), max_length=300, blank=True
    )
    representative_email = models.EmailField(_("adreça electrònica del representant"), blank=True)
    addressee = models.CharField(_("persona destinatària"), max_length=300, blank=True)
    # How to reach whoever filed it about this entry, as given with the request (offered from the
    # person's "Les meves dades", changeable for this request only).
    contact_email = models.EmailField(_("adreça electrònica de contacte"), blank=True)
    contact_phone = models.CharField(_("telèfon de contacte"), max_length=20, blank=True)
    contact_postal_address = models.TextField(
        _("adreça postal de contacte"), max_length=300, blank=True
    )
    subject = models.CharField(_("assumpte"), max_length=300)
    exposition = models.TextField(_("exposa"), blank=True)
    request = models.TextField(_("sol·licita"), blank=True)
    # A procedure's form as it was answered and shown on the receipt, in the receipt's language:
    # [{"label": ..., "value": ...}, ...] (the case file keeps the typed data; this is what was
    # registered, art. 33.f).
    form_answers = models.JSONField(_("dades del formulari"), default=list, blank=True)
    related_entry = models.ForeignKey(
        "self",
        verbose_name=_("assentament d'entrada relacionat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exits",
    )
    # The procedure (catalogue code) and the case file (number) it was filed in, opaque here
    # (SICRES 3 "Codigo_Asunto" and "Numero_Expediente"): what a power for some procedures or
    # for one case file reaches (``seu.identity.representation``).
    procedure_code = models.CharField(_("codi del tràmit"), max_length=40, blank=True)
    case_reference = models.CharField(_("número d'expedient"), max_length=40, blank=True)
    language = models.CharField(_("llengua"), max_length=5, default="ca")
    identification = models.ForeignKey(
        "seu.Identification",
        verbose_name=_("identificació"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("anotada per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receipt = models.OneToOneField(
        "documents.Document",
        verbose_name=_("rebut"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registry_entry",
    )
    not_admitted_reason = models.TextField(_("motiu de no admissió"), blank=True)
    alternative_registries = models.TextField(_("on es pot presentar"), blank=True)

    objects = RegistryEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("assentament")
        verbose_name_plural = _("assentaments")  # counted: "0 assentaments" (issue 13.5)
        ordering = ["-effective_at", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "year", "sequence"], name="registry_entry_book_sequence"
            )
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="registry_pending_due"),
            models.Index(fields=["organ", "-effective_at"], name="registry_organ_effective"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("(pendent)"))

    def record_parties(self, *, interested: Person | None, representative: Person | None) -> None:
        """Keep the persons' data as they are now, when the entry is made (art. 33.f-g)."""
        for role, person in (("interested", interested), ("representative", representative)):
            for name in PARTY_FIELDS:
                setattr(self, f"{role}_{name}", getattr(person, name) if person else "")

    def record_contact(self, details: ContactDetails | None) -> None:
        """Keep the contact given with this request, beside the persons' data (art. 33.f-g)."""
        details = details or ContactDetails()
        self.contact_email = details.email
        self.contact_phone = details.phone
        self.contact_postal_address = details.postal_address

    @property
    def contact(self) -> ContactDetails:
        return ContactDetails(
            email=self.contact_email,
            phone=self.contact_phone,
            postal_address=self.contact_postal_address,
        )

    def _party(self, role: str) -> Party | None:
        if not getattr(self, f"{role}_nif"):
            return None
        return Party(**{name: getattr(self, f"{role}_{name}") for name in PARTY_FIELDS})

    @property
    def interested_party(self) -> Party | None:
        """The interested person (or the addressee of an exit) as recorded at filing."""
        return self._party("interested")

    @property
    def representative_party(self) -> Party | None:
        """The representative as recorded at filing."""
        return self._party("representative")

    @property
    def counts_later(self) -> bool:
        """Presented on a non-working day: the receipt shows both instants (art. 33.h)."""
        return self.effective_at is not None and self.effective_at != self.presented_at


class EntryAttachment(models.Model):
    entry = models.ForeignKey(RegistryEntry, on_delete=models.PROTECT, related_name="attachments")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("nom"), max_length=200)
    content_type = models.CharField(_("tipus"), max_length=100)
    format_label = models.CharField(_("format"), max_length=60)
    size = models.PositiveBigIntegerField(_("mida"))
    blob = models.ForeignKey("documents.Blob", on_delete=models.PROTECT, related_name="+")
    # What the PDF's embedded signatures say (signed by whom, valid or not), shown on the receipt.
    signatures = models.JSONField(_("signatures"), default=list, blank=True)

    class Meta:
        verbose_name = _("document adjunt")
        verbose_name_plural = _("documents adjunts")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "position"], name="attachment_position")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sha256(self) -> str:
        return str(self.blob_id)


class EntryTransition(TransitionLog):
    """The life of an entry, one row per change, written with the change (``registre.services.
    WORKFLOW``)."""

    entry = models.ForeignKey(RegistryEntry, on_delete=models.PROTECT, related_name="transitions")

    def __str__(self) -> str:
        return f"{self.entry} {self.from_state}->{self.to_state}"


class FilingDraft(models.Model):
    """A citizen's request between the form and the confirmation (art. 33.f): what they typed and
    the files already checked and stored, so that "Modificar" or a failed submission loses
    nothing (files cannot be sent again without JavaScript). It belongs to one identification, and
    is consumed (``entry`` set) in the transaction that registers it: confirming it twice
    registers it once."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    identification = models.ForeignKey(
        "seu.Identification", on_delete=models.CASCADE, related_name="+"
    )
    organ = models.ForeignKey(
        "seu.Organ", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("assumpte"), max_length=300, blank=True)
    exposition = models.TextField(_("exposa"), blank=True)
    request = models.TextField(_("sol·licita"), blank=True)
    # The contact for this request as typed (checked when it is filed: ``seu.people``).
    contact_email = models.CharField(
        _("adreça electrònica de contacte"), max_length=254, blank=True
    )
    contact_phone = models.CharField(_("telèfon de contacte"), max_length=40, blank=True)
    contact_postal_address = models.TextField(_("adreça postal de contacte"), blank=True)
    # [{"sha256", "name", "content_type", "format_label", "size", "signatures"}], in order.
    attachments = models.JSONField(default=list, blank=True)
    # On whose behalf (``seu.identity.representation.Behalf``): a power received, or a person
    # declared ({"nif", "given_name", "surnames", "legal_name"}); neither: their own.
    behalf_power = models.ForeignKey(
        Power, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    behalf_declared = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField()
    entry = models.OneToOneField(
        RegistryEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("esborrany de presentació")
        verbose_name_plural = _("esborranys de presentació")

    def __str__(self) -> str:
        return str(self.public_id)


class PowerPaper(models.Model):
    """The paper on which a power *apud acta* was granted in person at the office (art. 26.2.a;
    Law 39/2015 art. 6.1), scanned and sealed as an authentic copy (art. 30): the register of
    powers shows it beside the power (``registre.powers``)."""

    power = models.OneToOneField(
        Power, verbose_name=_("apoderament"), on_delete=models.PROTECT, related_name="paper"
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("còpia autèntica"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("inscrit el"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inscrit per"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("apoderament presencial")
        verbose_name_plural = _("apoderaments presencials")
        ordering = ["-registered_at", "-pk"]

    def __str__(self) -> str:
        return str(self.power)
