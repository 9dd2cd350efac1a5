"""Every address that shows someone's personal data answers the wrong actor with nothing (issue 12
item 7; STYLE.md "Tests"): walk the URL resolver, pick every route that takes an object
identifier, and ask it as each named actor (``tests.actors``).

What the wrong actor gets is what they would get for an object that does not exist: a 404. Someone
not logged in to that part of the seu is sent to log in first (the identification page, the
back-office login; 401/403 from the API), with none of the personal data in the answer. The right
actor gets a 200, which proves the walk reaches the page.

A route with an object parameter that is neither in ``COVERED`` nor in ``NOT_WALKED`` (with its
reason) makes ``test_every_route_with_an_object_parameter_is_walked_or_set_aside`` fail: a new
route cannot escape the walk.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from rest_framework.authtoken.models import Token, TokenProxy

from expedients import services as case_services
from expedients.models import Expedient
from notificacions import access, certificates
from notificacions.models import Notification
from registre.api import entry_reference
from registre.models import RegistryEntry
from seu import calendar, identity
from seu.identity import representation
from seu.identity.staff_auth import enrol_totp_device
from seu.models import BackOfficeChange, Organ, Power, StaffMembershipChange, StaffRole
from tauler.models import Edict
from tests import actors
from tests.actors import CITIZEN, Actor, staff_actor
from tests.conftest import log_in_to_back_office
from tests.factories import EdictFactory, UserFactory
from tests.support.expedients import file_case, make_procedure
from tests.support.notifications import consent_of, send

pytestmark = pytest.mark.django_db

# The named actors this module takes (pytest finds a fixture by its name in the module).
citizen = actors.citizen
another_citizen = actors.another_citizen
representative = actors.representative
clerk = actors.clerk
clerk_of_another_organ = actors.clerk_of_another_organ
anonymous = actors.anonymous
another_organ = actors.another_organ

# --- The walk ------------------------------------------------------------------------------------

PARAMETER = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>")


@dataclass(frozen=True)
class Route:
    """A route of the resolver: its full pattern without the language prefix, and whether it also
    answers under ``/es/`` and ``/en/``."""

    pattern: str
    translated: bool = False

    @property
    def has_object_parameter(self) -> bool:
        return bool(PARAMETER.search(self.pattern))

    def path(self, values: dict[str, str], language: str = "ca") -> str:
        def value(match: re.Match[str]) -> str:
            return values[match.group(1)]

        filled = re.sub(r"<(?:\w+:)?(\w+)>", value, self.pattern)
        prefix = f"/{language}" if self.translated and language != settings.LANGUAGE_CODE else ""
        return f"{prefix}/{filled}"


def all_routes(
    patterns: Iterable[URLPattern | URLResolver] | None = None,
    prefix: str = "",
    translated: bool = False,
) -> list[Route]:
    """Every route of the resolver, recursively (includes, namespaces, the language prefix)."""
    found: list[Route] = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            is_locale = isinstance(pattern.pattern, LocalePrefixPattern)
            found += all_routes(
                pattern.url_patterns,
                prefix if is_locale else prefix + str(pattern.pattern),
                translated or is_locale,
            )
        else:
            found.append(Route(prefix + str(pattern.pattern), translated))
    return found


def object_routes(routes: Iterable[Route] | None = None) -> list[Route]:
    """The routes that take a parameter (of the resolver, unless ``routes`` are given)."""
    return [route for route in routes or all_routes() if route.has_object_parameter]


# --- What each route is and how its parameters are filled ----------------------------------------


class Kind(Enum):
    CITIZEN_PAGE = "a page of La meva carpeta"
    API = "the registry API"
    STAFF_API = "an API for the town hall's other systems (staff tokens only)"
    BACK_OFFICE = "the back-office"


@dataclass
class Data:
    """What the routes are asked about: the citizen's entry for organ A (with its receipt and an
    attachment), a draft edict of organ A, and a notification of organ A to the citizen about the
    entry, opened by them, with its certificate issued."""

    entry: RegistryEntry
    edict: Edict
    notification: Notification
    case: Expedient
    power: Power

    @property
    def attachment_position(self) -> str:
        return str(self.entry.attachments.get().position)


# What the right actor gets from an action's page on a notification already opened: a redirect
# to the notification's page, where the action is no longer offered; the wrong actors a 404.
RIGHT_ACTION = 302


@dataclass(frozen=True)
class Covered:
    kind: Kind
    fill: Callable[[Data], dict[str, str]]
    right_status: int = 200  # what the right actor gets (the page exists for them)


def _entry_pk(data: Data) -> dict[str, str]:
    return {"pk": str(data.entry.pk)}


def _entry_object_id(data: Data) -> dict[str, str]:
    return {"object_id": str(data.entry.pk)}


def _entry_number(data: Data) -> dict[str, str]:
    assert data.entry.number
    return {"number": entry_reference(data.entry.number)}


def _edict_pk(data: Data) -> dict[str, str]:
    return {"pk": str(data.edict.pk)}


def _edict_object_id(data: Data) -> dict[str, str]:
    return {"object_id": str(data.edict.pk)}


def _notification_public_id(data: Data) -> dict[str, str]:
    return {"public_id": str(data.notification.public_id)}


def _notification_document(data: Data) -> dict[str, str]:
    return {**_notification_public_id(data), "position": "0"}


def _notification_object_id(data: Data) -> dict[str, str]:
    return {"object_id": str(data.notification.pk)}


def _notification_document_id(data: Data) -> dict[str, str]:
    return {**_notification_object_id(data), "position": "0"}


def _case_pk(data: Data) -> dict[str, str]:
    return {"pk": str(data.case.pk)}


def _case_document(data: Data) -> dict[str, str]:
    return {**_case_pk(data), "position": _case_position(data)}


def _case_position(data: Data) -> str:
    return str(data.case.documents.get(document=data.case.answers_document).position)


def _case_object_id(data: Data) -> dict[str, str]:
    return {"object_id": str(data.case.pk)}


def _case_number(data: Data) -> dict[str, str]:
    code, year, sequence = data.case.number.split("/")
    return {"code": code, "year": year, "sequence": sequence}


def _power_public_id(data: Data) -> dict[str, str]:
    return {"public_id": str(data.power.public_id)}


BOOK = "gestio/registre/registryentry/"
EDICTS = "gestio/tauler/edict/"
NOTIFICATIONS = "gestio/notificacions/notification/"
INBOX = "notificacions/<uuid:public_id>/"
CASES = "gestio/expedients/expedient/"
POWER = "identificacio/apoderaments/<uuid:public_id>/"
MY_CASE = "carpeta/expedients/<int:pk>/"
CASE_API = "api/v1/expedients/<slug:code>/<int:year>/<int:sequence>/"

COVERED: dict[str, Covered] = {
    # La meva carpeta: the entry, right after filing and later, and its receipt.
    "registre/presentat/<int:pk>/": Covered(Kind.CITIZEN_PAGE, _entry_pk),
    "carpeta/registre/<int:pk>/": Covered(Kind.CITIZEN_PAGE, _entry_pk),
    "carpeta/registre/<int:pk>/rebut.pdf": Covered(Kind.CITIZEN_PAGE, _entry_pk),
    # The registry API.
    "api/v1/registre/entrades/<registry_entry_number:number>/": Covered(Kind.API, _entry_number),
    "api/v1/registre/entrades/<registry_entry_number:number>/rebut.pdf": Covered(
        Kind.API, _entry_number
    ),
    # The registry book in the back-office.
    f"{BOOK}<path:object_id>/change/": Covered(Kind.BACK_OFFICE, _entry_object_id),
    f"{BOOK}<path:object_id>/history/": Covered(Kind.BACK_OFFICE, _entry_object_id),
    # Nobody deletes a registry entry: the clerk gets a 403 (no data), another organ a 404.
    f"{BOOK}<path:object_id>/delete/": Covered(Kind.BACK_OFFICE, _entry_object_id, 403),
    f"{BOOK}<int:object_id>/rebut/": Covered(Kind.BACK_OFFICE, _entry_object_id),
    f"{BOOK}<int:object_id>/sicres3/": Covered(Kind.BACK_OFFICE, _entry_object_id),
    f"{BOOK}<int:object_id>/no-admetre/": Covered(Kind.BACK_OFFICE, _entry_object_id),
    f"{BOOK}<int:object_id>/adjunts/<int:position>/": Covered(
        Kind.BACK_OFFICE,
        lambda data: {**_entry_object_id(data), "position": data.attachment_position},
    ),
    # Edicts in the back-office: drafts and their approval are the organ's (``seu.staff``).
    f"{EDICTS}<path:object_id>/change/": Covered(Kind.BACK_OFFICE, _edict_object_id),
    f"{EDICTS}<path:object_id>/history/": Covered(Kind.BACK_OFFICE, _edict_object_id),
    # Edicts are withdrawn, never deleted (art. 18): a 403 for the clerk too.
    f"{EDICTS}<path:object_id>/delete/": Covered(Kind.BACK_OFFICE, _edict_object_id, 403),
    f"{EDICTS}<int:pk>/publish/": Covered(Kind.BACK_OFFICE, _edict_pk),
    f"{EDICTS}<int:pk>/withdraw/": Covered(Kind.BACK_OFFICE, _edict_pk),
    # Les meves notificacions: the notification, its actions (an opened one leads back to its
    # page), its documents, evidence and certificate.
    INBOX: Covered(Kind.CITIZEN_PAGE, _notification_public_id),
    f"{INBOX}obrir/": Covered(Kind.CITIZEN_PAGE, _notification_public_id, 302),
    f"{INBOX}rebutjar/": Covered(Kind.CITIZEN_PAGE, _notification_public_id, 302),
    f"{INBOX}documents/<int:position>/": Covered(Kind.CITIZEN_PAGE, _notification_document),
    f"{INBOX}evidencia/": Covered(Kind.CITIZEN_PAGE, _notification_public_id),
    f"{INBOX}certificat/": Covered(Kind.CITIZEN_PAGE, _notification_public_id),
    f"{INBOX}paper/": Covered(Kind.CITIZEN_PAGE, _notification_public_id),
    # The notifications API for the town hall's systems.
    "api/v1/notificacions/<uuid:public_id>/": Covered(Kind.STAFF_API, _notification_public_id),
    # The notifications register of the organ in the back-office.
    f"{NOTIFICATIONS}<path:object_id>/change/": Covered(Kind.BACK_OFFICE, _notification_object_id),
    f"{NOTIFICATIONS}<path:object_id>/history/": Covered(Kind.BACK_OFFICE, _notification_object_id),
    f"{NOTIFICATIONS}<path:object_id>/delete/": Covered(
        Kind.BACK_OFFICE, _notification_object_id, 403
    ),
    f"{NOTIFICATIONS}<int:object_id>/impossibilitat/": Covered(
        Kind.BACK_OFFICE, _notification_object_id, RIGHT_ACTION
    ),
    f"{NOTIFICATIONS}<int:object_id>/anullar/": Covered(
        Kind.BACK_OFFICE, _notification_object_id, RIGHT_ACTION
    ),
    f"{NOTIFICATIONS}<int:object_id>/resultat-paper/": Covered(
        Kind.BACK_OFFICE, _notification_object_id, RIGHT_ACTION
    ),
    f"{NOTIFICATIONS}<int:object_id>/documents/<int:position>/": Covered(
        Kind.BACK_OFFICE, _notification_document_id
    ),
    f"{NOTIFICATIONS}<int:object_id>/evidencia/": Covered(
        Kind.BACK_OFFICE, _notification_object_id
    ),
    f"{NOTIFICATIONS}<int:object_id>/certificat/": Covered(
        Kind.BACK_OFFICE, _notification_object_id
    ),
    # La meva carpeta > Expedients: the case, its documents and the person's actions on it (no
    # remedy runs: answering one leads back to the case's page).
    MY_CASE: Covered(Kind.CITIZEN_PAGE, _case_pk),
    f"{MY_CASE}documents/<int:position>/": Covered(Kind.CITIZEN_PAGE, _case_document),
    f"{MY_CASE}esmena/": Covered(Kind.CITIZEN_PAGE, _case_pk, RIGHT_ACTION),
    f"{MY_CASE}ampliacio/": Covered(Kind.CITIZEN_PAGE, _case_pk),
    # The case files API for the town hall's systems.
    CASE_API: Covered(Kind.STAFF_API, _case_number),
    f"{CASE_API}documents/<int:position>/": Covered(
        Kind.STAFF_API, lambda data: {**_case_number(data), "position": _case_position(data)}
    ),
    # A power the citizen granted: its page, and the representative's actions, which lead the
    # grantor back to it; revoking asks the grantor first.
    POWER: Covered(Kind.CITIZEN_PAGE, _power_public_id),
    f"{POWER}acceptar/": Covered(Kind.CITIZEN_PAGE, _power_public_id, RIGHT_ACTION),
    f"{POWER}rebutjar/": Covered(Kind.CITIZEN_PAGE, _power_public_id, RIGHT_ACTION),
    f"{POWER}revocar/": Covered(Kind.CITIZEN_PAGE, _power_public_id),
    # The organ's case files in the back-office: the page, its documents and each action's form.
    f"{CASES}<path:object_id>/change/": Covered(Kind.BACK_OFFICE, _case_object_id),
    f"{CASES}<path:object_id>/history/": Covered(Kind.BACK_OFFICE, _case_object_id),
    f"{CASES}<path:object_id>/delete/": Covered(Kind.BACK_OFFICE, _case_object_id, 403),
    f"{CASES}<int:object_id>/documents/<int:position>/": Covered(
        Kind.BACK_OFFICE,
        lambda data: {**_case_object_id(data), "position": _case_position(data)},
    ),
    **{
        f"{CASES}<int:object_id>/{action}/": Covered(Kind.BACK_OFFICE, _case_object_id)
        for action in ("assentament", "iniciar", "proposta", "requeriment", "resoldre")
    },
    # An open case cannot be closed: its page, where the action is not offered.
    f"{CASES}<int:object_id>/tancar/": Covered(Kind.BACK_OFFICE, _case_object_id, RIGHT_ACTION),
    # Offered only for a declared representation; the walk's case is the person's own: a 302.
    f"{CASES}<int:object_id>/representacio/": Covered(
        Kind.BACK_OFFICE, _case_object_id, RIGHT_ACTION
    ),
}

ADMIN_REDIRECT = (
    "Django's redirect from <object_id>/ to <object_id>/change/: it reads no object, the "
    "change page it leads to is walked"
)
CONFIGURATION = "back-office configuration with no personal data"
NOT_ORGAN_SCOPED = (
    "back-office register not scoped by organ: reserved to the holders of its model permission "
    "(administrators), which no clerk has; not walked here"
)
PERMISSION_WALK = (
    "back-office register not scoped by organ, reserved to the holders of its model permission: "
    "walked by the permission walk (ADMIN_MODELS)"
)
PUBLIC_BOARD = "the notice board is public by law (art. 18); drafts are never served there"

# Every other route with a parameter, each with why it is not walked. A key ending in "/" sets
# aside every route under it.
NOT_WALKED: dict[str, str] = {
    # Public by design: the verification by CSV, the seal certificates, the board, the
    # information pages, the appointments (signed tokens sent to the person by e-mail).
    "api/v1/verificacio/<str:code>/": "public verification by CSV (art. 30): the code is the key",
    "verificar/<str:code>/": "public verification by CSV (art. 30): the code is the key",
    "verificar/<str:code>/document.pdf": "public verification by CSV (art. 30)",
    "segells/<str:fingerprint>.pem": "the town hall's public seal certificates",
    "tauler/feed/<slug:category>/": PUBLIC_BOARD,
    "tauler/<int:year>/<int:number>/": PUBLIC_BOARD,
    "tauler/<int:year>/<int:number>/documents/<int:position>/": PUBLIC_BOARD,
    "tauler/<int:year>/<int:number>/diligencia.pdf": PUBLIC_BOARD,
    "api/v1/tauler/edictes/<int:year>/<int:number>/": PUBLIC_BOARD,
    "informacio/documents/<int:pk>/": "public information documents (art. 15, 16, 19)",
    "cita-previa/confirmar/<str:token>/": "appointment: a signed token sent to the person",
    "cita-previa/cita/<str:token>/": "appointment: a signed token sent to the person",
    "cita-previa/cita/<str:token>/canvi/": "appointment: a signed token sent to the person",
    "cita-previa/cita/<str:token>/canvi/<str:day>/": "appointment: a signed token",
    "cita-previa/<slug:service>/": "public availability of a service's appointments",
    "cita-previa/<slug:service>/<str:day>/": "public availability of a service's appointments",
    "<slug:slug>/": "the portal's information sections",
    # The back-office's own machinery.
    "gestio/r/<path:content_type_id>/<path:object_id>/": (
        "Django's 'view on site' redirect: points to the public address of an object"
    ),
    # The back-office's index of an app, whatever the apps its pattern lists (in the order they
    # were registered): a key ending in "<app_label>" sets aside every pattern it begins.
    "gestio/^(?P<app_label>": "the back-office's index of an app: no object",
    "gestio/(?P<url>.*)$": "the back-office's catch-all: a 404 or the login",
    f"{BOOK}<path:object_id>/": ADMIN_REDIRECT,
    f"{EDICTS}<path:object_id>/": ADMIN_REDIRECT,
    f"{NOTIFICATIONS}<path:object_id>/": ADMIN_REDIRECT,
    f"{CASES}<path:object_id>/": ADMIN_REDIRECT,
    "gestio/expedients/procedure/": (
        "the catalogue of procedures: the organs' configuration, public once published"
    ),
    "tramits/<slug:code>/": "the public catalogue of procedures (art. 21)",
    "tramits/<slug:code>/formulari/": (
        "the person's own draft, found through their own session, never by an address"
    ),
    "tramits/<slug:code>/revisio/": "the person's own draft, found through their own session",
    "tramits/<slug:code>/confirmar/": "the person's own draft, found through their own session",
    f"{MY_CASE}silenci/": (
        "POST only (a 405 to every GET, with nothing of the case); its POST finds the case among "
        "the person's own as the page does (tests/expedients/test_folder_pages.py)"
    ),
    f"{CASE_API}documents/": (
        "POST only (adding a document); scoped to the organ as the detail is "
        "(tests/expedients/test_api.py)"
    ),
    "gestio/notificacions/clocksuspension/": (
        "suspensions of the notification clock: the whole town hall's, no personal data"
    ),
    "gestio/auth/group/": CONFIGURATION,
    "gestio/seu/townhall/": CONFIGURATION,
    "gestio/seu/organ/": CONFIGURATION,
    "gestio/seu/nonworkingday/": CONFIGURATION,
    "gestio/seu/interruption/": CONFIGURATION,
    "gestio/documents/sealcertificate/": CONFIGURATION,
    "gestio/informacio/publicservice/": CONFIGURATION,
    "gestio/informacio/officialjournal/": CONFIGURATION,
    "gestio/informacio/informationdocument/": CONFIGURATION,
    "gestio/tauler/healthrecord/": CONFIGURATION,
    "gestio/tauler/incident/": "incidents of the board's service (art. 18.5), no personal data",
    "gestio/cites/service/": CONFIGURATION,
    "gestio/cites/closedday/": CONFIGURATION,
    "gestio/auth/user/": PERMISSION_WALK,
    "gestio/authtoken/tokenproxy/": PERMISSION_WALK,
    "gestio/axes/": NOT_ORGAN_SCOPED,
    "gestio/otp_totp/totpdevice/": PERMISSION_WALK,
    "gestio/seu/authorisedofficial/": PERMISSION_WALK,
    "gestio/seu/identification/": PERMISSION_WALK,
    "gestio/seu/power/": PERMISSION_WALK,
    "gestio/registre/powerpaper/": (
        "the papers of powers granted at the office: the register of powers' pages, reserved to "
        "the holders of seu's power permissions, not an organ's "
        "(tests/registre/test_office_powers.py walks a clerk without them)"
    ),
    "gestio/seu/outgoingemail/": PERMISSION_WALK,
    "gestio/notificacions/notificationconsent/": PERMISSION_WALK,
    "gestio/seu/staffmembershipchange/": PERMISSION_WALK,
    "gestio/seu/backofficechange/": PERMISSION_WALK,
    "gestio/documents/document/": PERMISSION_WALK,
    "gestio/documents/integrityincident/": PERMISSION_WALK,
    "gestio/cites/appointment/": (
        "the office's appointments are one agenda for the whole town hall (seed 000), not an "
        "organ's; reserved to the holders of its permissions"
    ),
}


def set_aside(pattern: str, not_walked: dict[str, str] = NOT_WALKED) -> bool:
    return pattern in not_walked or any(
        key.endswith(("/", "<app_label>")) and pattern.startswith(key) and key != pattern
        for key in not_walked
    )


def unwalked(routes: Iterable[Route], covered: Iterable[str] = COVERED) -> list[str]:
    """The routes with an object parameter that are neither walked nor set aside."""
    known = set(covered)
    return sorted(
        route.pattern
        for route in object_routes(routes)
        if route.pattern not in known and not set_aside(route.pattern)
    )


def walked_routes() -> list[Route]:
    return [route for route in object_routes() if route.pattern in COVERED]


# --- Coverage ------------------------------------------------------------------------------------


def test_every_route_with_an_object_parameter_is_walked_or_set_aside() -> None:
    assert unwalked(all_routes()) == []


def test_every_walked_route_exists() -> None:
    """A route renamed or removed leaves no stale entry behind (it would then be walked by no
    one)."""
    assert set(COVERED) - {route.pattern for route in object_routes()} == set()


def test_a_new_route_with_an_object_parameter_makes_the_coverage_test_fail() -> None:
    """The test of the test: a route added tomorrow, nowhere in the mapping, is reported."""
    new = [
        Route("carpeta/registre/<int:pk>/justificant.pdf", translated=True),
        Route("api/v1/registre/entrades/<registry_entry_number:number>/adjunts/"),
        Route("gestio/registre/registryentry/<int:object_id>/copia/", translated=True),
    ]
    assert unwalked([*all_routes(), *new]) == sorted(route.pattern for route in new)
    # And a route without a parameter is not the walk's business.
    assert unwalked([*all_routes(), Route("carpeta/ajuda/", translated=True)]) == []


# --- The walk ------------------------------------------------------------------------------------

PERSONAL = [CITIZEN.nif, "Garcia Ferrer", "carrer de les Roses"]


def _personal_data_in(response: HttpResponseBase) -> list[str]:
    body = getattr(response, "content", b"").decode("utf-8", "replace")
    return [marker for marker in PERSONAL if marker in body]


def _redirected_to(response: HttpResponseBase, login_path: str) -> bool:
    if response.status_code != 302:
        return False
    return urlparse(response["Location"]).path.rstrip("/").endswith(login_path.rstrip("/"))


@dataclass
class Expectation:
    status: int | tuple[int, ...] | None = None  # None: a redirect to ``login``
    login: str = ""


def expectations(kind: Kind, right: int) -> dict[str, Expectation]:
    """What each actor gets, by the kind of page."""
    to_identify = Expectation(login="/identificacio/")
    to_back_office = Expectation(login="/gestio/login/")
    not_found = Expectation(404)
    if kind is Kind.CITIZEN_PAGE:
        return {
            "citizen": Expectation(right),
            "another citizen": not_found,
            "representative": not_found,
            "outside their power": not_found,
            "clerk": to_identify,  # no seu identification: a member of staff is nobody here
            "clerk of another organ": to_identify,
            "anonymous": to_identify,
        }
    if kind is Kind.STAFF_API:
        refused = Expectation((401, 403))
        return {
            "clerk": Expectation(right),
            "clerk of another organ": not_found,
            "citizen": refused,
            "another citizen": refused,
            "representative": refused,
            "outside their power": refused,
            "anonymous": refused,
        }
    if kind is Kind.API:
        return {
            "citizen": Expectation(right),
            "clerk": Expectation(right),
            "another citizen": not_found,
            "representative": not_found,
            "outside their power": not_found,
            "clerk of another organ": not_found,
            "anonymous": Expectation((401, 403)),
        }
    return {
        "clerk": Expectation(right),
        "clerk of another organ": not_found,
        "citizen": to_back_office,
        "another citizen": to_back_office,
        "representative": to_back_office,
        "outside their power": to_back_office,
        "anonymous": to_back_office,
    }


def _languages(route: Route) -> list[str]:
    return [code for code, _ in settings.LANGUAGES] if route.translated else ["ca"]


@pytest.fixture
def data(citizen: Actor, clerk: Actor, organ: Any, town_hall: Any, on_a_working_day: None) -> Data:
    town_hall.dir3_code = "L01070577"  # SICRES 3 needs it
    town_hall.save()
    edict = EdictFactory.create(organ=organ, acting_user=clerk.user)
    assert citizen.identification is not None
    consent_of(CITIZEN, email="maria.avisos@example.org")
    notification = send(
        organ, CITIZEN, related_entry=citizen.entry, case_reference="expedients.case:1"
    )
    access.accept(identification=citizen.identification, public_id=notification.public_id)
    certificates.issue_certificate(notification_id=notification.pk)
    notification.refresh_from_db()
    case = file_case(citizen.identification, make_procedure(organ))
    case_services.issue_answers_document(case_id=case.pk)
    case.refresh_from_db()
    # To someone who is none of the actors: only the citizen, its grantor, sees it.
    power = representation.grant_power(
        identification=citizen.identification,
        wanted=representation.PowerInput(
            representative_nif="99999999R",
            scope="general",
            ends_on=calendar.to_local(calendar.now()).date() + dt.timedelta(days=90),
        ),
    )
    return Data(entry=citizen.entry, edict=edict, notification=notification, case=case, power=power)


OUTSIDER = identity.PersonData(nif="22222222J", given_name="Pere", surnames="Mas Vives")


@pytest.fixture
def outside_power(citizen: Actor) -> Actor:
    """Pere, to whom Maria gave a power for another procedure (accepted, in force) and a general
    power she then revoked: neither reaches anything of hers (#16 item 7), so he is, everywhere,
    as any other citizen."""
    actor = actors.person_actor("outside their power", OUTSIDER)
    assert citizen.identification is not None and actor.identification is not None
    ends_on = calendar.to_local(calendar.now()).date() + dt.timedelta(days=90)
    for scope, codes in (("procedures", ["ALTRE"]), ("general", [])):
        power = representation.grant_power(
            identification=citizen.identification,
            wanted=representation.PowerInput(
                representative_nif=OUTSIDER.nif, scope=scope, procedure_codes=codes, ends_on=ends_on
            ),
        )
        representation.decide_power(
            identification=actor.identification, public_id=power.public_id, accept=True
        )
    representation.revoke_power(identification=citizen.identification, public_id=power.public_id)
    return actor


def wrong_answers(route: Route, data: Data, actors: Iterable[Actor]) -> list[str]:
    """Ask ``route`` as each actor, in each language; what differs from the expectation."""
    covered = COVERED[route.pattern]
    by_name = {actor.name: actor for actor in actors}
    wrong: list[str] = []
    for language in _languages(route):
        address = route.path(covered.fill(data), language)
        for name, expected in expectations(covered.kind, covered.right_status).items():
            response = by_name[name].client.get(address)
            translation.activate(settings.LANGUAGE_CODE)
            got = response.status_code
            if expected.status is None:
                ok = _redirected_to(response, expected.login)
            elif isinstance(expected.status, tuple):
                ok = got in expected.status
            else:
                ok = got == expected.status
            leaked = _personal_data_in(response) if got != 200 else []
            if not ok or leaked:
                location = response.get("Location", "")
                wrong.append(f"{name} on {address}: {got} {location} {leaked or ''}".rstrip())
    return wrong


@pytest.mark.parametrize("route", walked_routes(), ids=lambda route: route.pattern)
def test_only_the_right_actor_gets_an_object_by_its_address(
    route: Route,
    data: Data,
    citizen: Actor,
    another_citizen: Actor,
    representative: Actor,
    outside_power: Actor,
    clerk: Actor,
    clerk_of_another_organ: Actor,
    anonymous: Actor,
) -> None:
    actors = [citizen, another_citizen, representative, outside_power, clerk]
    actors += [clerk_of_another_organ, anonymous]
    assert wrong_answers(route, data, actors) == []


def test_the_walk_reports_a_page_that_serves_someone_elses_entry(
    monkeypatch: pytest.MonkeyPatch,
    data: Data,
    citizen: Actor,
    another_citizen: Actor,
    representative: Actor,
    outside_power: Actor,
    clerk: Actor,
    clerk_of_another_organ: Actor,
    anonymous: Actor,
) -> None:
    """The test of the test: were La meva carpeta to look entries up among everybody's, the
    walk would name who got what."""
    from registre import selectors

    monkeypatch.setattr(
        selectors,
        "citizen_entries",
        lambda identification: RegistryEntry.objects.filter(number__isnull=False),
    )
    actors = [citizen, another_citizen, representative, outside_power, clerk]
    actors += [clerk_of_another_organ, anonymous]

    wrong = wrong_answers(Route("carpeta/registre/<int:pk>/", translated=True), data, actors)

    assert f"another citizen on /carpeta/registre/{data.entry.pk}/: 200" in wrong
    assert f"representative on /es/carpeta/registre/{data.entry.pk}/: 200" in wrong
    assert f"outside their power on /en/carpeta/registre/{data.entry.pk}/: 200" in wrong


# --- Pages of one's own data, without an object in the address -----------------------------------

OWN_PAGES = ["identity:mine", "identity:my_data", "registre:folder"]


@pytest.mark.parametrize("name", OWN_PAGES)
def test_pages_of_ones_own_data_show_nobody_elses(
    name: str,
    citizen: Actor,
    another_citizen: Actor,
    representative: Actor,
    outside_power: Actor,
    clerk_of_another_organ: Actor,
    anonymous: Actor,
) -> None:
    address = reverse(name)
    own = citizen.client.get(address)
    assert own.status_code == 200
    assert _personal_data_in(own), "the page shows the citizen their own data"

    for actor in (another_citizen, representative, outside_power):
        response = actor.client.get(address)
        assert response.status_code == 200, actor
        assert _personal_data_in(response) == [], actor
    for actor in (clerk_of_another_organ, anonymous):
        response = actor.client.get(address)
        assert _redirected_to(response, "/identificacio/"), actor
        assert _personal_data_in(response) == [], actor


def test_the_list_of_case_files_shows_nobody_elses(
    data: Data,
    citizen: Actor,
    another_citizen: Actor,
    representative: Actor,
    outside_power: Actor,
    clerk_of_another_organ: Actor,
    anonymous: Actor,
) -> None:
    address = reverse("expedients:cases")
    assert data.case.number in citizen.client.get(address).content.decode()
    for actor in (another_citizen, representative, outside_power):
        response = actor.client.get(address)
        assert response.status_code == 200, actor
        assert data.case.number not in response.content.decode(), actor
    for actor in (clerk_of_another_organ, anonymous):
        response = actor.client.get(address)
        assert _redirected_to(response, "/identificacio/"), actor
        assert data.case.number not in response.content.decode(), actor


def test_an_entity_entry_is_read_by_its_representative_and_by_nobody_else(
    organ: Any, citizen: Actor, representative: Actor, anonymous: Actor
) -> None:
    """The other side of representation: the entry filed for the entity is the representative's
    (selectors.citizen_entries), not the citizen's."""
    entry = actors.file_entry_for(
        representative, organ, subject="Llicència d'activitat del magatzem"
    )
    for address in (
        f"/carpeta/registre/{entry.pk}/",
        f"/carpeta/registre/{entry.pk}/rebut.pdf",
        f"/api/v1/registre/entrades/{entry_reference(entry.number or '')}/",
    ):
        assert representative.client.get(address).status_code == 200, address
        assert citizen.client.get(address).status_code == 404, address
        assert anonymous.client.get(address).status_code in (302, 401, 403), address


# --- The back-office's registers reserved to a permission ----------------------------------------
#
# The registers of personal data that are not an organ's work (identifications, users, their
# tokens and second factors, e-mails, authorised officials, the change logs, documents and their
# integrity incidents) are reserved to the staff holding the model's view permission. A member of
# staff without it gets Django admin's 403 on every page of the register (the list, an object's
# page, its history, its deletion) with none of the object's data; someone not logged in to the
# back-office is sent to its login. The registry book is an organ's: a clerk without the registry
# permission gets the 403, a clerk of another organ the 404 (``seu.staff``).


@dataclass
class Registers:
    """One object of each register, and what in its pages would be its personal data."""

    objects: dict[str, Any]
    markers: dict[str, list[str]]


def _holder(label: str, organ: Organ) -> Actor:
    """A member of staff of ``organ`` holding only the view permission of the model ``label``."""
    app_label, model = label.split(".")
    user = cast(User, UserFactory.create(username=f"lectora-{model}", staff=True, clerk_of=organ))
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=f"view_{model}")
    )
    user = User.objects.get(pk=user.pk)
    client = Client()
    log_in_to_back_office(client, user)
    return Actor(name="holder", client=client, user=user, organ=organ)


