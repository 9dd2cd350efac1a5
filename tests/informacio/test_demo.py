"""The demo data fill the information page, so that a visitor of ``make run`` sees what it is for
(issue #13, item 15)."""

from __future__ import annotations

from typing import Any

import pytest

from informacio.models import InformationDocument, OfficialJournal, PublicService

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_information_page_once(client, settings: Any, tmp_path: Any) -> None:
    from devtools.demo import load_demo_data

    settings.VAR_DIR = tmp_path
    load_demo_data()
    counts = (
        PublicService.objects.count(),
        OfficialJournal.objects.count(),
        InformationDocument.objects.count(),
    )
    load_demo_data()  # idempotent

    assert counts == (
        PublicService.objects.count(),
        OfficialJournal.objects.count(),
        InformationDocument.objects.count(),
    )
    page = client.get("/informacio/").content.decode()
    # Every organ says what it does (none shows the "—" of an organ without competences).
    assert '<dd class="govuk-summary-list__value">—</dd>' not in page
    assert "Fe pública i assessorament legal preceptiu" in page
    assert "Recollida de residus voluminosos" in page
    assert "Informació proporcionada per l&#x27;Àrea de Serveis Socials" in page
    assert "Diari Oficial de la Unió Europea (DOUE)" in page
    budget = InformationDocument.objects.get(kind=InformationDocument.Kind.BUDGET)
    assert f'href="/informacio/documents/{budget.pk}/"' in page
    download = client.get(f"/informacio/documents/{budget.pk}/")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
