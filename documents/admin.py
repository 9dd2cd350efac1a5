from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from documents import services
from documents.models import Document, DocumentVersion, IntegrityIncident, SealCertificate
from seu.errors import SeuError
from seu.models import Organ


class TestDocumentForm(forms.Form):
    title = forms.CharField(label=_("Títol"), max_length=200, initial=_("Document de prova"))
    organ = forms.ModelChoiceField(
        label=_("Òrgan"), queryset=Organ.objects.filter(is_active=True), required=False
    )
    text = forms.CharField(label=_("Text"), widget=forms.Textarea, required=False, max_length=5000)


class VersionInline(admin.TabularInline[DocumentVersion, Document]):
    model = DocumentVersion
    fields = ("number", "stage", "blob", "created_at", "integrity_checked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False


class IntegrityIncidentInline(admin.TabularInline[IntegrityIncident, Document]):
    model = IntegrityIncident
    fields = ("reason", "version", "detected_by", "detected_at", "resolved_at", "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin[Document]):
    list_display = ["title", "kind", "organ", "issued_at", "timestamp_state", "verify_link"]
    list_filter = ["kind", "timestamp_state", "organ"]
    search_fields = ["csv", "title"]
    date_hierarchy = "issued_at"
    inlines = [VersionInline, IntegrityIncidentInline]
    readonly_fields = [f.name for f in Document._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False  # issued documents are evidence: never deleted

    @admin.display(description=_("Verificació"))
    def verify_link(self, obj: Document) -> str:
        url = reverse("documents:verify_code", args=[obj.csv])
        return format_html('<a href="{}">{}</a>', url, obj.csv_display)

    def get_urls(self):
        extra = [
            path(
                "issue-test/",
                self.admin_site.admin_view(self.issue_test_view),
                name="documents_document_issue_test",
            )
        ]
        return extra + super().get_urls()

    def issue_test_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("documents.view_document"):
            return HttpResponseRedirect(reverse("admin:index"))
        form = TestDocumentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                document = services.issue_document(
                    kind=Document.Kind.TEST,
                    title=form.cleaned_data["title"],
                    template_name="documents/pdf/test_document.html",
                    context={"text": form.cleaned_data["text"]},
                    organ=form.cleaned_data["organ"],
                    language=getattr(request, "LANGUAGE_CODE", "ca"),
                    acting_user=request.user,  # type: ignore[arg-type]
                )
            except SeuError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(
                    request,
                    _("Document emès amb el CSV %(csv)s.") % {"csv": document.csv_display},
                )
                return HttpResponseRedirect(
                    reverse("admin:documents_document_change", args=[document.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Emetre un document de prova"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/documents/issue_test.html", context)


@admin.register(SealCertificate)
class SealCertificateAdmin(admin.ModelAdmin[SealCertificate]):
    list_display = ["subject", "not_before", "not_after", "fingerprint"]
    readonly_fields = [f.name for f in SealCertificate._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(IntegrityIncident)
class IntegrityIncidentAdmin(admin.ModelAdmin[IntegrityIncident]):
    """Stored documents found not to be what was sealed (``services.check_stored_documents``
    and every verification or download): evidence, so read-only. An incident closes when the
    sweep finds the file matching again, once it is restored from a backup."""

    list_display = [
        "detected_at",
        "document_csv",
        "reason",
        "detected_by",
        "resolved_at",
    ]
    list_filter = ["reason", "detected_by", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["document__csv", "document__title", "expected_sha256", "found_sha256"]
    date_hierarchy = "detected_at"
    list_select_related = ["document"]
    readonly_fields = [f.name for f in IntegrityIncident._meta.fields]

    @admin.display(description=_("CSV"), ordering="document__csv")
    def document_csv(self, obj: IntegrityIncident) -> str:
        url = reverse("admin:documents_document_change", args=[obj.document_id])
        return format_html('<a href="{}">{}</a>', url, obj.document.csv_display)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: IntegrityIncident | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: IntegrityIncident | None = None
    ) -> bool:
        return False