@pytest.fixture
def registers(citizen: Actor, clerk: Actor, organ: Organ, tmp_path: Any) -> Registers:
    """Built through the services that own them (the log rows by the changes they log)."""
    from documents import services as documents
    from documents.models import IntegrityIncident
    from notificacions import services as notifications
    from seu import staff
    from seu.core.outbox import queue_email
    from seu.identity.officials import enable_official, local_today

    now = calendar.now()
    official_user = cast(
        User,
        UserFactory.create(
            username="aina.mascaro",
            first_name="Aina",
            last_name="Mascaró Riera",
            email="aina.mascaro@example.org",
            staff=True,
        ),
    )
    official = enable_official(
        user=official_user,
        nif="00000000T",
        full_name="Aina Mascaró Riera",
        position="Auxiliar administrativa de l'OAC",
        enabled_from=local_today(),
        enabled_until=None,
        resolution="Decret de Batlia 2026/123",
        acting_user=clerk.user,  # type: ignore[arg-type]
    )
    staff.grant_membership(
        user=official_user, organ=organ, role=StaffRole.CLERK, acting_user=clerk.user
    )
    email = queue_email(
        kind="prova",
        to="maria.garcia@example.org",
        subject="Maria Garcia Ferrer: la vostra cita",
        text_body="Bon dia, Maria Garcia Ferrer.",
        now=now,
    )
    entry = citizen.entry
    receipt = entry.receipt
    assert receipt is not None
    # The receipt's stored bytes replaced: the next download records an integrity incident.
    Path(receipt.current_version().blob.file.path).write_bytes(b"%PDF-1.7 no pas el segellat")
    with pytest.raises(documents.IntegrityFailure):
        documents.checked_bytes(document=receipt)
    consent = notifications.give_consent(
        identification=citizen.identification,  # type: ignore[arg-type]
        email="maria.avisos@example.org",
        accepted=True,
    )
    power = representation.grant_power(
        identification=citizen.identification,  # type: ignore[arg-type]
        wanted=representation.PowerInput(
            representative_nif="00000000T",
            scope="general",
            ends_on=local_today() + dt.timedelta(days=90),
        ),
    )
    token, _ = Token.objects.get_or_create(user=official_user)
    device = enrol_totp_device(official_user)
    official_marks = ["Mascaró", "00000000T"]
    return Registers(
        objects={
            "seu.identification": citizen.identification,
            "auth.user": official_user,
            "authtoken.tokenproxy": TokenProxy.objects.get(pk=token.pk),
            "otp_totp.totpdevice": device,
            "seu.outgoingemail": email,
            "seu.authorisedofficial": official,
            "seu.backofficechange": BackOfficeChange.objects.get(object_id=str(official.pk)),
            "seu.staffmembershipchange": StaffMembershipChange.objects.get(user=official_user),
            "documents.document": receipt,
            "documents.integrityincident": IntegrityIncident.objects.get(document=receipt),
            "registre.registryentry": entry,
            "notificacions.notificationconsent": consent,
            "seu.power": power,
        },
        markers={
            "seu.identification": PERSONAL,
            "auth.user": ["aina.mascaro@example.org", "Mascaró"],
            "authtoken.tokenproxy": [token.key],
            "otp_totp.totpdevice": [device.key],
            "seu.outgoingemail": ["maria.garcia@example.org", "Garcia Ferrer"],
            "seu.authorisedofficial": official_marks,
            "seu.backofficechange": official_marks,
            "seu.staffmembershipchange": ["aina.mascaro"],
            # The CSV opens the receipt at the public verification page.
            "documents.document": [receipt.csv, receipt.csv_display],
            "documents.integrityincident": [receipt.csv, receipt.csv_display],
            "registre.registryentry": PERSONAL,
            "notificacions.notificationconsent": [CITIZEN.nif, "maria.avisos@example.org"],
            "seu.power": [CITIZEN.nif, "Garcia Ferrer"],
        },
    )


