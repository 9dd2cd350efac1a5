from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from documents import services
from documents.models import Document
from seu.devpki import DevPki


@pytest.fixture
def issue(db: None, town_hall: object):
    def _issue(**overrides: object) -> Document:
        arguments: dict[str, object] = {
            "kind": Document.Kind.TEST,
            "title": "Certificat de prova",
            "template_name": "documents/pdf/test_document.html",
            "context": {"text": "Text del document"},
        }
        arguments.update(overrides)
        return services.issue_document(**arguments)  # type: ignore[arg-type]

    return _issue


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory: pytest.TempPathFactory, dev_pki: DevPki) -> str:
    """An NSS database trusting only the development root, for poppler's pdfsig."""
    directory = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{directory}",
            "-n",
            "seu-root",
            "-t",
            "CT,C,C",
            "-i",
            str(dev_pki.root_cert),
        ],
        check=True,
    )
    return f"sql:{directory}"


def pdfsig(pdf: bytes, nss_db: str, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdfsig", "-nssdir", nss_db, str(path)], capture_output=True, text=True, check=False
    )
    return result.stdout + result.stderr
