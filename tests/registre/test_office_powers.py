"""A power *apud acta* granted in person at the office (art. 26.2.a; Law 39/2015 art. 6): the clerk
checks the grantor's identity document, scans the signed paper, which is sealed as an authentic
copy, and the power enters the register of powers, in force at once when the representative
accepts it there, pending until they accept it at the seu otherwise; or nothing is recorded."""

from __future__ import annotations

import datetime as dt
import html
from io import BytesIO
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from documents import services as documents
from documents.models import Document
from registre import powers
from registre.models import PowerPaper
from seu import calendar
from seu.identity import PersonData, representation
from seu.identity.representation import Behalf, InvalidPower, NotRepresented, PowerInput
from seu.models import Person, Power, PowerTransition, Representation
from tests import actors
from tests.actors import REPRESENTATIVE, Actor
from tests.support.expedients import make_procedure
from tests.support.files import make_pdf, make_png
from tests.support.pki import independent_context

pytestmark = pytest.mark.django_db

clerk = actors.clerk  # the registry's clerk: no permission on the register of powers

ADD = reverse("admin:registre_powerpaper_add")
MARIA = PersonData(nif="12345678Z", given_name="Maria", surnames="Garcia Ferrer")
PAPER = make_pdf("Apoderament apud acta signat a l'oficina")
HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def office_clerk(town_hall: Any, organ: Any) -> Actor:
    """A registry clerk who may also register, revoke and see powers (``seu.*_power``)."""
    return actors.staff_actor(
        "office clerk", organ, models=(*actors.CLERK_MODELS, ("seu", "power"))
    )


@pytest.fixture
def aina(town_hall: Any) -> Actor:
    """The representative, identified at the seu for herself."""
    return actors.person_actor("aina", REPRESENTATIVE)


def today() -> dt.date:
    return calendar.to_local(calendar.now()).date()


