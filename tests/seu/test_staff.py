"""Staff belong to organs (issue 12 item 6): the membership a user holds decides which organs'
work they see, and every change of membership is logged (who granted what to whom, when)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.test import Client
from lxml import html

from seu import staff
from seu.errors import InvalidInput
from seu.models import Organ, StaffMembership, StaffMembershipChange, StaffRole
from tests.conftest import log_in_to_back_office
from tests.factories import OrganFactory, UserFactory

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 11, 23, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def urbanisme(db: None) -> Organ:
    return cast(Organ, OrganFactory.create(code="urbanisme", name="Urbanisme"))


@pytest.fixture
def person(db: None) -> User:
    return cast(User, UserFactory.create(username="aina", staff=True))


def changes() -> list[tuple[Any, ...]]:
    return list(
        StaffMembershipChange.objects.order_by("pk").values_list(
            "actor__username", "action", "user__username", "organ__code", "role", "previous_role"
        )
    )


def _listed(organs: Any) -> list[Organ] | str:
    return "every organ" if organs is None else list(organs)


# --- Who sees which organs -----------------------------------------------------------------------


def test_a_clerk_sees_their_organs_a_supervisor_and_a_superuser_all_and_others_none(
    organ: Organ, urbanisme: Organ, person: User, administrator: User
) -> None:
    clerk = UserFactory.create(username="tramitadora", staff=True, clerk_of=organ)
    supervisor = UserFactory.create(username="supervisora", staff=True, supervisor=True)

    assert _listed(staff.organs_of(clerk)) == [organ]
    assert staff.organs_of(supervisor) is None
    assert staff.organs_of(administrator) is None
    assert _listed(staff.organs_of(person)) == []


def test_an_inactive_user_sees_no_organ(organ: Organ) -> None:
    gone = UserFactory.create(username="baixa", staff=True, clerk_of=organ, is_active=False)
    assert _listed(staff.organs_of(gone)) == []


# --- Changes, through the service ----------------------------------------------------------------


def test_granting_changing_and_withdrawing_a_role_each_write_their_log_row(
    administrator: User, person: User, organ: Organ
) -> None:
    membership = staff.grant_membership(
        user=person, organ=organ, role=StaffRole.CLERK, acting_user=administrator, now=NOON
    )
    staff.grant_membership(
        user=person, organ=organ, role=StaffRole.CLERK, acting_user=administrator
    )  # nothing new: nothing logged
    staff.grant_membership(user=person, organ=organ, role=StaffRole.HEAD, acting_user=administrator)
    staff.revoke_membership(membership_id=membership.pk, acting_user=administrator)

    assert changes() == [
        ("administradora", "granted", "aina", "secretaria", "tramitador", ""),
        ("administradora", "changed", "aina", "secretaria", "responsable", "tramitador"),
        ("administradora", "revoked", "aina", "secretaria", "responsable", ""),
    ]
    assert StaffMembershipChange.objects.order_by("pk").first().at == NOON  # type: ignore[union-attr]
    assert not StaffMembership.objects.exists()


def test_a_supervisor_is_of_no_organ_and_a_clerk_of_one(
    administrator: User, person: User, organ: Organ
) -> None:
    with pytest.raises(InvalidInput):
        staff.grant_membership(
            user=person, organ=organ, role=StaffRole.SUPERVISOR, acting_user=administrator
        )
    with pytest.raises(InvalidInput):
        staff.grant_membership(
            user=person, organ=None, role=StaffRole.CLERK, acting_user=administrator
        )
    assert not StaffMembership.objects.exists() and not StaffMembershipChange.objects.exists()


# --- Changes, in the back-office -----------------------------------------------------------------


def form_values(client: Client, url: str, form_id: str) -> dict[str, Any]:
    """What the browser sends for the admin form at ``url`` as shown, before any change."""
    page = client.get(url)
    assert page.status_code == 200
    form = html.fromstring(page.content.decode()).get_element_by_id(form_id)
    values: dict[str, Any] = {}
    for name, value in form.form_values():
        values.setdefault(name, []).append(value)
    return values


def test_an_administrator_gives_a_user_an_organ_on_the_users_page_and_it_is_logged(
    client: Client, administrator: User, person: User, organ: Organ
) -> None:
    log_in_to_back_office(client, administrator)
    url = f"/gestio/auth/user/{person.pk}/change/"
    data = form_values(client, url, "user_form")
    data.update(
        {
            "staff_memberships-TOTAL_FORMS": "1",
            "staff_memberships-0-organ": str(organ.pk),
            "staff_memberships-0-role": StaffRole.CLERK,
            "staff_memberships-0-user": str(person.pk),
            "_save": "Desa",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert _listed(staff.organs_of(person)) == [organ]
    assert changes() == [("administradora", "granted", "aina", "secretaria", "tramitador", "")]


def test_an_administrator_adds_and_removes_staff_on_the_organs_page_and_it_is_logged(
    client: Client, administrator: User, person: User, organ: Organ
) -> None:
    log_in_to_back_office(client, administrator)
    url = f"/gestio/seu/organ/{organ.pk}/change/"
    data = form_values(client, url, "organ_form")
    data.update(
        {
            "staff_memberships-TOTAL_FORMS": "1",
            "staff_memberships-0-user": str(person.pk),
            "staff_memberships-0-role": StaffRole.HEAD,
            "staff_memberships-0-organ": str(organ.pk),
            "_save": "Desa",
        }
    )
    assert client.post(url, data).status_code == 302

    membership = StaffMembership.objects.get()
    data = form_values(client, url, "organ_form")
    data.update({"staff_memberships-0-DELETE": "on", "_save": "Desa"})
    assert client.post(url, data).status_code == 302

    assert membership.role == StaffRole.HEAD
    assert not StaffMembership.objects.exists()
    assert changes() == [
        ("administradora", "granted", "aina", "secretaria", "responsable", ""),
        ("administradora", "revoked", "aina", "secretaria", "responsable", ""),
    ]


def test_the_organs_page_does_not_offer_the_supervisor_role(
    client: Client, administrator: User, organ: Organ
) -> None:
    log_in_to_back_office(client, administrator)
    page = client.get(f"/gestio/seu/organ/{organ.pk}/change/").content.decode()
    assert 'value="responsable"' in page
    assert 'value="supervisor"' not in page


# --- Demo data -----------------------------------------------------------------------------------


def test_the_demo_data_has_a_clerk_of_each_organ_who_logs_in_with_the_password_in_var(
    settings: Any, tmp_path: Any
) -> None:
    from devtools.demo import load_demo_data

    settings.VAR_DIR = tmp_path
    load_demo_data()
    load_demo_data()  # idempotent
    password = (tmp_path / "dev-staff-password.txt").read_text().strip()

    for organ in Organ.objects.all():
        clerk = User.objects.get(username=f"tramitador-{organ.code}")
        assert clerk.check_password(password)
        assert _listed(staff.organs_of(clerk)) == [organ]
        assert clerk.has_perm("registre.view_registryentry")
        assert not clerk.has_perm("tauler.publish_edict")
    head = User.objects.get(username="responsable-urbanisme")
    assert head.has_perm("tauler.publish_edict")
    assert [o.code for o in staff.organs_of(head) or []] == ["urbanisme"]
