"""Procedures and case files (art. 20-31 of the ordinance).

A ``Procedure`` is an entry of the catalogue (art. 21): what it is, who resolves it, its period and
the effect of silence. What a person fills in is its ``ProcedureVersion``'s form, kept as data
(``expedients.formdef``): a version that has been filed with never changes, so an old case file
still shows and checks its answers against the form it was filed with (art. 24.1).

An ``Expedient`` (case file, art. 22) is opened by the registry entry of a request, in the entry's
transaction, and carried by the staff of its organ through the states of ``services.WORKFLOW`` to a
resolution. Every change of state is an ``ExpedientTransition`` written with it (art. 27.1); its
deadlines are columns computed by ``seu.calendar`` and swept by the beat.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seu.calendar import PeriodUnit
from seu.core.workflow import TransitionLog
from seu.identity import representation
from seu.identity.representation import ActColumns
from seu.models import LoA, Person, Power, RepresentedAct


class SilenceEffect(models.TextChoices):
    """What the law makes of a request left unresolved past its period (Law 39/2015 art. 24-25)."""

    POSITIVE = "positive", _("estimatori (positiu)")
    NEGATIVE = "negative", _("desestimatori (negatiu)")
    NOT_APPLICABLE = "not_applicable", _("no n'hi ha")


PERIOD_UNIT_CHOICES = [
    (PeriodUnit.MONTHS, _("mesos")),
    (PeriodUnit.WORKING_DAYS, _("dies hàbils")),
    (PeriodUnit.CALENDAR_DAYS, _("dies naturals")),
]


class ProcedureQuerySet(models.QuerySet["Procedure"]):
    def published(self) -> ProcedureQuerySet:
        """What the catalogue shows: active, with a published form."""
        return self.filter(is_active=True, current_version__isnull=False)


class Procedure(models.Model):
    """An entry of the catalogue of procedures (art. 21). The texts have a column per language
    (``translation.py``)."""

    class Filers(models.TextChoices):
        ANYONE = "anyone", _("qualsevol persona")
        NATURAL = "natural", _("persones físiques")
        LEGAL = "legal", _("persones jurídiques i entitats")

    code = models.SlugField(
        _("codi"),
        max_length=20,
        unique=True,
        help_text=_("Curt i en majúscules: forma el número dels expedients (CODI/any/número)."),
    )
    sia_code = models.CharField(_("codi SIA"), max_length=20, blank=True)
    name = models.CharField(_("nom"), max_length=300)
    topic = models.CharField(_("matèria"), max_length=100)
    summary = models.TextField(_("descripció"), blank=True)
    organ = models.ForeignKey(
        "seu.Organ",
        verbose_name=_("òrgan competent"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    filers = models.CharField(
        _("qui el pot iniciar"), max_length=10, choices=Filers.choices, default=Filers.ANYONE
    )
    who_may_file = models.TextField(_("qui el pot iniciar (detall)"), blank=True)
    required_loa = models.CharField(
        _("nivell d'identificació exigit"),
        max_length=12,
        choices=LoA.choices,
        default=LoA.SUBSTANTIAL,
        help_text=_("Art. 8.2 de l'ordenança: el nivell que cal per presentar-lo."),
    )
    fees = models.TextField(_("taxes"), blank=True)
    legal_basis = models.TextField(_("normativa"), blank=True)
    resolution_period = models.PositiveSmallIntegerField(
        _("termini màxim de resolució"),
        default=3,
        help_text=_("Tres mesos quan la norma no en fixa cap (Llei 39/2015, art. 21.3)."),
    )
    resolution_period_unit = models.CharField(
        _("unitat del termini"), max_length=14, choices=PERIOD_UNIT_CHOICES, default="months"
    )
    silence_effect = models.CharField(
        _("sentit del silenci"), max_length=14, choices=SilenceEffect.choices
    )
    # Art. 23: an automated action names the organ responsible for it, printed on what it issues.
    automated_organ = models.ForeignKey(
        "seu.Organ",
        verbose_name=_("òrgan responsable de les actuacions automatitzades"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    automated_withdrawal = models.BooleanField(
        _("desistiment automatitzat"),
        default=False,
        help_text=_(
            "Si passa el termini d'esmena sense resposta, la resolució de desistiment s'emet com "
            "a actuació automatitzada (art. 23) en lloc de preparar-la per al responsable."
        ),
    )
    is_generic = models.BooleanField(
        _("instància genèrica"),
        default=False,
        help_text=_("La sol·licitud genèrica del registre: s'hi arriba des del catàleg."),
    )
    is_active = models.BooleanField(_("actiu"), default=True)
    current_version = models.ForeignKey(
        "ProcedureVersion",
        verbose_name=_("versió publicada"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("procediment")
        verbose_name_plural = _("procediments")
        ordering = ["topic", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(silence_effect="")
                & models.Q(resolution_period__gt=0)
                & models.Q(resolution_period_unit__in=list(PeriodUnit.ALL)),
                name="procedure_period_and_silence",
            ),
            models.CheckConstraint(
                condition=models.Q(automated_withdrawal=False)
                | models.Q(automated_organ__isnull=False),
                name="procedure_automated_has_organ",
                violation_error_message=_(
                    "Una actuació automatitzada ha de dir quin òrgan en respon (art. 23)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ProcedureVersion(models.Model):
    """One version of a procedure's form (``formdef``): fields with stable keys, types, labels
    in each language, and the documents required. Once a case file is filed with it, it is never
    changed (``services.save_version`` makes a new one instead)."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procediment"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("versió"))
    form = models.JSONField(_("formulari"), default=dict)
    created_at = models.DateTimeField(_("creada el"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creada per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("versió del formulari")
        verbose_name_plural = _("versions del formulari")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"


class ExpedientCounter(models.Model):
    """The last case number of a procedure in a year (``seu.core.numbering``)."""

    procedure_code = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("comptador d'expedients")
        verbose_name_plural = _("comptadors d'expedients")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure_code", "year"], name="expedient_counter_book"
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure_code}/{self.year}: {self.last_number}"


class State(models.TextChoices):
    OPENED = "opened", _("iniciat")
    REMEDY_REQUESTED = "remedy", _("pendent d'esmena")
    REMEDIED = "remedied", _("esmenat")
    IN_PROCESS = "in_process", _("en tramitació")
    RESOLVED = "resolved", _("resolt")
    WITHDRAWN = "withdrawn", _("desistit")
    NOT_ADMITTED = "not_admitted", _("no admès")
    CLOSED = "closed", _("tancat")


OPEN_STATES = frozenset({State.OPENED, State.REMEDY_REQUESTED, State.REMEDIED, State.IN_PROCESS})


# A power for some procedures reaches a case file by its procedure's code, one for a case file
# by its number.
CASE_COLUMNS = ActColumns(procedure_code="procedure__code", case_reference="number")


class ExpedientQuerySet(models.QuerySet["Expedient"]):
    def visible_to(
        self,
        person: Person | int,
        *,
        entity: Person | int | None = None,
        at: dt.datetime | None = None,
    ) -> ExpedientQuerySet:
        """The case files ``person`` may follow now: their own, and those a representation in
        force reaches (``seu.identity.representation.visible``: the one rule of the seu)."""
        return self.filter(representation.visible(person, CASE_COLUMNS, entity=entity, at=at))

    def open(self) -> ExpedientQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def in_processing_order(self) -> ExpedientQuerySet:
        """Art. 27.1: the order of the entries that opened them."""
        return self.order_by("effective_at", "pk")


class Expedient(RepresentedAct):
    """A case file (art. 22)."""

    number = models.CharField(_("número"), max_length=40, unique=True)
    year = models.PositiveIntegerField(_("any"))
    sequence = models.PositiveIntegerField(_("ordre"))
    # ENI identifier (ES_<DIR3 organ, 9>_<year>_EXP_<30 alphanumerics>): what the ENI export uses.
    eni_identifier = models.CharField(_("identificador ENI"), max_length=60, unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procediment"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("versió del formulari"),
        on_delete=models.PROTECT,
        related_name="expedients",
    )
    organ = models.ForeignKey(
        "seu.Organ", verbose_name=_("òrgan"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("estat"), max_length=14, choices=State.choices)
    subject = models.CharField(_("assumpte"), max_length=300)
    interested = models.ForeignKey(
        "seu.Person",
        verbose_name=_("persona interessada"),
        on_delete=models.PROTECT,
        related_name="expedients",
    )
    representative = models.ForeignKey(
        "seu.Person",
        verbose_name=_("representant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expedients_as_representative",
    )
    opening_entry = models.OneToOneField(
        "registre.RegistryEntry",
        verbose_name=_("assentament que l'inicia"),
        on_delete=models.PROTECT,
        related_name="opened_expedient",
    )
    # The processing order (art. 27.1) and the start of the resolution period: when the opening
    # entry counts (art. 33.h).
    effective_at = models.DateTimeField(_("data d'entrada"))
    opened_at = models.DateTimeField(_("obert el"))
    answers = models.JSONField(_("respostes"), default=dict, blank=True)
    language = models.CharField(_("llengua"), max_length=5, default="ca")
    # The resolution deadline (art. 27.1; Law 39/2015 art. 21-22): the period's last day before
    # any suspension, the calendar days suspended so far, and the last day that results (indexed:
    # the queue filters on it). While a remedy request runs, ``suspended_since`` says from when.
    base_deadline = models.DateField(_("termini inicial"))
    suspended_days = models.PositiveIntegerField(_("dies de suspensió"), default=0)
    suspended_since = models.DateField(_("suspès des de"), null=True, blank=True)
    deadline = models.DateField(_("termini màxim de resolució"))
    # Silence (Law 39/2015 art. 24-25): recorded once by the beat when the deadline passes.
    silence_at = models.DateTimeField(_("silenci produït el"), null=True, blank=True)
    silence_effect = models.CharField(
        _("sentit del silenci"), max_length=14, choices=SilenceEffect.choices, blank=True
    )
    # The answers as a sealed PDF of the case file (issued after the filing commits, by a task
    # and its sweep: the filing itself seals only the receipt), and the certificate of silence.
    answers_document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    silence_certificate = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolt el"), null=True, blank=True)
    closed_at = models.DateTimeField(_("tancat el"), null=True, blank=True)

    objects = ExpedientQuerySet.as_manager()

    class Meta:
        verbose_name = _("expedient")
        verbose_name_plural = _("expedients")
        ordering = ["effective_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "year", "sequence"], name="expedient_book_sequence"
            )
        ]
        indexes = [
            # An organ's queue: its open case files in order, and "due within N days".
            models.Index(
                fields=["organ", "effective_at"],
                condition=models.Q(state__in=["opened", "remedy", "remedied", "in_process"]),
                name="expedient_queue",
            ),
            models.Index(
                fields=["organ", "deadline"],
                condition=models.Q(state__in=["opened", "remedy", "remedied", "in_process"]),
                name="expedient_queue_deadline",
            ),
            models.Index(
                fields=["opened_at"],
                condition=models.Q(answers_document__isnull=True) & ~models.Q(answers={}),
                name="expedient_answers_due",
            ),
            # The silence sweep: open, unsuspended, past the deadline, silence not recorded.
            models.Index(
                fields=["deadline"],
                condition=models.Q(
                    silence_at__isnull=True,
                    suspended_since__isnull=True,
                    state__in=["opened", "remedied", "in_process"],
                ),
                name="expedient_silence_due",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_suspended(self) -> bool:
        return self.suspended_since is not None


class ExpedientTransition(TransitionLog):
    """The life of a case file (art. 27.1): every change of state and every step that does not
    change it (a remedy answered, an entry added, a case taken out of order), with the organ that
    acted. ``public`` steps are shown to the person (art. 27.3)."""

    expedient = models.ForeignKey(Expedient, on_delete=models.PROTECT, related_name="transitions")
    organ = models.ForeignKey(
        "seu.Organ", verbose_name=_("òrgan"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    step = models.CharField(_("actuació"), max_length=40, blank=True)
    public = models.BooleanField(_("visible per a la persona"), default=True)

    class Meta(TransitionLog.Meta):
        verbose_name = _("actuació de l'expedient")
        verbose_name_plural = _("actuacions de l'expedient")

    def __str__(self) -> str:
        return f"{self.expedient} {self.from_state}->{self.to_state} {self.step}"


class ExpedientEntry(models.Model):
    """A registry entry that belongs to a case file: the one that opened it, a remedy's answer, a
    later contribution, or an exit (a notification's)."""

    class Role(models.TextChoices):
        OPENING = "opening", _("sol·licitud inicial")
        REMEDY = "remedy", _("resposta a un requeriment")
        LATER = "later", _("aportació posterior")
        EXIT = "exit", _("sortida")

    expedient = models.ForeignKey(Expedient, on_delete=models.PROTECT, related_name="entries")
    entry = models.ForeignKey(
        "registre.RegistryEntry",
        verbose_name=_("assentament"),
        on_delete=models.PROTECT,
        related_name="expedient_links",
    )
    role = models.CharField(_("paper"), max_length=10, choices=Role.choices)
    added_at = models.DateTimeField(_("afegit el"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("assentament de l'expedient")
        verbose_name_plural = _("assentaments de l'expedient")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["expedient", "entry"], name="expedient_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.expedient} {self.entry}"


class ExpedientDocument(models.Model):
    """A document of a case file with its ENI metadata (art. 22; ENI ``documento-e``): a document
    the town hall issued (``document``, sealed, with its CSV) or a file the person brought
    (``blob``, with the entry that brought it)."""

    class Origin(models.IntegerChoices):
        CITIZEN = 0, _("ciutadà")
        ADMINISTRATION = 1, _("administració")

    class Elaboration(models.TextChoices):
        ORIGINAL = "EE01", _("original")
        AUTHENTIC_COPY = "EE02", _("còpia electrònica autèntica amb canvi de format")
        AUTHENTIC_COPY_PAPER = "EE03", _("còpia electrònica autèntica de document en paper")
        PARTIAL_COPY = "EE04", _("còpia electrònica parcial autèntica")
        OTHER = "EE99", _("altres")

    class Type(models.TextChoices):
        RESOLUTION = "TD01", _("resolució")
        AGREEMENT = "TD02", _("acord")
        CONTRACT = "TD03", _("contracte")
        AGREEMENT_ACT = "TD04", _("conveni")
        DECLARATION = "TD05", _("declaració")
        COMMUNICATION = "TD06", _("comunicació")
        NOTIFICATION = "TD07", _("notificació")
        PUBLICATION = "TD08", _("publicació")
        RECEIPT = "TD09", _("justificant de recepció")
        MINUTES = "TD10", _("acta")
        CERTIFICATE = "TD11", _("certificat")
        DILIGENCE = "TD12", _("diligència")
        REPORT = "TD13", _("informe")
        REQUEST = "TD14", _("sol·licitud")
        COMPLAINT = "TD15", _("denúncia")
        ALLEGATION = "TD16", _("al·legació")
        APPEAL = "TD17", _("recurs")
        CITIZEN_COMMUNICATION = "TD18", _("comunicació ciutadà")
        INVOICE = "TD19", _("factura")
        SEIZED = "TD20", _("altres confiscats")
        OTHER = "TD99", _("altres")

    expedient = models.ForeignKey(Expedient, on_delete=models.PROTECT, related_name="documents")
    position = models.PositiveIntegerField(_("foli"))
    title = models.CharField(_("títol"), max_length=300)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document segellat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    blob = models.ForeignKey(
        "documents.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.CharField(_("tipus"), max_length=100, blank=True)
    entry = models.ForeignKey(
        "registre.RegistryEntry",
        verbose_name=_("assentament"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin = models.PositiveSmallIntegerField(_("origen"), choices=Origin.choices)
    elaboration = models.CharField(
        _("estat d'elaboració"), max_length=4, choices=Elaboration.choices, default="EE01"
    )
    document_type = models.CharField(_("tipus documental"), max_length=4, choices=Type.choices)
    captured_at = models.DateTimeField(_("data de captura"))
    # What the person may see in their carpeta (art. 27.3): their own documents and what is
    # notified to them; internal reports are not.
    public = models.BooleanField(_("visible per a la persona"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("document de l'expedient")
        verbose_name_plural = _("documents de l'expedient")
        ordering = ["expedient", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["expedient", "position"], name="expedient_document_position"
            ),
            models.CheckConstraint(
                condition=models.Q(document__isnull=False) | models.Q(blob__isnull=False),
                name="expedient_document_has_bytes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expedient} #{self.position} {self.title}"


class RemedyRequest(models.Model):
    """A request to remedy a filing (art. 24.3; Law 39/2015 art. 68): what is missing, sent as a
    notification; ten working days from the day after it was practised or deemed rejected (five
    more once, at the person's request); the case is withdrawn if they pass unanswered."""

    class State(models.TextChoices):
        NOTIFYING = "notifying", _("en notificació")
        RUNNING = "running", _("termini en curs")
        ANSWERED = "answered", _("atès")
        LAPSED = "lapsed", _("termini exhaurit")
        CANCELLED = "cancelled", _("anul·lat")

    expedient = models.ForeignKey(Expedient, on_delete=models.PROTECT, related_name="remedies")
    state = models.CharField(_("estat"), max_length=10, choices=State.choices)
    text = models.TextField(_("què cal esmenar"))
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    notification_id = models.PositiveBigIntegerField(_("notificació"), unique=True)
    requested_at = models.DateTimeField(_("requerit el"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notified_at = models.DateTimeField(_("notificat el"), null=True, blank=True)
    period_days = models.PositiveSmallIntegerField(_("dies hàbils"), default=10)
    extended_at = models.DateTimeField(_("ampliat el"), null=True, blank=True)
    due_at = models.DateTimeField(_("venç el"), null=True, blank=True)
    answer_entry = models.ForeignKey(
        "registre.RegistryEntry",
        verbose_name=_("resposta"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("atès el"), null=True, blank=True)

    class Meta:
        verbose_name = _("requeriment d'esmena")
        verbose_name_plural = _("requeriments d'esmena")
        ordering = ["expedient", "requested_at"]
        constraints = [
            # One running remedy per case file at a time.
            models.UniqueConstraint(
                fields=["expedient"],
                condition=models.Q(state__in=["notifying", "running"]),
                name="remedy_one_running",
            )
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(state="running"), name="remedy_due")
        ]

    def __str__(self) -> str:
        return f"{self.expedient} {self.requested_at:%Y-%m-%d}"


class Resolution(models.Model):
    """The act that ends a case file (art. 31): drafted from a template, resolved and signed by
    the head of the organ (or issued as an automated action, art. 23), sealed, then notified."""

    class Kind(models.TextChoices):
        GRANTED = "granted", _("estimatòria")
        PARTLY_GRANTED = "partly", _("estimatòria en part")
        DENIED = "denied", _("desestimatòria")
        WITHDRAWAL = "withdrawal", _("de desistiment")
        NOT_ADMITTED = "not_admitted", _("d'inadmissió")

    class State(models.TextChoices):
        DRAFT = "draft", _("esborrany per resoldre")
        ISSUED = "issued", _("dictada i notificada")
        # An automated withdrawal answered before it was notified (Law 39/2015 art. 73.3).
        ANNULLED = "annulled", _("sense efecte")

    expedient = models.ForeignKey(Expedient, on_delete=models.PROTECT, related_name="resolutions")
    kind = models.CharField(_("sentit"), max_length=14, choices=Kind.choices)
    state = models.CharField(_("estat"), max_length=8, choices=State.choices)
    text = models.TextField(_("fonaments i part dispositiva"))
    drafted_at = models.DateTimeField(_("preparada el"))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolta el"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolta per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # As printed on the act (art. 11, 31): the name and post of who resolved, or the organ
    # responsible for the automated action (art. 23).
    resolver_name = models.CharField(_("nom de qui resol"), max_length=200, blank=True)
    resolver_post = models.CharField(_("càrrec de qui resol"), max_length=200, blank=True)
    automated = models.BooleanField(_("actuació automatitzada"), default=False)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notification_id = models.PositiveBigIntegerField(_("notificació"), null=True, blank=True)
    notification_state = models.CharField(
        _("resultat de la notificació"), max_length=14, blank=True
    )
    notification_outcome_at = models.DateTimeField(_("notificada el"), null=True, blank=True)

    class Meta:
        verbose_name = _("resolució")
        verbose_name_plural = _("resolucions")
        ordering = ["expedient", "drafted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["expedient"], condition=models.Q(state="issued"), name="resolution_once"
            ),
            models.UniqueConstraint(
                fields=["expedient"], condition=models.Q(state="draft"), name="resolution_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expedient} {self.get_kind_display()}"


class ProcedureDraft(models.Model):
    """A person's answers to a procedure's form between the form and the confirmation: what they
    typed (as typed) and the files already checked and stored, so that an error or "Modificar"
    loses nothing. Consumed (``entry`` set) in the transaction that files it."""

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    identification = models.ForeignKey(
        "seu.Identification", on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="+")
    # {key: value as typed}: strings, lists for multiple choices, and for files the stored
    # attachment ({"sha256", "name", ...}) or {"declared": true}.
    data = models.JSONField(default=dict, blank=True)
    contact_email = models.CharField(max_length=254, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_postal_address = models.TextField(blank=True)
    # On whose behalf (``seu.identity.representation.Behalf``), as in the registry's draft.
    behalf_power = models.ForeignKey(
        Power, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    behalf_declared = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField()
    entry = models.OneToOneField(
        "registre.RegistryEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("esborrany d'un tràmit")
        verbose_name_plural = _("esborranys de tràmits")

    def __str__(self) -> str:
        return str(self.public_id)
