"""What staff write for citizens, in each language of the seu (art. 4; issue 13 item 1): organs,
office hours, appointment services and the information sections have a text per language, a
missing translation shows the Catalan text, and the back-office says which translations are
missing (``seu.translated``)."""

from __future__ import annotations

import html
import re
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import translation

from cites import services as cites_services
from cites.models import Service
from seu.models import BackOfficeChange, Organ, TownHall
from seu.translated import missing_translations, texts
from tests.conftest import log_in_to_back_office

SCHEMA_MIGRATIONS = [
    ("seu", "0009_translated_organs_and_office_hours"),
    ("cites", "0006_translated_services"),
    ("informacio", "0003_translated_information"),
]


def written(field: str, **by_language: str) -> dict[str, str]:
    """The columns of ``field`` with a text in each language given: ``name_ca``, ``name_es``…"""
    return {f"{field}_{language}": text for language, text in by_language.items()}


def _text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_text_not_yet_translated_shows_the_catalan_one_and_a_translation_replaces_it(
    client: Client, town_hall: TownHall
) -> None:
    Organ.objects.create(
        code="urbanisme",
        **written("name", ca="Àrea d'Urbanisme", es="Área de Urbanismo"),
        **written("competences", ca="Llicències d'obres"),
    )

    catalan, spanish, english = (
        _text(client.get(f"{prefix}/informacio/")) for prefix in ("", "/es", "/en")
    )

    assert "Àrea d'Urbanisme" in catalan and "Llicències d'obres" in catalan
    assert "Área de Urbanismo" in spanish and "Àrea d'Urbanisme" not in spanish
    assert "Llicències d'obres" in spanish  # not translated yet: the Catalan text
    assert "Àrea d'Urbanisme" in english and "Llicències d'obres" in english


@pytest.mark.django_db
def test_the_town_halls_office_hours_follow_the_language_of_the_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    TownHall.objects.create(
        name="Ajuntament de Sant Llorenç des Cardassar",
        nif="P0705700C",
        address="Plaça de l'Ajuntament, 1",
        postal_code="07530",
        municipality="Sant Llorenç des Cardassar",
        phone="971 83 83 83",
        email="ajuntament@example.org",
        **written(
            "office_hours",
            ca="De dilluns a divendres, de 9 a 14 h",
            en="Monday to Friday, 9 am to 2 pm",
        ),
    )

    # A section not built yet names the office and its hours (none is, today: one for the test).
    from seu import sections, views

    pending = sections.Section("arxiu", "Arxiu electrònic", "Documents arxivats.", "22")
    monkeypatch.setattr(views, "BY_SLUG", {**sections.BY_SLUG, "arxiu": pending})
    english = _text(client.get("/en/arxiu/"))
    spanish = _text(client.get("/es/arxiu/"))

    assert "Monday to Friday, 9 am to 2 pm" in english and "De dilluns" not in english
    assert "De dilluns a divendres, de 9 a 14 h" in spanish


def _missing_column(page: str, name: str) -> str:
    row = re.search(rf"<tr>(?:(?!</tr>).)*>{re.escape(name)}</a>(?:(?!</tr>).)*</tr>", page, re.S)
    assert row, f"{name} is not listed"
    cell = re.search(r'<td class="field-missing_translations">([^<]*)</td>', row.group(0))
    assert cell, row.group(0)
    return cell.group(1)


@pytest.mark.django_db
def test_the_back_office_list_says_which_translations_are_missing_and_filters_by_them(
    client: Client, administrator: User
) -> None:
    Organ.objects.create(
        code="alcaldia", **written("name", ca="Alcaldia", es="Alcaldía", en="Mayor's Office")
    )
    Organ.objects.create(code="secretaria", **written("name", ca="Secretaria", es="Secretaría"))
    Organ.objects.create(
        code="intervencio",
        **written("name", ca="Intervenció", es="Intervención", en="Audit"),
        **written("competences", ca="Comptabilitat"),  # its translations are missing
    )
    Organ.objects.create(code="oac", **written("name", ca="Oficina d'Atenció"))
    log_in_to_back_office(client, administrator)

    page = _text(client.get("/gestio/seu/organ/"))

    assert "Traduccions que falten" in page
    assert _missing_column(page, "Alcaldia") == "—"  # no competences: nothing to translate
    assert _missing_column(page, "Secretaria") == "en"
    assert _missing_column(page, "Intervenció") == "es, en"
    assert _missing_column(page, "Oficina d'Atenció") == "es, en"
    assert "falta traducció" in page
    untranslated_into_english = _text(client.get("/gestio/seu/organ/?falta_traduccio=en"))
    assert "Secretaria" in untranslated_into_english
    assert "Oficina d'Atenció" in untranslated_into_english
    assert "Alcaldia" not in untranslated_into_english
    untranslated_into_spanish = _text(client.get("/gestio/seu/organ/?falta_traduccio=es"))
    assert "Intervenció" in untranslated_into_spanish
    assert "Secretaria" not in untranslated_into_spanish


