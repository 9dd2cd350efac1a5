"""Signing as a citizen would, with a development citizen's key: PAdES with pyHanko, CAdES with
pyHanko's CMS signer, XAdES and XML-DSig with signxml."""

from __future__ import annotations

import asyncio
import io

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from signxml import SignatureMethod, XMLSigner
from signxml.xades import XAdESSigner

from devtools.pki import CITIZEN_PASSWORD, CitizenPki

REQUEST_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b"<sollicitud><assumpte>Llicencia de gual</assumpte><import>100.00</import></sollicitud>"
)


def citizen_signer(pki: CitizenPki, name: str) -> signers.SimpleSigner:
    signer = signers.SimpleSigner.load_pkcs12(
        pki.citizen(name).p12, passphrase=CITIZEN_PASSWORD.encode()
    )
    assert signer is not None
    return signer


def sign_pdf(pdf: bytes, signer: signers.Signer) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = signers.sign_pdf(
        writer, signers.PdfSignatureMetadata(field_name="Signatura"), signer=signer
    )
    return output.getvalue()


def sign_cades(content: bytes, signer: signers.Signer, *, detached: bool = False) -> bytes:
    signed = asyncio.run(
        signer.async_sign_general_data(content, "sha256", detached=detached, use_cades=True)
    )
    return bytes(signed.dump())


def _key_and_chain(pki: CitizenPki, name: str) -> tuple[ec.EllipticCurvePrivateKey, list[str]]:
    files = pki.citizen(name)
    key = serialization.load_pem_private_key(files.key.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    chain = [files.cert.read_text()]
    return key, chain


def sign_xmldsig(pki: CitizenPki, name: str, data: bytes = REQUEST_XML) -> bytes:
    key, chain = _key_and_chain(pki, name)
    root = XMLSigner(signature_algorithm=SignatureMethod.ECDSA_SHA256).sign(
        etree.fromstring(data), key=key, cert=chain
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def sign_xades(pki: CitizenPki, name: str, data: bytes = REQUEST_XML) -> bytes:
    key, chain = _key_and_chain(pki, name)
    root = XAdESSigner(signature_algorithm=SignatureMethod.ECDSA_SHA256).sign(
        etree.fromstring(data), key=key, cert=chain
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
