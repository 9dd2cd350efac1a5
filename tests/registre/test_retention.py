"""What is not kept: requests never confirmed, and stored files nothing refers to any more."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.storage import default_storage

from documents import services as documents
from documents.models import Blob
from registre import attachments, services
from registre.models import FilingDraft
from seu import identity
from seu.models import Identification, LoA
from tests.actors import CITIZEN
from tests.support.files import make_pdf

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def _identification() -> Identification:
    return identity.record_identification(
        person=CITIZEN,
        method=Identification.Method.CLAVE,
        loa=LoA.SUBSTANTIAL,
        evidence=identity.Evidence(provider="Cl@ve", saml_assertion_id="_r1"),
    )


def _stored(text: str, *, at: dt.datetime) -> Blob:
    with time_machine.travel(at, tick=False):
        return attachments.accept(f"{text}.pdf", make_pdf(text)).blob


def _draft(blob: Blob, *, updated_at: dt.datetime) -> FilingDraft:
    return FilingDraft.objects.create(
        identification=_identification(),
        subject="Llicència d'obra",
        attachments=[{"sha256": blob.sha256, "name": "a.pdf", "content_type": "application/pdf"}],
        updated_at=updated_at,
    )


def test_a_request_never_confirmed_is_deleted_after_the_retention_period(settings) -> None:
    settings.REGISTRY_DRAFT_RETENTION_HOURS = 72
    blob = _stored("abandonat", at=NOW - dt.timedelta(days=5))
    old = _draft(blob, updated_at=NOW - dt.timedelta(hours=73))
    recent = _draft(blob, updated_at=NOW - dt.timedelta(hours=71))
    assert services.purge_abandoned_drafts(now=NOW) == 1
    assert list(FilingDraft.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not FilingDraft.objects.filter(pk=old.pk).exists()


def test_files_nothing_refers_to_are_purged_after_the_grace_period_and_the_rest_stay(
    settings, file_entry_with, django_capture_on_commit_callbacks
) -> None:
    settings.BLOB_ORPHAN_GRACE_HOURS = 24
    long_ago = NOW - dt.timedelta(days=3)
    orphan = _stored("orfe", at=long_ago)
    young_orphan = _stored("orfe recent", at=NOW - dt.timedelta(hours=2))
    in_a_draft = _stored("esborrany", at=long_ago)
    _draft(in_a_draft, updated_at=NOW)
    registered = _stored("registrat", at=long_ago)
    entry = file_entry_with(registered)
    receipt_blob = entry.receipt.current_version().blob  # a document version refers to it
    orphan_file = str(orphan.file.name)

    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),  # the file goes after the commit
    ):
        assert documents.purge_orphan_blobs() == 1

    assert not Blob.objects.filter(pk=orphan.pk).exists()
    assert not default_storage.exists(orphan_file)
    for kept in (young_orphan, in_a_draft, registered, receipt_blob):
        assert Blob.objects.filter(pk=kept.pk).exists()
        assert kept.read()  # the file is still there
    with time_machine.travel(NOW, tick=False):
        assert documents.purge_orphan_blobs() == 0  # nothing left to do


@pytest.fixture
def file_entry_with(town_hall, organ):
    def _file(blob: Blob):
        return services.register_entry(
            organ=organ,
            subject="Instància",
            interested=CITIZEN,
            attachments=[
                services.IncomingAttachment(
                    name="a.pdf", content_type="application/pdf", format_label="PDF", blob=blob
                )
            ],
            presented_at=NOW,
            now=NOW,
        )

    return _file
