"""Back-office changes with legal effect (issue 12.4): declared non-working days and planned
interruptions go through ``seu.services``, which write who changed what and when
(``BackOfficeChange``) and make the portal show the change at once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from seu.calendar import SEU_TZ
from seu.models import AuthorisedOfficial, BackOfficeChange, Interruption, NonWorkingDay
from tests.conftest import log_in_to_back_office
from tests.factories import NonWorkingDayFactory

pytestmark = pytest.mark.django_db

DECLARED_DAY = dt.date(2026, 12, 23)  # a Wednesday, a working day unless declared
THAT_MORNING = dt.datetime(2026, 12, 23, 10, 0, tzinfo=SEU_TZ)
NON_WORKING_NOTICE = "Avui és un dia inhàbil (Tancament de les oficines)"


def changes() -> list[BackOfficeChange]:
    return list(BackOfficeChange.objects.order_by("pk"))


def test_declaring_a_day_non_working_is_logged_with_who_and_what_and_the_home_page_says_so(
    client: Client, administrator: User
) -> None:
    with time_machine.travel(THAT_MORNING, tick=False):
        log_in_to_back_office(client, administrator)
        assert NON_WORKING_NOTICE not in client.get("/").text  # read, and cached if it were

        response = client.post(
            "/gestio/seu/nonworkingday/add/",
            {"date": "2026-12-23", "kind": "declared", "name": "Tancament de les oficines"},
        )
        home = client.get("/").text

    assert response.status_code == 302
    assert NON_WORKING_NOTICE in home
    day = NonWorkingDay.objects.get(date=DECLARED_DAY)
    assert day.declared_by == administrator
    [change] = changes()
    assert change.actor == administrator
    assert change.what == "seu.NonWorkingDay"
    assert change.object_id == str(day.pk)
    assert change.action == BackOfficeChange.Action.CREATED
    assert change.values == {
        "date": [None, "2026-12-23"],
        "kind": [None, "declared"],
        "name": [None, "Tancament de les oficines"],
    }


def test_changing_a_declared_day_logs_the_old_and_new_values(
    client: Client, administrator: User
) -> None:
    day = NonWorkingDayFactory.create(
        date=DECLARED_DAY, kind=NonWorkingDay.Kind.DECLARED, name="Tancament"
    )
    log_in_to_back_office(client, administrator)

    response = client.post(
        f"/gestio/seu/nonworkingday/{day.pk}/change/",
        {"date": "2026-12-23", "kind": "declared", "name": "Tancament per Nadal"},
    )

    assert response.status_code == 302
    [change] = changes()
    assert change.action == BackOfficeChange.Action.CHANGED
    assert change.actor == administrator
    assert change.values == {"name": ["Tancament", "Tancament per Nadal"]}


def test_withdrawing_a_declared_day_is_logged_and_the_day_works_again_at_once(
    client: Client, administrator: User
) -> None:
    day = NonWorkingDayFactory.create(
        date=DECLARED_DAY, kind=NonWorkingDay.Kind.DECLARED, name="Tancament de les oficines"
    )
    with time_machine.travel(THAT_MORNING, tick=False):
        log_in_to_back_office(client, administrator)
        assert NON_WORKING_NOTICE in client.get("/").text

        response = client.post(f"/gestio/seu/nonworkingday/{day.pk}/delete/", {"post": "yes"})
        home = client.get("/").text

    assert response.status_code == 302
    assert NON_WORKING_NOTICE not in home
    assert not NonWorkingDay.objects.exists()
    [change] = changes()
    assert change.action == BackOfficeChange.Action.DELETED
    assert change.actor == administrator
    assert change.object_id == str(day.pk)
    assert change.values["name"] == ["Tancament de les oficines", None]


def test_the_change_log_is_read_only_in_the_back_office(
    client: Client, administrator: User
) -> None:
    log_in_to_back_office(client, administrator)
    client.post(
        "/gestio/seu/nonworkingday/add/",
        {"date": "2026-12-23", "kind": "declared", "name": "Tancament de les oficines"},
    )
    change = BackOfficeChange.objects.get()

    assert "seu.NonWorkingDay" in client.get("/gestio/seu/backofficechange/").text
    assert client.get("/gestio/seu/backofficechange/add/").status_code == 403
    client.post(f"/gestio/seu/backofficechange/{change.pk}/delete/", {"post": "yes"})
    assert BackOfficeChange.objects.filter(pk=change.pk).exists()


# --- Planned interruptions (art. 17.1) -----------------------------------------------------------

BEFORE = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SEU_TZ)
REASON = "Actualització dels servidors"


def interruption(**overrides: str) -> dict[str, str]:
    data = {
        "scope": "registry",
        "starts_at_0": "2026-12-05",
        "starts_at_1": "08:00:00",
        "ends_at_0": "2026-12-05",
        "ends_at_1": "14:00:00",
        "reason": REASON,
        "alternatives": "Oficina d'Atenció a la Ciutadania, plaça de l'Ajuntament, 1.",
        "_save": "Desa",
    }
    data.update(overrides)
    return data


def test_announcing_an_interruption_is_logged_and_the_banner_shows_it_at_once(
    client: Client, administrator: User
) -> None:
    with time_machine.travel(BEFORE, tick=False):
        log_in_to_back_office(client, administrator)
        assert REASON not in client.get("/").text  # the banner's rows are now cached

        response = client.post("/gestio/seu/interruption/add/", interruption())
        home = client.get("/").text

    assert response.status_code == 302
    assert REASON in home
    announced = Interruption.objects.get()
    assert announced.announced_by == administrator
    [change] = changes()
    assert change.what == "seu.Interruption"
    assert change.object_id == str(announced.pk)
    assert change.action == BackOfficeChange.Action.CREATED
    assert change.actor == administrator
    assert change.values["reason"] == [None, REASON]
    assert change.values["starts_at"][1].startswith("2026-12-05T07:00:00")  # UTC


def test_changing_and_deleting_an_interruption_are_logged_and_the_banner_follows(
    client: Client, administrator: User
) -> None:
    with time_machine.travel(BEFORE, tick=False):
        log_in_to_back_office(client, administrator)
        client.post("/gestio/seu/interruption/add/", interruption())
        announced = Interruption.objects.get()
        assert REASON in client.get("/").text

        client.post(
            f"/gestio/seu/interruption/{announced.pk}/change/",
            interruption(reason="Canvi de maquinari"),
        )
        changed_home = client.get("/").text
        client.post(f"/gestio/seu/interruption/{announced.pk}/delete/", {"post": "yes"})
        deleted_home = client.get("/").text

    assert "Canvi de maquinari" in changed_home and REASON not in changed_home
    assert "Canvi de maquinari" not in deleted_home
    assert not Interruption.objects.exists()
    _created, changed, deleted = changes()
    assert changed.action == BackOfficeChange.Action.CHANGED
    assert changed.values == {"reason": [REASON, "Canvi de maquinari"]}
    assert deleted.action == BackOfficeChange.Action.DELETED
    assert deleted.actor == administrator
    assert deleted.values["reason"] == ["Canvi de maquinari", None]


def test_a_refused_interruption_is_an_error_of_the_form_and_nothing_is_logged(
    client: Client, administrator: User
) -> None:
    log_in_to_back_office(client, administrator)

    response = client.post("/gestio/seu/interruption/add/", interruption(ends_at_0="2026-12-04"))

    assert response.status_code == 200
    assert "El final de la interrupció ha de ser posterior a l" in response.text
    assert REASON in response.text  # what was typed is kept
    assert not Interruption.objects.exists()
    assert not BackOfficeChange.objects.exists()


def test_a_day_declared_meanwhile_by_someone_else_is_a_form_error_not_a_server_error(
    client: Client, administrator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Someone else declares the day after this form was checked: the service refuses it.
    monkeypatch.setattr(NonWorkingDay, "validate_unique", lambda self, exclude=None: None)
    NonWorkingDayFactory.create(date=DECLARED_DAY, name="Sant Tomàs")
    log_in_to_back_office(client, administrator)

    response = client.post(
        "/gestio/seu/nonworkingday/add/",
        {"date": "2026-12-23", "kind": "declared", "name": "Tancament de les oficines"},
    )

    assert response.status_code == 200
    assert "El dia 23 de desembre de 2026 ja és inhàbil." in response.text
    assert "Tancament de les oficines" in response.text  # what was typed is kept
    assert NonWorkingDay.objects.get().name == "Sant Tomàs"
    assert not BackOfficeChange.objects.exists()


# --- The register of authorised officials (art. 14.3) --------------------------------------------

REGISTER = "/gestio/seu/authorisedofficial/"


def register_entry(user: User, **overrides: str) -> dict[str, object]:
    return {
        "user": user.pk,
        "nif": "00000000t",
        "full_name": "Aina Mascaró Riera",
        "position": "Auxiliar administrativa",
        "enabled_from": "2026-01-01",
        "enabled_until": "",
        "resolution": "Decret de Batlia 2026/123",
        **overrides,
    }


def test_enabling_an_official_and_ending_the_enablement_are_logged_with_who_and_the_dates(
    client: Client, administrator: User, clerk: User
) -> None:
    log_in_to_back_office(client, administrator)

    client.post(f"{REGISTER}add/", register_entry(clerk))
    official = AuthorisedOfficial.objects.get()
    response = client.post(
        f"{REGISTER}{official.pk}/change/", register_entry(clerk, enabled_until="2026-12-31")
    )

    assert response.status_code == 302
    official.refresh_from_db()
    assert official.enabled_until == dt.date(2026, 12, 31)
    assert official.enabled_by == administrator
    enabled, ended = changes()
    assert (enabled.what, enabled.object_id) == ("seu.AuthorisedOfficial", str(official.pk))
    assert enabled.action == BackOfficeChange.Action.CREATED
    assert enabled.actor == administrator
    assert enabled.values["nif"] == [None, "00000000T"]
    assert enabled.values["user"] == [None, clerk.pk]
    assert enabled.values["enabled_from"] == [None, "2026-01-01"]
    assert ended.action == BackOfficeChange.Action.CHANGED
    assert ended.values == {"enabled_until": [None, "2026-12-31"]}
