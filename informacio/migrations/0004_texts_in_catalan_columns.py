"""Data: the information sections' texts, written so far in Catalan, become their Catalan columns
(``informacio.translation``); the two journals that ``tauler`` 0003 created get their Spanish and
English text while their Catalan one is still the one it wrote. Other rows show their Catalan text
on the Spanish and English pages until staff translate them."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import F

TEXTS = {
    "PublicService": ("name", "description", "availability"),
    "OfficialJournal": ("name", "description"),
    "InformationDocument": ("title", "description"),
}

# url: (Catalan name as tauler 0003 wrote it, {column: translation})
DEFAULT_JOURNALS = {
    "https://www.caib.es/eboibfront/ca": (
        "Butlletí Oficial de les Illes Balears (BOIB)",
        {
            "name_es": "Boletín Oficial de las Illes Balears (BOIB)",
            "name_en": "Official Gazette of the Balearic Islands (BOIB)",
            "description_es": "Anuncios y disposiciones del Ayuntamiento publicados en el BOIB.",
            "description_en": "Notices and provisions of the Town Hall published in the BOIB.",
        },
    ),
    "https://www.boe.es/": (
        "Boletín Oficial del Estado (BOE)",
        {
            "name_es": "Boletín Oficial del Estado (BOE)",
            "name_en": "Official State Gazette (BOE)",
            "description_es": (
                "Anuncios del Ayuntamiento publicados en el BOE (por ejemplo, notificaciones "
                "infructuosas)."
            ),
            "description_en": (
                "Notices of the Town Hall published in the BOE (for example, notifications that "
                "could not be delivered)."
            ),
        },
    ),
}


def copy_to_catalan(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for model_name, fields in TEXTS.items():
        model = apps.get_model("informacio", model_name)
        for field in fields:
            model.objects.filter(**{f"{field}_ca__isnull": True}).update(
                **{f"{field}_ca": F(field)}
            )
    journal = apps.get_model("informacio", "OfficialJournal")
    for url, (name, translations) in DEFAULT_JOURNALS.items():
        row = journal.objects.filter(url=url, name_ca=name).first()
        if row is None:
            continue
        for column, text in translations.items():
            if not getattr(row, column):
                setattr(row, column, text)
        row.save(update_fields=list(translations))


class Migration(migrations.Migration):
    dependencies = [("informacio", "0003_translated_information")]

    operations = [migrations.RunPython(copy_to_catalan, migrations.RunPython.noop)]
