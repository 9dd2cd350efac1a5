"""The cancelled appointment's e-mail names the day with its article (issue #13, item 4)."""

from __future__ import annotations

import pytest
from django.core import mail

from cites import services
from cites.models import Service
from seu.core import outbox
from tests.cites.conftest import book, local
from tests.factories import TownHallFactory

pytestmark = pytest.mark.django_db


def test_the_cancelled_appointment_email_elides_the_article_before_the_first(
    fnmt: Service, mailoutbox: list[mail.EmailMessage]
) -> None:
    TownHallFactory()
    now = local(2026, 9, 28, 8, 0)  # a Monday
    appointment = book(fnmt, local(2026, 10, 1, 9, 0), now=now)  # Thursday 1 October
    services.confirm_appointment(appointment=appointment, now=now)
    services.cancel_appointment(appointment=appointment, now=now)
    outbox.deliver_pending_emails()
    [cancelled] = [message for message in mail.outbox if "anul·lada." in str(message.body)]
    assert "La cita de l'1 d'octubre de 2026 a les 09:00 ha quedat anul·lada." in cancelled.body
