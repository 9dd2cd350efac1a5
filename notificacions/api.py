"""The notifications API for the town hall's other systems (issue 14 item 9; ordinance art. 32).

Who may call it, as for the registry's API (``registre.api``):

- A service account of another system: a Django user with a DRF token (``Authorization: Token
  <key>``, issued in the back-office), or staff through their back-office session once its second
  factor was checked. It acts for the organs its user works for (``seu.staff``: every organ for a
  supervisor). With ``notificacions.add_notification`` it sends notifications and communications
  from those organs; with ``notificacions.view_notification`` it reads theirs. Another organ's
  notification is a 404, the same answer as an identifier that does not exist; sending from an
  organ the user does not work for is a 404 too (``organ_not_yours``).
- Anybody else: 401; authenticated without the permission: 403. Citizens read their
  notifications in "Les meves notificacions", not here.

Sending goes through ``sending.notify`` like every other channel. The documents are CSVs of
documents the seu already issued for the organ, or PDFs uploaded in the same request, each sealed
as an act of the organ (``documents.services.seal_uploaded_pdf``); sealing and sending run in one
transaction, so a refused file or an invalid notification leaves nothing behind (no document, no
exit entry, no notification).

A multipart request writes the nested fields as DRF reads HTML forms: ``holder.nif``,
``representative.given_name``, ``documents[0].csv``, ``documents[1].file``,
``documents[1].title`` (``documents[0]csv`` is read the same).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import html

from documents import intake, verification_code
from documents import selectors as document_selectors
from documents import services as documents
from notificacions import evidence, sending
from notificacions.models import Notification
from registre import inputs
from registre import selectors as registre_selectors
from registre.api import ErrorSerializer, RegistryAPIView, StaffSessionAuthentication
from seu import staff
from seu.api import has_perm
from seu.errors import NotFound
from seu.identity import LoA, PersonData
from seu.people import normalise_person_id, person_kind

if TYPE_CHECKING:
    from documents.models import Document
    from registre.models import RegistryEntry
    from seu.models import Organ, Person

ADD_PERMISSION = "notificacions.add_notification"
VIEW_PERMISSION = "notificacions.view_notification"

LANGUAGES = ("ca", "es")
CASE_REFERENCE_MAX_LENGTH = 80
PROCEDURE_CODE_MAX_LENGTH = 40
TITLE_MAX_LENGTH = 300
# The service's field names that the API calls otherwise; the exit entry's addressee is the holder.
SERVICE_FIELDS = {"required_loa": "required_level", "addressee": "holder"}


# --- Who is calling -----------------------------------------------------------------------------


class CanNotify(BasePermission):
    message = _("Aquest compte no té permís per enviar notificacions.")

    def has_permission(self, request: Request, view: object) -> bool:
        return has_perm(request, ADD_PERMISSION)


class CanReadNotifications(BasePermission):
    message = _("Aquest compte no té permís per consultar les notificacions.")

    def has_permission(self, request: Request, view: object) -> bool:
        return has_perm(request, VIEW_PERMISSION)


def notifications_for(request: Request) -> QuerySet[Notification]:
    """The notifications this caller may read: those of the organs its user works for (all of
    them for a supervisor). Every lookup by identifier goes through here first."""
    return staff.scoped_to_staff(
        Notification.objects.select_related(
            "organ", "holder", "representative", "exit_entry", "related_entry"
        ),
        request.user,
    )


# --- Input ---------------------------------------------------------------------------------------


class PersonInputSerializer(serializers.Serializer[Any]):
    """The holder or the representative: a valid NIF/NIE/CIF and the name the exit entry shows
    (given name and surnames of a natural person, the company name of an entity)."""

    nif = serializers.CharField(
        max_length=inputs.PERSON_ID_MAX_LENGTH,
        error_messages={"max_length": inputs.TOO_LONG["nif"]},
        help_text="NIF, NIE or CIF.",
    )
    given_name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=inputs.GIVEN_NAME_MAX_LENGTH,
        error_messages={"max_length": inputs.TOO_LONG["given_name"]},
    )
    surnames = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=inputs.SURNAMES_MAX_LENGTH,
        error_messages={"max_length": inputs.TOO_LONG["surnames"]},
    )
    legal_name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=inputs.LEGAL_NAME_MAX_LENGTH,
        error_messages={"max_length": inputs.TOO_LONG["legal_name"]},
        help_text="For a legal person, instead of given name and surnames.",
    )

    def validate_nif(self, value: str) -> str:
        try:
            return normalise_person_id(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if person_kind(attrs["nif"]) == "legal":
            if not attrs.get("legal_name"):
                raise serializers.ValidationError(
                    {"legal_name": [_("Cal la raó social d'una entitat (NIF d'entitat).")]}
                )
            return {**attrs, "given_name": "", "surnames": ""}
        missing = {
            name: [_("Cal el nom i els llinatges de la persona.")]
            for name in ("given_name", "surnames")
            if not attrs.get(name)
        }
        if missing:
            raise serializers.ValidationError(missing)
        return {**attrs, "legal_name": ""}


class DocumentInputSerializer(serializers.Serializer[Any]):
    """One document to notify: the CSV of a document the seu issued for the organ, or a PDF
    uploaded with the request (multipart), sealed as an act of the organ."""

    csv = serializers.CharField(
        required=False,
        help_text="Secure verification code of a document the seu issued for the organ.",
    )
    file = serializers.FileField(
        required=False,
        allow_empty_file=False,
        help_text="A PDF to seal and notify (multipart only).",
    )
    title = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TITLE_MAX_LENGTH,
        help_text="Title of an uploaded PDF; its file name if left out.",
    )

    def validate_csv(self, value: str) -> str:
        try:
            return verification_code.parse(value)
        except verification_code.MalformedCode as exc:
            raise serializers.ValidationError(str(exc.message)) from exc
        except verification_code.MistypedCode as exc:
            raise serializers.ValidationError(str(exc.message)) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("csv")) == bool(attrs.get("file")):
            raise serializers.ValidationError(
                _("Indicau per a cada document o bé el seu CSV o bé el fitxer PDF.")
            )
        return attrs


class DocumentListField(serializers.ListField):
    """The documents in their order. In a multipart request, ``documents[0].csv`` and DRF's
    own ``documents[0]csv`` are both read."""

    def get_value(self, dictionary: Any) -> Any:
        if not html.is_html_input(dictionary):
            return super().get_value(dictionary)
        items = html.parse_html_list(dictionary, prefix=self.field_name or "", default=None)
        if items is None:
            return serializers.empty
        parsed = []
        for item in items:
            if isinstance(item, MultiValueDict):
                item = MultiValueDict({key.removeprefix("."): item.getlist(key) for key in item})
            parsed.append(item)
        return parsed


class NotificationInputSerializer(serializers.Serializer[Any]):
    """A notification or a communication to send. The plain limits are checked here, before any
    file is read; the rules of sending are the service's (``sending.notify``)."""

    organ = serializers.SlugRelatedField(
        slug_field="code",
        queryset=staff.active_organs(),
        help_text="Code of the sending organ (seu.Organ.code): one the caller works for.",
    )
    holder = PersonInputSerializer(help_text="The person the notification is addressed to.")
    representative = PersonInputSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="Their representative, who may also open it.",
    )
    kind = serializers.ChoiceField(choices=Notification.Kind.choices, default="notification")
    subject = serializers.CharField(
        max_length=sending.SUBJECT_MAX_LENGTH,
        error_messages={"max_length": inputs.TOO_LONG["subject"]},
    )
    required_level = serializers.ChoiceField(
        choices=LoA.choices,
        default=LoA.SUBSTANTIAL,
        help_text="Level of identification needed to open it (art. 8.2).",
    )
    related_entry = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20,
        help_text="Number of a registry entry of the organ it answers, e.g. E/2026/000001.",
    )
    case_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=CASE_REFERENCE_MAX_LENGTH,
        help_text="The case file's reference, opaque to the seu.",
    )
    procedure_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=PROCEDURE_CODE_MAX_LENGTH,
        help_text="The procedure's catalogue code (decides whether a consent covers it).",
    )
    language = serializers.ChoiceField(
        choices=LANGUAGES, default="ca", help_text="Language of its evidence and notices."
    )
    documents = DocumentListField(
        child=DocumentInputSerializer(),
        required=False,
        default=list,
        max_length=sending.MAX_DOCUMENTS,
        help_text=(
            f"The documents, in order (at most {sending.MAX_DOCUMENTS}): each either "
            '{"csv": "..."} or, in multipart, documents[n].file (and documents[n].title).'
        ),
    )

    def validate_related_entry(self, value: str) -> str:
        return value.strip().upper().replace("-", "/")


