"""Who may write news and mailings: the "Event managers" (mailings to their events' ticket
holders) and the "Membership secretary" (mailings to members and subscribers; the
subscriber list). Which audience each may send to is checked by the admin
(`Mailing.required_permission`); these permissions let them open the pages at all."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "Event managers": [
        ("post", ["add", "change", "view"]),
        ("mailing", ["add", "change", "view"]),
        ("delivery", ["view"]),
    ],
    "Membership secretary": [
        ("post", ["add", "change", "view"]),
        ("mailing", ["add", "change", "view"]),
        ("delivery", ["view"]),
        ("subscriber", ["view", "change"]),
    ],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, entries in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for model, actions in entries for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="news", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=PERMISSIONS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="news"))


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
        ("events", "0002_event_managers_group"),
        ("membership", "0003_membership_secretary_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
