"""A procedure's form as data (art. 24.1): the definition staff save, the form a person fills
(each field type's checks, in the person's language) and the answers kept as JSON."""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import json
from typing import Any

import pytest
from django.utils import translation

from expedients import formdef


def _text(ca: str, es: str | None = None) -> dict[str, str]:
    return {"ca": ca, "es": es or f"{ca} (es)"}


# One field of every type a clerk may define.
EVERY_TYPE: dict[str, Any] = {
    "fields": [
        {"key": "nom", "type": "text", "label": _text("Nom", "Nombre"), "max_length": 10},
        {"key": "descripcio", "type": "textarea", "label": _text("Descripció", "Descripción")},
        {
            "key": "superficie",
            "type": "number",
            "label": _text("Superfície (m²)", "Superficie (m²)"),
            "min": 1,
            "max": 5000,
        },
        {"key": "inici", "type": "date", "label": _text("Data d'inici", "Fecha de inicio")},
        {
            "key": "tipus",
            "type": "choice",
            "label": _text("Tipus d'obra", "Tipo de obra"),
            "choices": [
                {"value": "interior", "label": _text("Reforma interior", "Reforma interior")},
                {"value": "facana", "label": _text("Façana", "Fachada")},
            ],
        },
        {"key": "bastida", "type": "boolean", "label": _text("Cal bastida?", "¿Hace falta?")},
        {"key": "titular_nif", "type": "nif", "label": _text("NIF del titular", "NIF")},
        {"key": "compte", "type": "iban", "label": _text("Compte (IBAN)", "Cuenta (IBAN)")},
        {"key": "cadastre", "type": "cadastral", "label": _text("Referència cadastral")},
        {"key": "adreca", "type": "address", "label": _text("Adreça de l'obra")},
        {"key": "correu", "type": "email", "label": _text("Correu electrònic")},
        {"key": "telefon", "type": "phone", "label": _text("Telèfon")},
        {
            "key": "planol",
            "type": "file",
            "label": _text("Plànol"),
            "allowed_types": ["pdf", "png"],
            "max_size_mb": 5,
        },
        {
            "key": "compliment",
            "type": "declaration",
            "label": _text("Declaració responsable"),
            "declaration": _text("Declar que l'obra compleix la normativa."),
        },
    ]
}

# What a person types into EVERY_TYPE when all is right (a form's data: strings, "on").
TYPED = {
    "nom": "Maria",
    "descripcio": "Canvi de rajoles\nde la cuina",
    "superficie": "1.234,5",
    "inici": "28/02/2026",
    "tipus": "facana",
    "bastida": "yes",
    "titular_nif": "12345678z",
    "compte": "ES91 2100 0418 4502 0005 1332",
    "cadastre": "9872023 VH5797S 0001 WX",
    "adreca": "Carrer Major, 1",
    "correu": "maria@exemple.cat",
    "telefon": "+34 971 12 34 56",
    "compliment": "on",
}


def _errors(definition: dict[str, Any], data: dict[str, Any], language: str = "ca"):
    with translation.override(language):
        form = formdef.build_form(definition, data=data)
        assert not form.is_valid()
        return {
            key: [str(message) for message in messages] for key, messages in form.errors.items()
        }


def _one(spec: dict[str, Any]) -> dict[str, Any]:
    return {"fields": [{"label": _text("Camp"), **spec}]}


# --- The definition --------------------------------------------------------------------------


def test_a_definition_with_one_field_of_every_type_is_valid() -> None:
    assert {field["type"] for field in EVERY_TYPE["fields"]} == set(formdef.FIELD_TYPES)
    assert formdef.definition_errors(EVERY_TYPE) == []
    formdef.check_definition(EVERY_TYPE)  # raises nothing


def _without(index: int, key: str):
    def change(fields: list[dict[str, Any]]) -> None:
        del fields[index][key]

    return change


