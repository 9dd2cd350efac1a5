"""Staff draft and approve the edicts of the organs they work for (issue 12 item 6): another
organ's edict is a 404 in the back-office, and the board's services refuse it too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from lxml import html

from seu.errors import NotFound
from seu.models import Organ
from tauler import services
from tauler.models import Category, Edict, PeriodKind
from tests.conftest import log_in_to_back_office
from tests.factories import OrganFactory, UserFactory

pytestmark = pytest.mark.django_db

EDICTS = "/gestio/tauler/edict/"


def board_staff(username: str, **memberships: Any) -> User:
    """Staff with every permission of the board, approving included."""
    user = cast(User, UserFactory.create(username=username, staff=True, **memberships))
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="tauler"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def urbanisme(db: None) -> Organ:
    return cast(Organ, OrganFactory.create(code="urbanisme", name="Urbanisme"))


@pytest.fixture
def head_of_secretaria(organ: Organ) -> User:
    return board_staff("cap-secretaria", head_of=organ)


@pytest.fixture
def edict_for(town_hall: object, pdf_bytes: Callable[[str], bytes]) -> Callable[[Organ], Edict]:
    """An edict of ``organ`` awaiting approval, drafted by a clerk of that organ."""

    def make(organ: Organ) -> Edict:
        drafter = board_staff(f"redactor-{organ.code}", clerk_of=organ)
        edict = services.create_draft(
            title=f"Edicte de {organ.name}",
            category=Category.URBAN_PLANNING,
            organ=organ,
            text="S'exposa al públic.",
            period_kind=PeriodKind.WORKING_DAYS,
            period_days=15,
            files=[services.IncomingFile(name="annex.pdf", data=pdf_bytes(organ.code))],
            acting_user=drafter,
        )
        return services.submit_for_approval(edict_id=edict.pk, acting_user=drafter)

    return make


def test_an_approver_sees_only_their_organs_edicts(
    client: Client,
    head_of_secretaria: User,
    organ: Organ,
    urbanisme: Organ,
    edict_for: Callable[[Organ], Edict],
) -> None:
    ours, theirs = edict_for(organ), edict_for(urbanisme)
    log_in_to_back_office(client, head_of_secretaria)

    response = client.get(EDICTS)

    assert list(response.context["cl"].result_list) == [ours]
    assert client.get(f"{EDICTS}{ours.pk}/change/").status_code == 200
    assert client.get(f"{EDICTS}{theirs.pk}/change/").status_code == 404


def test_an_approver_cannot_publish_or_withdraw_another_organs_edict_in_the_back_office(
    client: Client,
    head_of_secretaria: User,
    urbanisme: Organ,
    edict_for: Callable[[Organ], Edict],
) -> None:
    theirs = edict_for(urbanisme)
    log_in_to_back_office(client, head_of_secretaria)

    assert client.get(f"{EDICTS}{theirs.pk}/publish/").status_code == 404
    assert client.post(f"{EDICTS}{theirs.pk}/publish/", {"publish_at": ""}).status_code == 404
    assert client.post(f"{EDICTS}{theirs.pk}/withdraw/", {"reason": "Error"}).status_code == 404
    client.post(EDICTS, {"action": "publish_selected", "_selected_action": [str(theirs.pk)]})

    theirs.refresh_from_db()
    assert theirs.state == Edict.State.AWAITING_APPROVAL


def test_the_board_service_refuses_an_approver_another_organs_edict(
    head_of_secretaria: User, organ: Organ, urbanisme: Organ, edict_for: Callable[[Organ], Edict]
) -> None:
    ours, theirs = edict_for(organ), edict_for(urbanisme)

    with pytest.raises(NotFound):
        services.publish_edict(edict_id=theirs.pk, acting_user=head_of_secretaria)
    with pytest.raises(NotFound):
        services.return_to_draft(edict_id=theirs.pk, acting_user=head_of_secretaria)
    services.publish_edict(edict_id=ours.pk, acting_user=head_of_secretaria)

    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.state == Edict.State.AWAITING_APPROVAL
    assert ours.state == Edict.State.PUBLISHED


def test_a_supervisor_approves_any_organs_edict(
    urbanisme: Organ, edict_for: Callable[[Organ], Edict]
) -> None:
    theirs = edict_for(urbanisme)
    supervisor = board_staff("supervisora", supervisor=True)

    assert services.publish_edict(edict_id=theirs.pk, acting_user=supervisor).number


def test_a_drafter_drafts_only_for_their_organs(
    client: Client,
    organ: Organ,
    urbanisme: Organ,
    pdf_bytes: Callable[[str], bytes],
    town_hall: object,
) -> None:
    drafter = board_staff("redactora-secretaria", clerk_of=organ)
    log_in_to_back_office(client, drafter)
    page = html.fromstring(client.get(f"{EDICTS}add/").content.decode())
    offered = [o.text_content() for o in page.xpath("//select[@name='organ']/option")]

    assert [name for name in offered if name.strip("-")] == ["Secretaria"]
    with pytest.raises(NotFound):
        services.create_draft(
            title="Edicte",
            category=Category.URBAN_PLANNING,
            organ=urbanisme,
            text="Text",
            period_kind=PeriodKind.WORKING_DAYS,
            period_days=15,
            files=[services.IncomingFile(name="annex.pdf", data=pdf_bytes("Annex"))],
            acting_user=drafter,
        )
    assert not Edict.objects.filter(organ=urbanisme).exists()


def test_staff_with_no_organ_see_no_edict(
    client: Client, urbanisme: Organ, edict_for: Callable[[Organ], Edict]
) -> None:
    edict_for(urbanisme)
    unattached = board_staff("sense-organ")
    log_in_to_back_office(client, unattached)

    assert list(client.get(EDICTS).context["cl"].result_list) == []
