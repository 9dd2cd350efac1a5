"""The registry's API for the town hall's other systems (issue 4; ordinance art. 33).

Who may call it, and what they see:

- A service account of another system: a Django user with a DRF token
  (``Authorization: Token <key>``, issued in the back-office). With the model permission
  ``registre.add_registryentry`` it files entries; it reads the entries it filed, and the entries
  of the organs its user works for (``seu.staff``: every organ for a supervisor) if it also holds
  ``registre.view_registryentry``. Another organ's entry is a 404, as for a citizen.
- Staff, through their back-office session once its second factor was checked, with the same
  permissions.
- A citizen identified in the seu (certificate or Cl@ve session) reads their own entries, as
  interested person or representative, and those of the entity they act for, as in "La meva
  carpeta" (``registre.selectors``). Anybody else's entry is a 404, the same answer as a number
  that does not exist, so numbers cannot be probed. An entry filed in an earlier identification
  needs the level personal data need (``identity.PERSONAL_DATA_LOA``, art. 8.2), the same as on
  the web: below it the answer is a 403 with the code ``insufficient_level`` and a message saying
  the level needed (the right person at too low a level is told how to get in, not misled by a
  404); what the session filed itself it reads at any level (art. 33.f).
- Anybody else: 401.

Registry numbers contain slashes (``E/2026/000001``); in addresses they are written with hyphens,
``E-2026-000001`` (``EntryNumberConverter``), and the JSON answers carry both forms.

Filing goes through ``registre.services.register_entry`` like every other channel: the entry, its
number and its sealed receipt are written in one transaction, or nothing is (art. 33.f). The
instant of presentation is when the transmission began (art. 33.i, ``seu.net.request_start``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents import services as documents
from registre import attachments, inputs, selectors, services
from registre.models import Direction, Party, RegistryEntry
from seu.api import has_perm
from seu.errors import NotFound
from seu.identity import PersonData, current_identification
from seu.models import Identification, Organ
from seu.net import request_start
from seu.people import normalise_person_id
from seu.staff import scoped_to_staff

ADD_PERMISSION = "registre.add_registryentry"
VIEW_PERMISSION = "registre.view_registryentry"

# --- Registry numbers in addresses -------------------------------------------------------------


class EntryNumberConverter:
    """``E-2026-000001`` in an address is the entry ``E/2026/000001``."""

    regex = r"E-[0-9]{4}-[0-9]{6,}"

    def to_python(self, value: str) -> str:
        return value.replace("-", "/")

    def to_url(self, value: str) -> str:
        return value.replace("/", "-")


def entry_reference(number: str) -> str:
    return EntryNumberConverter().to_url(number)


# --- Who is calling -----------------------------------------------------------------------------


class StaffSessionAuthentication(SessionAuthentication):
    """A back-office session counts once its second factor was checked (django-otp), as the
    back-office itself requires."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        is_verified = getattr(user, "is_verified", None)
        if not (callable(is_verified) and is_verified()):
            return None
        return result


class CitizenSessionAuthentication(SessionAuthentication):
    """A citizen identified in the seu: no Django user; ``request.auth`` is the
    ``Identification``."""

    def authenticate(self, request: Request) -> tuple[Any, Identification] | None:
        identification = current_identification(request._request)
        if identification is None:
            return None
        self.enforce_csrf(request)
        return AnonymousUser(), identification


class StaffSessionScheme(OpenApiAuthenticationExtension):
    target_class = "registre.api.StaffSessionAuthentication"
    name = "staffSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "A back-office session that passed the second factor (TOTP).",
        }


class CitizenSessionScheme(OpenApiAuthenticationExtension):
    target_class = "registre.api.CitizenSessionAuthentication"
    name = "citizenSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "A citizen identified in the seu (certificate or Cl@ve); own entries only."
            ),
        }


class CanFileEntries(BasePermission):
    message = _("Aquest compte no té permís per presentar assentaments al registre.")

    def has_permission(self, request: Request, view: object) -> bool:
        return has_perm(request, ADD_PERMISSION)


class CanReadEntries(BasePermission):
    message = _("Aquest compte no té permís per consultar el registre.")

    def has_permission(self, request: Request, view: object) -> bool:
        return (
            isinstance(request.auth, Identification)
            or has_perm(request, VIEW_PERMISSION)
            or has_perm(request, ADD_PERMISSION)
        )


class CitizenReadsAtTheirLevel(BasePermission):
    """A citizen's earlier entries need the level personal data need (art. 8.2), as on the web:
    ``registre.selectors.check_may_read`` raises ``insufficient_level`` (403) below it."""

    def has_object_permission(self, request: Request, view: object, obj: Any) -> bool:
        if isinstance(request.auth, Identification):
            selectors.check_may_read(request.auth, obj)
        return True


