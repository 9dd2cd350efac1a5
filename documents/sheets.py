"""Fixed-layout documents drawn with ReportLab: the registry receipt.

Every other document is HTML laid out by WeasyPrint (``rendering``). The receipt is issued inside
every registry submission (art. 33.f of the ordinance), so its renderer's cost is the registry's
throughput: WeasyPrint took some 40 ms of CPU for the one-page receipt, more than everything else
of a submission together, ReportLab takes about 10 ms for the same page. Its layout is a few
labelled values, one table and a closing paragraph, so nothing is lost by drawing it here.

A sheet looks like the HTML documents: the issuer and title at the top, and on every page the
footer with the QR code, the CSV, where to verify it and who sealed it (DESIGN "Documents and
trust"), and "page n / N".

Nothing here imports Django: the sheet is drawn in the renderer's worker processes
(``pdf_worker``), under the same time and memory limits as the HTML documents. Every text is
escaped before it reaches ReportLab's paragraph markup.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 595.2756, 841.8898  # A4 in points
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 22 * MM, 18 * MM, 38 * MM, 18 * MM
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

# The stamp box: top right of the first page's content area. A number known only when the
# document is sealed (the registry number, taken under the book's lock) is printed inside it, under
# its label, by ``sealing.PageStamp`` at ``STAMP_TEXT_X`` / ``STAMP_TEXT_Y``.
STAMP_WIDTH, STAMP_HEIGHT = 58 * MM, 17 * MM
STAMP_LEFT = PAGE_WIDTH - MARGIN_RIGHT - STAMP_WIDTH
STAMP_BOTTOM = PAGE_HEIGHT - MARGIN_TOP - STAMP_HEIGHT
STAMP_TEXT_X = STAMP_LEFT + 4
STAMP_TEXT_Y = STAMP_BOTTOM + 3

# DejaVu, the family the HTML documents use too (fonts-dejavu-core on Debian).
FONTS = {
    "Sans": "DejaVuSans.ttf",
    "Sans-Bold": "DejaVuSans-Bold.ttf",
    "Mono": "DejaVuSansMono.ttf",
    "Mono-Bold": "DejaVuSansMono-Bold.ttf",
}
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
INK, RULE, ACCENT = "#111111", "#999999", "#1d3557"
QR_SIZE = 22 * MM


@dataclass(frozen=True)
class Field:
    """A labelled value; ``notes`` are smaller lines under the value."""

    label: str
    value: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cell:
    text: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # a fraction of the text width
    monospace: bool = False


@dataclass(frozen=True)
class Grid:
    """A titled table; ``empty`` is said instead when it has no rows."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str


@dataclass(frozen=True)
class Footer:
    """What every page of a document the town hall issues carries (filled in by ``documents``)."""

    csv_label: str
    csv: str
    verify_text: str
    verification_url: str
    sealed_by: str


@dataclass(frozen=True)
class Sheet:
    title: str
    language: str
    fields: tuple[Field, ...]
    grids: tuple[Grid, ...] = ()
    closing: str = ""
    stamp_label: str = ""  # draws the stamp box on the first page, with this label
    # Filled in by ``documents.services.render_sheet``:
    issuer: str = ""
    footer: Footer | None = None

    def with_issuer(self, issuer: str, footer: Footer) -> Sheet:
        return dataclasses.replace(self, issuer=issuer, footer=footer)


class TooManyPages(Exception):
    """More pages than the renderer allows (``PDF_RENDER_MAX_PAGES``), of a sheet or an HTML
    document alike (``pdf_worker``)."""


def qr_code(url: str) -> segno.QRCode:
    """The QR code of a verification address. The mask is fixed: every mask is valid (ISO/IEC
    18004) and readers handle all eight, while scoring them to pick the "best" one took 10 ms."""
    return segno.make(url, error="m", mask=0)


_registered = False


def font_file(name: str) -> Path | None:
    """Where the font file ``name`` is installed, if it is."""
    for directory in FONT_DIRS:
        for found in sorted(directory.rglob(name)):
            return found
    return None


def register_fonts() -> None:
    """Once per process (the renderer's initializer calls it): TrueType fonts, embedded as
    subsets, so that every Catalan and Spanish character prints as typed."""
    global _registered
    if _registered:
        return
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # Streams compressed only, not also ASCII85-encoded (a fifth bigger, and encoded in Python).
    rl_config.useA85 = 0
    for name, file_name in FONTS.items():
        path = font_file(file_name)
        if path is None:  # the system check (documents.E005) says so at start-up
            raise RuntimeError(f"font {file_name} not found (install fonts-dejavu-core)")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    _registered = True