def _person(data: dict[str, Any] | None) -> PersonData | None:
    if not data:
        return None
    return PersonData(
        nif=data["nif"],
        given_name=data.get("given_name", ""),
        surnames=data.get("surnames", ""),
        legal_name=data.get("legal_name", ""),
    )


def _related_entry(organ: Organ, number: str) -> RegistryEntry | None:
    """The organ's entry with ``number``; another organ's is not found, as one that does not
    exist."""
    if not number:
        return None
    entry = registre_selectors.organ_entry(organ, number)
    if entry is None:
        raise serializers.ValidationError(
            {"related_entry": [_("No hi ha cap assentament amb aquest número.")]}
        )
    return entry


def _issued_documents(organ: Organ, items: list[dict[str, Any]]) -> dict[int, Document]:
    """The documents named by CSV, by their position; each must have been issued for ``organ``
    (another organ's CSV is answered as one that does not exist)."""
    codes = {index: item["csv"] for index, item in enumerate(items) if item.get("csv")}
    found = {
        document.csv: document
        for document in document_selectors.issued_for_organ(organ, codes.values())
    }
    missing = {
        str(index): {"csv": [_("No hi ha cap document amb aquest CSV.")]}
        for index, code in codes.items()
        if code not in found
    }
    if missing:
        raise serializers.ValidationError({"documents": missing})
    return {index: found[code] for index, code in codes.items()}