def entries_for(request: Request) -> QuerySet[RegistryEntry]:
    """The entries this caller may read: every lookup by number goes through here first.

    Staff and service accounts (a token belongs to a user) read the entries of the organs that
    user works for (``seu.staff``; all of them for a supervisor), and a filing account also the
    entries it filed itself (art. 33.f: its receipt); with no organ, nothing else."""
    entries = RegistryEntry.objects.filter(direction=Direction.IN, number__isnull=False)
    if isinstance(request.auth, Identification):
        return selectors.citizen_entries(request.auth)
    readable: QuerySet[RegistryEntry] = entries.none()
    if has_perm(request, VIEW_PERMISSION):
        readable = scoped_to_staff(entries, request.user)
    if has_perm(request, ADD_PERMISSION):
        readable = readable | entries.filter(created_by_id=request.user.pk)
    return readable


def _entry_or_404(request: Request, number: str) -> RegistryEntry:
    entry = (
        entries_for(request)
        .select_related("organ", "receipt")
        .prefetch_related("attachments")
        .filter(number=number)
        .first()
    )
    if entry is None:
        raise NotFound(_("No hi ha cap assentament amb aquest número."))
    return entry


# --- Input ---------------------------------------------------------------------------------------


def _party_field(name: str, *, required: bool = False, help_text: str = "") -> Any:
    """A person's field with the registry's limit for it (``registre.inputs``)."""
    options: dict[str, Any] = {} if required else {"default": ""}
    return serializers.CharField(
        max_length=inputs.PARTY_LIMITS[name],
        required=required,
        allow_blank=not required,
        error_messages={"max_length": inputs.TOO_LONG[name]},
        help_text=help_text or None,
        **options,
    )


