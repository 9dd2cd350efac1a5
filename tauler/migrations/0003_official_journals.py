"""Data: the official journals where the town hall publishes (art. 19): BOIB and BOE."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

JOURNALS = [
    (
        "Butlletí Oficial de les Illes Balears (BOIB)",
        "https://www.caib.es/eboibfront/ca",
        "Anuncis i disposicions de l'Ajuntament publicats al BOIB.",
        1,
    ),
    (
        "Boletín Oficial del Estado (BOE)",
        "https://www.boe.es/",
        "Anuncis de l'Ajuntament publicats al BOE (per exemple, notificacions infructuoses).",
        2,
    ),
]


def add_journals(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    journal = apps.get_model("tauler", "OfficialJournal")
    for name, url, description, position in JOURNALS:
        journal.objects.get_or_create(
            url=url, defaults={"name": name, "description": description, "position": position}
        )


def remove_journals(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    journal = apps.get_model("tauler", "OfficialJournal")
    journal.objects.filter(url__in=[url for _, url, _, _ in JOURNALS]).delete()


class Migration(migrations.Migration):
    dependencies = [("tauler", "0002_information_sections")]

    operations = [migrations.RunPython(add_journals, remove_journals)]
