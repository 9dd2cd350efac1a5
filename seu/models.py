"""The town hall's identity, its organs and the days it declares non-working."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.es import cif


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
        return f"{self.date:%Y-%m-%d} {self.name}"
