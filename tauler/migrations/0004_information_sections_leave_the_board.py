"""The information sections (art. 15, 16, 19) leave the notice board for the ``informacio`` app
(issue #12, item 5): the models leave tauler's state and their tables, with every row, take the
new app's names; ``informacio`` 0001 takes the models into its state without touching the
database, and ``informacio`` 0002 moves their content types (and so the permissions granted)."""

from django.db import migrations

MOVED = ["InformationDocument", "PublicService", "OfficialJournal"]


class Migration(migrations.Migration):
    dependencies = [("tauler", "0003_official_journals")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name=name, table=f"informacio_{name.lower()}")
                for name in MOVED
            ],
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
        )
    ]
