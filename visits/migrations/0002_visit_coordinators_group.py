"""The staff group "Visit coordinators": runs visits and host families in the admin and
sees delegates' and hosts' private details (the custom `visits.hosting` permission,
access.py). It may read the events (to pick an orientation) but has no permission of the
payments or exchanges apps."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Visit coordinators"

PERMISSIONS = [
    ("visit", ["add", "change", "delete", "view", "hosting"]),
    ("delegate", ["add", "change", "delete", "view"]),
    ("itineraryitem", ["add", "change", "delete", "view"]),
    ("volunteer", ["change", "view"]),
    ("hosthousehold", ["add", "change", "view"]),
    ("householdadult", ["add", "change", "delete", "view"]),
    ("householdchild", ["add", "change", "delete", "view"]),
    ("awayperiod", ["add", "change", "delete", "view"]),
    ("match", ["change", "view"]),
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
        action if action == "hosting" else f"{action}_{model}"
        for model, actions in PERMISSIONS
        for action in actions
    ]
    group.permissions.set(
        [
            *Permission.objects.filter(content_type__app_label="visits", codename__in=codenames),
            *Permission.objects.filter(content_type__app_label="events", codename="view_event"),
        ]
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
