"""Electronic notifications and communications (art. 32, 33.b, 33.g).

**Consent.**
The consent is an append-only history: each act of the person (give it, change the notice
address, revoke it) is a new row, written by ``notificacions.services`` with the instant, the
identification used and the exact text the person agreed to. The current state is the latest row
(``notificacions.selectors.current_consent``); rows are never updated nor deleted.

**Notifications.** A ``Notification`` is one act the town hall makes known to a holder (the
interested person) and, where one is named, their representative: a notification of an act
(art. 32; the ten-day clock runs) or a communication (art. 33.b; no clock). Each has its exit
entry (art. 33.g), its sealed documents, and a ``NotificationEvent`` log that is its whole life:
every change of state and every notice, reminder, extension and access, each with who, when and
how they were identified; an access or rejection also carries an RFC 3161 timestamp of its record.
The expiry instant is computed by ``seu.calendar`` when the notification is made available and
stored (``expires_at``); the beat's sweep reads due rows through a partial index.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from documents.models import Document
from registre.models import RegistryEntry
from seu.core.workflow import TransitionLog
from seu.identity import representation
from seu.identity.representation import ActColumns
from seu.models import Identification, LoA, Organ, Person


class NotificationConsentQuerySet(models.QuerySet["NotificationConsent"]):
    def of(self, person: Person | int) -> NotificationConsentQuerySet:
        """The person's history, newest first (the index ``notification_consent_person_at``)."""
        person_id = person if isinstance(person, int) else person.pk
        return self.filter(person_id=person_id).order_by("-at", "-pk")


