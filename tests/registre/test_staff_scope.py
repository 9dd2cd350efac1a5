"""Staff see the registry of the organs they work for (issue 12 item 6; DESIGN "Staff belong to
organs"): in the back-office book, its pages and actions, the in-person and exit forms, and the
API. Another organ's entry is a 404, the same answer as a number that does not exist."""

from __future__ import annotations

from html import unescape
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from lxml import html
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registre import services
from registre.models import RegistryEntry
from seu.identity import PersonData
from seu.models import Organ
from tests.conftest import log_in_to_back_office
from tests.factories import OrganFactory, UserFactory

pytestmark = pytest.mark.django_db

BOOK = "/gestio/registre/registryentry/"
API = "/api/v1/registre/entrades/"
REGISTRY_PERMISSIONS = ["view_registryentry", "add_registryentry", "change_registryentry"]


def staff(username: str, **memberships: Any) -> User:
    """A registry clerk with every registry permission and the given organ memberships."""
    user = cast(User, UserFactory.create(username=username, staff=True, **memberships))
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="registre", codename__in=REGISTRY_PERMISSIONS
        )
    )
    return User.objects.get(pk=user.pk)  # a fresh object: no permission cache


@pytest.fixture
def urbanisme(db: None) -> Organ:
    return cast(Organ, OrganFactory.create(code="urbanisme", name="Urbanisme"))


@pytest.fixture
def clerk_of_secretaria(organ: Organ) -> User:
    return staff("tramitadora-secretaria", clerk_of=organ)


@pytest.fixture
def entries(file_entry: Any, organ: Organ, urbanisme: Organ) -> tuple[RegistryEntry, RegistryEntry]:
    """An entry for Secretaria (the clerk's organ) and one for Urbanisme (another organ)."""
    ours = file_entry(subject="Certificat de residència")
    theirs = file_entry(organ=urbanisme, subject="Llicència d'obra menor")
    return ours, theirs


def book_of(client: Client, user: User) -> list[RegistryEntry]:
    log_in_to_back_office(client, user)
    response = client.get(BOOK)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def entry_page(entry: RegistryEntry) -> str:
    return f"{BOOK}{entry.pk}/change/"


# --- The book ------------------------------------------------------------------------------------


def test_a_clerk_sees_their_organs_entries_and_not_another_organs(
    client: Client, clerk_of_secretaria: User, entries: tuple[RegistryEntry, RegistryEntry]
) -> None:
    ours, theirs = entries

    assert book_of(client, clerk_of_secretaria) == [ours]
    page = client.get(BOOK).content.decode()
    assert str(theirs.number) not in page
    # The organ filter offers only the organs of the book they see.
    assert "Urbanisme" not in page


def test_a_supervisor_sees_every_organs_entries(
    client: Client, entries: tuple[RegistryEntry, RegistryEntry]
) -> None:
    supervisor = staff("supervisora", supervisor=True)
    assert set(book_of(client, supervisor)) == set(entries)


def test_a_head_of_an_organ_sees_that_organs_entries(
    client: Client, urbanisme: Organ, entries: tuple[RegistryEntry, RegistryEntry]
) -> None:
    head = staff("cap-urbanisme", head_of=urbanisme)
    assert book_of(client, head) == [entries[1]]


def test_staff_with_the_permission_but_no_organ_see_no_entry(
    client: Client, entries: tuple[RegistryEntry, RegistryEntry]
) -> None:
    assert book_of(client, staff("sense-organ")) == []


