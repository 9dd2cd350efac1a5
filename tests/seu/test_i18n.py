"""The seu speaks Catalan at its unprefixed addresses, Spanish under /es/ and English under /en/,
and every message of the Spanish and English catalogues is translated."""

from __future__ import annotations

import ast
import fcntl
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.signals import setting_changed
from django.utils import translation

from documents import verification_code
from tests.factories import TownHallFactory

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("ca", "es", "en")
TRANSLATED = ("es", "en")


def _stale_catalogues() -> list[Path]:
    stale = []
    for language in LANGUAGES:
        po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


@pytest.fixture(scope="module", autouse=True)
def compiled_messages() -> Iterator[None]:
    """`make test` compiles the catalogues first; this makes the module work without it too."""
    if _stale_catalogues():
        lock_path = Path(settings.VAR_DIR) / "compilemessages.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as lock:  # parallel workers: one compiles, the others wait
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if _stale_catalogues():
                call_command(
                    "compilemessages",
                    locale=list(LANGUAGES),
                    ignore_patterns=[".venv", "var", "node_modules"],
                    verbosity=0,
                )
        # Forget catalogues this process may have loaded before they were compiled.
        setting_changed.send(
            sender=type(settings), setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False
        )
    yield


# --- Pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_home_page_is_catalan_without_a_prefix(client: Client) -> None:
    TownHallFactory()
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ca"' in html
    assert "Seu electrònica" in html
    assert "Sede electrónica" not in html
    assert response.headers["Content-Language"] == "ca"


@pytest.mark.django_db
def test_the_home_page_is_spanish_under_es(client: Client) -> None:
    TownHallFactory()
    response = client.get("/es/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es"' in html
    assert "Sede electrónica" in html
    assert "Seu electrònica" not in html
    assert "Verificar un documento" in html
    assert response.headers["Content-Language"] == "es"


@pytest.mark.django_db
def test_the_home_page_is_english_under_en(client: Client) -> None:
    TownHallFactory()
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Electronic office" in html
    assert "Seu electrònica" not in html
    assert "Verify a document" in html
    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_verification_page_labels_the_csv_field_in_spanish(client: Client) -> None:
    TownHallFactory()
    response = client.get("/es/verificar/")
    assert response.status_code == 200
    html = response.content.decode()
    # The label of the field (``for="csv"``) is the Spanish one, not just some text on the page.
    assert re.search(
        r'<label [^>]*for="csv"[^>]*>Código seguro de verificación \(CSV\)</label>', html
    )
    assert "Codi segur de verificació (CSV)" not in html


@pytest.mark.django_db
def test_a_malformed_csv_is_explained_in_english(client: Client) -> None:
    TownHallFactory()
    response = client.get("/en/verificar/", {"csv": "abc"})
    assert response.status_code == 400
    html = response.content.decode()
    expected = f"A CSV has {verification_code.LENGTH} characters (you entered 3)."
    with translation.override("en"):
        translated = translation.gettext(
            "Un CSV té %(length)d caràcters (n'heu escrit %(typed)d)."
        ) % {"length": verification_code.LENGTH, "typed": 3}
    assert translated == expected
    assert expected in html
    assert "caràcters" not in html


# --- Catalogues ------------------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (\".*\")$")


def _unquote(literal: str) -> str:
    value = ast.literal_eval(literal)  # a PO string literal is also a Python string literal
    assert isinstance(value, str)
    return value


def parse_po(path: Path) -> list[Entry]:
    """A small reader for the PO files makemessages writes: one entry per blank-line-separated
    block; obsolete (``#~``) entries are skipped."""
    entries: list[Entry] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    block: list[tuple[int, str]] = []
    for number, raw in [*enumerate(lines, start=1), (len(lines) + 1, "")]:
        if raw.strip():
            block.append((number, raw.strip()))
            continue
        if not block:
            continue
        entry = Entry(line=block[0][0])
        target: tuple[str, int] | None = None
        for number_in_block, line in block:
            where = f"{path}:{number_in_block}"
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            elif line.startswith("#"):
                continue
            elif match := _KEYWORD.match(line):
                keyword, index, literal = match.groups()
                text = _unquote(literal)
                if keyword == "msgctxt":
                    entry.msgctxt, target = text, ("msgctxt", 0)
                elif keyword == "msgid":
                    entry.msgid, target = text, ("msgid", 0)
                elif keyword == "msgid_plural":
                    entry.msgid_plural, target = text, ("msgid_plural", 0)
                else:
                    slot = int(index) if index is not None else 0
                    entry.msgstr[slot], target = text, ("msgstr", slot)
            elif line.startswith('"') and target is not None:
                text = _unquote(line)
                kind, slot = target
                if kind == "msgctxt":
                    entry.msgctxt = (entry.msgctxt or "") + text
                elif kind == "msgid":
                    entry.msgid += text
                elif kind == "msgid_plural":
                    entry.msgid_plural = (entry.msgid_plural or "") + text
                else:
                    entry.msgstr[slot] += text
            else:
                raise AssertionError(f"{where}: cannot read {line!r}")
        if target is not None:  # a block of comments only (e.g. all obsolete) holds no entry
            entries.append(entry)
        block = []
    return entries


def _catalogue(language: str) -> tuple[Entry, dict[str, str], list[Entry]]:
    """The header entry, its fields, and the message entries of one language's catalogue."""
    entries = parse_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    headers = [entry for entry in entries if entry.msgid == "" and entry.msgctxt is None]
    assert len(headers) == 1, f"{language}: expected one header entry"
    fields = {}
    for line in headers[0].msgstr.get(0, "").splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return headers[0], fields, [entry for entry in entries if entry is not headers[0]]


def _key(entry: Entry) -> tuple[str | None, str, str | None]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{.*?\}\}|\{\w*\}")


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    _header_entry, header, entries = _catalogue(language)
    plural_forms = re.match(r"nplurals=(\d+);", header["Plural-Forms"])
    assert plural_forms is not None
    nplurals = int(plural_forms.group(1))
    assert entries, f"{language}: the catalogue is empty"
    problems = []
    for entry in entries:
        where = f"{language}:{entry.line} {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy")
        expected_slots = set(range(nplurals)) if entry.msgid_plural is not None else {0}
        if set(entry.msgstr) != expected_slots:
            problems.append(f"{where}: msgstr forms {sorted(entry.msgstr)}")
        for slot, text in entry.msgstr.items():
            if not text.strip():
                problems.append(f"{where}: msgstr[{slot}] is empty")
            used = set(_PLACEHOLDER.findall(text))
            if entry.msgid_plural is None:
                wrong = used != set(_PLACEHOLDER.findall(entry.msgid))
            else:  # a singular form may spell the number out instead of using the placeholder
                allowed = _PLACEHOLDER.findall(entry.msgid + entry.msgid_plural)
                wrong = not used <= set(allowed)
            if wrong:
                problems.append(f"{where}: placeholders differ in {text!r}")
    assert not problems, "\n".join(problems)


