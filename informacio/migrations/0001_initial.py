"""The information sections' models, taken over from the notice board: the tables exist already
(``tauler`` 0004 renamed them, rows and all), so only Django's state learns of them here."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("documents", "0001_initial"),
        ("seu", "0002_identification"),
        ("tauler", "0004_information_sections_leave_the_board"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OfficialJournal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="nom")),
                        ("url", models.URLField(verbose_name="adreça")),
                        (
                            "description",
                            models.CharField(
                                blank=True, max_length=300, verbose_name="descripció"
                            ),
                        ),
                        (
                            "position",
                            models.PositiveSmallIntegerField(default=0, verbose_name="ordre"),
                        ),
                    ],
                    options={
                        "verbose_name": "diari oficial",
                        "verbose_name_plural": "diaris oficials",
                        "ordering": ["position", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="InformationDocument",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("actes-ple", "Actes del Ple"),
                                    ("ordenances", "Ordenances i reglaments"),
                                    ("pressupost", "Pressupost municipal"),
                                    ("urbanisme", "Planejament urbanístic vigent"),
                                    ("informacio-publica", "Anuncis d'informació pública"),
                                    ("contractacio", "Contractació administrativa"),
                                    ("subvencions", "Subvencions"),
                                    ("seleccio-personal", "Selecció de personal"),
                                    ("impresos", "Impresos i formularis"),
                                ],
                                max_length=30,
                                verbose_name="tipus",
                            ),
                        ),
                        ("title", models.CharField(max_length=300, verbose_name="títol")),
                        ("description", models.TextField(blank=True, verbose_name="descripció")),
                        ("url", models.URLField(blank=True, verbose_name="enllaç")),
                        ("updated_on", models.DateField(verbose_name="data d'actualització")),
                        ("is_public", models.BooleanField(default=True, verbose_name="publicat")),
                        (
                            "blob",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="documents.blob",
                                verbose_name="document PDF",
                            ),
                        ),
                        (
                            "organ",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="seu.organ",
                                verbose_name="òrgan que la proporciona",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "document d'informació pública",
                        "verbose_name_plural": "documents d'informació pública",
                        "ordering": ["kind", "-updated_on", "title"],
                    },
                ),
                migrations.CreateModel(
                    name="PublicService",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="nom")),
                        ("description", models.TextField(verbose_name="prestacions")),
                        (
                            "availability",
                            models.CharField(
                                blank=True, max_length=300, verbose_name="disponibilitat"
                            ),
                        ),
                        ("updated_on", models.DateField(verbose_name="data d'actualització")),
                        (
                            "position",
                            models.PositiveSmallIntegerField(default=0, verbose_name="ordre"),
                        ),
                        (
                            "organ",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="seu.organ",
                                verbose_name="òrgan",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "servei municipal",
                        "verbose_name_plural": "serveis municipals",
                        "ordering": ["position", "name"],
                    },
                ),
            ],
            database_operations=[],
        )
    ]
