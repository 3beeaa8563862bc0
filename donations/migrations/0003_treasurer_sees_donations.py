"""The "Treasurer" (payments migration 0003) reads donations, so they can record a check
received; designations stay the Membership secretary's to edit."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Treasurer"
CODENAMES = ["view_designation", "view_donation"]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations ran (post_migrate); make them now.
    app_config = apps.get_app_config("donations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="donations", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).first()
    if group is not None:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="donations", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0002_membership_secretary_donations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
