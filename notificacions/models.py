"""Electronic notifications (art. 32). So far: the person's consent to be notified electronically.

The consent is an append-only history: each act of the person (give it, change the notice
address, revoke it) is a new row, written by ``notificacions.services`` with the instant, the
identification used and the exact text the person agreed to. The current state is the latest row
(``notificacions.selectors.current_consent``); rows are never updated nor deleted.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from seu.models import Identification, Person


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
