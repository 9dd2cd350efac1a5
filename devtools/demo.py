"""Demo data for `make run`: the town hall of Sant Llorenç des Cardassar, its organs and local
holidays. Idempotent; never run in production."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from seu.models import NonWorkingDay, Organ, TownHall

ORGANS = [
    ("alcaldia", "Alcaldia"),
    ("secretaria", "Secretaria"),
    ("intervencio", "Intervenció i Tresoreria"),
    ("urbanisme", "Àrea d'Urbanisme i Obres"),
    ("serveis-socials", "Àrea de Serveis Socials"),
    ("oac", "Oficina d'Atenció a la Ciutadania"),
]

# Demo local holidays (a municipality sets two a year; these are illustrative).
LOCAL_HOLIDAYS = [
    (dt.date(2026, 1, 16), "Sant Antoni (festa local)"),
    (dt.date(2026, 8, 10), "Sant Llorenç (festa local)"),
    (dt.date(2027, 1, 18), "Sant Antoni (festa local)"),
    (dt.date(2027, 8, 10), "Sant Llorenç (festa local)"),
]


@transaction.atomic
def load_demo_data() -> None:
    if not TownHall.objects.exists():
        TownHall.objects.create(
            name="Ajuntament de Sant Llorenç des Cardassar",
            nif="P0705700C",
            dir3_code="L01070570",
            address="Plaça de l'Ajuntament, 1",
            postal_code="07530",
            municipality="Sant Llorenç des Cardassar",
            phone="971 83 83 83",
            email="ajuntament@example.org",
            registry_email="registre@example.org",
            website="https://www.example.org",
            office_hours="De dilluns a divendres, de 9 a 14 h",
        )
    for code, name in ORGANS:
        Organ.objects.get_or_create(code=code, defaults={"name": name})
    for day, name in LOCAL_HOLIDAYS:
        NonWorkingDay.objects.get_or_create(
            date=day, defaults={"kind": NonWorkingDay.Kind.LOCAL_HOLIDAY, "name": name}
        )


def ensure_staff_user(password_file: Path, username: str = "admin") -> tuple[str, str]:
    """The development superuser; its password is generated once and kept in ``var/``."""
    user_model = get_user_model()
    if password_file.exists():
        password = password_file.read_text().strip()
    else:
        password = secrets.token_urlsafe(12)
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user_model.objects.create_superuser(username, "admin@example.org", password)
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return username, password
