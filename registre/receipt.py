"""The receipt of a registry entry (art. 33.f of the ordinance), as a fixed-layout sheet.

It states the registry number (printed in the stamp box as the receipt is sealed, once the number
is taken), the instant of presentation and, when the entry was presented on a non-working day, the
instant it counts from (art. 33.h); the interested person and representative, the organ, the subject
and the request, a procedure's form as it was answered, every attached document with its size, type
and SHA-256 (and the signatures found in it), and the legal text of art. 33.f. ``documents`` adds
the issuer, the CSV and the QR code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _

from documents import sheets, signatures
from registre.models import EntryAttachment, Party, RegistryEntry
from seu import calendar
from seu.models import Representation


def _instant(value: dt.datetime) -> str:
    # With its UTC offset: the hour repeated when the clocks go back must not read the same.
    return calendar.format_instant(value)


def _person(party: Party | None) -> str:
    return f"{party.display_name} — {party.nif}" if party else ""


def representation_text(entry: RegistryEntry, *, with_check: bool = False) -> str:
    """How the representative of ``entry`` proves it (art. 26.2): the kind, and a power's last
    day; ``with_check``: a declared one's check by the organ as it stands now (the entry's page,
    not the receipt, which says what was filed)."""
    text = str(entry.get_representation_display())
    if entry.representation == Representation.POWER and entry.power is not None:
        text = _("%(kind)s, fins al %(date)s") % {
            "kind": text,
            "date": calendar.format_date(calendar.last_day(entry.power.ends_at)),
        }
    if with_check and entry.representation == Representation.DECLARED:
        text = f"{text} ({entry.get_representation_check_display()})"
        if entry.representation_reason:
            text = f"{text}: {entry.representation_reason}"
    return text


def _signatures(attachment: EntryAttachment) -> tuple[str, ...]:
    # Valid, not valid (and why) or not checked (and why): documents.signatures says which.
    return tuple(signatures.describe(signature) for signature in attachment.signatures or ())


def receipt_sheet(
    entry: RegistryEntry, attachments: Sequence[EntryAttachment], *, language: str
) -> sheets.Sheet:
    with translation.override(language):
        fields = [sheets.Field(_("Data i hora de presentació"), _instant(entry.presented_at))]
        if entry.counts_later and entry.effective_at:
            fields.append(
                sheets.Field(
                    _("Data i hora d'entrada"),
                    _instant(entry.effective_at),
                    notes=(
                        _(
                            "Presentada en dia inhàbil: s'entén presentada a la primera hora del "
                            "primer dia hàbil següent (art. 33.h de l'ordenança)."
                        ),
                    ),
                )
            )
        fields.append(sheets.Field(_("Canal"), str(entry.get_channel_display())))
        # The persons as the entry recorded them at filing (art. 33.f-g).
        fields.append(sheets.Field(_("Persona interessada"), _person(entry.interested_party)))
        if entry.representative_party:
            fields.append(sheets.Field(_("Representant"), _person(entry.representative_party)))
            fields.append(sheets.Field(_("Representació"), representation_text(entry)))
        fields.append(sheets.Field(_("Òrgan destinatari"), entry.organ.name))
        fields.append(sheets.Field(_("Assumpte"), entry.subject))
        if entry.exposition:
            fields.append(sheets.Field(_("Exposa"), entry.exposition))
        if entry.request:
            fields.append(sheets.Field(_("Sol·licita"), entry.request))
        answers = sheets.Grid(
            title=_("Dades de la sol·licitud"),
            columns=(sheets.Column(_("Camp"), 0.38), sheets.Column(_("Valor"), 0.62)),
            rows=tuple(
                (sheets.Cell(str(item["label"])), sheets.Cell(str(item["value"])))
                for item in entry.form_answers or ()
            ),
            empty="",
        )
        attached = sheets.Grid(
            title=_("Documents adjunts"),
            columns=(
                sheets.Column(_("Nom"), 0.38),
                sheets.Column(_("Mida"), 0.17),
                sheets.Column(_("Tipus"), 0.12),
                sheets.Column("SHA-256", 0.33, monospace=True),
            ),
            rows=tuple(
                (
                    sheets.Cell(attachment.name, _signatures(attachment)),
                    sheets.Cell(f"{attachment.size} B"),
                    sheets.Cell(attachment.format_label),
                    # In two halves, one per line: the whole hash does not fit the column.
                    sheets.Cell(f"{attachment.sha256[:32]}\n{attachment.sha256[32:]}"),
                )
                for attachment in attachments
            ),
            empty=_("Sense documents adjunts."),
        )
        return sheets.Sheet(
            title=_("Rebut de presentació"),
            language=language,
            fields=tuple(fields),
            grids=(answers, attached) if entry.form_answers else (attached,),
            closing=_(
                "Aquest rebut acredita la presentació al registre electrònic de l'Ajuntament del "
                "contingut que s'hi detalla, amb el número d'anotació, el dia i l'hora indicats, i "
                "garanteix la integritat i el no repudi dels documents aportats (art. 33.f de "
                "l'ordenança reguladora de l'administració electrònica). La no recepció d'aquest "
                "rebut, o la recepció d'un missatge d'error, implica que no s'ha produït la "
                "recepció: cal fer la presentació en un altre moment o per altres mitjans."
            ),
            stamp_label=_("Número de registre"),
        )
