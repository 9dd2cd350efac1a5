from __future__ import annotations

import pytest

from documents import services
from documents.models import Document


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
