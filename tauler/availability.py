"""The board's availability as evidence (art. 17.1, 18.4): what each probe of the board answered,
kept as stretches of good probes (``HealthRecord``) and incidents, which the exposure certificate
lists. The probe itself is a channel (``tauler.health``), which the beat task hands in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from seu import calendar
from tauler.models import HealthRecord, Incident


@transaction.atomic
def record_board_health(*, probe: Callable[[], bool], now: dt.datetime | None = None) -> bool:
    """Probe the board (``probe``: ``tauler.health.probe_board`` from the beat) and record its
    availability (art. 17.1, 18.4).

    A failed probe opens an "unavailable" incident (from the last good probe); the next good one
    closes it. A gap longer than ``TAULER_HEALTH_MAX_GAP_SECONDS`` between good probes (the
    worker, the beat or the whole seu were down) is recorded as a period in which availability was
    not verified: we cannot tell whether visitors could see the board, so it is listed as an
    incident as well."""
    now = now or calendar.now()
    ok = probe()
    last = HealthRecord.objects.select_for_update().order_by("-last_ok_at").first()
    open_outage = (
        Incident.objects.select_for_update()
        .filter(kind=Incident.Kind.UNAVAILABLE, edict__isnull=True, ended_at__isnull=True)
        .first()
    )
    if not ok:
        if open_outage is None:
            Incident.objects.create(
                kind=Incident.Kind.UNAVAILABLE,
                started_at=last.last_ok_at if last else now,
                detected_at=now,
                detail=str(_("El tauler no ha respost a la comprovació de disponibilitat.")),
            )
        return False
    gap = dt.timedelta(seconds=settings.TAULER_HEALTH_MAX_GAP_SECONDS)
    if open_outage is not None:
        open_outage.ended_at = now
        open_outage.save(update_fields=["ended_at"])
        HealthRecord.objects.create(first_ok_at=now, last_ok_at=now)
    elif last is not None and now - last.last_ok_at > gap:
        Incident.objects.create(
            kind=Incident.Kind.UNVERIFIED,
            started_at=last.last_ok_at,
            ended_at=now,
            detected_at=now,
            detail=str(
                _(
                    "No hi ha hagut comprovacions de disponibilitat del tauler durant aquest "
                    "període."
                )
            ),
        )
        HealthRecord.objects.create(first_ok_at=now, last_ok_at=now)
    elif last is not None:
        last.last_ok_at = now
        last.save(update_fields=["last_ok_at"])
    else:
        HealthRecord.objects.create(first_ok_at=now, last_ok_at=now)
    return True