ADMIN_MODELS = [
    "seu.identification",
    "auth.user",
    "authtoken.tokenproxy",
    "otp_totp.totpdevice",
    "seu.outgoingemail",
    "seu.authorisedofficial",
    "seu.backofficechange",
    "seu.staffmembershipchange",
    "documents.document",
    "documents.integrityincident",
    "registre.registryentry",
    "notificacions.notificationconsent",
    "seu.power",
]
ADMIN_PAGES = ("changelist", "change", "history", "delete")


def _admin_address(label: str, page: str, pk: Any) -> str:
    name = "admin:{}_{}_{}".format(*label.split("."), page)
    return reverse(name) if page == "changelist" else reverse(name, args=[pk])


def admin_expectation(label: str, page: str, actor: str) -> Expectation:
    """What ``actor`` gets on ``page`` of the register ``label``."""
    if actor in ("citizen", "another citizen", "representative", "anonymous"):
        return Expectation(login="/gestio/login/")
    if actor == "holder":
        # The view permission shows; deleting is another permission (and never for the logs).
        return Expectation(403 if page == "delete" else 200)
    if label == "registre.registryentry" and actor == "clerk of another organ":
        # Their permissions include the book's: their book lists their organ's entries only.
        return Expectation(200 if page == "changelist" else 404)
    return Expectation(403)


