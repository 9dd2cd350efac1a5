"""The case files API for the town hall's other systems (issue 15 item 11; ordinance art. 22).

Who may call it, as for the notifications API (``notificacions.api``):

- A service account of another system: a Django user with a DRF token (``Authorization: Token
  <key>``, issued in the back-office), or staff through their back-office session once its second
  factor was checked. It acts for the organs its user works for (``seu.staff``: every organ for a
  supervisor). With ``expedients.view_expedient`` it reads their case files and downloads their
  documents; with ``expedients.add_expedientdocument`` it adds documents to them. Another organ's
  case file is a 404, the same answer as a number that does not exist
  (``services.staff_cases`` scopes every lookup).
- Anybody else: 401; authenticated without the permission: 403. Citizens follow their case files
  in "La meva carpeta", not here.

A case file is addressed by its number, ``<procedure code>/<year>/<n>``, whose slashes are the
address's own: ``/api/v1/expedients/OBRA/2026/7/``. Its documents by their position (foli).

Adding a document goes through ``services.add_document`` like every other channel: an uploaded PDF
is checked and sealed as an act of the organ (as the notifications API's uploads are), or a
document the seu already issued for the organ is named by its CSV; the document and its log step
are written in one transaction, or nothing is.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from expedients import services
from expedients.models import OPEN_STATES, Expedient, ExpedientDocument, ExpedientEntry, State
from notificacions.api import PersonSerializer
from registre.api import ErrorSerializer, RegistryAPIView, StaffSessionAuthentication
from seu import calendar
from seu.api import has_perm
from seu.errors import NotFound
from seu.identity.representation import Representation, RepresentationCheck

VIEW_PERMISSION = "expedients.view_expedient"
ADD_DOCUMENT_PERMISSION = "expedients.add_expedientdocument"

TITLE_MAX_LENGTH = 300
CSV_MAX_LENGTH = 40
MAX_DUE_WITHIN_DAYS = 3660


# --- Who is calling -----------------------------------------------------------------------------


class CanReadCases(BasePermission):
    message = _("Aquest compte no té permís per consultar els expedients.")

    def has_permission(self, request: Request, view: object) -> bool:
        return has_perm(request, VIEW_PERMISSION)


class CanAddDocuments(BasePermission):
    message = _("Aquest compte no té permís per afegir documents als expedients.")

    def has_permission(self, request: Request, view: object) -> bool:
        return has_perm(request, ADD_DOCUMENT_PERMISSION)


def _user(request: Request) -> AbstractBaseUser | None:
    user = request.user
    return user if isinstance(user, AbstractBaseUser) and user.is_authenticated else None


def _case_or_404(request: Request, code: str, year: int, sequence: int) -> Expedient:
    """The caller's case file with that number (scoped first: another organ's is not found)."""
    case = (
        services.staff_cases(_user(request))
        .select_related(
            "procedure",
            "version",
            "organ",
            "interested",
            "representative",
            "opening_entry",
            "power",
        )
        .filter(number=f"{code}/{year}/{sequence}")
        .first()
    )
    if case is None:
        raise NotFound(_("No hi ha cap expedient amb aquest número."))
    return case


# --- Input ---------------------------------------------------------------------------------------


class ExpedientFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(
        choices=State.choices, required=False, help_text="Only the case files in this state."
    )
    procedure = serializers.CharField(
        required=False, max_length=20, help_text="Only the case files of this procedure code."
    )
    due_within = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_DUE_WITHIN_DAYS,
        help_text=(
            "Open case files whose resolution deadline falls within this many days from today "
            "(overdue ones included)."
        ),
    )
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: open case files past their resolution deadline.",
    )


class ExpedientDocumentInputSerializer(serializers.Serializer[Any]):
    """A document to add: a PDF uploaded in a multipart request, sealed as an act of the organ,
    or the CSV of a document the seu already issued for the organ. The plain limits are checked
    here; the rules (the file's content, the CSV's owner, a closed case) are the service's."""

    file = serializers.FileField(
        required=False,
        allow_empty_file=False,
        help_text="A PDF to seal and add (multipart only).",
    )
    csv = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=CSV_MAX_LENGTH,
        help_text="Secure verification code of a document the seu issued for the organ.",
    )
    title = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TITLE_MAX_LENGTH,
        help_text="Its title; the file name (or the issued document's title) if left out.",
    )
    document_type = serializers.ChoiceField(
        choices=ExpedientDocument.Type.choices, help_text="ENI TipoDocumental (TD01-TD99)."
    )
    elaboration = serializers.ChoiceField(
        choices=ExpedientDocument.Elaboration.choices,
        default=ExpedientDocument.Elaboration.ORIGINAL,
        help_text="ENI EstadoElaboracion (EE01 original, EE02-EE04 copies, EE99 other).",
    )
    origin = serializers.ChoiceField(
        choices=ExpedientDocument.Origin.choices,
        default=ExpedientDocument.Origin.ADMINISTRATION,
        help_text="ENI Origen: 0 citizen, 1 administration.",
    )
    public = serializers.BooleanField(
        default=False, help_text="Whether the interested person sees it in their carpeta."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("csv")) == bool(attrs.get("file")):
            raise serializers.ValidationError(
                _("Indicau o bé el CSV d'un document de l'òrgan o bé el fitxer PDF.")
            )
        return attrs


