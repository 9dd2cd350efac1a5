"""Attachments of a registry entry (art. 33.f): accepted by content, refused with a reason.

The ``make_*`` helpers build small real files of each format (the PDF and the PNG other modules
take too are in tests/support/files.py).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import time
import zipfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from documents import pdf_content, sealing
from registre import attachments
from registre.attachments import AttachmentRefused, Limits
from tests.support.files import PDFA_XMP, crafted_pdf, encrypted_pdf, make_pdf, make_png
from tests.support.filing import log_in

pytestmark = pytest.mark.django_db

LIMITS = Limits(max_file_bytes=10 * 1024 * 1024, max_entry_bytes=25 * 1024 * 1024, max_files=10)

# --- Real files of every format -------------------------------------------------------------------


def make_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (69, 123, 157)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            compression = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def make_odt(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    return _zip(
        [
            ("mimetype", mimetype),
            (
                "content.xml",
                b'<?xml version="1.0"?><office:document-content '
                b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
            ),
            (
                "META-INF/manifest.xml",
                b'<?xml version="1.0"?><manifest:manifest '
                b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
            ),
        ]
    )


def make_docx(main: str = attachments.DOCX_MAIN) -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    )
    return _zip(
        [
            ("[Content_Types].xml", content_types.encode()),
            ("_rels/.rels", b'<?xml version="1.0"?><Relationships/>'),
            (
                "word/document.xml",
                b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                b'wordprocessingml/2006/main"><w:body/></w:document>',
            ),
        ]
    )


XML = b'<?xml version="1.0" encoding="UTF-8"?><factura><import>120.50</import></factura>'
XSIG = (
    b'<?xml version="1.0" encoding="UTF-8"?><document><dades>x</dades>'
    b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="s1">'
    b"<ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue><ds:Object>"
    b'<xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" Target="#s1"/>'
    b"</ds:Object></ds:Signature></document>"
)


def make_csig(content: bytes = b"Sol.licitud signada") -> bytes:
    """A CAdES-like CMS SignedData (DER) by a throwaway certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Maria Garcia Ferrer")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )


def text(error: AttachmentRefused) -> str:
    return str(error.message).replace("\xa0", " ")  # sizes keep their unit on the same line


def refusal(name: str, data: bytes, limits: Limits = LIMITS) -> AttachmentRefused:
    with pytest.raises(AttachmentRefused) as caught:
        attachments.check_file(name, data, limits=limits)
    return caught.value


# --- Accepted -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "content_type", "label"),
    [
        ("sollicitud.pdf", make_pdf, "application/pdf", "PDF"),
        ("foto.jpg", make_jpeg, "image/jpeg", "JPEG"),
        ("pla.png", make_png, "image/png", "PNG"),
        ("escrit.odt", make_odt, "application/vnd.oasis.opendocument.text", "ODT"),
        (
            "escrit.docx",
            make_docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "DOCX",
        ),
        ("factura.xml", lambda: XML, "application/xml", "XML"),
        ("signat.xsig", lambda: XSIG, "application/xml", "XAdES"),
        ("signat.csig", make_csig, "application/pkcs7-mime", "CAdES"),
    ],
)
def test_each_allowed_format_is_accepted_and_stored_by_its_hash(
    name: str, make, content_type: str, label: str
) -> None:
    data = make()
    stored = attachments.accept(name, data, limits=LIMITS)
    assert (stored.name, stored.content_type, stored.format_label) == (name, content_type, label)
    assert stored.blob.sha256 == sealing.sha256_hex(data)
    assert stored.blob.read() == data
    # Storage is addressed by content: the person's name for the file is never a path on disk.
    stored_as = str(stored.blob.file.name)
    assert stored_as.startswith(f"blobs/{stored.blob.sha256[:2]}/") and name not in stored_as


def test_the_format_comes_from_the_content_not_the_name() -> None:
    assert attachments.accept("scan.pdf", make_png(), limits=LIMITS).format_label == "PNG"
    assert attachments.accept("sense-extensio", make_pdf(), limits=LIMITS).format_label == "PDF"


def test_a_pdf_a_is_labelled_with_its_part_and_conformance() -> None:
    stored = attachments.accept("arxiu.pdf", make_pdf(xmp=PDFA_XMP), limits=LIMITS)
    assert stored.format_label == "PDF/A-2b"
    assert attachments.accept("normal.pdf", make_pdf(), limits=LIMITS).format_label == "PDF"


def test_an_xml_signature_without_xades_properties_is_labelled_xmldsig() -> None:
    plain = XSIG.replace(b"xades:QualifyingProperties", b"ds:Manifest")
    assert attachments.recognise(plain, name="s.xsig").format_label == "XMLDSig"


