"""CSV verification for other systems (DESIGN "Interfaces"): the same rules and the same rate
limit as the public page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from documents import services
from documents.models import IntegrityIncident
from seu.net import client_ip


class SignatureSerializer(serializers.Serializer[object]):
    is_timestamp = serializers.BooleanField()
    signer = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    intact = serializers.BooleanField()
    valid = serializers.BooleanField()
    trusted = serializers.BooleanField()
    covers_whole_document = serializers.BooleanField()
    # pyHanko's modification level after this signature, and what was added (trust.CHANGES).
    modification_level = serializers.CharField()
    changes_after = serializers.ListField(child=serializers.CharField())


class IntegritySerializer(serializers.Serializer[object]):
    """Whether the stored bytes are what was sealed (their SHA-256, the CSV they carry)."""

    ok = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=IntegrityIncident.Reason.choices, allow_null=True)
    detail = serializers.CharField(allow_blank=True)


class VersionSerializer(serializers.Serializer[object]):
    number = serializers.IntegerField()
    stage = serializers.CharField()
    # What the file holds, in the reader's language: "segellat (PAdES B-B)", …
    description = serializers.CharField()
    created_at = serializers.DateTimeField()


class VerificationSerializer(serializers.Serializer[object]):
    csv = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    organ = serializers.CharField(allow_null=True)
    issued_at = serializers.DateTimeField()
    unchanged_since_sealing = serializers.BooleanField()
    integrity = IntegritySerializer()
    signatures = SignatureSerializer(many=True)
    versions = VersionSerializer(many=True)
    download_url = serializers.CharField()


class VerificationView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(responses=VerificationSerializer)
    def get(self, request: Request, code: str) -> Response:
        document = services.find_document(text=code, address=client_ip(request))
        report = services.verification_report(document)
        failure = report.integrity_failure
        data = {
            "csv": document.csv_display,
            "kind": document.kind,
            "title": document.title,
            "organ": document.organ.name if document.organ else None,
            "issued_at": document.issued_at,
            "unchanged_since_sealing": report.unchanged_since_sealing,
            "integrity": {
                "ok": not failure,
                "reason": failure or None,
                "detail": services.integrity_message(failure) if failure else "",
            },
            "signatures": [vars(s) for s in report.signatures],
            "versions": [
                {
                    "number": v.number,
                    "stage": v.stage,
                    "description": v.get_stage_display(),
                    "created_at": v.created_at,
                }
                for v in document.versions.order_by("number")
            ],
            "download_url": request.build_absolute_uri(
                services.reverse("documents:download", args=[document.csv])
            ),
        }
        return Response(VerificationSerializer(data).data)
