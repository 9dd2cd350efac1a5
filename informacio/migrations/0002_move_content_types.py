"""Data: the content types of the moved models follow them from ``tauler`` to ``informacio``, so
that the permissions already granted on them (``tauler.change_publicservice`` becomes
``informacio.change_publicservice``, same row) and the back-office's history keep working.

On a new database there is nothing to move: the content types are created after ``migrate``."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

MODELS = ["informationdocument", "publicservice", "officialjournal"]


def _move(apps: Apps, *, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        moving = content_type.objects.filter(app_label=source, model=model)
        if not moving.exists():
            continue  # a new database: ``migrate`` creates them afterwards
        # One already at the target is a fresh one that ``migrate`` created after a migration
        # back (with default permissions nobody was granted): the moving one, which holds the
        # grants, takes its place.
        content_type.objects.filter(app_label=target, model=model).delete()
        moving.update(app_label=target)


def to_informacio(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _move(apps, source="tauler", target="informacio")


def to_tauler(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _move(apps, source="informacio", target="tauler")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("informacio", "0001_initial"),
    ]

    operations = [migrations.RunPython(to_informacio, to_tauler)]
