"""The shared outbox (``seu.core.outbox``): an e-mail is a row written with what it tells, leaves
after the commit, and a broker that is down loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from seu import tasks
from seu.core import outbox
from seu.models import OutgoingEmail, TownHall

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


def _queue(about: TownHall | None = None) -> OutgoingEmail:
    return outbox.queue_email(
        kind="test.notice",
        to="persona@example.org",
        subject="Un  avís\n de prova",
        text_body="Text",
        html_body="<p>Text</p>",
        attachments=[outbox.TextAttachment("cita.ics", "BEGIN:VCALENDAR", "text/calendar")],
        about=about,
        now=NOW,
    )


@pytest.mark.django_db(transaction=True)
def test_an_email_leaves_after_the_commit_with_its_attachment(settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from seu.celery import app

    app.conf.task_always_eager = True
    try:
        with transaction.atomic():
            email = _queue()
            assert mail.outbox == []  # nothing leaves before the commit
        email.refresh_from_db()
    finally:
        app.conf.task_always_eager = False
    assert email.state == OutgoingEmail.State.SENT
    assert email.subject == "Un avís de prova"
    (sent,) = mail.outbox
    assert sent.to == ["persona@example.org"]
    assert sent.attachments[0][:2] == ("cita.ics", "BEGIN:VCALENDAR")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_email() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("what the e-mail told failed")
    assert not OutgoingEmail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_at_the_commit_loses_nothing(monkeypatch, caplog) -> None:
    def broker_down(*args: object) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliver_email, "delay", broker_down)
    with transaction.atomic():
        email = _queue()
    assert "could not queue seu.tasks.deliver_email" in caplog.text
    assert OutgoingEmail.objects.get(pk=email.pk).state == OutgoingEmail.State.PENDING
    assert outbox.deliver_pending_emails(now=NOW) == 1
    assert outbox.deliver_pending_emails(now=NOW) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_erasing_the_emails_about_an_object_keeps_the_others(town_hall) -> None:
    about = _queue(about=town_hall)
    other = _queue()
    assert outbox.erase_emails_about([outbox.reference(town_hall)]) == 1
    about.refresh_from_db()
    other.refresh_from_db()
    assert (about.to, about.text_body, about.attachments) == ("", "", [])
    assert other.to == "persona@example.org"