# --- Output --------------------------------------------------------------------------------------


class ExpedientProcedureSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    sia_code = serializers.CharField(allow_blank=True, help_text="National catalogue code.")
    name = serializers.CharField()
    version = serializers.IntegerField(help_text="The form version the request was filed with.")


class ExpedientSilenceSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(help_text="When the deadline passed without a resolution.")
    effect = serializers.CharField(help_text="positive, negative or not_applicable.")


class ExpedientRepresentationSerializer(serializers.Serializer[Any]):
    """How the representative acts for the interested person (ordinance art. 26.2)."""

    kind = serializers.ChoiceField(
        choices=Representation.choices,
        allow_blank=True,
        help_text=(
            "How the representation is proved: power (a power in the register of powers), "
            "certificate (a representative's certificate), declared (declared at filing, "
            "checked by the organ: art. 26.2.c); empty: on their own behalf."
        ),
    )
    check = serializers.ChoiceField(
        choices=RepresentationCheck.choices,
        allow_blank=True,
        help_text=(
            "The organ's check of a declared representation: to_check, proof_requested, "
            "checked or refused; empty when none is needed."
        ),
    )
    reason = serializers.CharField(
        allow_blank=True,
        help_text="The reason given when proof was requested or the representation refused.",
    )
    power = serializers.UUIDField(
        allow_null=True,
        help_text="Public id of the power in the register of powers it was filed under; else null.",
    )


class ExpedientStepSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    from_state = serializers.CharField(allow_blank=True)
    to_state = serializers.CharField()
    step = serializers.CharField(
        allow_blank=True, help_text="What was done, e.g. remedy_requested."
    )
    description = serializers.CharField(allow_blank=True, help_text="The step in words.")
    reason = serializers.CharField(allow_blank=True)
    organ = serializers.CharField(allow_null=True, help_text="Code of the organ that acted.")
    public = serializers.BooleanField(help_text="Shown to the person (art. 27.3) or internal.")


class ExpedientEntrySerializer(serializers.Serializer[Any]):
    number = serializers.CharField(allow_null=True, help_text="Registry number.")
    role = serializers.ChoiceField(choices=ExpedientEntry.Role.choices)
    added_at = serializers.DateTimeField()


class ExpedientDocumentSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField(help_text="Its place in the case file (foli).")
    title = serializers.CharField()
    origin = serializers.ChoiceField(
        choices=ExpedientDocument.Origin.choices, help_text="ENI Origen."
    )
    elaboration = serializers.ChoiceField(
        choices=ExpedientDocument.Elaboration.choices, help_text="ENI EstadoElaboracion."
    )
    document_type = serializers.ChoiceField(
        choices=ExpedientDocument.Type.choices, help_text="ENI TipoDocumental."
    )
    captured_at = serializers.DateTimeField(help_text="ENI FechaCaptura.")
    csv = serializers.CharField(
        allow_null=True, help_text="Secure verification code of a sealed document; else null."
    )
    sha256 = serializers.CharField(help_text="SHA-256 of the bytes the download gives.")
    content_type = serializers.CharField()
    public = serializers.BooleanField(help_text="Whether the person sees it in their carpeta.")
    url = serializers.URLField(help_text="Download of its bytes in this API.")


