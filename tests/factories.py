from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from seu.models import AuthorisedOfficial, NonWorkingDay, Organ, TownHall


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

    class Params:
        staff = factory.Trait(is_staff=True)
        superuser = factory.Trait(is_staff=True, is_superuser=True)


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
    from seu.officials import local_today

    return local_today()
