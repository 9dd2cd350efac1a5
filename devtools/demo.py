"""Demo data for `make run`: the town hall of Sant Llorenç des Cardassar, its organs, local
holidays, and staff: one clerk per organ and the heads of three organs, who see only their organs'
work (``seu.staff``); the information page's content and the appointment services
(``devtools.demo_information``); the catalogue of procedures (``devtools.demo_expedients``). What
staff would write comes in Catalan, Spanish and English, so that the Spanish and English pages
show no Catalan data. Idempotent; never run in production."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from devtools.demo_expedients import load_procedures
from devtools.demo_information import fill_translations, load_appointment_services, load_information
from seu import services as seu_services
from seu import staff
from seu.models import NonWorkingDay, Organ, StaffRole, TownHall
from seu.translated import in_source_language

# code: name in Catalan, Spanish and English (``seu.translated``).
ORGANS = {
    "alcaldia": {"ca": "Alcaldia", "es": "Alcaldía", "en": "Mayor's Office"},
    "secretaria": {"ca": "Secretaria", "es": "Secretaría", "en": "Secretary's Office"},
    "intervencio": {
        "ca": "Intervenció i Tresoreria",
        "es": "Intervención y Tesorería",
        "en": "Audit and Treasury",
    },
    "urbanisme": {
        "ca": "Àrea d'Urbanisme i Obres",
        "es": "Área de Urbanismo y Obras",
        "en": "Town Planning and Works",
    },
    "serveis-socials": {
        "ca": "Àrea de Serveis Socials",
        "es": "Área de Servicios Sociales",
        "en": "Social Services",
    },
    "oac": {
        "ca": "Oficina d'Atenció a la Ciutadania",
        "es": "Oficina de Atención a la Ciudadanía",
        "en": "Citizen Service Office",
    },
}

OFFICE_HOURS = {
    "ca": "De dilluns a divendres, de 9 a 14 h",
    "es": "De lunes a viernes, de 9 a 14 h",
    "en": "Monday to Friday, 9 am to 2 pm",
}

# Demo local holidays (a municipality sets two a year; these are illustrative).
LOCAL_HOLIDAYS = [
    (dt.date(2026, 1, 16), "Sant Antoni (festa local)"),
    (dt.date(2026, 8, 10), "Sant Llorenç (festa local)"),
    (dt.date(2027, 1, 18), "Sant Antoni (festa local)"),
    (dt.date(2027, 8, 10), "Sant Llorenç (festa local)"),
]

# Heads of these organs approve their edicts and resolve their case files (the OAC's: complaints
# and suggestions); every organ has a clerk (``tramitador-<code>``).
HEADS = ["urbanisme", "secretaria", "oac"]

# What a clerk does in the back-office: the registry book and its actions, drafting edicts.
CLERK_GROUP = "Tramitació (registre i tauler)"
CLERK_PERMISSIONS = [
    ("registre", "view_registryentry"),
    ("registre", "add_registryentry"),
    ("registre", "change_registryentry"),
    ("tauler", "view_edict"),
    ("tauler", "add_edict"),
    ("tauler", "change_edict"),
    # The register of powers: search it, register a power granted in person, revoke one at the
    # grantor's request (art. 26.2.a).
    ("seu", "view_power"),
    ("seu", "add_power"),
    ("seu", "change_power"),
]
# A head of an organ also approves, publishes and withdraws its edicts.
HEAD_GROUP = "Responsables d'òrgan"
HEAD_PERMISSIONS = [*CLERK_PERMISSIONS, ("tauler", "publish_edict")]

# The demo staff share one password, generated once and kept next to the admin's.
STAFF_LOGIN_FILE = "dev-staff-password.txt"


@transaction.atomic
@in_source_language()
def load_demo_data() -> None:
    if not TownHall.objects.exists():
        town_hall = TownHall(
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
            office_hours=OFFICE_HOURS["ca"],
        )
        seu_services.save_town_hall(town_hall=town_hall, acting_user=None, reason="demo")
    fill_translations(TownHall.objects.current(), office_hours=OFFICE_HOURS)
    for code, names in ORGANS.items():
        organ, _ = Organ.objects.get_or_create(code=code, defaults={"name": names["ca"]})
        fill_translations(organ, name=names)
    for day, name in LOCAL_HOLIDAYS:  # through the service: logged, and the caches follow
        if not NonWorkingDay.objects.filter(date=day).exists():
            seu_services.declare_non_working_day(
                date=day,
                kind=NonWorkingDay.Kind.LOCAL_HOLIDAY,
                name=name,
                acting_user=None,
                reason="demo",
            )
    load_information()
    load_appointment_services()
    ensure_demo_staff(Path(settings.VAR_DIR) / STAFF_LOGIN_FILE)
    load_procedures()  # after the staff: the heads get the post they sign with


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
    wanted = [(code, StaffRole.CLERK) for code in ORGANS]
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
