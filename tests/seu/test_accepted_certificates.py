"""The "Certificats digitals admesos" page (seed 000) follows the trust configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from devtools.pki import CitizenPki, DevPki, ensure_citizen_pki, write_citizen_trust

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust_file(dev_pki: DevPki, settings, tmp_path: Path) -> Path:
    pki: CitizenPki = ensure_citizen_pki(dev_pki.directory)
    path = write_citizen_trust(pki, "http://127.0.0.1:9", tmp_path / "citizen-trust.toml")
    settings.CITIZEN_TRUST_FILE = path
    return path


def test_it_lists_the_configured_issuers_and_the_four_fnmt_steps(
    client: Client, town_hall: object, trust_file: Path
) -> None:
    page = client.get("/certificats/").content.decode()
    assert "AC FNMT Usuarios (desenvolupament)" in page
    assert "AC DNIE 004 (desenvolupament)" in page
    assert page.count("<li>") >= 4
    assert "codi de sol·licitud" in page
    # The town hall is an accreditation office on Mondays, Tuesdays and Thursdays (seed 000).
    assert "els dilluns, dimarts i dijous" in page
    assert "Registre bàsic" in page and "Registre avançat" in page


def test_an_issuer_removed_from_the_configuration_disappears_from_the_page(
    client: Client, town_hall: object, trust_file: Path
) -> None:
    text = trust_file.read_text()
    blocks = text.split("[[issuers]]")
    kept = [b for b in blocks[1:] if "DNIE" not in b]
    trust_file.write_text(blocks[0] + "".join("[[issuers]]" + b for b in kept))
    page = client.get("/certificats/").content.decode()
    assert "AC DNIE 004 (desenvolupament)" not in page
    assert "AC FNMT Usuarios (desenvolupament)" in page


def _accreditation_service():
    from cites.models import Service

    service, _ = Service.objects.update_or_create(
        code="fnmt",
        defaults={
            "name": "Acreditació d'identitat per al certificat FNMT",
            "asks_request_code": True,
            "is_active": True,
            "weekdays": "0,1,3",
        },
    )
    return service


def test_the_office_days_and_hours_are_those_of_the_booking_service(
    client: Client, town_hall: object, trust_file: Path
) -> None:
    import datetime as dt

    service = _accreditation_service()
    page = client.get("/certificats/").content.decode()
    assert "els dilluns, dimarts i dijous, de 9:00 a 13:00" in page

    # What a clerk does in the back-office: the booking page follows at once, and so does this.
    import dataclasses

    from cites import services

    current = {
        name: getattr(service, name) for name in services.ServiceSettings.__dataclass_fields__
    }
    changed = dataclasses.replace(
        services.ServiceSettings(**current),
        weekdays="2",
        opens_at=dt.time(10, 0),
        closes_at=dt.time(12, 30),
    )
    services.change_service(service=service, values=changed, acting_user=None)
    page = client.get("/certificats/").content.decode()
    assert "els dimecres, de 10:00 a 12:30" in page
    assert "dilluns" not in page
    english = client.get("/en/certificats/").content.decode()
    assert "on Wednesdays, from 10:00 to 12:30" in english


def test_with_the_booking_service_off_the_page_says_there_are_no_appointments(
    client: Client, town_hall: object, trust_file: Path
) -> None:
    service = _accreditation_service()
    service.is_active = False
    service.save()
    page = client.get("/certificats/").content.decode()
    assert "Ara mateix no es donen cites per acreditar la identitat" in page
    assert "dilluns" not in page and "dijous" not in page
    assert "Demanar cita a l'oficina d'acreditació" not in page
