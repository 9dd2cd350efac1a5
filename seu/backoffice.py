"""The back-office as a channel: an admin whose ``save_model`` calls a service shows the service's
refusal (a ``SeuError``) as an error of the form, with what the person typed, instead of a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from seu.errors import SeuError

_ERROR_ATTRIBUTE = "_seu_service_error"


class ServiceChannelAdmin:
    """Mix into a ``ModelAdmin`` whose ``save_model`` calls a service.

    The admin's change view runs in one transaction: a ``SeuError`` raised by the service undoes
    it, and the view is run again on the same request with the error added to the form."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        view = super().changeform_view  # type: ignore[misc]
        try:
            return view(request, object_id, form_url, extra_context)
        except SeuError as error:
            setattr(request, _ERROR_ATTRIBUTE, error)
            return view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        form: type[forms.ModelForm[Any]] = super().get_form(  # type: ignore[misc]
            request, obj, change, **kwargs
        )
        error: SeuError | None = getattr(request, _ERROR_ATTRIBUTE, None)
        if error is None:
            return form
        message = str(error.message)

        class RefusedForm(form):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean() or {}
                self.add_error(None, message)
                return cleaned

        return RefusedForm