def admin_wrong_answers(label: str, registers: Registers, actors: Iterable[Actor]) -> list[str]:
    obj = registers.objects[label]
    markers = registers.markers[label]
    wrong: list[str] = []
    for page in ADMIN_PAGES:
        address = _admin_address(label, page, obj.pk)
        for actor in actors:
            expected = admin_expectation(label, page, actor.name)
            response = actor.client.get(address)
            got = response.status_code
            if expected.status is None:
                ok = _redirected_to(response, expected.login)
            else:
                ok = got == expected.status
            body = getattr(response, "content", b"").decode("utf-8", "replace")
            leaked = [] if actor.name == "holder" else [m for m in markers if m in body]
            if not ok or leaked:
                location = response.get("Location", "")
                wrong.append(f"{actor.name} on {address}: {got} {location} {leaked or ''}".rstrip())
    return wrong


@pytest.mark.parametrize("label", ADMIN_MODELS)
def test_staff_without_the_permission_and_people_outside_the_back_office_read_no_register(
    label: str,
    registers: Registers,
    organ: Organ,
    citizen: Actor,
    another_citizen: Actor,
    representative: Actor,
    clerk: Actor,
    clerk_of_another_organ: Actor,
    anonymous: Actor,
) -> None:
    if label == "registre.registryentry":
        # ``clerk`` holds the book's permissions: the clerk without them keeps the board's only.
        clerk = staff_actor("board clerk", organ, apps=("tauler",))
    actors = [citizen, another_citizen, representative, clerk, clerk_of_another_organ, anonymous]
    assert admin_wrong_answers(label, registers, actors) == []


