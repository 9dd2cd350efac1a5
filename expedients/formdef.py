"""A procedure's form as data (art. 24.1): its definition, the Django form built from it, and the
answers it keeps.

A ``ProcedureVersion.form`` is ``{"fields": [field, ...]}``; each field has a stable ``key``, a
``type`` (``FIELD_TYPES``), a ``label`` per language (``{"ca": ..., "es": ..., "en": ...}``, Catalan
required) and the options of its type. The definition is checked against ``DEFINITION_SCHEMA``
with ``jsonschema`` (kept, MIT, already a dependency of the stack) when staff save it; what a person
types is checked by Django form fields built from it (``build_form``), so the messages are the
portal's own, in the person's language, and NIF/NIE/CIF, IBAN and cadastral references are checked
by python-stdnum, as everywhere else. We chose this over a form engine package: the ones on PyPI
are either unmaintained, tied to a JavaScript renderer (the portal works without JavaScript), or
AGPL; a definition schema plus a field factory is a few hundred lines we fully control.

Answers are stored as JSON (``cleaned_answers``): strings, ``true``/``false``, ISO dates, decimal
strings, and for a file the stored attachment or ``{"declared": true}`` when a responsible
declaration replaces it (art. 28.2). ``check_answers`` checks stored answers against the version
they were filed with, whatever the current version says.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema
from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import iban
from stdnum.es import referenciacatastral

from seu import people

FIELD_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "choice",
    "boolean",
    "nif",
    "iban",
    "cadastral",
    "address",
    "email",
    "phone",
    "file",
    "declaration",
)

# What a file field may allow, and the content types each means (``registre.attachments``
# recognises the bytes whatever the file is called).
FILE_TYPES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "jpeg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
    "odt": frozenset({"application/vnd.oasis.opendocument.text"}),
    "docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    "xml": frozenset({"application/xml"}),
}
FILE_ACCEPT = {
    "pdf": ".pdf",
    "jpeg": ".jpg,.jpeg",
    "png": ".png",
    "odt": ".odt",
    "docx": ".docx",
    "xml": ".xml",
}
DEFAULT_MAX_LENGTH = {"text": 300, "textarea": 4000, "address": people.POSTAL_ADDRESS_MAX_LENGTH}
MAX_FILE_MB = 20

RESERVED_KEYS = ("remove", "draft", "csrfmiddlewaretoken", "language", "next")

_TEXT = {
    "type": "object",
    "required": ["ca"],
    "properties": {
        "ca": {"type": "string", "minLength": 1, "maxLength": 2000},
        "es": {"type": "string", "maxLength": 2000},
        "en": {"type": "string", "maxLength": 2000},
    },
    "additionalProperties": False,
}

DEFINITION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["fields"],
    "additionalProperties": False,
    "$defs": {"text": _TEXT},
    "properties": {
        "fields": {
            "type": "array",
            "minItems": 1,
            "maxItems": 80,
            "items": {
                "type": "object",
                "required": ["key", "type", "label"],
                "additionalProperties": False,
                "properties": {
                    "key": {
                        "type": "string",
                        "pattern": "^[a-z][a-z0-9_]{0,39}$",
                        # The page's own inputs (the contact, the files to remove, the draft,
                        # the declaration that replaces a file) cannot be a field's name.
                        "not": {
                            "anyOf": [
                                {"enum": list(RESERVED_KEYS)},
                                {"pattern": "^contact_"},
                                {"pattern": "__"},
                            ]
                        },
                    },
                    "type": {"enum": list(FIELD_TYPES)},
                    "label": {"$ref": "#/$defs/text"},
                    "help": {"$ref": "#/$defs/text"},
                    "required": {"type": "boolean"},
                    "max_length": {"type": "integer", "minimum": 1, "maximum": 10000},
                    "min": {"type": "number"},
                    "max": {"type": "number"},
                    "choices": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["value", "label"],
                            "additionalProperties": False,
                            "properties": {
                                "value": {"type": "string", "pattern": "^[a-z0-9_-]{1,40}$"},
                                "label": {"$ref": "#/$defs/text"},
                            },
                        },
                    },
                    "allowed_types": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"enum": list(FILE_TYPES)},
                    },
                    "max_size_mb": {"type": "integer", "minimum": 1, "maximum": MAX_FILE_MB},
                    # A responsible declaration's legal text (type "declaration"), or the one a
                    # person may sign instead of bringing a file (art. 28.2).
                    "declaration": {"$ref": "#/$defs/text"},
                    "replaceable_by_declaration": {"type": "boolean"},
                    # Art. 28.1: a document the town hall already holds and fetches itself; it
                    # is listed on the procedure's page and not asked for.
                    "held_by_town_hall": {"type": "boolean"},
                },
                "allOf": [
                    {
                        "if": {"properties": {"type": {"const": "choice"}}},
                        "then": {"required": ["choices"]},
                    },
                    {
                        "if": {"properties": {"type": {"const": "declaration"}}},
                        "then": {"required": ["declaration"]},
                    },
                    {
                        "if": {
                            "required": ["replaceable_by_declaration"],
                            "properties": {"replaceable_by_declaration": {"const": True}},
                        },
                        "then": {"required": ["declaration"]},
                    },
                ],
            },
        }
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(DEFINITION_SCHEMA)


class InvalidDefinition(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _where(path: Iterable[Any]) -> str:
    return "/".join(str(part) for part in path) or "/"


def definition_errors(definition: Any) -> list[str]:
    """What is wrong with a form definition, in the back-office's language (empty if nothing)."""
    errors = []
    for error in sorted(_VALIDATOR.iter_errors(definition), key=lambda e: list(e.path)):
        where = _where(error.absolute_path)
        if error.validator == "required":
            missing = str(error.message).split("'")[1] if "'" in error.message else ""
            errors.append(
                _("A «%(where)s» hi falta «%(name)s».") % {"where": where, "name": missing}
            )
        elif error.validator == "enum":
            errors.append(
                _("A «%(where)s» el valor no és cap dels admesos: %(values)s.")
                % {"where": where, "values": ", ".join(str(v) for v in error.validator_value)}
            )
        elif error.validator == "not":
            errors.append(
                _("A «%(where)s» el codi «%(key)s» és reservat: triau-ne un altre.")
                % {"where": where, "key": error.instance}
            )
        elif error.validator == "pattern":
            errors.append(
                _(
                    "A «%(where)s» el codi ha de començar per una lletra minúscula i tenir "
                    "només minúscules, xifres i guions baixos."
                )
                % {"where": where}
            )
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {})
            unknown = ", ".join(sorted(str(key) for key in error.instance if key not in allowed))
            errors.append(
                _("A «%(where)s» hi ha claus desconegudes: %(keys)s.")
                % {"where": where, "keys": unknown}
            )
        else:
            errors.append(_("A «%(where)s» el valor no és vàlid.") % {"where": where})
    if not errors:
        keys = [field["key"] for field in definition["fields"]]
        for key in sorted({key for key in keys if keys.count(key) > 1}):
            errors.append(_("El codi de camp «%(key)s» és repetit.") % {"key": key})
    return errors