def _sealed_upload(
    index: int, item: dict[str, Any], *, organ: Organ, language: str, acting_user: Any
) -> Document:
    """The uploaded PDF at ``index`` sealed as an act of ``organ`` (in the caller's
    transaction); a refused file is a 400 that names the document."""
    try:
        return sending.seal_upload(
            item["file"],
            title=item.get("title") or "",
            organ=organ,
            language=language,
            acting_user=acting_user,
        )
    except intake.RefusedFile as refused:
        raise serializers.ValidationError(
            {"documents": {str(index): {"file": [str(refused.message)]}}}
        ) from None


def _service_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for field, messages in errors.items():
        found.setdefault(SERVICE_FIELDS.get(field, field), []).extend(messages)
    return found


# --- Output --------------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer[Any]):
    nif = serializers.CharField(help_text="NIF, NIE or CIF.")
    kind = serializers.ChoiceField(choices=["natural", "legal"])
    name = serializers.CharField(help_text="Name and surnames, or the company name.")


class ExitEntrySerializer(serializers.Serializer[Any]):
    number = serializers.CharField(
        allow_null=True, help_text="S/<year>/<n>; null while it waits for a working day."
    )
    registered_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(
        allow_null=True, help_text="When a waiting exit entry will be registered."
    )


class NotifiedDocumentSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    csv = serializers.CharField(help_text="Secure verification code.")
    sha256 = serializers.CharField(help_text="SHA-256 of the file the person gets now.")
    verification_url = serializers.URLField()


class EventSerializer(serializers.Serializer[Any]):
    event = serializers.ChoiceField(choices=sending.Event.choices)
    at = serializers.DateTimeField()
    role = serializers.CharField(
        allow_blank=True, help_text="holder or representative, when a person acted or was told."
    )
    timestamped_at = serializers.DateTimeField(
        allow_null=True, help_text="Time of its RFC 3161 timestamp, once added."
    )


class NotificationSummarySerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(help_text="The notification's public identifier.")
    url = serializers.URLField(help_text="This notification in this API.")
    kind = serializers.ChoiceField(choices=Notification.Kind.choices)
    channel = serializers.ChoiceField(choices=Notification.Channel.choices)
    state = serializers.ChoiceField(choices=Notification.State.choices)
    organ = serializers.CharField(help_text="Code of the sending organ.")
    subject = serializers.CharField()
    case_reference = serializers.CharField(allow_blank=True)
    holder = PersonSerializer()
    representative = PersonSerializer(allow_null=True)
    exit_entry = ExitEntrySerializer()
    created_at = serializers.DateTimeField()
    available_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When it will be deemed rejected if not opened (art. 32.6); null otherwise.",
    )
    outcome_at = serializers.DateTimeField(allow_null=True)
    outcome_role = serializers.CharField(
        allow_blank=True, help_text="Who opened or rejected it: holder or representative."
    )


