"""Cl@ve through SAML 2.0 against the local identity provider (devtools.clave_idp) over real HTTP.

Every refusal is a page in the person's language and leaves nothing behind: no ``Identification``,
no spent assertion, no identified session. Crafted answers are made with the identity provider's
own pysaml2 ``Server`` and key, so that only the one property under test is wrong.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from lxml import etree
from pytest_django.fixtures import Settings
from saml2 import samlp

from devtools.clave_idp import (
    DEMO_PERSON,
    DemoPerson,
    LocalIdP,
    LocalIdPServer,
    PendingAuthn,
    encode,
    ensure_clave_keys,
    hidden_fields,
    start_local_idp,
)
from devtools.pki import DevPki
from seu import identity
from seu.identity import clave
from seu.identity.clave_views import PENDING_COOKIE
from seu.models import Identification, LoA, Person, SamlAssertionUse

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as HttpResponse

pytestmark = pytest.mark.django_db

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
MY_DATA = "/identificacio/les-meves-dades/"


@pytest.fixture(scope="module")
def local_idp(dev_pki: DevPki) -> Iterator[LocalIdPServer]:
    server = start_local_idp()
    clave.forget_configuration()
    yield server
    server.shutdown()
    server.server_close()
    clave.forget_configuration()


@pytest.fixture(autouse=True)
def clave_settings(settings: Settings, local_idp: LocalIdPServer) -> None:
    settings.SEU_BASE_URL = "http://testserver"
    settings.CLAVE_IDP_METADATA = local_idp.metadata_url


# --- Helpers ------------------------------------------------------------------------------------


def fetch(url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(url, data=body, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def begin(client: Client, *, level: str = "substantial", next_url: str = MY_DATA) -> str:
    """Start a Cl@ve login in ``client``; the address of the identity provider it redirects to."""
    response = client.get(reverse("identity:clave_login"), {"nivell": level, "next": next_url})
    assert response.status_code == 302, response.content
    return response["Location"]


def answer_at_idp(
    idp_url: str, *, person: DemoPerson = DEMO_PERSON, level: str = "substantial", accio: str = ""
) -> dict[str, str]:
    """What a tester does on the identity provider's page; the fields the answer page posts."""
    status, page = fetch(idp_url)
    assert status == 200, page
    form = {
        "token": hidden_fields(page)["token"],
        "nif": person.nif,
        "nom": person.given_name,
        "llinatge1": person.first_surname,
        "llinatge2": person.second_surname,
        "nivell": level,
        "accio": accio or "accept",
    }
    status, page = fetch(idp_url.split("/sso/")[0] + "/sso/respon/", form)
    assert status == 200, page
    assert 'action="http://testserver/identificacio/clave/acs/"' in page
    return hidden_fields(page)


def login_with_clave(
    client: Client, *, level: str = "substantial", asserted: str | None = None, **kwargs: object
) -> HttpResponse:
    fields = answer_at_idp(begin(client, level=level, **kwargs), level=asserted or level)  # type: ignore[arg-type]
    return client.post(reverse("identity:clave_acs"), fields)


def pending_request(
    client: Client, local_idp: LocalIdPServer, *, level: str = "substantial"
) -> PendingAuthn:
    """A request made by ``client`` and received by the identity provider, in-process."""
    query = urllib.parse.urlsplit(begin(client, level=level)).query
    return local_idp.idp.receive(dict(urllib.parse.parse_qsl(query)))


def post_response(client: Client, xml: str) -> HttpResponse:
    return client.post(reverse("identity:clave_acs"), {"SAMLResponse": encode(xml)})


def assertion_of(response: samlp.Response) -> object:
    assertions = response.assertion
    return assertions[0] if isinstance(assertions, list) else assertions


def assert_refused(response: HttpResponse, code: str) -> None:
    assert response.status_code == 403
    assert response.context["code"] == code
    page = html.unescape(response.content.decode())
    assert "No s'ha pogut completar la identificació amb Cl@ve" in page
    assert str(response.context["message"]) in page
    assert "No us heu identificat i no s'ha desat cap dada." in page


def assert_nothing_recorded(client: Client) -> None:
    assert not Identification.objects.exists()
    assert not SamlAssertionUse.objects.exists()
    assert identity.SESSION_KEY not in client.session


