"""The catalogue of procedures (art. 21): the list by subject with its search box, and each
procedure's page with what the article asks it to say; public pages, no identification."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from expedients.models import Procedure, SilenceEffect
from seu.calendar import PeriodUnit
from seu.models import LoA
from tests.factories import OrganFactory
from tests.support.expedients import FORM, make_procedure
from tests.support.filing import page_text

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("expedients:catalogue")

CENSUS_FORM = {
    "fields": [
        {
            "key": "motiu",
            "type": "text",
            "label": {"ca": "Per a què el necessitau", "es": "Para qué lo necesita"},
        },
        {
            "key": "padro_anterior",
            "type": "file",
            "label": {"ca": "Certificat del padró anterior", "es": "Certificado anterior"},
            "held_by_town_hall": True,
        },
    ]
}


@pytest.fixture
def catalogue(town_hall, organ) -> dict[str, Procedure]:
    """Three published procedures in two subjects, the generic request, and two the catalogue
    must not show (inactive; no published form)."""
    works = make_procedure(
        organ,
        summary="Per fer obres petites a casa sense llicència.",
        name_es="Comunicación previa de obras menores",
    )
    census = make_procedure(
        organ,
        code="PADRO",
        name="Certificat d'empadronament",
        form=CENSUS_FORM,
        summary="Acredita on viviu.",
        name_es="Certificado de empadronamiento",
    )
    Procedure.objects.filter(pk=census.pk).update(topic="Població", **{"topic_es": "Población"})
    complaints = make_procedure(
        organ, code="QUEIXA", name="Queixes i suggeriments", summary="Digau-nos què millorar."
    )
    Procedure.objects.filter(pk=complaints.pk).update(topic="Atenció ciutadana")
    generic = make_procedure(
        organ, code="GENERIC", name="Instància genèrica", is_generic=True, summary="Qualsevol."
    )
    Procedure.objects.filter(pk=generic.pk).update(topic="Atenció ciutadana")
    retired = make_procedure(organ, code="ANTIC", name="Tràmit retirat")
    Procedure.objects.filter(pk=retired.pk).update(is_active=False)
    Procedure.objects.create(
        code="NOU",
        name="Tràmit sense formulari",
        topic="Urbanisme",
        organ=organ,
        silence_effect=SilenceEffect.NEGATIVE,
    )
    return {"works": works, "census": census, "complaints": complaints, "generic": generic}


def _headings(text: str) -> list[str]:
    return re.findall(r'<h2 class="govuk-heading-m" id="materia-\d+">([^<]+)</h2>', text)


def test_the_catalogue_lists_the_published_procedures_by_subject(client: Client, catalogue) -> None:
    response = client.get(CATALOGUE)
    text = page_text(response)

    assert response.status_code == 200
    assert _headings(text) == ["Atenció ciutadana", "Població", "Urbanisme"]
    for name in (
        "Comunicació prèvia d'obres menors",
        "Certificat d'empadronament",
        "Queixes i suggeriments",
        "Instància genèrica",
    ):
        assert name in text, name
    assert "Tràmit retirat" not in text and "Tràmit sense formulari" not in text
    # Each subject lists its own: complaints and the generic request under "Atenció ciutadana".
    citizen_care = text.split('id="materia-1"')[1].split('id="materia-2"')[0]
    assert "Queixes i suggeriments" in citizen_care and "Instància genèrica" in citizen_care
    assert 'href="/tramits/OBRA/formulari/"' in text


def test_the_generic_request_starts_at_the_registrys_form(client: Client, catalogue) -> None:
    text = page_text(client.get(CATALOGUE))
    generic = text.split('id="tramit-GENERIC"')[1].split("</li>")[0]
    assert f'href="{reverse("registre:file")}"' in generic
    assert "/tramits/GENERIC/formulari/" not in text

    page = page_text(client.get(reverse("expedients:procedure", args=["GENERIC"])))
    assert re.search(rf'href="{reverse("registre:file")}"[^>]*id="comencar"', page)
    assert client.get(reverse("expedients:fill", args=["GENERIC"])).status_code == 404


def test_the_search_box_keeps_what_matches_name_summary_or_subject(
    client: Client, catalogue
) -> None:
    by_name = page_text(client.get(CATALOGUE, {"q": "empadronament"}))
    by_summary = page_text(client.get(CATALOGUE, {"q": "obres petites"}))
    by_subject = page_text(client.get(CATALOGUE, {"q": "urbanisme"}))
    nothing = page_text(client.get(CATALOGUE, {"q": "piscina"}))

    assert "Certificat d'empadronament" in by_name and "Queixes" not in by_name
    assert 'value="empadronament"' in by_name  # the search box keeps what was typed
    assert "1 tràmit per a «empadronament»" in by_name
    assert "Comunicació prèvia d'obres menors" in by_summary and "Padró" not in by_summary
    assert _headings(by_subject) == ["Urbanisme"]
    assert _headings(nothing) == [] and 'id="cap-tramit"' in nothing
    assert 'href="/registre/"' in nothing  # the generic request remains the way in


def test_the_search_ignores_accents_and_case(client: Client, catalogue) -> None:
    """Typed without accents or in capitals, as people type on a phone: "comunicacio previa"
    finds "Comunicació prèvia", "POBLACIO" the subject "Població", "poblacion" the Spanish one."""
    unaccented = page_text(client.get(CATALOGUE, {"q": "comunicacio previa"}))
    capitals = page_text(client.get(CATALOGUE, {"q": "POBLACIO"}))
    spanish = page_text(client.get("/es/tramits/", {"q": "poblacion"}))
    accented = page_text(client.get(CATALOGUE, {"q": "Queixès"}))

    assert "Comunicació prèvia d'obres menors" in unaccented and "Queixes" not in unaccented
    assert _headings(capitals) == ["Població"]
    assert "Certificado de empadronamiento" in spanish
    assert "Queixes i suggeriments" in accented  # an accent too many does not hide it either


def test_the_search_looks_in_the_language_of_the_page_then_in_catalan(
    client: Client, catalogue
) -> None:
    spanish = page_text(client.get("/es/tramits/", {"q": "obras"}))
    untranslated = page_text(client.get("/es/tramits/", {"q": "queixes"}))
    catalan_word = page_text(client.get("/es/tramits/", {"q": "obres menors"}))

    assert "Comunicación previa de obras menores" in spanish
    assert "Catálogo de trámites" in spanish
    assert "Queixes i suggeriments" in untranslated  # no Spanish name: the Catalan one counts
    assert "Comunicación previa" not in catalan_word  # its Spanish name is what is searched


def test_the_procedure_page_says_everything_article_21_asks(
    client: Client, town_hall, organ
) -> None:
    procedure = make_procedure(
        organ,
        sia_code="2650731",
        summary="Per fer obres petites a casa.",
        who_may_file="Les persones propietàries o llogateres de l'immoble.",
        fees="Taxa per obres: 2 % del pressupost.",
        legal_basis="Ordenança fiscal núm. 5; Llei 12/2017, d'urbanisme de les Illes Balears.",
        filers=Procedure.Filers.NATURAL,
        required_loa=LoA.HIGH,
        period=15,
        unit=PeriodUnit.WORKING_DAYS,
        silence=SilenceEffect.NEGATIVE,
        form={"fields": [*FORM["fields"], *CENSUS_FORM["fields"]]},
    )

    response = client.get(reverse("expedients:procedure", args=[procedure.code]))
    text = page_text(response)

    assert response.status_code == 200
    for expected in (
        "Comunicació prèvia d'obres menors",
        "2650731",
        organ.name,
        "Persones físiques",
        "Les persones propietàries o llogateres de l'immoble.",
        "Nivell alt: certificat electrònic reconegut o DNI electrònic.",
        "Art. 8.2",
        "Taxa per obres: 2 % del pressupost.",
        "15 dies hàbils",
        "s'entén desestimada",
        "Llei 12/2017",
        # The documents: the one asked, with its types and its replacing declaration (art. 28.2)
        "Pressupost detallat",
        "Formats admesos: PDF; fins a 5,0 MB.",
        "declaració responsable (art. 28.2",
        "Declar que dispòs del pressupost i el present quan se'm requereixi.",
        # and the one the town hall holds and fetches itself (art. 28.1), not asked.
        "art. 28.1",
        "Certificat del padró anterior",
    ):
        assert expected in text, expected
    held = text.split('id="ja-els-te"')[1]
    assert "Certificat del padró anterior" in held
    assert "Certificat del padró anterior" not in text.split('id="documents"')[1].split("</ul>")[0]
    assert re.search(r'href="/tramits/OBRA/formulari/"[^>]*id="comencar"', text)
    assert "Començar" in text


def test_a_period_in_months_and_positive_silence_read_as_such(
    client: Client, town_hall, organ
) -> None:
    make_procedure(organ, period=1, silence=SilenceEffect.POSITIVE, required_loa=LoA.LOW)
    text = page_text(client.get(reverse("expedients:procedure", args=["OBRA"])))
    assert "1 mes" in text and "1 mesos" not in text
    assert "s'entén estimada" in text
    assert "Nivell baix" in text


def test_an_unknown_retired_or_formless_procedure_is_a_404(client: Client, catalogue) -> None:
    for code in ("NOEXISTEIX", "ANTIC", "NOU"):
        assert client.get(reverse("expedients:procedure", args=[code])).status_code == 404


def test_the_home_page_offers_the_catalogue_as_a_working_section(client: Client, catalogue) -> None:
    page = client.get("/").content.decode()
    working = page.split('id="properament"', 1)[0]
    assert 'href="/tramits/"' in working


def test_the_catalogue_names_the_organ_in_the_language_of_the_page(
    client: Client, town_hall
) -> None:
    organ = OrganFactory.create(code="alcaldia", name="Alcaldia", name_es="Alcaldía")
    make_procedure(organ, name_es="Comunicación previa de obras menores")
    text = page_text(client.get("/es/tramits/OBRA/"))
    assert "Alcaldía" in text and "Comunicación previa de obras menores" in text
