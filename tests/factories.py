from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from seu.models import (
    AuthorisedOfficial,
    NonWorkingDay,
    Organ,
    StaffMembership,
    StaffRole,
    TownHall,
)
from tests.support.files import make_png


class TownHallFactory(factory.django.DjangoModelFactory[TownHall]):
    class Meta:
        model = TownHall

    name = "Ajuntament de Sant Llorenç des Cardassar"
    nif = "P0705700C"
    address = "Plaça de l'Ajuntament, 1"
    postal_code = "07530"
    municipality = "Sant Llorenç des Cardassar"
    phone = "971 83 83 83"
    email = "ajuntament@example.org"


class OrganFactory(factory.django.DjangoModelFactory[Organ]):
    class Meta:
        model = Organ
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"organ-{n}")
    name = factory.Sequence(lambda n: f"Àrea {n}")


class NonWorkingDayFactory(factory.django.DjangoModelFactory[NonWorkingDay]):
    class Meta:
        model = NonWorkingDay

    kind = NonWorkingDay.Kind.LOCAL_HOLIDAY
    name = "Festa local"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()  # type: ignore[attr-defined]

    # The organs a member of staff works for (``seu.staff``): ``clerk_of=organ`` (or a list),
    # ``head_of=organ``, ``supervisor=True`` (every organ). Written directly, as a fixture: the
    # service and its log are tested in tests/seu/test_staff.py.
    @factory.post_generation
    def clerk_of(
        self, create: bool, extracted: Organ | list[Organ] | None, **kwargs: object
    ) -> None:
        _memberships(self, create, extracted, StaffRole.CLERK)

    @factory.post_generation
    def head_of(
        self, create: bool, extracted: Organ | list[Organ] | None, **kwargs: object
    ) -> None:
        _memberships(self, create, extracted, StaffRole.HEAD)

    @factory.post_generation
    def supervisor(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted:
            StaffMembership.objects.get_or_create(
                user_id=self.pk,  # type: ignore[attr-defined]
                organ=None,
                defaults={"role": StaffRole.SUPERVISOR, "granted_at": _now()},
            )

    class Params:
        staff = factory.Trait(is_staff=True)
        superuser = factory.Trait(is_staff=True, is_superuser=True)


def _memberships(
    user: Any, create: bool, organs: Organ | list[Organ] | None, role: StaffRole
) -> None:
    if not create or organs is None:
        return
    for organ in organs if isinstance(organs, list | tuple) else [organs]:
        StaffMembership.objects.update_or_create(
            user_id=user.pk, organ=organ, defaults={"role": role, "granted_at": _now()}
        )


def _now() -> dt.datetime:
    from seu import calendar

    return calendar.now()


class AuthorisedOfficialFactory(factory.django.DjangoModelFactory[AuthorisedOfficial]):
    """An entry of the register of authorised officials (art. 14.3), enabled since last year."""

    class Meta:
        model = AuthorisedOfficial

    user = factory.SubFactory(UserFactory, staff=True)
    nif = "00000000T"
    full_name = "Aina Mascaró Riera"
    position = "Auxiliar administrativa de l'OAC"
    enabled_from = factory.LazyFunction(lambda: _local_today() - dt.timedelta(days=365))
    enabled_until = None
    resolution = "Decret de Batlia 2026/123"


def _local_today() -> dt.date:
    from seu.identity.officials import local_today

    return local_today()


# --- Aggregates built through their services (a factory never writes what a service owns) -------


class RegistryEntryFactory(factory.Factory):
    """An incoming entry registered by ``registre.services.register_entry``, with its sealed
    receipt (art. 33.f). Traits: ``with_attachment=True`` adds a PNG attachment."""

    class Meta:
        model = dict  # built by the service, see ``_create``

    organ = factory.SubFactory(OrganFactory)
    subject = "Sol·licitud de llicència de gual"
    exposition = "Que visc al carrer Major, 1."
    request = "Que se'm concedeixi la llicència."
    interested = factory.LazyFunction(
        lambda: _person_data(nif="12345678Z", given_name="Maria", surnames="Garcia Ferrer")
    )
    representative = None
    identification = None
    attachments: Any = ()
    presented_at = factory.LazyFunction(_now)

    class Params:
        with_attachment = factory.Trait(
            attachments=factory.LazyFunction(lambda: [_accept("plànol.png", make_png())])
        )

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from registre import services

        kwargs.setdefault("now", kwargs["presented_at"])
        return services.register_entry(**kwargs)

    @classmethod
    def _build(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a registry entry exists only once registered")


def _person_data(**fields: str) -> Any:
    from seu.identity import PersonData

    return PersonData(**fields)


def _accept(name: str, data: bytes) -> Any:
    from registre import attachments

    return attachments.accept(name, data)


class EdictFactory(factory.Factory):
    """A draft edict created by ``tauler.services.create_draft`` (no document attached), by
    ``acting_user``, a member of staff of ``organ``."""

    class Meta:
        model = dict  # built by the service, see ``_create``

    title = "Aprovació inicial del pla parcial"
    category = "urbanisme"
    text = "S'exposa al públic l'aprovació inicial."
    period_kind = "working_days"
    period_days = 15

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        from tauler import services

        return services.create_draft(**kwargs)
