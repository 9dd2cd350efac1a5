"""The person's consent to electronic notification (art. 32.1-32.4): give it, change the address
for the notices, revoke it. Every channel calls these; each change is a new row written with its
instant, the identification used and the declaration word for word, under a lock on the person
so that two changes at once are ordered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from notificacions.models import CaseChannelRequest, NotificationConsent
from seu import calendar, people
from seu.errors import InvalidInput
from seu.models import Identification, Person

Change = NotificationConsent.Change
Scope = NotificationConsent.Scope

# The language the declaration is kept in whatever the person read (the text of record).
RECORD_LANGUAGE = "ca"


class InvalidConsent(InvalidInput):
    """A change of consent that cannot be made; ``errors`` names each field at fault."""

    code = "invalid_consent"

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__(" ".join(message for messages in errors.values() for message in messages))
        self.errors = dict(errors)


def declaration(
    change: str, *, procedure_codes: Iterable[str] = (), while_filing: bool = False
) -> str:
    """The text the person agrees to for ``change``, in the active language: the page shows it
    and ``give_consent``/``change_notice_address``/``revoke_consent`` keep it word for word.
    ``while_filing``: consent given on the confirmation of a request (art. 32.2), which the text
    says, so that the history shows where it was given."""
    if change == Change.GIVEN:
        codes = list(procedure_codes)
        if codes:
            scope = ngettext(
                "les notificacions del tràmit %(procedures)s",
                "les notificacions dels tràmits %(procedures)s",
                len(codes),
            ) % {"procedures": ", ".join(codes)}
        else:
            scope = gettext(
                "les notificacions de tots els tràmits que la relacionin amb l'Administració "
                "municipal"
            )
        text = gettext(
            "La persona interessada accepta de manera expressa rebre per mitjans electrònics, a "
            "la seu electrònica de l'Ajuntament, %(scope)s, i designa l'adreça de correu "
            "electrònic indicada perquè s'hi enviïn els avisos de cada notificació (article 32.2 "
            "i 32.3 de l'ordenança). Sap que la notificació es practica quan accedeix al seu "
            "contingut i que, si passen deu dies naturals des que està a la seva disposició "
            "sense que hi accedeixi, es considera rebutjada (article 32.5 i 32.6). L'adreça és "
            "vàlida fins que en sol·liciti el canvi o la revocació (article 32.4)."
        ) % {"scope": scope}
        if while_filing:
            text += " " + gettext(
                "Ho manifesta en presentar una sol·licitud al registre electrònic de la seu."
            )
        return text
    if change == Change.ADDRESS:
        return gettext(
            "La persona interessada sol·licita que, d'ara endavant, els avisos de les "
            "notificacions electròniques s'enviïn a l'adreça de correu electrònic indicada, que "
            "substitueix l'anterior (article 32.4 de l'ordenança). El consentiment a la "
            "notificació electrònica es manté."
        )
    if change == Change.REVOKED:
        return gettext(
            "La persona interessada revoca el seu consentiment a rebre notificacions per mitjans "
            "electrònics i l'adreça de correu electrònic que havia designat per als avisos "
            "(article 32.4 de l'ordenança). D'ara endavant, l'Ajuntament li farà les "
            "notificacions en paper."
        )
    raise ValueError(change)


def _holder(identification: Identification) -> Person:
    """Whose consent an identification changes: always the identified person's own (a
    representative acting for someone else is the representation issue's to decide), locked."""
    return Person.objects.select_for_update().get(pk=identification.person_id)


def _latest(person: Person) -> NotificationConsent | None:
    return NotificationConsent.objects.of(person).first()


def _clean_email(email: str) -> str:
    """The address for the notices (art. 32.3), checked once with Django's validator (through
    ``seu.people.check_contact``, as "Les meves dades" checks it)."""
    if not (email or "").strip():
        raise InvalidConsent(
            {"email": [str(_("Indicau l'adreça electrònica on voleu rebre els avisos."))]}
        )
    try:
        return people.check_contact(email=email, phone="", postal_address="").email
    except people.InvalidContact as invalid:
        raise InvalidConsent({"email": invalid.errors["email"]}) from None


def _clean_codes(procedure_codes: Iterable[str]) -> list[str]:
    return sorted({code.strip() for code in procedure_codes if code and code.strip()})


def _record(
    *,
    person: Person,
    identification: Identification,
    change: str,
    email: str,
    procedure_codes: list[str],
    language: str,
    now: dt.datetime | None,
    while_filing: bool = False,
) -> NotificationConsent:
    with translation.override(RECORD_LANGUAGE):
        text = declaration(change, procedure_codes=procedure_codes, while_filing=while_filing)
    with translation.override(language):
        shown_text = declaration(change, procedure_codes=procedure_codes, while_filing=while_filing)
    return NotificationConsent.objects.create(
        person=person,
        identification=identification,
        change=change,
        state=(
            NotificationConsent.State.REVOKED
            if change == Change.REVOKED
            else NotificationConsent.State.GIVEN
        ),
        scope=Scope.PROCEDURES if procedure_codes else Scope.ALL,
        procedure_codes=procedure_codes,
        email=email,
        at=now or calendar.now(),
        text=text,
        language=language,
        shown_text=shown_text,
    )


def _language(language: str | None) -> str:
    return language or translation.get_language() or RECORD_LANGUAGE


