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

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

from registre.api import entry_reference
from registre.models import RegistryEntry
from tauler.models import Edict
from tests import actors
from tests.actors import CITIZEN, Actor
from tests.factories import EdictFactory

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
    BACK_OFFICE = "the back-office"


@dataclass
class Data:
    """What the routes are asked about: the citizen's entry for organ A (with its receipt and an
    attachment), and a draft edict of organ A."""

    entry: RegistryEntry
    edict: Edict

    @property
    def attachment_position(self) -> str:
        return str(self.entry.attachments.get().position)


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


BOOK = "gestio/registre/registryentry/"
EDICTS = "gestio/tauler/edict/"

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
    "gestio/^(?P<app_label>auth|authtoken|axes|seu|otp_totp|documents|registre|tauler|cites)/$": (
        "the back-office's index of an app: no object"
    ),
    "gestio/(?P<url>.*)$": "the back-office's catch-all: a 404 or the login",
    f"{BOOK}<path:object_id>/": ADMIN_REDIRECT,
    f"{EDICTS}<path:object_id>/": ADMIN_REDIRECT,
    "gestio/auth/group/": CONFIGURATION,
    "gestio/seu/townhall/": CONFIGURATION,
    "gestio/seu/organ/": CONFIGURATION,
    "gestio/seu/nonworkingday/": CONFIGURATION,
    "gestio/seu/interruption/": CONFIGURATION,
    "gestio/documents/sealcertificate/": CONFIGURATION,
    "gestio/tauler/publicservice/": CONFIGURATION,
    "gestio/tauler/officialjournal/": CONFIGURATION,
    "gestio/tauler/informationdocument/": CONFIGURATION,
    "gestio/tauler/healthrecord/": CONFIGURATION,
    "gestio/tauler/incident/": "incidents of the board's service (art. 18.5), no personal data",
    "gestio/cites/service/": CONFIGURATION,
    "gestio/cites/closedday/": CONFIGURATION,
    "gestio/auth/user/": NOT_ORGAN_SCOPED,
    "gestio/authtoken/tokenproxy/": NOT_ORGAN_SCOPED,
    "gestio/axes/": NOT_ORGAN_SCOPED,
    "gestio/otp_totp/totpdevice/": NOT_ORGAN_SCOPED,
    "gestio/seu/authorisedofficial/": NOT_ORGAN_SCOPED,
    "gestio/seu/identification/": NOT_ORGAN_SCOPED,
    "gestio/seu/outgoingemail/": NOT_ORGAN_SCOPED,
    "gestio/seu/staffmembershipchange/": NOT_ORGAN_SCOPED,
    "gestio/seu/backofficechange/": NOT_ORGAN_SCOPED,
    "gestio/documents/document/": NOT_ORGAN_SCOPED,
    "gestio/documents/integrityincident/": NOT_ORGAN_SCOPED,
    "gestio/cites/appointment/": (
        "the office's appointments are one agenda for the whole town hall (seed 000), not an "
        "organ's; reserved to the holders of its permissions"
    ),
}


def set_aside(pattern: str, not_walked: dict[str, str] = NOT_WALKED) -> bool:
    return pattern in not_walked or any(
        key.endswith("/") and pattern.startswith(key) and key != pattern for key in not_walked
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
            "clerk": to_identify,  # no seu identification: a member of staff is nobody here
            "clerk of another organ": to_identify,
            "anonymous": to_identify,
        }
    if kind is Kind.API:
        return {
            "citizen": Expectation(right),
            "clerk": Expectation(right),
            "another citizen": not_found,
            "representative": not_found,
            "clerk of another organ": not_found,
            "anonymous": Expectation((401, 403)),
        }
    return {
        "clerk": Expectation(right),
        "clerk of another organ": not_found,
        "citizen": to_back_office,
        "another citizen": to_back_office,
        "representative": to_back_office,
        "anonymous": to_back_office,
    }


def _languages(route: Route) -> list[str]:
    return [code for code, _ in settings.LANGUAGES] if route.translated else ["ca"]


@pytest.fixture
def data(citizen: Actor, clerk: Actor, organ: Any, town_hall: Any) -> Data:
    town_hall.dir3_code = "L01070577"  # SICRES 3 needs it
    town_hall.save()
    edict = EdictFactory.create(organ=organ, acting_user=clerk.user)
    return Data(entry=citizen.entry, edict=edict)


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
    clerk: Actor,
    clerk_of_another_organ: Actor,
    anonymous: Actor,
) -> None:
    actors = [citizen, another_citizen, representative, clerk, clerk_of_another_organ, anonymous]
    assert wrong_answers(route, data, actors) == []


def test_the_walk_reports_a_page_that_serves_someone_elses_entry(
    monkeypatch: pytest.MonkeyPatch,
    data: Data,
    citizen: Actor,
    another_citizen: Actor,
    representative: Actor,
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
    actors = [citizen, another_citizen, representative, clerk, clerk_of_another_organ, anonymous]

    wrong = wrong_answers(Route("carpeta/registre/<int:pk>/", translated=True), data, actors)

    assert f"another citizen on /carpeta/registre/{data.entry.pk}/: 200" in wrong
    assert f"representative on /es/carpeta/registre/{data.entry.pk}/: 200" in wrong


# --- Pages of one's own data, without an object in the address -----------------------------------

OWN_PAGES = ["identity:mine", "identity:my_data", "registre:folder"]


@pytest.mark.parametrize("name", OWN_PAGES)
def test_pages_of_ones_own_data_show_nobody_elses(
    name: str,
    citizen: Actor,
    another_citizen: Actor,
    representative: Actor,
    clerk_of_another_organ: Actor,
    anonymous: Actor,
) -> None:
    address = reverse(name)
    own = citizen.client.get(address)
    assert own.status_code == 200
    assert _personal_data_in(own), "the page shows the citizen their own data"

    for actor in (another_citizen, representative):
        response = actor.client.get(address)
        assert response.status_code == 200, actor
        assert _personal_data_in(response) == [], actor
    for actor in (clerk_of_another_organ, anonymous):
        response = actor.client.get(address)
        assert _redirected_to(response, "/identificacio/"), actor
        assert _personal_data_in(response) == [], actor


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
