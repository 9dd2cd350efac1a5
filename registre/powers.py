"""Powers *apud acta* granted in person at the registry office (art. 26.2.a; Law 39/2015 art. 6):
the back-office's use cases.

The clerk checks the grantor's identity document, records the power in the register of powers
(``seu.identity.office_powers``) and scans the paper the grantor signed, which is kept sealed as
an authentic copy (art. 30; ``documents``) and linked to the power (``PowerPaper``): the power and
its paper, or nothing. The scan passes the registry's checks of every upload
(``registre.attachments``: the content decides the format; a damaged, encrypted or active file, or
one over the limit, is refused) and must be a PDF.

Who may: the Django permission ``seu.add_power`` (register a power at the office),
``seu.change_power`` (revoke one at the grantor's request) and ``seu.view_power`` (see the
register and download the papers). They are the register of powers' own, apart from the
registry book's: a clerk of the book does not register powers unless given them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from documents import intake
from documents import services as documents
from documents.models import Document
from registre import attachments
from registre.models import PowerPaper
from seu import calendar
from seu.identity import PersonData, office_powers
from seu.identity.representation import InvalidPower, PowerInput
from seu.models import Power

ADD = "seu.add_power"
REVOKE = "seu.change_power"
VIEW = "seu.view_power"


def may(user: AbstractBaseUser | AnonymousUser | None, permission: str) -> bool:
    # ``has_perm`` is ``PermissionsMixin``'s: any user model of the back-office has it.
    return bool(user is not None and user.is_active and cast(Any, user).has_perm(permission))


def require(user: AbstractBaseUser | AnonymousUser | None, permission: str) -> None:
    """The register of powers' permission, or 403 (as the registry's other staff pages)."""
    if not may(user, permission):
        raise PermissionDenied


def _checked_paper(paper: UploadedFile | None) -> tuple[attachments.CheckedFile | None, list[str]]:
    if paper is None:
        return None, [_("Adjuntau el paper signat pel poderdant, escanejat en PDF.")]
    try:
        checked = attachments.check_upload(paper)
    except attachments.AttachmentRefused as refused:
        return None, [str(refused.message)]
    if checked.content_type != "application/pdf":
        return None, [
            _("«%(name)s» no és un PDF: escanejau el paper signat en format PDF.")
            % {"name": checked.name}
        ]
    return checked, []


@transaction.atomic
def register_power_in_person(
    *,
    grantor: PersonData,
    wanted: PowerInput,
    identity_document: str,
    accepted_in_person: bool,
    representative_document: str = "",
    paper: UploadedFile | None,
    acting_user: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> PowerPaper:
    """Register a power granted in person at the office with the scan of the paper the grantor
    signed, sealed as an authentic copy of it (art. 26.2.a, 30). ``InvalidPower`` names every
    field at fault, the scan's (``paper``) beside the power's, and nothing is recorded or
    stored; ``PermissionDenied`` without ``seu.add_power``."""
    require(acting_user, ADD)
    now = now or calendar.now()
    checked, paper_errors = _checked_paper(paper)
    try:
        power = office_powers.record_office_power(
            grantor=grantor,
            wanted=wanted,
            identity_document=identity_document,
            accepted_in_person=accepted_in_person,
            representative_document=representative_document,
            user=acting_user,
            now=now,
        )
    except InvalidPower as refused:
        errors = {**refused.errors, **({"paper": paper_errors} if paper_errors else {})}
        raise InvalidPower(errors) from None
    if checked is None:
        raise InvalidPower({"paper": paper_errors})  # and the power just recorded is undone
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Còpia autèntica de l'apoderament apud acta atorgat a l'oficina (art. 26.2.a)")
    try:
        document = documents.seal_uploaded_pdf(
            data=checked.data,
            name=checked.name,
            title=title,
            organ=None,
            kind=Document.Kind.AUTHENTIC_COPY,
            acting_user=acting_user,
            now=now,
        )
    except intake.RefusedFile as refused:
        raise InvalidPower({"paper": [str(refused.message)]}) from None
    return PowerPaper.objects.create(  # type: ignore[misc]  # any user model
        power=power, document=document, registered_at=now, registered_by=acting_user
    )


def revoke_power_in_person(
    *,
    public_id: Any,
    reason: str,
    identity_document: str,
    acting_user: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> Power:
    """The grantor revokes a power at the office (``office_powers.revoke_office_power``);
    ``PermissionDenied`` without ``seu.change_power``."""
    require(acting_user, REVOKE)
    return office_powers.revoke_office_power(
        public_id=public_id,
        user=acting_user,
        reason=reason,
        identity_document=identity_document,
        now=now,
    )


def paper_bytes(paper: PowerPaper) -> bytes:
    """The sealed copy's bytes, once shown to be what was sealed (``documents.checked_bytes``;
    ``documents.IntegrityFailure`` otherwise)."""
    return documents.checked_bytes(document=paper.document)


def paper_file_name(paper: PowerPaper) -> str:
    return f"apoderament-{paper.power.public_id}.pdf"
