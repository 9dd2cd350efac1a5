"""Demo data for `make run`: the town hall of Sant Llorenç des Cardassar, its organs, local
holidays, and staff: one clerk per organ and the heads of two organs, who see only their organs'
work (``seu.staff``). Idempotent; never run in production."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from seu import staff
from seu.models import NonWorkingDay, Organ, StaffRole, TownHall

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

# Heads of these organs approve their edicts; every organ has a clerk (``tramitador-<code>``).
HEADS = ["urbanisme", "secretaria"]

# What a clerk does in the back-office: the registry book and its actions, drafting edicts.
CLERK_GROUP = "Tramitació (registre i tauler)"
CLERK_PERMISSIONS = [
    ("registre", "view_registryentry"),
    ("registre", "add_registryentry"),
    ("registre", "change_registryentry"),
    ("tauler", "view_edict"),
    ("tauler", "add_edict"),
    ("tauler", "change_edict"),
]
# A head of an organ also approves, publishes and withdraws its edicts.
HEAD_GROUP = "Responsables d'òrgan"
HEAD_PERMISSIONS = [*CLERK_PERMISSIONS, ("tauler", "publish_edict")]

# The demo staff share one password, generated once and kept next to the admin's.
STAFF_LOGIN_FILE = "dev-staff-password.txt"


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
    ensure_demo_staff(Path(settings.VAR_DIR) / STAFF_LOGIN_FILE)


def _group(name: str, permissions: list[tuple[str, str]]) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.add(
        *[
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in permissions
        ]
    )
    return group


def ensure_demo_staff(password_file: Path) -> list[str]:
    """One clerk per organ (``tramitador-<organ code>``) and a head for each organ in ``HEADS``
    (``responsable-<organ code>``), with a confirmed TOTP device each (``manage.py totp <user>
    --code`` prints its current code). Returns their usernames."""
    from seu.identity.staff_auth import enrol_totp_device

    password = _password(password_file)
    clerks, heads = _group(CLERK_GROUP, CLERK_PERMISSIONS), _group(HEAD_GROUP, HEAD_PERMISSIONS)
    user_model = get_user_model()
    usernames = []
    wanted = [(code, StaffRole.CLERK) for code, _name in ORGANS]
    wanted += [(code, StaffRole.HEAD) for code in HEADS]
    for code, role in wanted:
        organ = Organ.objects.get(code=code)
        username = f"{'responsable' if role == StaffRole.HEAD else 'tramitador'}-{code}"
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.org", "is_staff": True},
        )
        if created:  # hashing is slow: only once, the password file is the truth afterwards
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.add(heads if role == StaffRole.HEAD else clerks)
        staff.grant_membership(user=user, organ=organ, role=role, acting_user=None)
        enrol_totp_device(user)
        usernames.append(username)
    return usernames


def _password(password_file: Path) -> str:
    if password_file.exists():
        return password_file.read_text().strip()
    password = secrets.token_urlsafe(12)
    password_file.parent.mkdir(parents=True, exist_ok=True)
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    return password


def ensure_staff_user(password_file: Path, username: str = "admin") -> tuple[str, str]:
    """The development superuser; its password is generated once and kept in ``var/``."""
    user_model = get_user_model()
    password = _password(password_file)
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user_model.objects.create_superuser(username, "admin@example.org", password)
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return username, password