# --- Refused, each with its message ---------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_naming_the_file_and_the_limit() -> None:
    small = Limits(max_file_bytes=1024, max_entry_bytes=4096, max_files=3)
    error = refusal("gran.png", make_png(400, 400) + b"\0" * 2048, small)
    assert error.rule == "file_size"
    assert text(error) == "«gran.png» ocupa 3,4 KB i supera el límit de 1,0 KB per document."


def test_uploads_over_the_entry_total_or_count_are_refused_one_by_one() -> None:
    pdf, png, jpeg = make_pdf(), make_png(), make_jpeg()
    limits = Limits(
        max_file_bytes=len(jpeg) + 1, max_entry_bytes=len(pdf) + len(png) + 10, max_files=2
    )
    accepted, refused = attachments.accept_uploads(
        [
            SimpleUploadedFile("a.pdf", pdf),
            SimpleUploadedFile("b.jpg", jpeg),  # would push the total over the limit
            SimpleUploadedFile("c.png", png),
            SimpleUploadedFile("d.png", make_png(10, 10)),  # a third file: too many
        ],
        limits=limits,
    )
    assert [item.name for item in accepted] == ["a.pdf", "c.png"]
    assert [(item.name, item.rule) for item in refused] == [
        ("b.jpg", "entry_size"),
        ("d.png", "file_count"),
    ]
    assert "límit és de" in str(refused[0].message) and "«b.jpg»" in str(refused[0].message)
    assert "com a màxim 2 documents" in str(refused[1].message)


