"""The data migration that fills the persons' data of entries made before the entries kept them
(registre 0005): the current data of each person is the best there is (issue 11, item B)."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from registre.models import RegistryEntry
from seu.identity import PersonData, upsert_person
from tests.registre.conftest import local

BEFORE = [("registre", "0003_interruption_in_seu")]
AFTER = [("registre", "0005_fill_entry_parties")]


def test_entries_made_before_get_the_current_data_of_their_persons(
    executor: MigrationExecutor, file_entry
) -> None:
    entry = file_entry(
        local(2026, 11, 23, 10, 0),
        representative=PersonData(nif="X1234567L", given_name="Pere", surnames="Oliver"),
    )
    executor.migrate(BEFORE)
    with transaction.atomic():  # a later login changes the person's names
        upsert_person(PersonData(nif="12345678Z", given_name="MARIA", surnames="GARCIA FERRER"))

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    apps = executor.loader.project_state(AFTER).apps
    row = apps.get_model("registre", "RegistryEntry").objects.get(pk=entry.pk)
    assert (row.interested_nif, row.interested_kind) == ("12345678Z", "natural")
    assert (row.interested_given_name, row.interested_surnames) == ("MARIA", "GARCIA FERRER")
    assert (row.representative_nif, row.representative_given_name) == ("X1234567L", "Pere")
    assert RegistryEntry.objects.filter(interested_nif="").count() == 0
