"""The back-office in Catalan where a package's labels are not translatable as shipped (issue 13.5).

django-otp names its TOTP device and that device's fields with plain strings, and Django titles an
app without a ``verbose_name`` from its label ("Otp_Totp", "Axes"). The messages that the
packages do pass through gettext are translated in ``locale_thirdparty/``; this module makes the
rest translatable.

The device's names are wrapped in ``gettext_lazy`` with their own English text, the ``msgid``
that ``locale_thirdparty/`` translates. The model's migration state does not change: the
options' declared values (``Meta.original_attrs``) stay as they are, and a lazy help text reads as
the same English text while migrations are made (without translation).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.models import Permission
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _


def _translatable(text: object) -> object:
    if isinstance(text, str) and text and not isinstance(text, Promise):
        return gettext_lazy(text)  # the package's own text is the msgid
    return text


def make_third_party_labels_translatable() -> None:
    """Called once, when the back-office app is ready."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    opts = TOTPDevice._meta
    opts.verbose_name = gettext_lazy("TOTP device")
    opts.verbose_name_plural = gettext_lazy("TOTP devices")
    for field in opts.get_fields():
        if field.is_relation and field.auto_created:
            continue  # the reverse side of another model's relation: not shown here
        field.verbose_name = _translatable(field.verbose_name)
        field.help_text = _translatable(field.help_text)

    # Names the seu gives the packages' apps in the back-office's index.
    apps.get_app_config("axes").verbose_name = _("Accessos a la gestió")
    apps.get_app_config("otp_totp").verbose_name = _("Segon factor d'autenticació")


# Django stores each permission's name in English ("Can add user", built from the model's name
# when the tables are created) and shows that name in the user and group forms. The four
# permissions Django makes for every model are named again here, in the active language.
_DEFAULT_PERMISSIONS = {
    "add": _("Pot afegir %(name)s"),
    "change": _("Pot modificar %(name)s"),
    "delete": _("Pot eliminar %(name)s"),
    "view": _("Pot veure %(name)s"),
}


def permission_label(permission: Permission) -> str:
    """The permission as Django writes it, "app | model | what it allows", with the default
    permissions named in the active language (a custom one keeps the name its model declares)."""
    model = permission.content_type.model_class()
    if model is None:  # a content type left by an uninstalled app
        return str(permission)
    opts = model._meta
    action, _sep, model_name = permission.codename.partition("_")
    name: str = permission.name
    if model_name == opts.model_name and action in _DEFAULT_PERMISSIONS:
        name = _DEFAULT_PERMISSIONS[action] % {"name": opts.verbose_name}
    return f"{opts.app_config.verbose_name} | {opts.verbose_name} | {name}"


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return permission_label(obj)


class TranslatedPermissionsMixin:
    """For the user and group admins: their permission lists in the active language."""

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest | None = None, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionsField
            queryset = kwargs.get("queryset", db_field.remote_field.model.objects)
            kwargs["queryset"] = queryset.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
