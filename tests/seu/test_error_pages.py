"""Requests the server refuses before any view runs (a form it cannot read, a forged or stale CSRF
token) get the portal's own page in the person's language, with a way back, never Django's bare
English page (issue #11, item 8)."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from tests.support.files import make_pdf
from tests.support.filing import log_in

pytestmark = pytest.mark.django_db

BOUNDARY = "----seu-test-boundary"


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> bytes:
    """A multipart body as a browser sends it: the file name exactly as typed, however long
    (Django's test client would shorten it to 255 characters before sending)."""
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for field, filename, data in files:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("prefix", "expected", "foreign"),
    [
        ("", "El nom d'un fitxer és massa llarg", "Bad Request"),
        ("/es", "El nombre de un fichero es demasiado largo", "El nom d'un fitxer"),
        ("/en", "A file name is too long", "El nom d'un fitxer"),
    ],
)
def test_a_file_name_of_a_thousand_characters_gets_the_portals_page_in_the_persons_language(
    client: Client, town_hall, organ, prefix: str, expected: str, foreign: str
) -> None:
    log_in(client)
    url = f"{prefix}/registre/"
    body = multipart(
        {
            "organ": str(organ.pk),
            "subject": "Gual",
            "exposition": "Exposa",
            "request": "Sol·licita",
        },
        [("attachments", "a" * 1200 + ".pdf", make_pdf())],
    )
    response = client.generic(
        "POST",
        url,
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers={"referer": f"http://testserver{url}"},
    )
    assert response.status_code == 400
    page = text_of(response)
    assert expected in page
    assert foreign not in page
    assert "<h1>Bad Request (400)</h1>" not in page
    # The portal's own layout (header, language switcher) and a way back to the form.
    assert 'class="seu-header' in page
    assert f'href="{url}"' in page


def test_a_way_back_never_points_to_another_site(client: Client, town_hall, organ) -> None:
    log_in(client)
    body = multipart({"subject": "x"}, [("attachments", "b" * 1500 + ".pdf", b"%PDF-1.7")])
    response = client.generic(
        "POST",
        "/registre/",
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers={"referer": "https://evil.example/phish"},
    )
    assert response.status_code == 400
    assert "evil.example" not in text_of(response)
    assert 'href="/registre/"' in text_of(response)


def test_a_form_sent_without_its_csrf_token_gets_the_portals_page_in_catalan(
    town_hall, organ
) -> None:
    client = Client(enforce_csrf_checks=True)
    log_in(client)
    response = client.post("/registre/", {"subject": "Gual"})
    assert response.status_code == 403
    page = text_of(response)
    assert "CSRF verification failed" not in page
    assert "Forbidden" not in page
    assert "La sessió del formulari ha caducat" in page
    assert 'class="seu-header' in page


def test_too_many_fields_get_the_portals_page(client: Client, town_hall, organ, settings) -> None:
    log_in(client)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post("/en/registre/", {f"f{i}": "x" for i in range(10)})
    assert response.status_code == 400
    page = text_of(response)
    assert "The form could not be read" in page
    assert 'class="seu-header' in page


def test_a_host_we_do_not_serve_gets_a_plain_page_not_a_crash(client: Client, town_hall) -> None:
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    page = text_of(response)
    assert "Petició no vàlida" in page
    assert "evil.example" not in page


def test_a_permission_denied_gets_the_portals_page_without_the_form_hint(
    client: Client, town_hall
) -> None:
    from django.core.exceptions import PermissionDenied

    from seu import error_views

    request = client.get("/").wsgi_request
    response = error_views.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    page = text_of(response)
    assert "No teniu permís per fer aquesta operació." in page
    assert "Enrere" not in page
