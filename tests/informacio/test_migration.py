"""The information sections left the notice board (tauler 0004, informacio 0001-0002): the rows
made before stay, now in ``informacio``, and the permissions granted on them keep working."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from informacio.models import InformationDocument, OfficialJournal, PublicService

BEFORE = [("tauler", "0003_official_journals")]


def test_the_rows_and_the_permissions_granted_survive_the_move(
    executor: MigrationExecutor,
) -> None:
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    organ = old.get_model("seu", "Organ").objects.create(code="secretaria", name="Secretaria")
    old.get_model("tauler", "PublicService").objects.create(
        name="Recollida de voluminosos",
        description="Recollida a domicili",
        organ=organ,
        updated_on=dt.date(2026, 10, 1),
    )
    old.get_model("tauler", "InformationDocument").objects.create(
        kind="pressupost", title="Pressupost 2026", organ=organ, updated_on=dt.date(2026, 1, 15)
    )
    # A journal as the board kept it (the rows of its data migration do not survive an earlier
    # test's flush of the tables, so this one is made here).
    old.get_model("tauler", "OfficialJournal").objects.get_or_create(
        url="https://www.boe.es/", defaults={"name": "Boletín Oficial del Estado"}
    )
    # What ``migrate`` had created for the board's models, and a grant on one of them.
    content_type, _ = ContentType.objects.get_or_create(app_label="tauler", model="publicservice")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="change_publicservice",
        defaults={"name": "Can change servei municipal"},
    )
    user = get_user_model().objects.create_user("configuradora")
    user.user_permissions.add(permission.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    assert PublicService.objects.get().name == "Recollida de voluminosos"
    assert InformationDocument.objects.get().organ.code == "secretaria"
    # The journal came along too.
    assert OfficialJournal.objects.filter(url="https://www.boe.es/").exists()
    assert ContentType.objects.get_for_model(PublicService).pk == content_type.pk
    assert get_user_model().objects.get(pk=user.pk).has_perm("informacio.change_publicservice")
    assert not ContentType.objects.filter(app_label="tauler", model="publicservice").exists()
