"""Staff and the organs they work for (DESIGN "Staff belong to organs").

A member of staff is linked to each organ they work for with a role (``StaffRole``: clerk or head
of the organ), or supervises every organ. Every staff-facing queryset goes through
``scoped_to_staff`` before any lookup, in the back-office and in the API alike, so the work of
another organ is a 404, never a 403 (STYLE "Where things live"). A user with no membership sees
nothing; a superuser and a supervisor see everything.

Memberships change only through ``grant_membership`` and ``revoke_membership``, which write a
``StaffMembershipChange`` row (who, what, to whom, when) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from seu import calendar
from seu.errors import InvalidInput, NotFound
from seu.models import Organ, StaffMembership, StaffMembershipChange, StaffRole

ModelT = TypeVar("ModelT", bound=models.Model)
User = AbstractBaseUser | AnonymousUser


def _user_id(user: User | None) -> int | None:
    if user is None or not user.is_authenticated or not getattr(user, "is_active", False):
        return None
    return user.pk


def sees_every_organ(user: User | None) -> bool:
    """A superuser, or a supervisor: the work of every organ."""
    user_id = _user_id(user)
    if user_id is None:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return StaffMembership.objects.filter(user_id=user_id, role=StaffRole.SUPERVISOR).exists()


def organs_of(user: User | None) -> models.QuerySet[Organ] | None:
    """The organs whose work ``user`` may see and act on; ``None`` means every organ (superusers
    and supervisors). Anonymous, inactive and unattached users get an empty queryset."""
    user_id = _user_id(user)
    if user_id is None:
        return Organ.objects.none()
    if sees_every_organ(user):
        return None
    # A subquery, not a list: the scoped queryset stays one SQL statement.
    return Organ.objects.filter(
        pk__in=StaffMembership.objects.filter(user_id=user_id, organ__isnull=False).values(
            "organ_id"
        )
    )


def scoped_to_staff(
    queryset: models.QuerySet[ModelT], user: User | None, *, organ_field: str = "organ"
) -> models.QuerySet[ModelT]:
    """``queryset`` limited to the rows of ``user``'s organs (all of them for a supervisor)."""
    organs = organs_of(user)
    if organs is None:
        return queryset
    return queryset.filter(**{f"{organ_field}__in": organs})


def active_organs() -> models.QuerySet[Organ]:
    """Every organ still in service: what a channel resolves an organ code against before it
    checks that the user works for it (``check_works_for``)."""
    return Organ.objects.filter(is_active=True)


def organs_to_offer(user: User | None, *, active_only: bool = True) -> models.QuerySet[Organ]:
    """The organs a form offers ``user`` to act for: theirs (every organ for a supervisor)."""
    organs = Organ.objects.filter(is_active=True) if active_only else Organ.objects.all()
    return scoped_to_staff(organs, user, organ_field="pk")


def check_works_for(user: User | None, organ: Organ) -> None:
    """Refuse acting for an organ the user does not work for (a service's own check, for
    channels that bypassed the scoped querysets)."""
    organs = organs_of(user)
    if organs is not None and not organs.filter(pk=organ.pk).exists():
        raise NotFound(
            _("No treballau per a l'òrgan «%(organ)s».") % {"organ": organ.name},
            code="organ_not_yours",
        )


def heads(user: User | None, organ: Organ) -> bool:
    """Whether ``user`` is the head of ``organ`` (art. 31.1: who resolves its case files)."""
    user_id = _user_id(user)
    return (
        user_id is not None
        and StaffMembership.objects.filter(
            user_id=user_id, organ=organ, role=StaffRole.HEAD
        ).exists()
    )


def check_heads(user: User | None, organ: Organ) -> StaffMembership:
    """The head's membership of ``organ`` (with the post they sign with), or ``NotFound``: only
    the head of the organ resolves (art. 31.1), whatever else the user may see."""
    user_id = _user_id(user)
    membership = (
        StaffMembership.objects.filter(user_id=user_id or 0, organ=organ, role=StaffRole.HEAD)
        .select_related("user", "organ")
        .first()
    )
    if membership is None:
        raise NotFound(
            _("Només el responsable de l'òrgan «%(organ)s» pot resoldre.") % {"organ": organ.name},
            code="not_head",
        )
    return membership


# --- Changes of membership ------------------------------------------------------------------------


def _check_role(role: str, organ: Organ | None) -> None:
    if role not in StaffRole.values:
        raise InvalidInput(_("Funció desconeguda."), code="bad_role")
    if (role == StaffRole.SUPERVISOR) != (organ is None):
        raise InvalidInput(
            _("Un supervisor no és de cap òrgan; un tramitador o un responsable, d'un sol òrgan."),
            code="bad_role_organ",
        )


def _log(
    *,
    user: Any,
    organ: Organ | None,
    action: str,
    role: str,
    previous_role: str = "",
    acting_user: User | None,
    at: dt.datetime,
) -> None:
    StaffMembershipChange.objects.create(
        at=at,
        actor_id=_user_id(acting_user),
        user=user,
        organ=organ,
        action=action,
        role=role,
        previous_role=previous_role,
    )


@transaction.atomic
def grant_membership(
    *,
    user: AbstractBaseUser,
    organ: Organ | None,
    role: str,
    acting_user: User | None,
    now: dt.datetime | None = None,
) -> StaffMembership:
    """Give ``user`` a role at ``organ`` (``None`` and ``supervisor``: every organ), or change the
    role they hold there. Granting what they already hold changes nothing and logs nothing."""
    _check_role(role, organ)
    now = now or calendar.now()
    # ``organ=None`` is ``IS NULL``: a user's one supervision row.
    membership = (
        StaffMembership.objects.select_for_update()
        .filter(user_id=user.pk, organ=organ)
        .order_by("pk")  # not the Meta ordering: its join to the organ cannot be locked
        .first()
    )
    if membership is not None:
        if membership.role == role:
            return membership
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        _log(
            user=user,
            organ=organ,
            action=StaffMembershipChange.Action.CHANGED,
            role=role,
            previous_role=previous,
            acting_user=acting_user,
            at=now,
        )
        return membership
    membership = StaffMembership.objects.create(
        user_id=user.pk, organ=organ, role=role, granted_at=now, granted_by_id=_user_id(acting_user)
    )
    _log(
        user=user,
        organ=organ,
        action=StaffMembershipChange.Action.GRANTED,
        role=role,
        acting_user=acting_user,
        at=now,
    )
    return membership


@transaction.atomic
def revoke_membership(
    *, membership_id: int, acting_user: User | None, now: dt.datetime | None = None
) -> None:
    """Withdraw a membership: from now on the user no longer sees that organ's work."""
    membership = (
        StaffMembership.objects.select_for_update().filter(pk=membership_id).order_by("pk").first()
    )
    if membership is None:
        return  # already withdrawn: nothing to log twice
    _log(
        user=membership.user,
        organ=membership.organ,
        action=StaffMembershipChange.Action.REVOKED,
        role=membership.role,
        acting_user=acting_user,
        at=now or calendar.now(),
    )
    membership.delete()
