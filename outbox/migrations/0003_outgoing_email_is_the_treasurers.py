"""Outgoing email is seen by superusers and the "Treasurer" only: its recipients and
subjects show every password reset and email change asked for, and to which address. The Event managers and the Membership secretary lose it (a
failed email shows where it belongs: the order's resend, the membership's reminder); the
Treasurer may also retry it (the change permission)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TAKEN_FROM = ["Event managers", "Membership secretary"]
GIVEN_TO = "Treasurer"
CODENAMES = ["view_outgoingemail", "change_outgoingemail"]


def _permissions(apps):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="outbox", codename__in=CODENAMES
    )


def move(apps, schema_editor):
    app_config = apps.get_app_config("outbox")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=TAKEN_FROM):
        group.permissions.remove(*_permissions(apps))
    group, _ = Group.objects.get_or_create(name=GIVEN_TO)
    group.permissions.add(*_permissions(apps))


def move_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=TAKEN_FROM):
        group.permissions.add(*_permissions(apps))
    for group in Group.objects.filter(name=GIVEN_TO):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0002_staff_groups_see_outgoing_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(move, move_back)]
