"""Data: the services' names and descriptions, written so far in Catalan, become their Catalan
columns (``cites.translation``); the two services that 0002 created get their Spanish and English
text while their Catalan one is still the one 0002 wrote. Other services show their Catalan text
on the Spanish and English pages until the office translates them."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import F

# code: (Catalan name as 0002 wrote it, {column: translation})
DEFAULT_SERVICES = {
    "fnmt": (
        "Acreditació d'identitat per al certificat FNMT",
        {
            "name_es": "Acreditación de identidad para el certificado FNMT",
            "name_en": "Identity accreditation for the FNMT certificate",
            "description_es": "Para obtener el certificado digital de persona física de la FNMT.",
            "description_en": "To obtain the FNMT digital certificate for individuals.",
        },
    ),
    "clave": (
        "Registre a Cl@ve",
        {
            "name_es": "Registro en Cl@ve",
            "name_en": "Registration in Cl@ve",
            "description_es": "Registro presencial de nivel avanzado en el sistema Cl@ve.",
            "description_en": "In-person registration at the advanced level in the Cl@ve system.",
        },
    ),
}


def copy_to_catalan(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    service = apps.get_model("cites", "Service")
    for field in ("name", "description"):
        service.objects.filter(**{f"{field}_ca__isnull": True}).update(**{f"{field}_ca": F(field)})
    for code, (name, translations) in DEFAULT_SERVICES.items():
        row = service.objects.filter(code=code, name_ca=name).first()
        if row is None:
            continue
        for column, text in translations.items():
            if not getattr(row, column):
                setattr(row, column, text)
        row.save(update_fields=list(translations))


class Migration(migrations.Migration):
    dependencies = [("cites", "0006_translated_services")]

    operations = [migrations.RunPython(copy_to_catalan, migrations.RunPython.noop)]
