"""Explicit lifecycles (STYLE "Things with a lifecycle"): the allowed transitions in one place, one
``InvalidTransition``, and a log row written in the same transaction as the change.

An app declares its workflow once, next to its models' use cases::

    WORKFLOW = Workflow(
        transitions={"": {State.PENDING}, State.PENDING: {State.CONFIRMED}, ...},
        log_model=AppointmentTransition,
        subject_field="appointment",
        message=_("Aquesta cita no pot passar de «%(from)s» a «%(to)s»."),
    )
    WORKFLOW.move(appointment, State.CONFIRMED, at=now, actor=user)

The log model derives from ``TransitionLog`` (or has the same fields). ``move`` changes the state
with a conditional ``UPDATE … WHERE state = <the state read>``: if another process changed the row
meanwhile, nothing is written and ``StaleState`` says so, so two sweepers never act twice even
where ``SELECT … FOR UPDATE`` is a no-op (SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models, router, transaction
from django.db.models.signals import post_save
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from seu.errors import InvalidInput


class InvalidTransition(InvalidInput):
    """A change of state the workflow does not allow."""

    code = "invalid_transition"


class StaleState(InvalidTransition):
    """The row's state changed since it was read: another process got there first."""

    code = "stale_state"


class TransitionLog(models.Model):
    """One row per change of state, written with the change: who, when, from, to and why.

    Concrete logs add the foreign key to their subject (``subject_field`` of the workflow)."""

    from_state = models.CharField(_("de"), max_length=20, blank=True)
    to_state = models.CharField(_("a"), max_length=20)
    at = models.DateTimeField(_("instant"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("qui"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("motiu"), blank=True)

    class Meta:
        abstract = True
        verbose_name = _("canvi d'estat")
        verbose_name_plural = _("canvis d'estat")
        ordering = ["at", "pk"]


class Workflow:
    """The states an object may move between, and how each move is recorded."""

    def __init__(
        self,
        *,
        transitions: Mapping[str, Iterable[str]],
        log_model: type[models.Model],
        subject_field: str,
        message: str | Promise,
        state_field: str = "state",
        label: Callable[[str], str] | None = None,
        reason_max_length: int | None = None,
    ) -> None:
        self.transitions: dict[str, frozenset[str]] = {
            str(source): frozenset(str(target) for target in targets)
            for source, targets in transitions.items()
        }
        unknown = {
            target for targets in self.transitions.values() for target in targets
        } - self.transitions.keys()
        if unknown:
            raise ValueError(f"states reached but never declared: {sorted(unknown)}")
        self.log_model = log_model
        self.subject_field = subject_field
        self.message = message
        self.state_field = state_field
        self.label = label or str
        self.reason_max_length = reason_max_length

    def allows(self, from_state: str, to_state: str) -> bool:
        return str(to_state) in self.transitions.get(str(from_state or ""), frozenset())

    def check(self, from_state: str, to_state: str) -> None:
        if not self.allows(from_state, to_state):
            raise InvalidTransition(
                self.message
                % {"from": self.label(str(from_state or "")), "to": self.label(str(to_state))}
            )

    def start(
        self,
        subject: models.Model,
        *,
        at: Any,
        actor: AbstractBaseUser | None = None,
        reason: str = "",
        log_fields: Mapping[str, Any] | None = None,
    ) -> models.Model:
        """Log the entry of ``subject`` into the workflow at the state it was created with (the
        caller inserted it, often with more care than a plain save: a unique index to catch)."""
        state = str(getattr(subject, self.state_field))
        self.check("", state)
        if subject.pk is None:
            subject.save(force_insert=True)
        return self._log(
            subject, "", state, at=at, actor=actor, reason=reason, log_fields=log_fields
        )

    def note(
        self,
        subject: models.Model,
        *,
        at: Any,
        actor: AbstractBaseUser | None = None,
        reason: str = "",
        log_fields: Mapping[str, Any] | None = None,
    ) -> models.Model:
        """Log something that happened to ``subject`` without changing its state (a moved
        appointment): the log is the object's whole life."""
        state = str(getattr(subject, self.state_field))
        return self._log(
            subject, state, state, at=at, actor=actor, reason=reason, log_fields=log_fields
        )

    def move(
        self,
        subject: models.Model,
        to_state: str,
        *,
        at: Any,
        actor: AbstractBaseUser | None = None,
        reason: str = "",
        fields: Sequence[str] = (),
        log_fields: Mapping[str, Any] | None = None,
    ) -> models.Model:
        """Move a saved ``subject`` to ``to_state`` and log it, in the caller's transaction
        (required: the change and its log commit or roll back together).

        The state is written with ``UPDATE … WHERE pk = … AND state = <the state read>``, with
        ``fields`` beside it: if the row's state changed meanwhile nothing is written and
        ``StaleState`` is raised."""
        from_state = str(getattr(subject, self.state_field) or "")
        self.check(from_state, to_state)
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("a move outside a transaction could lose its log row")
        model = type(subject)
        updated = model._default_manager.filter(
            pk=subject.pk, **{self.state_field: from_state}
        ).update(
            **{self.state_field: to_state},
            **{name: getattr(subject, name) for name in fields},
        )
        if updated != 1:
            # Raised before anything was written: a sweep may catch it and go on.
            raise StaleState(self.message % {"from": "?", "to": self.label(to_state)})
        setattr(subject, self.state_field, to_state)
        # An UPDATE sends no signal; the row's listeners (caches) still hear of the change.
        post_save.send(
            sender=model,
            instance=subject,
            created=False,
            update_fields=frozenset([self.state_field, *fields]),
            raw=False,
            using=router.db_for_write(model, instance=subject),
        )
        return self._log(
            subject,
            from_state,
            to_state,
            at=at,
            actor=actor,
            reason=reason,
            log_fields=log_fields,
        )

    def _log(
        self,
        subject: models.Model,
        from_state: str,
        to_state: str,
        *,
        at: Any,
        actor: AbstractBaseUser | None,
        reason: str,
        log_fields: Mapping[str, Any] | None = None,
    ) -> models.Model:
        """``log_fields``: the concrete log's own columns (an evidence log's identification)."""
        if self.reason_max_length is not None:
            reason = reason[: self.reason_max_length]
        return self.log_model._default_manager.create(
            **{self.subject_field: subject},
            from_state=from_state,
            to_state=to_state,
            at=at,
            actor_id=actor.pk if actor else None,
            reason=reason,
            **(log_fields or {}),
        )
