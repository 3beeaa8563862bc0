"""Moving money by hand gets its own permission, `payments.manage_payments` (marking an
order paid, recording a check for dues or a donation, refunding), and the "Treasurer" staff
group holds it, with the payments and their refunds to read. The apps whose things are
paid for let the Treasurer read those too, in their own migrations (events, membership,
donations), and outgoing email is the Treasurer's and superusers' only (outbox's)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Treasurer"
CODENAMES = ["manage_payments", "view_payment", "view_refund"]


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran (post_migrate); make them now.
    app_config = apps.get_app_config("payments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="payments", codename__in=CODENAMES)
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_one_offline_payment_per_thing"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="payment",
            options={
                "ordering": ["-created_at"],
                "permissions": [("manage_payments", "Can mark paid, record checks and refund")],
                "verbose_name": "payment",
                "verbose_name_plural": "payments",
            },
        ),
        migrations.RunPython(create_group, delete_group),
    ]