def check_definition(definition: Any) -> None:
    errors = definition_errors(definition)
    if errors:
        raise InvalidDefinition(errors)


def text(value: Mapping[str, str] | None, language: str | None = None) -> str:
    """A definition's text in ``language`` (the active one), falling back to Catalan."""
    if not value:
        return ""
    language = (language or translation.get_language() or "ca")[:2]
    return value.get(language) or value.get("ca", "")


@dataclass(frozen=True)
class FieldDef:
    """One field of a definition, read."""

    key: str
    type: str
    spec: Mapping[str, Any]

    @property
    def required(self) -> bool:
        return bool(self.spec.get("required", self.type == "declaration"))

    def label(self, language: str | None = None) -> str:
        return text(self.spec.get("label"), language)

    def help(self, language: str | None = None) -> str:
        return text(self.spec.get("help"), language)

    def declaration(self, language: str | None = None) -> str:
        return text(self.spec.get("declaration"), language)

    @property
    def asked(self) -> bool:
        """A document the town hall holds is not asked for (art. 28.1)."""
        return not self.spec.get("held_by_town_hall", False)

    @property
    def replaceable(self) -> bool:
        return bool(self.spec.get("replaceable_by_declaration", False))

    @property
    def allowed_types(self) -> tuple[str, ...]:
        return tuple(self.spec.get("allowed_types") or ("pdf",))

    @property
    def max_bytes(self) -> int:
        return int(self.spec.get("max_size_mb", 10)) * 1024 * 1024

    def choice_label(self, value: str, language: str | None = None) -> str:
        for choice in self.spec.get("choices", ()):
            if choice["value"] == value:
                return text(choice["label"], language)
        return value


def fields_of(definition: Mapping[str, Any]) -> list[FieldDef]:
    return [FieldDef(key=f["key"], type=f["type"], spec=f) for f in definition.get("fields", ())]


def documents_of(definition: Mapping[str, Any]) -> list[FieldDef]:
    """The documents a procedure asks for or fetches (its file fields), for its page."""
    return [field for field in fields_of(definition) if field.type == "file"]


# --- The Django form ------------------------------------------------------------------------------


def _validate_nif(value: str) -> str:
    return people.normalise_person_id(value)


def _validate_iban(value: str) -> str:
    compact = iban.compact(value or "")
    if not iban.is_valid(compact):
        raise ValidationError(
            _("L'IBAN «%(value)s» no és vàlid: revisau-ne les xifres."),
            code="invalid_iban",
            params={"value": value},
        )
    return compact


