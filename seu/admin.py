from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from seu.models import NonWorkingDay, Organ, TownHall


@admin.register(TownHall)
class TownHallAdmin(admin.ModelAdmin[TownHall]):
    list_display = ["name", "nif", "phone", "email"]
    # A website typed without a scheme is the town hall's https site, not http (and Django 6.0
    # makes https the default anyway: this also silences its deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One town hall per seu.
        return super().has_add_permission(request) and not TownHall.objects.exists()


@admin.register(Organ)
class OrganAdmin(admin.ModelAdmin[Organ]):
    list_display = ["name", "code", "parent", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin[NonWorkingDay]):
    list_display = ["date", "kind", "name", "declared_by"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    exclude = ["declared_by"]

    def save_model(
        self, request: HttpRequest, obj: NonWorkingDay, form: object, change: bool
    ) -> None:
        if not change:
            obj.declared_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