class ExpedientSummarySerializer(serializers.Serializer[Any]):
    number = serializers.CharField(help_text="<procedure code>/<year>/<n>.")
    url = serializers.URLField(help_text="This case file in this API.")
    procedure = serializers.CharField(help_text="The procedure's code.")
    organ = serializers.CharField(help_text="Code of the organ that processes it.")
    state = serializers.ChoiceField(choices=State.choices)
    subject = serializers.CharField()
    interested = PersonSerializer()
    effective_at = serializers.DateTimeField(
        help_text="When its opening entry counts: the processing order (art. 27.1)."
    )
    deadline = serializers.DateField(help_text="Last day to resolve and notify.")
    suspended = serializers.BooleanField(help_text="The deadline is suspended by a remedy.")


class ExpedientSerializer(ExpedientSummarySerializer):
    eni_identifier = serializers.CharField(help_text="ENI identifier of the case file.")
    procedure = ExpedientProcedureSerializer()  # type: ignore[assignment]
    representative = PersonSerializer(allow_null=True)
    representation = ExpedientRepresentationSerializer(
        help_text="How the representative acts for the interested person, and its check."
    )
    opened_at = serializers.DateTimeField()
    suspended_since = serializers.DateField(allow_null=True)
    silence = ExpedientSilenceSerializer(
        allow_null=True, help_text="The effect of silence, once recorded."
    )
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    log = ExpedientStepSerializer(many=True, help_text="Every step, public and internal.")
    entries = ExpedientEntrySerializer(many=True)
    documents = ExpedientDocumentSerializer(many=True)


def _person(person: Any) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"nif": person.nif, "kind": person.kind, "name": person.display_name}


def _address(case: Expedient) -> list[Any]:
    return [case.procedure.code, case.year, case.sequence]


def case_url(request: Request, case: Expedient) -> str:
    return request.build_absolute_uri(reverse("expedients_api:case", args=_address(case)))


def _sha256(item: ExpedientDocument) -> str:
    if item.document is None:
        return str(item.blob_id)
    versions = list(item.document.versions.all())  # prefetched
    return str(max(versions, key=lambda version: version.number).blob_id) if versions else ""


def document_data(request: Request, case: Expedient, item: ExpedientDocument) -> dict[str, Any]:
    return {
        "position": item.position,
        "title": item.title,
        "origin": item.origin,
        "elaboration": item.elaboration,
        "document_type": item.document_type,
        "captured_at": item.captured_at,
        "csv": item.document.csv_display if item.document is not None else None,
        "sha256": _sha256(item),
        "content_type": item.content_type,
        "public": item.public,
        "url": request.build_absolute_uri(
            reverse("expedients_api:document", args=[*_address(case), item.position])
        ),
    }


def summary_data(request: Request, case: Expedient) -> dict[str, Any]:
    return {
        "number": case.number,
        "url": case_url(request, case),
        "procedure": case.procedure.code,
        "organ": case.organ.code,
        "state": case.state,
        "subject": case.subject,
        "interested": _person(case.interested),
        "effective_at": case.effective_at,
        "deadline": case.deadline,
        "suspended": case.is_suspended,
    }


