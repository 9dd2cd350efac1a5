"""Rename Catalan msgids consistently in the sources and in the three catalogues.

    .venv/bin/python -m devtools.rename_msgids RENAMES.json [--catalogue FRESH.po]

``RENAMES.json`` is a list of ``[old_msgid, new_msgid]`` pairs (a plural entry is renamed by its
singular and its plural, as two pairs), or ``[old, new, es_msgstr, en_msgstr]`` rows when the
placeholders change (then the sources are edited by hand and the tool runs with ``--po-only``).
For each pair:

- in ``locale/{ca,es,en}/LC_MESSAGES/django.po`` the entry's ``msgid`` (or ``msgid_plural``) becomes
  the new text; the Catalan ``msgstr`` becomes the new text too, the Spanish and English ``msgstr``
  stay as they are (they translate the meaning, which does not change);
- in the sources the entry points at (``#:`` lines of ``FRESH.po``, a catalogue that
  ``makemessages`` wrote from today's sources into a copy of the tree, so that its line numbers are
  exact), the words that differ are replaced in the lines the string spans. Only word swaps are
  handled there (the same number of words, e.g. "Trieu" -> "Triau"); a change of structure is
  made by hand and listed with ``--po-only``.

The linguistic choice is made per string by whoever writes RENAMES.json; this tool only keeps the
sources and the catalogues in step. Run ``makemessages`` on a copy afterwards to check that the
sources now produce exactly the new msgids.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [ROOT / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in ("ca", "es", "en")]
FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')
WORD = re.compile(r"[\wÀ-ÿ·]+")
SPAN = 14  # lines a wrapped string may take in a template or a Python call


def po_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def parse_block(block: str) -> tuple[list[str], dict[str, str], list[str]]:
    """A catalogue entry as (comment lines, fields in order, field names in order)."""
    comments: list[str] = []
    fields: dict[str, str] = {}
    order: list[str] = []
    current = ""
    for line in block.split("\n"):
        match = FIELD.match(line)
        if match:
            current = match.group(1)
            fields[current] = ast.literal_eval(match.group(2))
            order.append(current)
        elif line.startswith('"') and current:
            fields[current] += ast.literal_eval(line)
        else:
            comments.append(line)
            current = ""
    return comments, fields, order


def render_block(comments: list[str], fields: dict[str, str], order: list[str]) -> str:
    return "\n".join([*comments, *(f"{name} {po_quote(fields[name])}" for name in order)])


def rename_in_catalogue(
    path: Path, renames: dict[str, str], catalan: bool, msgstrs: dict[str, str] | None = None
) -> set[str]:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    done: set[str] = set()
    for index, block in enumerate(blocks):
        comments, fields, order = parse_block(block)
        changed = False
        for key in ("msgid", "msgid_plural"):
            old = fields.get(key)
            if old and old in renames:
                fields[key] = renames[old]
                done.add(old)
                changed = True
                if msgstrs and old in msgstrs and key == "msgid":
                    fields["msgstr"] = msgstrs[old]
                if catalan:
                    for name in order:
                        target = "msgid_plural" if name == "msgstr[1]" else "msgid"
                        if name.startswith("msgstr") and target == key:
                            fields[name] = renames[old]
        if changed:
            blocks[index] = render_block(comments, fields, order)
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return done


def word_swaps(old: str, new: str) -> list[tuple[str, str]]:
    old_words, new_words = WORD.findall(old), WORD.findall(new)
    if len(old_words) != len(new_words):
        raise SystemExit(f"not a word swap, rename it by hand: {old!r} -> {new!r}")
    return [(a, b) for a, b in zip(old_words, new_words, strict=True) if a != b]


def references(fresh: Path) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for block in fresh.read_text(encoding="utf-8").split("\n\n"):
        comments, fields, _ = parse_block(block)
        refs = [
            (ref.rsplit(":", 1)[0], int(ref.rsplit(":", 1)[1]))
            for line in comments
            if line.startswith("#:")
            for ref in line[2:].split()
        ]
        for key in ("msgid", "msgid_plural"):
            if fields.get(key):
                found.setdefault(fields[key], []).extend(refs)
    return found


def rename_in_sources(renames: dict[str, str], fresh: Path) -> None:
    refs = references(fresh)
    for old, new in renames.items():
        if old not in refs:
            print(f"no source for {old!r} (obsolete entry): catalogues only")
            continue
        swaps = word_swaps(old, new)
        for file, line in refs[old]:
            path = ROOT / file
            lines = path.read_text(encoding="utf-8").split("\n")
            start = max(0, line - 1)
            end = min(len(lines), line - 1 + SPAN)
            text = "\n".join(lines[start:end])
            cursor = 0
            for a, b in swaps:
                pattern = re.compile(rf"(?<![\wÀ-ÿ·]){re.escape(a)}(?![\wÀ-ÿ·])")
                match = pattern.search(text, cursor)
                if match is None:
                    print(f"{file}:{line}: {a!r} not found for {old!r}")
                    continue
                text = text[: match.start()] + b + text[match.end() :]
                cursor = match.start() + len(b)
            lines[start:end] = text.split("\n")
            path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str]) -> None:
    rows = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    renames = {row[0]: row[1] for row in rows if row[0] != row[1]}
    # A row [old, new, es, en] also gives the Spanish and English msgstr (a change of placeholders).
    translated = {
        lang: {row[0]: row[i] for row in rows if len(row) > i} for i, lang in ((2, "es"), (3, "en"))
    }
    po_only = "--po-only" in argv
    if not po_only:
        fresh = Path(argv[argv.index("--catalogue") + 1])
        rename_in_sources(renames, fresh)
    for path in CATALOGUES:
        lang = path.parts[-3]
        done = rename_in_catalogue(path, renames, lang == "ca", translated.get(lang))
        for old in set(renames) - done:
            print(f"{path.parts[-3]}: no entry for {old!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
