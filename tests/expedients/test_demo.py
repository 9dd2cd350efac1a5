"""The demo data offer three real-looking procedures and the generic request, so that a visitor of
``make run`` can file one (issue #15, item 10)."""

from __future__ import annotations

from typing import Any

import pytest

from expedients import formdef, services
from expedients.models import Procedure, ProcedureVersion, State
from seu import identity
from seu.errors import NotFound
from seu.models import Identification, LoA, StaffMembership
from seu.translated import missing_translations
from tests.actors import CITIZEN
from tests.support.expedients import file_case

pytestmark = pytest.mark.django_db

# What a person would type in each demo procedure's form.
ANSWERS: dict[str, dict[str, Any]] = {
    "PADRO": {"tipus": "collectiu", "finalitat": "escolaritzacio"},
    "OBRES": {
        "adreca_obra": "Carrer de Ses Cases Noves, 12, Son Carrió",
        "referencia_cadastral": "9872023VH5797S0001WX",
        "tipus_obra": "cuina_bany",
        "descripcio": "Substitució dels mobles i del revestiment de la cuina.",
        "pressupost": "8.450,00",
        "inici": "2026-06-01",
        "durada_setmanes": "3",
        "ocupa_via_publica": "no",
        "pressupost_detallat": {"declared": True},
        "declaracio_responsable": True,
    },
    "QUEIXES": {
        "tipus": "queixa",
        "servei": "via_publica",
        "descripcio": "Fa una setmana que el fanal del carrer de Sa Plaça no encén.",
    },
}


@pytest.fixture
def demo(settings: Any, tmp_path: Any) -> None:
    from devtools.demo import load_demo_data

    settings.VAR_DIR = tmp_path
    load_demo_data()


def test_the_demo_loads_twice_and_offers_three_procedures_and_the_generic_request(
    demo: None,
) -> None:
    from devtools.demo import load_demo_data

    load_demo_data()  # idempotent: nothing twice, no new form version
    published = Procedure.objects.published()

    assert sorted(published.values_list("code", flat=True)) == [
        "GENERICA",
        "OBRES",
        "PADRO",
        "QUEIXES",
    ]
    assert list(published.filter(is_generic=True).values_list("code", flat=True)) == ["GENERICA"]
    assert ProcedureVersion.objects.count() == 4  # one version each, not one per load
    for procedure in published:
        assert procedure.sia_code.isdigit(), procedure.code
        assert procedure.legal_basis and procedure.fees, procedure.code
        assert missing_translations(procedure) == [], procedure.code  # Spanish and English
    assert dict(published.values_list("code", "organ__code")) == {
        "PADRO": "secretaria",
        "OBRES": "urbanisme",
        "QUEIXES": "oac",
        "GENERICA": "secretaria",
    }
    obres = published.get(code="OBRES").current_version
    assert obres is not None
    documents = {field.key: field for field in formdef.documents_of(obres.form)}
    assert documents["pressupost_detallat"].replaceable  # art. 28.2
    assert not documents["certificacio_cadastral"].asked  # art. 28.1: the town hall fetches it
    # Whoever resolves the case files of these organs signs with a post (art. 31).
    posts = dict(
        StaffMembership.objects.filter(organ__code__in=["secretaria", "urbanisme", "oac"])
        .exclude(post="")
        .values_list("organ__code", "post")
    )
    assert posts["urbanisme"] == "Regidor d'Urbanisme i Obres" and set(posts) == {
        "secretaria",
        "urbanisme",
        "oac",
    }


def test_each_demo_procedure_can_be_filed_and_opens_its_case_file(demo: None) -> None:
    identification = identity.record_identification(
        person=CITIZEN,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve", saml_assertion_id="_demo"),
    )
    for code, answers in ANSWERS.items():
        procedure = services.procedure_for_filing(code)

        case = file_case(identification, procedure, answers=answers)

        assert case.number.startswith(f"{code}/"), case.number
        assert case.state == State.OPENED and case.organ_id == procedure.organ_id
        assert case.deadline >= case.effective_at.date()
    with pytest.raises(NotFound):  # the generic request is the registry's own form
        services.procedure_for_filing("GENERICA")