class EntryInputSerializer(serializers.Serializer[Any]):
    """A generic request (instància genèrica) filed on a person's behalf, as multipart. The
    fields' limits and the rules on the persons are the registry's (``registre.inputs``), checked
    here before the files are read, and again by the service."""

    organ = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organ.objects.filter(is_active=True),
        help_text="Code of the addressed organ (seu.Organ.code).",
    )
    subject = serializers.CharField(
        max_length=inputs.SUBJECT_MAX_LENGTH,
        error_messages={"max_length": inputs.TOO_LONG["subject"]},
    )
    exposition = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=inputs.TEXT_MAX_LENGTH,
        error_messages={"max_length": inputs.TOO_LONG["exposition"]},
    )
    request = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=inputs.TEXT_MAX_LENGTH,
        error_messages={"max_length": inputs.TOO_LONG["request"]},
    )
    language = serializers.ChoiceField(
        choices=services.RECEIPT_LANGUAGES,
        default="ca",
        help_text="Language of the receipt: ca or es.",
    )
    interested_nif = _party_field("nif", required=True, help_text="NIF, NIE or CIF.")
    interested_given_name = _party_field("given_name")
    interested_surnames = _party_field("surnames")
    interested_legal_name = _party_field(
        "legal_name", help_text="For a legal person, instead of given name and surnames."
    )
    interested_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        max_length=inputs.EMAIL_MAX_LENGTH,
        error_messages={"max_length": inputs.TOO_LONG["email"]},
    )
    representative_nif = _party_field("nif")
    representative_given_name = _party_field("given_name")
    representative_surnames = _party_field("surnames")
    representative_legal_name = _party_field("legal_name")
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        default=list,
        max_length=settings.REGISTRY_MAX_FILES,
        help_text=(
            "Attachments: repeat the part. Recognised by content: "
            f"{attachments.ALLOWED_FORMATS}. At most {settings.REGISTRY_MAX_FILES} files, "
            f"{settings.REGISTRY_MAX_FILE_BYTES} bytes each, "
            f"{settings.REGISTRY_MAX_ENTRY_BYTES} bytes in all."
        ),
    )

    def _person_id(self, value: str) -> str:
        try:
            return normalise_person_id(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_interested_nif(self, value: str) -> str:
        return self._person_id(value)

    def validate_representative_nif(self, value: str) -> str:
        return self._person_id(value) if value.strip() else ""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            inputs.entry_input(
                subject=attrs["subject"],
                exposition=attrs.get("exposition", ""),
                request=attrs.get("request", ""),
                interested=_person_data(attrs, "interested") or PersonData(nif=""),
                representative=_person_data(attrs, "representative"),
            )
        except inputs.InvalidEntry as invalid:
            raise serializers.ValidationError(invalid.errors) from None
        return attrs

    def person(self, role: str) -> PersonData | None:
        return _person_data(self.validated_data, role)


def _person_data(data: dict[str, Any], role: str) -> PersonData | None:
    if not data.get(f"{role}_nif"):
        return None
    return PersonData(
        nif=data[f"{role}_nif"],
        given_name=data.get(f"{role}_given_name", ""),
        surnames=data.get(f"{role}_surnames", ""),
        legal_name=data.get(f"{role}_legal_name", ""),
        email=data.get(f"{role}_email", ""),
    )


def accept_attachments(uploads: list[Any]) -> list[services.IncomingAttachment]:
    """Check the files by the registry's rules (``registre.attachments``: format by content,
    integrity, limits, PDF signatures) and store them, before the registration starts: the
    counter lock is never held while a large upload is hashed, analysed or written. A refused
    file makes the whole request a 400 that lists every refused file; the files accepted beside
    it may already be stored, as unreferenced blobs addressed by their content (as when a
    registration fails): the entry-level rules (count, total size, duplicates) live in
    ``accept_uploads``, which stores as it goes, and are not repeated here."""
    accepted, refused = attachments.accept_uploads(uploads)
    if refused:
        raise serializers.ValidationError({"files": [str(refusal.message) for refusal in refused]})
    return accepted


# --- Output --------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable code, e.g. registry_interrupted.")
    detail = serializers.CharField(help_text="Message in the caller's language.")


class AttachmentSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()


class PartySerializer(serializers.Serializer[Any]):
    nif = serializers.CharField(help_text="NIF, NIE or CIF.")
    kind = serializers.ChoiceField(choices=["natural", "legal"])
    name = serializers.CharField(help_text="Name and surnames, or the company name.")
    given_name = serializers.CharField(allow_blank=True)
    surnames = serializers.CharField(allow_blank=True)
    legal_name = serializers.CharField(allow_blank=True)


class EntryStatusSerializer(serializers.Serializer[Any]):
    number = serializers.CharField(help_text="Registry number, E/<year>/<6 digits>.")
    reference = serializers.CharField(help_text="The number as written in addresses.")
    state = serializers.ChoiceField(choices=RegistryEntry.State.choices)
    channel = serializers.ChoiceField(choices=RegistryEntry.Channel.choices)
    organ = serializers.CharField(help_text="Code of the addressed organ.")
    subject = serializers.CharField()
    interested = PartySerializer(
        allow_null=True, help_text="The interested person as recorded at filing (33.f-g)."
    )
    representative = PartySerializer(
        allow_null=True, help_text="The representative as recorded at filing, if any."
    )
    presented_at = serializers.DateTimeField(help_text="When the transmission began (33.i).")
    effective_at = serializers.DateTimeField(
        help_text="When it counts as filed: differs on a non-working day (33.h)."
    )
    registered_at = serializers.DateTimeField()
    not_admitted_reason = serializers.CharField(allow_blank=True)
    alternative_registries = serializers.CharField(allow_blank=True)
    attachments = AttachmentSerializer(many=True)
    receipt_csv = serializers.CharField(help_text="Secure verification code of the receipt.")
    receipt_url = serializers.URLField(help_text="This API's address of the sealed receipt.")
    verification_url = serializers.URLField(help_text="Public verification page of the receipt.")
    url = serializers.URLField(help_text="This entry's status in this API.")


def party_data(party: Party | None) -> dict[str, Any] | None:
    if party is None:
        return None
    return {
        "nif": party.nif,
        "kind": party.kind,
        "name": party.display_name,
        "given_name": party.given_name,
        "surnames": party.surnames,
        "legal_name": party.legal_name,
    }


def entry_data(request: Request, entry: RegistryEntry) -> dict[str, Any]:
    assert entry.number is not None and entry.receipt is not None
    reference = entry_reference(entry.number)
    return {
        "number": entry.number,
        "reference": reference,
        "state": entry.state,
        "channel": entry.channel,
        "organ": entry.organ.code,
        "subject": entry.subject,
        # As recorded at filing (art. 33.f-g), not the person's current data.
        "interested": party_data(entry.interested_party),
        "representative": party_data(entry.representative_party),
        "presented_at": entry.presented_at,
        "effective_at": entry.effective_at,
        "registered_at": entry.registered_at,
        "not_admitted_reason": entry.not_admitted_reason,
        "alternative_registries": entry.alternative_registries,
        "attachments": [
            {
                "name": attachment.name,
                "size": attachment.size,
                "content_type": attachment.content_type,
                "sha256": attachment.sha256,
            }
            for attachment in entry.attachments.all()
        ],
        "receipt_csv": entry.receipt.csv_display,
        "receipt_url": request.build_absolute_uri(
            reverse("registre_api:receipt", args=[entry.number])
        ),
        "verification_url": documents.verification_url(entry.receipt.csv),
        "url": request.build_absolute_uri(reverse("registre_api:entry", args=[entry.number])),
    }


NUMBER_PARAMETER = OpenApiParameter(
    "number",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Registry number with hyphens instead of slashes, e.g. E-2026-000001.",
    pattern=EntryNumberConverter.regex,
)
COMMON_ERRORS = {
    401: OpenApiResponse(description="No credentials (token, staff or citizen session)."),
    403: OpenApiResponse(description="Authenticated, without the needed permission."),
}
READ_ERRORS = {
    **COMMON_ERRORS,
    403: OpenApiResponse(
        response=ErrorSerializer,
        description=(
            "Authenticated, without the needed permission; or a citizen session identified "
            "below the level an earlier entry needs (code insufficient_level, art. 8.2): "
            "identify again at the level the message names."
        ),
    ),
    404: OpenApiResponse(response=ErrorSerializer, description="No such entry for you."),
}


# --- Views ---------------------------------------------------------------------------------------


class RegistryAPIView(APIView):
    """Answers in the caller's language: the language cookie of their seu session, else
    ``Accept-Language`` (the API's addresses carry no language prefix, so the locale middleware
    alone would always answer in Catalan)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        translation.activate(
            translation.get_language_from_request(request._request, check_path=False)
        )
        request._request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)


# Citizens read their own entries; only service accounts and staff file.
READ_AUTHENTICATION = [
    TokenAuthentication,
    StaffSessionAuthentication,
    CitizenSessionAuthentication,
]
FILE_AUTHENTICATION = [TokenAuthentication, StaffSessionAuthentication]


class EntryCollectionView(RegistryAPIView):
    authentication_classes = FILE_AUTHENTICATION
    permission_classes = [CanFileEntries]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="registre_entrades_create",
        summary="File an incoming registry entry",
        description=(
            "Registers a generic request on a person's behalf (channel: api) and issues its "
            "sealed receipt in the same transaction: either 201 with the number and the "
            "receipt, or an error and nothing registered (art. 33.f). Needs the permission "
            "registre.add_registryentry."
        ),
        request={"multipart/form-data": EntryInputSerializer},
        responses={
            201: EntryStatusSerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="Invalid input: field name -> list of messages.",
            ),
            **COMMON_ERRORS,
            503: OpenApiResponse(
                response=ErrorSerializer,
                description=(
                    "Registry interrupted (code registry_interrupted) or the receipt could "
                    "not be issued: nothing was registered, try again."
                ),
            ),
        },
        tags=["registre"],
    )
    def post(self, request: Request) -> Response:
        presented_at = request_start(request._request)  # before reading the body (art. 33.i)
        serializer = EntryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        interested = serializer.person("interested")
        assert interested is not None
        stored = accept_attachments(data["files"])
        try:
            entry = services.register_entry(
                organ=data["organ"],
                subject=data["subject"],
                exposition=data["exposition"],
                request=data["request"],
                interested=interested,
                representative=serializer.person("representative"),
                attachments=stored,
                channel=RegistryEntry.Channel.API,
                presented_at=presented_at,
                language=data["language"],
                acting_user=request.user if request.user.is_authenticated else None,
            )
        except inputs.InvalidEntry as invalid:  # the service decides: its fields are ours
            raise serializers.ValidationError(invalid.errors) from None
        body = EntryStatusSerializer(entry_data(request, entry)).data
        return Response(body, status=201, headers={"Location": body["url"]})


class EntryDetailView(RegistryAPIView):
    authentication_classes = READ_AUTHENTICATION
    permission_classes = [CanReadEntries, CitizenReadsAtTheirLevel]

    @extend_schema(
        operation_id="registre_entrades_retrieve",
        summary="Status of an incoming entry",
        description=(
            "State, instants, the reason if it was not admitted (art. 33.b) and the receipt. "
            "A citizen sees only their own entries; anybody else's is a 404."
        ),
        parameters=[NUMBER_PARAMETER],
        responses={200: EntryStatusSerializer, **READ_ERRORS},
        tags=["registre"],
    )
    def get(self, request: Request, number: str) -> Response:
        entry = _entry_or_404(request, number)
        self.check_object_permissions(request, entry)
        return Response(EntryStatusSerializer(entry_data(request, entry)).data)


class EntryReceiptView(RegistryAPIView):
    authentication_classes = READ_AUTHENTICATION
    permission_classes = [CanReadEntries, CitizenReadsAtTheirLevel]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # The answer is a PDF whatever the client accepts; errors are JSON, not a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="registre_entrades_receipt",
        summary="The sealed receipt of an incoming entry (PDF)",
        description=(
            "The current version of the receipt: sealed at filing, with its timestamp once "
            "added. A citizen gets only their own; anybody else's is a 404."
        ),
        parameters=[NUMBER_PARAMETER],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The sealed receipt."
            ),
            **READ_ERRORS,
        },
        tags=["registre"],
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        entry = _entry_or_404(request, number)
        self.check_object_permissions(request, entry)
        # The bytes are checked against what was sealed: a replaced file is a 409, not served.
        receipt = services.receipt_file(entry=entry)
        response = HttpResponse(receipt.data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{receipt.filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
