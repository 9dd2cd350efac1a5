"""The back-office speaks Catalan down to the packages' parts (issue 13.5): Django's labels that
its Catalan catalogue lacks, the login lockouts (django-axes), the staff's TOTP devices
(django-otp), the API keys (DRF's authtoken), the permissions' names, and counts in the plural.

Each English text listed here was shown on these pages before: the list is where a regression
would show first, not a proof that nothing else is left (see the report of issue 13)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.test.signals import setting_changed

from seu.identity.staff_auth import enrol_totp_device
from tests import actors
from tests.conftest import log_in_to_back_office
from tests.factories import TownHallFactory

pytestmark = pytest.mark.django_db

clerk = actors.clerk

# English that these pages showed (as text, or as a label a screen reader reads) before.
ENGLISH = [
    "Skip to main content",
    "Toggle theme",
    "Show counts",
    "Breadcrumbs",
    "Sidebar",
    "Model name",
    "Add link",
    "Change or view list link",
    "Select this object for an action",
    "Search",
    # django-axes: the login lockouts
    "Axes",
    "Access attempts",
    "Access failures",
    "Access logs",
    "Attempt Time",
    "Logout Time",
    "IP Address",
    "User Agent",
    # django-otp: the staff's second factor
    "Otp_Totp",
    "TOTP device",
    "TOTP devices",
    "Created at",
    "Last used at",
    "Confirmed",
    "Tolerance",
    "The human-readable name of this device.",
    "Search by user's",
    "QR Code",
    "qrcode",
    # DRF's authtoken: the API keys of the town hall's other systems
    "Auth Token",
    "Tokens",
    # django.contrib.auth, Django 5.1's password-based authentication
    "Password-based authentication",
    "Whether the user will be able to authenticate",
    "Raw passwords are not stored",
    "Reset password",
    "Enabled",
    # Permission names as Django stores them
    "Can add",
    "Can change",
    "Can delete",
    "Can view",
]

ADMINISTRATOR_PAGES = [
    "/gestio/",
    "/gestio/auth/user/",
    "/gestio/auth/user/{user}/change/",
    "/gestio/auth/group/",
    "/gestio/auth/group/add/",
    "/gestio/registre/registryentry/",
    "/gestio/tauler/edict/",
    "/gestio/seu/identification/",
    "/gestio/seu/outgoingemail/",
    "/gestio/seu/authorisedofficial/",
    "/gestio/axes/accessattempt/",
    "/gestio/axes/accessfailurelog/",
    "/gestio/axes/accesslog/",
    "/gestio/otp_totp/totpdevice/",
    "/gestio/otp_totp/totpdevice/{device}/change/",
    "/gestio/otp_totp/totpdevice/add/",
    "/gestio/authtoken/tokenproxy/",
    "/gestio/authtoken/tokenproxy/add/",
]

CLERK_PAGES = ["/gestio/", "/gestio/registre/registryentry/", "/gestio/tauler/edict/"]


# --- The catalogues of locale_thirdparty/ compiled, as `make test` does first -----------------


def _stale_catalogues() -> list[Path]:
    return [
        po
        for directory in settings.LOCALE_PATHS
        for po in Path(directory).glob("*/LC_MESSAGES/*.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]


@pytest.fixture(scope="module", autouse=True)
def compiled_messages() -> Iterator[None]:
    if _stale_catalogues():
        call_command(
            "compilemessages", ignore_patterns=[".venv", "var", "node_modules"], verbosity=0
        )
        # Forget the catalogues this process may have loaded before they were compiled.
        setting_changed.send(
            sender=type(settings), setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False
        )
    yield


# --- What a person reads on a page --------------------------------------------------------------


class _ReadableText(HTMLParser):
    """The text of a page and the labels a screen reader reads (alt, title, aria-label,
    placeholder, a button's value), without scripts and styles."""

    LABELS = ("alt", "title", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        values = dict(attrs)
        self.parts.extend(value for name, value in attrs if name in self.LABELS and value)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def readable_text(html: str) -> str:
    parser = _ReadableText()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_on(text: str) -> list[str]:
    return [
        english
        for english in ENGLISH
        if re.search(rf"(?<![\w']){re.escape(english)}(?![\w'])", text)
    ]


@pytest.fixture
def administrator_client(administrator: User) -> Client:
    TownHallFactory()
    # Two failed logins, so that axes' lists have rows to count.
    for username in ("nobody", "somebody"):
        Client().post(
            "/gestio/login/", {"username": username, "password": "wrong", "otp_token": "1"}
        )
    client = Client()
    log_in_to_back_office(client, administrator)  # enrols a device and logs an access too
    return client


def test_the_pages_they_read_were_english_before() -> None:
    """The check itself finds English where there is some (the list is not vacuous)."""
    assert english_on("Toggle theme (current theme: auto)\nCan view user") == [
        "Toggle theme",
        "Can view",
    ]
    assert english_on("Cercau\nAccessos a la gestió\nEnabledness") == []


@pytest.mark.parametrize("page", ADMINISTRATOR_PAGES)
def test_an_administrator_reads_the_back_office_in_catalan(
    administrator_client: Client, administrator: User, page: str
) -> None:
    device = enrol_totp_device(administrator)
    response = administrator_client.get(page.format(user=administrator.pk, device=device.pk))

    assert response.status_code == 200
    assert english_on(readable_text(response.text)) == []


@pytest.mark.parametrize("page", CLERK_PAGES)
def test_a_clerk_reads_the_back_office_in_catalan(clerk: actors.Actor, page: str) -> None:
    response = clerk.client.get(page)

    assert response.status_code == 200
    assert english_on(readable_text(response.text)) == []


@pytest.mark.parametrize(
    ("page", "count"),
    [
        ("/gestio/registre/registryentry/", "0 assentaments"),
        ("/gestio/seu/authorisedofficial/", "0 funcionaris habilitats"),
        ("/gestio/axes/accessattempt/", "2 intents d'accés"),
        ("/gestio/axes/accessfailurelog/", "0 inicis de sessió fallits"),  # not kept here
        ("/gestio/axes/accesslog/", "1 accés registrat"),
        ("/gestio/authtoken/tokenproxy/", "0 claus d'API"),
    ],
)
def test_a_count_reads_in_the_plural_and_in_catalan(
    administrator_client: Client, page: str, count: str
) -> None:
    response = administrator_client.get(page)

    assert count in readable_text(response.text).split("\n")


def test_the_staffs_devices_are_counted_and_named_in_catalan(
    administrator_client: Client, administrator: User
) -> None:
    enrol_totp_device(administrator)

    text = readable_text(administrator_client.get("/gestio/otp_totp/totpdevice/").text)

    assert "Dispositius TOTP" in text
    assert "Segon factor d'autenticació" in text
    assert "1 dispositiu TOTP" in text.split("\n")
    form = readable_text(administrator_client.get("/gestio/otp_totp/totpdevice/add/").text)
    assert "El nom d'aquest dispositiu, per reconèixer-lo." in form


def test_a_groups_permissions_are_named_in_the_back_offices_language(
    administrator_client: Client,
) -> None:
    catalan = readable_text(administrator_client.get("/gestio/auth/group/add/").text)
    spanish = readable_text(administrator_client.get("/es/gestio/auth/group/add/").text)

    assert "Registre electrònic | assentament | Pot veure assentament" in catalan
    assert "Accessos a la gestió | intent d'accés | Pot eliminar intent d'accés" in catalan
    assert "Puede ver asiento" in spanish


def test_the_lockouts_read_in_spanish_on_the_spanish_back_office(
    administrator_client: Client,
) -> None:
    text = readable_text(administrator_client.get("/es/gestio/axes/accessattempt/").text)

    assert "Intentos de acceso" in text
    assert "Access attempts" not in text
