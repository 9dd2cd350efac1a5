"""A receipt whose stored file was replaced is not served as the town hall's receipt, on the web or
the API: the bytes are checked against what was sealed on every download (issue #11, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from documents.models import IntegrityIncident
from tests.support.filing import file_and_confirm, log_in

pytestmark = pytest.mark.django_db


def test_a_replaced_receipt_is_refused_in_the_carpeta_and_the_api(
    client: Client, town_hall, organ
) -> None:
    log_in(client)
    entry = file_and_confirm(client, organ)
    other = file_and_confirm(client, organ)
    assert entry.receipt is not None and other.receipt is not None and entry.number
    url = reverse("registre:receipt", args=[entry.pk])
    assert client.get(url).status_code == 200

    stored = Path(entry.receipt.current_version().blob.file.path)
    stored.write_bytes(other.receipt.current_version().blob.read())

    page = client.get(url)
    assert page.status_code == 409
    assert page["Content-Type"].startswith("text/html")
    assert "no coincideix amb el que es va segellar" in page.content.decode()

    api = APIClient()
    api.cookies = client.cookies
    response = api.get(f"/api/v1/registre/entrades/{entry.number.replace('/', '-')}/rebut.pdf")
    assert response.status_code == 409
    assert response.json()["code"] == "integrity_failure"
    assert IntegrityIncident.objects.filter(version__document=entry.receipt).count() == 1


def test_a_replaced_receipt_is_refused_in_the_back_office_too(
    client: Client, town_hall, organ
) -> None:
    from tests.conftest import log_in_to_back_office
    from tests.factories import UserFactory

    log_in(client)
    entry = file_and_confirm(client, organ)
    other = file_and_confirm(client, organ)
    assert entry.receipt is not None and other.receipt is not None
    Path(entry.receipt.current_version().blob.file.path).write_bytes(
        other.receipt.current_version().blob.read()
    )
    staff = Client()
    log_in_to_back_office(staff, UserFactory.create(staff=True, supervisor=True, superuser=True))
    response = staff.get(f"/gestio/registre/registryentry/{entry.pk}/rebut/")
    assert response.status_code == 409
    assert "no coincideix amb el que es va segellar" in response.content.decode()