class NotificationConsent(models.Model):
    """One change of a person's consent to electronic notification (art. 32.1-32.4).

    Scope: every procedure, or the procedures whose catalogue codes are listed. The codes are kept
    as a list on the row, not as foreign keys nor one row per code: the procedure catalogue
    belongs to case files (``expedients``), which sit above notifications and cannot be referred
    to from here; and each row is one act with one text and one instant, so the list is a snapshot
    of what that act consented to, read whole with the row."""

    class State(models.TextChoices):
        GIVEN = "given", _("atorgat")
        REVOKED = "revoked", _("revocat")

    class Change(models.TextChoices):
        GIVEN = "given", _("Consentiment atorgat")
        ADDRESS = "address", _("Adreça dels avisos canviada")
        REVOKED = "revoked", _("Consentiment revocat")

    class Scope(models.TextChoices):
        ALL = "all", _("Tots els tràmits")
        PROCEDURES = "procedures", _("Els tràmits triats")

    person = models.ForeignKey(
        Person,
        verbose_name=_("persona"),
        on_delete=models.PROTECT,
        related_name="notification_consents",
    )
    change = models.CharField(_("canvi"), max_length=10, choices=Change.choices)
    state = models.CharField(_("estat"), max_length=10, choices=State.choices)
    scope = models.CharField(_("abast"), max_length=10, choices=Scope.choices, default=Scope.ALL)
    procedure_codes = models.JSONField(_("codis dels tràmits"), default=list, blank=True)
    # The address for the notices (art. 32.3); empty once revoked (art. 32.4).
    email = models.EmailField(_("adreça electrònica dels avisos"), max_length=254, blank=True)
    at = models.DateTimeField(_("moment"))
    identification = models.ForeignKey(
        Identification,
        verbose_name=_("identificació"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The declaration word for word: in Catalan (the text of record) and as the person read it.
    text = models.TextField(_("text consentit (en català)"))
    language = models.CharField(_("llengua en què es va mostrar"), max_length=8)
    shown_text = models.TextField(_("text mostrat"))

    objects = NotificationConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consentiment a la notificació electrònica")
        verbose_name_plural = _("consentiments a la notificació electrònica")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-at", "-id"], name="notification_consent_person_at")
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(change__in=["given", "address"], state="given", email__gt="")
                    | Q(change="revoked", state="revoked", email="")
                ),
                name="notification_consent_state_matches_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.nif} {self.get_change_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def is_given(self) -> bool:
        return self.state == self.State.GIVEN

    def covers(self, procedure_code: str | None = None) -> bool:
        """Whether a notification of the procedure ``procedure_code`` is to be electronic; one
        tied to no procedure (None) only under a consent for every procedure."""
        if not self.is_given:
            return False
        if self.scope == self.Scope.ALL:
            return True
        return procedure_code is not None and procedure_code in self.procedure_codes


# A notification's interested person is its holder; the organ names its representative (with the
# power they receive it by, when one).
NOTIFICATION_COLUMNS = ActColumns(interested="holder", represented_act=False)


class NotificationQuerySet(models.QuerySet["Notification"]):
    def of_person(
        self,
        person: Person | int,
        *,
        entity: Person | int | None = None,
        at: dt.datetime | None = None,
    ) -> NotificationQuerySet:
        """Notifications the person receives now: as holder, as the representative the organ
        named, or through a power in force that reaches them (``representation.visible``)."""
        return self.filter(
            representation.visible(person, NOTIFICATION_COLUMNS, entity=entity, at=at)
        )

    def due_for_expiry(self, *, at: dt.datetime) -> NotificationQuerySet:
        """Available notifications past their expiry (``expires_at < at``), through the partial
        index ``notification_expiry_due``: the one rule of what the sweep expires."""
        return self.filter(state="available", expires_at__isnull=False, expires_at__lt=at)

    def due_for_reminder(self, *, at: dt.datetime) -> NotificationQuerySet:
        return self.filter(
            state="available", next_reminder_at__isnull=False, next_reminder_at__lte=at
        )

    def due_for_certificate(self, *, at: dt.datetime) -> NotificationQuerySet:
        return self.filter(certificate_due_at__isnull=False, certificate_due_at__lte=at)


class Notification(models.Model):
    """One notification or communication sent by an organ to a holder (and representative)."""

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", _("notificació")
        COMMUNICATION = "communication", _("comunicació")

    class Channel(models.TextChoices):
        ELECTRONIC = "electronic", _("electrònica")
        PAPER = "paper", _("en paper")

    class State(models.TextChoices):
        # Waiting for its exit entry (made on a non-working day): nothing counts yet.
        PENDING = "pending", _("en espera del registre de sortida")
        AVAILABLE = "available", _("pendent d'obrir")
        ACCESSED = "accessed", _("oberta (practicada)")
        REJECTED = "rejected", _("rebutjada per la persona")
        # Ten natural days without access: rejected by the passing of the period (art. 32.6).
        EXPIRED = "expired", _("rebutjada per haver passat el termini")
        # Paper: waiting in the office's list, posted, and the outcome the clerk records.
        TO_POST = "to_post", _("per enviar en paper")
        POSTED = "posted", _("enviada en paper")
        DELIVERED = "delivered", _("lliurada en paper")
        UNDELIVERED = "undelivered", _("no s'ha pogut lliurar")
        ANNULLED = "annulled", _("anul·lada")

    FINAL_STATES = frozenset(
        {
            State.ACCESSED,
            State.REJECTED,
            State.EXPIRED,
            State.DELIVERED,
            State.UNDELIVERED,
            State.ANNULLED,
        }
    )

    class Role(models.TextChoices):
        HOLDER = "holder", _("persona interessada")
        REPRESENTATIVE = "representative", _("representant")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("tipus"), max_length=14, choices=Kind.choices)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("estat"), max_length=12, choices=State.choices)
    organ = models.ForeignKey(
        Organ, verbose_name=_("òrgan"), on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(
        Person,
        verbose_name=_("persona interessada"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    representative = models.ForeignKey(
        Person,
        verbose_name=_("representant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications_as_representative",
    )
    # The power by which the representative receives it, when one: they see it only while that
    # power is in force (``seu.identity.representation.visible``); none, as the organ named them.
    power = models.ForeignKey(
        "seu.Power",
        verbose_name=_("apoderament"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("assumpte"), max_length=300)
    # The procedure's catalogue code (for the consent's scope) and the case file, opaque here.
    procedure_code = models.CharField(_("codi del tràmit"), max_length=40, blank=True)
    case_reference = models.CharField(
        _("referència de l'expedient"), max_length=80, blank=True, db_index=True
    )
    related_entry = models.ForeignKey(
        RegistryEntry,
        verbose_name=_("assentament relacionat"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    exit_entry = models.OneToOneField(
        RegistryEntry,
        verbose_name=_("assentament de sortida"),
        on_delete=models.PROTECT,
        related_name="notification",
    )
    documents = models.ManyToManyField(
        Document, through="NotificationDocument", related_name="+", verbose_name=_("documents")
    )
    required_loa = models.CharField(
        _("nivell d'identificació per obrir-la"),
        max_length=12,
        choices=LoA.choices,
        default=LoA.SUBSTANTIAL,
    )
    # The language of its evidence and notices (the person's, where known).
    language = models.CharField(_("llengua"), max_length=5, default="ca")
    created_at = models.DateTimeField(_("creada el"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("creada per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    available_at = models.DateTimeField(_("posada a disposició el"), null=True, blank=True)
    # The expiry before suspensions and interruptions: from availability, or the new one a clerk
    # gave on declaring an impossibility of access (art. 32.6); ``expires_at`` adds the periods.
    base_expires_at = models.DateTimeField(_("venciment inicial"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("es considerarà rebutjada després del"), null=True, blank=True
    )
    outcome_at = models.DateTimeField(_("data del resultat"), null=True, blank=True)
    # Who practised it (access or rejection): the holder or a representative, and how.
    outcome_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_role = models.CharField(max_length=14, choices=Role.choices, blank=True)
    outcome_identification = models.ForeignKey(
        Identification, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    next_reminder_at = models.DateTimeField(_("proper recordatori"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("recordatoris enviats"), default=0)
    # Evidence of availability (electronic) or of issue (paper), sealed with the notification.
    evidence = models.ForeignKey(
        Document,
        verbose_name=_("evidència de posada a disposició"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The sealed certificate of its whole life, issued once it ends (``certificate_due_at``).
    certificate = models.ForeignKey(
        Document,
        verbose_name=_("certificat de la notificació"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    certificate_due_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notificació")
        verbose_name_plural = _("notificacions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="notification_expiry_due",
                condition=Q(state="available", expires_at__isnull=False),
            ),
            models.Index(
                fields=["next_reminder_at"],
                name="notification_reminder_due",
                condition=Q(state="available", next_reminder_at__isnull=False),
            ),
            models.Index(
                fields=["certificate_due_at"],
                name="notification_certificate_due",
                condition=Q(certificate_due_at__isnull=False),
            ),
            models.Index(fields=["holder", "-created_at"], name="notification_holder"),
            models.Index(
                fields=["representative", "-created_at"],
                name="notification_representative",
                condition=Q(representative__isnull=False),
            ),
            models.Index(fields=["organ", "state"], name="notification_organ_state"),
        ]

    def __str__(self) -> str:
        return f"{self.exit_entry.number or self.public_id} {self.subject[:60]}"

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES

    def is_expired_at(self, now: dt.datetime) -> bool:
        """Past its expiry (``now > expires_at``: an access at the very instant still counts)."""
        return self.expires_at is not None and now > self.expires_at


class NotificationDocument(models.Model):
    """A sealed document a notification makes known, in the order the clerk chose."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="notification_documents"
    )
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("document notificat")
        verbose_name_plural = _("documents notificats")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "document"], name="notification_document_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}:{self.document_id}"


class NotificationEvent(TransitionLog):
    """One fact of a notification's life, written in the transaction of the fact: a change of
    state (``from_state`` -> ``to_state``) or something that happened at a state (a notice, a
    reminder, an extension). It is the evidence (art. 32.5, 25.4) the certificate is drawn from."""

    class Event(models.TextChoices):
        CREATED = "created", _("creada")
        AVAILABLE = "available", _("posada a disposició")
        NOTICE = "notice", _("avís enviat")
        REMINDER = "reminder", _("recordatori enviat")
        ACCESSED = "accessed", _("oberta")
        REJECTED = "rejected", _("rebutjada")
        EXPIRED = "expired", _("termini vençut")
        EXTENDED = "extended", _("termini ampliat")
        IMPOSSIBILITY = "impossibility", _("impossibilitat d'accés declarada")
        POSTED = "posted", _("enviada en paper")
        DELIVERED = "delivered", _("lliurada en paper")
        UNDELIVERED = "undelivered", _("no lliurada")
        ANNULLED = "annulled", _("anul·lada")

    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="events")
    event = models.CharField(_("fet"), max_length=14, choices=Event.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=14, choices=Notification.Role.choices, blank=True)
    identification = models.ForeignKey(
        Identification, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("adreça IP"), null=True, blank=True)
    # What the fact needs besides: the notice's address and e-mail row, an extension's periods
    # and new expiry, a paper outcome's details.
    details = models.JSONField(default=dict, blank=True)
    # RFC 3161 timestamp token (DER) over the SHA-256 of the event's record, and its time.
    timestamp_token = models.BinaryField(null=True, blank=True)
    timestamped_at = models.DateTimeField(null=True, blank=True)

    class Meta(TransitionLog.Meta):
        verbose_name = _("fet de la notificació")
        verbose_name_plural = _("fets de la notificació")
        indexes = [models.Index(fields=["notification", "at"], name="notification_event_at")]


class ClockSuspension(models.Model):
    """A period declared by staff during which the ten-day clock of every notification stands
    still (the 2020 state of alarm): a pending notification's expiry is extended by the part of
    it that overlaps the notification's period. An open period (no end) lasts until closed."""

    starts_at = models.DateTimeField(_("inici"))
    ends_at = models.DateTimeField(_("final"), null=True, blank=True)
    reason = models.CharField(_("motiu"), max_length=300)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declarada el"))

    class Meta:
        verbose_name = _("suspensió del termini de les notificacions")
        verbose_name_plural = _("suspensions del termini de les notificacions")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="clock_suspension_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d} {self.reason[:60]}"


class CaseChannelRequest(models.Model):
    """A person asks that the following notifications of one case file not be electronic
    (art. 32.7): from then on, those of that case go on paper, whatever their consent says. The
    case file is known here only by its opaque reference. Kept with the instant, the
    identification used and the text the person agreed to; never updated nor deleted."""

    person = models.ForeignKey(
        Person, verbose_name=_("persona"), on_delete=models.PROTECT, related_name="+"
    )
    case_reference = models.CharField(_("referència de l'expedient"), max_length=80)
    at = models.DateTimeField(_("moment"))
    identification = models.ForeignKey(
        Identification,
        verbose_name=_("identificació"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("text de la sol·licitud (en català)"))
    language = models.CharField(_("llengua en què es va mostrar"), max_length=8)
    shown_text = models.TextField(_("text mostrat"))

    class Meta:
        verbose_name = _("sol·licitud de notificacions en paper d'un expedient")
        verbose_name_plural = _("sol·licituds de notificacions en paper d'un expedient")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "case_reference"], name="case_channel_request_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_reference} {self.at:%Y-%m-%d %H:%M}"
