"""Issue 13, items 9-11 on the registry: the contact offered on the form and recorded with the
entry; the carpeta and the receipt page say at which level earlier entries show and offer the step
up; the book finds subjects, shows the identification in local time and sizes as the public side
does."""

from __future__ import annotations

import datetime as dt
import html
import io
import random
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from registre.models import RegistryEntry
from seu import calendar, people
from seu.models import LoA, Organ, Person
from tests import actors
from tests.actors import CITIZEN
from tests.factories import RegistryEntryFactory, _accept
from tests.support.filing import (
    CONFIRM_URL,
    FILE_URL,
    FOLDER_URL,
    REVIEW_URL,
    draft_of,
    fill,
    log_in,
    page_text,
)

citizen = actors.citizen
clerk = actors.clerk
clerk_of_another_organ = actors.clerk_of_another_organ
another_organ = actors.another_organ

pytestmark = pytest.mark.django_db

BOOK = "/gestio/registre/registryentry/"
MADRID = ZoneInfo("Europe/Madrid")


def _file(client: Client, organ: Organ, **overrides: object) -> RegistryEntry:
    response = client.post(FILE_URL, fill(organ, **overrides))
    assert response.status_code == 302 and response["Location"] == REVIEW_URL, page_text(response)
    response = client.post(CONFIRM_URL, {"draft": str(draft_of(client).public_id)})
    assert response.status_code == 302
    return RegistryEntry.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


# --- Item 10: the contact, offered and recorded ---------------------------------------------------


def test_the_form_offers_the_persons_contact_and_the_entry_records_what_was_sent(
    client: Client, town_hall, organ: Organ
) -> None:
    identification = log_in(client, CITIZEN, LoA.SUBSTANTIAL)
    people.update_contact(
        identification=identification,
        email="maria@exemple.cat",
        phone="971 12 34 56",
        postal_address="C/ Major, 1\n07001 Palma",
    )
    form = page_text(client.get(FILE_URL))
    assert 'value="maria@exemple.cat"' in form
    assert 'value="971123456"' in form
    assert "C/ Major, 1\n07001 Palma</textarea>" in form

    entry = _file(
        client,
        organ,
        contact_email="feina@exemple.cat",
        contact_phone="+34 600 11 22 33",
        contact_postal_address="C/ Major, 1\n07001 Palma",
    )
    assert entry.contact_email == "feina@exemple.cat"
    assert entry.contact_phone == "+34600112233"
    assert entry.contact_postal_address == "C/ Major, 1\n07001 Palma"
    page = page_text(client.get(reverse("registre:entry", args=[entry.pk])))
    assert "feina@exemple.cat" in page and "+34600112233" in page
    # The person's own details are theirs: the request's change stays with the request.
    assert Person.objects.get(nif=CITIZEN.nif).email == "maria@exemple.cat"


def test_a_malformed_contact_on_the_form_is_refused_in_catalan_and_kept(
    client: Client, town_hall, organ: Organ
) -> None:
    log_in(client, CITIZEN, LoA.SUBSTANTIAL)
    response = client.post(
        FILE_URL, fill(organ, contact_email="maria@", contact_phone="12ab", subject="Gual")
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "L'adreça electrònica «maria@» no és vàlida" in text
    assert "El telèfon «12ab» no és vàlid" in text
    assert 'value="maria@"' in text and 'value="12ab"' in text and 'value="Gual"' in text
    assert not RegistryEntry.objects.filter(subject="Gual").exists()


def test_a_draft_whose_contact_is_not_valid_is_not_registered(
    client: Client, town_hall, organ: Organ
) -> None:
    log_in(client, CITIZEN, LoA.SUBSTANTIAL)
    client.post(FILE_URL, fill(organ, contact_phone="12ab"))
    response = client.post(CONFIRM_URL, {"draft": str(draft_of(client).public_id)})
    assert response.status_code == 302 and response["Location"] == FILE_URL
    assert not RegistryEntry.objects.exists()


# --- Item 9: at which level earlier entries show -------------------------------------------------


def _step_up_link(text: str) -> tuple[str, dict[str, list[str]]]:
    start = text.index('id="historial-limitat"')
    href = text[text.index('href="', start) + 6 :]
    url = html.unescape(href[: href.index('"')])
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)


