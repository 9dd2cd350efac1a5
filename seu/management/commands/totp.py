"""`manage.py totp USER`: enrol a staff member's authenticator app from the command line.

Prints the otpauth:// address (and its QR code on the terminal) to load into an authenticator
app, and the code the app should show now. The back-office offers the same (Gestió > TOTP
devices > "qrcode"); this is for the first administrator, and for development.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from seu.identity.staff_auth import current_code, enrol_totp_device


class Command(BaseCommand):
    help = (
        "Give a staff user a confirmed TOTP device and print its otpauth:// URI and current code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="remove the user's devices first (a lost phone): only the new secret works",
        )
        parser.add_argument(
            "--code", action="store_true", help="print only the current code (development)"
        )
        parser.add_argument("--no-qr", action="store_true", help="do not draw the QR code")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["username"]})
        except user_model.DoesNotExist:
            raise CommandError(f"no user {options['username']!r}") from None
        if not user.is_staff:
            raise CommandError(
                f"{options['username']!r} is not staff: the back-office is for staff"
            )
        device = enrol_totp_device(user, replace=options["reset"])
        if options["code"]:
            self.stdout.write(current_code(device))
            return
        self.stdout.write(f"otpauth URI: {device.config_url}")
        if not options["no_qr"]:
            drawing = io.StringIO()
            segno.make(device.config_url, error="m").terminal(out=drawing, compact=True)
            self.stdout.write(drawing.getvalue(), ending="")
        self.stdout.write(f"codi actual: {current_code(device)}")
