"""The "Membership secretary" looks after donations: edits designations, reads and records
donations (a cheque received), and so sees donation payments in the payments admin (the
donation purpose names `donations.change_donation` as its staff permission). Never deletes
a donation; the group itself is made by membership's migration 0003."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Membership secretary"
PERMISSIONS = [
    ("donations", "view_designation"),
    ("donations", "add_designation"),
    ("donations", "change_designation"),
    ("donations", "view_donation"),
    ("donations", "change_donation"),
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in PERMISSIONS
    ]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0001_initial"),
        ("membership", "0003_membership_secretary_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