def case_data(request: Request, case: Expedient) -> dict[str, Any]:
    items = case.documents.select_related("document", "blob").prefetch_related("document__versions")
    return {
        **summary_data(request, case),
        "eni_identifier": case.eni_identifier,
        "procedure": {
            "code": case.procedure.code,
            "sia_code": case.procedure.sia_code,
            "name": case.procedure.name,
            "version": case.version.number,
        },
        "representative": _person(case.representative),
        "representation": {
            "kind": case.representation,
            "check": case.representation_check,
            "reason": case.representation_reason,
            "power": case.power.public_id if case.power is not None else None,
        },
        "opened_at": case.opened_at,
        "suspended_since": case.suspended_since,
        "silence": (
            {"at": case.silence_at, "effect": case.silence_effect} if case.silence_at else None
        ),
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "log": [
            {
                "at": step.at,
                "from_state": step.from_state,
                "to_state": step.to_state,
                "step": step.step,
                "description": str(services.STEP_LABELS.get(step.step, "")),
                "reason": step.reason,
                "organ": step.organ.code if step.organ is not None else None,
                "public": step.public,
            }
            for step in case.transitions.select_related("organ").order_by("at", "pk")
        ],
        "entries": [
            {"number": link.entry.number, "role": link.role, "added_at": link.added_at}
            for link in case.entries.select_related("entry").order_by("added_at", "pk")
        ],
        "documents": [document_data(request, case, item) for item in items.order_by("position")],
    }


class ExpedientPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


COMMON_ERRORS = {
    401: OpenApiResponse(description="No credentials (token or staff session)."),
    403: OpenApiResponse(
        response=ErrorSerializer, description="Authenticated, without the needed permission."
    ),
}
NOT_FOUND = {
    404: OpenApiResponse(
        response=ErrorSerializer,
        description="No such case file for you (another organ's is not found either).",
    ),
}
CASE_PARAMETERS = [
    OpenApiParameter(
        "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The procedure's code."
    ),
    OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.PATH, description="Its year."),
    OpenApiParameter(
        "sequence", OpenApiTypes.INT, OpenApiParameter.PATH, description="Its number in the year."
    ),
]
POSITION_PARAMETER = OpenApiParameter(
    "position",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The document's position in the case file (foli).",
)


# --- Views ---------------------------------------------------------------------------------------

AUTHENTICATION = [TokenAuthentication, StaffSessionAuthentication]


class ExpedientCollectionView(RegistryAPIView, GenericAPIView[Expedient]):
    """Answers in the caller's language (``RegistryAPIView``)."""

    authentication_classes = AUTHENTICATION
    permission_classes = [CanReadCases]
    pagination_class = ExpedientPagination

    @extend_schema(
        operation_id="expedients_list",
        summary="The case files of the caller's organs",
        description=(
            "In processing order (the instant their opening entry counts, art. 27.1), "
            "paginated. Needs the permission expedients.view_expedient; only the organs the "
            "caller works for (every organ for a supervisor). due_within and overdue keep the "
            "open case files only."
        ),
        parameters=[ExpedientFilterSerializer],
        responses={
            200: ExpedientSummarySerializer(many=True),
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="Invalid filter: parameter name -> list of messages.",
            ),
            **COMMON_ERRORS,
        },
        tags=["expedients"],
    )
    def get(self, request: Request) -> Response:
        filters = ExpedientFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        cases = (
            services.staff_cases(_user(request))
            .select_related("procedure", "organ", "interested")
            .in_processing_order()
        )
        if wanted.get("state"):
            cases = cases.filter(state=wanted["state"])
        if wanted.get("procedure"):
            cases = cases.filter(procedure__code=wanted["procedure"])
        today = calendar.to_local(calendar.now()).date()
        if wanted.get("due_within") is not None:
            cases = cases.filter(
                state__in=OPEN_STATES,
                deadline__lte=today + dt.timedelta(days=wanted["due_within"]),
            )
        if wanted.get("overdue") is True:
            cases = cases.filter(state__in=OPEN_STATES, deadline__lt=today)
        elif wanted.get("overdue") is False:
            cases = cases.exclude(state__in=OPEN_STATES, deadline__lt=today)
        page = self.paginate_queryset(cases)
        assert page is not None
        return self.get_paginated_response(
            ExpedientSummarySerializer(
                [summary_data(request, case) for case in page], many=True
            ).data
        )