def _validate_cadastral(value: str) -> str:
    compact = referenciacatastral.compact(value or "")
    if not referenciacatastral.is_valid(compact):
        raise ValidationError(
            _(
                "La referència cadastral «%(value)s» no és vàlida: té 20 caràcters, "
                "amb dues lletres de control al final."
            ),
            code="invalid_cadastral",
            params={"value": value},
        )
    return compact


def _validate_phone(value: str) -> str:
    return people.normalise_phone(value)


class CheckedField(forms.CharField):
    """A text field whose value is normalised by a checker (a NIF, an IBAN...)."""

    def __init__(self, *, checker: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.checker = checker

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return self.checker(value) if value else value


class NumberField(forms.DecimalField):
    """A number typed as people write it here ("1.234,5" or "1234.5"); stored with a point.
    Without a comma a point is the decimal one ("1.200" is 1.2, shown so on the review page):
    stored answers ("1.234") must read back as what they were (``check_answers``)."""

    def to_python(self, value: Any) -> decimal.Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = "".join(value.split())  # spaces, no-break spaces between thousands
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        return super().to_python(value)


class StoredFileInput(forms.FileInput):
    """A file input whose value is the attachment already checked and stored for the draft (the
    upload itself is checked and stored by ``services.save_procedure_draft`` first, so a file
    sent once is never asked for again)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def format_value(self, value: Any) -> None:
        return None


class FileAnswerField(forms.Field):
    """A file answer: the stored attachment (a dict with its ``sha256``) or nothing. Anything
    else (a name or a hash typed into a request) is no file: only ``save_procedure_draft``
    puts a stored attachment there."""

    widget = StoredFileInput

    def clean(self, value: Any) -> Any:
        if not (isinstance(value, Mapping) and value.get("sha256")):
            value = None
        if not value and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return value


YES, NO = "yes", "no"


def _field(field: FieldDef, language: str) -> forms.Field:
    kind = field.type
    common: dict[str, Any] = {
        "label": field.label(language),
        "help_text": field.help(language),
        "required": field.required,
    }
    spec = field.spec
    if kind in ("text", "address", "textarea"):
        widget = forms.TextInput if kind == "text" else forms.Textarea(attrs={"rows": 4})
        return forms.CharField(
            max_length=spec.get("max_length", DEFAULT_MAX_LENGTH[kind]), widget=widget, **common
        )
    if kind == "number":
        return NumberField(
            max_digits=15,
            decimal_places=4,
            min_value=decimal.Decimal(str(spec["min"])) if "min" in spec else None,
            max_value=decimal.Decimal(str(spec["max"])) if "max" in spec else None,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **common,
        )
    if kind == "date":
        return forms.DateField(
            input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **common,
        )
    if kind == "choice":
        choices = [(c["value"], text(c["label"], language)) for c in spec["choices"]]
        if len(choices) <= 5:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", "—"), *choices], widget=forms.Select, **common)
    if kind == "boolean":
        return forms.ChoiceField(
            choices=[(YES, _("Sí")), (NO, _("No"))], widget=forms.RadioSelect, **common
        )
    if kind == "nif":
        return CheckedField(checker=_validate_nif, max_length=20, **common)
    if kind == "iban":
        return CheckedField(checker=_validate_iban, max_length=42, **common)
    if kind == "cadastral":
        return CheckedField(checker=_validate_cadastral, max_length=30, **common)
    if kind == "email":
        return forms.EmailField(max_length=people.EMAIL_MAX_LENGTH, **common)
    if kind == "phone":
        return CheckedField(checker=_validate_phone, max_length=40, **common)
    if kind == "declaration":
        common["label"] = field.declaration(language) or field.label(language)
        return forms.BooleanField(**common)
    if kind == "file":
        accept = ",".join(FILE_ACCEPT[t] for t in field.allowed_types)
        return FileAnswerField(widget=StoredFileInput(attrs={"accept": accept}), **common)
    raise ValueError(f"unknown field type {kind!r}")


def declared_key(key: str) -> str:
    """The checkbox that replaces a file by a responsible declaration (art. 28.2)."""
    return f"{key}__declared"


class ProcedureForm(forms.Form):
    """The form of one version, built by ``build_form``."""

    definition: Mapping[str, Any]

    def __init__(self, *args: Any, definition: Mapping[str, Any], language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.language = language
        for field in fields_of(definition):
            if not field.asked:
                continue
            form_field = _field(field, language)
            if field.type == "file" and field.replaceable:
                form_field.required = False
                self.fields[field.key] = form_field
                self.fields[declared_key(field.key)] = forms.BooleanField(
                    label=field.declaration(language), required=False
                )
            else:
                self.fields[field.key] = form_field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field in fields_of(self.definition):
            if field.type != "file" or not field.asked or not field.replaceable:
                continue
            if (
                field.required
                and not cleaned.get(field.key)
                and not cleaned.get(declared_key(field.key))
            ):
                self.add_error(
                    field.key,
                    ValidationError(
                        _(
                            "Adjuntau aquest document o marcau la declaració responsable que "
                            "el substitueix."
                        ),
                        code="document_or_declaration",
                    ),
                )
        return cleaned


def build_form(
    definition: Mapping[str, Any],
    *,
    data: Mapping[str, Any] | None = None,
    language: str | None = None,
    prefix: str | None = None,
) -> ProcedureForm:
    """The form of a version; ``data`` as a request sends it, or ``as_form_data`` of a draft."""
    return ProcedureForm(
        data,
        definition=definition,
        language=(language or translation.get_language() or "ca")[:2],
        prefix=prefix,
    )


def as_form_data(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Stored or typed answers as a form's data: to show the form again, or to check them."""
    data: dict[str, Any] = {}
    for field in fields_of(definition):
        value = answers.get(field.key)
        if value is None:
            continue
        if field.type == "file":
            if isinstance(value, dict) and value.get("declared"):
                data[declared_key(field.key)] = "on"
            elif value:
                data[field.key] = value
        elif field.type == "boolean":
            data[field.key] = YES if value in (True, YES) else NO if value in (False, NO) else value
        elif field.type == "declaration":
            if value in (True, "on"):
                data[field.key] = "on"
        else:
            data[field.key] = str(value)
    return data


def cleaned_answers(form: ProcedureForm) -> dict[str, Any]:
    """A valid form's answers as JSON to store."""
    answers: dict[str, Any] = {}
    for field in fields_of(form.definition):
        if not field.asked:
            continue
        value = form.cleaned_data.get(field.key)
        if field.type == "file":
            if value:
                answers[field.key] = value
            elif form.cleaned_data.get(declared_key(field.key)):
                answers[field.key] = {"declared": True}
            continue
        if value in (None, ""):
            continue
        if field.type == "boolean":
            answers[field.key] = value == YES
        elif field.type == "date":
            answers[field.key] = value.isoformat()
        elif field.type == "number":
            answers[field.key] = format(value.normalize(), "f")
        else:
            answers[field.key] = value
    return answers


def check_answers(
    definition: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, list[str]]:
    """The errors of stored ``answers`` against the form they were filed with (none if valid)."""
    form = build_form(definition, data=as_form_data(definition, answers), language="ca")
    if form.is_valid():
        return {}
    return {key: [str(m) for m in messages] for key, messages in form.errors.items()}


def _display(field: FieldDef, value: Any, language: str) -> str:
    if field.type == "file":
        if isinstance(value, dict) and value.get("declared"):
            return _("Substituït per declaració responsable (art. 28.2)")
        return str(value.get("name", "")) if isinstance(value, dict) else ""
    if field.type == "boolean":
        return _("Sí") if value is True else _("No")
    if field.type == "declaration":
        return _("Declarat sota la meva responsabilitat") if value else _("No")
    if field.type == "choice":
        return field.choice_label(str(value), language)
    if field.type == "date":
        try:
            return formats.date_format(dt.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
        except ValueError:
            return str(value)
    if field.type == "number":
        try:
            return formats.number_format(decimal.Decimal(str(value)), use_l10n=True)
        except decimal.InvalidOperation:
            return str(value)
    return str(value)


def display_answers(
    definition: Mapping[str, Any], answers: Mapping[str, Any], *, language: str
) -> list[dict[str, str]]:
    """The answers as a person reads them, in ``language``: ``[{"label", "value"}]`` in the
    form's order (the receipt, the case page, the answers' PDF)."""
    shown = []
    with translation.override(language):
        for field in fields_of(definition):
            if field.key not in answers:
                continue
            shown.append(
                {
                    "label": field.label(language),
                    "value": _display(field, answers[field.key], language),
                }
            )
    return shown


def files_of(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The stored attachments among ``answers``, in the form's order."""
    return [
        answers[field.key]
        for field in fields_of(definition)
        if field.type == "file"
        and isinstance(answers.get(field.key), dict)
        and "sha256" in answers[field.key]
    ]


def check_file_type(field: FieldDef, content_type: str) -> bool:
    return any(content_type in FILE_TYPES[kind] for kind in field.allowed_types)


ALLOWED_TYPE_LABELS = gettext_lazy("Formats admesos: %(types)s.")


def type_names(field: FieldDef) -> str:
    return ", ".join(kind.upper() for kind in field.allowed_types)


def file_fields(definition: Mapping[str, Any]) -> Sequence[FieldDef]:
    return [field for field in fields_of(definition) if field.type == "file" and field.asked]
