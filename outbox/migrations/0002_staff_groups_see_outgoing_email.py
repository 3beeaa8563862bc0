"""The staff groups ("Event managers", "Membership secretary") see outgoing email, so a
failed confirmation or renewal reminder is noticed by the people who answer for it, and may
send it again ("Retry now" needs the change permission; nothing about an email is editable).
The groups are made here if their own apps' migrations have not run yet (they use
get_or_create too)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["Event managers", "Membership secretary"]
CODENAMES = ["view_outgoingemail", "change_outgoingemail"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("outbox")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="outbox", codename__in=CODENAMES
    )
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="outbox"))


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
