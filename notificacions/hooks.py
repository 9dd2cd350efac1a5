"""What notifications tell the apps above them (case files), inside the transaction of the fact
(``seu.core.hooks``): a notification was practised (accessed or delivered), rejected by the
person, expired by the passing of the period, or could not be delivered. Listeners receive a
list of ``Outcome`` (the sweep expires many at once) and know a notification only by its id and
the opaque ``case_reference`` they gave when sending it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from seu.core.hooks import Hook

# Fired with ``outcomes=[Outcome, ...]``.
OUTCOMES = Hook("notificacions.outcomes")


@dataclass(frozen=True)
class Outcome:
    notification_id: int
    case_reference: str
    state: str
    at: dt.datetime


def report_outcomes(outcomes: Sequence[Outcome]) -> None:
    if outcomes:
        OUTCOMES.fire(outcomes=list(outcomes))
