"""Active content in a PDF a person hands in (art. 33.f: the registry seals what it receives):
JavaScript, actions that launch programs, interactive multimedia, and embedded files.

A viewer finds all of them by following references from the document catalogue (the /OpenAction,
/AA additional actions of pages, annotations and form fields, the /Names /JavaScript and
/EmbeddedFiles trees, link and file-attachment annotations), so every object reachable from it is
walked, once, without decoding any stream, and at most ``MAX_PDF_OBJECTS`` of them: a file that
cannot be walked within that bound is refused rather than walked for minutes.

Embedded files are refused whatever they are: they would be registered and sealed without being
recognised by the format checks or listed on the receipt, and one that is harmless today (a
spreadsheet) may carry macros. A person attaches each document on its own. Ordinary links (/URI
and /GoTo actions) are fine. XFA form packets are not inspected (their scripts would need the
packets decoded; no viewer but Adobe's still runs them).
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils import generic

from seu.errors import InvalidInput

# A PDF's objects are walked to find active content (about 50 µs each); a file with more than this
# many (a book of a thousand pages has a few tens of thousands) is refused rather than walked for
# seconds on end. One that declares several times more is refused before its cross-reference
# table, which the reader parses whole, is even read.
MAX_PDF_OBJECTS = 100_000
_PDF_SIZE = re.compile(rb"/Size\s+(\d{1,12})")
# Embedded files named like this, or declaring one of these types, are programs.
EXECUTABLE_EXTENSIONS = frozenset(
    {
        "app", "apk", "bat", "bin", "cmd", "com", "cpl", "dll", "dmg", "elf", "exe", "gadget",
        "hta", "inf", "ins", "jar", "js", "jse", "lnk", "msc", "msi", "msp", "pif", "ps1",
        "psm1", "py", "reg", "run", "scr", "sct", "sh", "so", "vb", "vbe", "vbs", "ws", "wsc",
        "wsf", "wsh",
    }
)  # fmt: skip
EXECUTABLE_TYPES = frozenset(
    {
        "application/x-msdownload", "application/x-dosexec", "application/x-executable",
        "application/x-msdos-program", "application/vnd.microsoft.portable-executable",
        "application/x-sh", "application/x-shellscript", "application/x-bat",
        "application/java-archive", "application/x-msi", "application/x-ms-installer",
        "application/javascript", "text/javascript", "application/x-mach-binary",
        "application/x-elf", "application/hta", "application/x-python-code",
    }
)  # fmt: skip


class UnsafePdf(InvalidInput):
    """A PDF with active content, or too large a structure to look for it; ``rule`` says which."""

    code = "unsafe_pdf"

    def __init__(self, message: str | Promise, *, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


def _executable_code(name: str, kind: str | Promise) -> UnsafePdf:
    return UnsafePdf(
        _(
            "El fitxer «%(name)s» conté codi executable (%(kind)s), que no s'admet perquè "
            "s'executaria en obrir-lo. Desau-lo de nou sense el codi (per exemple, amb «Imprimeix "
            "a PDF») i adjuntau-lo de nou."
        )
        % {"name": name, "kind": kind},
        rule="active_content",
    )


def _embedded_file(name: str, embedded: str, *, executable: bool) -> UnsafePdf:
    if executable:
        message = _(
            "El fitxer «%(name)s» porta incrustat un programa executable («%(embedded)s»), que no "
            "s'admet. Adjuntau el document sense fitxers incrustats."
        )
    else:
        message = _(
            "El fitxer «%(name)s» porta fitxers incrustats («%(embedded)s»). Adjuntau cada "
            "document per separat, perquè se'n pugui comprovar el format."
        )
    return UnsafePdf(
        message % {"name": name, "embedded": embedded},
        rule="embedded_executable" if executable else "embedded_file",
    )


def _too_complex(name: str) -> UnsafePdf:
    return UnsafePdf(
        _(
            "«%(name)s» té massa objectes interns (més de %(max)d) per poder comprovar que no "
            "conté codi executable. Tornau-lo a desar (per exemple, amb «Imprimeix a PDF») o "
            "dividiu-lo, i adjuntau-lo de nou."
        )
        % {"name": name, "max": MAX_PDF_OBJECTS},
        rule="too_complex",
    )


def _pdf_text(value: object) -> str:
    """A PDF string or name as shown in a message: printable, and not too long."""
    if isinstance(value, generic.IndirectObject):
        value = value.get_object()
    if not isinstance(value, str):
        return ""
    text = value.lstrip("/") if isinstance(value, generic.NameObject) else value
    return "".join(ch for ch in text if ch.isprintable())[:80]


def _embedded_name(filespec: generic.DictionaryObject) -> str:
    for key in ("/UF", "/F", "/DOS", "/Unix", "/Mac"):
        text = _pdf_text(filespec.get(key))
        if text:
            return text
    return "?"


def _is_executable(filespec: generic.DictionaryObject, shown: str) -> bool:
    extension = shown.rpartition(".")[2].lower() if "." in shown else ""
    if extension in EXECUTABLE_EXTENSIONS:
        return True
    streams = filespec.get("/EF")
    if isinstance(streams, generic.DictionaryObject):
        for stream in streams.values():
            if isinstance(stream, generic.IndirectObject):
                stream = stream.get_object()
            if isinstance(stream, generic.DictionaryObject):
                subtype = _pdf_text(stream.get("/Subtype")).lower().replace("#2f", "/")
                if subtype in EXECUTABLE_TYPES:
                    return True
    return False


def _inspect_pdf_dictionary(node: generic.DictionaryObject, name: str) -> tuple[str, bool] | None:
    """Refuse a dictionary that is, or names, active content; for the file specification of an
    embedded file, its name and whether it is a program."""
    action = node.get("/S")
    if "/JS" in node or action == "/JavaScript" or "/JavaScript" in node:
        # A JavaScript action (/OpenAction, /AA, a link, a form field...) or the document-level
        # scripts of a /Names /JavaScript tree.
        raise _executable_code(name, "JavaScript")
    if action == "/Launch":
        raise _executable_code(name, _("una acció que obre un programa o un fitxer (/Launch)"))
    if node.get("/Subtype") == "/RichMedia" or action == "/RichMediaExecute":
        raise _executable_code(name, _("contingut multimèdia interactiu (/RichMedia)"))
    if "/EF" in node:  # the name tree /EmbeddedFiles and /FileAttachment annotations lead here
        shown = _embedded_name(node)
        return shown, _is_executable(node, shown)
    return None


def check_active_content(root: generic.DictionaryObject, *, name: str) -> None:
    """Refuse a PDF (its catalogue, as pyHanko's reader gives it) with active content: every
    object reachable from the catalogue is looked at, at most ``MAX_PDF_OBJECTS`` of them."""
    containers = (generic.IndirectObject, generic.DictionaryObject, generic.ArrayObject)
    embedded: list[tuple[str, bool]] = []
    stack: list[object] = [root]
    seen: set[tuple[int, int]] = set()
    walked = 0
    while stack:
        node = stack.pop()
        if isinstance(node, generic.IndirectObject):
            key = (node.reference.idnum, node.reference.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        walked += 1  # dictionaries and arrays; numbers, names and strings are not pushed
        if walked > MAX_PDF_OBJECTS:
            raise _too_complex(name)
        if isinstance(node, generic.DictionaryObject):
            found = _inspect_pdf_dictionary(node, name)
            if found is not None:
                embedded.append(found)
            # As stored, without resolving: references are followed (once) above.
            stack.extend(v for v in dict.values(node) if isinstance(v, containers))
        elif isinstance(node, generic.ArrayObject):
            stack.extend(v for v in list.__iter__(node) if isinstance(v, containers))
    programs = [shown for shown, executable in embedded if executable]
    if programs:
        raise _embedded_file(name, programs[0], executable=True)
    if embedded:
        shown = "», «".join(sorted({shown for shown, _program in embedded})[:3])
        raise _embedded_file(name, shown, executable=False)


def check_declared_size(data: bytes, *, name: str) -> None:
    """Refuse, before its cross-reference table is parsed (the reader reads it whole), a PDF whose
    trailer declares several times more objects than can be walked."""
    declared = [int(size) for size in _PDF_SIZE.findall(data[-4096:])]
    if declared and max(declared) > 4 * MAX_PDF_OBJECTS:
        raise _too_complex(name)
