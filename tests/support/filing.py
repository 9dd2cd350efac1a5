"""Filing a generic request through the seu's form, as a citizen does (art. 33): log in, fill the
form, confirm the review; and reading the page that answers."""

from __future__ import annotations

import html

from django.test import Client
from django.urls import reverse

from registre.models import FilingDraft, RegistryEntry
from seu import identity
from seu.models import Identification, LoA, Organ
from tests.actors import CITIZEN, identify

# The town hall's DIR3 code, which SICRES 3 and the API's references need.
DIR3 = "L01070577"

FILE_URL = reverse("registre:file")
REVIEW_URL = reverse("registre:review")
CONFIRM_URL = reverse("registre:confirm")
FOLDER_URL = reverse("registre:folder")


def log_in(
    client: Client,
    person: identity.PersonData = CITIZEN,
    loa: LoA = LoA.SUBSTANTIAL,
    *,
    represented_entity: identity.PersonData | None = None,
) -> Identification:
    """Identify ``person`` through Cl@ve in ``client``'s seu session (``tests.actors``)."""
    return identify(client, person, loa=loa, represented_entity=represented_entity)


def page_text(response) -> str:
    """The page's HTML with entities decoded (and sizes' no-break spaces as spaces)."""
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def fill(organ: Organ, **overrides: object) -> dict[str, object]:
    """The filing form's fields, for ``organ``."""
    data: dict[str, object] = {
        "organ": str(organ.pk),
        "subject": "Llicència de gual al carrer Major",
        "exposition": "Que tenc un garatge al carrer Major, 1.",
        "request": "Que se'm concedeixi la llicència de gual.",
    }
    data.update(overrides)
    return data


def draft_of(client: Client) -> FilingDraft:
    """The filing draft of ``client``'s session."""
    return FilingDraft.objects.get(public_id=client.session["registre_draft"])


def file_and_confirm(
    client: Client, organ: Organ, headers: dict[str, str] | None = None
) -> RegistryEntry:
    """File the form for ``organ`` and confirm its review: the entry registered."""
    response = client.post(FILE_URL, fill(organ))
    assert response.status_code == 302 and response["Location"] == REVIEW_URL
    draft = str(draft_of(client).public_id)
    response = client.post(CONFIRM_URL, {"draft": draft}, headers=headers)
    assert response.status_code == 302, page_text(response)
    return RegistryEntry.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


def receipt_text(entry: RegistryEntry) -> str:
    """The text of ``entry``'s sealed receipt as poppler reads it, white space made one space."""
    import subprocess
    import tempfile
    from pathlib import Path

    assert entry.receipt is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "receipt.pdf"
        path.write_bytes(entry.receipt.current_version().blob.read())
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    return " ".join(text.split())
