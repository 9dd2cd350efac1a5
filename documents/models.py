"""Documents the town hall issues, their stored versions, and the seals that sealed them.

Stored bytes are never modified: a ``Blob`` is addressed by its SHA-256 and written once; an upgrade
(the timestamp) is a new ``DocumentVersion`` that keeps the sealed original beside it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from documents import verification_code


def blob_path(instance: Blob, filename: str) -> str:
    return f"blobs/{instance.sha256[:2]}/{instance.sha256[2:4]}/{instance.sha256}"


class Blob(models.Model):
    sha256 = models.CharField(_("SHA-256"), max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField(_("mida"))
    content_type = models.CharField(_("tipus"), max_length=100)
    file = models.FileField(_("fitxer"), upload_to=blob_path, max_length=200)
    created_at = models.DateTimeField(_("creat"), auto_now_add=True)

    class Meta:
        verbose_name = _("contingut emmagatzemat")
        verbose_name_plural = _("continguts emmagatzemats")

    def __str__(self) -> str:
        return self.sha256

    def read(self) -> bytes:
        with self.file.open("rb") as handle:
            return handle.read()


class SealCertificate(models.Model):
    """A certificate the town hall has sealed with: the public list of art. 10.3."""

    fingerprint = models.CharField(_("empremta SHA-256"), max_length=64, unique=True)
    subject = models.CharField(_("titular"), max_length=500)
    issuer = models.CharField(_("emissor"), max_length=500)
    serial_number = models.CharField(_("número de sèrie"), max_length=100)
    not_before = models.DateTimeField(_("vàlid des de"))
    not_after = models.DateTimeField(_("vàlid fins a"))
    pem = models.TextField(_("certificat (PEM)"))
    first_used_at = models.DateTimeField(_("primer ús"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificat de segell")
        verbose_name_plural = _("certificats de segell")
        ordering = ["-not_before"]

    def __str__(self) -> str:
        return self.subject


class DocumentQuerySet(models.QuerySet["Document"]):
    def timestamp_due(self, *, at: dt.datetime) -> DocumentQuerySet:
        return self.filter(
            timestamp_state=Document.TimestampState.PENDING, timestamp_due_at__lte=at
        ).order_by("timestamp_due_at")


class Document(models.Model):
    """A document issued by the town hall, sealed, verifiable by its CSV (art. 10, 30)."""

    class Kind(models.TextChoices):
        TEST = "test", _("document de prova")
        RECEIPT = "receipt", _("rebut de registre")
        NOTIFICATION_EVIDENCE = "notification_evidence", _("evidència de notificació")
        EXPOSURE_CERTIFICATE = "exposure_certificate", _("diligència d'exposició")
        EDICT = "edict", _("edicte")
        CASE_INDEX = "case_index", _("índex d'expedient")
        CERTIFICATE = "certificate", _("certificat")
        AUTHENTIC_COPY = "authentic_copy", _("còpia autèntica")
        # An act an organ uploads to notify it (a signed resolution): sealed as it came.
        ACT = "act", _("acte notificat")
        # A case file's documents (art. 22, 24, 31).
        FORM_ANSWERS = "form_answers", _("sol·licitud (dades del formulari)")
        REMEDY_REQUEST = "remedy_request", _("requeriment d'esmena")
        RESOLUTION = "resolution", _("resolució")

    class TimestampState(models.TextChoices):
        PENDING = "pending", _("pendent")
        DONE = "done", _("segellat de temps")

    csv = models.CharField(_("CSV"), max_length=verification_code.LENGTH, unique=True)
    kind = models.CharField(_("tipus"), max_length=40, choices=Kind.choices)
    title = models.CharField(_("títol"), max_length=300)
    organ = models.ForeignKey(
        "seu.Organ", verbose_name=_("òrgan"), null=True, blank=True, on_delete=models.PROTECT
    )
    language = models.CharField(_("llengua"), max_length=5)
    issued_at = models.DateTimeField(_("data d'emissió"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("emès per"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    seal_certificate = models.ForeignKey(
        SealCertificate, verbose_name=_("segell"), on_delete=models.PROTECT
    )
    timestamp_state = models.CharField(
        _("segellat de temps"),
        max_length=10,
        choices=TimestampState.choices,
        default=TimestampState.PENDING,
    )
    timestamp_due_at = models.DateTimeField(_("proper intent"), null=True, blank=True)
    timestamp_attempts = models.PositiveIntegerField(_("intents"), default=0)
    timestamp_error = models.CharField(_("darrer error"), max_length=300, blank=True)
    timestamped_at = models.DateTimeField(_("segellat de temps el"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document emès")
        verbose_name_plural = _("documents emesos")
        ordering = ["-issued_at"]
        indexes = [
            models.Index(
                fields=["timestamp_due_at"],
                name="doc_timestamp_due",
                condition=models.Q(timestamp_state="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.csv_display})"

    @property
    def csv_display(self) -> str:
        return verification_code.display(self.csv)

    def current_version(self) -> DocumentVersion:
        version = self.versions.select_related("blob").order_by("-number").first()
        if version is None:
            raise DocumentVersion.DoesNotExist(f"document {self.pk} has no version")
        return version


class DocumentVersionQuerySet(models.QuerySet["DocumentVersion"]):
    def integrity_due(self, *, checked_before: dt.datetime) -> DocumentVersionQuerySet:
        """Versions whose stored bytes were never re-hashed, or not since ``checked_before``,
        the longest unchecked first."""
        return self.filter(
            models.Q(integrity_checked_at__isnull=True)
            | models.Q(integrity_checked_at__lt=checked_before)
        ).order_by(models.F("integrity_checked_at").asc(nulls_first=True), "pk")


class DocumentVersion(models.Model):
    # Named by what the file holds: a seal (B-B), then a document timestamp (B-T). The files
    # carry no revocation data, so nothing here is long-term validation (B-LT/B-LTA) until that
    # is built and embedded.
    class Stage(models.TextChoices):
        SEALED = "sealed", _("segellat (PAdES B-B)")
        TIMESTAMPED = "timestamped", _("amb segell de temps (PAdES B-T)")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("versió"))
    stage = models.CharField(_("etapa"), max_length=20, choices=Stage.choices)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("creada"))
    # When the integrity sweep last re-hashed the stored bytes (``check_stored_documents``).
    integrity_checked_at = models.DateTimeField(
        _("integritat comprovada el"), null=True, blank=True
    )

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("versió")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")
        ]
        indexes = [models.Index(fields=["integrity_checked_at"], name="doc_version_integrity")]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class IntegrityIncident(models.Model):
    """The stored bytes of a document version are not what was sealed (art. 10, 30.1): found by
    a verification, a download or the periodic sweep. One open incident per version: it stays
    open (and is not recorded again) until the sweep finds the bytes matching again."""

    class Reason(models.TextChoices):
        CONTENT_MISMATCH = "content_mismatch", _("el contingut no coincideix amb el segellat")
        MISSING = "missing", _("el fitxer no es pot llegir")
        WRONG_DOCUMENT = "wrong_document", _("el fitxer no porta el CSV del document")

    class Channel(models.TextChoices):
        VERIFICATION = "verification", _("verificació")
        DOWNLOAD = "download", _("descàrrega")
        SWEEP = "sweep", _("comprovació periòdica")

    document = models.ForeignKey(
        Document,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="integrity_incidents",
    )
    version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("versió"),
        on_delete=models.PROTECT,
        related_name="integrity_incidents",
    )
    reason = models.CharField(_("motiu"), max_length=20, choices=Reason.choices)
    expected_sha256 = models.CharField(_("SHA-256 segellat"), max_length=64)
    found_sha256 = models.CharField(_("SHA-256 trobat"), max_length=64, blank=True)
    detail = models.TextField(_("detall"))
    detected_by = models.CharField(_("detectada per"), max_length=20, choices=Channel.choices)
    detected_at = models.DateTimeField(_("detectada el"))
    resolved_at = models.DateTimeField(_("resolta el"), null=True, blank=True)

    class Meta:
        verbose_name = _("incidència d'integritat")
        verbose_name_plural = _("incidències d'integritat")
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"],
                condition=models.Q(resolved_at__isnull=True),
                name="integrity_incident_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} — {self.get_reason_display()}"
