"""The information sections in the back-office (art. 15, 16, 19): the services, the documents that
must be public and the official journals are kept here; a document's PDF goes through
``informacio.services``, which checks it and moves its update date. Their texts are written in
Catalan and translated into Spanish and English; each list says which translations are missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from informacio import services
from informacio.models import InformationDocument, OfficialJournal, PublicService
from seu.errors import SeuError
from seu.translated_admin import TranslatedContentAdmin


@dataclass(frozen=True)
class _CheckedUpload:
    name: str
    data: bytes


class InformationDocumentForm(forms.ModelForm[InformationDocument]):
    new_file = forms.FileField(label=_("Document PDF"), required=False)
    url = forms.URLField(label=_("enllaç"), required=False, assume_scheme="https")

    class Meta:
        model = InformationDocument
        fields = ["kind", "title", "description", "organ", "url", "updated_on", "is_public"]
        widgets = {"updated_on": forms.DateInput(attrs={"type": "date"})}

    def clean_new_file(self) -> _CheckedUpload | None:
        upload = self.cleaned_data.get("new_file")
        if not upload:
            return None
        checked = _CheckedUpload(name=upload.name, data=upload.read())
        try:
            services.check_pdf(name=checked.name, data=checked.data)
        except SeuError as exc:
            raise forms.ValidationError(str(exc.message)) from exc
        return checked


@admin.register(InformationDocument)
class InformationDocumentAdmin(TranslatedContentAdmin[InformationDocument]):
    form = InformationDocumentForm
    list_display = ["title", "kind", "organ", "updated_on", "is_public"]
    list_filter = ["kind", "organ", "is_public"]
    search_fields = ["title_ca", "title_es", "title_en"]  # a title in any language

    def save_model(
        self, request: HttpRequest, obj: InformationDocument, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)  # in Catalan (seu.translated_admin)
        upload = form.cleaned_data.get("new_file")
        if upload is not None:
            services.attach_document_file(
                document_id=obj.pk,
                name=upload.name,
                data=upload.data,
                acting_user=request.user,
                today=obj.updated_on,
            )


@admin.register(PublicService)
class PublicServiceAdmin(TranslatedContentAdmin[PublicService]):
    list_display = ["name", "organ", "updated_on", "position"]
    list_filter = ["organ"]


@admin.register(OfficialJournal)
class OfficialJournalAdmin(TranslatedContentAdmin[OfficialJournal]):
    list_display = ["name", "url", "position"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
