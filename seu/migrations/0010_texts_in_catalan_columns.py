"""Data: the organs' names and competences and the town hall's office hours, written so far in
Catalan, become their Catalan columns (``seu.translation``); Spanish and English are left empty,
so that the pages show the Catalan text until staff translate them."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import F

TEXTS = {"Organ": ("name", "competences"), "TownHall": ("office_hours",)}


def copy_to_catalan(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for model_name, fields in TEXTS.items():
        model = apps.get_model("seu", model_name)
        for field in fields:
            model.objects.filter(**{f"{field}_ca__isnull": True}).update(
                **{f"{field}_ca": F(field)}
            )


class Migration(migrations.Migration):
    dependencies = [("seu", "0009_translated_organs_and_office_hours")]

    operations = [migrations.RunPython(copy_to_catalan, migrations.RunPython.noop)]
