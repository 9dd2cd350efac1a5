"""Small real files for the tests of what an upload may be (``documents.intake``) and of the apps
that take files (the registry, the notice board): PDFs built byte by byte, and a PNG image."""

from __future__ import annotations

import io

from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer

PDFA_XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
    b'pdfaid:part="2" pdfaid:conformance="B"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def _assemble(bodies: list[bytes]) -> bytes:
    """A PDF file of the objects ``bodies`` (numbered from 1; the first is the catalogue)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    )
    return out.getvalue()


def make_pdf(text: str = "Sol·licitud de prova", *, xmp: bytes | None = None) -> bytes:
    """A one-page PDF with a line of text (and, for PDF/A, its XMP identification)."""
    content = f"BT /F1 14 Tf 72 760 Td ({text.encode('latin-1').decode('latin-1')}) Tj ET"
    stream = content.encode("latin-1")
    catalog = b"<< /Type /Catalog /Pages 2 0 R" + (b" /Metadata 6 0 R" if xmp else b"") + b" >>"
    objects = [
        catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    if xmp:
        objects.append(
            b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp)
            + xmp
            + b"\nendstream"
        )
    return _assemble(objects)


def crafted_pdf(
    *, catalog: bytes = b"", page: bytes = b"", objects: tuple[bytes, ...] = ()
) -> bytes:
    """A one-page PDF with ``catalog`` and ``page`` entries added, and ``objects`` numbered from
    6 on (1: catalogue, 2: page tree, 3: page, 4: its content, 5: its font)."""
    content = b"BT /F1 14 Tf 72 760 Td (Sollicitud) Tj ET"
    return _assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> " + page + b" >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *objects,
        ]
    )


# Runs a script as soon as a viewer opens the file.
OPEN_ACTION_JAVASCRIPT_PDF = crafted_pdf(
    catalog=b"/OpenAction 6 0 R",
    objects=(b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\);) >>",),
)

# A page tree that holds no page.
NO_PAGES_PDF = _assemble(
    [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
)


def encrypted_pdf(data: bytes, *, password: str, owner: str = "propietari") -> bytes:
    """``data`` encrypted (as pyHanko chooses): opening it needs ``password``; with an
    empty ``password`` anyone opens it and only changing it needs the owner's."""
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(data)))
    writer.encrypt(owner, password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated(data: bytes) -> bytes:
    """The first half of ``data``, as an interrupted upload or copy leaves it."""
    return data[: len(data) // 2]


def make_png(width: int = 120, height: int = 80) -> bytes:
    """A real PNG image (an attachment the registry accepts)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (29, 53, 87)).save(buffer, "PNG")
    return buffer.getvalue()
