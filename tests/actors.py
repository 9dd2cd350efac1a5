"""The named actors of STYLE.md, as fixtures every test module can take: a citizen, another
citizen, a representative, a clerk, a clerk of another organ, an anonymous visitor.

Each actor is an ``Actor``: a logged-in ``django.test.Client`` (a seu session for the people, a
back-office session past its second factor for staff) and who they are. A test module takes the
actors it uses by naming them at module level (pytest finds a fixture by its name in the module;
an assignment, not an import, so that ruff does not read the parameters as redefinitions)::

    from tests import actors

    citizen = actors.citizen
    clerk = actors.clerk

A fixture of the test module wins over a conftest's of the same name, so ``clerk`` here replaces
the conftests' older ``clerk`` (a ``User``) in the modules that take it.

Organ A is the conftest's ``organ`` (Secretaria); organ B is ``another_organ`` (Urbanisme). The
citizen has one entry filed for organ A, at the level personal data need, with a receipt and an
attachment; the clerk and the clerk of another organ hold the same permissions (every permission
of the registry and of the notice board), so what tells them apart is the organ alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from registre.models import RegistryEntry
from seu import identity
from seu.models import Identification, LoA, Organ
from tests.conftest import log_in_to_back_office
from tests.factories import OrganFactory, RegistryEntryFactory, UserFactory

CITIZEN = identity.PersonData(nif="12345678Z", given_name="Maria", surnames="Garcia Ferrer")
ANOTHER_CITIZEN = identity.PersonData(nif="X1234567L", given_name="Joan", surnames="Pons Marti")
REPRESENTATIVE = identity.PersonData(nif="11111111H", given_name="Aina", surnames="Roig Sureda")
ENTITY = identity.PersonData(nif="B12345674", legal_name="SERVEIS DEL LLEVANT SL")

# The permissions a clerk of the registry and the notice board holds in these tests, and those of
# the notifications of their organ (the register of consents is not an organ's: not theirs).
CLERK_APPS = ("registre", "tauler", "expedients")
CLERK_MODELS = (("notificacions", "notification"),)


@dataclass
class Actor:
    """Someone who sends requests: ``client`` carries their session."""

    name: str
    client: Client
    person: identity.PersonData | None = None
    represented: identity.PersonData | None = None
    identification: Identification | None = None
    user: User | None = None
    organ: Organ | None = None
    entries: list[RegistryEntry] = field(default_factory=list)

    @property
    def entry(self) -> RegistryEntry:
        """The (first) entry this actor filed."""
        return self.entries[0]

    def __repr__(self) -> str:  # what pytest prints in a failing parametrised test
        return f"<Actor {self.name}>"


def identify(
    client: Client,
    person: identity.PersonData,
    *,
    loa: LoA = LoA.SUBSTANTIAL,
    represented_entity: identity.PersonData | None = None,
) -> Identification:
    """Record an identification through Cl@ve and put it in ``client``'s seu session."""
    identification = identity.record_identification(
        person=person,
        method=Identification.Method.CLAVE,
        loa=loa,
        evidence=identity.Evidence(provider="Cl@ve", saml_assertion_id="_actors"),
        represented_entity=represented_entity,
    )
    session = client.session
    session[identity.SESSION_KEY] = identification.pk
    session.save()
    return identification


def person_actor(
    name: str,
    person: identity.PersonData,
    *,
    loa: LoA = LoA.SUBSTANTIAL,
    represented_entity: identity.PersonData | None = None,
) -> Actor:
    client = Client()
    found = identify(client, person, loa=loa, represented_entity=represented_entity)
    return Actor(
        name=name,
        client=client,
        person=person,
        represented=represented_entity,
        identification=found,
    )


def staff_actor(
    name: str,
    organ: Organ,
    *,
    apps: tuple[str, ...] = CLERK_APPS,
    models: tuple[tuple[str, str], ...] = CLERK_MODELS,
) -> Actor:
    """A clerk of ``organ`` holding every permission of ``apps`` and of ``models`` (app label,
    model), logged in to the back-office."""
    username = name.replace(" ", "-")
    user = cast(User, UserFactory.create(username=username, staff=True, clerk_of=organ))
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=apps))
    for app_label, model in models:
        user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
        )
    user = User.objects.get(pk=user.pk)  # a fresh object: no permission cache
    client = Client()
    log_in_to_back_office(client, user)
    return Actor(name=name, client=client, user=user, organ=organ)


def file_entry_for(actor: Actor, organ: Organ, **overrides: Any) -> RegistryEntry:
    """An entry ``actor`` files for ``organ`` (for the entity they act for, if any), with its
    receipt and one attachment; kept in ``actor.entries``."""
    assert actor.person is not None and actor.identification is not None
    arguments: dict[str, Any] = {
        "organ": organ,
        "interested": actor.represented or actor.person,
        "representative": actor.person if actor.represented else None,
        "identification": actor.identification,
        "with_attachment": True,
    }
    arguments.update(overrides)
    entry = cast(RegistryEntry, RegistryEntryFactory.create(**arguments))
    actor.entries.append(entry)
    return entry


# --- Fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def another_organ(db: None) -> Organ:
    """Organ B."""
    return cast(Organ, OrganFactory.create(code="urbanisme", name="Urbanisme"))


@pytest.fixture
def citizen(town_hall: Any, organ: Organ) -> Actor:
    """Maria, identified at the substantial level, with an entry filed for organ A."""
    actor = person_actor("citizen", CITIZEN)
    file_entry_for(
        actor, organ, subject="Llicència de gual al carrer de les Roses, 7 (Maria Garcia)"
    )
    return actor


@pytest.fixture
def another_citizen(town_hall: Any) -> Actor:
    """Joan, identified at the substantial level, with nothing filed."""
    return person_actor("another citizen", ANOTHER_CITIZEN)


@pytest.fixture
def representative(town_hall: Any) -> Actor:
    """Aina, identified at the substantial level acting for SERVEIS DEL LLEVANT SL; nothing
    filed (``file_entry_for(representative, organ)`` files for the entity)."""
    return person_actor("representative", REPRESENTATIVE, represented_entity=ENTITY)


@pytest.fixture
def clerk(organ: Organ) -> Actor:
    """A clerk of organ A, in the back-office."""
    return staff_actor("clerk", organ)


@pytest.fixture
def clerk_of_another_organ(another_organ: Organ) -> Actor:
    """A clerk of organ B with the same permissions as ``clerk``, in the back-office."""
    return staff_actor("clerk of another organ", another_organ)


@pytest.fixture
def anonymous(town_hall: Any) -> Actor:
    """A visitor with no session."""
    return Actor(name="anonymous", client=Client())
