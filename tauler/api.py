"""The notice board as open data (issue 5): a read-only JSON API, public like the board itself
(art. 18.2), documented in the OpenAPI schema at ``/api/schema/``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from seu import calendar
from tauler import selectors
from tauler.models import Category, Edict, EdictAttachment


class EdictDocumentSerializer(serializers.ModelSerializer[EdictAttachment]):
    sha256 = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = EdictAttachment
        fields = ["position", "name", "size", "sha256", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: EdictAttachment) -> str:
        edict = obj.edict
        return settings.SEU_BASE_URL + reverse(
            "tauler:attachment", args=[edict.year, edict.number, obj.position]
        )


class EdictSerializer(serializers.ModelSerializer[Edict]):
    reference = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    organ = serializers.CharField(source="organ.name", read_only=True)
    organ_code = serializers.CharField(source="organ.code", read_only=True)
    exposure_last_day = serializers.DateField(read_only=True)
    documents = serializers.SerializerMethodField()
    certificate_csv = serializers.SerializerMethodField()

    class Meta:
        model = Edict
        fields = [
            "reference",
            "url",
            "title",
            "category",
            "category_label",
            "organ",
            "organ_code",
            "state",
            "published_at",
            "certified_at",
            "exposure_ends_at",
            "exposure_last_day",
            "withdrawn_at",
            "withdrawal_reason",
            "documents",
            "certificate_csv",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Edict) -> str:
        return settings.SEU_BASE_URL + obj.get_absolute_url()

    @extend_schema_field(EdictDocumentSerializer(many=True))
    def get_documents(self, obj: Edict) -> list[dict[str, Any]]:
        # The documents are offered only while the edict is on display (issue 5, point 2).
        if not obj.is_on_display(calendar.now()):
            return []
        return list(EdictDocumentSerializer(obj.attachments.all(), many=True).data)

    @extend_schema_field(OpenApiTypes.STR)
    def get_certificate_csv(self, obj: Edict) -> str | None:
        return obj.certificate.csv if obj.certificate_id else None  # type: ignore[union-attr]


class BoardPagination(PageNumberPagination):
    page_size = 50
    page_query_param = "pagina"


@extend_schema(
    tags=["tauler"],
    summary="Edictes en exposició",
    parameters=[
        OpenApiParameter("categoria", str, enum=Category.values),
        OpenApiParameter("organ", str, description="Codi de l'òrgan"),
        OpenApiParameter("q", str, description="Text a cercar"),
    ],
)
class EdictListView(generics.ListAPIView[Edict]):
    """Edicts on display now, newest first (art. 18)."""

    serializer_class = EdictSerializer
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    pagination_class = BoardPagination

    def get_queryset(self):
        params = self.request.query_params
        return selectors.board(
            at=calendar.now(),
            category=params.get("categoria", ""),
            organ=params.get("organ", ""),
            text=params.get("q", ""),
        ).prefetch_related("attachments", "certificate")


@extend_schema(tags=["tauler"], summary="Un edicte per la seva referència")
class EdictDetailView(generics.RetrieveAPIView[Edict]):
    """An edict by its stable reference, also after its exposure (the record stays)."""

    serializer_class = EdictSerializer
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    def get_object(self) -> Edict:
        from django.http import Http404

        found = selectors.published(year=self.kwargs["year"], number=self.kwargs["number"])
        if found is None:
            raise Http404
        return found