def scan(data: bytes = PAPER, name: str = "apoderament.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "grantor_nif": "12345678z",
        "grantor_given_name": "Maria",
        "grantor_surnames": "Garcia Ferrer",
        "identity_document": "DNI 12345678Z",
        "representative_nif": REPRESENTATIVE.nif,
        "scope": Power.Scope.GENERAL,
        "procedure_codes": [],
        "case_reference": "",
        "ends_on": (today() + relativedelta(years=2)).isoformat(),
        "paper": scan(),
        "accepted_in_person": "on",
        "representative_document": "DNI 11111111H",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def register(user: Any, **overrides: Any) -> PowerPaper:
    arguments: dict[str, Any] = {
        "grantor": MARIA,
        "wanted": PowerInput(
            representative_nif=REPRESENTATIVE.nif,
            scope=Power.Scope.GENERAL,
            ends_on=today() + relativedelta(years=1),
        ),
        "identity_document": "DNI 12345678Z",
        "accepted_in_person": False,
        "paper": scan(),
        "acting_user": user,
    }
    arguments.update(overrides)
    return powers.register_power_in_person(**arguments)


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def nothing_recorded() -> bool:
    return not (
        Power.objects.exists()
        or PowerPaper.objects.exists()
        or Document.objects.filter(kind=Document.Kind.AUTHENTIC_COPY).exists()
        or Person.objects.filter(nif=MARIA.nif).exists()
    )


# --- Registering with the representative present --------------------------------------------------


def test_a_power_registered_with_the_representative_present_is_in_force_at_once(
    office_clerk: Actor, dev_pki: Any
) -> None:
    response = office_clerk.client.post(ADD, form_data())

    power = Power.objects.select_related("grantor", "representative").get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:seu_power_change", args=[power.pk])
    assert (power.state, power.origin) == (Power.State.ACCEPTED, Power.Origin.OFFICE)
    assert power.in_force_at(calendar.now())
    assert power.registered_by == office_clerk.user
    assert power.granted_identification is None
    assert (power.grantor.nif, power.grantor.display_name) == ("12345678Z", "Maria Garcia Ferrer")
    assert power.representative.nif == REPRESENTATIVE.nif
    (log,) = PowerTransition.objects.filter(power=power)
    assert (log.from_state, log.to_state, log.actor) == ("", "accepted", office_clerk.user)
    assert "DNI 12345678Z exhibit" in log.reason
    assert "DNI 11111111H exhibit" in log.reason  # the representative's, who accepted there


def test_the_paper_is_a_sealed_authentic_copy_shown_and_downloadable_from_the_power(
    office_clerk: Actor, dev_pki: Any
) -> None:
    office_clerk.client.post(ADD, form_data())
    paper = PowerPaper.objects.select_related("document", "power").get()
    assert paper.registered_by == office_clerk.user
    assert paper.document.kind == Document.Kind.AUTHENTIC_COPY
    sealed = documents.checked_bytes(document=paper.document)  # its bytes carry its CSV
    (seal,) = PdfFileReader(BytesIO(sealed)).embedded_signatures
    status = validate_pdf_signature(seal, signer_validation_context=independent_context(dev_pki))
    assert status.intact and status.valid and status.trusted
    # The scan's own bytes are kept as they came, the seal an incremental update after them.
    assert sealed.startswith(PAPER)

    page = office_clerk.client.get(reverse("admin:seu_power_change", args=[paper.power.pk]))
    download = reverse("admin:registre_powerpaper_download", args=[paper.pk])
    assert page.status_code == 200
    assert download in text_of(page)
    assert paper.document.csv_display in text_of(page)
    response = office_clerk.client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == sealed  # type: ignore[attr-defined]


def test_a_paper_whose_stored_bytes_changed_is_not_served(office_clerk: Actor) -> None:
    paper = register(office_clerk.user)
    blob = paper.document.current_version().blob
    with blob.file.open("wb") as stored:
        stored.write(PAPER)  # no longer what was sealed
    response = office_clerk.client.get(
        reverse("admin:registre_powerpaper_download", args=[paper.pk])
    )
    assert response.status_code == 409


# --- Without the representative: pending until they accept at the seu -----------------------------


def test_without_the_representative_the_power_waits_for_their_acceptance_at_the_seu(
    office_clerk: Actor, aina: Actor
) -> None:
    paper = register(office_clerk.user, accepted_in_person=False)
    power = paper.power
    assert power.state == Power.State.PENDING and not power.in_force_at(calendar.now())
    assert aina.identification is not None
    with pytest.raises(NotRepresented, match="Encara no heu acceptat"):
        representation.acting_for(aina.identification, behalf=Behalf(power=str(power.public_id)))

    representation.decide_power(
        identification=aina.identification, public_id=power.public_id, accept=True
    )

    power.refresh_from_db()
    assert power.state == Power.State.ACCEPTED and power.in_force_at(calendar.now())
    assert power.decided_identification == aina.identification


def test_the_accepted_power_lets_the_representative_file_for_the_grantor(
    office_clerk: Actor, aina: Actor
) -> None:
    power = register(office_clerk.user, accepted_in_person=True, representative_document="DNI 1")
    assert aina.identification is not None

    acting = representation.acting_for(
        aina.identification, behalf=Behalf(power=str(power.power.public_id))
    )

    assert acting.interested.nif == MARIA.nif
    assert acting.representative is not None and acting.representative.nif == REPRESENTATIVE.nif
    assert (acting.representation, acting.power) == (Representation.POWER, power.power)


def test_accepting_in_person_needs_the_representatives_identity_document(
    office_clerk: Actor,
) -> None:
    response = office_clerk.client.post(ADD, form_data(representative_document=""))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["representative_document"]
    assert nothing_recorded()


# --- Refusals: field messages, nothing recorded ---------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (scan(HTML_AS_PDF, "apoderament.pdf"), "«apoderament.pdf» no és d'un format admès"),
        (scan(make_png(), "apoderament.png"), "«apoderament.png» no és un PDF"),
    ],
)
def test_an_upload_that_is_not_a_pdf_is_refused_and_the_form_kept(
    office_clerk: Actor, upload: Any, message: str
) -> None:
    response = office_clerk.client.post(ADD, form_data(paper=upload))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["paper"]
    assert message in errors["paper"][0]
    page = text_of(response)
    assert 'value="Garcia Ferrer"' in page and 'value="DNI 12345678Z"' in page  # as typed
    assert "triau de nou el paper escanejat" in page
    assert nothing_recorded()


@override_settings(REGISTRY_MAX_FILE_BYTES=2048)
def test_a_scan_over_the_limit_is_refused_before_anything_is_recorded(
    office_clerk: Actor,
) -> None:
    big = make_pdf("Apoderament " + "x" * 3000)
    response = office_clerk.client.post(ADD, form_data(paper=scan(big)))
    assert response.status_code == 200
    assert "supera el límit de 2,0" in response.context["form"].errors["paper"][0]
    assert nothing_recorded()


def test_a_missing_scan_is_asked_for(office_clerk: Actor) -> None:
    response = office_clerk.client.post(ADD, form_data(paper=None))
    assert response.context["form"].errors["paper"] == [
        "Adjuntau el paper signat pel poderdant, escanejat en PDF."
    ]
    assert nothing_recorded()


