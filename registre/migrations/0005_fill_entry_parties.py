"""Fill the persons' data kept on each existing entry (0004) from the persons' current data.

An entry must keep the persons' data as they were when it was made (art. 33.f-g), but entries
made before 0004 kept only a link to the ``Person``, whose names every login overwrites: what they
were at filing is lost. The current data is the best that can be done; the sealed receipt of each
entry still prints the data as filed, and is the evidence where the two differ.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

FIELDS = ("nif", "kind", "given_name", "surnames", "legal_name", "email")


def fill(apps, schema_editor):
    RegistryEntry = apps.get_model("registre", "RegistryEntry")
    Person = apps.get_model("seu", "Person")
    for role in ("interested", "representative"):
        person = Person.objects.filter(pk=OuterRef(f"{role}_id"))
        RegistryEntry.objects.filter(**{f"{role}__isnull": False, f"{role}_nif": ""}).update(
            **{f"{role}_{name}": Subquery(person.values(name)[:1]) for name in FIELDS}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registre", "0004_entry_parties_as_filed"),
        ("seu", "0002_identification"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
