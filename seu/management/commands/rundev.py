"""`make run`: the whole portal on one machine with nothing to install.

Migrates, loads the demo data, makes the development PKI, then serves the portal with Django's
development server, the local TSA in a thread, and a Celery worker with its beat scheduler as a
child process on the filesystem broker (Celery's worker cannot share a process with the web
server, but it lives and dies with this command).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from seu.demo import ensure_staff_user, load_demo_data
from seu.devpki import ensure_dev_pki
from seu.devservices import start_dev_services


class Command(BaseCommand):
    help = "Run the portal for development: web server, worker, scheduler, local TSA."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            self.stderr.write("rundev is for development; production runs gunicorn and celery")
            raise SystemExit(2)
        for folder in ("broker/queue", "broker/processed", "media"):
            (settings.VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
        ensure_dev_pki(settings.DEV_PKI_DIR)
        call_command("migrate", interactive=False, verbosity=0)
        load_demo_data()
        username, password = ensure_staff_user(settings.VAR_DIR / "dev-admin-password.txt")

        # The autoreloader re-executes this command in a child; start the helpers only once.
        worker = None
        if os.environ.get("RUN_MAIN") != "true":
            start_dev_services(
                ensure_dev_pki(settings.DEV_PKI_DIR), port=settings.DEV_SERVICES_PORT
            )
            if not options["no_worker"]:
                worker = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "seu",
                        "worker",
                        "--beat",
                        "--pool=solo",
                        "--loglevel=WARNING",
                        "--schedule",
                        str(settings.VAR_DIR / "celerybeat-schedule"),
                    ]
                )
            url = f"http://{options['addr']}/"
            self.stdout.write(
                self.style.SUCCESS(
                    f"\n  Seu electrònica: {url}\n"
                    f"  Gestió (back-office): {url}gestio/\n"
                    f"    usuari: {username}  contrasenya: {password}\n"
                    f"  Verificació de documents: {url}verificar/\n"
                )
            )
        try:
            call_command("runserver", options["addr"], use_reloader=False)
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=10)