def test_a_low_session_is_told_on_the_carpeta_and_the_receipt_page_which_level_shows_history(
    client: Client, town_hall, organ: Organ
) -> None:
    log_in(client, CITIZEN, LoA.LOW)
    entry = _file(client, organ)
    for url in (FOLDER_URL, reverse("registre:filed", args=[entry.pk])):
        text = page_text(client.get(url))
        assert "Us heu identificat amb el nivell «baix»" in text, url
        assert "a partir del nivell «substancial»" in text, url
        path, query = _step_up_link(text)
        assert path == reverse("identity:login"), url
        assert query == {"next": [FOLDER_URL], "nivell": ["substantial"]}, url
    # The receipt page no longer promises the entry in the carpeta without saying for how long.
    receipt_page = page_text(client.get(reverse("registre:filed", args=[entry.pk])))
    assert "També el trobareu a «La meva carpeta»" not in receipt_page


def test_a_substantial_session_is_promised_the_carpeta_without_a_level_message(
    client: Client, town_hall, organ: Organ
) -> None:
    log_in(client, CITIZEN, LoA.SUBSTANTIAL)
    entry = _file(client, organ)
    for url in (FOLDER_URL, reverse("registre:filed", args=[entry.pk])):
        assert "historial-limitat" not in page_text(client.get(url)), url
    assert "També el trobareu a «La meva carpeta»" in page_text(
        client.get(reverse("registre:filed", args=[entry.pk]))
    )


# --- Item 11: the book ---------------------------------------------------------------------------


def test_the_book_finds_an_entry_by_words_of_its_subject_within_the_clerks_organs(
    citizen, clerk, clerk_of_another_organ
) -> None:
    words = "carrer de les Roses"
    found = list(clerk.client.get(BOOK, {"q": words}).context["cl"].result_list)
    assert found == [citizen.entry]
    assert (
        list(clerk_of_another_organ.client.get(BOOK, {"q": words}).context["cl"].result_list) == []
    )


def test_the_identification_on_an_entrys_page_reads_in_local_time_with_its_offset(
    citizen, clerk
) -> None:
    at = citizen.entry.identification.at
    local = at.astimezone(MADRID)
    text = page_text(clerk.client.get(f"{BOOK}{citizen.entry.pk}/change/"))
    row = text[text.index("field-identification_display") :]
    row = row[: row.index("</div>", row.index('class="readonly"'))]
    assert f"{local:%H:%M:%S} (UTC{calendar.utc_offset(at)})" in row
    assert f"{at.astimezone(dt.UTC):%H:%M:%S}" not in row


def noisy_png(size: int = 40) -> bytes:
    """A PNG that compresses badly: a little over a kilobyte for 40 x 40 random pixels."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), random.Random(13).randbytes(size * size * 3)).save(
        buffer, "PNG"
    )
    return buffer.getvalue()


def test_sizes_read_the_same_in_the_back_office_and_on_the_public_side(
    citizen, clerk, organ: Organ
) -> None:
    png = noisy_png(22)
    assert 1024 < len(png) < 10 * 1024, len(png)
    entry: RegistryEntry = RegistryEntryFactory(  # type: ignore[assignment]
        organ=organ,
        interested=CITIZEN,
        identification=citizen.identification,
        attachments=[_accept("plànol.png", png)],
    )
    kilobytes = f"{len(png) / 1024:.1f}"
    catalan = f"{kilobytes.replace('.', ',')} KB"
    back_office = page_text(clerk.client.get(f"{BOOK}{entry.pk}/change/"))
    public = page_text(citizen.client.get(reverse("registre:entry", args=[entry.pk])))
    assert f'<td class="field-size_display">{catalan}</td>' in back_office
    assert f'<td class="govuk-table__cell">{catalan}</td>' in public
    english = page_text(citizen.client.get("/en" + reverse("registre:entry", args=[entry.pk])))
    assert f'<td class="govuk-table__cell">{kilobytes} KB</td>' in english