@pytest.mark.parametrize("label", ADMIN_MODELS)
def test_the_holder_of_the_permission_reads_the_register(
    label: str, registers: Registers, organ: Organ, clerk: Actor
) -> None:
    """The other side: the walk reaches every page (a 200, or the 403 of a deletion)."""
    if label == "registre.registryentry":
        holder = clerk
        holder.name = "holder"
    else:
        holder = _holder(label, organ)
    assert admin_wrong_answers(label, registers, [holder]) == []


def test_the_permission_walk_covers_the_registers_it_is_trusted_with() -> None:
    """Every route set aside as the permission walk's is one of its registers' pages."""
    walked = {"gestio/{}/{}/".format(*label.split(".")) for label in ADMIN_MODELS}
    trusted = {key for key, reason in NOT_WALKED.items() if reason == PERMISSION_WALK}
    assert trusted - walked == set()


def test_the_permission_walk_reports_a_register_open_to_every_member_of_staff(
    monkeypatch: pytest.MonkeyPatch,
    registers: Registers,
    organ: Organ,
    clerk: Actor,
    anonymous: Actor,
) -> None:
    """The test of the test: were the identifications' register to let any member of staff in,
    the walk would name the clerk and what they saw."""
    from seu.admin import IdentificationAdmin

    monkeypatch.setattr(IdentificationAdmin, "has_view_permission", lambda self, r, o=None: True)
    holder = _holder("seu.identification", organ)

    wrong = admin_wrong_answers("seu.identification", registers, [holder, clerk, anonymous])

    pk = registers.objects["seu.identification"].pk
    assert any(
        line.startswith(f"clerk on /gestio/seu/identification/{pk}/change/: 200 ")
        and CITIZEN.nif in line
        for line in wrong
    ), wrong
    assert not [line for line in wrong if line.startswith(("holder", "anonymous"))]