def test_a_power_to_oneself_and_one_beyond_five_years_get_messages_on_their_fields(
    office_clerk: Actor,
) -> None:
    too_late = today() + relativedelta(years=5, days=1)
    response = office_clerk.client.post(
        ADD, form_data(representative_nif="12345678-Z", ends_on=too_late.isoformat())
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["representative_nif"] == [
        "El representant ha de ser una altra persona que el poderdant."
    ]
    assert errors["ends_on"] == [
        "Un apoderament val com a màxim cinc anys: fins al "
        + calendar.format_date(today() + relativedelta(years=5))
        + "."
    ]
    assert nothing_recorded()


def test_the_rules_of_the_seu_apply_to_scope_and_grantor(office_clerk: Actor) -> None:
    with pytest.raises(InvalidPower) as refused:
        register(
            office_clerk.user,
            grantor=PersonData(nif="B12345674", legal_name="SERVEIS DEL LLEVANT SL"),
            identity_document="",
            wanted=PowerInput(
                representative_nif=REPRESENTATIVE.nif,
                scope=Power.Scope.PROCEDURES,
                ends_on=today() + relativedelta(years=1),
            ),
        )
    assert set(refused.value.errors) == {"grantor_nif", "identity_document", "procedure_codes"}
    assert not Power.objects.exists()


def test_a_power_for_some_procedures_takes_them_from_the_catalogue(
    office_clerk: Actor, organ: Any
) -> None:
    make_procedure(organ, code="GUAL", name="Gual permanent")
    make_procedure(organ, code="OBRA")
    page = office_clerk.client.get(ADD).content.decode()
    assert "Gual permanent (GUAL)" in page and 'value="OBRA"' in page
    refused = office_clerk.client.post(
        ADD,
        form_data(scope=Power.Scope.PROCEDURES, procedure_codes=["OBRES"], paper=scan()),
    )
    assert "El procediment «OBRES» no és al catàleg de tràmits." in refused.content.decode()
    assert not Power.objects.exists()
    office_clerk.client.post(
        ADD,
        form_data(scope=Power.Scope.PROCEDURES, procedure_codes=["GUAL", "OBRA"], paper=scan()),
    )
    power = Power.objects.get()
    assert (power.scope, power.procedure_codes) == ("procedures", ["GUAL", "OBRA"])


# --- Who may --------------------------------------------------------------------------------------


def test_a_clerk_without_the_permission_on_the_register_of_powers_gets_403(
    clerk: Actor, office_clerk: Actor
) -> None:
    paper = register(office_clerk.user)
    pages = [
        ("get", ADD),
        ("post", ADD),
        ("get", reverse("admin:registre_powerpaper_changelist")),
        ("get", reverse("admin:registre_powerpaper_download", args=[paper.pk])),
        ("get", reverse("admin:registre_powerpaper_revoke", args=[paper.power.public_id])),
        ("post", reverse("admin:registre_powerpaper_revoke", args=[paper.power.public_id])),
    ]
    for method, url in pages:
        data = form_data() if method == "post" else None
        response = getattr(clerk.client, method)(url, data)
        assert response.status_code == 403, (method, url)
    with pytest.raises(PermissionDenied):
        register(clerk.user)
    assert Power.objects.count() == 1


def test_an_unknown_power_to_revoke_is_a_404(office_clerk: Actor) -> None:
    url = reverse("admin:registre_powerpaper_revoke", args=["0c0ffee0-0000-4000-8000-000000000000"])
    assert office_clerk.client.get(url).status_code == 404


# --- Revoked at the grantor's request -------------------------------------------------------------


def test_a_clerk_revokes_a_power_at_the_grantors_request_and_it_no_longer_acts(
    office_clerk: Actor, aina: Actor
) -> None:
    power = register(
        office_clerk.user, accepted_in_person=True, representative_document="NIE"
    ).power
    url = reverse("admin:registre_powerpaper_revoke", args=[power.public_id])

    refused = office_clerk.client.post(url, {"identity_document": "", "reason": ""})
    assert set(refused.context["form"].errors) == {"identity_document", "reason"}

    response = office_clerk.client.post(
        url, {"identity_document": "DNI 12345678Z", "reason": "Ja no el necessit."}
    )

    assert response.status_code == 302
    power.refresh_from_db()
    assert power.state == Power.State.REVOKED and power.revoked_at is not None
    log = PowerTransition.objects.filter(power=power).last()
    assert log is not None and (log.to_state, log.actor) == ("revoked", office_clerk.user)
    assert "DNI 12345678Z exhibit" in log.reason and "Ja no el necessit." in log.reason
    assert aina.identification is not None
    with pytest.raises(NotRepresented, match="va revocar"):
        representation.acting_for(aina.identification, behalf=Behalf(power=str(power.public_id)))


def test_the_list_of_office_powers_links_each_power_and_the_page_to_register_one(
    office_clerk: Actor,
) -> None:
    paper = register(office_clerk.user)
    response = office_clerk.client.get(reverse("admin:registre_powerpaper_changelist"))
    page = text_of(response)
    assert response.status_code == 200
    assert "Inscriure un apoderament presencial" in page and ADD in page
    assert reverse("admin:seu_power_change", args=[paper.power.pk]) in page
    assert office_clerk.client.get(ADD).status_code == 200