class ExpedientDetailView(RegistryAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [CanReadCases]

    @extend_schema(
        operation_id="expedients_retrieve",
        summary="A case file: its state, deadline, log, entries and documents",
        description=(
            "Number, ENI identifier, procedure and form version, organ, state, the interested "
            "person and their representative with how the representation is proved and the "
            "organ's check of a declared one (representation), the entry date and the "
            "resolution deadline (suspended while a remedy runs), silence, the whole log "
            "(public and internal), the registry entries and the documents with their ENI "
            "metadata and download links. Another organ's case file is a 404."
        ),
        parameters=CASE_PARAMETERS,
        responses={200: ExpedientSerializer, **COMMON_ERRORS, **NOT_FOUND},
        tags=["expedients"],
    )
    def get(self, request: Request, code: str, year: int, sequence: int) -> Response:
        case = _case_or_404(request, code, year, sequence)
        return Response(ExpedientSerializer(case_data(request, case)).data)


class ExpedientDocumentCollectionView(RegistryAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [CanAddDocuments]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="expedients_documents_create",
        summary="Add a document to a case file",
        description=(
            "Either a PDF uploaded in a multipart request (field file), checked and sealed as "
            "an act of the case's organ with its own CSV, or the CSV of a document the seu "
            "already issued for that organ; with its title and ENI metadata. The document and "
            "its step in the log are written in one transaction: either 201, or an error and "
            "nothing written. A closed case file takes no documents (code case_closed). Needs "
            "the permission expedients.add_expedientdocument."
        ),
        parameters=CASE_PARAMETERS,
        request={
            "multipart/form-data": ExpedientDocumentInputSerializer,
            "application/json": ExpedientDocumentInputSerializer,
        },
        responses={
            201: ExpedientDocumentSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description=(
                    "Invalid input: field name -> list of messages (a refused file under "
                    "file); or a closed case file: code and detail."
                ),
            ),
            **COMMON_ERRORS,
            **NOT_FOUND,
        },
        tags=["expedients"],
    )
    def post(self, request: Request, code: str, year: int, sequence: int) -> Response:
        case = _case_or_404(request, code, year, sequence)
        serializer = ExpedientDocumentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            item = services.add_document(
                case=case,
                upload=data.get("file"),
                csv=data["csv"],
                title=data["title"],
                document_type=data["document_type"],
                elaboration=data["elaboration"],
                origin=data["origin"],
                public=data["public"],
                acting_user=_user(request),
            )
        except services.InvalidCase as invalid:
            raise serializers.ValidationError(invalid.errors) from None
        body = ExpedientDocumentSerializer(document_data(request, case, item)).data
        return Response(body, status=201, headers={"Location": body["url"]})


def _filename(case: Expedient, item: ExpedientDocument) -> str:
    extension = os.path.splitext(item.title)[1].lower() if item.document is None else ".pdf"
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", extension):
        extension = ""
    return f"{case.number.replace('/', '-')}-{item.position}{extension}"


class ExpedientDocumentView(RegistryAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [CanReadCases]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # The answer is the file whatever the client accepts; errors are JSON, not a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="expedients_documents_retrieve",
        summary="The bytes of a case file's document",
        description=(
            "A sealed document's current version, checked against what was sealed; a file a "
            "person brought, checked against its SHA-256. Bytes that fail the check are not "
            "served: 409 (code integrity_failure)."
        ),
        parameters=[*CASE_PARAMETERS, POSITION_PARAMETER],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="The file, with its own content type (a PDF when sealed).",
            ),
            **COMMON_ERRORS,
            404: OpenApiResponse(
                response=ErrorSerializer, description="No such case file or document for you."
            ),
            409: OpenApiResponse(
                response=ErrorSerializer,
                description="The stored bytes are not those that were sealed or registered.",
            ),
        },
        tags=["expedients"],
    )
    def get(
        self, request: Request, code: str, year: int, sequence: int, position: int
    ) -> HttpResponse:
        case = _case_or_404(request, code, year, sequence)
        item = case.documents.select_related("document", "blob").filter(position=position).first()
        if item is None:
            raise NotFound(_("Aquest expedient no té cap document en aquesta posició."))
        data = services.document_bytes(item)  # IntegrityFailure: a 409 with its code
        response = HttpResponse(data, content_type=item.content_type or "application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{_filename(case, item)}"'
        response["Cache-Control"] = "private, no-store"
        return response
