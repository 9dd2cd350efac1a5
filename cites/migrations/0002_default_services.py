from django.db import migrations


def create_services(apps, schema_editor):
    Service = apps.get_model("cites", "Service")
    Service.objects.get_or_create(
        code="fnmt",
        defaults={
            "name": "Acreditació d'identitat per al certificat FNMT",
            "description": "Per obtenir el certificat digital de persona física de la FNMT.",
            "asks_request_code": True,
            "position": 1,
        },
    )
    Service.objects.get_or_create(
        code="clave",
        defaults={
            "name": "Registre a Cl@ve",
            "description": "Registre presencial de nivell avançat al sistema Cl@ve.",
            "asks_request_code": False,
            "is_active": False,
            "position": 2,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("cites", "0001_initial")]
    operations = [migrations.RunPython(create_services, migrations.RunPython.noop)]