def _markup(text: str) -> str:
    """Plain text as ReportLab paragraph markup: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in text.splitlines()) or "&nbsp;"


def _with_notes(text: str, notes: tuple[str, ...], *, note_size: float = 7.5) -> str:
    parts = [_markup(text)]
    parts += [f'<font size="{note_size}">{_markup(note)}</font>' for note in notes]
    return "<br/>".join(parts)


def draw(sheet: Sheet, *, max_pages: int) -> bytes:
    """The sheet as a PDF: raises ``TooManyPages`` past ``max_pages``."""
    register_fonts()
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        HRFlowable,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    body = ParagraphStyle("body", fontName="Sans", fontSize=10, leading=12.5, textColor=INK)
    label = ParagraphStyle("label", parent=body, fontName="Sans-Bold")
    mono = ParagraphStyle("mono", parent=body, fontName="Mono", fontSize=6.5, leading=8.5)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11)
    # Issuer and title leave room for the stamp box at the right of the first page.
    beside_stamp = STAMP_WIDTH + 4 * MM if sheet.stamp_label else 0
    issuer = ParagraphStyle(
        "issuer", parent=label, fontSize=11, leading=14, rightIndent=beside_stamp
    )
    title = ParagraphStyle(
        "title", parent=label, fontSize=15, leading=19, rightIndent=beside_stamp, spaceAfter=6 * MM
    )
    heading = ParagraphStyle(
        "heading", parent=label, fontSize=11, leading=14, spaceBefore=6 * MM, spaceAfter=2 * MM
    )
    cell_padding = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2 * MM),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2 * MM),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5 * MM),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 * MM),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
    ]

    story: list[Any] = [
        Paragraph(_markup(sheet.issuer), issuer),
        HRFlowable(
            width=TEXT_WIDTH - beside_stamp,
            thickness=0.75,
            color=ACCENT,
            spaceBefore=2 * MM,
            spaceAfter=6 * MM,
            hAlign="LEFT",
        ),
        Paragraph(_markup(sheet.title), title),
    ]
    if sheet.fields:
        fields = Table(
            [
                [Paragraph(_markup(f.label), label), Paragraph(_with_notes(f.value, f.notes), body)]
                for f in sheet.fields
            ],
            colWidths=[48 * MM, TEXT_WIDTH - 48 * MM],
            splitInRow=1,  # an "Exposa" of several pages flows on to the next one
            hAlign="LEFT",
        )
        fields.setStyle(TableStyle(cell_padding))
        story.append(fields)
    for grid in sheet.grids:
        head = Paragraph(_markup(grid.title), heading)
        if not grid.rows:
            story.append(KeepTogether([head, Paragraph(_markup(grid.empty), body)]))
            continue
        rows = [[Paragraph(_markup(column.title), label) for column in grid.columns]]
        for row in grid.rows:
            rows.append(
                [
                    Paragraph(
                        _with_notes(cell.text, cell.notes), mono if column.monospace else body
                    )
                    for cell, column in zip(row, grid.columns, strict=True)
                ]
            )
        table = Table(
            rows,
            colWidths=[TEXT_WIDTH * column.width for column in grid.columns],
            repeatRows=1,
            splitInRow=1,
            hAlign="LEFT",
        )
        table.setStyle(TableStyle(cell_padding))
        story += [head, table]
    if sheet.closing:
        story += [Spacer(0, 6 * MM), Paragraph(_markup(sheet.closing), small)]

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=sheet.title,
        author=sheet.issuer,
        creator="Seu electrònica",
        lang=sheet.language,
    )
    pages: list[int] = []

    def on_page(canvas: Any, doc: Any) -> None:
        pages.append(doc.page)
        if len(pages) > max_pages:
            raise TooManyPages(len(pages))
        if doc.page == 1 and sheet.stamp_label:
            _draw_stamp_box(canvas, sheet.stamp_label)

    document.build(
        story,
        onFirstPage=on_page,
        onLaterPages=on_page,
        canvasmaker=_footer_canvas(sheet.footer),
    )
    return out.getvalue()


def _draw_stamp_box(canvas: Any, label: str) -> None:
    canvas.saveState()
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(0.8)
    canvas.rect(STAMP_LEFT, STAMP_BOTTOM, STAMP_WIDTH, STAMP_HEIGHT)
    canvas.setFillColor(INK)
    canvas.setFont("Sans", 7.5)
    canvas.drawString(STAMP_LEFT + 2.5 * MM, STAMP_BOTTOM + STAMP_HEIGHT - 1.2 * MM - 7.5, label)
    canvas.restoreState()


def _footer_canvas(footer: Footer | None) -> type:
    """A canvas that draws the footer on every page once the number of pages is known."""
    from reportlab.pdfgen.canvas import Canvas

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                if footer is not None:
                    _draw_footer(self, footer)
                self.setFont("Sans", 8)
                self.setFillColor(INK)
                self.drawRightString(
                    PAGE_WIDTH - MARGIN_RIGHT, 12 * MM, f"{self._pageNumber} / {total}"
                )
                super().showPage()
            super().save()

    return FooterCanvas


def _draw_footer(canvas: Any, footer: Footer) -> None:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    top = MARGIN_BOTTOM - 6 * MM
    _draw_qr(canvas, footer.verification_url, x=MARGIN_LEFT, top=top)
    style = ParagraphStyle("footer", fontName="Sans", fontSize=7.5, leading=9.5, textColor=INK)
    left = MARGIN_LEFT + QR_SIZE + 3 * MM
    width = 150 * MM - QR_SIZE - 3 * MM
    csv = f'<font name="Mono-Bold" size="9">{_markup(footer.csv)}</font>'
    lines = [
        f"{_markup(footer.csv_label)}: {csv}",
        _markup(footer.verify_text),
        _markup(footer.sealed_by),
    ]
    y = top
    for line in lines:
        paragraph = Paragraph(line, style)
        _, height = paragraph.wrap(width, 40 * MM)
        paragraph.drawOn(canvas, left, y - height)
        y -= height + 0.8 * MM


def _draw_qr(canvas: Any, url: str, *, x: float, top: float) -> None:
    """The QR code as vector squares (sharp at any scale), one rectangle per run of dark modules."""
    matrix = qr_code(url).matrix
    border = 2
    modules = len(matrix) + 2 * border
    size = QR_SIZE / modules
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        y = top - (row_index + border + 1) * size
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                path.rect(x + (start + border) * size, y, (column - start) * size, size)
                start = None
    canvas.saveState()
    canvas.setFillColor("#000000")
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
