"""The identification core: persons keyed by a valid NIF, one record per login, sessions, levels."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory

from seu import identity
from seu.models import Identification, LoA, Person
from tests.actors import ANOTHER_CITIZEN, CITIZEN, identify

pytestmark = pytest.mark.django_db


def log_in(client: Client, person: identity.PersonData, loa: LoA) -> Identification:
    return identify(client, person, loa=loa)


def test_a_person_is_keyed_by_a_normalised_valid_nif() -> None:
    first = identity.record_identification(
        person=identity.PersonData(nif="12345678z", given_name="Maria"),
        method=Identification.Method.CLAVE,
        loa=LoA.LOW,
        evidence=identity.Evidence(),
    )
    second = identity.record_identification(
        person=identity.PersonData(nif="12345678Z", surnames="Garcia Ferrer"),
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(),
    )
    assert first.person == second.person
    person = Person.objects.get()
    assert (person.nif, person.kind, person.display_name) == (
        "12345678Z",
        "natural",
        "Maria Garcia Ferrer",
    )
    assert Identification.objects.count() == 2


def test_an_invalid_nif_records_nothing() -> None:
    with pytest.raises(ValidationError, match="no és vàlid"):
        identity.record_identification(
            person=identity.PersonData(nif="12345678A"),
            method=Identification.Method.CLAVE,
            loa=LoA.LOW,
            evidence=identity.Evidence(),
        )
    assert not Person.objects.exists() and not Identification.objects.exists()


def test_a_legal_person_is_recognised_by_its_cif() -> None:
    identification = identity.record_identification(
        person=CITIZEN,
        represented_entity=identity.PersonData(nif="B12345674", legal_name="Forn Cardassar SL"),
        method=Identification.Method.CERTIFICATE,
        loa=LoA.HIGH,
        evidence=identity.Evidence(),
    )
    assert identification.represented_entity is not None
    assert identification.represented_entity.kind == Person.Kind.LEGAL
    assert identification.represented_entity.display_name == "Forn Cardassar SL"


def test_starting_a_session_changes_the_session_key(client: Client) -> None:
    client.get("/")
    identification = identity.record_identification(
        person=CITIZEN, method="clave", loa=LoA.LOW, evidence=identity.Evidence()
    )
    request = RequestFactory().get("/")
    request.session = client.session
    before = request.session.session_key
    identity.start_session(request, identification)
    assert request.session.session_key != before
    assert request.session[identity.SESSION_KEY] == identification.pk


def test_a_page_needing_identification_sends_the_visitor_to_log_in_and_back(
    client: Client,
) -> None:
    response = client.get("/identificacio/les-meves/")
    assert response.status_code == 302
    assert response["Location"] == "/identificacio/?next=%2Fidentificacio%2Fles-meves%2F"


def test_a_low_login_is_told_why_a_substantial_page_refuses_it(client: Client) -> None:
    log_in(client, CITIZEN, LoA.LOW)
    response = client.get("/identificacio/les-meves-dades/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Cal un nivell d'identificació més alt" in page
    assert "nivell=substantial" in page
    log_in(client, CITIZEN, LoA.SUBSTANTIAL)
    accepted = client.get("/identificacio/les-meves-dades/")
    assert accepted.status_code == 200
    assert "12345678Z" in accepted.content.decode()
    assert "no-store" in accepted["Cache-Control"]


def test_a_citizen_sees_only_their_own_identifications(client: Client) -> None:
    other = Client()
    log_in(other, ANOTHER_CITIZEN, LoA.HIGH)
    log_in(client, CITIZEN, LoA.LOW)
    page = client.get("/identificacio/les-meves/").content.decode()
    assert page.count("govuk-table__row") == 2  # the header row and the citizen's one login
    assert "X1234567L" not in page and "Joan" not in page


def test_logging_out_ends_the_identification(client: Client) -> None:
    log_in(client, CITIZEN, LoA.LOW)
    assert client.get("/identificacio/les-meves/").status_code == 200
    client.post("/identificacio/sortir/")
    assert client.get("/identificacio/les-meves/").status_code == 302


def test_logging_out_needs_a_post(client: Client) -> None:
    log_in(client, CITIZEN, LoA.LOW)
    assert client.get("/identificacio/sortir/").status_code == 405
    assert client.get("/identificacio/les-meves/").status_code == 200


def test_the_return_address_after_login_stays_on_the_seu(rf: RequestFactory) -> None:
    request = rf.get("/")
    assert identity.safe_next(request, "/registre/") == "/registre/"
    assert identity.safe_next(request, "https://evil.example/") == "/"
    assert identity.safe_next(request, "//evil.example/") == "/"


def test_levels_compare_by_assurance() -> None:
    assert LoA.HIGH.satisfies(LoA.SUBSTANTIAL)
    assert not LoA.LOW.satisfies("substantial")
    assert LoA.from_eidas_uri("http://eidas.europa.eu/LoA/substantial") == LoA.SUBSTANTIAL
    assert LoA.from_eidas_uri("http://eidas.europa.eu/LoA/top") is None


def test_one_check_says_which_level_is_needed_and_which_was_used() -> None:
    """``check_level`` is what the pages' decorator and the API's permissions both call."""
    low = log_in(Client(), CITIZEN, LoA.LOW)
    with pytest.raises(identity.InsufficientLevel) as refused:
        identity.check_level(low, identity.PERSONAL_DATA_LOA)
    assert (refused.value.code, refused.value.http_status) == ("insufficient_level", 403)
    assert "«substancial»" in str(refused.value) and "«baix»" in str(refused.value)
    assert not identity.has_level(low, identity.PERSONAL_DATA_LOA)
    substantial = log_in(Client(), CITIZEN, LoA.SUBSTANTIAL)
    identity.check_level(substantial, identity.PERSONAL_DATA_LOA)
    assert identity.has_level(substantial, identity.PERSONAL_DATA_LOA)
