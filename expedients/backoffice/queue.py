"""An organ's queue (art. 27.1): the case files the user may see, open ones by default, in the
order their entries came in, filtered by organ, state, "due within N days", "overdue" and "a
declared representation to check" (art. 26.2.c), or found by case number or NIF.

One query for the page's rows (with their procedure and person), read with a limit of one row more
than the page: that row says whether there is a next page, so the table is never counted (a "next
page" link is enough, issue 15's benchmark)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from expedients import services
from expedients.backoffice.forms import ALL, OPEN, QueueFilterForm
from expedients.models import OPEN_STATES, Expedient, ExpedientQuerySet, State
from seu import calendar, catalan
from seu.models import Representation, RepresentationCheck
from seu.people import normalise_person_id
from seu.translated import SOURCE_LANGUAGE, TARGET_LANGUAGES, column

PAGE_SIZE = 50
# A declared representation still waiting for the organ (art. 26.2.c and its last paragraph).
PENDING_CHECKS = (RepresentationCheck.TO_CHECK, RepresentationCheck.PROOF_REQUESTED)
# What a row shows: the case's columns, its procedure's code and name, its person's name and NIF.
ROW_FIELDS = (
    "number",
    "state",
    "effective_at",
    "deadline",
    "suspended_since",
    "organ_id",
    "procedure_id",
    "interested_id",
    "representation",
    "representation_check",
    "procedure__code",
    "procedure__name",
    # The name in each language (modeltranslation reads the active one, falling back to Catalan):
    # all of them, or each row would fetch its procedure's again.
    *(
        f"procedure__{column('name', language)}"
        for language in (SOURCE_LANGUAGE, *TARGET_LANGUAGES)
    ),
    "interested__nif",
    "interested__kind",
    "interested__given_name",
    "interested__surnames",
    "interested__legal_name",
)


@dataclass(frozen=True)
class QueuePage:
    rows: list[Expedient]
    number: int
    has_next: bool
    today: dt.date

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _search(found: QuerySet[Expedient], term: str) -> QuerySet[Expedient]:
    term = term.strip()
    if not term:
        return found
    try:
        nif = normalise_person_id(term)
    except ValidationError:  # not a NIF: a case number, or part of one
        nif = ""
    if nif:
        return found.filter(Q(interested__nif=nif) | Q(representative__nif=nif))
    return found.filter(number__icontains=term)


def queue_rows(
    user: Any,
    *,
    organ: Any = None,
    state: str = OPEN,
    due_within: int | None = None,
    overdue: bool = False,
    to_check: bool = False,
    search: str = "",
    today: dt.date | None = None,
) -> QuerySet[Expedient]:
    """The case files of the queue, in processing order (not yet limited to a page)."""
    today = today or calendar.to_local(calendar.now()).date()
    found = services.staff_cases(user)
    if organ is not None:
        found = found.filter(organ=organ)
    if state == OPEN or not state:
        found = found.filter(state__in=list(OPEN_STATES))
    elif state != ALL:
        found = found.filter(state=state)
    if due_within is not None:
        found = found.filter(deadline__lte=today + dt.timedelta(days=due_within))
    if overdue:
        found = found.filter(deadline__lt=today)
    if to_check:
        found = found.filter(
            representation=Representation.DECLARED, representation_check__in=PENDING_CHECKS
        )
    found = _search(found, search)
    ordered = cast(ExpedientQuerySet, found).in_processing_order()
    return ordered.select_related("procedure", "interested").only(*ROW_FIELDS)


def queue_page(user: Any, form: QueueFilterForm, page: Any) -> QueuePage:
    """The page ``page`` (1 if it is not a page number) of the queue ``form`` filters."""
    try:
        number = max(int(page), 1)
    except (TypeError, ValueError):
        number = 1
    today = calendar.to_local(calendar.now()).date()
    found = queue_rows(
        user,
        organ=form.value("organ"),
        state=form.value("estat") or OPEN,
        due_within=form.value("dies"),
        overdue=bool(form.value("vencuts")),
        to_check=bool(form.value("representacio")),
        search=form.value("q") or "",
        today=today,
    )
    start = (number - 1) * PAGE_SIZE
    rows = list(found[start : start + PAGE_SIZE + 1])
    return QueuePage(
        rows=rows[:PAGE_SIZE], number=number, has_next=len(rows) > PAGE_SIZE, today=today
    )


def shown_rows(page: QueuePage, *, link: Callable[[int], str]) -> list[dict[str, Any]]:
    """What each row of ``page`` shows, as text in the active language: ``link(pk)`` is the
    case's page. A label or a day that repeats across the rows is translated or formatted once."""
    states = {value: str(label) for value, label in State.choices}
    checks: dict[str, str] = {
        RepresentationCheck.TO_CHECK: gettext("representació per comprovar"),
        RepresentationCheck.PROOF_REQUESTED: gettext("acreditació de la representació demanada"),
    }
    days: dict[dt.date, str] = {}
    since: dict[dt.date, str] = {}
    shown = []
    for case in page.rows:
        deadline = case.deadline
        if deadline not in days:
            days[deadline] = calendar.format_date(deadline)
        suspended = case.suspended_since
        if suspended is not None and suspended not in since:
            since[suspended] = catalan.date_phrase("since", suspended)
        interested = case.interested
        shown.append(
            {
                "pk": case.pk,
                "url": link(case.pk),
                "number": case.number,
                "procedure": case.procedure.name,
                "person": interested.display_name,
                "nif": interested.nif,
                "entered": calendar.format_instant(case.effective_at),
                "deadline": days[deadline],
                "overdue": case.is_open and deadline < page.today,
                "state": states.get(case.state, case.state),
                "suspended_since": since[suspended] if suspended is not None else "",
                "representation": checks.get(case.representation_check, "")
                if case.representation == Representation.DECLARED
                else "",
            }
        )
    return shown
