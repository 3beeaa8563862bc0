"""The staff group "Exchange committee": manages exchange programs in the admin and sees
their applications (the custom `exchanges` permission, access.py). It has no permission of
the payments app: of money it sees only its programs' trip balances and trip payments."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Exchange committee"

PERMISSIONS = [
    ("program", ["add", "change", "delete", "view", "exchanges"]),
    ("question", ["add", "change", "delete", "view"]),
    ("rubriccriterion", ["add", "change", "delete", "view"]),
    ("installment", ["add", "change", "delete", "view"]),
    ("application", ["change", "view"]),
    ("answer", ["view"]),
    ("reference", ["change", "view"]),
    ("statuschange", ["view"]),
    ("review", ["view"]),
    ("trippayment", ["view"]),
]


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran (post_migrate); make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    codenames = [
        action if action == "exchanges" else f"{action}_{model}"
        for model, actions in PERMISSIONS
        for action in actions
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="exchanges", codename__in=codenames)
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