class NotificationSerializer(NotificationSummarySerializer):
    procedure_code = serializers.CharField(allow_blank=True)
    related_entry = serializers.CharField(allow_null=True)
    required_level = serializers.ChoiceField(choices=LoA.choices)
    language = serializers.CharField()
    evidence_csv = serializers.CharField(
        allow_null=True, help_text="CSV of the sealed evidence of availability (or issue)."
    )
    certificate_csv = serializers.CharField(
        allow_null=True, help_text="CSV of the sealed certificate of its life, once issued."
    )
    documents = NotifiedDocumentSerializer(many=True)
    events = EventSerializer(many=True)


def _person_data(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"nif": person.nif, "kind": person.kind, "name": person.display_name}


def notification_url(request: Request, notification: Notification) -> str:
    return request.build_absolute_uri(
        reverse("notificacions_api:notification", args=[notification.public_id])
    )


def summary_data(request: Request, notification: Notification) -> dict[str, Any]:
    exit_entry = notification.exit_entry
    return {
        "id": notification.public_id,
        "url": notification_url(request, notification),
        "kind": notification.kind,
        "channel": notification.channel,
        "state": notification.state,
        "organ": notification.organ.code,
        "subject": notification.subject,
        "case_reference": notification.case_reference,
        "holder": _person_data(notification.holder),
        "representative": _person_data(notification.representative),
        "exit_entry": {
            "number": exit_entry.number,
            "registered_at": exit_entry.registered_at,
            "due_at": exit_entry.due_at,
        },
        "created_at": notification.created_at,
        "available_at": notification.available_at,
        "expires_at": notification.expires_at,
        "outcome_at": notification.outcome_at,
        "outcome_role": notification.outcome_role,
    }


def notification_data(request: Request, notification: Notification) -> dict[str, Any]:
    related = notification.related_entry
    return {
        **summary_data(request, notification),
        "procedure_code": notification.procedure_code,
        "related_entry": related.number if related is not None else None,
        "required_level": notification.required_loa,
        "language": notification.language,
        "evidence_csv": notification.evidence.csv_display if notification.evidence else None,
        "certificate_csv": (
            notification.certificate.csv_display if notification.certificate else None
        ),
        "documents": [
            {
                "title": fact.title,
                "csv": fact.csv,
                "sha256": fact.sha256,
                "verification_url": documents.verification_url(fact.csv.replace("-", "")),
            }
            for fact in evidence.document_facts(notification)
        ],
        # The log without who or from where (no IP, no person): the evidence has them.
        "events": [
            {
                "event": event.event,
                "at": event.at,
                "role": event.role,
                "timestamped_at": event.timestamped_at,
            }
            for event in notification.events.order_by("at", "pk")
        ],
    }


class NotificationFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=Notification.State.choices, required=False)
    case_reference = serializers.CharField(
        required=False, max_length=CASE_REFERENCE_MAX_LENGTH, help_text="Exactly this reference."
    )
    holder_nif = serializers.CharField(
        required=False, max_length=inputs.PERSON_ID_MAX_LENGTH, help_text="The holder's NIF."
    )

    def validate_holder_nif(self, value: str) -> str:
        try:
            return normalise_person_id(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class NotificationPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


COMMON_ERRORS = {
    401: OpenApiResponse(description="No credentials (token or staff session)."),
    403: OpenApiResponse(
        response=ErrorSerializer, description="Authenticated, without the needed permission."
    ),
}
ID_PARAMETER = OpenApiParameter(
    "public_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The notification's public identifier (its id).",
)


# --- Views ---------------------------------------------------------------------------------------

AUTHENTICATION = [TokenAuthentication, StaffSessionAuthentication]


class NotificationCollectionView(RegistryAPIView, GenericAPIView[Notification]):
    """Answers in the caller's language (``RegistryAPIView``)."""

    authentication_classes = AUTHENTICATION
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = NotificationPagination

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [CanNotify()]
        return [CanReadNotifications()]

    @extend_schema(
        operation_id="notificacions_list",
        summary="The notifications of the caller's organs",
        description=(
            "Newest first, paginated. Needs the permission notificacions.view_notification; "
            "only the organs the caller works for (every organ for a supervisor)."
        ),
        parameters=[NotificationFilterSerializer],
        responses={
            200: NotificationSummarySerializer(many=True),
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="Invalid filter: parameter name -> list of messages.",
            ),
            **COMMON_ERRORS,
        },
        tags=["notificacions"],
    )
    def get(self, request: Request) -> Response:
        filters = NotificationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        notifications = notifications_for(request).order_by("-created_at", "-pk")
        if wanted.get("state"):
            notifications = notifications.filter(state=wanted["state"])
        if wanted.get("case_reference"):
            notifications = notifications.filter(case_reference=wanted["case_reference"])
        if wanted.get("holder_nif"):
            notifications = notifications.filter(holder__nif=wanted["holder_nif"])
        page = self.paginate_queryset(notifications)
        assert page is not None
        return self.get_paginated_response(
            NotificationSummarySerializer(
                [summary_data(request, notification) for notification in page], many=True
            ).data
        )

    @extend_schema(
        operation_id="notificacions_create",
        summary="Send a notification or a communication",
        description=(
            "Sends the documents (CSVs of documents the seu issued for the organ, or PDFs "
            "uploaded in a multipart request and sealed as acts of the organ) to the holder "
            "and their representative: an exit entry, the notification made available (or "
            "listed to post on paper, without consent) with its sealed evidence and its "
            "notices, in one transaction: either 201, or an error and nothing written. In "
            "multipart, nested fields are named holder.nif, documents[0].csv, "
            "documents[1].file. Needs the permission notificacions.add_notification and "
            "working for the organ."
        ),
        request={
            "application/json": NotificationInputSerializer,
            "multipart/form-data": NotificationInputSerializer,
        },
        responses={
            201: NotificationSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description=(
                    "Invalid input: field name -> list of messages (documents: position -> "
                    "field -> messages for one document)."
                ),
            ),
            **COMMON_ERRORS,
            404: OpenApiResponse(
                response=ErrorSerializer,
                description="The caller does not work for the organ (code organ_not_yours).",
            ),
        },
        tags=["notificacions"],
    )
    def post(self, request: Request) -> Response:
        serializer = NotificationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organ: Organ = data["organ"]
        staff.check_works_for(request.user, organ)
        related_entry = _related_entry(organ, data["related_entry"])
        items: list[dict[str, Any]] = data["documents"]
        issued = _issued_documents(organ, items)
        acting_user = request.user if request.user.is_authenticated else None
        try:
            with transaction.atomic():
                notified = [
                    issued[index]
                    if index in issued
                    else _sealed_upload(
                        index,
                        item,
                        organ=organ,
                        language=data["language"],
                        acting_user=acting_user,
                    )
                    for index, item in enumerate(items)
                ]
                notification = sending.notify(
                    organ=organ,
                    holder=_person(data["holder"]),
                    representative=_person(data["representative"]),
                    documents=notified,
                    subject=data["subject"],
                    kind=data["kind"],
                    required_loa=data["required_level"],
                    related_entry=related_entry,
                    case_reference=data["case_reference"],
                    procedure_code=data["procedure_code"],
                    language=data["language"],
                    acting_user=acting_user,
                )
        except sending.InvalidNotification as invalid:
            raise serializers.ValidationError(_service_errors(invalid.errors)) from None
        except inputs.InvalidEntry as invalid:  # the exit entry's own checks
            raise serializers.ValidationError(_service_errors(invalid.errors)) from None
        body = NotificationSerializer(notification_data(request, notification)).data
        return Response(body, status=201, headers={"Location": body["url"]})


class NotificationDetailView(RegistryAPIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [CanReadNotifications]

    @extend_schema(
        operation_id="notificacions_retrieve",
        summary="A notification's state, documents and log",
        description=(
            "State, exit entry, instants, outcome, the CSVs of its evidence and certificate, "
            "its documents and its log. Another organ's notification is a 404."
        ),
        parameters=[ID_PARAMETER],
        responses={
            200: NotificationSerializer,
            **COMMON_ERRORS,
            404: OpenApiResponse(response=ErrorSerializer, description="No such notification."),
        },
        tags=["notificacions"],
    )
    def get(self, request: Request, public_id: Any) -> Response:
        notification = (
            notifications_for(request)
            .select_related("evidence", "certificate")
            .filter(public_id=public_id)
            .first()
        )
        if notification is None:
            raise NotFound(_("No hi ha cap notificació amb aquest identificador."))
        return Response(NotificationSerializer(notification_data(request, notification)).data)
