"""The "Partner editors" group: what a partner editor's account needs to open its
partnership's pages in the admin and the translations to review; which partnership, and
that only its translations may change, is translations/partner_editors.py's rule."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Partner editors"
PERMISSIONS = [
    ("cities", "view_partnership"),
    ("cities", "change_partnership"),
    ("cities", "view_committee"),
    ("cities", "change_committee"),
    ("cities", "view_milestone"),
    ("cities", "change_milestone"),
    ("cities", "view_photo"),
    ("cities", "change_photo"),
    ("translations", "view_staletranslation"),
    ("translations", "delete_staletranslation"),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in PERMISSIONS
        ]
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("translations", "0001_initial"),
        ("cities", "0006_translations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
