"""The association and its social links, moved here from the `nsca` app with their rows.

nsca's migration 0002 renamed the tables; this one only adds the models to this app's state
(as they were in nsca), and hands their content types over, so the permissions staff were
given and the admin's history keep pointing at them.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED_MODELS = ("association", "sociallink")


def hand_over_content_types(apps, schema_editor, *, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED_MODELS:
        # Created already (a partly migrated database): keep it, leave the old one alone.
        if not rows.filter(app_label=new, model=model).exists():
            rows.filter(app_label=old, model=model).update(app_label=new)


def adopt_content_types(apps, schema_editor):
    hand_over_content_types(apps, schema_editor, old="nsca", new="association")


def return_content_types(apps, schema_editor):
    hand_over_content_types(apps, schema_editor, old="association", new="nsca")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("nsca", "0002_association_moves_to_its_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Association",
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
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        (
                            "short_name",
                            models.CharField(blank=True, max_length=40, verbose_name="short name"),
                        ),
                        (
                            "tagline",
                            models.CharField(blank=True, max_length=200, verbose_name="tagline"),
                        ),
                        (
                            "home_city",
                            models.CharField(
                                help_text='For example "Norfolk, Virginia".',
                                max_length=120,
                                verbose_name="home city",
                            ),
                        ),
                        (
                            "founded_year",
                            models.PositiveSmallIntegerField(
                                blank=True, null=True, verbose_name="founded"
                            ),
                        ),
                        ("mission", models.TextField(blank=True, verbose_name="mission statement")),
                        (
                            "aims",
                            models.TextField(
                                blank=True,
                                help_text="One aim per paragraph; a blank line separates them.",
                                verbose_name="aims",
                            ),
                        ),
                        (
                            "introduction",
                            models.TextField(
                                blank=True,
                                help_text="Shown on the home page.",
                                verbose_name="home page introduction",
                            ),
                        ),
                        (
                            "join_text",
                            models.TextField(
                                blank=True,
                                help_text="Shown beside the join button.",
                                verbose_name="call to join",
                            ),
                        ),
                        (
                            "email",
                            models.EmailField(
                                blank=True, max_length=254, verbose_name="contact email"
                            ),
                        ),
                        ("phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                        (
                            "postal_address",
                            models.TextField(blank=True, verbose_name="postal address"),
                        ),
                        (
                            "meta_description",
                            models.CharField(
                                blank=True,
                                help_text=(
                                    "Default description for search engines and link previews."
                                ),
                                max_length=300,
                                verbose_name="meta description",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "association",
                        "verbose_name_plural": "association",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("pk", 1)), name="association_single_row"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SocialLink",
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
                            "label",
                            models.CharField(
                                help_text='For example "Facebook".',
                                max_length=60,
                                verbose_name="label",
                            ),
                        ),
                        ("url", models.URLField(verbose_name="address")),
                        (
                            "position",
                            models.PositiveSmallIntegerField(default=0, verbose_name="position"),
                        ),
                        (
                            "association",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="social_links",
                                to="association.association",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "social link",
                        "verbose_name_plural": "social links",
                        "ordering": ["position", "label"],
                    },
                ),
            ],
        ),
        migrations.RunPython(adopt_content_types, return_content_types),
    ]