def test_files_attached_before_count_towards_the_limits_and_are_not_attached_twice() -> None:
    pdf = make_pdf()
    first = attachments.accept("a.pdf", pdf, limits=LIMITS)
    accepted, refused = attachments.accept_uploads(
        [SimpleUploadedFile("copia.pdf", pdf)],
        already_hashes=[first.blob.sha256],
        already_bytes=first.blob.size,
        limits=LIMITS,
    )
    assert accepted == [] and refused[0].rule == "duplicate"
    assert "«copia.pdf» ja està adjuntat" in str(refused[0].message)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("programa.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200),
        ("document.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("pagina.pdf", b"<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>"),
        ("dibuix.xml", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>"),
        ("notes.txt", b"Unes notes en text pla"),
        ("arxiu.zip", _zip([("a.txt", b"hola")])),
        ("full.odt", make_odt(b"application/vnd.oasis.opendocument.spreadsheet")),
        ("macros.docx", make_docx("application/vnd.ms-word.document.macroEnabled.main+xml")),
    ],
)
def test_a_disallowed_type_is_refused_whatever_its_name(name: str, data: bytes) -> None:
    error = refusal(name, data)
    assert error.rule == "type"
    assert f"«{name}» no és d'un format admès" in str(error.message)
    assert "PDF, PDF/A, JPEG, PNG, ODT, DOCX, XML" in str(error.message)


def test_an_xml_with_a_dtd_is_refused_for_safety() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>'
    error = refusal("entitats.xml", bomb)
    assert error.rule == "xml_dtd" and "«entitats.xml»" in str(error.message)


@pytest.mark.parametrize(
    "name",
    ["../x.pdf", "a/b.pdf", "C:\\x.pdf", "C:x.pdf", "x\x00.pdf", "x\n.pdf", "\u202egpj.exe", ".."],
)
def test_a_name_that_tries_a_path_or_hides_characters_is_refused(name: str) -> None:
    error = refusal(name, make_pdf())
    assert error.rule == "name"
    assert "no és vàlid" in str(error.message) and "sense carpetes" in str(error.message)


def test_a_very_long_name_is_shortened_keeping_its_extension() -> None:
    name = "a" * 300 + ".pdf"
    shown = attachments.display_name(name)
    assert len(shown) == attachments.MAX_NAME_LENGTH and shown.endswith("a.pdf")


@pytest.mark.parametrize(
    ("name", "data", "label"),
    [
        ("tallat.pdf", make_pdf()[:-40], "PDF"),
        ("tallat2.pdf", make_pdf()[:200] + b"\n%%EOF\n", "PDF"),
        ("tallada.png", make_png()[:150], "PNG"),
        ("tallada.jpg", make_jpeg()[:400], "JPEG"),
        ("tallat.docx", make_docx()[:300], "ODT/DOCX"),
        ("tallat.csig", make_csig()[:120], "CAdES"),
        ("mal.xml", b"<factura><import>1</factura>", "XML"),
        ("buit.pdf", b"", None),
    ],
)
def test_a_corrupted_or_truncated_file_is_refused(
    name: str, data: bytes, label: str | None
) -> None:
    error = refusal(name, data)
    if label is None:
        assert error.rule == "empty" and "«buit.pdf» és buit" in str(error.message)
        return
    assert error.rule == "corrupted"
    assert f"«{name}» està malmès o incomplet: no es pot llegir com a {label}" in str(error.message)


def test_a_pdf_that_needs_a_password_to_open_is_refused_asking_for_it_without() -> None:
    error = refusal("protegit.pdf", encrypted_pdf(make_pdf(), password="secret"))
    assert error.rule == "encrypted"
    assert text(error) == (
        "«protegit.pdf» està protegit amb contrasenya i l'Ajuntament no el podria obrir. "
        "Adjuntau-lo sense contrasenya."
    )


def test_an_image_of_too_many_pixels_is_refused_before_decoding_it() -> None:
    buffer = io.BytesIO()
    Image.new("1", (8000, 8000)).save(buffer, "PNG")  # 64 megapixels in a few kilobytes
    error = refusal("enorme.png", buffer.getvalue())
    assert error.rule == "pixels" and "més de 60 megapíxels" in text(error)


def test_a_png_whose_data_was_damaged_is_refused() -> None:
    data = bytearray(make_png())
    data[60] ^= 0xFF  # inside the image data: its chunk checksum no longer matches
    assert refusal("danyada.png", bytes(data)).rule == "corrupted"


# --- Signatures embedded in PDFs ------------------------------------------------------------------


def test_a_pdf_sealed_by_the_town_hall_is_not_a_citizen_signature_and_is_not_checked(
    citizen_trust: Path,
) -> None:
    # Attached signatures are judged against the citizen issuers (tests/documents/
    # test_signatures.py); the town hall's own seal is not one of them.
    sealed = sealing.seal_pdf(make_pdf(), reason="Prova", location="Sant Llorenç")
    stored = attachments.accept("segellat.pdf", sealed, limits=LIMITS)
    assert len(stored.signatures) == 1
    signature = stored.signatures[0]
    seal_name = sealing.get_seal().certificate.subject.rfc4514_string()
    assert (signature["status"], signature["reason"]) == ("unchecked", "issuer_not_accepted")
    assert signature["valid"] is False
    assert signature["signer"] and signature["signer"] in seal_name
    assert signature["signed_at"] is not None


def test_a_tampered_signed_pdf_is_accepted_but_reported_not_valid() -> None:
    sealed = sealing.seal_pdf(make_pdf("Import: 100 euros"), reason="Prova", location="x")
    tampered = sealed.replace(b"Import: 100 euros", b"Import: 900 euros")
    assert tampered != sealed
    stored = attachments.accept("modificat.pdf", tampered, limits=LIMITS)
    assert [s["valid"] for s in stored.signatures] == [False]
    assert stored.signatures[0]["intact"] is False


def test_an_unsigned_pdf_reports_no_signature() -> None:
    assert attachments.accept("simple.pdf", make_pdf(), limits=LIMITS).signatures == []


# --- Active content in PDFs -----------------------------------------------------------------------


EXE = b"MZ\x90\x00\x03\x00\x00\x00PE\x00\x00"

ACTIVE_PDFS = {
    "open-action": crafted_pdf(
        catalog=b"/OpenAction 6 0 R",
        objects=(b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\);) >>",),
    ),
    "page-aa": crafted_pdf(page=b"/AA << /O << /S /JavaScript /JS (app.alert\\(2\\);) >> >>"),
    "names-javascript": crafted_pdf(
        catalog=b"/Names << /JavaScript 6 0 R >>",
        objects=(
            b"<< /Names [(inici) 7 0 R] >>",
            b"<< /S /JavaScript /JS 8 0 R >>",
            (b"<< /Length 12 >>\nstream\nthis.print()\nendstream"),
        ),
    ),
    "launch": crafted_pdf(
        page=b"/Annots [6 0 R]",
        objects=(
            b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] "
            b"/A << /S /Launch /F (C:\\\\Windows\\\\System32\\\\calc.exe) >> >>",
        ),
    ),
    "embedded-exe": crafted_pdf(
        catalog=b"/Names << /EmbeddedFiles 6 0 R >>",
        objects=(
            b"<< /Names [(factura.exe) 7 0 R] >>",
            b"<< /Type /Filespec /F (factura.exe) /UF (factura.exe) /EF << /F 8 0 R >> >>",
            b"<< /Type /EmbeddedFile /Subtype /application#2Fx-msdownload /Length %d >>\n"
            % len(EXE)
            + b"stream\n"
            + EXE
            + b"\nendstream",
        ),
    ),
}
EXPECTED_KIND = {
    "open-action": "conté codi executable (JavaScript)",
    "page-aa": "conté codi executable (JavaScript)",
    "names-javascript": "conté codi executable (JavaScript)",
    "launch": "conté codi executable (una acció que obre un programa o un fitxer (/Launch))",
    "embedded-exe": "porta incrustat un programa executable («factura.exe»)",
}

