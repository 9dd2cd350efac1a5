"""The appointments' e-mails move to the shared outbox (``seu.OutgoingEmail``): each row is copied
with its kind prefixed by the app, what it is about as an opaque reference, and its calendar file
as an attachment. The old table goes in the next migration."""

from django.db import migrations


def copy_emails(apps, schema_editor):
    old = apps.get_model("cites", "OutgoingEmail")
    new = apps.get_model("seu", "OutgoingEmail")
    rows = []
    for email in old.objects.order_by("pk").iterator():
        rows.append(
            new(
                kind=f"cites.{email.kind}",
                reference=f"cites.appointment:{email.appointment_id}"
                if email.appointment_id
                else "",
                to=email.to,
                subject=email.subject,
                text_body=email.text_body,
                html_body=email.html_body,
                attachments=[
                    {"filename": "cita.ics", "content": email.ics, "mimetype": "text/calendar"}
                ]
                if email.ics
                else [],
                state=email.state,
                attempts=email.attempts,
                last_error=email.last_error,
                created_at=email.created_at,
                sent_at=email.sent_at,
            )
        )
    new.objects.bulk_create(rows, batch_size=500)


def copy_back(apps, schema_editor):
    old = apps.get_model("cites", "OutgoingEmail")
    new = apps.get_model("seu", "OutgoingEmail")
    for email in new.objects.filter(kind__startswith="cites.").order_by("pk").iterator():
        appointment_id = None
        if email.reference.startswith("cites.appointment:"):
            appointment_id = int(email.reference.split(":", 1)[1])
        old.objects.create(
            appointment_id=appointment_id,
            kind=email.kind.removeprefix("cites."),
            to=email.to,
            subject=email.subject,
            text_body=email.text_body,
            html_body=email.html_body,
            ics=next((a["content"] for a in email.attachments), ""),
            state=email.state,
            attempts=email.attempts,
            last_error=email.last_error,
            created_at=email.created_at,
            sent_at=email.sent_at,
        )
        email.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cites", "0002_default_services"),
        ("seu", "0004_outgoing_email"),
    ]

    operations = [migrations.RunPython(copy_emails, copy_back)]
