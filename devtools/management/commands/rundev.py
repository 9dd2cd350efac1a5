"""`make run`: the whole portal on one machine with nothing to install.

Migrates, loads the demo data, makes the development PKI, then serves the portal with Django's
development server, the local TSA, OCSP responders and CRLs in a thread, nginx asking for client
certificates on https://127.0.0.1:8443 when it is installed, and a Celery worker with its beat
scheduler as a child process on the filesystem broker (Celery's worker cannot share a process with
the web server, but it lives and dies with this command).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from devtools.clave_idp import start_local_idp
from devtools.demo import ensure_staff_user, load_demo_data
from devtools.pki import (
    CITIZEN_PASSWORD,
    CitizenPki,
    ensure_citizen_pki,
    ensure_dev_pki,
    write_citizen_trust,
)
from devtools.servers import find_nginx, start_dev_services, start_nginx
from seu.identity.staff_auth import current_code, ensure_dev_totp_device

# Certificate login in development: nginx on its own port asks for the client certificate.
NGINX_HTTPS_PORT = 8443


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
        # The back-office asks for a second factor too: the admin's TOTP secret lives in var/.
        totp_device = ensure_dev_totp_device(
            settings.VAR_DIR / "dev-admin-totp-key.txt", username=username
        )

        # The autoreloader re-executes this command in a child; start the helpers only once.
        worker = None
        nginx = None
        if os.environ.get("RUN_MAIN") != "true":
            services = start_dev_services(
                ensure_dev_pki(settings.DEV_PKI_DIR), port=settings.DEV_SERVICES_PORT
            )
            citizens = ensure_citizen_pki(settings.DEV_PKI_DIR)
            if Path(settings.CITIZEN_TRUST_FILE) == citizens.trust_file:
                # Our own development file (never one the developer pointed elsewhere): its OCSP
                # responders and CRLs are the dev services just started.
                write_citizen_trust(citizens, services.base_url, citizens.trust_file)
            nginx = self._start_nginx(citizens, options["addr"])
            # Cl@ve's stand-in: the seu's Cl@ve login goes to it (CLAVE_IDP_METADATA).
            local_idp = start_local_idp(port=settings.LOCAL_IDP_PORT)
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
                    f"    segon factor (TOTP): {totp_device.config_url}\n"
                    f"      codi actual: {current_code(totp_device)} (canvia cada 30 s; carregau "
                    f"l'adreça otpauth:// a una aplicació d'autenticació, o demanau el codi amb "
                    f"`.venv/bin/python manage.py totp {username} --code`)\n"
                    f"  Verificació de documents: {url}verificar/\n"
                    f"  Cl@ve local (identitats de prova): {local_idp.base_url}/metadata/\n"
                    f"  Correus electrònics: {self._where_emails_go()}\n"
                )
            )
            self._print_certificates(citizens, with_nginx=nginx is not None)
        # `kill` (SIGTERM) as well as Ctrl-C must stop the worker and nginx with the server.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            call_command("runserver", options["addr"], use_reloader=False)
        finally:
            if nginx is not None:
                nginx.terminate()
                nginx.wait(timeout=10)
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=10)

    def _where_emails_go(self) -> str:
        """Where the e-mails of the outbox (appointments, notices) end up in development: the
        worker delivers them with Django's console backend unless EMAIL_BACKEND says otherwise."""
        backend = settings.EMAIL_BACKEND
        if backend == "django.core.mail.backends.console.EmailBackend":
            return (
                "s'escriuen en aquesta consola (el treballador de Celery els envia en pocs segons)"
            )
        if backend == "django.core.mail.backends.filebased.EmailBackend":
            return f"fitxers a {getattr(settings, 'EMAIL_FILE_PATH', '?')}"
        if backend == "django.core.mail.backends.smtp.EmailBackend":
            return f"servidor SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
        return backend

    def _start_nginx(self, citizens: CitizenPki, addr: str) -> subprocess.Popen[bytes] | None:
        """nginx on https://127.0.0.1:8443 in front of the development server, asking for a client
        certificate as production does, so that "Identificar-me amb certificat" works here.

        The session survives the change of port: cookies belong to a host, not to a port, and
        development cookies are not ``Secure``, so the session cookie set by the login answered
        through https://127.0.0.1:8443 is sent to http://127.0.0.1:8000 as well. After the login
        the person stays on 8443 (``next`` is a path, so the redirect keeps the origin): every page
        works there too, and going back to :8000 keeps them identified.
        """
        if find_nginx() is None:
            self.stdout.write("  nginx is not installed: certificate login is not available.\n")
            return None
        try:
            process = start_nginx(
                settings.VAR_DIR / "nginx",
                upstream=addr,
                https_port=NGINX_HTTPS_PORT,
                server_cert=citizens.server_cert,
                server_key=citizens.server_key,
                proxy_secret=settings.PROXY_SHARED_SECRET,
            )
        except (OSError, RuntimeError, ValueError) as exc:
            self.stderr.write(f"  nginx did not start ({exc}): no certificate login.\n")
            return None
        origin = f"https://127.0.0.1:{NGINX_HTTPS_PORT}"
        # Only when the developer set nothing else (the environment wins over these defaults).
        if "CERTIFICATE_LOGIN_URL" not in os.environ:
            settings.CERTIFICATE_LOGIN_URL = f"{origin}/identificacio/certificat/"
        if "127.0.0.1" not in settings.TRUSTED_PROXIES:
            settings.TRUSTED_PROXIES = [*settings.TRUSTED_PROXIES, "127.0.0.1"]
        if origin not in settings.CSRF_TRUSTED_ORIGINS:  # forms posted on pages seen via 8443
            settings.CSRF_TRUSTED_ORIGINS = [*settings.CSRF_TRUSTED_ORIGINS, origin]
        return process

    def _print_certificates(self, citizens: CitizenPki, *, with_nginx: bool) -> None:
        folder = citizens.citizen("fnmt-natural").p12.parent
        lines = [
            f"  Certificats de ciutadans de prova (PKCS#12, contrasenya «{CITIZEN_PASSWORD}»):",
            f"    {folder}/*.p12  (PEM per a curl: *.pem i *.key)",
            f"    CA arrel, per confiar-hi al navegador: {citizens.root_cert}",
        ]
        if with_nginx:
            lines.append(
                f"  Identificació amb certificat: https://127.0.0.1:{NGINX_HTTPS_PORT}/identificacio/"
            )
        self.stdout.write("\n".join(lines) + "\n")
