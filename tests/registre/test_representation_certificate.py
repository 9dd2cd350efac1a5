"""A representative's certificate files for the entity it names (#16 item 2; art. 26.2.b), end
to end: curl presents the development PKI's FNMT representative certificate to Debian's nginx
(deploy/nginx/seu.conf), and the same cookie jar files the generic request through the
registry's pages. The holder's personal certificate, without the entity, does not open it."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest

from devtools.pki import CitizenPki
from registre.models import RegistryEntry
from seu.models import Identification, Organ, Representation
from tests.factories import OrganFactory

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = "/identificacio/certificat/"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: str
    body: str

    def header(self, name: str) -> str:
        for line in self.headers.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return ""


@dataclass(frozen=True)
class Browser:
    """curl with a cookie jar, sending forms with the CSRF token of the jar's cookie (no Origin:
    nginx talks to the seu over plain HTTP here, and a browser's https Origin would not match)."""

    base: str
    jar: Path
    pki: CitizenPki

    def request(
        self, path: str, *, certificate: str | None = None, form: dict[str, str] | None = None
    ) -> Answer:
        args = ["curl", "--silent", "--show-error", "--insecure", "--max-time", "30"]
        args += ["--dump-header", "-", "--write-out", "\n%{http_code}"]
        args += ["--cookie", str(self.jar), "--cookie-jar", str(self.jar)]
        if certificate is not None:
            files = self.pki.citizen(certificate)
            args += ["--cert", str(files.cert), "--key", str(files.key)]
        if form is not None:
            token = self.cookie("csrftoken")
            for key, value in {"csrfmiddlewaretoken": token, **form}.items():
                args += ["--data-urlencode", f"{key}={value}"]
        done = subprocess.run(
            [*args, self.base + path], capture_output=True, text=True, timeout=40, check=True
        )
        output, _, status = done.stdout.rpartition("\n")
        head, _, body = output.partition("\n\n")  # text mode: CRLF read as LF
        return Answer(status=int(status), headers=head, body=body)

    def cookie(self, name: str) -> str:
        for line in self.jar.read_text().splitlines():
            fields = line.split("\t")
            if len(fields) == 7 and fields[5] == name:
                return fields[6]
        return ""


def log_in(browser: Browser, certificate: str) -> Identification:
    answer = browser.request(f"{LOGIN}?next=/", certificate=certificate)
    assert answer.status == 302, answer.body
    return Identification.objects.order_by("-pk").first()  # type: ignore[return-value]


@pytest.fixture
def secretaria(transactional_db: None) -> Organ:
    from tests.factories import TownHallFactory

    TownHallFactory.create()
    return cast(Organ, OrganFactory.create(code="secretaria", name="Secretaria"))


def test_a_representative_certificate_files_for_its_entity_and_the_personal_one_sees_nothing(
    nginx: str,
    citizen_pki: CitizenPki,
    citizen_trust: Path,
    tmp_path: Path,
    secretaria: Organ,
) -> None:
    holder = Browser(nginx, tmp_path / "representative", citizen_pki)
    session = log_in(holder, "fnmt-representative")
    assert session.represented_entity is not None
    assert session.represented_entity.nif == "B12345674"

    form = holder.request("/registre/")
    assert form.status == 200
    assert "Presentar" in form.body or "Continuar" in form.body
    sent = holder.request(
        "/registre/",
        form={
            "organ": str(secretaria.pk),
            "subject": "Llicència d'activitat del magatzem",
            "exposition": "Que l'empresa obrirà un magatzem al polígon.",
            "request": "Que se'ns concedeixi la llicència d'activitat.",
            "contact_email": "administracio@llevant.example",
        },
    )
    assert sent.status == 302, sent.body
    assert sent.header("Location").endswith("/registre/revisio/")
    review = holder.request("/registre/revisio/")
    draft = re.search(r'name="draft" value="([0-9a-f-]+)"', review.body)
    assert draft is not None, review.body
    confirmed = holder.request("/registre/confirmar/", form={"draft": draft.group(1)})
    assert confirmed.status == 302, confirmed.body

    entry = RegistryEntry.objects.get()
    assert entry.interested is not None and entry.representative is not None
    assert (entry.interested.nif, entry.representative.nif) == ("B12345674", "12345678Z")
    assert entry.representation == Representation.CERTIFICATE
    assert entry.power is None
    page = holder.request(f"/carpeta/registre/{entry.pk}/")
    assert page.status == 200
    assert "SERVEIS DEL LLEVANT SL" in page.body and "MARIA GARCIA FERRER" in page.body

    # The same person with her personal certificate: not the entity's entry.
    personal = Browser(nginx, tmp_path / "personal", citizen_pki)
    herself = log_in(personal, "fnmt-natural")
    assert herself.person_id == session.person_id and herself.represented_entity is None
    assert personal.request(f"/carpeta/registre/{entry.pk}/").status == 404
    assert personal.request(f"/carpeta/registre/{entry.pk}/rebut.pdf").status == 404
    assert str(entry.number) not in personal.request("/carpeta/").body
