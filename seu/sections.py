"""The sections of the seu, as the home page lists them. A section whose issue has not landed yet
says what it will hold instead of linking to nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    slug: str
    title: str | Promise
    summary: str | Promise
    articles: str
    available: bool = False


SECTIONS: list[Section] = [
    Section(
        "registre",
        _("Registre electrònic"),
        _("Presentar sol·licituds, escrits i comunicacions i obtenir-ne el rebut segellat."),
        "33",
        available=True,  # /registre/ (registre.urls, before the catch-all section page)
    ),
    Section(
        "carpeta",
        _("La meva carpeta"),
        _("Consultar els vostres registres, expedients i justificants."),
        "22, 31",
        available=True,  # /carpeta/ (registre.urls)
    ),
    Section(
        "notificacions",
        _("Notificacions electròniques"),
        _("Accedir a les notificacions que l'Ajuntament us ha posat a disposició."),
        "32",
    ),
    Section(
        "tauler",
        _("Tauler d'edictes"),
        _("Edictes i anuncis oficials de l'Ajuntament, amb el període d'exposició certificat."),
        "18",
        available=True,  # served by tauler.urls at /tauler/, before the catch-all section route
    ),
    Section(
        "tramits",
        _("Catàleg de tràmits"),
        _("Els procediments que podeu fer per via electrònica, amb els requisits i terminis."),
        "15, 20, 21",
    ),
    Section(
        "cita-previa",
        _("Cita prèvia"),
        _(
            "Demanar cita a l'oficina d'acreditació per obtenir el certificat de la FNMT o "
            "registrar-vos a Cl@ve."
        ),
        "",
        available=True,
    ),
    Section(
        "certificats",
        _("Certificats digitals admesos"),
        _("Com identificar-vos: DNI electrònic, certificats de la FNMT i Cl@ve."),
        "6-8",
    ),
    Section(
        "informacio",
        _("Informació i transparència"),
        _("Organització, competències, serveis, normativa i documents d'informació pública."),
        "15, 16, 19",
        available=True,  # served by tauler.urls at /informacio/, before the catch-all route
    ),
]

BY_SLUG = {section.slug: section for section in SECTIONS}