def test_the_catalogues_hold_the_same_messages() -> None:
    keys = {language: {_key(entry) for entry in _catalogue(language)[2]} for language in LANGUAGES}
    assert keys["es"] == keys["ca"]
    assert keys["en"] == keys["ca"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ca", "Seu electrònica"), ("es", "Sede electrónica"), ("en", "Electronic office")],
)
def test_the_compiled_catalogues_are_used(language: str, expected: str) -> None:
    with translation.override(language):
        assert translation.gettext("Seu electrònica") == expected


# --- One register (issue #13, item 4) --------------------------------------------------------

# 2nd person plural of the first conjugation in the central form ("Trieu"), which the seu writes in
# the Balearic form the IEC accepts ("Triau"); the subjunctive keeps -eu ("que presenteu").
CENTRAL_IMPERATIVES = [
    "Trieu",
    "Indiqueu",
    "Reviseu",
    "Adjunteu",
    "Torneu",
    "Configureu",
    "Cerqueu",
    "Marqueu",
    "Porteu",
    "Renoveu",
    "Acrediteu",
    "Sol·liciteu",
    "Identifiqueu",
    "Comproveu",
    "Descarregueu",
    "Adreceu",
    "Envieu",
    "Demaneu",
    "Consulteu",
    "Mostreu",
    "Proveu",
    "Entreu",
    "Tanqueu",
    "Deseu",
    "Canvieu",
    "Confirmeu",
    "Anul·leu",
    "Presenteu",
    "Guardeu",
    "Comuniqueu",
    "Modifiqueu",
    "Seleccioneu",
    "Deixeu",
    "Recarregueu",
    "Escolliu",
]
# A control names its action in the infinitive ("Desar", "Tornar a l'inici"), as Django's own
# Catalan back-office does; the second person singular ("Desa", "Torna") is another register.
SINGULAR_IMPERATIVES = [
    "Desa",
    "Torna",
    "Descarrega",
    "Verifica",
    "Continua",
    "Treu",
    "Filtra",
    "Publica",
    "Retira",
    "Envia",
    "Acaba",
    "Vés",
    "Registra",
    "Exporta",
    "Cancel·la",
    "Tanca",
    "Anul·la",
    "Afegeix",
    "Emet",
    "Identifica",
]
_SENTENCE_START = r"(?:^|[.:;!?]\s+|—\s*|\(\s*)"
_CENTRAL = re.compile(
    _SENTENCE_START + r"(" + "|".join(CENTRAL_IMPERATIVES) + r")(?![\w·])"
    r"|(?<![\w·])("
    + "|".join(word.lower() for word in CENTRAL_IMPERATIVES)
    + r")-(?:vos|ho|lo|la|los|les|ne|li|hi|me|nos)\b"
)
_SINGULAR = re.compile(r"^(" + "|".join(SINGULAR_IMPERATIVES) + r")(?![\w·'])")


def test_the_catalan_catalogue_speaks_to_the_person_in_one_register() -> None:
    mixed = []
    for entry in parse_po(LOCALE_DIR / "ca" / "LC_MESSAGES" / "django.po"):
        for text in (entry.msgid, entry.msgid_plural or ""):
            if _CENTRAL.search(text) or _SINGULAR.search(text):
                mixed.append(text)
    assert mixed == []


def test_the_register_check_finds_what_it_looks_for() -> None:
    assert _CENTRAL.search("Reviseu la sol·licitud")
    assert _CENTRAL.search("Torneu-ho a provar o identifiqueu-vos amb Cl@ve.")
    assert _SINGULAR.search("Torna a l'inici")
    assert not _CENTRAL.search("El navegador us demanarà que trieu el certificat.")  # subjunctive
    assert not _CENTRAL.search("No el considereu autèntic.")  # negative imperative
    assert not _SINGULAR.search("Tornar a l'inici")
