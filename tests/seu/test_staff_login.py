"""Staff log in to the back-office with a password and a TOTP code; repeated failures lock the
account out at that address for a cool-off, and an administrator can lift the lock (issue 3.6)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any, cast

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from seu.identity.staff_auth import current_code, enrol_totp_device, ensure_dev_totp_device
from tests.conftest import STAFF_PASSWORD, log_in_to_back_office
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/gestio/login/"
BACK_OFFICE = "/gestio/"
REFUSED = "No s&#x27;ha pogut iniciar la sessió"
LOCKED = "Accés bloquejat temporalment"

ATTACKER = "198.51.100.7"
STAFF_DESK = "192.0.2.20"
PROXY = "10.0.0.2"


def wrong(code: str) -> str:
    """Another six-digit code (one a device accepts is at most three out of a million)."""
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def attempt(
    client: Client,
    username: str,
    *,
    password: str = STAFF_PASSWORD,
    token: str = "",
    remote_addr: str = "127.0.0.1",
    real_ip: str | None = None,
):
    extra: dict[str, Any] = {"REMOTE_ADDR": remote_addr}
    if real_ip is not None:
        extra["HTTP_X_REAL_IP"] = real_ip
    return client.post(
        LOGIN,
        {"username": username, "password": password, "otp_token": token, "next": BACK_OFFICE},
        **extra,
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def lock_out(client: Client, username: str, **where: str) -> None:
    for number in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = attempt(client, username, password=f"wrong-{number}", **where)
        if number < settings.AXES_FAILURE_LIMIT:
            assert response.status_code == 200, number
    assert response.status_code == 429
    assert LOCKED in response.text


@pytest.fixture
def device(clerk: User) -> TOTPDevice:
    return enrol_totp_device(clerk)


# --- Two factors -------------------------------------------------------------------------------


def test_the_login_page_asks_for_the_verification_code(client: Client) -> None:
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert '<label for="id_otp_token" class="required">Codi de verificació:</label>' in (
        response.text
    )
    assert 'autocomplete="one-time-code"' in response.text
    assert 'aria-describedby="id_otp_token_helptext"' in response.text
    assert "aplicació d&#x27;autenticació" in response.text


def test_the_login_page_speaks_spanish_under_es(client: Client) -> None:
    response = client.get("/es" + LOGIN)

    assert "Código de verificación" in response.text
    assert "Inicio de sesión del personal" in response.text


def test_the_right_password_and_code_open_the_back_office(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    response = attempt(client, clerk.username, token=current_code(device))

    assert response.status_code == 302
    assert response["Location"] == BACK_OFFICE
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(BACK_OFFICE).status_code == 200


def test_a_code_typed_with_a_space_is_accepted(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    code = current_code(device)

    response = attempt(client, clerk.username, token=f"{code[:3]} {code[3:]}")

    assert response.status_code == 302
    assert logged_in(client)


def test_the_right_password_without_a_code_is_refused_like_a_wrong_password(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    without_code = attempt(client, clerk.username, token="")
    wrong_password = attempt(Client(), clerk.username, password="not-it", token="")

    assert without_code.status_code == 200
    assert without_code.context["form"].errors["otp_token"]
    assert REFUSED in without_code.text
    assert without_code.context["form"].errors == wrong_password.context["form"].errors
    assert not logged_in(client)
    assert client.get(BACK_OFFICE).status_code == 302
    assert AccessAttempt.objects.get().failures_since_start == 2


def test_a_wrong_code_is_refused_with_the_same_message_as_a_wrong_password(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    wrong_code = attempt(client, clerk.username, token=wrong(current_code(device)))
    wrong_password = attempt(
        Client(), clerk.username, password="not-it", token=current_code(device)
    )

    assert wrong_code.status_code == wrong_password.status_code == 200
    assert not logged_in(client)
    assert REFUSED in wrong_code.text
    # The page does not tell an attacker that the password was right.
    assert wrong_code.context["form"].errors == wrong_password.context["form"].errors
    # ... but the failure counts towards the lockout like a wrong password.
    assert AccessAttempt.objects.get().failures_since_start == 2


def test_a_code_cannot_be_used_twice(client: Client, clerk: User, device: TOTPDevice) -> None:
    code = current_code(device)
    assert attempt(client, clerk.username, token=code).status_code == 302

    other_browser = Client()
    response = attempt(other_browser, clerk.username, token=code)

    assert response.status_code == 200
    assert not logged_in(other_browser)


def test_staff_without_a_confirmed_device_cannot_log_in(client: Client, clerk: User) -> None:
    unconfirmed = TOTPDevice.objects.create(user=clerk, name="a mig configurar", confirmed=False)

    response = attempt(client, clerk.username, token=current_code(unconfirmed))

    assert response.status_code == 200
    assert REFUSED in response.text
    assert not logged_in(client)


def test_someone_elses_device_does_not_open_an_account(
    client: Client, clerk: User, administrator: User
) -> None:
    admins_device = enrol_totp_device(administrator)

    response = attempt(client, clerk.username, token=current_code(admins_device))

    assert response.status_code == 200
    assert not logged_in(client)


def test_a_password_only_session_is_not_let_into_the_back_office(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    client.force_login(clerk)  # as if the password alone had been accepted

    response = client.get(BACK_OFFICE)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- Lockout -----------------------------------------------------------------------------------


def test_after_the_failure_limit_even_the_right_password_and_code_are_refused(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    lock_out(client, clerk.username)

    response = attempt(client, clerk.username, token=current_code(device))

    assert response.status_code == 429
    assert LOCKED in response.text
    assert "tampoc amb les dades correctes" in response.text
    assert "30 minuts" in response.text
    assert not logged_in(client)
    device.refresh_from_db()
    assert device.last_t == -1  # the code was never even checked


def test_the_lockout_page_is_the_portals_layout_in_catalan(client: Client, clerk: User) -> None:
    lock_out(client, clerk.username)

    response = attempt(client, clerk.username)

    rendered = [template.name for template in response.templates]
    assert "seu/staff/locked_out.html" in rendered and "base.html" in rendered
    assert 'id="login-form"' not in response.text
    assert '<html lang="ca"' in response.text
    assert "S'ha arribat al límit de 5 intents fallits" in response.text


def test_wrong_codes_count_towards_the_lockout(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    for _number in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, clerk.username, token=wrong(current_code(device)))

    assert response.status_code == 429
    assert attempt(client, clerk.username, token=current_code(device)).status_code == 429
    assert not logged_in(client)


def test_the_lock_holds_for_that_account_at_that_address_only(
    client: Client, clerk: User, administrator: User, device: TOTPDevice
) -> None:
    lock_out(client, clerk.username, remote_addr=ATTACKER)

    # The same account from the staff member's own desk ...
    desk = Client()
    assert (
        attempt(
            desk, clerk.username, token=current_code(device), remote_addr=STAFF_DESK
        ).status_code
        == 302
    )
    # ... and another account from the attacker's address are not locked.
    admins_device = enrol_totp_device(administrator)
    other = Client()
    response = attempt(
        other, administrator.username, token=current_code(admins_device), remote_addr=ATTACKER
    )
    assert response.status_code == 302


def test_a_forged_x_real_ip_does_not_dodge_the_lockout(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    lock_out(client, clerk.username, remote_addr=ATTACKER)

    response = attempt(
        client,
        clerk.username,
        token=current_code(device),
        remote_addr=ATTACKER,
        real_ip=STAFF_DESK,
    )

    assert response.status_code == 429
    assert not logged_in(client)


def test_a_forged_x_real_ip_cannot_lock_someone_else_out(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    lock_out(client, clerk.username, remote_addr=ATTACKER, real_ip=STAFF_DESK)

    assert AccessAttempt.objects.get().ip_address == ATTACKER
    desk = Client()
    response = attempt(desk, clerk.username, token=current_code(device), remote_addr=STAFF_DESK)
    assert response.status_code == 302


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_the_trusted_proxy_the_lock_follows_the_real_client(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    lock_out(client, clerk.username, remote_addr=PROXY, real_ip=ATTACKER)

    assert AccessAttempt.objects.get().ip_address == ATTACKER
    locked = attempt(
        client, clerk.username, token=current_code(device), remote_addr=PROXY, real_ip=ATTACKER
    )
    assert locked.status_code == 429
    desk = Client()
    response = attempt(
        desk, clerk.username, token=current_code(device), remote_addr=PROXY, real_ip=STAFF_DESK
    )
    assert response.status_code == 302


def test_after_the_cool_off_the_right_password_and_code_get_in_again(
    client: Client, clerk: User, device: TOTPDevice
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lock_out(client, clerk.username)
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert attempt(client, clerk.username, token=current_code(device)).status_code == 429
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)):
        response = attempt(client, clerk.username, token=current_code(device))

    assert response.status_code == 302
    assert logged_in(client)


def test_an_administrator_unlocks_the_account_from_the_back_office(
    client: Client, clerk: User, administrator: User, device: TOTPDevice
) -> None:
    lock_out(client, clerk.username)
    lock = AccessAttempt.objects.get(username=clerk.username)
    admin_client = Client()
    log_in_to_back_office(admin_client, administrator)

    listing = admin_client.get("/gestio/axes/accessattempt/")
    assert listing.status_code == 200
    assert clerk.username in listing.text
    response = admin_client.post(f"/gestio/axes/accessattempt/{lock.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt(client, clerk.username, token=current_code(device)).status_code == 302


def test_a_clerk_cannot_unlock_accounts(client: Client, clerk: User) -> None:
    other = cast(User, UserFactory.create(username="arxiu", staff=True))
    lock_out(Client(), other.username)
    log_in_to_back_office(client, clerk)

    assert client.get("/gestio/axes/accessattempt/").status_code == 403
    lock = AccessAttempt.objects.get()
    assert (
        client.post(f"/gestio/axes/accessattempt/{lock.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AccessAttempt.objects.filter(pk=lock.pk).exists()


# --- Enrolment ---------------------------------------------------------------------------------


def test_a_superuser_enrols_a_clerks_authenticator_app_in_the_back_office(
    client: Client, clerk: User, administrator: User
) -> None:
    log_in_to_back_office(client, administrator)
    key = "3132333435363738393031323334353637383930"

    response = client.post(
        "/gestio/otp_totp/totpdevice/add/",
        {
            "user": clerk.pk,
            "name": "Mòbil",
            "confirmed": "on",
            "key": key,
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    device = TOTPDevice.objects.get(user=clerk)
    config = client.get(f"/gestio/otp_totp/totpdevice/{device.pk}/config/")
    assert config.status_code == 200
    assert "otpauth://totp/" in config.text
    assert "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" in config.text  # the key, base32, for the app
    qr = client.get(f"/gestio/otp_totp/totpdevice/{device.pk}/qrcode/")
    assert qr["Content-Type"] == "image/svg+xml"
    assert attempt(Client(), clerk.username, token=current_code(device)).status_code == 302


def test_a_clerk_cannot_see_anyones_totp_secret(
    client: Client, clerk: User, administrator: User
) -> None:
    admins_device = enrol_totp_device(administrator)
    log_in_to_back_office(client, clerk)

    response = client.get(f"/gestio/otp_totp/totpdevice/{admins_device.pk}/config/")

    assert response.status_code == 403


def test_the_totp_command_enrols_a_staff_member_and_prints_the_uri_and_current_code(
    clerk: User,
) -> None:
    out = io.StringIO()
    call_command("totp", clerk.username, "--no-qr", stdout=out)

    device = TOTPDevice.objects.get(user=clerk)
    assert device.confirmed
    assert f"otpauth URI: {device.config_url}" in out.getvalue()
    assert device.config_url.startswith("otpauth://totp/Seu%20electr%C3%B2nica%3Aclerk?")
    assert f"codi actual: {current_code(device)}" in out.getvalue()

    code_only = io.StringIO()
    call_command("totp", clerk.username, "--code", stdout=code_only)
    assert code_only.getvalue().strip() == current_code(device)
    assert TOTPDevice.objects.count() == 1

    call_command("totp", clerk.username, "--reset", "--no-qr", stdout=io.StringIO())
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert TOTPDevice.objects.filter(user=clerk, confirmed=True).count() == 1


def test_the_totp_command_refuses_someone_who_is_not_staff() -> None:
    citizen = cast(User, UserFactory.create(username="ciutadana"))

    with pytest.raises(CommandError, match="not staff"):
        call_command("totp", citizen.username, stdout=io.StringIO())
    assert not TOTPDevice.objects.exists()


def test_the_development_admin_keeps_its_totp_secret_in_var(tmp_path: Path) -> None:
    admin = cast(User, UserFactory.create(username="admin", superuser=True))
    secret_file = tmp_path / "dev-admin-totp-key.txt"

    first = ensure_dev_totp_device(secret_file)
    second = ensure_dev_totp_device(secret_file)

    assert first == second
    assert first.user == admin and first.confirmed
    assert secret_file.read_text().strip() == first.key
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert attempt(Client(), "admin", token=current_code(first)).status_code == 302