def test_another_organs_entry_by_address_is_a_404_on_every_page_of_it(
    client: Client, clerk_of_secretaria: User, entries: tuple[RegistryEntry, RegistryEntry]
) -> None:
    ours, theirs = entries
    log_in_to_back_office(client, clerk_of_secretaria)
    assert client.get(entry_page(ours)).status_code == 200

    for url in (
        entry_page(theirs),
        f"{BOOK}{theirs.pk}/history/",
        f"{BOOK}{theirs.pk}/rebut/",
        f"{BOOK}{theirs.pk}/sicres3/",
        f"{BOOK}{theirs.pk}/no-admetre/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_clerk_cannot_mark_another_organs_entry_not_admitted(
    client: Client, clerk_of_secretaria: User, entries: tuple[RegistryEntry, RegistryEntry]
) -> None:
    _, theirs = entries
    log_in_to_back_office(client, clerk_of_secretaria)

    response = client.post(
        f"{BOOK}{theirs.pk}/no-admetre/",
        {"reason": "No és competència municipal.", "alternatives": "Govern"},
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == RegistryEntry.State.REGISTERED


def test_the_sicres_export_action_leaves_out_another_organs_entry(
    client: Client, clerk_of_secretaria: User, entries: tuple[RegistryEntry, RegistryEntry]
) -> None:
    _, theirs = entries
    log_in_to_back_office(client, clerk_of_secretaria)

    response = client.post(
        BOOK, {"action": "export_sicres", "_selected_action": [str(theirs.pk)]}, follow=True
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")  # no file was exported
    assert "No hi ha cap assentament per exportar." in unescape(response.content.decode())
    assert str(theirs.number) not in response.content.decode()


# --- The in-person entry and exit forms ----------------------------------------------------------


def offered_organs(client: Client, url: str) -> list[str]:
    page = html.fromstring(client.get(url).content.decode())
    return [
        option.text_content().strip()
        for option in page.xpath("//select[@name='organ']/option")
        if option.get("value")
    ]


def test_exits_are_sent_only_for_the_clerks_organs_but_paper_comes_in_for_any(
    client: Client, clerk_of_secretaria: User, urbanisme: Organ
) -> None:
    """An organ sends its own exits; the office that receives a paper registers it for whichever
    organ it is addressed to (one registry for the whole town hall, art. 33)."""
    log_in_to_back_office(client, clerk_of_secretaria)

    assert offered_organs(client, f"{BOOK}sortida/") == ["Secretaria"]
    assert {"Secretaria", "Urbanisme"} <= set(offered_organs(client, f"{BOOK}entrada-presencial/"))


def test_a_clerk_sees_the_paper_entry_they_registered_for_another_organ_and_nothing_else_of_it(
    client: Client,
    clerk_of_secretaria: User,
    urbanisme: Organ,
    entries: tuple[RegistryEntry, RegistryEntry],
) -> None:
    _, theirs = entries
    registered = services.register_entry(
        organ=urbanisme,
        subject="Instància en paper",
        exposition="Exposa",
        request="Sol·licita",
        interested=PersonData(nif="12345678Z", given_name="Maria", surnames="Garcia"),
        channel=RegistryEntry.Channel.IN_PERSON,
        presented_at=theirs.presented_at,
        now=theirs.presented_at,
        acting_user=clerk_of_secretaria,
    )
    log_in_to_back_office(client, clerk_of_secretaria)
    assert client.get(entry_page(registered)).status_code == 200
    assert client.get(entry_page(theirs)).status_code == 404


def test_a_clerk_cannot_register_an_exit_for_another_organ_nor_relate_its_entry(
    client: Client,
    clerk_of_secretaria: User,
    organ: Organ,
    urbanisme: Organ,
    entries: tuple[RegistryEntry, RegistryEntry],
) -> None:
    _, theirs = entries
    log_in_to_back_office(client, clerk_of_secretaria)
    exits_before = RegistryEntry.objects.filter(direction="out").count()

    for_them = client.post(
        f"{BOOK}sortida/",
        {"organ": str(urbanisme.pk), "addressee": "Maria Garcia", "subject": "Resposta"},
    )
    relating_theirs = client.post(
        f"{BOOK}sortida/",
        {
            "organ": str(organ.pk),
            "addressee": "Maria Garcia",
            "subject": "Resposta",
            "related_entry_number": theirs.number,
        },
    )

    assert for_them.status_code == 200 and for_them.context["form"].errors["organ"]
    assert relating_theirs.status_code == 200
    assert "No hi ha cap assentament d'entrada amb el número" in unescape(
        relating_theirs.content.decode()
    )
    assert RegistryEntry.objects.filter(direction="out").count() == exits_before


# --- The API -------------------------------------------------------------------------------------


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def api_status(client: APIClient, entry: RegistryEntry) -> tuple[int, int]:
    reference = str(entry.number).replace("/", "-")
    return (
        client.get(f"{API}{reference}/").status_code,
        client.get(f"{API}{reference}/rebut.pdf").status_code,
    )


def test_a_token_reads_only_the_entries_of_its_users_organs(
    clerk_of_secretaria: User, entries: tuple[RegistryEntry, RegistryEntry]
) -> None:
    ours, theirs = entries
    client = token_client(clerk_of_secretaria)

    assert api_status(client, ours) == (200, 200)
    assert api_status(client, theirs) == (404, 404)


def test_a_staff_session_reads_only_its_organs_entries_through_the_api(
    clerk_of_secretaria: User, entries: tuple[RegistryEntry, RegistryEntry]
) -> None:
    ours, theirs = entries
    client = APIClient()
    log_in_to_back_office(client, clerk_of_secretaria)

    assert api_status(client, ours)[0] == 200
    assert api_status(client, theirs)[0] == 404


def test_a_supervisors_token_reads_every_entry_and_an_unattached_ones_none(
    entries: tuple[RegistryEntry, RegistryEntry],
) -> None:
    supervisor = token_client(staff("supervisora", supervisor=True))
    unattached = token_client(staff("sense-organ"))

    for entry in entries:
        assert api_status(supervisor, entry)[0] == 200
        assert api_status(unattached, entry)[0] == 404