def issued_assertion_id(fields: dict[str, str]) -> str:
    tree = etree.fromstring(base64.b64decode(fields["SAMLResponse"]))
    return str(tree.find("saml:Assertion", NS).get("ID"))


# --- The journey --------------------------------------------------------------------------------


def test_a_citizen_logs_in_with_clave_and_returns_to_the_page_they_wanted(
    client: Client, local_idp: LocalIdPServer
) -> None:
    idp_url = begin(client, level="substantial", next_url=MY_DATA)
    assert idp_url.startswith(local_idp.idp.sso_url)

    status, page = fetch(idp_url)
    assert status == 200
    assert 'lang="ca"' in page and "Triau una identitat de prova" in page
    assert 'value="12345678Z"' in page  # a demo identity is prefilled
    assert 'id="nivell-substantial" name="nivell" value="substantial" checked' in page

    fields = answer_at_idp(idp_url, level="substantial")
    assertion_id = issued_assertion_id(fields)
    response = client.post(reverse("identity:clave_acs"), fields)

    assert response.status_code == 302
    assert response["Location"] == MY_DATA
    identification = Identification.objects.get()
    assert identification.method == Identification.Method.CLAVE
    assert identification.loa == LoA.SUBSTANTIAL
    assert identification.provider == "Cl@ve"
    assert identification.saml_assertion_id == assertion_id
    assert identification.saml_issuer == local_idp.idp.entity_id
    assert identification.ip_address == "127.0.0.1"
    person = identification.person
    assert (person.nif, person.given_name, person.surnames) == (
        "12345678Z",
        "Margalida",
        "Bennàssar Riera",
    )
    assert client.session[identity.SESSION_KEY] == identification.pk
    assert SamlAssertionUse.objects.get().assertion_id == assertion_id

    my_data = client.get(MY_DATA)
    assert my_data.status_code == 200
    assert "12345678Z" in my_data.content.decode() and "Margalida" in my_data.content.decode()


