"""The information sections of the seu (art. 15, 16, 19): the services the town hall provides, the
documents it must make public and the official journals where it publishes. Each item names the
organ that provides it and the day it was last updated (art. 15.3); the organisation and its
competences are the organs of ``seu``.

These tables were the notice board's until the information left it for its own app (issue #12,
item 5); their rows were kept (``tauler`` 0004 renamed the tables)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InformationDocument(models.Model):
    """A document the town hall must make public (art. 16), with its organ and update date."""

    class Kind(models.TextChoices):
        PLENARY_MINUTES = "actes-ple", _("Actes del Ple")
        ORDINANCES = "ordenances", _("Ordenances i reglaments")
        BUDGET = "pressupost", _("Pressupost municipal")
        URBAN_PLANNING = "urbanisme", _("Planejament urbanístic vigent")
        PUBLIC_INFORMATION = "informacio-publica", _("Anuncis d'informació pública")
        CONTRACTING = "contractacio", _("Contractació administrativa")
        SUBSIDIES = "subvencions", _("Subvencions")
        STAFF_SELECTION = "seleccio-personal", _("Selecció de personal")
        FORMS = "impresos", _("Impresos i formularis")

    kind = models.CharField(_("tipus"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("títol"), max_length=300)
    description = models.TextField(_("descripció"), blank=True)
    organ = models.ForeignKey(
        "seu.Organ", verbose_name=_("òrgan que la proporciona"), on_delete=models.PROTECT
    )
    url = models.URLField(_("enllaç"), blank=True)
    blob = models.ForeignKey(
        "documents.Blob",
        verbose_name=_("document PDF"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_on = models.DateField(_("data d'actualització"))
    is_public = models.BooleanField(_("publicat"), default=True)

    class Meta:
        verbose_name = _("document d'informació pública")
        verbose_name_plural = _("documents d'informació pública")
        ordering = ["kind", "-updated_on", "title"]

    def __str__(self) -> str:
        return self.title


class PublicService(models.Model):
    """A service the town hall provides (art. 15.1.b), with its availability."""

    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("prestacions"))
    availability = models.CharField(_("disponibilitat"), max_length=300, blank=True)
    organ = models.ForeignKey("seu.Organ", verbose_name=_("òrgan"), on_delete=models.PROTECT)
    updated_on = models.DateField(_("data d'actualització"))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("servei municipal")
        verbose_name_plural = _("serveis municipals")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class OfficialJournal(models.Model):
    """An official journal where the town hall publishes (art. 19), linked from the seu."""

    name = models.CharField(_("nom"), max_length=200)
    url = models.URLField(_("adreça"))
    description = models.CharField(_("descripció"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("diari oficial")
        verbose_name_plural = _("diaris oficials")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
