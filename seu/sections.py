"""The sections of the seu, as the home page lists them. A section whose issue has not landed yet
(``available=False``) is listed apart, as coming, saying what it will hold, instead of linking to
nothing; a section says only what exists (ordinance art. 9: the seu answers for what it shows).

Where what a section offers depends on what staff switch on in another app (the appointment
services: ``cites``), that app registers a summary here (``register_summary``, from its
``AppConfig.ready``), because ``seu`` imports no other app (DESIGN.md)."""

from __future__ import annotations

from collections.abc import Callable
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


SummaryProvider = Callable[[], "str | Promise"]

_summaries: dict[str, SummaryProvider] = {}


def register_summary(slug: str, provider: SummaryProvider) -> None:
    """Have the section ``slug`` say what ``provider()`` says now instead of its fixed summary
    (called by the app that owns what the section offers)."""
    _summaries[slug] = provider


def summary(section: Section) -> str | Promise:
    """What ``section`` offers, as the home page says it now."""
    provider = _summaries.get(section.slug)
    return provider() if provider is not None else section.summary


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
        _(
            "Seguir els vostres expedients i consultar el que heu presentat al registre "
            "electrònic i els seus rebuts."
        ),
        "22, 31",
        available=True,  # /carpeta/ (registre.urls)
    ),
    Section(
        "notificacions",
        _("Notificacions electròniques"),
        _(
            "Obrir o rebutjar les notificacions i comunicacions que l'Ajuntament us posa a "
            "disposició, i descarregar-ne els documents i les evidències."
        ),
        "32",
        available=True,  # /notificacions/ (notificacions.urls, before the catch-all section page)
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
        _(
            "Consultar els procediments que podeu fer per via electrònica, amb els requisits i "
            "els terminis, i iniciar-los."
        ),
        "15, 20, 21",
        available=True,  # /tramits/ (expedients.urls, before the catch-all section page)
    ),
    Section(
        "cita-previa",
        _("Cita prèvia"),
        # Replaced by what the office offers now (``cites`` registers it): never a service off.
        _("Demanar cita a l'oficina d'acreditació."),
        "",
        available=True,
    ),
    Section(
        "certificats",
        _("Certificats digitals admesos"),
        _("Com identificar-vos: DNI electrònic, certificats de la FNMT i Cl@ve."),
        "6-8",
        available=True,  # /certificats/ (seu.views.accepted_certificates)
    ),
    Section(
        "informacio",
        _("Informació i transparència"),
        _("Organització, competències, serveis, normativa i documents d'informació pública."),
        "15, 16, 19",
        available=True,  # served by informacio.urls at /informacio/, before the catch-all route
    ),
]

BY_SLUG = {section.slug: section for section in SECTIONS}
