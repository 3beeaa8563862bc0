"""The "Membership secretary" staff group, with exactly the permissions the job needs:
look after members' details and memberships (record dues, fix dates), read the plans and
the reminders sent; never delete anyone, never change plans or permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Membership secretary"
PERMISSIONS = [
    ("membership", "view_user"),
    ("membership", "change_user"),
    ("membership", "view_membershipplan"),
    ("membership", "view_membership"),
    ("membership", "add_membership"),
    ("membership", "change_membership"),
    ("membership", "view_renewalreminder"),
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
        ("membership", "0002_plans_memberships_reminders"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
