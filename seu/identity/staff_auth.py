"""Staff login to the back-office: a password and a TOTP code, every failure counted (issue 3.6).

The password is checked by Django's backends behind django-axes' lockout backend; the code by
django-otp's TOTP devices. A failure of either factor reaches axes as one failed login (Django's
``user_login_failed`` signal), so guesses at the code count towards the lockout like guesses at the
password. Every refusal shows the same message: the page never tells an attacker which factor was
wrong, nor whether the account has a device.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

security_log = logging.getLogger("seu.security")

DEVICE_NAME = "Aplicació d'autenticació"


class StaffLoginForm(AdminAuthenticationForm):
    """Username, password and the code the staff member's authenticator app shows now."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "No s'ha pogut iniciar la sessió: introduïu el nom d'usuari, la contrasenya i el codi "
            "de verificació d'un compte de personal. Tots els camps distingeixen majúscules i "
            "minúscules."
        ),
    }

    otp_token = forms.CharField(
        label=_("Codi de verificació"),
        help_text=_("Les xifres que mostra ara la vostra aplicació d'autenticació."),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_otp_token(self) -> str:
        token = re.sub(r"\s", "", self.cleaned_data["otp_token"])
        if not re.fullmatch(r"\d{6,8}", token):
            raise forms.ValidationError(
                _("El codi de verificació té 6 xifres."), code="invalid_token_format"
            )
        return token

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # the password (axes refuses it while locked out) and is_staff
        user = self.get_user()
        if user is None:
            return cleaned
        token = cleaned.get("otp_token")  # None when missing or malformed (a field error)
        device = self._verified_device(user, token) if token else None
        if device is None:
            # Refused like a wrong password, and counted like one by axes.
            self.user_cache = None
            user_login_failed.send(
                sender=__name__,
                credentials={"username": cleaned.get("username")},
                request=self.request,
            )
            raise self.get_invalid_login_error()
        # django_otp's user_logged_in receiver stores the device in the session: the staff member
        # is then "verified", which the back-office requires (OTPAdminSite.has_permission).
        user.otp_device = device  # type: ignore[attr-defined]
        return cleaned

    def _verified_device(self, user: AbstractBaseUser, token: str) -> Device | None:
        """The confirmed device of ``user`` that accepts ``token`` now, or None.

        Each device is locked while it is checked, so one code cannot be used twice at once; a
        device that django-otp is throttling after recent failures is not even asked.
        """
        with transaction.atomic():
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if not devices:
                security_log.warning(
                    "staff login refused: %s has no confirmed second-factor device",
                    user.get_username(),
                )
                return None
            for device in devices:
                allowed, _extra = device.verify_is_allowed()
                if allowed and device.verify_token(token):
                    return device
        security_log.warning(
            "staff login refused: wrong or throttled code for %s", user.get_username()
        )
        return None


# --- Enrolment and the development admin -------------------------------------------------------


def enrol_totp_device(
    user: AbstractBaseUser, *, key: str | None = None, replace: bool = False
) -> TOTPDevice:
    """A confirmed TOTP device of ``user``: the existing one (with ``key``, if given) or a new one.

    ``replace`` first removes the user's devices (a lost phone): only the new secret works then.
    """
    with transaction.atomic():
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=None)
        if replace:
            devices.delete()
        else:
            matching = devices.filter(confirmed=True)
            if key is not None:
                matching = matching.filter(key=key)
            existing = matching.order_by("pk").first()
            if existing is not None:
                return existing
        fields: dict[str, Any] = {"key": key} if key is not None else {}
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True, **fields)


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app with this device's secret shows now."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def ensure_dev_totp_device(secret_file: Path, username: str = "admin") -> TOTPDevice:
    """The development admin's TOTP device, its secret kept in ``var/`` like its password."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    if secret_file.exists():
        key = secret_file.read_text().strip()
    else:
        key = TOTPDevice().key  # the model's default: 20 random bytes, hex
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(key + "\n")
        secret_file.chmod(0o600)
    return enrol_totp_device(user, key=key)
