"""What a citizen may read of the registry, for every channel (the carpeta's pages and the API).

An identified person reads the incoming entries of their own person and, when acting for an
entity, the entity's, as interested person or representative. Earlier entries are personal data
of earlier acts and need ``identity.PERSONAL_DATA_LOA`` (art. 8.2); what an identification filed
itself it reads at any level, since its receipt is due at once (art. 33.f).
"""

from __future__ import annotations

from django.db.models import QuerySet

from registre.models import Direction, RegistryEntry
from seu import identity
from seu.identity import representation
from seu.models import Identification, Organ


def citizen_entries(identification: Identification) -> QuerySet[RegistryEntry]:
    """Every entry whose person this identification is, at any level. Every lookup by id or
    number goes through here first, so someone else's entry is a 404; then ``check_may_read``."""
    person, entity = representation.session_parties(identification)
    entries = RegistryEntry.objects.visible_to(person, entity=entity)
    return entries.filter(direction=Direction.IN, number__isnull=False)


def readable_entries(identification: Identification) -> QuerySet[RegistryEntry]:
    """The entries this identification may list now: all of them at the level personal data
    need, otherwise only those it filed itself."""
    entries = citizen_entries(identification)
    if not identity.has_level(identification, identity.PERSONAL_DATA_LOA):
        entries = entries.filter(identification=identification)
    return entries


def check_may_read(identification: Identification, entry: RegistryEntry) -> None:
    """Raise ``identity.InsufficientLevel`` for one of the person's entries (found through
    ``citizen_entries``) filed in another identification, when this one is below the level."""
    if entry.identification_id != identification.pk:
        identity.check_level(identification, identity.PERSONAL_DATA_LOA)


def organ_entry(organ: Organ, number: str) -> RegistryEntry | None:
    """The entry of ``organ`` numbered ``number`` (another organ's is not found, as one that does
    not exist)."""
    return RegistryEntry.objects.filter(organ=organ, number=number).first()