LINK_PDF = crafted_pdf(
    page=b"/Annots [6 0 R]",
    objects=(
        b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /Border [0 0 0] "
        b"/A << /S /URI /URI (https://www.santllorenc.cat/) >> >>",
    ),
)


@pytest.mark.parametrize("case", sorted(ACTIVE_PDFS))
def test_a_pdf_with_active_content_is_refused_saying_why(case: str) -> None:
    refused = refusal("sollicitud.pdf", ACTIVE_PDFS[case])
    assert refused.rule in {"active_content", "embedded_executable"}
    assert text(refused).startswith("El fitxer «sollicitud.pdf» ")
    assert EXPECTED_KIND[case] in text(refused)


def test_a_pdf_with_any_embedded_file_is_refused_asking_for_it_separately() -> None:
    pdf = crafted_pdf(
        catalog=b"/Names << /EmbeddedFiles 6 0 R >>",
        objects=(
            b"<< /Names [(dades.csv) 7 0 R] >>",
            b"<< /Type /Filespec /F (dades.csv) /EF << /F 8 0 R >> >>",
            b"<< /Type /EmbeddedFile /Subtype /text#2Fcsv /Length 3 >>\nstream\na;b\nendstream",
        ),
    )
    refused = refusal("informe.pdf", pdf)
    assert refused.rule == "embedded_file"
    assert "porta fitxers incrustats («dades.csv»)" in text(refused)
    assert "Adjuntau cada document per separat" in text(refused)


def test_a_pdf_with_an_ordinary_link_and_a_plain_pdf_are_accepted() -> None:
    for pdf in (LINK_PDF, make_pdf(), crafted_pdf()):
        assert attachments.check_file("sollicitud.pdf", pdf, limits=LIMITS).format_label == "PDF"


def test_a_pdf_with_more_objects_than_can_be_walked_is_refused_quickly(monkeypatch) -> None:
    # A chain of arrays, each pointing at the next: the walk stops at the cap.
    count = 5_000
    chain = (*(b"[%d 0 R]" % (number + 1) for number in range(6, 6 + count)), b"[]")
    pdf = crafted_pdf(catalog=b"/Chain 6 0 R", objects=chain)
    assert attachments.check_file("llarg.pdf", pdf, limits=LIMITS).format_label == "PDF"
    monkeypatch.setattr(pdf_content, "MAX_PDF_OBJECTS", 1_000)
    started = time.monotonic()
    refused = refusal("llarg.pdf", pdf)
    assert time.monotonic() - started < 5
    assert refused.rule == "too_complex"
    assert "massa objectes interns (més de 1000)" in text(refused)


def test_a_pdf_that_declares_millions_of_objects_is_refused_before_reading_them() -> None:
    pdf = make_pdf().replace(b"/Size 6 ", b"/Size 5000000 ")
    started = time.monotonic()
    assert refusal("enorme.pdf", pdf).rule == "too_complex"
    assert time.monotonic() - started < 1


# Through the form, as a person attaches it: refused with the reason, what was typed kept.


def _logged_in(client: Client) -> Client:
    log_in(client)
    return client


@pytest.mark.parametrize("case", sorted(ACTIVE_PDFS))
def test_the_form_refuses_a_pdf_with_active_content_and_keeps_what_was_typed(
    client: Client, town_hall, organ, case: str
) -> None:
    _logged_in(client)
    upload = SimpleUploadedFile("sollicitud.pdf", ACTIVE_PDFS[case], "application/pdf")
    response = client.post(
        reverse("registre:file"),
        {
            "organ": str(organ.pk),
            "subject": "Llicència de gual al carrer Major",
            "exposition": "Que tenc un garatge al carrer Major, 1.",
            "request": "Que se'm concedeixi la llicència de gual.",
            "attachments": [upload],
        },
    )
    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert f"El fitxer «sollicitud.pdf» {EXPECTED_KIND[case]}" in page
    assert 'value="Llicència de gual al carrer Major"' in page
    assert "Que tenc un garatge al carrer Major, 1." in page


def test_the_form_accepts_a_pdf_with_an_ordinary_link(client: Client, town_hall, organ) -> None:
    _logged_in(client)
    upload = SimpleUploadedFile("enllac.pdf", LINK_PDF, "application/pdf")
    response = client.post(
        reverse("registre:file"),
        {
            "organ": str(organ.pk),
            "subject": "Llicència de gual",
            "exposition": "Que tenc un garatge.",
            "request": "Que se'm concedeixi.",
            "attachments": [upload],
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("registre:review")