@pytest.mark.django_db
def test_staff_write_an_organ_in_each_language_in_one_form_whatever_language_it_is_shown_in(
    client: Client, administrator: User
) -> None:
    log_in_to_back_office(client, administrator)
    form = _text(client.get("/gestio/seu/organ/add/"))
    assert "Traducció al castellà" in form and "Traducció a l'anglès" in form
    assert 'name="name_es"' in form and 'name="competences_en"' in form

    response = client.post(
        "/es/gestio/seu/organ/add/",
        {
            "code": "urbanisme",
            "name_ca": "Àrea d'Urbanisme",
            "name_es": "Área de Urbanismo",
            "name_en": "",
            "competences_ca": "Llicències",
            "competences_es": "Licencias",
            "competences_en": "Permits",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    organ = Organ.objects.get(code="urbanisme")
    names = texts(organ, "name")
    assert (names["ca"], names["es"]) == ("Àrea d'Urbanisme", "Área de Urbanismo")
    assert not names["en"]
    assert missing_translations(organ) == ["en"]
    # Queries that reach an organ from a model without translations (a staff member's organs in
    # order) read the original column: it keeps the Catalan text, not the Spanish of the page.
    untranslated = cast(Any, Organ.objects).rewrite(False)  # modeltranslation's manager
    original = untranslated.values_list("name", flat=True).get(pk=organ.pk)
    assert original == "Àrea d'Urbanisme"
    with translation.override("en"):
        assert organ.name == "Àrea d'Urbanisme" and organ.competences == "Permits"


@pytest.mark.django_db
def test_a_services_translations_go_through_the_service_and_are_logged(administrator: User) -> None:
    service = Service.objects.get(code="fnmt")  # created by cites' data migration
    values = cites_services.ServiceSettings(
        code="fnmt",
        name="Acreditació d'identitat (FNMT)",
        description="Per obtenir el certificat.",
        name_es="Acreditación de identidad (FNMT)",
        description_es="Para obtener el certificado.",
        is_active=True,
        asks_request_code=True,
    )

    with translation.override("es"):  # a back-office shown in Spanish saves the same
        cites_services.change_service(service=service, values=values, acting_user=administrator)

    service.refresh_from_db()
    assert texts(service, "name") == {
        "ca": "Acreditació d'identitat (FNMT)",
        "es": "Acreditación de identidad (FNMT)",
        "en": "",
    }
    assert texts(service, "description")["en"] == ""
    with translation.override("en"):
        assert service.name == "Acreditació d'identitat (FNMT)"  # not translated: Catalan
    change = BackOfficeChange.objects.get(what="cites.Service")
    assert change.values["name"][1] == "Acreditació d'identitat (FNMT)"
    assert change.values["name_es"][1] == "Acreditación de identidad (FNMT)"


@pytest.mark.django_db
def test_lists_ordered_by_name_follow_the_language_of_the_page() -> None:
    Organ.objects.create(code="alcaldia", **written("name", ca="Alcaldia", en="Mayor's Office"))
    Organ.objects.create(code="intervencio", **written("name", ca="Intervenció", en="Audit"))

    with translation.override("ca"):
        assert [organ.name for organ in Organ.objects.all()] == ["Alcaldia", "Intervenció"]
    with translation.override("en"):
        assert [organ.name for organ in Organ.objects.all()] == ["Audit", "Mayor's Office"]


# --- The texts written before translations existed ----------------------------------------------


def test_the_texts_written_before_become_the_catalan_ones_and_the_default_services_are_translated(
    executor: MigrationExecutor,
) -> None:
    before = [
        parent.key
        for node in SCHEMA_MIGRATIONS
        for parent in executor.loader.graph.node_map[node].parents
    ]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old.get_model("seu", "Organ").objects.create(
        code="secretaria", name="Secretaria", competences="Fe pública"
    )
    old_service = old.get_model("cites", "Service")
    old_service.objects.update_or_create(
        code="fnmt", defaults={"name": "Acreditació d'identitat per al certificat FNMT"}
    )
    old_service.objects.create(code="altres", name="Altres tràmits", weekdays="0")
    old.get_model("informacio", "OfficialJournal").objects.create(
        name="Diari municipal", url="https://example.org/diari", description="Bans"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from informacio.models import OfficialJournal

    organ = Organ.objects.get(code="secretaria")
    assert texts(organ, "name")["ca"] == "Secretaria"
    assert texts(organ, "competences")["ca"] == "Fe pública"
    assert missing_translations(organ) == ["es", "en"]
    with translation.override("es"):
        assert organ.name == "Secretaria" and organ.competences == "Fe pública"
        assert Service.objects.get(code="altres").name == "Altres tràmits"
        assert OfficialJournal.objects.get(url="https://example.org/diari").name == (
            "Diari municipal"
        )
        assert Service.objects.get(code="fnmt").name == (
            "Acreditación de identidad para el certificado FNMT"
        )
    with translation.override("en"):
        assert Service.objects.get(code="fnmt").name == (
            "Identity accreditation for the FNMT certificate"
        )