@transaction.atomic
def give_consent(
    *,
    identification: Identification,
    email: str,
    accepted: bool,
    procedure_codes: Iterable[str] = (),
    language: str | None = None,
    while_filing: bool = False,
    now: dt.datetime | None = None,
) -> NotificationConsent:
    """The identified person accepts electronic notification, expressly (``accepted``: the box
    they ticked, art. 32.2), for every procedure or for those listed, with the address for the
    notices (art. 32.3). Giving again what stands already records nothing. ``while_filing``:
    given on the confirmation of a request (``declaration``)."""
    errors: dict[str, list[str]] = {}
    try:
        email = _clean_email(email)
    except InvalidConsent as invalid:
        errors.update(invalid.errors)
    if not accepted:
        errors["accept"] = [
            str(
                _(
                    "Per rebre les notificacions per mitjans electrònics cal que ho accepteu de "
                    "manera expressa: marcau la casella."
                )
            )
        ]
    if errors:
        raise InvalidConsent(errors)
    codes = _clean_codes(procedure_codes)
    person = _holder(identification)
    latest = _latest(person)
    if (
        latest is not None
        and latest.is_given
        and (latest.email, latest.procedure_codes)
        == (
            email,
            codes,
        )
    ):
        return latest
    return _record(
        person=person,
        identification=identification,
        change=Change.GIVEN,
        email=email,
        procedure_codes=codes,
        language=_language(language),
        now=now,
        while_filing=while_filing,
    )


def _standing(person: Person) -> NotificationConsent:
    latest = _latest(person)
    if latest is None or not latest.is_given:
        raise InvalidInput(
            _("No teniu cap consentiment a la notificació electrònica vigent."),
            code="no_consent",
        )
    return latest


@transaction.atomic
def change_notice_address(
    *,
    identification: Identification,
    email: str,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> NotificationConsent:
    """The person changes the address for the notices of a consent that stands (art. 32.4); the
    scope stays. The same address again records nothing."""
    email = _clean_email(email)
    person = _holder(identification)
    latest = _standing(person)
    if latest.email == email:
        return latest
    return _record(
        person=person,
        identification=identification,
        change=Change.ADDRESS,
        email=email,
        procedure_codes=list(latest.procedure_codes),
        language=_language(language),
        now=now,
    )


@transaction.atomic
def revoke_consent(
    *,
    identification: Identification,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> NotificationConsent:
    """The person revokes the consent and the address (art. 32.4): later notifications are made
    on paper. Revoking what is already revoked records nothing."""
    person = _holder(identification)
    latest = _latest(person)
    if latest is not None and not latest.is_given:
        return latest
    _standing(person)
    return _record(
        person=person,
        identification=identification,
        change=Change.REVOKED,
        email="",
        procedure_codes=[],
        language=_language(language),
        now=now,
    )


# --- Paper for the rest of one case file (art. 32.7) ----------------------------------------------


def case_paper_declaration() -> str:
    """The text a person agrees to when asking for paper in one case file, in the active
    language."""
    return gettext(
        "La persona interessada requereix que les notificacions successives d'aquest expedient "
        "no es practiquin per mitjans electrònics, sinó en paper a la seva adreça postal "
        "(article 32.7 de l'ordenança). El seu consentiment per a la resta de tràmits es manté."
    )


def asked_paper_for_case(person: Person | int, case_reference: str) -> bool:
    """Whether the person asked that the notifications of this case file be on paper."""
    person_id = person if isinstance(person, int) else person.pk
    return bool(case_reference) and (
        CaseChannelRequest.objects.filter(
            person_id=person_id, case_reference=case_reference
        ).exists()
    )


def may_ask_paper_for_case(person: Person, case_reference: str) -> bool:
    """Whether the person may still ask for paper in this case file: a natural person (a legal
    one is obliged to electronic notification) who has not asked yet."""
    return (
        bool(case_reference)
        and person.kind == Person.Kind.NATURAL
        and not asked_paper_for_case(person, case_reference)
    )


@transaction.atomic
def ask_paper_for_case(
    *,
    identification: Identification,
    case_reference: str,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> CaseChannelRequest:
    """The identified person asks that the following notifications of the case file
    ``case_reference`` not be electronic (art. 32.7). A legal person may not (Law 39/2015,
    art. 14.2: obliged to deal electronically); asking twice records nothing new."""
    person = _holder(identification)
    if person.kind == Person.Kind.LEGAL:
        raise InvalidInput(
            _(
                "Una persona jurídica està obligada a relacionar-se per mitjans electrònics amb "
                "l'Administració (article 14.2 de la Llei 39/2015): no pot demanar les "
                "notificacions en paper."
            ),
            code="legal_person",
        )
    case_reference = (case_reference or "").strip()
    if not case_reference:
        raise InvalidInput(_("Aquesta notificació no pertany a cap expedient."), code="no_case")
    existing = CaseChannelRequest.objects.filter(
        person=person, case_reference=case_reference
    ).first()
    if existing is not None:
        return existing
    language = _language(language)
    with translation.override(RECORD_LANGUAGE):
        text = case_paper_declaration()
    with translation.override(language):
        shown_text = case_paper_declaration()
    return CaseChannelRequest.objects.create(
        person=person,
        case_reference=case_reference,
        at=now or calendar.now(),
        identification=identification,
        text=text,
        language=language,
        shown_text=shown_text,
    )
