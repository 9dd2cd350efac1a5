"""Drafting, approval, publication and withdrawal of edicts, and the input they refuse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from documents.models import Document
from seu import calendar
from seu.errors import InvalidInput
from tauler import services
from tauler.models import Edict, PeriodKind
from tests.support.files import OPEN_ACTION_JAVASCRIPT_PDF, encrypted_pdf, truncated
from tests.tauler.conftest import pdftotext

pytestmark = pytest.mark.django_db


def test_a_draft_without_documents_cannot_be_sent_for_approval(make_edict, clerk) -> None:
    edict = make_edict(submit=False)
    edict.attachments.all().delete()
    with pytest.raises(InvalidInput) as refused:
        services.submit_for_approval(edict_id=edict.pk, acting_user=clerk)
    assert refused.value.code == "no_documents"
    assert "cap document adjunt" in str(refused.value)
    edict.refresh_from_db()
    assert edict.state == Edict.State.DRAFT


def test_a_period_that_ends_before_it_starts_is_refused(make_edict) -> None:
    yesterday = calendar.to_local(calendar.now()).date() - dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        make_edict(period_kind=PeriodKind.UNTIL_DATE, period_days=None, period_until=yesterday)
    assert refused.value.code == "end_before_start"
    assert "ha de ser posterior" in str(refused.value)
    assert not Edict.objects.exists()


def test_scheduling_after_the_last_day_of_exposure_is_refused(make_edict, approver) -> None:
    today = calendar.to_local(calendar.now()).date()
    edict = make_edict(
        period_kind=PeriodKind.UNTIL_DATE, period_days=None, period_until=today + dt.timedelta(5)
    )
    with pytest.raises(InvalidInput) as refused:
        services.publish_edict(
            edict_id=edict.pk,
            acting_user=approver,
            publish_at=calendar.now() + dt.timedelta(days=10),
        )
    assert refused.value.code == "end_before_start"
    edict.refresh_from_db()
    assert edict.state == Edict.State.AWAITING_APPROVAL


def _draft_with(organ, clerk, name: str, data: bytes) -> Edict:
    return services.create_draft(
        title="Edicte",
        category="altres",
        organ=organ,
        text="Text",
        period_kind=PeriodKind.CALENDAR_DAYS,
        period_days=10,
        files=[services.IncomingFile(name=name, data=data)],
        acting_user=clerk,
    )


@pytest.mark.parametrize("data", [b"hola, no soc cap PDF", b""])
def test_a_file_that_is_not_a_real_pdf_is_refused(make_edict, organ, clerk, data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        _draft_with(organ, clerk, "annex.pdf", data)
    assert refused.value.code == "not_pdf"
    assert "«annex.pdf» no és un fitxer PDF vàlid" in str(refused.value)
    assert not Edict.objects.exists()


# The board takes a PDF on the same terms as the registry (documents.intake), naming the file.
REFUSED_PDFS = {
    "encrypted": (
        lambda pdf: encrypted_pdf(pdf, password="secret"),
        "«annex.pdf» està protegit amb contrasenya i l'Ajuntament no el podria obrir.",
    ),
    "corrupted": (truncated, "«annex.pdf» està malmès o incomplet: no es pot llegir com a PDF."),
    "active_content": (
        lambda pdf: OPEN_ACTION_JAVASCRIPT_PDF,
        "El fitxer «annex.pdf» conté codi executable (JavaScript)",
    ),
}


@pytest.mark.parametrize("code", sorted(REFUSED_PDFS))
def test_an_encrypted_truncated_or_scripted_pdf_is_refused_saying_why(
    organ, clerk, pdf_bytes: Callable[[str], bytes], code: str
) -> None:
    spoil, message = REFUSED_PDFS[code]
    with pytest.raises(InvalidInput) as refused:
        _draft_with(organ, clerk, "annex.pdf", spoil(pdf_bytes("Annex")))
    assert refused.value.code == code
    assert message in str(refused.value)
    assert not Edict.objects.exists()


def test_a_pdf_that_only_looks_like_one_is_refused_as_damaged(organ, clerk) -> None:
    with pytest.raises(InvalidInput) as refused:
        _draft_with(organ, clerk, "annex.pdf", b"%PDF-1.7\nsembla un PDF pero no ho es")
    assert refused.value.code == "corrupted"
    assert "«annex.pdf» està malmès o incomplet" in str(refused.value)


def test_a_user_without_the_approver_permission_cannot_publish(make_edict, clerk) -> None:
    edict = make_edict()
    with pytest.raises(services.NotAllowed) as refused:
        services.publish_edict(edict_id=edict.pk, acting_user=clerk)
    assert "No teniu permís" in str(refused.value)
    edict.refresh_from_db()
    assert edict.state == Edict.State.AWAITING_APPROVAL
    assert edict.sealed_document is None


def test_publication_seals_the_text_and_the_hashes_of_the_documents(
    make_edict, approver, clerk, tmp_path: Path
) -> None:
    edict = make_edict(text="Termini d'al·legacions de quinze dies hàbils.")
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    edict.refresh_from_db()

    assert edict.state == Edict.State.PUBLISHED
    assert (edict.year, edict.number) == (calendar.to_local(edict.published_at).year, 1)
    assert edict.get_absolute_url() == f"/tauler/{edict.year}/1/"
    sealed = edict.sealed_document
    assert sealed is not None and sealed.kind == Document.Kind.EDICT
    assert sealed.issued_at == edict.published_at
    text = pdftotext(sealed.current_version().blob.read(), tmp_path)
    assert "Termini d'al·legacions" in text
    # The instant of publication, with its UTC offset (art. 18.4: it starts the exposure).
    assert calendar.format_instant(edict.published_at) in " ".join(text.split())
    assert edict.attachments.get().sha256 in text.replace("\n", "").replace(" ", "")
    log = list(edict.transitions.values_list("from_state", "to_state", "actor__username"))
    assert log == [
        ("", "draft", clerk.username),
        ("draft", "awaiting_approval", clerk.username),
        ("awaiting_approval", "published", approver.username),
    ]


def test_numbers_are_consecutive_and_addresses_stable(make_edict, approver) -> None:
    first, second = make_edict(), make_edict(title="Segon")
    services.publish_edict(edict_id=second.pk, acting_user=approver)
    services.publish_edict(edict_id=first.pk, acting_user=approver)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.number, first.number) == (1, 2)


def test_a_withdrawal_needs_a_reason_that_stays_public(make_edict, approver, client) -> None:
    edict = make_edict()
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    with pytest.raises(InvalidInput):
        services.withdraw_edict(edict_id=edict.pk, reason="  ", acting_user=approver)
    services.withdraw_edict(
        edict_id=edict.pk, reason="Error en la data de la sessió", acting_user=approver
    )
    edict.refresh_from_db()
    assert edict.state == Edict.State.WITHDRAWN
    assert edict.transitions.last().reason == "Error en la data de la sessió"
    page = client.get(edict.get_absolute_url()).content.decode()
    assert "Error en la data de la sessió" in page
    assert edict.attachments.get().name not in page  # no longer offered
    board = client.get("/tauler/").content.decode()
    assert edict.title not in board


def test_a_published_edict_cannot_be_published_again(make_edict, approver) -> None:
    edict = make_edict()
    services.publish_edict(edict_id=edict.pk, acting_user=approver)
    with pytest.raises(services.InvalidTransition):
        services.publish_edict(edict_id=edict.pk, acting_user=approver)
    assert Document.objects.filter(kind=Document.Kind.EDICT).count() == 1


def test_the_back_office_refuses_a_non_pdf_and_a_draft_without_documents(
    client, clerk, organ
) -> None:
    from django.contrib.auth.models import Permission

    from tests.conftest import log_in_to_back_office

    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["add_edict", "view_edict"]))
    log_in_to_back_office(client, clerk)
    form = {
        "title": "Edicte",
        "category": "altres",
        "organ": organ.pk,
        "text": "Text",
        "period_kind": "calendar_days",
        "period_days": "10",
    }
    response = client.post("/gestio/tauler/edict/add/", form)
    assert response.status_code == 200
    assert "cap document adjunt" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("annex.pdf", b"GIF89a no es un PDF", "application/pdf")
    response = client.post("/gestio/tauler/edict/add/", {**form, "new_document": upload})
    assert response.status_code == 200
    assert "no és un fitxer PDF vàlid" in response.content.decode()
    assert not Edict.objects.exists()


def test_the_back_office_creates_a_draft_with_its_pdf(
    client, clerk, organ, pdf_bytes: Callable[[str], bytes]
) -> None:
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import log_in_to_back_office

    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["add_edict", "view_edict"]))
    log_in_to_back_office(client, clerk)
    upload = SimpleUploadedFile("annex.pdf", pdf_bytes("Annex"), "application/pdf")
    response = client.post(
        "/gestio/tauler/edict/add/",
        {
            "title": "Edicte del back-office",
            "category": "altres",
            "organ": organ.pk,
            "text": "Text",
            "period_kind": "calendar_days",
            "period_days": "10",
            "new_document": upload,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    edict = Edict.objects.get()
    assert edict.state == Edict.State.DRAFT
    assert edict.created_by == clerk
    assert edict.attachments.get().name == "annex.pdf"


def _back_office(client, user, *codenames: str) -> None:
    from django.contrib.auth.models import Permission

    from tests.conftest import log_in_to_back_office

    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    log_in_to_back_office(client, user)


def test_an_approver_publishes_from_the_back_office(client, make_edict, approver) -> None:
    edict = make_edict()
    _back_office(client, approver, "view_edict", "change_edict")
    change = client.get(f"/gestio/tauler/edict/{edict.pk}/change/")
    assert change.status_code == 200
    assert f"/gestio/tauler/edict/{edict.pk}/publish/" in change.content.decode()
    response = client.post(f"/gestio/tauler/edict/{edict.pk}/publish/", {"publish_at": ""})
    assert response.status_code == 302
    edict.refresh_from_db()
    assert edict.state == Edict.State.PUBLISHED
    assert client.get(f"/gestio/tauler/edict/{edict.pk}/change/").status_code == 200


def test_a_clerk_without_the_permission_is_told_so_in_the_back_office(
    client, make_edict, clerk
) -> None:
    edict = make_edict()
    _back_office(client, clerk, "view_edict", "change_edict")
    response = client.post(f"/gestio/tauler/edict/{edict.pk}/publish/", {"publish_at": ""})
    assert response.status_code == 200
    assert "No teniu permís per aprovar, publicar o retirar edictes." in response.content.decode()
    edict.refresh_from_db()
    assert edict.state == Edict.State.AWAITING_APPROVAL


def test_a_move_the_workflow_does_not_allow_is_refused_naming_both_states(
    make_edict, approver
) -> None:
    edict = make_edict(submit=False)
    with pytest.raises(services.InvalidTransition) as refused:
        services.withdraw_edict(edict_id=edict.pk, reason="Errada", acting_user=approver)
    assert str(refused.value) == "Aquest edicte no pot passar de «esborrany» a «retirat»."
    edict.refresh_from_db()
    assert (edict.state, edict.withdrawn_at, edict.withdrawal_reason) == ("draft", None, "")
    assert list(edict.transitions.values_list("to_state", flat=True)) == ["draft"]
