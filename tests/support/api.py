"""Clients of the registry API (``registre.api``): another system with a token, a citizen with a
seu session, and the registry permissions a member of staff is granted."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from seu import identity
from seu.models import Identification, LoA


def grant(user: Any, *codenames: str) -> None:
    """Give ``user`` the registry's permissions ``codenames``."""
    for codename in codenames:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="registre", codename=codename)
        )


def token_client(user: Any) -> APIClient:
    """An API client authenticated by ``user``'s token."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def citizen_client(person: identity.PersonData) -> APIClient:
    """An API client whose seu session identifies ``person`` through Cl@ve."""
    client = APIClient()
    identification = identity.record_identification(
        person=person,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve", saml_assertion_id=f"_{person.nif}"),
    )
    session = client.session
    session[identity.SESSION_KEY] = identification.pk
    session.save()
    return client