def _set(index: int, key: str, value: Any):
    def change(fields: list[dict[str, Any]]) -> None:
        fields[index][key] = value

    return change


MISTAKES = {
    "missing label": (_without(0, "label"), "A «fields/0» hi falta «label»."),
    "unknown type": (_set(1, "type", "signatura"), "A «fields/1/type» el valor no és cap"),
    "bad key": (_set(2, "key", "Superfície"), "A «fields/2/key» el codi ha de començar per"),
    "choice without choices": (_without(4, "choices"), "A «fields/4» hi falta «choices»."),
    "declaration without text": (
        _without(13, "declaration"),
        "A «fields/13» hi falta «declaration».",
    ),
    "replaceable file without the declaration's text": (
        _set(12, "replaceable_by_declaration", True),
        "A «fields/12» hi falta «declaration».",
    ),
    "repeated key": (_set(1, "key", "nom"), "El codi de camp «nom» és repetit."),
    "unknown option": (
        _set(3, "color", "vermell"),
        "A «fields/3» hi ha claus desconegudes: color.",
    ),
    "unknown option of a label": (
        _set(0, "label", {"ca": "Nom", "fr": "Nom"}),
        "A «fields/0/label» hi ha claus desconegudes: fr.",
    ),
    "file type not offered": (
        _set(12, "allowed_types", ["exe"]),
        "A «fields/12/allowed_types/0» el valor no és cap dels admesos: pdf, jpeg",
    ),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_mistake_in_a_definition_is_named_in_catalan_with_where_it_is(mistake: str) -> None:
    change, expected = MISTAKES[mistake]
    definition = copy.deepcopy(EVERY_TYPE)
    change(definition["fields"])
    errors = formdef.definition_errors(definition)
    assert any(expected in error for error in errors), errors
    with pytest.raises(formdef.InvalidDefinition) as raised:
        formdef.check_definition(definition)
    assert raised.value.errors == errors


def test_a_file_not_replaceable_by_a_declaration_needs_no_declaration_text() -> None:
    definition = copy.deepcopy(EVERY_TYPE)
    definition["fields"][12]["replaceable_by_declaration"] = False
    assert formdef.definition_errors(definition) == []


def test_a_definition_that_is_no_object_or_has_no_fields_is_refused_without_crashing() -> None:
    assert formdef.definition_errors([]) == ["A «/» el valor no és vàlid."]
    assert formdef.definition_errors({"fields": []}) == ["A «fields» el valor no és vàlid."]
    assert formdef.definition_errors({}) == ["A «/» hi falta «fields»."]


# --- Each field type's values ------------------------------------------------------------------

# (field, what is typed, the Catalan message, Django's Spanish message or None where the message
# is the portal's own and its Spanish entry may not be compiled yet).
INVALID: dict[str, tuple[dict[str, Any], str, str, str | None]] = {
    "nif with a bad letter": (
        {"key": "nif", "type": "nif"},
        "12345678A",
        "El NIF, NIE o CIF «12345678A» no és vàlid: revisau les xifres i la lletra.",
        "El NIF, NIE o CIF «12345678A» no es válido",
    ),
    "iban with bad check digits": (
        {"key": "iban", "type": "iban"},
        "ES91 2100 0418 4502 0005 1333",
        "L'IBAN «ES91 2100 0418 4502 0005 1333» no és vàlid: revisau-ne les xifres.",
        None,
    ),
    "cadastral reference with bad control letters": (
        {"key": "cadastre", "type": "cadastral"},
        "9872023VH5797S0001WY",
        "La referència cadastral «9872023VH5797S0001WY» no és vàlida",
        None,
    ),
    "number as text": (
        {"key": "n", "type": "number"},
        "tres",
        "Introduïu un número.",
        "Introduzca un número.",
    ),
    "number below min": (
        {"key": "n", "type": "number", "min": 1},
        "0",
        "Assegureu-vos que aquest valor sigui més gran o igual que 1.",
        "Asegúrese de que este valor es mayor o igual a 1.",
    ),
    "number above max": (
        {"key": "n", "type": "number", "max": 5000},
        "5000,01",
        "Assegureu-vos que aquest valor sigui menor o igual que 5000.",
        "Asegúrese de que este valor es menor o igual a 5000.",
    ),
    "date that does not exist": (
        {"key": "d", "type": "date"},
        "31/02/2026",
        "Introduïu una data vàlida.",
        "Introduzca una fecha válida.",
    ),
    "choice not offered": (
        {
            "key": "c",
            "type": "choice",
            "choices": [{"value": "a", "label": _text("A")}, {"value": "b", "label": _text("B")}],
        },
        "z",
        "Esculliu una opció vàlida. z no és una de les opcions vàlides.",
        "Escoja una opción válida. z no es una de las opciones disponibles.",
    ),
    "yes/no neither": (
        {"key": "b", "type": "boolean"},
        "potser",
        "Esculliu una opció vàlida.",
        "Escoja una opción válida.",
    ),
    "e-mail without at": (
        {"key": "e", "type": "email"},
        "maria.exemple.cat",
        "adreça de correu electrònic vàlida",
        "Introduzca una dirección de correo electrónico válida.",
    ),
    "phone too short": (
        {"key": "t", "type": "phone"},
        "971 12",
        "El telèfon «971 12» no és vàlid: escriviu-ne entre 9 i 15 xifres",
        "El teléfono «971 12» no es válido",
    ),
    "text over its max_length": (
        {"key": "t", "type": "text", "max_length": 10},
        "x" * 11,
        "Assegureu-vos que aquest valor tingui com a molt 10 caràcters (en té 11).",
        "Asegúrese de que este valor tenga menos de 10 caracteres (tiene 11).",
    ),
    "long text over its default length": (
        {"key": "t", "type": "textarea"},
        "x" * 4001,
        "com a molt 4000 caràcters",
        "menos de 4000 caracteres",
    ),
    "required text missing": (
        {"key": "t", "type": "text", "required": True},
        "   ",
        "Aquest camp és obligatori.",
        "Este campo es requerido.",
    ),
    "declaration unchecked": (
        {"key": "d", "type": "declaration", "declaration": _text("Declar que tot és cert.")},
        "",
        "Aquest camp és obligatori.",
        "Este campo es requerido.",
    ),
    "a name typed where a file goes": (
        {"key": "f", "type": "file", "required": True},
        "pressupost.pdf",
        "Aquest camp és obligatori.",
        "Este campo es requerido.",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_each_field_type_refuses_its_invalid_values_in_the_persons_language(case: str) -> None:
    spec, typed, catalan, spanish = INVALID[case]
    definition = _one(spec)
    assert formdef.definition_errors(definition) == []
    key = spec["key"]

    errors = _errors(definition, {key: typed})
    assert list(errors) == [key]
    assert any(catalan in message for message in errors[key]), errors

    errors = _errors(definition, {key: typed}, language="es")
    assert list(errors) == [key]
    if spanish is not None:
        assert any(spanish in message for message in errors[key]), errors


# (field, what is typed, what is kept)
VALID: dict[str, tuple[dict[str, Any], str, Any]] = {
    "nif in lower case": ({"type": "nif"}, "12345678z", "12345678Z"),
    "nie": ({"type": "nif"}, "x1234567l", "X1234567L"),
    "cif": ({"type": "nif"}, "B12345674", "B12345674"),
    "spanish iban with spaces": (
        {"type": "iban"},
        "es91 2100 0418 4502 0005 1332",
        "ES9121000418450200051332",
    ),
    "cadastral reference with spaces": (
        {"type": "cadastral"},
        "9872023 vh5797s 0001 wx",
        "9872023VH5797S0001WX",
    ),
    "number with thousands and a decimal comma": (
        {"type": "number"},
        "1.234,5",
        decimal.Decimal("1234.5"),
    ),
    "number with a decimal point": ({"type": "number"}, "1234.5", decimal.Decimal("1234.5")),
    "number with thousands spaced": ({"type": "number"}, "12 500", decimal.Decimal("12500")),
    "number below one with a point": ({"type": "number"}, "0.125", decimal.Decimal("0.125")),
    "iso date": ({"type": "date"}, "2026-02-28", dt.date(2026, 2, 28)),
    "day/month/year date": ({"type": "date"}, "28/02/2026", dt.date(2026, 2, 28)),
    "yes": ({"type": "boolean"}, "yes", "yes"),
    "phone with prefix and spaces": ({"type": "phone"}, "0034 971 12 34 56", "+34971123456"),
    "e-mail": ({"type": "email"}, "maria@exemple.cat", "maria@exemple.cat"),
}


@pytest.mark.parametrize("case", sorted(VALID))
def test_each_field_type_accepts_a_valid_value_and_keeps_it_normalised(case: str) -> None:
    spec, typed, kept = VALID[case]
    form = formdef.build_form(_one({"key": "x", **spec}), data={"x": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["x"] == kept


def test_a_document_the_town_hall_holds_is_not_asked_for() -> None:
    definition = _one({"key": "padro", "type": "file", "required": True, "held_by_town_hall": True})
    form = formdef.build_form(definition, data={})
    assert "padro" not in form.fields
    assert form.is_valid()
    assert formdef.documents_of(definition)[0].key == "padro"  # still listed on its page


def test_a_replaceable_document_missing_without_its_declaration_says_either_will_do() -> None:
    definition = _one(
        {
            "key": "pressupost",
            "type": "file",
            "required": True,
            "replaceable_by_declaration": True,
            "declaration": _text("Declar que dispòs del pressupost."),
        }
    )
    errors = _errors(definition, {})
    assert errors == {
        "pressupost": [
            "Adjuntau aquest document o marcau la declaració responsable que el substitueix."
        ]
    }
    form = formdef.build_form(definition, data={formdef.declared_key("pressupost"): "on"})
    assert form.is_valid(), form.errors
    assert formdef.cleaned_answers(form) == {"pressupost": {"declared": True}}


# --- The answers -------------------------------------------------------------------------------

STORED_FILE = {
    "sha256": "ab" * 32,
    "name": "planol.pdf",
    "content_type": "application/pdf",
    "format_label": "PDF",
    "size": 1234,
    "signatures": [],
}


def _valid_answers() -> dict[str, Any]:
    form = formdef.build_form(EVERY_TYPE, data={**TYPED, "planol": STORED_FILE})
    assert form.is_valid(), form.errors
    return formdef.cleaned_answers(form)


def test_answers_are_kept_as_json_with_booleans_iso_dates_and_decimal_strings() -> None:
    answers = _valid_answers()
    assert json.loads(json.dumps(answers)) == answers
    assert answers == {
        "nom": "Maria",
        "descripcio": "Canvi de rajoles\nde la cuina",
        "superficie": "1234.5",
        "inici": "2026-02-28",
        "tipus": "facana",
        "bastida": True,
        "titular_nif": "12345678Z",
        "compte": "ES9121000418450200051332",
        "cadastre": "9872023VH5797S0001WX",
        "adreca": "Carrer Major, 1",
        "correu": "maria@exemple.cat",
        "telefon": "+34971123456",
        "planol": STORED_FILE,
        "compliment": True,
    }
    form = formdef.build_form(EVERY_TYPE, data={**TYPED, "bastida": "no", "superficie": "100"})
    assert form.is_valid(), form.errors
    answers = formdef.cleaned_answers(form)
    assert answers["bastida"] is False
    assert answers["superficie"] == "100"  # not "1E+2"
    assert "planol" not in answers  # not required, not sent


def test_stored_answers_read_back_as_form_data_give_the_same_valid_form() -> None:
    answers = _valid_answers()
    data = formdef.as_form_data(EVERY_TYPE, answers)
    form = formdef.build_form(EVERY_TYPE, data=data)
    assert form.is_valid(), form.errors
    assert formdef.cleaned_answers(form) == answers
    assert formdef.check_answers(EVERY_TYPE, answers) == {}


def test_a_stored_number_with_three_decimals_reads_back_as_itself_not_as_thousands() -> None:
    definition = _one({"key": "hectarees", "type": "number", "max": 100})
    form = formdef.build_form(definition, data={"hectarees": "12,375"})
    assert form.is_valid(), form.errors
    answers = formdef.cleaned_answers(form)
    assert answers == {"hectarees": "12.375"}
    again = formdef.build_form(definition, data=formdef.as_form_data(definition, answers))
    assert again.is_valid(), again.errors
    assert formdef.cleaned_answers(again) == answers


def test_stored_answers_that_no_longer_pass_their_form_say_which_field_and_why() -> None:
    answers = {**_valid_answers(), "titular_nif": "12345678A"}
    del answers["compliment"]
    assert formdef.check_answers(EVERY_TYPE, answers) == {
        "titular_nif": [
            "El NIF, NIE o CIF «12345678A» no és vàlid: revisau les xifres i la lletra."
        ],
        "compliment": ["Aquest camp és obligatori."],
    }


def test_answers_are_displayed_with_their_labels_in_the_persons_language() -> None:
    answers = {**_valid_answers(), "bastida": False}
    shown = formdef.display_answers(EVERY_TYPE, answers, language="ca")
    catalan = {item["label"]: item["value"] for item in shown}
    assert [item["label"] for item in shown][:3] == ["Nom", "Descripció", "Superfície (m²)"]
    assert catalan["Superfície (m²)"] == "1234,5"
    assert catalan["Data d'inici"] == "28/02/2026"
    assert catalan["Tipus d'obra"] == "Façana"
    assert catalan["Cal bastida?"] == "No"
    assert catalan["Plànol"] == "planol.pdf"
    assert catalan["Declaració responsable"] == "Declarat sota la meva responsabilitat"

    spanish = {
        item["label"]: item["value"]
        for item in formdef.display_answers(EVERY_TYPE, answers, language="es")
    }
    assert spanish["Nombre"] == "Maria"
    assert spanish["Superficie (m²)"] == "1234,5"
    assert spanish["Fecha de inicio"] == "28/02/2026"
    assert spanish["Tipo de obra"] == "Fachada"
    assert spanish["Cuenta (IBAN)"] == "ES9121000418450200051332"
    assert "Referència cadastral (es)" in spanish  # the label the clerk wrote in Spanish

    english = formdef.display_answers(EVERY_TYPE, answers, language="en")
    assert english[0] == {"label": "Nom", "value": "Maria"}  # no English label: Catalan


def test_a_document_replaced_by_a_declaration_is_displayed_as_such() -> None:
    definition = _one(
        {
            "key": "pressupost",
            "type": "file",
            "replaceable_by_declaration": True,
            "declaration": _text("Declar que dispòs del pressupost."),
        }
    )
    (shown,) = formdef.display_answers(
        definition, {"pressupost": {"declared": True}}, language="ca"
    )
    assert shown == {
        "label": "Camp",
        "value": "Substituït per declaració responsable (art. 28.2)",
    }


@pytest.mark.parametrize("key", ["remove", "draft", "contact_email", "nif__declared"])
def test_a_key_the_page_uses_for_its_own_inputs_is_reserved(key: str) -> None:
    definition = {"fields": [{"key": key, "type": "text", "label": {"ca": "Camp"}}]}

    errors = formdef.definition_errors(definition)

    assert errors == [f"A «fields/0/key» el codi «{key}» és reservat: triau-ne un altre."]
