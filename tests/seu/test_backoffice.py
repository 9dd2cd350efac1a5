"""The staff back-office at /gestio/: who gets in, the town hall's identity, the calendar's days."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from documents.models import Document, DocumentVersion
from seu import calendar
from seu.identity.staff_auth import current_code, enrol_totp_device
from seu.models import NonWorkingDay, Organ, TownHall
from tests.conftest import STAFF_PASSWORD, log_in_to_back_office
from tests.factories import NonWorkingDayFactory, TownHallFactory, UserFactory

pytestmark = pytest.mark.django_db

BACK_OFFICE = "/gestio/"
LOCAL_HOLIDAY = dt.date(2026, 8, 10)  # a Monday
DECLARED_DAY = dt.date(2026, 12, 24)  # a Thursday


def log_in(client: Client, user: User) -> None:
    """Password and second factor already given (the login form is tested in
    test_staff_login.py and below)."""
    log_in_to_back_office(client, user)


# --- Getting in -------------------------------------------------------------------------------


def test_staff_log_in_through_the_login_form_and_see_the_town_halls_name(
    client: Client, administrator: User
) -> None:
    TownHallFactory.create(name="Ajuntament de Sant Llorenç des Cardassar")
    device = enrol_totp_device(administrator)

    response = client.post(
        reverse("admin:login"),
        {
            "username": administrator.username,
            "password": STAFF_PASSWORD,
            "otp_token": current_code(device),
            "next": BACK_OFFICE,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == BACK_OFFICE

    response = client.get(BACK_OFFICE)
    assert response.status_code == 200
    assert response.context["site_header"] == (
        "Ajuntament de Sant Llorenç des Cardassar — gestió de la seu"
    )
    assert "Ajuntament de Sant Llorenç des Cardassar — gestió de la seu" in response.text


def test_the_header_falls_back_to_a_generic_name_before_the_town_hall_is_entered(
    client: Client, administrator: User
) -> None:
    log_in(client, administrator)

    response = client.get(BACK_OFFICE)

    assert response.context["site_header"] == "Ajuntament — gestió de la seu"


def test_a_wrong_password_does_not_get_in(client: Client, administrator: User) -> None:
    device = enrol_totp_device(administrator)

    response = client.post(
        reverse("admin:login"),
        {
            "username": administrator.username,
            "password": "wrong",
            "otp_token": current_code(device),
            "next": BACK_OFFICE,
        },
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "path",
    [
        BACK_OFFICE,
        "/gestio/seu/nonworkingday/add/",
        "/gestio/seu/organ/add/",
        "/gestio/documents/document/issue-test/",
    ],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={path}"


def test_an_anonymous_visitor_cannot_declare_a_non_working_day(client: Client) -> None:
    response = client.post(
        "/gestio/seu/nonworkingday/add/",
        {"date": "2026-12-24", "kind": "declared", "name": "Tancament"},
    )

    assert response.status_code == 302
    assert not NonWorkingDay.objects.exists()


def test_a_non_staff_user_is_not_let_in(client: Client) -> None:
    citizen = cast(User, UserFactory.create(username="ciutadana"))
    log_in(client, citizen)

    response = client.get(BACK_OFFICE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- Organs and municipal non-working days ----------------------------------------------------


def test_staff_add_an_organ(client: Client, administrator: User) -> None:
    log_in(client, administrator)

    response = client.post(
        "/gestio/seu/organ/add/",
        {
            "code": "urbanisme",
            "name_ca": "Urbanisme",
            "competences_ca": "Llicències",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:seu_organ_changelist")
    organ = Organ.objects.get(code="urbanisme")
    assert (organ.name, organ.competences, organ.is_active, organ.parent) == (
        "Urbanisme",
        "Llicències",
        True,
        None,
    )


def test_staff_add_a_local_holiday_and_the_calendar_treats_it_as_non_working(
    client: Client, administrator: User
) -> None:
    log_in(client, administrator)
    assert calendar.is_working_day(LOCAL_HOLIDAY)

    response = client.post(
        "/gestio/seu/nonworkingday/add/",
        {"date": "2026-08-10", "kind": "local", "name": "Sant Llorenç"},
    )

    assert response.status_code == 302
    day = NonWorkingDay.objects.get(date=LOCAL_HOLIDAY)
    assert day.kind == NonWorkingDay.Kind.LOCAL_HOLIDAY
    assert day.name == "Sant Llorenç"
    assert day.declared_by == administrator
    assert not calendar.is_working_day(LOCAL_HOLIDAY)
    assert calendar.WorkingCalendar().non_working_reason(LOCAL_HOLIDAY) == "Sant Llorenç"


def test_staff_declare_a_day_non_working_and_presentations_on_it_count_from_the_next_one(
    client: Client, administrator: User
) -> None:
    log_in(client, administrator)

    response = client.post(
        "/gestio/seu/nonworkingday/add/",
        {"date": "2026-12-24", "kind": "declared", "name": "Tancament de les oficines"},
    )

    assert response.status_code == 302
    day = NonWorkingDay.objects.get(date=DECLARED_DAY)
    assert day.kind == NonWorkingDay.Kind.DECLARED
    assert day.declared_by == administrator
    assert not calendar.is_working_day(DECLARED_DAY)
    # Thursday 24 declared, Friday 25 Christmas, Saturday 26 Segona festa, Sunday 27.
    presented = dt.datetime(2026, 12, 24, 12, 0, tzinfo=calendar.SEU_TZ)
    assert calendar.WorkingCalendar().effective_instant(presented) == dt.datetime(
        2026, 12, 28, 0, 0, 1, tzinfo=calendar.SEU_TZ
    )


def test_editing_a_day_keeps_who_declared_it(client: Client, administrator: User) -> None:
    declared_by = cast(User, UserFactory.create(username="secretaria", superuser=True))
    day = NonWorkingDayFactory.create(
        date=DECLARED_DAY,
        kind=NonWorkingDay.Kind.DECLARED,
        name="Tancament",
        declared_by=declared_by,
    )
    log_in(client, administrator)

    response = client.post(
        f"/gestio/seu/nonworkingday/{day.pk}/change/",
        {"date": "2026-12-24", "kind": "declared", "name": "Tancament per Nadal"},
    )

    assert response.status_code == 302
    day.refresh_from_db()
    assert day.name == "Tancament per Nadal"
    assert day.declared_by == declared_by


def test_the_same_day_cannot_be_entered_twice(client: Client, administrator: User) -> None:
    NonWorkingDayFactory.create(date=LOCAL_HOLIDAY, name="Sant Llorenç")
    log_in(client, administrator)

    response = client.post(
        "/gestio/seu/nonworkingday/add/",
        {"date": "2026-08-10", "kind": "declared", "name": "Una altra cosa"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["date"]
    assert NonWorkingDay.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (
            "/gestio/seu/organ/add/",
            {"code": "urbanisme", "name_ca": "Urbanisme", "is_active": "on"},
        ),
        (
            "/gestio/seu/nonworkingday/add/",
            {"date": "2026-08-10", "kind": "local", "name": "Festa"},
        ),
        (
            "/gestio/seu/nonworkingday/add/",
            {"date": "2026-12-24", "kind": "declared", "name": "Tancament"},
        ),
    ],
    ids=["organ", "local-holiday", "declared-day"],
)
def test_a_clerk_without_permissions_cannot_add_organs_or_non_working_days(
    client: Client, clerk: User, path: str, data: dict[str, str]
) -> None:
    log_in(client, clerk)

    assert client.get(path).status_code == 403
    assert client.post(path, data).status_code == 403
    assert not Organ.objects.exists()
    assert not NonWorkingDay.objects.exists()
    assert calendar.is_working_day(LOCAL_HOLIDAY)
    assert calendar.is_working_day(DECLARED_DAY)


# --- The town hall ----------------------------------------------------------------------------


def test_only_one_town_hall_may_be_added(client: Client, administrator: User) -> None:
    log_in(client, administrator)
    response = client.post(
        "/gestio/seu/townhall/add/",
        {
            "name": "Ajuntament de Sant Llorenç des Cardassar",
            "nif": "P0705700C",
            "address": "Plaça de l'Ajuntament, 1",
            "postal_code": "07530",
            "municipality": "Sant Llorenç des Cardassar",
            "phone": "971 83 83 83",
            "email": "ajuntament@example.org",
        },
    )
    assert response.status_code == 302
    assert TownHall.objects.count() == 1

    assert client.get("/gestio/seu/townhall/add/").status_code == 403
    response = client.post("/gestio/seu/townhall/add/", {"name": "Un altre ajuntament"})
    assert response.status_code == 403
    assert TownHall.objects.count() == 1
    assert client.get("/gestio/seu/townhall/").context["has_add_permission"] is False


def test_a_website_typed_without_a_scheme_is_taken_as_https(
    client: Client, administrator: User
) -> None:
    log_in(client, administrator)

    response = client.post(
        "/gestio/seu/townhall/add/",
        {
            "name": "Ajuntament de Sant Llorenç des Cardassar",
            "nif": "P0705700C",
            "address": "Plaça de l'Ajuntament, 1",
            "postal_code": "07530",
            "municipality": "Sant Llorenç des Cardassar",
            "phone": "971 83 83 83",
            "email": "ajuntament@example.org",
            "website": "ajuntament.example.org",
        },
    )

    assert response.status_code == 302
    assert TownHall.objects.get().website == "https://ajuntament.example.org"


def test_a_town_hall_with_an_invalid_nif_is_refused(client: Client, administrator: User) -> None:
    log_in(client, administrator)

    response = client.post(
        "/gestio/seu/townhall/add/",
        {
            "name": "Ajuntament",
            "nif": "P0705700X",
            "address": "Plaça, 1",
            "postal_code": "07530",
            "municipality": "Sant Llorenç des Cardassar",
            "phone": "971 83 83 83",
            "email": "ajuntament@example.org",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["nif"]
    assert not TownHall.objects.exists()


# --- Issuing a test document ------------------------------------------------------------------

ISSUE_TEST = "/gestio/documents/document/issue-test/"


def test_staff_issue_a_sealed_test_document(client: Client, administrator: User) -> None:
    TownHallFactory.create()
    log_in(client, administrator)

    assert client.get(ISSUE_TEST).status_code == 200
    response = client.post(ISSUE_TEST, {"title": "Prova de segell", "text": "Hola"})

    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:documents_document_change", args=[document.pk])
    assert document.kind == Document.Kind.TEST
    assert document.title == "Prova de segell"
    assert document.issued_by == administrator
    assert document.timestamp_state == Document.TimestampState.PENDING
    version = document.versions.get()
    assert version.number == 1
    assert version.stage == DocumentVersion.Stage.SEALED
    assert version.blob.read().startswith(b"%PDF-")

    change_page = client.get(response["Location"])
    assert change_page.status_code == 200
    assert document.csv_display in change_page.text


def test_a_clerk_without_permissions_cannot_issue_a_test_document(
    client: Client, clerk: User
) -> None:
    log_in(client, clerk)

    response = client.post(ISSUE_TEST, {"title": "Prova"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert not Document.objects.exists()
