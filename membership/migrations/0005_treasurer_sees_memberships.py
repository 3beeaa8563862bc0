"""The "Treasurer" (payments migration 0003) reads memberships, so they can record dues
paid by check; changing memberships stays the Membership secretary's."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Treasurer"
CODENAMES = ["view_membership", "view_membershipplan"]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations ran (post_migrate); make them now.
    app_config = apps.get_app_config("membership")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="membership", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).first()
    if group is not None:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="membership", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("membership", "0004_plan_goods_value"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