def test_the_authn_request_is_signed_and_asks_for_at_least_the_level_the_page_needs(
    client: Client, local_idp: LocalIdPServer
) -> None:
    idp_url = begin(client, level="high")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(idp_url).query))
    assert query["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert query["Signature"]
    request = etree.fromstring(zlib.decompress(base64.b64decode(query["SAMLRequest"]), -15))
    assert request.get("Destination") == local_idp.idp.sso_url
    assert request.get("ForceAuthn") == "true"
    assert (
        request.get("AssertionConsumerServiceURL") == "http://testserver/identificacio/clave/acs/"
    )
    requested = request.find("samlp:RequestedAuthnContext", NS)
    assert requested.get("Comparison") == "minimum"
    assert [ref.text for ref in requested.findall("saml:AuthnContextClassRef", NS)] == [
        "http://eidas.europa.eu/LoA/high"
    ]
    eidas = "{http://eidas.europa.eu/saml-extensions}"
    assert request.find(f"samlp:Extensions/{eidas}SPType", NS).text == "public"
    requested_names = {
        item.get("Name")
        for item in request.iterfind(f"samlp:Extensions/{eidas}RequestedAttributes/*", NS)
    }
    assert {clave.PERSON_IDENTIFIER, clave.FIRST_NAME, clave.FAMILY_NAME} <= requested_names

    # The identity provider checks that signature: without it, or on another request, it refuses.
    unsigned = {key: value for key, value in query.items() if key not in {"Signature", "SigAlg"}}
    status, _ = fetch(f"{local_idp.idp.sso_url}?{urllib.parse.urlencode(unsigned)}")
    assert status == 400
    other = dict(
        query,
        SAMLRequest=dict(
            urllib.parse.parse_qsl(urllib.parse.urlsplit(begin(Client(), level="low")).query)
        )["SAMLRequest"],
    )
    status, _ = fetch(f"{local_idp.idp.sso_url}?{urllib.parse.urlencode(other)}")
    assert status == 400


def test_the_metadata_publishes_our_entity_id_signing_certificate_and_acs(client: Client) -> None:
    response = client.get(reverse("identity:clave_metadata"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    tree = etree.fromstring(response.content)
    assert tree.get("entityID") == "http://testserver/identificacio/clave/metadata/"
    descriptor = tree.find("md:SPSSODescriptor", {"md": "urn:oasis:names:tc:SAML:2.0:metadata"})
    assert descriptor.get("AuthnRequestsSigned") == "true"
    assert descriptor.get("WantAssertionsSigned") == "true"
    acs = descriptor.find(
        "md:AssertionConsumerService", {"md": "urn:oasis:names:tc:SAML:2.0:metadata"}
    )
    assert acs.get("Location") == "http://testserver/identificacio/clave/acs/"
    certificate = "".join(tree.findtext(".//ds:X509Certificate", namespaces=NS).split())
    pem = Path(settings.CLAVE_SP_CERT_FILE).read_text()
    assert certificate in "".join(pem.splitlines()[1:-1])


def test_a_response_whose_base64_is_wrapped_in_lines_is_read(client: Client) -> None:
    fields = answer_at_idp(begin(client))
    encoded = fields["SAMLResponse"]
    fields["SAMLResponse"] = "\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))

    assert client.post(reverse("identity:clave_acs"), fields).status_code == 302
    assert Identification.objects.count() == 1


# --- Level of assurance (art. 8.2) ---------------------------------------------------------------


def test_a_level_lower_than_the_one_requested_is_refused(client: Client) -> None:
    response = login_with_clave(client, level="substantial", asserted="low")

    assert_refused(response, "level")
    assert "«baix»" in html.unescape(response.content.decode())
    assert "«substancial»" in html.unescape(response.content.decode())
    assert_nothing_recorded(client)


def test_a_page_requiring_substantial_refuses_a_low_login_and_accepts_after_a_new_login(
    client: Client,
) -> None:
    assert login_with_clave(client, level="low", next_url="/").status_code == 302
    assert Identification.objects.get().loa == LoA.LOW

    refused = client.get(MY_DATA)
    assert refused.status_code == 403
    assert "Cal un nivell d'identificació més alt" in html.unescape(refused.content.decode())
    chooser = client.get(refused.context["login_url"])
    link = re.search(r'href="(/identificacio/clave/[^"]+)"', chooser.content.decode())
    assert link is not None
    clave_link = html.unescape(link[1])
    assert "nivell=substantial" in clave_link

    idp_url = client.get(clave_link)["Location"]
    response = client.post(reverse("identity:clave_acs"), answer_at_idp(idp_url))
    assert response["Location"] == MY_DATA
    accepted = client.get(MY_DATA)
    assert accepted.status_code == 200
    assert "12345678Z" in accepted.content.decode()
    assert [item.loa for item in Identification.objects.order_by("at")] == ["low", "substantial"]


def test_a_higher_level_than_requested_is_accepted_and_recorded_as_asserted(
    client: Client,
) -> None:
    assert login_with_clave(client, level="low", asserted="high").status_code == 302
    assert Identification.objects.get().loa == LoA.HIGH


# --- Signatures ----------------------------------------------------------------------------------


def test_an_unsigned_response_is_refused_even_with_a_signed_assertion(
    client: Client, local_idp: LocalIdPServer
) -> None:
    pending = pending_request(client, local_idp)
    response = local_idp.idp.unsigned_response(pending, person=DEMO_PERSON, level=LoA.SUBSTANTIAL)
    xml = local_idp.idp.sign(response, assertion=True, whole=False)
    assert "Signature" in xml  # the assertion alone is signed

    assert_refused(post_response(client, xml), "signature")
    assert_nothing_recorded(client)


def test_an_unsigned_assertion_is_refused_even_inside_a_signed_response(
    client: Client, local_idp: LocalIdPServer
) -> None:
    pending = pending_request(client, local_idp)
    response = local_idp.idp.unsigned_response(pending, person=DEMO_PERSON, level=LoA.SUBSTANTIAL)
    xml = local_idp.idp.sign(response, assertion=False, whole=True)
    tree = etree.fromstring(xml.encode())
    assert tree.find("ds:Signature", NS) is not None
    assert tree.find("saml:Assertion/ds:Signature", NS) is None

    assert_refused(post_response(client, xml), "signature")
    assert_nothing_recorded(client)


def test_a_response_signed_with_a_key_not_in_the_metadata_is_refused(
    client: Client, local_idp: LocalIdPServer, tmp_path: Path
) -> None:
    impostor = LocalIdP(
        base_url=local_idp.base_url,  # same entity id, its own key
        keys=ensure_clave_keys(tmp_path / "impostor"),
        sp_metadata=clave.sp_metadata_xml,
    )
    pending = pending_request(client, local_idp)

    assert_refused(
        post_response(client, impostor.respond(pending, person=DEMO_PERSON, level=LoA.HIGH)),
        "signature",
    )
    assert_nothing_recorded(client)


# --- Audience, time, replay, solicitation ---------------------------------------------------------


def craft(
    client: Client, local_idp: LocalIdPServer, change: Callable[[samlp.Response], None]
) -> str:
    """A response to ``client``'s request, altered by ``change`` and then properly signed."""
    pending = pending_request(client, local_idp)
    response = local_idp.idp.unsigned_response(pending, person=DEMO_PERSON, level=LoA.SUBSTANTIAL)
    change(response)
    return local_idp.idp.sign(response)


def test_an_assertion_for_another_service_provider_is_refused(
    client: Client, local_idp: LocalIdPServer
) -> None:
    def other_audience(response: samlp.Response) -> None:
        restriction = assertion_of(response).conditions.audience_restriction[0]  # type: ignore[attr-defined]
        restriction.audience[0].text = "https://seu.altre-ajuntament.example/saml/metadata/"

    assert_refused(post_response(client, craft(client, local_idp, other_audience)), "audience")
    assert_nothing_recorded(client)


def test_an_assertion_without_an_audience_restriction_is_refused(
    client: Client, local_idp: LocalIdPServer
) -> None:
    # pysaml2 alone would accept it: an unrestricted assertion could be replayed at any SP.
    def no_audience(response: samlp.Response) -> None:
        assertion_of(response).conditions.audience_restriction = []  # type: ignore[attr-defined]

    assert_refused(post_response(client, craft(client, local_idp, no_audience)), "audience")
    assert_nothing_recorded(client)


def test_an_expired_assertion_is_refused(client: Client, local_idp: LocalIdPServer) -> None:
    fields = answer_at_idp(begin(client))
    # The assertion lives 5 minutes (plus a minute of clock skew); the person comes back after 10.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10), tick=True):
        response = client.post(reverse("identity:clave_acs"), fields)

    assert_refused(response, "expired")
    assert_nothing_recorded(client)


def test_an_assertion_whose_validity_ended_is_refused_even_if_freshly_signed(
    client: Client, local_idp: LocalIdPServer
) -> None:
    def ago(minutes: int) -> str:
        return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )

    past = ago(5)

    def expired(response: samlp.Response) -> None:
        assertion = assertion_of(response)
        assertion.conditions.not_before = ago(10)  # type: ignore[attr-defined]
        assertion.conditions.not_on_or_after = past  # type: ignore[attr-defined]
        for confirmation in assertion.subject.subject_confirmation:  # type: ignore[attr-defined]
            confirmation.subject_confirmation_data.not_on_or_after = past

    assert_refused(post_response(client, craft(client, local_idp, expired)), "expired")
    assert_nothing_recorded(client)


def test_the_same_response_posted_twice_is_refused_the_second_time(client: Client) -> None:
    fields = answer_at_idp(begin(client))
    assert client.post(reverse("identity:clave_acs"), fields).status_code == 302
    first = Identification.objects.get()

    again = client.post(reverse("identity:clave_acs"), fields)

    assert_refused(again, "unsolicited")
    assert list(Identification.objects.all()) == [first]
    assert SamlAssertionUse.objects.count() == 1


def test_an_assertion_is_accepted_once_even_by_a_browser_still_waiting_for_its_request(
    client: Client,
) -> None:
    fields = answer_at_idp(begin(client))
    # Another browser holding the same pending request (its cookie copied): the assertion is spent.
    engine = import_module(settings.SESSION_ENGINE)
    stolen = engine.SessionStore(client.cookies[PENDING_COOKIE].value)
    copy = engine.SessionStore()
    copy["requests"] = stolen["requests"]
    copy.save()
    other = Client()
    other.cookies[PENDING_COOKIE] = copy.session_key

    assert client.post(reverse("identity:clave_acs"), fields).status_code == 302
    replayed = other.post(reverse("identity:clave_acs"), fields)

    assert_refused(replayed, "replayed")
    assert Identification.objects.count() == 1
    assert SamlAssertionUse.objects.count() == 1
    assert identity.SESSION_KEY not in other.session


def test_a_response_to_a_request_this_browser_did_not_make_is_refused(
    client: Client, local_idp: LocalIdPServer
) -> None:
    def unknown_request(response: samlp.Response) -> None:
        response.in_response_to = "id-desconegut"
        for confirmation in assertion_of(response).subject.subject_confirmation:  # type: ignore[attr-defined]
            confirmation.subject_confirmation_data.in_response_to = "id-desconegut"

    assert_refused(post_response(client, craft(client, local_idp, unknown_request)), "unsolicited")
    assert_nothing_recorded(client)


def test_a_response_made_for_another_browser_is_refused(client: Client) -> None:
    fields = answer_at_idp(begin(client))
    victim = Client()  # login CSRF: the attacker's answer posted from someone else's browser

    assert_refused(victim.post(reverse("identity:clave_acs"), fields), "unsolicited")
    assert_nothing_recorded(victim)


# --- Tampering (XML signature wrapping) ----------------------------------------------------------

FORGED_NIF = "00000000T"


def _forged_copy(assertion: etree._Element) -> etree._Element:
    forged = etree.fromstring(etree.tostring(assertion))
    for signature in forged.findall("ds:Signature", NS):
        forged.remove(signature)
    for value in forged.iterfind(".//saml:AttributeValue", NS):
        if value.text and value.text.startswith("ES/ES/"):
            value.text = f"ES/ES/{FORGED_NIF}"
    forged.find("saml:Subject/saml:NameID", NS).text = f"ES/ES/{FORGED_NIF}"
    return forged


def _forged_first_same_id(tree: etree._Element) -> None:
    original = tree.find("saml:Assertion", NS)
    original.addprevious(_forged_copy(original))


def _forged_first_new_id(tree: etree._Element) -> None:
    original = tree.find("saml:Assertion", NS)
    forged = _forged_copy(original)
    forged.set("ID", "id-falsificada")
    original.addprevious(forged)


def _original_hidden_in_forged_advice(tree: etree._Element) -> None:
    original = tree.find("saml:Assertion", NS)
    forged = _forged_copy(original)
    advice = etree.SubElement(forged, f"{{{NS['saml']}}}Advice")
    tree.replace(original, forged)
    advice.append(original)


def _attribute_changed_in_place(tree: etree._Element) -> None:
    for value in tree.iterfind(".//saml:Assertion//saml:AttributeValue", NS):
        if value.text and value.text.startswith("ES/ES/"):
            value.text = f"ES/ES/{FORGED_NIF}"


def _signed_response_wrapped_in_a_forged_one(tree: etree._Element) -> None:
    original = etree.fromstring(etree.tostring(tree))
    for signature in tree.findall("ds:Signature", NS):
        tree.remove(signature)
    assertion = tree.find("saml:Assertion", NS)
    tree.replace(assertion, _forged_copy(assertion))
    extensions = etree.Element(f"{{{NS['samlp']}}}Extensions")
    tree.find("saml:Issuer", NS).addnext(extensions)
    extensions.append(original)


@pytest.mark.parametrize(
    "wrap",
    [
        _forged_first_same_id,
        _forged_first_new_id,
        _original_hidden_in_forged_advice,
        _attribute_changed_in_place,
        _signed_response_wrapped_in_a_forged_one,
    ],
)
def test_a_tampered_person_identifier_is_refused_however_the_signed_assertion_is_wrapped(
    client: Client, wrap: Callable[[etree._Element], None]
) -> None:
    fields = answer_at_idp(begin(client))
    tree = etree.fromstring(base64.b64decode(fields["SAMLResponse"]))
    wrap(tree)
    assert FORGED_NIF.encode() in etree.tostring(tree)

    response = client.post(
        reverse("identity:clave_acs"),
        {"SAMLResponse": base64.b64encode(etree.tostring(tree)).decode()},
    )

    assert_refused(response, "signature")
    assert not Person.objects.filter(nif=FORGED_NIF).exists()
    assert_nothing_recorded(client)


# --- Attributes ----------------------------------------------------------------------------------


def test_a_person_identifier_that_is_not_a_valid_nif_is_refused(client: Client) -> None:
    invalid = DemoPerson(nif="12345678A", given_name="Joan", first_surname="Mas")
    fields = answer_at_idp(begin(client), person=invalid)

    assert_refused(client.post(reverse("identity:clave_acs"), fields), "identifier")
    assert_nothing_recorded(client)
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("value", "nif"),
    [
        ("ES/ES/12345678Z", "12345678Z"),
        ("ES/ES/x1234567l", "X1234567L"),
        ("12345678Z", "12345678Z"),
    ],
)
def test_the_nif_is_the_last_part_of_the_eidas_person_identifier(value: str, nif: str) -> None:
    assert clave.person_identifier_nif(value) == nif


@pytest.mark.parametrize("value", ["DE/ES/12345678Z", "ES/ES/12345678A", "ES/12345678Z", ""])
def test_a_foreign_or_malformed_person_identifier_is_refused(value: str) -> None:
    with pytest.raises(clave.ClaveError) as refused:
        clave.person_identifier_nif(value)
    assert refused.value.code == "identifier"


def test_the_surnames_come_from_first_and_second_surname_when_family_name_is_missing(
    client: Client, local_idp: LocalIdPServer
) -> None:
    def split_surnames(response: samlp.Response) -> None:
        statement = assertion_of(response).attribute_statement[0]  # type: ignore[attr-defined]
        family = next(a for a in statement.attribute if a.name == clave.FAMILY_NAME)
        statement.attribute.remove(family)
        second = type(family)(
            name=clave.SECOND_SURNAME, name_format=family.name_format, friendly_name="SecondSurname"
        )
        second.attribute_value = [type(family.attribute_value[0])(text="Riera")]
        statement.attribute.append(second)

    assert post_response(client, craft(client, local_idp, split_surnames)).status_code == 302
    assert Identification.objects.get().person.surnames == "Bennàssar Riera"


# --- Other refusals ------------------------------------------------------------------------------


def test_a_login_cancelled_at_clave_records_nothing(client: Client) -> None:
    fields = answer_at_idp(begin(client), accio="cancel")

    assert_refused(client.post(reverse("identity:clave_acs"), fields), "cancelled")
    assert_nothing_recorded(client)


def test_a_refusal_speaks_the_language_the_person_started_in(client: Client) -> None:
    response = client.get("/es/identificacio/clave/", {"nivell": "substantial"})
    fields = answer_at_idp(response["Location"], level="low")

    refused = client.post(reverse("identity:clave_acs"), fields)

    assert refused.status_code == 403
    assert '<html lang="es"' in refused.content.decode()
    assert_nothing_recorded(client)


def test_when_clave_cannot_be_reached_the_person_is_told_and_nothing_breaks(
    client: Client, settings: Settings
) -> None:
    settings.CLAVE_IDP_METADATA = "http://127.0.0.1:9/metadata/"

    response = client.get(reverse("identity:clave_login"), {"next": MY_DATA})

    assert response.status_code == 503
    assert response.context["code"] == "unavailable"
    assert "no es pot connectar amb Cl@ve" in html.unescape(response.content.decode())
    assert PENDING_COOKIE not in response.cookies


def test_the_pending_request_cookie_survives_the_cross_site_post_back_over_https(
    client: Client,
) -> None:
    response = client.get(reverse("identity:clave_login"), {"nivell": "low"}, secure=True)

    cookie = response.cookies[PENDING_COOKIE]
    assert cookie["samesite"] == "None"
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


def test_spent_assertions_are_forgotten_once_they_could_no_longer_be_presented() -> None:
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    for assertion_id, minutes in (("id-caducada", -1), ("id-vigent", 1)):
        SamlAssertionUse.objects.create(
            assertion_id=assertion_id,
            issuer="http://idp.example/",
            used_at=now - dt.timedelta(minutes=5),
            not_on_or_after=now + dt.timedelta(minutes=minutes),
        )

    assert clave.purge_spent_assertions(now=now) == 1
    assert list(SamlAssertionUse.objects.values_list("assertion_id", flat=True)) == ["id-vigent"]
