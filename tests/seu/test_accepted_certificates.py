"""The "Certificats digitals admesos" page (seed 000) follows the trust configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from seu.devpki import CitizenPki, DevPki, ensure_citizen_pki, write_citizen_trust

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
    assert "dilluns, dimarts, dijous" in page
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


def test_the_office_days_come_from_the_settings(
    client: Client, town_hall: object, trust_file: Path, settings
) -> None:
    settings.ACCREDITATION_OFFICE_WEEKDAYS = [2]
    page = client.get("/certificats/").content.decode()
    assert "els dimecres" in page
    assert "dilluns, dimarts" not in page
