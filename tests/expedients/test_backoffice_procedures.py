"""The catalogue's back-office (issue 15 item 2): a procedure's settings, its form versions
read-only, and "Nova versió del formulari", which publishes a new version through
``services.publish_version`` or shows its refusal in Catalan with what was typed kept."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from expedients.models import Procedure
from seu.models import Organ
from tests import actors
from tests.support.expedients import FORM, file_case, make_procedure
from tests.support.notifications import consent_of

another_organ = actors.another_organ
clerk = actors.clerk
clerk_of_another_organ = actors.clerk_of_another_organ


@pytest.fixture
def procedure(organ: Organ) -> Procedure:
    return make_procedure(organ)


def new_version_url(procedure: Procedure) -> str:
    return reverse("admin:expedients_procedure_new_version", args=[procedure.pk])


def change_url(procedure: Procedure) -> str:
    return reverse("admin:expedients_procedure_change", args=[procedure.pk])


class _FormValues(HTMLParser):
    """What a browser would send back of the page's main form, unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, Any] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and name and found.get("type") not in ("submit", "checkbox"):
            self.values[name] = found.get("value") or ""
        elif tag == "input" and name and "checked" in found:
            self.values[name] = "on"
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_values(client: Client, url: str) -> dict[str, Any]:
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    values = parser.values
    for name, value in values.items():
        if isinstance(value, str) and value.startswith("\n"):
            values[name] = value[1:]  # the newline Django's textarea template adds
    return values


def test_a_bad_form_definition_is_refused_in_catalan_and_what_was_typed_is_kept(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    typed = json.dumps({"fields": [{"key": "Nom", "type": "texte", "label": {"ca": "Nom"}}]})

    response = clerk.client.post(new_version_url(procedure), {"definition": typed})

    page = response.content.decode()
    assert response.status_code == 200
    assert "A «fields/0/type» el valor no és cap dels admesos" in page
    assert "el codi ha de començar per una lletra minúscula" in page
    assert 'id="error-summary"' in page
    assert html.escape(typed) in page
    assert procedure.versions.count() == 1


def test_text_that_is_not_json_is_refused_with_where_it_goes_wrong(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    response = clerk.client.post(new_version_url(procedure), {"definition": '{"fields": ['})

    page = response.content.decode()
    assert "El text no és JSON vàlid (línia 1" in page
    assert procedure.versions.count() == 1


def test_a_good_definition_is_published_as_a_new_version_and_the_old_one_stays(
    procedure: Procedure, clerk: actors.Actor, organ: Organ
) -> None:
    first = procedure.current_version
    assert first is not None
    file_case(consent_of(actors.CITIZEN), procedure)
    shown = clerk.client.get(new_version_url(procedure)).content.decode()
    changed = {
        "fields": [
            *FORM["fields"],
            {"key": "observacions", "type": "textarea", "label": {"ca": "Observacions"}},
        ]
    }

    response = clerk.client.post(
        new_version_url(procedure), {"definition": json.dumps(changed, ensure_ascii=False)}
    )

    assert html.escape('"key": "titular_nif"') in shown  # the current definition, to start from
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.current_version is not None and procedure.current_version.number == 2
    assert procedure.current_version.form == changed
    first.refresh_from_db()
    assert first.form == FORM  # never edited in place
    page = clerk.client.get(change_url(procedure)).content.decode()
    assert "Nova versió del formulari" in page
    # The versions, read-only: the first with its one case file, the new one with none.
    versions = page[page.index("versions-group") :]
    assert '<td class="field-cases_display">1</td>' in versions
    assert '<td class="field-cases_display">0</td>' in versions


def test_an_automated_withdrawal_without_its_organ_is_refused_on_the_form(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    values = form_values(clerk.client, change_url(procedure))
    values["automated_withdrawal"] = "on"
    values["automated_organ"] = ""

    response = clerk.client.post(change_url(procedure), values)

    assert response.status_code == 200
    assert "Una actuació automatitzada ha de dir quin òrgan en respon" in response.content.decode()
    procedure.refresh_from_db()
    assert not procedure.automated_withdrawal


def test_the_clerk_changes_the_period_and_the_silence_of_a_procedure(
    procedure: Procedure, clerk: actors.Actor
) -> None:
    values = form_values(clerk.client, change_url(procedure))
    values.update(
        resolution_period="20", resolution_period_unit="working_days", silence_effect="negative"
    )

    response = clerk.client.post(change_url(procedure), values)

    assert response.status_code == 302, response.content.decode()[:3000]
    procedure.refresh_from_db()
    assert (procedure.resolution_period, procedure.resolution_period_unit) == (20, "working_days")
    assert procedure.silence_effect == "negative"


def test_another_organs_procedure_is_a_404_and_staff_without_the_permission_get_nothing(
    procedure: Procedure, clerk_of_another_organ: actors.Actor, organ: Organ
) -> None:
    registry_clerk = actors.staff_actor("registry clerk", organ, apps=("registre",), models=())

    assert clerk_of_another_organ.client.get(change_url(procedure)).status_code == 404
    assert clerk_of_another_organ.client.get(new_version_url(procedure)).status_code == 404
    refused = clerk_of_another_organ.client.post(
        new_version_url(procedure), {"definition": json.dumps(FORM)}
    )
    assert refused.status_code == 404
    assert registry_clerk.client.get(new_version_url(procedure)).status_code == 403
    assert procedure.versions.count() == 1
